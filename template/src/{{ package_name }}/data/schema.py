"""The columns of the raw CSV: the contract between ingest and everything downstream.

Replacing the example data with your own means changing ingest.py to write your export
to data/raw/ and listing its columns here; prepare, split, featurize and the model
follow these lists and need no change.

Read next: prepare.py.
"""

from typing import Final

ID_COLUMN: Final = "customer_id"
NUMERIC_COLUMNS: Final = ("tenure_months", "monthly_charges", "support_calls")
CATEGORICAL_COLUMNS: Final = ("contract", "payment_method", "internet_service")
TARGET_COLUMN: Final = "churned"
COLUMNS: Final = (ID_COLUMN, *NUMERIC_COLUMNS, *CATEGORICAL_COLUMNS, TARGET_COLUMN)

# The category values the synthetic data set draws from.
CONTRACTS: Final = ("month_to_month", "one_year", "two_year")
PAYMENT_METHODS: Final = ("card", "bank_transfer", "electronic_check", "mailed_check")
INTERNET_SERVICES: Final = ("dsl", "fiber", "none")
