"""Typed configuration: every value of params.yaml, checked before any stage runs.

params.yaml is the one source of configuration; there are no defaults hidden in code.
Each stage reads one section, modelled below with its meaning and valid range. Loading
validates the whole file at once, so a typo stops the pipeline with one line naming the
key and what is valid (`train.learning_rate: must be > 0, got -1`) before a stage writes
anything. Command-line overrides (`--set train.epochs=5`) go through the same checks.

Read next: paths.py.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Self, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from .errors import ConfigError
from .paths import PARAMS_FILE


class Section(BaseModel):
    """A params.yaml section: immutable, strictly typed, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class IngestParams(Section):
    """The synthetic churn data set. Replace the ingest stage to use your own data."""

    seed: int = Field(ge=0)  # random seed; the same seed gives the same CSV, byte for byte
    n_rows: int = Field(ge=100, le=10_000_000)  # customers to generate
    missing_rate: float = Field(ge=0, lt=1)  # share of feature cells left empty
    label_noise: float = Field(ge=0, le=0.5)  # share of labels flipped at random


class SplitParams(Section):
    """How rows are divided; the split is stratified by the target."""

    seed: int = Field(ge=0)
    validation_fraction: float = Field(gt=0, lt=1)  # share of rows for model selection
    test_fraction: float = Field(gt=0, lt=1)  # share of rows scored once, by the test stage

    @model_validator(mode="after")
    def _leave_rows_to_train(self) -> Self:
        if self.validation_fraction + self.test_fraction >= 0.9:
            total = self.validation_fraction + self.test_fraction
            raise ValueError(f"validation_fraction + test_fraction must be < 0.9, got {total:g}")
        return self


class FeaturizeParams(Section):
    """Imputation, scaling and one-hot encoding, all fitted on the train split only."""

    clip: float = Field(gt=0)  # standardised values are clipped to [-clip, clip]


class TrainParams(Section):
    """The model (a small MLP, or logistic regression) and its mini-batch SGD."""

    seed: int = Field(ge=0)  # seeds initialisation and batch order
    hidden_units: int = Field(ge=0, le=4096)  # width of the hidden layer; 0 = logistic regression
    learning_rate: float = Field(gt=0, le=10)  # SGD step size
    momentum: float = Field(ge=0, lt=1)  # heavy-ball momentum; 0 = plain SGD
    l2: float = Field(ge=0)  # weight decay, applied to weights, not biases
    batch_size: int = Field(ge=1)  # rows per gradient step
    epochs: int = Field(ge=1, le=10_000)  # passes over the train split


class EvaluateParams(Section):
    """How models are scored. The decision threshold is not set here: the evaluate stage
    chooses it on validation to maximise money saved (see `outcome`) and freezes it."""

    seed: int = Field(ge=0)  # seeds the bootstrap resamples
    bootstrap_samples: int = Field(ge=100, le=100_000)  # resamples per confidence interval
    confidence: float = Field(ge=0.5, lt=1)  # coverage of the intervals, e.g. 0.95
    calibration_bins: int = Field(ge=2, le=100)  # equal-width bins of the calibration plot
    baseline_c: float = Field(gt=0)  # inverse L2 strength of the logistic regression baseline


class OutcomeParams(Section):
    """What a decision is worth, in money: the criterion models are chosen by.

    Offering the retention offer costs offer_cost; a churner who accepts it stays, keeping
    customer_value. evaluation/money.py has the formula; change both to fit your problem.
    """

    offer_cost: float = Field(ge=0)  # cost of one offer, paid whether or not it is needed
    customer_value: float = Field(gt=0)  # value of keeping a customer who would have churned
    acceptance_rate: float = Field(gt=0, le=1)  # chance that a churner who gets the offer stays


class TrackingParams(Section):
    """What the train stage records in its run under runs/ (tracking/run.py)."""

    # Unused since 0.3.0: every step reaches the file as it is logged (tracking/scalars.py).
    # Still accepted, so params.yaml files that kept the line and older runs' params load.
    flush_every: int | None = Field(default=None, ge=1, exclude=True)
    histogram_every: int = Field(ge=1)  # steps between per-sample loss histograms and norms
    histogram_bins: int = Field(ge=2, le=1000)  # bins of each histogram
    checkpoint_every: int = Field(ge=0)  # epochs between checkpoints; 0 = none until the end


