"""Validation in chunks of documents: the same outcomes and figure issues as all at once, no row validated twice."""
from __future__ import annotations

import gc
import shutil
import weakref
from collections import Counter
from datetime import datetime

import duckdb
import pytest

from fazhi import quality
from fazhi.quality import SUITES, Outcome, suite_rows, validate_frames, validate_warehouse

MISSING = "0000000000000000"  # a document that is not in the warehouse and no run names
NAMED_MISSING = "ffffffffffffffff"  # a document that is not in the warehouse but a run names
ALL_AT_ONCE = 10_000


@pytest.fixture(scope="module")
def planted(sample_warehouse, tmp_path_factory):
    """The sample warehouse (five documents d0..d4 in doc_id order) with bad rows spread over the chunks.

    d0 and d4 share a figure_id, a figure and a token each belong to MISSING and to NAMED_MISSING (the figure of
    MISSING is also a negative count), d2 has a rate of 130, d3 a token past its text's end and a publication
    date in the future, d4 the source_name of d1.
    """
    path = tmp_path_factory.mktemp("chunks") / "planted.duckdb"
    shutil.copy(sample_warehouse, path)
    con = duckdb.connect(str(path))
    try:
        docs = [r[0] for r in con.execute("select doc_id from documents order by doc_id").fetchall()]
        assert len(docs) == 5

        def first_figure(doc_id: str, kind: str | None = None) -> str:
            return con.execute("select min(figure_id) from figures where doc_id = ? and (? is null or kind = ?)",
                               [doc_id, kind, kind]).fetchone()[0]

        con.execute("update figures set figure_id = ? where figure_id = ?", [first_figure(docs[0]),
                                                                            first_figure(docs[4])])
        count = first_figure(docs[1], "count")
        for doc_id, value in ((MISSING, -5), (NAMED_MISSING, None)):
            con.execute("insert into figures select * replace (? as doc_id, ? as figure_id, "
                        "coalesce(?, value) as value) from figures where figure_id = ?",
                        [doc_id, f"orphan-{doc_id[0]}", value, count])
            con.execute("insert into tokens select * replace (? as doc_id) from tokens "
                        "where doc_id = ? and token_index = 0", [doc_id, docs[1]])
        con.execute("update figures set value = 130 where figure_id = ?", [first_figure(docs[2], "rate")])
        con.execute("update tokens set char_start = 10000000, char_end = 10000001 "
                    "where doc_id = ? and token_index = 3", [docs[3]])
        con.execute("update documents set published_at = now()::timestamp + interval 30 day where doc_id = ?",
                    [docs[3]])
        con.execute("update documents set source_name = (select source_name from documents where doc_id = ?) "
                    "where doc_id = ?", [docs[1], docs[4]])
    finally:
        con.close()
    return path, docs


def subset(docs: list[str]) -> list[str]:
    """A run's documents: d0 and d2 left out, a missing document named, d1 named twice."""
    return [docs[1], docs[3], docs[4], NAMED_MISSING, docs[1]]


def copy_of(planted, tmp_path, name: str):
    path = tmp_path / f"{name}.duckdb"
    shutil.copy(planted[0], path)
    return path


def validate(path, doc_ids, chunk_size, docs_dir=None):
    con = duckdb.connect(str(path))
    try:
        return validate_warehouse(con, "chunks", docs_dir, doc_ids=doc_ids, chunk_size=chunk_size)
    finally:
        con.close()


def issue_rows(path) -> Counter:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return Counter(con.execute("select doc_id, figure_id, expectation, column_name, observed "
                                   "from figure_issues").fetchall())
    finally:
        con.close()


def numbers(outcomes: list[Outcome]) -> list[tuple]:
    return [(o.suite, o.expectation, o.column, o.row_condition, o.success, o.element_count, o.unexpected_count,
             None if o.unexpected_percent is None else pytest.approx(o.unexpected_percent), o.error)
            for o in outcomes]


