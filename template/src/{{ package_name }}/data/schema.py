"""The data contract: what one row of the raw data is, declared once in data/schema.yaml.

The contract names the source file (CSV or Parquet, its encoding and the cells that mean
"missing"), the id column (optional: rows are numbered when there is none), the target
column with its positive value, and for every other column its type, allowed range or
categories, and whether it may be empty:

- number, integer: a finite number (integer: a whole one), within min and max if given;
- boolean: true/false, yes/no, t/f, y/n or 1/0 (any case), used as 1 or 0;
- category: one of the listed categories, exactly as written;
- text: read and ignored (free text, identifiers): not a feature.

Every stage that reads rows, and serving, read them through reader.py with this
contract, so training and serving accept and refuse the same rows. `<package> data adopt`
writes the contract from a file (adopt.py); the example's churn contract is one instance.
A bad contract stops with one line per problem, like params.yaml (core/config.py).

Read next: reader.py.
"""

from pathlib import Path
from typing import Final, Literal, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from ..core.config import describe_errors, read_mapping
from ..core.errors import ConfigError
from ..core.paths import PACKAGE, SCHEMA

ColumnType = Literal["number", "integer", "boolean", "category", "text"]
NUMERIC_TYPES: Final = ("number", "integer", "boolean")  # the model sees these as numbers
# The cells a boolean column accepts, compared in lower case.
TRUE_WORDS: Final = ("true", "t", "yes", "y", "1")
FALSE_WORDS: Final = ("false", "f", "no", "n", "0")


class Part(BaseModel):
    """A part of the contract: immutable, strictly typed, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Source(Part):
    """Where the raw rows are, and how to read them."""

    path: str  # relative to the project root, or absolute (an export that stays outside it)
    format: Literal["csv", "parquet"]
    encoding: str = "utf-8"  # CSV only: any encoding Python knows (utf-8, latin-1, cp1252...)
    delimiter: str = ","  # CSV only: one character
    missing_values: list[str] = [""]  # cells that mean "no value" (as well as Parquet nulls)

    @model_validator(mode="after")
    def _one_character_delimiter(self) -> Self:
        if len(self.delimiter) != 1:
            raise ValueError(f"delimiter must be one character, got {self.delimiter!r}")
        return self

    def resolve(self, root: Path) -> Path:
        """The file itself: `path` joined onto the project root unless it is absolute."""
        return root / self.path


class Column(Part):
    """One column's rule: its type, range or categories, and whether it may be empty."""

    type: ColumnType
    min: float | None = None  # number, integer: smallest allowed value
    max: float | None = None  # number, integer: largest allowed value
    categories: list[str] | None = None  # category: every allowed value, as written
    missing: Literal["allowed", "refused"] = "allowed"  # an empty cell: imputed, or refused

    @model_validator(mode="after")
    def _rule_fits_the_type(self) -> Self:
        ranged = self.type in ("number", "integer")
        if not ranged and (self.min is not None or self.max is not None):
            raise ValueError(f"min and max are for number and integer columns, not {self.type}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min must be <= max, got {self.min:g} > {self.max:g}")
        if (self.type == "category") != (self.categories is not None):
            raise ValueError("categories must be given for a category column, and only then")
        if self.categories is not None and (
            not self.categories or len(set(self.categories)) != len(self.categories)
        ):
            raise ValueError("categories must be a non-empty list without repeats")
        return self


class Target(Part):
    """The column the model predicts, and which of its values is the positive class."""

    column: str
    positive: str  # the value the model gives the probability of (P(column = positive))
    negative: list[str]  # every other value the column holds

    @model_validator(mode="after")
    def _distinct_labels(self) -> Self:
        if not self.negative or self.positive in self.negative:
            raise ValueError("negative must list the other values, without the positive one")
        return self


class Schema(Part):
    """The whole of data/schema.yaml."""

    source: Source
    id: str | None = None  # the id column; None: rows are numbered from 1
    target: Target
    columns: dict[str, Column]  # every other column read, in file order

    @model_validator(mode="after")
    def _columns_are_distinct(self) -> Self:
        special = [name for name in (self.id, self.target.column) if name is not None]
        if len(set(special)) != len(special):
            raise ValueError("id and target.column must be different columns")
        listed = [name for name in special if name in self.columns]
        if listed:
            raise ValueError(f"columns must not list the id or target column: {listed[0]}")
        if not self.feature_columns:
            raise ValueError("columns must hold at least one column that is not text")
        return self

    @property
    def numeric_columns(self) -> list[str]:
        """Number, integer and boolean columns: the model's numeric block, in order."""
        return [name for name, c in self.columns.items() if c.type in NUMERIC_TYPES]

    @property
    def categorical_columns(self) -> list[str]:
        """Category columns: the model's one-hot block, in order."""
        return [name for name, c in self.columns.items() if c.type == "category"]

    @property
    def feature_columns(self) -> list[str]:
        """Every column the model uses: numeric then categorical."""
        return self.numeric_columns + self.categorical_columns

    @property
    def vocabularies(self) -> dict[str, list[str]]:
        """Each category column's categories: a category's code is its index here."""
        return {
            name: list(self.columns[name].categories or []) for name in self.categorical_columns
        }

    @property
    def read_columns(self) -> list[str]:
        """Every column the reader takes from the file: id, the columns, the target."""
        return [*([self.id] if self.id else []), *self.columns, self.target.column]

    @property
    def target_label(self) -> str:
        """How plots and reports name what the model predicts: `churned = 1`."""
        return f"{self.target.column} = {self.target.positive}"


def load_schema(root: Path) -> Schema:
    """Read and check data/schema.yaml under `root`; ConfigError names each bad key."""
    path = root / SCHEMA
    adopt = f"write it with `uv run {PACKAGE} data adopt PATH --target COLUMN`"
    raw = read_mapping(path, adopt, "keys")
    return parse_schema(raw, path)


def parse_schema(raw: dict[str, object], path: Path = SCHEMA) -> Schema:
    """A contract from its YAML data; ConfigError names each bad key."""
    try:
        return Schema.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(describe_errors(error, Schema, prefix=f"{path}: ")) from None
