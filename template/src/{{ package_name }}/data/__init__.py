"""The data stages, in pipeline order: ingest -> prepare -> split -> featurize.

Each stage module has the same shape: pure functions of arrays and typed params, and a
`run(params, root)` entry point that reads its inputs, calls them and writes its outputs
atomically (io.py). Start with ingest.py.
"""
