"""The core: configuration, paths, file I/O, errors, git and the console.

Every other package builds on these modules, and they import nothing else of the project,
so they can be read, tested and reused on their own. The layers above, lowest first:
data and tracking, models, evaluation, monitoring and the journal, the pipeline, and the
commands on top (import-linter checks the order: `uv run lint-imports`).

Read next: config.py.
"""
