#!/usr/bin/python3
"""PyTorch CPU reference for ganexp's pinned benchmark protocols.

ring8-mlp:    ring of 8, radius 2, std 0.02; G z=2 -> 128 -> 128 -> 2,
              D 2 -> 128 -> 128 -> 1, ReLU; non-saturating loss; Adam
              (lr 1e-3, betas 0.5, 0.999); batch 256.
ring8-mlp512: the same with three hidden layers of 512 in G and D.

One step is one D update on a real batch and G(z).detach(), then one G
update on fresh noise with D's weights frozen, as in ganexp (--no-freeze
computes their unused gradients too, as many scripts do). The script prints one JSON line per
protocol: steps per second over the timed steps, after warm-up.

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/torch_ring8.py --steps 300

Needs Debian's python3-torch and libopenblas0 (so torch does not fall back
to the reference BLAS). Each line names the OpenBLAS kernels that ran
(blas_core) and any OPENBLAS_CORETYPE that chose them; --core prints only
that. Not part of CI.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def ring(n, gen):
    k = torch.randint(0, 8, (n,), generator=gen)
    angle = 2 * math.pi * k.float() / 8
    centres = torch.stack([2 * torch.cos(angle), 2 * torch.sin(angle)], dim=1)
    return centres + 0.02 * torch.randn(n, 2, generator=gen)


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def run(hidden, steps, warmup, batch=256, seed=1, freeze=True):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    G = mlp([2] + hidden + [2])
    D = mlp([2] + hidden + [1])
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.5, 0.999))

    def step():
        # D step: real batch and G(z).detach().
        x = ring(batch, gen)
        fake = G(torch.randn(batch, 2, generator=gen)).detach()
        loss_d = F.softplus(-D(x)).mean() + F.softplus(D(fake)).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        # G step, non-saturating: -log D(G(z)) on fresh noise. D's weights
        # are frozen for it, so that backward skips their gradients, which
        # the G step does not use (ganexp's G step does not compute them
        # either); --no-freeze keeps the plain script's wasted work.
        if freeze:
            D.requires_grad_(False)
        loss_g = F.softplus(-D(G(torch.randn(batch, 2, generator=gen)))).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        if freeze:
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
    p.add_argument("--protocol", choices=["ring8-mlp", "ring8-mlp512", "both"], default="both")
    p.add_argument("--steps", type=int, default=300, help="timed steps (ring8-mlp512 runs a tenth)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--core", action="store_true", help="print the OpenBLAS core this environment gets, and stop")
    p.add_argument("--no-freeze", action="store_true", help="compute D's weight gradients in the G step too, as a plain script does")
    a = p.parse_args()
    if a.core:
        print(json.dumps({"blas": blas_name(), "blas_core": blas_core(),
                          "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "")}))
        return
    torch.set_num_threads(a.threads)
    protocols = {"ring8-mlp": [128, 128], "ring8-mlp512": [512, 512, 512]}
    names = list(protocols) if a.protocol == "both" else [a.protocol]
    for name in names:
        steps = a.steps if name == "ring8-mlp" else max(10, a.steps // 10)
        warmup = a.warmup if name == "ring8-mlp" else max(2, a.warmup // 10)
        rate, ld, lg = run(protocols[name], steps, warmup, freeze=not a.no_freeze)
        print(json.dumps({
            "impl": "pytorch", "protocol": name, "steps_per_s": round(rate, 2),
            "steps": steps, "threads": torch.get_num_threads(),
            "torch": torch.__version__, "blas": blas_name(), "blas_core": blas_core(),
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""), "d_frozen_in_g_step": not a.no_freeze,
            "loss_d": round(ld, 4), "loss_g": round(lg, 4),
        }), flush=True)


def blas_name():
    """The BLAS library loaded into this process (Debian's torch uses the
    system libblas.so.3, which update-alternatives points at OpenBLAS once
    libopenblas0 is installed)."""
    lib = blas_library()
    for name in ("openblas", "mkl", "blis"):
        if name in lib:
            return name
    return lib or "none"


def blas_library():
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower()}
    return ",".join(sorted(libs))


def blas_core():
    """The kernels OpenBLAS chose for this CPU (openblas_get_corename):
    SkylakeX is its AVX-512 set, Haswell its AVX2/FMA set; Prescott and
    the like are SSE3-era kernels, which it falls back to when it does
    not recognise the CPU or when OPENBLAS_CORETYPE pins them."""
    import ctypes

    for lib in blas_library().split(","):
        if "openblas" not in lib:
            continue
        try:
            f = ctypes.CDLL(lib).openblas_get_corename
        except (OSError, AttributeError):
            continue
        f.restype = ctypes.c_char_p
        return f().decode()
    return "unknown"


if __name__ == "__main__":
    main()
