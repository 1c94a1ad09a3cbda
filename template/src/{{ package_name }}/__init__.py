"""A machine-learning project built stage by stage: data -> features -> model -> evaluation.

Start reading at config.py (what can be tuned), then paths.py (where each stage reads and
writes), then the stages in pipeline order: data/ingest.py, data/prepare.py, data/split.py,
data/featurize.py, models/train.py, evaluation/evaluate.py, evaluation/holdout.py.
"""
