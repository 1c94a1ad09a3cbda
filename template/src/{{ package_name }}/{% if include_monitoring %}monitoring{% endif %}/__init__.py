"""Production monitoring: serve the model, log what it sees and says, and watch it.

predictor.py wraps the featurizer, model and frozen threshold for serving; logger.py
writes sampled predictions as JSON lines; reference.py (a DVC stage) stores the training
distributions; drift.py and efficiency.py read the log; shadow.py runs a candidate model
beside the current one; background.py takes the log's writes off the request path and
service.py is the HTTP service (`<package> serve`). ../commands/monitor.py is
`<package> predict`, `<package> serve` and `<package> monitor ...`.

Read first: predictor.py.
"""
