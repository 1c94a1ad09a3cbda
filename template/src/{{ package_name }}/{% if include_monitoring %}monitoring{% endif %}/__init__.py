"""Production monitoring: serve the model, log what it sees and says, and watch it.

predictor.py wraps the featurizer, model and frozen threshold for serving; logger.py
writes sampled predictions as JSON lines; reference.py (a DVC stage) stores the training
distributions; drift.py and efficiency.py read the log; shadow.py runs a candidate model
beside the current one. cli.py is `<package> predict` and `<package> monitor ...`.

Read first: predictor.py.
"""
