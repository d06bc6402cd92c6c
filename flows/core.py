"""The pure pipeline: files in, warehouse rows out, with no Prefect and no database."""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from .catalog import metric_id_for
from .columnar import ArrowRows
from .extract import DocContext, extract_figures
from .ingest import IngestError, RawDocument, read_document, source_name_for
from .metadata import extract_metadata
from .normalize import normalize
from .segment import token_spans

TOKEN_SCHEMA = pa.schema([("doc_id", pa.string()), ("token_index", pa.int64()), ("token", pa.string()),
                          ("char_start", pa.int64()), ("char_end", pa.int64())])


@dataclass
class BatchResult:
    """Rows for each warehouse table from one batch of files, plus what happened to each file."""

    documents: list[dict] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    tokens: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    bytes_read: int = 0


def process_document(raw: RawDocument, timings: dict[str, float] | None = None) -> dict:
    """Normalize, segment and extract one decoded document into rows for each table (tokens as ArrowRows)."""
    timings = timings if timings is not None else defaultdict(float)
    t0 = time.perf_counter()
    norm = normalize(raw.raw_text)
    meta = extract_metadata(norm.text)
    t1 = time.perf_counter()
    words, starts, ends = token_spans(norm.text)
    t2 = time.perf_counter()
    doc_ctx = DocContext(doc_id=raw.doc_id, title=meta.title, published=meta.published_date,
                         source_name=raw.source_name)
    figures = extract_figures(norm.text, norm.sentences, doc_ctx)
    t3 = time.perf_counter()
    timings["normalize"] += t1 - t0
    timings["segment"] += t2 - t1
    timings["extract"] += t3 - t2

    document = {
        "doc_id": raw.doc_id, "source_name": raw.source_name, "source_path": raw.source_path,
        "encoding": raw.encoding, "is_html": raw.is_html, "script": norm.script, "title": meta.title,
        "published_at": meta.published_at, "outlet": meta.outlet, "reporters": meta.reporters,
        "correspondents": meta.correspondents, "raw_text": raw.raw_text, "text": norm.text,
        "offset_map": [{"norm": n, "raw": r} for n, r in norm.offset_runs], "size_bytes": raw.size_bytes,
        "n_chars": len(norm.text), "n_sentences": len(norm.sentences), "n_tokens": len(words),
        "n_figures": len(figures), "warnings": raw.warnings,
    }
    sentences = [{"doc_id": raw.doc_id, "sentence_index": i, "char_start": s, "char_end": e,
                  "text": norm.text[s:e]} for i, (s, e) in enumerate(norm.sentences)]
    # Columns, not a dict per token: a report has thousands of tokens, and dicts cost more than segmenting them.
    token_rows = ArrowRows(pa.table([[raw.doc_id] * len(words), np.arange(len(words), dtype=np.int64), words,
                                     starts, ends], schema=TOKEN_SCHEMA))
    figure_rows = [{"doc_id": raw.doc_id, **f.as_row(), "metric_id": metric_id_for(f.metric, f.kind, f.unit)}
                   for f in figures]
    return {"documents": [document], "sentences": sentences, "tokens": token_rows, "figures": figure_rows}


def process_files(paths: list[Path], root: Path, known: dict[str, str] | None = None) -> BatchResult:
    """Ingest and process a batch of files; unchanged ones (same source name and hash) are skipped.

    A file that fails lands in errors with its reason; the rest of the batch goes on.
    """
    known = known or {}
    result = BatchResult()
    token_tables = []
    for path in paths:
        source_name = source_name_for(path, root)
        t0 = time.perf_counter()
        try:
            raw = read_document(path, root)
        except IngestError as err:
            result.errors.append({"source_name": source_name, "source_path": str(path), "stage": "ingest",
                                  "error": str(err), "transient": err.transient})
            continue
        finally:
            result.seconds["ingest"] += time.perf_counter() - t0
        result.bytes_read += raw.size_bytes
        if known.get(source_name) == raw.doc_id:
            result.skipped.append(source_name)
            continue
        try:
            rows = process_document(raw, result.seconds)
        except Exception as err:  # one bad document must not stop the batch; the reason is recorded
            result.errors.append({"source_name": source_name, "source_path": str(path), "stage": "process",
                                  "error": f"{type(err).__name__}: {err}"})
            continue
        token_tables.append(rows.pop("tokens").table)
        for table, table_rows in rows.items():
            getattr(result, table).extend(table_rows)
    if token_tables:
        result.tokens = ArrowRows(pa.concat_tables(token_tables).combine_chunks())
    return result
