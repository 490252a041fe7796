#!/usr/bin/python3
"""Optuna's TPESampler on the test functions of bench/tpecompare.

The peer of `go run ./bench/tpecompare`: the same functions (Branin plus a
categorical offset, Hartmann-6 plus one, a log-scaled quadratic plus one),
the same budget, TPESampler(seed=s) with Optuna's defaults (10 start-up
trials, 24 candidates, univariate). Prints one JSON line per function with
the median and quartiles of the best value over the seeds.

    /usr/bin/python3 bench/optuna_tpe.py --trials 60 --seeds 20

Needs Debian's python3-optuna (3.1). Not part of CI.
"""
import argparse
import json
import math

import numpy as np
import optuna


def branin_cat(t):
    x1 = t.suggest_float("x1", -5, 10)
    x2 = t.suggest_float("x2", 0, 15)
    c = t.suggest_categorical("c", [0, 1, 2])
    b, cc = 5.1 / (4 * math.pi ** 2), 5 / math.pi
    return (x2 - b * x1 * x1 + cc * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10 + 5 * c


ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def hartmann6_cat(t):
    x = [t.suggest_float(f"x{j + 1}", 0, 1) for j in range(6)]
    c = t.suggest_categorical("c", [0, 1, 2])
    s = 0.0
    for i in range(4):
        s += ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6)))
    return -s + 0.5 * c


def logquad_cat(t):
    lr = t.suggest_float("lr", 1e-6, 1, log=True)
    c = t.suggest_categorical("c", [0, 1, 2, 3])
    return (math.log10(lr) + 3) ** 2 + 0.3 * c


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=60)
    p.add_argument("--seeds", type=int, default=20)
    a = p.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for name, f in [("branin+cat", branin_cat), ("hartmann6+cat", hartmann6_cat), ("logquad+cat", logquad_cat)]:
        bests = []
        for s in range(a.seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=s))
            study.optimize(f, n_trials=a.trials)
            bests.append(study.best_value)
        q1, med, q3 = np.percentile(bests, [25, 50, 75])
        print(json.dumps({"impl": "optuna " + optuna.__version__, "problem": name, "trials": a.trials,
                          "median_best": med, "q1": q1, "q3": q3, "bests": bests}))


if __name__ == "__main__":
    main()
