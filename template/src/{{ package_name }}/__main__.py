"""`python -m <package>` is the same command line as `<package>`."""

from .commands import app

app()
