"""Experiment tracking: every run of the train stage tied to its code, data and config.

Read in this order:
    scalars.py   scalars and histograms, in the file as logged (< 1 us a step), kept on SIGKILL
    timing.py    timed sections: context manager and decorator, nested
    manifest.py  git commit, dirty diff, data hashes, environment
    run.py       one run folder under runs/: start, record, checkpoint, close
    runs.py      reading runs back: list_runs, latest_run, read_manifest, read_scalars,
                 read_histograms, read_timings (the API for notebooks and the journal)
    cli.py       `<package> runs list|show|compare|plot|resume`
"""
