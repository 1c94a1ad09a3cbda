"""Evaluation: the test split stays an honest estimate, and the model earns its keep.

A test score is an estimate of the future only while nothing was chosen by looking at
it: the test stage alone may read the test split, and each look is a line of the ledger
(reports/test_ledger.jsonl); past doctor.max_test_looks, the score is optimistic. A
model that saves less money than a baseline (offer everyone, a logistic regression)
should not be the one deployed, however good its loss.

Read next: experiments.py.
"""

from ..core.paths import FEATURES_TEST, PACKAGE, TEST_LEDGER, VALIDATION_REPORT
from ..pipeline import StageName
from .check import EVALUATION, PASS, Verdict, check, fail, listing
from .project import NotAvailableError, Project
from .wiring import DVC_YAML, overlaps


@check("EV001", "Only the test stage reads the test split", EVALUATION, "evaluation.md", True)
def test_split_isolated(project: Project) -> Verdict:
    readers = [
        name
        for name, stage in project.stages.items()
        if name != StageName.TEST and any(overlaps(dep, FEATURES_TEST) for dep in stage.deps)
    ]
    if readers:
        return fail(
            f"stages other than `test` depend on {FEATURES_TEST.as_posix()} in {DVC_YAML}: "
            f"{listing(readers)}. Choose on validation; a test score you tuned against "
            "estimates nothing"
        )
    return PASS


@check(
    "EV002",
    "The test split was looked at no more than doctor.max_test_looks times",
    EVALUATION,
    "evaluation.md",
)
def few_test_looks(project: Project) -> Verdict:
    path = project.root / TEST_LEDGER
    if not path.is_file():
        raise NotAvailableError(f"no {TEST_LEDGER.as_posix()}: the test stage has not run yet")
    looks = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    limit = project.settings.max_test_looks
    if looks > limit:
        return fail(
            f"the test split was scored {looks} times (doctor.max_test_looks: {limit}); "
            "its score is optimistic now. Make every choice on validation, and when the "
            "test figure must be trusted again, score a test split nobody has seen"
        )
    return PASS


@check(
    "EV003", "The latest model saves more money than every baseline", EVALUATION, "evaluation.md"
)
def beats_baselines(project: Project) -> Verdict:
    from ..evaluation.evaluate import MONEY

    report = project.read_json(VALIDATION_REPORT)
    try:
        model = float(report[MONEY])
        baselines = {name: float(row[MONEY]) for name, row in report["baselines"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise NotAvailableError(
            f"{VALIDATION_REPORT.as_posix()} lacks {MONEY} for the model and baselines"
        ) from None
    better = [f"{name} ({money:,.0f})" for name, money in baselines.items() if money >= model]
    if better:
        return fail(
            f"on validation the model saves {model:,.0f} per 1,000 customers, and baselines "
            f"save as much or more: {listing(better)}. Improve the model or deploy the "
            f"baseline; `uv run {PACKAGE} evaluate compare` tells real gains from noise"
        )
    return PASS
