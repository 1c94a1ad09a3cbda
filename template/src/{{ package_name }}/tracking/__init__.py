"""Experiment tracking: every run of the train stage tied to its code, data and config.

Read in this order:
    run.py       one run folder under runs/: start, record, checkpoint, close; the null run
    scalars.py   scalars and histograms, in the file as logged (< 1 us a step), kept on SIGKILL
    timing.py    timed sections: context manager and decorator, nested
    manifest.py  data hashes and environment (the git state is ../core/git.py)
    runs.py      reading runs back: list_runs, latest_run, read_manifest, read_scalars,
                 read_histograms, read_timings (the API for notebooks and the journal)
    plots.py     a picture of one run
The commands on top of it are ../commands/runs.py (`<package> runs ...`).
"""
