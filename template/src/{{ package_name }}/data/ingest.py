"""Stage 1, ingest: make the raw data set, a customer-churn CSV as a real export arrives.

The example data is synthetic, so the whole pipeline runs offline from the first minute.
Each customer has a contract, a tenure, monthly charges, support calls, a payment method
and an internet service; churn is drawn from a logistic model of those, with two
interactions a straight line cannot draw (so a model that can bend has something to
find), then a share of labels is flipped (label noise) and a share of cells is emptied
(missing values).
The same seed gives the same file, byte for byte.

To use your own data, make `run` copy or download your export to paths.RAW_CSV and list
its columns in schema.py. Read next: schema.py.
"""

import csv
import io
import logging
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..core.config import IngestParams, Params
from ..core.console import progress_bar
from ..core.io import atomic_write
from ..core.paths import RAW_CSV
from . import schema

log = logging.getLogger(__name__)

ROWS_PER_CHUNK = 5_000


def make_churn_table(params: IngestParams) -> dict[str, NDArray[np.generic]]:
    """Draw the synthetic customers; categorical columns hold indices into schema's tuples."""
    rng = np.random.default_rng(params.seed)
    n = params.n_rows
    contract = rng.choice(len(schema.CONTRACTS), size=n, p=[0.55, 0.25, 0.20])
    internet = rng.choice(len(schema.INTERNET_SERVICES), size=n, p=[0.35, 0.45, 0.20])
    payment = rng.choice(len(schema.PAYMENT_METHODS), size=n, p=[0.3, 0.25, 0.3, 0.15])
    # Longer contracts go with longer tenure: mean 8, 26 or 44 months, capped at 72.
    tenure = np.minimum(rng.exponential(8.0 + 18.0 * contract), 72.0).round()
    # Fibre costs most, no internet least; charges vary around the plan's price.
    plan_price = np.array([55.0, 85.0, 25.0])[internet]
    monthly_charges = np.maximum(plan_price + rng.normal(0.0, 8.0, size=n), 18.0).round(2)
    support_calls = rng.poisson(1.0 + 1.0 * (internet == 1)).astype(np.float64)

    # logit P(churn) = b + w . x + interactions, with a readable effect per term
    logit = (
        -2.6
        + 1.1 * (contract == 0)
        - 0.9 * (contract == 2)
        - 0.05 * tenure
        + 0.03 * (monthly_charges - 60.0)
        + 0.45 * support_calls
        + 0.6 * (payment == 2)
        # Not linear in the columns, so a model that can bend beats a straight line:
        # fibre customers who keep calling support leave far more often, and
        # month-to-month customers are most at risk in their first months.
        + 2.5 * (internet == 1) * (support_calls >= 3)
        + 2.0 * (contract == 0) * (tenure < 6)
    )
    churn_probability = 1.0 / (1.0 + np.exp(-logit))
    churned = rng.random(n) < churn_probability
    flipped = rng.random(n) < params.label_noise
    churned = churned ^ flipped
    log.info("made %d customers, churn rate %.3f", n, churned.mean())

    return {
        "tenure_months": tenure,
        "monthly_charges": monthly_charges,
        "support_calls": support_calls,
        "contract": contract,
        "payment_method": payment,
        "internet_service": internet,
        "churned": churned.astype(np.int8),
        # Drawn last, so the missing-value mask never changes the values above.
        "missing": rng.random((n, 6)) < params.missing_rate,
    }


def write_csv(table: dict[str, NDArray[np.generic]], path: Path) -> None:
    """Write the table as the CSV an export system would deliver: text, empty cells missing."""
    categories = {
        "contract": schema.CONTRACTS,
        "payment_method": schema.PAYMENT_METHODS,
        "internet_service": schema.INTERNET_SERVICES,
    }
    feature_columns = (*schema.NUMERIC_COLUMNS, *schema.CATEGORICAL_COLUMNS)
    missing = table["missing"]
    n = len(table["churned"])
    with atomic_write(path) as handle, progress_bar() as bar:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(schema.COLUMNS)
        task = bar.add_task("ingest: writing rows", total=n)
        for start in range(0, n, ROWS_PER_CHUNK):
            for i in range(start, min(start + ROWS_PER_CHUNK, n)):
                cells: list[str] = [f"C{i:07d}"]
                for j, column in enumerate(feature_columns):
                    if missing[i, j]:
                        cells.append("")
                    elif column in categories:
                        cells.append(categories[column][int(table[column][i])])
                    else:
                        cells.append(f"{float(table[column][i]):g}")
                cells.append(str(int(table["churned"][i])))
                writer.writerow(cells)
            bar.advance(task, min(ROWS_PER_CHUNK, n - start))
        text.flush()
        text.detach()  # leave the binary handle open for atomic_write to sync and rename


def run(params: Params, root: Path) -> None:
    """Make the synthetic data set and write data/raw/churn.csv."""
    table = make_churn_table(params.ingest)
    write_csv(table, root / RAW_CSV)
    log.info("wrote %s", RAW_CSV)
