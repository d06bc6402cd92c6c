"""The pure pipeline: files in, warehouse rows out, with no Prefect and no database."""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa

from .catalog import metric_id_for
from .columnar import ArrowRows
from .extract import DocContext, extract_figures
from .extract.orgs import org_rows
from .guard import DEFAULT_BUDGET, Budget, run_guarded
from .ingest import IngestError, RawDocument, read_document, source_name_for
from .metadata import extract_metadata
from .normalize import normalize
from .records import BatchResult, FileError
from .segment import token_spans

TOKEN_SCHEMA = pa.schema([("doc_id", pa.string()), ("token_index", pa.int64()), ("token", pa.string()),
                          ("char_start", pa.int64()), ("char_end", pa.int64())])
SENTENCE_SCHEMA = pa.schema([("doc_id", pa.string()), ("sentence_index", pa.int64()), ("char_start", pa.int64()),
                             ("char_end", pa.int64()), ("text", pa.string())])


@dataclass
class _InProgress:
    """One document on its way through the stages of a batch."""

    raw: RawDocument
    norm: object = None
    meta: object = None
    tokens: tuple | None = None
    figures: list | None = None
    unread: list | None = None


def _plain_rows(doc: _InProgress) -> dict:
    """The rows of one processed document for each table, without Arrow (the guard's child makes these); tokens
    None when the document is left for _segment_rows to segment."""
    raw, norm, meta, figures = doc.raw, doc.norm, doc.meta, doc.figures
    document = {
        "doc_id": raw.doc_id, "source_name": raw.source_name, "source_path": raw.source_path,
        "encoding": raw.encoding, "is_html": raw.is_html, "script": norm.script, "title": meta.title,
        "published_at": meta.published_at, "outlet": meta.outlet, "reporters": meta.reporters,
        "correspondents": meta.correspondents, "raw_text": raw.raw_text, "text": norm.text,
        "offset_map": [{"norm": n, "raw": r} for n, r in norm.offset_runs], "size_bytes": raw.size_bytes,
        "n_chars": len(norm.text), "n_sentences": len(norm.sentences),
        "n_tokens": None if doc.tokens is None else len(doc.tokens[0]),
        "n_figures": len(figures), "n_unread": len(doc.unread), "warnings": raw.warnings,
    }
    figure_rows = [{"doc_id": raw.doc_id, **f.as_row(), "metric_id": metric_id_for(f.metric, f.kind, f.unit)}
                   for f in figures]
    return {"documents": [document], "sentences": norm.sentences, "tokens": doc.tokens, "figures": figure_rows}


def _rows(plain: dict) -> dict:
    """_plain_rows with sentences and tokens as ArrowRows."""
    # Columns, not a dict per row: a report has thousands of tokens and hundreds of sentences, and dicts cost
    # more than segmenting them.
    document = plain["documents"][0]
    doc_id, text, spans = document["doc_id"], document["text"], plain["sentences"]
    words, starts, ends = plain["tokens"]
    sentence_rows = ArrowRows(pa.table([[doc_id] * len(spans), np.arange(len(spans), dtype=np.int64),
                                        [s for s, _ in spans], [e for _, e in spans],
                                        [text[s:e] for s, e in spans]], schema=SENTENCE_SCHEMA))
    token_rows = ArrowRows(pa.table([[doc_id] * len(words), np.arange(len(words), dtype=np.int64), words,
                                     starts, ends], schema=TOKEN_SCHEMA))
    return {**plain, "sentences": sentence_rows, "tokens": token_rows}


def _normalize(doc: _InProgress) -> None:
    doc.norm = normalize(doc.raw.raw_text)
    doc.meta = extract_metadata(doc.norm.text)


def _segment(doc: _InProgress) -> None:
    doc.tokens = token_spans(doc.norm.text)


def _extract(doc: _InProgress) -> None:
    context = DocContext(doc_id=doc.raw.doc_id, title=doc.meta.title, published=doc.meta.published_date,
                         source_name=doc.raw.source_name)
    doc.unread = []
    doc.figures = extract_figures(doc.norm.text, doc.norm.sentences, context, doc.unread)


# Each stage runs over the whole batch before the next: jieba's dictionary and the extractor's tables stay in
# the CPU caches (measured: ~8% less time than taking each document through every stage in turn).
STAGES = (("normalize", _normalize), ("segment", _segment), ("extract", _extract))


def process_documents(raws: list[RawDocument], timings: dict[str, float], errors: list[FileError]) -> list[dict]:
    """Normalize, segment and extract decoded documents, stage by stage; the rows of each document that made it.

    Seconds per stage are added to timings; a document that fails a stage is left out and recorded in errors.
    """
    docs = [_InProgress(raw) for raw in raws]
    for name, stage in STAGES:
        started = time.perf_counter()
        going_on = []
        for doc in docs:
            try:
                stage(doc)
            except Exception as err:  # one bad document must not stop the batch; the reason is recorded
                errors.append(FileError(doc.raw.source_name, doc.raw.source_path, "process",
                                        f"{type(err).__name__}: {err}"))
                continue
            going_on.append(doc)
        docs = going_on
        timings[name] += time.perf_counter() - started
    return [_rows(_plain_rows(doc)) for doc in docs]


def _segment_rows(plain: dict, seconds: dict[str, float]) -> dict:
    """plain with the tokens of its document's text, if _process_path left them out; seconds["segment"] grows."""
    if plain["tokens"] is None:
        started = time.perf_counter()
        document = plain["documents"][0]
        plain["tokens"] = token_spans(document["text"])
        document["n_tokens"] = len(plain["tokens"][0])
        seconds["segment"] += time.perf_counter() - started
    return plain


