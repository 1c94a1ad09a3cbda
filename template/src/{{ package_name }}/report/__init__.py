"""The report: one static HTML site of runs and evaluations, readable offline from disk.

    uv run <package> report        # writes reports/site/index.html; open it in a browser

Everything the project already records, in one place a person reads: the runs (curves,
per-sample loss histograms, norms, timings), each evaluation (money by threshold, the
baselines, calibration), `evaluate compare` tables, the test ledger, the latest
monitoring reports and a model card. No script, style or figure comes from the network:
styles are inline and figures are PNG files beside the pages, drawn with matplotlib's
Agg canvas, so the site works from disk, in CI artifacts and on an air-gapped machine.

Read in this order:
    records.py   what the project recorded, read back (runs, evaluations, ledger, ...)
    figures.py   the figures, as PNG files
    markup.py    HTML: escaping, tables, the page around a body
    pages.py     one function per page
    site.py      the whole site, written so a failed build leaves the last one in place
The command is ../commands/report.py.
"""
