"""Compact batch rows: each row table of a batch (documents, sentences, tokens, figures) as one Arrow table.

A batch of 200 reports has hundreds of thousands of rows. As Python dicts they cost hundreds of MB, seconds of
Prefect parameter introspection and slow (un)pickling between processes, and they fragment the flow's heap; as
Arrow columns they cost tens of MB, are opaque to Prefect and pickle as flat buffers. ArrowRows still behaves
like a list of row dicts (len, iteration, truthiness) for code that does not care, and the warehouse inserts
its table directly.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc

# Tables whose rows are packed; errors and skipped names stay plain (few, read by other steps).
PACKED_TABLES = ("documents", "sentences", "tokens", "figures")


class ArrowRows:
    """Rows of one table as an Arrow table, readable as a sequence of dicts."""

    __slots__ = ("table",)

    def __init__(self, table: pa.Table):
        self.table = table

    @classmethod
    def from_rows(cls, rows: list[dict]) -> "ArrowRows":
        """Pack row dicts (all with the keys of the first row) column by column, much faster than from_pylist."""
        if not rows:
            return cls(pa.table({}))
        return cls(pa.table({key: [r[key] for r in rows] for key in rows[0]}))

    def __len__(self) -> int:
        return self.table.num_rows

    def __bool__(self) -> bool:
        return self.table.num_rows > 0

    def __iter__(self) -> Iterator[dict]:
        for chunk in self.table.to_batches(max_chunksize=10_000):
            yield from chunk.to_pylist()

    def __getitem__(self, index: int) -> dict:
        return self.table.slice(index % len(self), 1).to_pylist()[0]

    def __eq__(self, other) -> bool:
        if isinstance(other, ArrowRows):
            return self.table.equals(other.table)
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"ArrowRows({self.table.num_rows} rows, columns {self.table.column_names})"

    def for_documents(self, doc_ids: Iterable[str]) -> "ArrowRows":
        """The rows whose doc_id is one of doc_ids."""
        if not len(self):
            return self
        wanted = pa.array(sorted(set(doc_ids)), type=self.table.schema.field("doc_id").type)
        return ArrowRows(self.table.filter(pc.is_in(self.table["doc_id"], value_set=wanted)))


def pack_batch(batch) -> None:
    """Turn a batch's row tables into ArrowRows in place (cheap to send and to load).

    A table whose values Arrow cannot put in one column type stays as dicts: slower, never wrong.
    """
    for name in PACKED_TABLES:
        rows = getattr(batch, name)
        if not isinstance(rows, ArrowRows):
            try:
                setattr(batch, name, ArrowRows.from_rows(rows))
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, KeyError):
                pass


def rows_of(rows, doc_ids: set[str]):
    """The rows (ArrowRows or dicts) of the documents in doc_ids, in the same form."""
    if isinstance(rows, ArrowRows):
        return rows.for_documents(doc_ids)
    return [r for r in rows if r["doc_id"] in doc_ids]

