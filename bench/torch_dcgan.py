#!/usr/bin/python3
"""PyTorch CPU reference for ganexp's pinned protocol mnist-dcgan.

G: z(100) -> Linear 128*7*7 -> BatchNorm1d -> ReLU -> view (128, 7, 7)
   -> ConvTranspose2d 128->64 (k4 s2 p1) -> BatchNorm2d -> ReLU
   -> ConvTranspose2d 64->1 (k4 s2 p1) -> Tanh
D: Conv2d 1->64 (k4 s2 p1) -> LeakyReLU(0.2) -> Conv2d 64->128 (k4 s2 p1)
   -> BatchNorm2d -> LeakyReLU(0.2) -> Flatten -> Linear 128*7*7 -> 1
Non-saturating loss, Adam (2e-4, betas 0.5, 0.999), batch 64, PyTorch's
default initialisation, on MNIST's training digits scaled to [-1, 1].

One step is one D update on a real batch and G(z).detach(), then one G
update on fresh noise with D's weights frozen, as in ganexp. The script
prints one JSON line: steps per second over the timed steps, after
warm-up, and which kernels ran (OpenBLAS's core for the products, and
whether PyTorch's convolutions use oneDNN, mkldnn).

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/torch_dcgan.py --steps 30

MNIST comes from $GANEXP_MNIST or the GoMNIST module in Go's module cache,
as ganexp finds it. Needs Debian's python3-torch and libopenblas0. Not
part of CI.
"""
import argparse
import gzip
import json
import os
import subprocess
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_ring8 import blas_core, blas_name

GOMNIST = "github.com/petar/!go!m!n!i!s!t@v0.0.0-20150320212226-2fbe10d0fa63"


def mnist_dir():
    if os.environ.get("GANEXP_MNIST"):
        return os.environ["GANEXP_MNIST"]
    cache = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join(cache, GOMNIST, "data")


def read_images(folder):
    path = os.path.join(folder, "train-images-idx3-ubyte")
    opener = open
    if not os.path.exists(path):
        path, opener = path + ".gz", gzip.open
    with opener(path, "rb") as f:
        raw = f.read()
    n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 1, rows, cols)
    return torch.from_numpy(pixels.astype(np.float32) / 127.5 - 1)


def models():
    G = nn.Sequential(
        nn.Linear(100, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (128, 7, 7)),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),
    )
    D = nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1),
    )
    return G, D


def run(images, steps, warmup, batch=64, seed=1):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    G, D = models()
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def step():
        x = images[torch.randint(0, len(images), (batch,), generator=gen)]
        fake = G(torch.randn(batch, 100, generator=gen)).detach()
        loss_d = F.softplus(-D(x)).mean() + F.softplus(D(fake)).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        D.requires_grad_(False)
        loss_g = F.softplus(-D(G(torch.randn(batch, 100, generator=gen)))).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        D.requires_grad_(True)
        return loss_d, loss_g

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        loss_d, loss_g = step()
    elapsed = time.perf_counter() - start
    return steps / elapsed, float(loss_d), float(loss_g)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    images = read_images(mnist_dir())
    rate, ld, lg = run(images, a.steps, a.warmup)
    print(json.dumps({
        "impl": "pytorch", "protocol": "mnist-dcgan", "steps_per_s": round(rate, 3),
        "steps": a.steps, "threads": torch.get_num_threads(), "torch": torch.__version__,
        "blas": blas_name(), "blas_core": blas_core(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
        "loss_d": round(ld, 4), "loss_g": round(lg, 4),
    }), flush=True)


if __name__ == "__main__":
    main()