class MonitoringParams(Section):
    """Production monitoring: how predictions are sampled into the log, and when drift
    alarms fire. monitoring/ reads it; docs: "Production monitoring"."""

    sampling: Literal["rate", "reservoir", "uncertainty"]  # which predictions are logged
    sample_rate: float = Field(gt=0, le=1)  # rate: share of predictions logged at random
    reservoir_size: int = Field(ge=1)  # reservoir: predictions kept per day, uniformly
    uncertainty_margin: float = Field(gt=0, le=1)  # uncertainty: log |p - threshold| < this
    log_fields: list[str]  # the only input columns written to the log (the allow-list)
    max_log_megabytes: float = Field(gt=0)  # a log file is rotated past this size (and daily)
    reference_sample: int = Field(ge=100)  # training rows kept for the KS tests
    window_minutes: float = Field(gt=0)  # width of the time windows for rates and latency
    min_rows: int = Field(ge=10)  # fewer logged rows than this: no test is run
    psi_alarm: float = Field(gt=0)  # a feature or the output drifts when PSI exceeds this
    p_value_alarm: float = Field(gt=0, lt=1)  # ... or a test's p < this / number of tests
    positive_rate_tolerance: float = Field(gt=0, lt=1)  # |window rate - reference rate| limit


class Params(Section):
    """The whole of params.yaml: one section per stage that has tunable values."""

    ingest: IngestParams
    split: SplitParams
    featurize: FeaturizeParams
    train: TrainParams
    evaluate: EvaluateParams
    outcome: OutcomeParams
    tracking: TrackingParams
    monitoring: MonitoringParams | None = None  # present only in projects with monitoring


def load_params(path: Path = PARAMS_FILE, overrides: Sequence[str] = ()) -> Params:
    """Read, override and validate params.yaml; raise ConfigError naming the first bad key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found; run from the project root") from None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{path}: not valid YAML{line}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: must be a mapping of stage names to sections")
    for override in overrides:
        _apply_override(raw, override)
    try:
        return Params.model_validate(raw)
    except ValidationError as error:
        raise ConfigError("\n".join(_describe(e) for e in error.errors())) from None


def _apply_override(raw: dict[str, Any], override: str) -> None:
    """Set `section.key=value` in `raw`; the value is parsed as YAML (5 -> int, 0.1 -> float)."""
    key, sep, text = override.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(parts):
        raise ConfigError(f"--set {override!r}: must look like section.key=value")
    node = raw
    for depth, part in enumerate(parts[:-1]):
        child = node.get(part)
        if not isinstance(child, dict):
            known = ", ".join(sorted(node)) or "none"
            where = ".".join(parts[: depth + 1])
            raise ConfigError(f"--set {override!r}: {where} is not a section; sections: {known}")
        node = child
    try:
        node[parts[-1]] = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ConfigError(f"--set {override!r}: the value is not valid YAML") from None


# What each pydantic error type means, said the way params.yaml users think of it.
_EXPECTATIONS = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than": "must be < {lt}",
    "less_than_equal": "must be <= {le}",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "model_type": "must be a section (a mapping of keys to values)",
    "literal_error": "must be one of {expected}",
}


def _describe(error: ErrorDetails) -> str:
    """One line: the dotted key path, what is expected, and what was found."""
    location = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"{location}: is missing"
    if kind == "extra_forbidden":
        valid = ", ".join(_fields_at(error["loc"][:-1]))
        return f"{location}: is not a known key; valid keys here: {valid}"
    template = _EXPECTATIONS.get(kind)
    if template is None:  # a model validator's own message is already a sentence
        message = error["msg"].removeprefix("Value error, ")
        return f"{location}: {message}"
    # pydantic stores bounds as the field's type (0.0); show them as written (0)
    bounds = {k: f"{v:g}" if isinstance(v, float) else v for k, v in error.get("ctx", {}).items()}
    expectation = template.format(**bounds)
    return f"{location}: {expectation}, got {error['input']!r}"


def _fields_at(location: Sequence[int | str]) -> list[str]:
    """The valid key names of the section at `location` (the top level for an empty one)."""
    model: type[BaseModel] = Params
    for part in location:
        annotation = model.model_fields[str(part)].annotation
        # an optional section (`X | None`) is described by X
        annotation = next((a for a in get_args(annotation) if a is not type(None)), annotation)
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            break  # an unknown key inside a value, not a section: report the section's keys
        model = annotation
    return list(model.model_fields)


def as_dict(params: Params) -> Mapping[str, Any]:
    """The params as plain data, for records that must describe the run that made them."""
    return params.model_dump(mode="json")
