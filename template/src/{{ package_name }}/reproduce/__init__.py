"""Reproduce a recorded run and prove it: train it again from its record alone, compare.

    uv run <package> runs reproduce 20260128-1425

A run records its commit, its uncommitted diff, the hashes of the data it read, its
params and its environment (../tracking/). Here that record is put back together in a
temporary git worktree, the train stage runs there again, and the result is compared
with the recorded run: the final weights, the final metrics and every curve step by step.
DVC's `exp apply` restores files but checks nothing; this checks.

Read in this order:
    worktree.py  a temporary git worktree at the run's commit, with its diff applied
    inputs.py    the data the run read, by hash: the workspace, the DVC cache or remote
    verdicts.py  recorded against reproduced: weights, metrics, curves, histograms
    retrain.py   the whole: versions, worktree, data, params, train again, verdicts
The command is in ../commands/runs.py (`runs reproduce`).
"""
