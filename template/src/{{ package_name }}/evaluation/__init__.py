"""Scoring the model: metrics.py computes, evaluate.py scores validation, holdout.py test.

Only holdout.py, the `test` stage, ever reads the test split. Start with metrics.py.
"""
