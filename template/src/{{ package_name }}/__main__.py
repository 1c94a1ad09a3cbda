"""`python -m <package>` is the same command line as `<package>`."""

from .cli import app

app()
