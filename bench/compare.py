#!/usr/bin/python3
"""Side-by-side training speed: ganexp (pure Go and OpenBLAS builds) and
PyTorch on the pinned protocols, one thread each, interleaved.

    /usr/bin/python3 bench/compare.py --rounds 5

Builds both ganexp binaries, then runs, in each round, the pure-Go build,
the OpenBLAS build and bench/torch_ring8.py one after the other, so that
machine noise hits all three alike. Prints the median steps/s of each and
the ratio to PyTorch's median. Needs Go, libopenblas-dev and Debian's
python3-torch. Not part of CI.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def build(out, tags):
    cmd = ["go", "build", "-o", out]
    if tags:
        cmd += ["-tags", tags]
    subprocess.run(cmd + ["./cmd/ganexp"], cwd=ROOT, check=True)


def lines(cmd, env):
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=300, help="timed steps of ring8-mlp; ring8-mlp512 runs a tenth")
    a = p.parse_args()
    env = dict(os.environ, GOMAXPROCS="1", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as tmp:
        gonum, openblas = os.path.join(tmp, "ganexp"), os.path.join(tmp, "ganexp-openblas")
        build(gonum, "")
        build(openblas, "openblas")
        runs = {
            "ganexp (pure Go)": [gonum, "bench", "--format", "json", "--steps", str(a.steps)],
            "ganexp (OpenBLAS)": [openblas, "bench", "--format", "json", "--steps", str(a.steps)],
            "pytorch": [sys.executable, os.path.join(HERE, "torch_ring8.py"), "--steps", str(a.steps)],
        }
        rates = {}
        for r in range(a.rounds):
            for name, cmd in runs.items():
                for rec in lines(cmd, env):
                    rates.setdefault((name, rec["protocol"]), []).append(rec["steps_per_s"])
                    print(f"round {r + 1}: {name:18} {rec['protocol']:13} {rec['steps_per_s']:8.2f} steps/s", file=sys.stderr)
    print(f"| protocol | implementation | median steps/s (of {a.rounds}) | runs | ratio to PyTorch |")
    print("|---|---|---|---|---|")
    for proto in ("ring8-mlp", "ring8-mlp512"):
        base = statistics.median(rates[("pytorch", proto)])
        for name in runs:
            xs = rates[(name, proto)]
            m = statistics.median(xs)
            spread = ", ".join(f"{x:.1f}" for x in xs)
            print(f"| {proto} | {name} | **{m:.1f}** | {spread} | {m / base:.2f}× |")


if __name__ == "__main__":
    main()
