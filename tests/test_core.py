"""The pure pipeline: guarded batches (segmented by the guard's parent or child) give the rows of unguarded ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from fazhi import core
from fazhi.core import process_files

SAMPLE = Path(core.__file__).parent / "sample_corpus"


def _contents(batch) -> dict:
    tables = {t: getattr(batch, t) for t in ("documents", "sentences", "tokens", "figures", "orgs")}
    return {t: (rows.table.to_pylist() if hasattr(rows, "table") else list(rows)) for t, rows in tables.items()}


@pytest.fixture(scope="module")
def unguarded() -> dict:
    return _contents(process_files(sorted(SAMPLE.iterdir()), SAMPLE, None))


@pytest.mark.parametrize("parent_chars", [core.SEGMENT_IN_PARENT_CHARS, 0, 4000])
def test_a_guarded_batch_has_the_rows_of_an_unguarded_one_wherever_it_is_segmented(unguarded, monkeypatch,
                                                                                    parent_chars):
    # 0: every text is segmented in the child; 4000: the sample's short texts in the parent, the rest in the child
    monkeypatch.setattr(core, "SEGMENT_IN_PARENT_CHARS", parent_chars)
    batch = process_files(sorted(SAMPLE.iterdir()), SAMPLE)
    assert not batch.errors
    assert _contents(batch) == unguarded
    assert all(d["n_tokens"] == sum(t["doc_id"] == d["doc_id"] for t in unguarded["tokens"])
               for d in unguarded["documents"])
    assert batch.seconds["segment"] > 0


def test_a_document_whose_segmenting_fails_in_the_parent_is_recorded_and_the_rest_go_on(monkeypatch):
    real = core.token_spans

    def token_spans(text: str):
        if "检察" in text[:400]:
            raise RuntimeError("jieba gave up")
        return real(text)

    monkeypatch.setattr(core, "token_spans", token_spans)
    paths = sorted(SAMPLE.iterdir())
    batch = process_files(paths, SAMPLE)
    failed = {e.source_name: (e.stage, e.error) for e in batch.errors}
    assert failed and set(failed.values()) == {("process", "RuntimeError: jieba gave up")}
    assert len(batch.documents) + len(failed) == len(paths)
