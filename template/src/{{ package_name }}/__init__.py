"""A machine-learning project built in layers, each importing only the layers below it:

    commands/     the command line: the one place that talks to the terminal
    doctor/       the practices audit: checks that read the layers below
    pipeline.py   the stages by name, in order (dvc.yaml runs them)
    report/       the HTML report of everything the project records
    monitoring/   serving and watching the model      journal.py   the project journal
                                                      reproduce/   a run trained again, compared
    evaluation/   money, metrics, baselines, comparisons
    models/       the model interface, the model, its training loop
    data/         the data stages                     tracking/    experiment runs
    core/         configuration, paths, file I/O, errors, git, console

`uv run lint-imports` checks the order (pyproject.toml, [tool.importlinter]).
Start reading at commands/__init__.py, the command line; each module's docstring says
which to read next.
"""