def all_at_once(path, doc_ids) -> tuple[list[Outcome], Counter, dict]:
    """What the validation was before chunks: one frame per suite of every row in scope."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        frames = {name: suite_rows(con, name, doc_ids) for name in SUITES}
    finally:
        con.close()
    outcomes, issues, _ = validate_frames(frames, "chunks", now=datetime.now())
    keys = Counter((i["doc_id"], i["figure_id"], i["expectation"], i["column_name"], i["observed"]) for i in issues)
    return outcomes, keys, {name: len(df) for name, df in frames.items() if name != "tokens"}


@pytest.mark.parametrize("scoped", [False, True], ids=["whole-warehouse", "run-subset"])
def test_chunks_give_the_outcomes_and_issues_of_all_at_once(planted, tmp_path, scoped):
    doc_ids = subset(planted[1]) if scoped else None
    expected, expected_issues, expected_rows = all_at_once(planted[0], doc_ids)
    assert not all(o.success for o in expected)
    tables = {}
    for chunk_size in (1, 2, ALL_AT_ONCE):
        path = copy_of(planted, tmp_path, f"size-{chunk_size}")
        report = validate(path, doc_ids, chunk_size)
        assert numbers(report.outcomes) == numbers(expected), chunk_size
        issues = Counter((i["doc_id"], i["figure_id"], i["expectation"], i["column_name"], i["observed"])
                         for i in report.figure_issues)
        assert issues == expected_issues, chunk_size
        assert {k: v for k, v in report.rows.items() if k != "tokens"} == expected_rows, chunk_size
        tables[chunk_size] = (issue_rows(path), report.rows["tokens"])
    assert tables[1] == tables[2] == tables[ALL_AT_ONCE]
    # the tokens checked: those of the scope and every orphan (MISSING's outside a subset, NAMED_MISSING's inside)
    con = duckdb.connect(str(planted[0]), read_only=True)
    try:
        checked = con.execute("select count(*) from tokens t where ? is null or t.doc_id in (select unnest(?)) "
                              "or not exists (select 1 from documents d where d.doc_id = t.doc_id)",
                              [doc_ids, doc_ids]).fetchone()[0]
    finally:
        con.close()
    assert tables[1][1] == checked


def test_the_planted_rows_are_caught_across_chunks(planted, tmp_path):
    docs = planted[1]
    report = validate(copy_of(planted, tmp_path, "caught"), None, 1)
    unexpected = {(o.suite, o.expectation, o.column, o.row_condition): o.unexpected_count for o in report.failed}
    assert unexpected == {
        ("documents", "expect_column_values_to_be_unique", "source_name", None): 2,
        ("documents", "expect_column_values_to_be_between", "published_at", None): 1,
        ("figures", "expect_column_values_to_be_unique", "figure_id", None): 2,
        ("figures", "expect_column_values_to_be_in_set", "document_found", None): 2,
        ("figures", "expect_column_values_to_be_between", "value", "kind == rate"): 2,  # 130 and the real 117.96
        ("figures", "expect_column_values_to_be_between", "value",
         "kind IN ['count', 'amount', 'duration', 'measure']"): 1,
        ("tokens", "expect_column_values_to_be_in_set", "document_found", None): 2,
        ("tokens", "expect_column_pair_values_a_to_be_greater_than_b", "document_length, char_end", None): 1,
        ("tokens", "expect_column_pair_values_to_be_equal", "text_at_offsets, token", None): 1,
    }
    duplicated = {(i["doc_id"], i["figure_id"]) for i in report.figure_issues if i["column_name"] == "figure_id"}
    assert {d for d, _ in duplicated} == {docs[0], docs[4]} and len({f for _, f in duplicated}) == 1


@pytest.mark.parametrize("scoped", [False, True], ids=["whole-warehouse", "run-subset"])
def test_no_row_is_validated_twice(planted, tmp_path, scoped):
    path = copy_of(planted, tmp_path, "twice")
    doc_ids = subset(planted[1]) if scoped else None
    for _ in range(2):  # the second validation replaces the first one's issues, also those of other documents
        report = validate(path, doc_ids, 1)
    keys = Counter((d, f, e) for d, f, e, _, _ in issue_rows(path).elements())
    assert keys and max(keys.values()) == 1
    for o in report.outcomes:
        if o.suite != "tokens" and o.row_condition is None:
            assert o.element_count == report.rows[o.suite], o
    if not scoped:
        con = duckdb.connect(str(path), read_only=True)
        try:
            totals = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in SUITES}
        finally:
            con.close()
        assert report.rows == totals


def test_gx_objects_are_made_once_and_one_frame_is_alive_at_a_time(planted, tmp_path, monkeypatch):
    import great_expectations as gx

    made = Counter()
    for name in ("ExpectationSuite", "ValidationDefinition"):
        real = getattr(gx, name)
        monkeypatch.setattr(gx, name, lambda *a, _real=real, _name=name, **k: made.update([_name]) or _real(*a, **k))
    contexts = []
    real_context = quality._gx_context
    monkeypatch.setattr(quality, "_gx_context", lambda docs_dir: contexts.append(1) or real_context(docs_dir))
    frames, most_alive = [], [0]
    real_rows = quality.suite_rows

    def rows(*args, **kwargs):
        gc.collect()
        most_alive[0] = max(most_alive[0], sum(ref() is not None for ref in frames))
        df = real_rows(*args, **kwargs)
        frames.append(weakref.ref(df))
        return df

    monkeypatch.setattr(quality, "suite_rows", rows)
    validate(copy_of(planted, tmp_path, "once"), None, 1)
    assert len(frames) == 5 * len(SUITES)
    assert made == {"ExpectationSuite": len(SUITES), "ValidationDefinition": len(SUITES)} and contexts == [1]
    assert most_alive == [0]


def test_data_docs_show_every_chunk(planted, tmp_path):
    docs_dir = tmp_path / "docs"
    report = validate(copy_of(planted, tmp_path, "docs"), None, 2, docs_dir)
    assert report.data_docs == docs_dir / "index.html" and report.data_docs.is_file()
    runs = {p.name for p in (docs_dir / "validations" / "figures").iterdir()}
    assert runs == {f"chunks-chunk-{k}-of-3" for k in (1, 2, 3)}


def test_merged_outcome_sums_counts_and_recomputes_the_percent_without_missing_rows():
    def part(success, element, unexpected, examples, error=None):
        return Outcome("figures", "expect_column_values_to_be_between", "value", None, None, success, element,
                       unexpected, None, examples, error)

    merged = quality._merged([(part(True, 10, 0, []), 8), (part(False, 5, 3, list("abcd")), 5),
                              (part(False, None, None, [], "boom"), None), (part(False, 4, 1, list("xyz")), 4)])
    assert (merged.success, merged.element_count, merged.unexpected_count) == (False, 19, 4)
    assert merged.unexpected_percent == pytest.approx(100 * 4 / 17)
    assert merged.examples == ["a", "b", "c", "d", "x"] and merged.error == "boom"
    empty = quality._merged([(part(True, 0, 0, []), 0), (part(True, 0, 0, []), 0)])
    assert (empty.success, empty.element_count, empty.unexpected_percent) == (True, 0, None)


def test_texts_at_offsets_are_read_exactly_across_chunk_boundaries_and_far_into_a_long_text():
    """figures.sql and tokens.sql read offsets from 64-character chunks: every span must read as the text has it."""
    import random

    import duckdb

    from fazhi import warehouse as wh
    from fazhi.quality import suite_rows

    rng = random.Random(7)
    text = "".join(rng.choice("法院受理案件12345，。\n%") for _ in range(5000))
    spans = [(s, s + n) for s in (0, 1, 62, 63, 64, 65, 127, 128, 4990) for n in (1, 2, 3, 64, 65, 70)
             if s + n <= len(text)] + [(s, s + 200) for s in (0, 100, 4000)]
    con = duckdb.connect()
    wh.apply_schema(con)
    con.execute("insert into documents (doc_id, source_name, text) values ('d', 'd.txt', ?)", [text])
    for i, (a, b) in enumerate(spans):
        con.execute("insert into figures (doc_id, figure_id, surface, char_start, char_end) values ('d', ?, ?, ?, ?)",
                    [f"f{i}", text[a:b], a, b])
        con.execute("insert into tokens (doc_id, token_index, token, char_start, char_end) values ('d', ?, ?, ?, ?)",
                    [i, "x" if i % 5 == 0 else text[a:b], a, b])
    figures = suite_rows(con, "figures")
    read = dict(zip(figures["figure_id"], figures["text_at_offsets"], strict=True))
    assert read == {f"f{i}": text[a:b] for i, (a, b) in enumerate(spans)}
    # tokens.sql keeps only the suspect tokens: exactly those whose text differs from the document's
    suspects = suite_rows(con, "tokens")
    assert sorted(suspects["token_index"]) == [i for i, (a, b) in enumerate(spans) if i % 5 == 0 and text[a:b] != "x"]
    assert all(row.text_at_offsets == text[row.char_start:row.char_end] for row in suspects.itertuples())
