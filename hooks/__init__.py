"""Scripts that Copier's tasks and migrations run; each is importable and tested."""
