"""The records the extractor produces: a figure, per the contract in docs/figures.md."""
from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field, fields
from datetime import date
from typing import NamedTuple

KINDS = ("count", "amount", "rate", "change", "duration", "ratio", "rank", "measure")
APPROX = ("exact", "over", "under", "about")
DIRECTIONS = ("up", "down")


@dataclass
class Quantity:
    """A number found in the text, before its context is read: what, how much, in which unit."""

    surface: str
    char_start: int
    char_end: int
    value: float
    unit: str
    kind: str
    approx: str = "exact"
    value_max: float | None = None
    direction: str | None = None
    baseline: str | None = None
    precision: int = 0
    rule: str = ""
    # Bounds where an approximation word makes them known (670余万元: 6,700,000–6,800,000).
    value_low: float | None = None
    value_high: float | None = None
    # For a table cell: the row label and column header the number sits under (the metric lies there, not
    # in the words before the number).
    label_hint: str | None = None
    period_hint: str | None = None


class Unread(NamedTuple):
    """A number seen where a figure would stand but not read with certainty, so left out."""

    char_start: int
    char_end: int
    surface: str
    reason: str
    rule: str = "unreadable_numeral"  # the rejection rule that left it out (rejections.py)


class Rejected(NamedTuple):
    """A candidate number that is no figure (a date, an ordinal, a code ...), and the rule that said so."""

    char_start: int
    char_end: int
    surface: str
    rule: str  # a name in rejections.REJECTIONS


@dataclass
class Context:
    """What a quantity is about: its metric, organization and period."""

    metric: str | None = None
    org: str | None = None
    period_text: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    period_type: str | None = None
    rule: str = ""  # the strategies that set org and period: "org:<rule> period:<rule>"


# Slots: a figure has more fields than an instance dict shares keys for (30), so each figure's dict would be its
# own (about 1.3 KB); slots hold them in a fixed array.
@dataclass(slots=True)
class Figure:
    """One row of the figures table (without doc_id, which the pipeline adds)."""

    figure_id: str
    surface: str
    char_start: int
    char_end: int
    value: float
    value_max: float | None
    unit: str
    kind: str
    approx: str
    direction: str | None
    metric: str | None
    org: str | None
    period_text: str | None
    period_start: date | None = None
    period_end: date | None = None
    period_type: str | None = None
    baseline: str | None = None
    precision: int = 0
    value_low: float | None = None
    value_high: float | None = None
    # The sentence is stored once, in the sentences table: a copy per figure is the sentence's length times its
    # figures (a flattened statistics page: one 478,000-character sentence of 43,479 figures, 42 GB).
    sentence_index: int | None = None
    rule: str = ""
    context_rule: str = ""
    # For a table cell: the table's number in the document, the cell's row and value column, and the labels.
    table_index: int | None = None
    table_row: int | None = None
    table_column: int | None = None
    row_label: str | None = None
    column_header: str | None = None
    sum_of_parts: float | None = None  # for a table's total cell: the sum of the cells it totals

    def as_row(self) -> dict:
        """The figure as a table row, in field order; every field is a scalar (asdict deep-copies)."""
        return dict(zip(_FIGURE_FIELDS, _figure_values(self), strict=True))


_FIGURE_FIELDS = tuple(f.name for f in fields(Figure))
_figure_values = operator.attrgetter(*_FIGURE_FIELDS)


def figure_id_for(doc_id: str, char_start: int, char_end: int, unit: str) -> str:
    """Stable id: the same figure of the same document gets the same id on every run."""
    return hashlib.sha1(f"{doc_id}:{char_start}:{char_end}:{unit}".encode()).hexdigest()[:16]


@dataclass
class DocContext:
    """What the extractor knows about the whole document besides its text."""

    doc_id: str = ""
    title: str | None = None
    published: date | None = None
    source_name: str = ""
    extra: dict = field(default_factory=dict)
