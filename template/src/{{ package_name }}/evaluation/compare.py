"""Compare configurations fairly: several seeds each, intervals, paired tests, baselines' rule.

For each configuration (a set of train.* overrides) and each of K seeds, a model is
trained in-process on the cached train features (`run_config`), or taken from runs
already recorded under runs/ (`configs_from_runs`: runs whose train params differ only
in the seed form one configuration). Each model's threshold is chosen on validation and
its money saved per validation row recorded. Then:

- per configuration: mean over seeds of money saved per 1,000 customers, the spread over
  seeds, and a 95% interval from a bootstrap over both seeds and rows;
- per pair: the difference in money saved, paired on the same validation rows (the same
  resampled rows for both), its interval and bootstrap p-value; the standardised effect
  dz = mean(d) / sd(d) of the per-row differences; McNemar's exact test on the rows where
  exactly one configuration decides right (majority decision over seeds; "right" means
  offering exactly to the rows where an offer gains money); Holm's correction of both
  families of p-values when there is more than one pair.

All configurations are scored on the same rows at a threshold chosen on those rows, so
each figure is a little optimistic, and equally so. The test split is never read.

Read next: ../journal.py.
"""

import itertools
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.config import OutcomeParams, load_params
from ..core.errors import ConfigError
from ..core.paths import FEATURES_TRAIN, FEATURES_VALIDATION
from ..core.types import Array
from ..models.registry import load_model, trained
from ..tracking.runs import RunInfo, find_run
from .evaluate import MONEY, load_split
from .money import PER_CUSTOMERS, choose_threshold, percentile_interval, savings_per_row
from .statistics import bootstrap_p_value, holm, mcnemar_exact, seed_and_row_bootstrap


@dataclass(frozen=True)
class ConfigRun:
    """One configuration trained with K seeds and scored on the validation rows."""

    name: str  # the overrides as given, e.g. "train.hidden_units=0"
    seeds: list[int]
    thresholds: list[float]  # chosen on validation, per seed
    savings: Array  # (K, n): money saved by each row, per seed
    right: NDArray[np.bool_]  # (n,): whether the seeds' majority decision is right per row


def parse_config(text: str) -> list[str]:
    """`train.a=1 train.b=2` -> the overrides; only train.* keys may differ, because the
    features are the cached ones and the criterion must be the same for every config."""
    overrides = shlex.split(text)
    for override in overrides:
        key = override.partition("=")[0].strip()
        if not key.startswith("train.") or key == "train.seed":
            raise ConfigError(
                f"--config {text!r}: {key} cannot differ between configurations; only train.* "
                "keys other than train.seed can (seeds come from --seeds)"
            )
    return overrides


def run_config(name: str, n_seeds: int, root: Path, params_file: Path) -> ConfigRun:
    """Train `name`'s configuration with seeds train.seed, train.seed + 1, ... on the cached
    train features and score each model on the validation rows."""
    overrides = parse_config(name)
    base = load_params(params_file, overrides)  # fails before any training if invalid
    seeds = [base.train.seed + k for k in range(n_seeds)]
    train_features, train_target = load_split(root, FEATURES_TRAIN)
    features, y = load_split(root, FEATURES_VALIDATION)
    probabilities = []
    for seed in seeds:
        params = load_params(params_file, [*overrides, f"train.seed={seed}"])
        model = trained().fit(train_features, train_target, params.train).model
        probabilities.append(model.predict_proba(features))
    return scored(name, seeds, probabilities, y, base.outcome)


def scored(
    name: str, seeds: list[int], probabilities: list[Array], y: Array, outcome: OutcomeParams
) -> ConfigRun:
    """A configuration's seeds scored on the validation rows y: each seed's threshold
    chosen there (money.py), the money each row saves, and whether the seeds' majority
    decision (a tie offers) is right for each row: an offer where one gains, none where
    it loses."""
    thresholds = [choose_threshold(y, p, outcome) for p in probabilities]
    offers = [p >= t for p, t in zip(probabilities, thresholds, strict=True)]
    savings = np.array([savings_per_row(y, offer, outcome) for offer in offers])
    all_offered = savings_per_row(y, np.ones(len(y), dtype=np.bool_), outcome)
    majority = np.mean(offers, axis=0) >= 0.5
    return ConfigRun(name, seeds, thresholds, savings, majority == (all_offered > 0))


