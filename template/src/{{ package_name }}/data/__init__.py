"""The data: its contract, its one reader, and the stages ingest -> prepare -> split -> featurize.

schema.py models data/schema.yaml, the contract every row is read by; reader.py reads a
CSV or Parquet file by it, for training and serving alike; adopt.py writes a contract for
a new file. Each stage module has the same shape: pure functions of arrays and typed
params, and a `run(params, root)` entry point that reads its inputs, calls them and writes
its outputs atomically (core/io.py). ingest.py, the example data set's generator, is
there only while the example is the source. Start with schema.py.
"""
