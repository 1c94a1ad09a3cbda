"""The doctor: the project's practices as checks, run months after it was generated.

Each check guards one practice that erodes as people work in a project (code committed
before a run, stage deps that cover the code, the test split looked at rarely, a journal
kept...). It has an id, a one-line name, a failure message that says what to do, and a
link to the docs page of the practice. The checks are a repo-review plugin
(pyproject.toml registers them), so both of these run them:

    uv run <package> doctor          # exit 0 when every check passes, 1 otherwise
    uv run repo-review .             # the same checks, with repo-review's own options

Start at ../commands/doctor.py; check.py says what a check is.
"""