def configs_from_runs(run_ids: Sequence[str], root: Path, params_file: Path) -> list[ConfigRun]:
    """Score recorded runs' final models; runs that differ only in train.seed are one
    configuration, named by its train params that differ from params.yaml.

    The runs are scored on today's validation features: compare runs made on the same
    data (their manifests record its version).
    """
    base = load_params(params_file)
    groups: dict[str, list[RunInfo]] = {}
    for run_id in run_ids:
        run = find_run(root, run_id)
        if run.status != "finished":
            raise ConfigError(f"--run {run_id}: the run is {run.status}, not finished")
        train = {k: v for k, v in run.manifest["params"]["train"].items() if k != "seed"}
        differing = [
            f"train.{k}={v}" for k, v in sorted(train.items()) if getattr(base.train, k) != v
        ]
        groups.setdefault(" ".join(differing), []).append(run)
    features, y = load_split(root, FEATURES_VALIDATION)
    configs = []
    for name, runs in groups.items():
        seeds = [int(run.manifest["params"]["train"]["seed"]) for run in runs]
        models = [load_model(run.folder / "model.npz") for run in runs]
        probabilities = [model.predict_proba(features) for model in models]
        configs.append(scored(name, seeds, probabilities, y, base.outcome))
    return configs


@dataclass(frozen=True)
class ConfigSummary:
    """One configuration: money saved per 1,000 validation customers, over its seeds."""

    config: str  # the overrides, "" for params.yaml as it is
    seeds: list[int]
    thresholds: list[float]
    money_saved_per_1000: float  # mean over seeds
    seed_sd: float  # spread over seeds (0 with one seed)
    low: float  # the interval from the seed-and-row bootstrap
    high: float


@dataclass(frozen=True)
class PairComparison:
    """Two configurations on the same validation rows: first minus second."""

    first: str
    second: str
    difference: float  # money saved per 1,000, first - second
    low: float
    high: float
    effect_size_dz: float  # mean / sd of the per-row differences
    p_bootstrap: float
    p_bootstrap_holm: float
    mcnemar_b: int  # rows only the first decides right
    mcnemar_c: int  # rows only the second decides right
    p_mcnemar: float
    p_mcnemar_holm: float


@dataclass(frozen=True)
class Comparison:
    """Everything `evaluate compare` reports; `asdict` gives the JSON it writes."""

    criterion: str
    confidence: float
    configs: list[ConfigSummary]
    pairs: list[PairComparison]


def compare(
    runs: Sequence[ConfigRun], n_resamples: int, confidence: float, seed: int
) -> Comparison:
    """The per-configuration summaries and the pairwise comparisons."""
    rng = np.random.default_rng(seed)
    # the same resampled rows (one row seed) for every configuration: this pairs them
    estimates = {
        run.name: PER_CUSTOMERS * seed_and_row_bootstrap(run.savings, n_resamples, seed, rng)
        for run in runs
    }
    configs = []
    for run in runs:
        per_seed = PER_CUSTOMERS * run.savings.mean(axis=1)
        low, high = percentile_interval(estimates[run.name], confidence)
        configs.append(
            ConfigSummary(
                config=run.name,
                seeds=run.seeds,
                thresholds=run.thresholds,
                money_saved_per_1000=float(per_seed.mean()),
                seed_sd=float(per_seed.std(ddof=1)) if len(per_seed) > 1 else 0.0,
                low=low,
                high=high,
            )
        )
    pairs = list(itertools.combinations(runs, 2))
    raw: list[dict[str, Any]] = []
    for first, second in pairs:
        differences = estimates[first.name] - estimates[second.name]
        low, high = percentile_interval(differences, confidence)
        # per-row difference of the seed-averaged savings, for the standardised effect
        per_row = first.savings.mean(axis=0) - second.savings.mean(axis=0)
        spread = float(per_row.std(ddof=1))
        b = int(np.sum(first.right & ~second.right))
        c = int(np.sum(~first.right & second.right))
        raw.append(
            {
                "first": first.name,
                "second": second.name,
                "difference": float(PER_CUSTOMERS * per_row.mean()),
                "low": low,
                "high": high,
                "effect_size_dz": float(per_row.mean() / spread) if spread > 0 else 0.0,
                "p_bootstrap": bootstrap_p_value(differences),
                "mcnemar_b": b,
                "mcnemar_c": c,
                "p_mcnemar": mcnemar_exact(b, c),
            }
        )
    # Holm's correction over each family of p-values (one p-value per pair)
    bootstrap_holm = holm([pair["p_bootstrap"] for pair in raw])
    mcnemar_holm = holm([pair["p_mcnemar"] for pair in raw])
    return Comparison(
        criterion=MONEY,
        confidence=confidence,
        configs=configs,
        pairs=[
            PairComparison(**pair, p_bootstrap_holm=p_b, p_mcnemar_holm=p_m)
            for pair, p_b, p_m in zip(raw, bootstrap_holm, mcnemar_holm, strict=True)
        ],
    )
