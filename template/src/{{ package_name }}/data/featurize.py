"""Stage 4, featurize: turn parsed columns into the model-ready matrix, fitted on train only.

Numeric columns: missing values are imputed with the train median, then standardised
with the train mean and standard deviation and clipped. Categorical columns are one-hot
encoded with the categories seen in train; a missing or unseen category is all zeros.
Every statistic comes from the train split alone: fitting on validation or test rows
would leak them into the model and flatter every later score (tests/test_featurize.py
checks that changing the test rows changes nothing that was fitted).

The fitted Featurizer is saved to models/featurizer.json, so serving applies exactly
the transformation the model was trained on.

Memory stays bounded as the data grows: `fit` sums the train rows chunk after chunk (a
median needs one whole column at a time), and the splits are featurized CHUNK_ROWS rows
at a time, each chunk read from and written to a memory-mapped .npy (core/io.py). Once
fitted, every row is featurized on its own, so the chunks may run anywhere: here, one
after the other (`featurize.engine: local`), or as tasks on a Dask cluster (`dask`),
which write the same bytes. Read next: ../models/interface.py.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from ..core.config import FeaturizeParams, Params
from ..core.errors import ConfigError
from ..core.io import copy_array, load_array, load_json, new_array, read_rows, save_json, write_rows
from ..core.paths import (
    CATEGORICAL_FILE,
    FEATURES_FILE,
    FEATURES_SPLITS,
    FEATURIZER,
    INTERIM_COLUMNS,
    NUMERIC_FILE,
    PROCESSED_SPLITS,
    SPLITS,
    TARGET_FILE,
)

log = logging.getLogger(__name__)

# Rows featurized at a time (one task of either engine): about CHUNK_ROWS x features x 8
# bytes x 3 of memory (the imputed, standardised and one-hot arrays of one chunk).
CHUNK_ROWS = 100_000
DASK_WORKERS = 2  # the local Dask cluster's worker processes, one thread each


@dataclass(frozen=True)
class Featurizer:
    """Everything learned from the train split; apply it with `transform`."""

    medians: list[float]  # per numeric column, for imputation
    means: list[float]  # per numeric column, after imputation
    scales: list[float]  # per numeric column: standard deviation, 1 where it is 0
    categories: list[list[int]]  # per categorical column: the codes seen in train
    clip: float
    feature_names: list[str]
    numeric_columns: list[str]  # the raw columns it was fitted on, in order
    vocabularies: dict[str, list[str]]  # category column -> the contract's categories then

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**data)


def fit(
    numeric: NDArray[np.float64],
    categorical: NDArray[np.int32],
    params: FeaturizeParams,
    column_names: tuple[list[str], list[str]],
    vocabularies: dict[str, list[str]],
    chunk_rows: int = CHUNK_ROWS,
) -> Featurizer:
    """Learn imputation, scaling and the one-hot vocabulary from the train rows given,
    reading them `chunk_rows` at a time (a memory-mapped array stays on disk)."""
    chunks = row_chunks(len(numeric), chunk_rows)
    # the median of each column's present values; 0 for a column empty in train
    medians = np.array(
        [np.median(c[~np.isnan(c)]) if (~np.isnan(c)).any() else 0.0 for c in numeric.T]
    )

    def imputed(start: int, stop: int) -> NDArray[np.float64]:
        block = np.asarray(numeric[start:stop])
        return np.where(np.isnan(block), medians, block)

    # mean_j = sum_i x_ij / n, and scale_j = sqrt(sum_i (x_ij - mean_j)^2 / n), 1 where 0
    means = column_sums(imputed(*chunk) for chunk in chunks) / len(numeric)
    squares = column_sums(np.square(imputed(*chunk) - means) for chunk in chunks)
    scales = np.sqrt(squares / len(numeric))
    scales = np.where(scales > 0, scales, 1.0)
    numeric_names, categorical_names = column_names
    seen = [set[int]() for _ in categorical_names]
    for start, stop in chunks:
        for codes, column in zip(seen, np.asarray(categorical[start:stop]).T, strict=True):
            codes.update(int(c) for c in np.unique(column) if c >= 0)
    categories = [sorted(codes) for codes in seen]
    feature_names = list(numeric_names) + [
        f"{name}={vocabularies[name][code]}"
        for name, codes in zip(categorical_names, categories, strict=True)
        for code in codes
    ]
    return Featurizer(
        medians=medians.tolist(),
        means=means.tolist(),
        scales=scales.tolist(),
        categories=categories,
        clip=params.clip,
        feature_names=feature_names,
        numeric_columns=list(numeric_names),
        vocabularies={name: list(vocabularies[name]) for name in categorical_names},
    )


def transform(
    featurizer: Featurizer, numeric: NDArray[np.float64], categorical: NDArray[np.int32]
) -> NDArray[np.float64]:
    """Apply a fitted Featurizer: (n, numeric + categorical columns) -> (n, features)."""
    imputed = np.where(np.isnan(numeric), featurizer.medians, numeric)
    # z = clip((x - mean) / scale, -clip, clip), clipped by minimum and maximum: the same
    # numbers as np.clip, whose own cost per call is several times theirs
    z = (imputed - featurizer.means) / featurizer.scales
    standardised = np.minimum(np.maximum(z, -featurizer.clip), featurizer.clip)
    # one column per (categorical column, category seen in train): 1 where the row has it,
    # all of them in one comparison (a one-row request pays numpy's cost per call, not per row)
    columns = [j for j, codes in enumerate(featurizer.categories) for _ in codes]
    codes = [code for codes in featurizer.categories for code in codes]
    one_hot = categorical[:, columns] == np.array(codes, dtype=categorical.dtype)
    return np.concatenate([standardised, one_hot], axis=1)  # the booleans as 1.0 and 0.0


def column_sums(blocks: Iterator[NDArray[np.float64]]) -> NDArray[np.float64]:
    """The sum of each column over the rows of all blocks, added row after row as numpy's
    `sum(axis=0)` adds them: the same bits as one sum over all the rows at once."""
    total: NDArray[np.float64] | None = None
    for block in blocks:
        total = block.sum(axis=0) if total is None else np.vstack([total, block]).sum(axis=0)
    assert total is not None, "fit needs at least one train row"
    return total


def row_chunks(n_rows: int, chunk_rows: int) -> list[tuple[int, int]]:
    """[start, stop) of each chunk of `chunk_rows` rows (the last one shorter)."""
    return [(start, min(start + chunk_rows, n_rows)) for start in range(0, n_rows, chunk_rows)]


def transform_rows(
    featurizer: Featurizer, source: Path, target: Path, start: int, stop: int
) -> None:
    """One task of either engine: featurize rows [start, stop) of the split in the folder
    `source` into the same rows of the features file `target`."""
    numeric = read_rows(source / NUMERIC_FILE, start, stop)
    categorical = read_rows(source / CATEGORICAL_FILE, start, stop)
    write_rows(target, start, transform(featurizer, numeric, categorical))


# transform_rows's arguments; an engine runs a list of them, in any order, until all are done
Task = tuple[Featurizer, Path, Path, int, int]
Engine = Callable[[list[Task]], None]


def run(params: Params, root: Path) -> None:
    """Fit on data/processed/train, then write data/features/<split>/ for every split."""
    root = root.absolute()  # the tasks name files: a Dask worker may run in another folder
    columns = load_json(root / INTERIM_COLUMNS)
    train = root / PROCESSED_SPLITS["train"]
    with engine(params.featurize) as run_tasks:  # first: a missing engine stops it here
        featurizer = fit(
            load_array(train / NUMERIC_FILE),
            load_array(train / CATEGORICAL_FILE),
            params.featurize,
            column_names=(columns["numeric"]["columns"], columns["categorical"]["columns"]),
            vocabularies=columns["categorical"]["vocabularies"],
            chunk_rows=CHUNK_ROWS,
        )
        save_json(root / FEATURIZER, featurizer.to_dict())
        for split in SPLITS:
            source = root / PROCESSED_SPLITS[split]
            folder = root / FEATURES_SPLITS[split]
            n_rows = len(load_array(source / TARGET_FILE))
            shape = (n_rows, len(featurizer.feature_names))
            with new_array(folder / FEATURES_FILE, shape, np.float64) as target:
                chunks = row_chunks(n_rows, CHUNK_ROWS)
                run_tasks([(featurizer, source, target, start, stop) for start, stop in chunks])
            copy_array(source / TARGET_FILE, folder / TARGET_FILE)
            log.info("%s: %d rows x %d features", split, *shape)


@contextmanager
def engine(params: FeaturizeParams) -> Iterator[Engine]:
    """Where the chunks are featurized: one after the other in this process (`local`), or
    as tasks on a Dask cluster (`dask`): the one at `dask_scheduler`, or, when that is
    empty, a local cluster of DASK_WORKERS processes started here and stopped after."""
    if params.engine == "local":

        def one_after_the_other(tasks: list[Task]) -> None:
            for task in tasks:
                transform_rows(*task)

        yield one_after_the_other
        return
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as error:  # the optional group is not installed
        if error.name not in ("dask", "distributed"):
            raise
        raise ConfigError(
            "featurize.engine: dask needs the dask group: run `uv sync --group dask`, "
            "or set featurize.engine: local"
        ) from None
    logging.getLogger("distributed").setLevel(logging.WARNING)  # a line per worker event
    with ExitStack() as stack:
        address = params.dask_scheduler or stack.enter_context(
            LocalCluster(n_workers=DASK_WORKERS, threads_per_worker=1, dashboard_address=None)
        )
        try:
            client = stack.enter_context(Client(address))
        except OSError as error:  # no scheduler answers at that address
            raise ConfigError(
                f"featurize.dask_scheduler: cannot connect to {params.dask_scheduler!r} "
                f"({error}); give a running scheduler's address, or '' for a local cluster"
            ) from None
        log.info("featurize on Dask: %s", client)

        def on_the_cluster(tasks: list[Task]) -> None:
            dask.compute(*[dask.delayed(transform_rows)(*task) for task in tasks], scheduler=client)

        yield on_the_cluster
