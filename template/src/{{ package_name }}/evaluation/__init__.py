"""Scoring the model in money and in standard metrics, and comparing models fairly.

money.py holds the criterion (money saved against doing nothing) and metrics.py the
standard metrics; evaluate.py scores validation and chooses the threshold; holdout.py
scores the test split at that threshold; compare.py and cli.py compare configurations
over several seeds. Only holdout.py, the `test` stage, ever reads the test split.
Start with money.py.
"""
