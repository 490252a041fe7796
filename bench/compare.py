#!/usr/bin/python3
"""Side-by-side training speed: ganexp and PyTorch on the pinned protocols,
one thread each, interleaved, with PyTorch on its best kernels.

    /usr/bin/python3 bench/compare.py --rounds 5

Builds ganexp, then runs, in each round, every pair below one after the
other (every other round in the reverse order), so that machine noise hits
both sides alike, and prints the median steps/s of each side and their
ratio:

  * ganexp with the widest kernel this CPU has (AVX-512 here) against
    PyTorch on OpenBLAS's kernels for the same instruction set;
  * on an AVX-512 machine, also ganexp restricted to its AVX2 kernel
    (GANEXP_KERNEL=avx2) against PyTorch on OpenBLAS's AVX2 kernels
    (OPENBLAS_CORETYPE=Haswell): what an AVX2-only machine would see.

An honest peer: PyTorch runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
removed from its environment, which some machines set and which pin
OpenBLAS to older kernels. OpenBLAS then picks kernels by itself, and the
script prints which. An OpenBLAS older than the CPU may not recognise it
and fall back to SSE3-era kernels (OpenBLAS 0.3.21, Debian 12's, picks
"Prescott" on Sapphire and Emerald Rapids); the script says so and names
the matching kernels (SkylakeX for AVX-512, Haswell for AVX2) itself, so
that the ratio is against the peer at its best. Needs Go and Debian's
python3-torch with libopenblas0. Not part of CI.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# OpenBLAS core names by instruction set, best first.
AVX512_CORES = {"SkylakeX", "Cooperlake", "SapphireRapids"}
AVX2_CORES = {"Haswell", "Zen"} | AVX512_CORES


def cpu():
    """The CPU's model name (with its family and model numbers, which a
    VM's generic name hides) and the vector extensions that matter here."""
    info, flags = {}, set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("model name", "cpu family", "model") and key not in info:
                info[key] = value.strip()
            elif key == "flags":
                flags = set(value.split())
                break
    model = f"{info.get('model name', platform.processor() or 'unknown')} (family {info.get('cpu family', '?')}, model {info.get('model', '?')})"
    return model, flags


def lines(cmd, env):
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def peer_env(base, coretype=None):
    """The environment for PyTorch: the OpenBLAS pins removed, then the
    core type set when the peer needs one named."""
    env = {k: v for k, v in base.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    return env


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=300, help="timed steps of ring8-mlp; ring8-mlp512 runs a tenth, mnist-dcgan a hundredth")
    p.add_argument("--protocol", default="ring8-mlp,ring8-mlp512",
                   help="comma-separated: ring8-mlp, ring8-mlp512, mnist-dcgan (PyTorch runs bench/torch_dcgan.py for it)")
    p.add_argument("--no-avx2", action="store_true", help="skip the AVX2 pair on an AVX-512 machine")
    a = p.parse_args()
    protocols = a.protocol.split(",")

    model, flags = cpu()
    has512 = {"avx512f", "avx512bw", "avx512vl"} <= flags
    has2 = {"avx2", "fma"} <= flags
    print(f"machine: {model}; {os.cpu_count()} cores; "
          f"{'AVX-512' if has512 else 'AVX2/FMA' if has2 else 'no AVX2'}; "
          f"{datetime.date.today().isoformat()}", file=sys.stderr)
    pins = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    if pins:
        print(f"this environment sets {pins}: removed for PyTorch", file=sys.stderr)

    base = dict(os.environ, GOMAXPROCS="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    torch = [sys.executable, os.path.join(HERE, "torch_ring8.py")]
    auto = lines(torch + ["--core"], peer_env(base))[0]["blas_core"]
    want = "SkylakeX" if has512 else "Haswell" if has2 else None
    best = None
    if want and auto not in (AVX512_CORES if has512 else AVX2_CORES):
        print(f"OpenBLAS chose {auto} kernels by itself, older than this CPU's instruction set: "
              f"the peer runs with OPENBLAS_CORETYPE={want}", file=sys.stderr)
        best = want
    else:
        print(f"OpenBLAS chose {auto} kernels by itself", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "ganexp")
        subprocess.run(["go", "build", "-o", exe, "./cmd/ganexp"], cwd=ROOT, check=True)
        def bench(proto):
            return [exe, "bench", "--format", "json", "--steps", str(a.steps), "--protocol", proto]

        def peer(proto):
            if proto == "mnist-dcgan":
                return [sys.executable, os.path.join(HERE, "torch_dcgan.py"), "--steps", str(max(10, a.steps // 100))]
            return torch + ["--steps", str(a.steps), "--protocol", proto]

        # name: (command, environment), one run per protocol
        runs = {}
        for proto in protocols:
            runs[("ganexp", proto)] = (bench(proto), base)
            runs[("pytorch", proto)] = (peer(proto), peer_env(base, best))
        pairs = [("ganexp", "pytorch")]
        if has512 and not a.no_avx2:
            for proto in protocols:
                runs[("ganexp avx2", proto)] = (bench(proto), dict(base, GANEXP_KERNEL="avx2"))
                runs[("pytorch Haswell", proto)] = (peer(proto), peer_env(base, "Haswell"))
            pairs.append(("ganexp avx2", "pytorch Haswell"))
        rates, kernels = {}, {}
        for r in range(a.rounds):
            # Every other round runs in the reverse order, so that a drift
            # within a round (a core's clock, the VM's neighbours) favours
            # neither side.
            order = list(runs.items())
            if r % 2:
                order.reverse()
            for (name, _), (cmd, env) in order:
                for rec in lines(cmd, env):
                    rates.setdefault((name, rec["protocol"]), []).append(rec["steps_per_s"])
                    kernels[name] = rec.get("blas_core") or rec.get("blas")
                    print(f"round {r + 1}: {name:16} {rec['protocol']:13} {rec['steps_per_s']:8.2f} steps/s "
                          f"({kernels[name]})", file=sys.stderr)

    print(f"| protocol | ganexp (kernel) | steps/s | PyTorch (OpenBLAS core) | steps/s | ratio |")
    print("|---|---|---|---|---|---|")
    for proto in protocols:
        for g, t in pairs:
            mg, mt = statistics.median(rates[(g, proto)]), statistics.median(rates[(t, proto)])
            print(f"| {proto} | {kernels[g]} | **{mg:.1f}** | {kernels[t]} | **{mt:.1f}** | **{mg / mt:.2f}×** |")
    print(f"\nmedians of {a.rounds} interleaved rounds, one thread each; every run:")
    for (name, proto), xs in sorted(rates.items()):
        print(f"- {proto} {name}: " + ", ".join(f"{x:.1f}" for x in xs))


if __name__ == "__main__":
    main()