# A guarded document this short is segmented by the guard's parent process as its result arrives, while the
# child ingests, normalizes and extracts the next one. Since jieba-rs segments, that is about a tenth of the text
# stages' time, and one worker still gets ~9% more short pages a second this way (A/B, 4 pairs of 4,000 pages:
# 23.3 s against 25.4 s with segmenting in the child). Outside the child its time is not under the budget, so a
# longer text is segmented in the child (the cost is linear in the text, MAX_RUN keeps it so: 100,000
# characters of the worst text tried, unknown characters, took 0.02 s).
SEGMENT_IN_PARENT_CHARS = 100_000


def _process_path(path: Path, root: Path, defer_segment: bool = False) -> tuple[dict | FileError, dict[str, float]]:
    """One file through every stage: its rows (without Arrow) or why there are none, and seconds per stage.

    With defer_segment a text of at most SEGMENT_IN_PARENT_CHARS characters is not segmented (tokens None).
    """
    seconds: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    try:
        raw = read_document(path, root)
    except IngestError as err:
        return FileError(source_name_for(path, root), str(path), "ingest", str(err), err.transient), seconds
    finally:
        seconds["ingest"] += time.perf_counter() - started
    doc = _InProgress(raw)
    for name, stage in STAGES:
        if name == "segment" and defer_segment and len(doc.norm.text) <= SEGMENT_IN_PARENT_CHARS:
            continue
        started = time.perf_counter()
        try:
            stage(doc)
        except Exception as err:  # one bad document must not stop the batch; the reason is recorded
            return FileError(raw.source_name, raw.source_path, "process", f"{type(err).__name__}: {err}"), seconds
        finally:
            seconds[name] += time.perf_counter() - started
    return _plain_rows(doc), seconds


# A report's first lines, run through every stage by warm_up: its words reach the lazily loaded tables (the
# catalog, the gazetteer, the period and number patterns) that a worker's first batch would otherwise wait for.
_WARM_UP_TEXT = ("某某县人民法院工作报告\n2023年，全院受理各类案件1,234件，同比上升5.6%，结案率95.1%；"
                 "判處罪犯三百餘人，執行到位金額1.2億元。\n")


def warm_up() -> None:
    """Load jieba, OpenCC and everything the extractor loads on first use, by processing one small document."""
    from .ingest import document_from_bytes

    load_text_models()
    doc = _InProgress(document_from_bytes(_WARM_UP_TEXT.encode(), "warm-up.txt"))
    for _, stage in STAGES:
        stage(doc)
    _rows(_plain_rows(doc))


def load_text_models() -> None:
    """Load the segmenter's dictionary and OpenCC in this process (once), so the children forked from it share them."""
    from .normalize import to_simplified
    from .segment import segmenter

    segmenter()
    to_simplified("測試")


def process_files(paths: list[Path], root: Path, budget: Budget | None = DEFAULT_BUDGET) -> BatchResult:
    """Ingest and process a batch of files (the load plan chose them).

    A file that fails lands in errors with its reason; the rest of the batch goes on. Under a budget (the
    default) the files are processed in a child process, one by one: a file over budget (stage "budget") or
    whose process dies is recorded and the rest go on in a new child. budget None processes them here, stage
    by stage over the batch (a little faster, unguarded).
    """
    if budget is None:
        return _process_here(paths, root)
    load_text_models()
    result = BatchResult()
    rows = []
    outcomes = run_guarded(partial(_process_path, root=root, defer_segment=True), paths, budget,
                           then=_finish_here)
    for path, outcome in zip(paths, outcomes, strict=True):
        if outcome.kind == "done":
            done, seconds = outcome.result
            for stage, s in seconds.items():
                result.seconds[stage] += s
            if isinstance(done, FileError):
                result.errors.append(done)
            else:
                rows.append(done)
            continue
        stage = "budget" if outcome.kind == "over" else "process"
        result.errors.append(FileError(source_name_for(path, root), str(path), stage, outcome.reason))
    return _assemble(result, rows)


def _finish_here(outcome: tuple[dict | FileError, dict[str, float]]) -> tuple[dict | FileError, dict[str, float]]:
    """A guarded child's result for one file, segmented if the child left that out, with Arrow rows."""
    done, seconds = outcome
    if isinstance(done, FileError):
        return outcome
    return _rows(_segment_rows(done, seconds)), seconds


def _process_here(paths: list[Path], root: Path) -> BatchResult:
    """process_files in this process, stage by stage, without a budget."""
    result = BatchResult()
    raws = []
    for path in paths:
        t0 = time.perf_counter()
        try:
            raw = read_document(path, root)
        except IngestError as err:
            result.errors.append(FileError(source_name_for(path, root), str(path), "ingest", str(err),
                                           err.transient))
            continue
        finally:
            result.seconds["ingest"] += time.perf_counter() - t0
        raws.append(raw)
    return _assemble(result, process_documents(raws, result.seconds, result.errors))


def _assemble(result: BatchResult, documents: list[dict]) -> BatchResult:
    """The batch's tables from each document's rows, and the organizations its figures name."""
    columnar: dict[str, list[pa.Table]] = {"sentences": [], "tokens": []}
    for rows in documents:
        for table, table_rows in rows.items():
            if table in columnar:
                columnar[table].append(table_rows.table)
            else:
                getattr(result, table).extend(table_rows)
    for table, tables in columnar.items():
        if tables:
            setattr(result, table, ArrowRows(pa.concat_tables(tables).combine_chunks()))
    # Classified here, in the worker, so the single writer only inserts the ones the orgs table lacks.
    result.orgs = org_rows(f["org"] for f in result.figures)
    return result
