"""Data quality: each expectation catches a planted bad row and nothing else; flagged rows are kept."""
from __future__ import annotations

import shutil

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ROOT, SAMPLE
from fazhi import warehouse as wh
from fazhi.quality import DataQualityFailed, data_docs_dir, validate_warehouse

RATE_ABOVE_100 = "117.96%"


def validate(path, docs_dir=None):
    con = duckdb.connect(str(path))
    try:
        return validate_warehouse(con, "test", docs_dir)
    finally:
        con.close()


def query(path, sql, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def failed(report) -> set[tuple]:
    return {(o.suite, o.expectation, o.column, o.row_condition) for o in report.failed}


def issues(path) -> set[tuple]:
    return set(query(path, "select figure_id, expectation, column_name from figure_issues"))


@pytest.fixture(scope="module")
def clean_warehouse(sample_warehouse, tmp_path_factory):
    """The sample warehouse without the documents that break an expectation: every expectation passes."""
    path = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    shutil.copy(sample_warehouse, path)
    con = duckdb.connect(str(path))
    try:
        flagged = [r[0] for r in con.execute("select distinct doc_id from figure_issues").fetchall()]
        wh.prune(con, flagged)
        report = validate_warehouse(con, "clean", None)
    finally:
        con.close()
    assert report.success, report.one_line()
    assert query(path, "select count(distinct kind) from figures")[0][0] >= 3, "too few documents left to plant in"
    return path


@pytest.fixture
def planted(clean_warehouse, tmp_path):
    """A writable copy of the clean warehouse to plant a bad row in."""
    path = tmp_path / "planted.duckdb"
    shutil.copy(clean_warehouse, path)
    return path


def plant(path, sql, params=None) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(sql, params or [])
    finally:
        con.close()


def first_figure(path, kind: str) -> str:
    rows = query(path, "select figure_id from figures where kind = ? order by figure_id limit 1", [kind])
    assert rows, f"the clean sample has no {kind} figure"
    return rows[0][0]


def test_a_negative_count_is_flagged_and_kept(planted):
    fid = first_figure(planted, "count")
    plant(planted, "update figures set value = -5 where figure_id = ?", [fid])
    report = validate(planted)
    assert failed(report) == {("figures", "expect_column_values_to_be_between", "value",
                               "kind IN ['count', 'amount', 'duration', 'measure']")}
    assert issues(planted) == {(fid, "expect_column_values_to_be_between", "value")}
    assert query(planted, "select value from figures where figure_id = ?", [fid]) == [(-5.0,)]
    assert query(planted, "select count(*) from figures_clean where figure_id = ?", [fid]) == [(0,)]


def test_a_table_total_that_is_not_the_sum_of_its_parts_is_flagged_and_kept(planted):
    fid = first_figure(planted, "count")
    plant(planted, "update figures set sum_of_parts = value + 1, row_label = '小计' where figure_id = ?", [fid])
    report = validate(planted)
    assert failed(report) == {("figures", "expect_column_pair_values_to_be_equal", "value, sum_of_parts", None)}
    assert issues(planted) == {(fid, "expect_column_pair_values_to_be_equal", "value, sum_of_parts")}
    assert query(planted, "select count(*) from figures_clean where figure_id = ?", [fid]) == [(0,)]


def test_a_rate_above_100_is_flagged(planted):
    fid = first_figure(planted, "rate")
    plant(planted, "update figures set value = 130 where figure_id = ?", [fid])
    report = validate(planted)
    assert failed(report) == {("figures", "expect_column_values_to_be_between", "value", "kind == rate")}
    assert issues(planted) == {(fid, "expect_column_values_to_be_between", "value")}
    assert query(planted, "select observed from figure_issues") == [("130.0",)]


def test_an_unknown_unit_is_flagged(planted):
    fid = first_figure(planted, "count")
    plant(planted, "update figures set unit = '斤斤' where figure_id = ?", [fid])
    report = validate(planted)
    assert failed(report) == {("figures", "expect_column_values_to_be_in_set", "unit", "kind == count")}
    assert issues(planted) == {(fid, "expect_column_values_to_be_in_set", "unit")}


def test_a_change_without_direction_is_flagged(planted):
    fid = first_figure(planted, "change")
    plant(planted, "update figures set direction = null where figure_id = ?", [fid])
    report = validate(planted)
    assert failed(report) == {("figures", "expect_column_values_to_not_be_null", "direction", "kind == change")}
    assert issues(planted) == {(fid, "expect_column_values_to_not_be_null", "direction")}


def test_a_direction_on_a_level_is_flagged(planted):
    fid = first_figure(planted, "rate")
    plant(planted, "update figures set direction = 'up' where figure_id = ?", [fid])
    report = validate(planted)
    assert failed(report) == {("figures", "expect_column_values_to_be_null", "direction", "kind != change")}
    assert issues(planted) == {(fid, "expect_column_values_to_be_null", "direction")}


def test_a_broken_offset_is_flagged(planted):
    fid = first_figure(planted, "count")
    plant(planted, "update figures set char_start = char_start + 1, char_end = char_end + 1 where figure_id = ?",
          [fid])
    report = validate(planted)
    assert failed(report) == {("figures", "expect_column_pair_values_to_be_equal", "text_at_offsets, surface", None)}
    assert issues(planted) == {(fid, "expect_column_pair_values_to_be_equal", "text_at_offsets, surface")}


def test_a_figure_whose_document_is_missing_is_flagged(planted):
    fid = first_figure(planted, "count")
    plant(planted, "insert into figures select * replace ('0000000000000000' as doc_id, 'orphan' as figure_id) "
                   "from figures where figure_id = ?", [fid])
    report = validate(planted)
    assert failed(report) == {("figures", "expect_column_values_to_be_in_set", "document_found", None)}
    assert issues(planted) == {("orphan", "expect_column_values_to_be_in_set", "document_found")}


def test_a_duplicate_figure_id_flags_both_rows(planted):
    fid = first_figure(planted, "count")
    other = query(planted, "select figure_id from figures where figure_id <> ? and doc_id = "
                           "(select doc_id from figures where figure_id = ?) limit 1", [fid, fid])[0][0]
    plant(planted, "update figures set figure_id = ? where figure_id = ?", [fid, other])
    report = validate(planted)
    assert failed(report) == {("figures", "expect_column_values_to_be_unique", "figure_id", None)}
    assert query(planted, "select count(*) from figure_issues where figure_id = ?", [fid]) == [(2,)]


@pytest.mark.parametrize("change, expected", [
    ("set kind = 'money'", ("expect_column_values_to_be_in_set", "kind", None)),
    ("set approx = 'roughly'", ("expect_column_values_to_be_in_set", "approx", None)),
    ("set value = 2.5", ("expect_column_values_to_be_in_set", "value_is_whole", "kind == count")),
    ("set value_max = value - 1", ("expect_column_pair_values_a_to_be_greater_than_b", "value_max, value", None)),
    ("set period_start = date '2021-01-01', period_end = date '2020-12-31'",
     ("expect_column_pair_values_a_to_be_greater_than_b", "period_end, period_start", None)),
], ids=["kind", "approx", "whole-count", "range", "period"])
def test_each_vocabulary_and_range_rule_flags_only_the_planted_count(planted, change, expected):
    fid = first_figure(planted, "count")
    plant(planted, f"update figures {change} where figure_id = ?", [fid])
    report = validate(planted)
    assert failed(report) == {("figures", *expected)}
    assert issues(planted) == {(fid, expected[0], expected[1])}


def test_a_publication_date_in_the_future_is_caught(planted):
    plant(planted, "update documents set published_at = now()::timestamp + interval 30 day "
                   "where doc_id = (select min(doc_id) from documents)")
    report = validate(planted)
    assert failed(report) == {("documents", "expect_column_values_to_be_between", "published_at", None)}
    assert issues(planted) == set()


def test_a_token_past_the_end_of_its_text_is_caught(planted):
    plant(planted, "update tokens set char_start = 10000000, char_end = 10000001 "
                   "where doc_id = (select min(doc_id) from tokens) and token_index = 0")
    report = validate(planted)
    assert failed(report) == {
        ("tokens", "expect_column_pair_values_a_to_be_greater_than_b", "document_length, char_end", None),
        ("tokens", "expect_column_pair_values_to_be_equal", "text_at_offsets, token", None)}


def test_results_are_recorded_per_expectation_and_kept_as_history(planted):
    validate(planted)
    fid = first_figure(planted, "rate")
    plant(planted, "update figures set value = 130 where figure_id = ?", [fid])
    report = validate(planted)
    rows = query(planted, "select suite, count(*), count(*) filter (where not success) from dq_results "
                          "where run_id = 'test' group by suite order by suite")
    per_suite = {o.suite: 0 for o in report.outcomes}
    for o in report.outcomes:
        per_suite[o.suite] += 1
    assert [(s, n) for s, n, _ in rows] == [(s, 2 * per_suite[s]) for s in sorted(per_suite)]
    assert dict((s, bad) for s, _, bad in rows)["figures"] == 1
    examples = query(planted, "select examples, unexpected_count from dq_results where run_id = 'test' and "
                              "not success")
    assert examples == [(["130.0"], 1)]


def test_sample_rate_above_100_is_kept_flagged_and_left_out_of_figures_clean(sample_warehouse):
    """制裁违法率为117.96%: a real report breaks the rate rule; the figure stays, flagged."""
    found = query(sample_warehouse, "select figure_id, value, kind from figures where surface = ?", [RATE_ABOVE_100])
    assert [(v, k) for _, v, k in found] == [(117.96, "rate")]
    fid = found[0][0]
    assert query(sample_warehouse, "select expectation, column_name, observed from figure_issues "
                                   "where figure_id = ?", [fid]) == [
        ("expect_column_values_to_be_between", "value", "117.96")]
    assert query(sample_warehouse, "select count(*) from figures_clean where figure_id = ?", [fid]) == [(0,)]
    total, clean, flagged = query(sample_warehouse, "select (select count(*) from figures), (select count(*) from "
                                  "figures_clean), (select count(distinct figure_id) from figure_issues)")[0]
    assert clean == total - flagged


def test_each_run_writes_data_docs_beside_the_warehouse(sample_warehouse):
    index = data_docs_dir(sample_warehouse) / "index.html"
    assert index.is_file()
    html = index.read_text(encoding="utf-8")
    assert "figures" in html and "documents" in html and "tokens" in html
    assert query(sample_warehouse, "select count(distinct suite) from dq_results") == [(3,)]


def test_each_run_publishes_a_data_quality_artifact(sample_warehouse):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["fazhi-data-quality"])))
    run_id = query(sample_warehouse, "select run_id from runs order by started_at limit 1")[0][0]
    mine = [a for a in artifacts if run_id in (a.data or "")]
    assert len(mine) == 1 and a_row_names(mine[0].data, "117.96")


def a_row_names(markdown: str, value: str) -> bool:
    return any(line.startswith("| figures |") and value in line for line in markdown.splitlines())


def test_replacing_a_document_removes_its_issues(sample_warehouse, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_warehouse, path)
    doc_id = query(path, "select doc_id from figures where surface = ?", [RATE_ABOVE_100])[0][0]
    con = duckdb.connect(str(path))
    try:
        wh.prune(con, [doc_id])
    finally:
        con.close()
    assert query(path, "select count(*) from figure_issues where doc_id = ?", [doc_id]) == [(0,)]


def corpus_with_the_rate_above_100(tmp_path):
    """A folder holding only the sample report that writes 117.96%."""
    hits = [f for f in SAMPLE.iterdir() if "117.96" in f.read_text(encoding="utf-8")]
    assert len(hits) == 1
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(hits[0], corpus / hits[0].name)
    return corpus


def test_fail_on_error_fails_the_flow_run_and_keeps_the_rows(prefect_harness, tmp_path):
    from fazhi.flows.pipeline import etl

    path = tmp_path / "wh" / "fazhi.duckdb"
    with pytest.raises(DataQualityFailed, match="expectations failed"):
        etl(input_dir=str(corpus_with_the_rate_above_100(tmp_path)), warehouse=str(path), fail_on_error=True,
            snapshot=False)
    assert query(path, "select status from runs") == [("failed",)]
    assert query(path, "select count(*) from figures where surface = ?", [RATE_ABOVE_100]) == [(1,)]
    assert query(path, "select count(*) from figure_issues") != [(0,)]


def test_cli_validate_exit_codes_and_one_line_error(sample_warehouse, tmp_path):
    from fazhi.cli import cli

    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_warehouse, path)
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", "--warehouse", str(path)])
    assert ok.exit_code == 0, ok.output
    assert "figures flagged" in ok.output and str(data_docs_dir(path) / "index.html") in ok.output
    assert "117.96" in ok.output
    bad = runner.invoke(cli, ["validate", "--warehouse", str(path), "--fail-on-error"])
    assert bad.exit_code == 1
    errors = [line for line in bad.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "expectations failed" in errors[0]
    missing = runner.invoke(cli, ["validate", "--warehouse", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_every_unit_the_extractor_can_emit_passes_the_suite():
    """The suite's unit sets and the extractor's unit table must not drift apart."""
    import yaml

    from fazhi.extract.numbers import _UNIT_TABLE

    suite = yaml.safe_load((ROOT / "expectations" / "figures.yml").read_text(encoding="utf-8"))
    allowed: dict[str, set[str]] = {}
    for exp in suite["expectations"]:
        cond = exp["kwargs"].get("row_condition") or {}
        if exp["type"] == "expect_column_values_to_be_in_set" and exp["kwargs"].get("column") == "unit" and cond:
            allowed[cond["parameter"]] = set(exp["kwargs"]["value_set"])
    emitted: dict[str, set[str]] = {}
    for canonical, kind in _UNIT_TABLE.values():
        if kind == "rate":
            canonical = "%"  # 成 and ‰ are converted to percent
        emitted.setdefault(kind, set()).add(canonical)
    for kind, units in emitted.items():
        assert units <= allowed[kind], (kind, units - allowed[kind])
    for kind in ("count", "amount", "duration", "measure"):
        assert emitted[kind] <= allowed["change"], kind


def test_a_rerun_with_nothing_changed_skips_validation(prefect_harness, sample_warehouse, tmp_path):
    from fazhi.flows.pipeline import etl

    db = tmp_path / "fazhi.duckdb"
    shutil.copy(sample_warehouse, db)
    con = duckdb.connect(str(db), read_only=True)
    results_before = con.execute("select count(*) from dq_results").fetchone()
    con.close()
    summary = etl(input_dir=str(SAMPLE), warehouse=str(db))
    assert summary["loaded"] == 0
    assert summary["quality"] == {"skipped": "nothing changed"}
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from dq_results").fetchone() == results_before
    assert con.execute("select count(*) from figure_issues f join figures g using (figure_id) "
                       "where g.surface = '117.96%'").fetchone() == (1,)


def test_a_run_validates_what_it_loaded_and_keeps_the_issues_of_untouched_documents(prefect_harness, sample_warehouse,
                                                                                   tmp_path):
    from fazhi.flows.pipeline import etl

    db = tmp_path / "fazhi.duckdb"
    shutil.copy(sample_warehouse, db)
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    changed = corpus / "000_bda1f0a19c388d12.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n全市法院调解成功率为135.5%。\n", encoding="utf-8")
    summary = etl(input_dir=str(corpus), warehouse=str(db))
    assert summary["loaded"] == 1
    con = duckdb.connect(str(db), read_only=True)
    flagged = {r[0] for r in con.execute("select g.surface from figure_issues f join figures g using (figure_id)").fetchall()}
    assert {"117.96%", "135.5%"} <= flagged  # the untouched document's issue stays; the new one is found
    assert con.execute("select count(*) from figures_clean where surface in ('117.96%', '135.5%')").fetchone() == (0,)


def test_a_relative_warehouse_path_is_validated_with_data_docs_beside_it(prefect_harness, tmp_path, monkeypatch):
    """The default warehouse path is relative (warehouse/fazhi.duckdb); GX must still build its Data Docs."""
    from fazhi.flows.pipeline import etl

    monkeypatch.chdir(tmp_path)
    summary = etl(input_dir=str(SAMPLE), warehouse="warehouse/fazhi.duckdb")
    assert "error" not in summary["quality"] and summary["quality"]["expectations"] >= 45
    assert (tmp_path / "warehouse" / "data_docs" / "fazhi" / "index.html").exists()


class Killed(BaseException):
    """Stands for the process dying inside validation (kill -9 gives Python no chance to record anything)."""


@pytest.mark.parametrize("fault", [Killed, RuntimeError])
def test_a_run_after_an_unfinished_validation_validates_every_row_again(prefect_harness, tmp_path, monkeypatch,
                                                                        fault):
    from fazhi import quality
    from fazhi.flows.pipeline import etl

    corpus, db = corpus_with_the_rate_above_100(tmp_path), tmp_path / "fazhi.duckdb"

    def broken(*args, **kwargs):
        raise fault("validation interrupted")

    with monkeypatch.context() as patch:
        patch.setattr(quality, "validate_warehouse", broken)
        try:
            etl(input_dir=str(corpus), warehouse=str(db), snapshot=False)
        except Killed:
            pass
    # figures_clean serves nothing the interrupted validation did not check, the 117.96% rate least of all
    assert query(db, "select count(*) from figures_clean") == [(0,)]
    summary = etl(input_dir=str(corpus), warehouse=str(db), snapshot=False)
    assert summary["loaded"] == 0 and summary["quality"]["flagged_figures"] == 1
    assert query(db, "select count(*) from figures_clean where surface = ?", [RATE_ABOVE_100]) == [(0,)]
    assert query(db, "select (select count(*) from figures) - (select count(*) from figures_clean)") == [(1,)]
    assert query(db, "select validation from runs order by started_at") == [("scoped",), ("all",)]
    # Once a validation completed, a run with nothing changed skips it again.
    assert etl(input_dir=str(corpus), warehouse=str(db), snapshot=False)["quality"] == {"skipped": "nothing changed"}


def test_data_docs_escape_document_text_and_dq_results_keep_it_as_it_is(sample_warehouse, tmp_path):
    """A duplicate source_name holding markup is shown as text in Data Docs, never run as a script."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_warehouse, path)
    name = "<script>alert('x&y')</script>.txt"
    con = duckdb.connect(str(path))
    con.execute("insert into documents (doc_id, source_name, source_path) values ('a1', ?, 'a'), ('b2', ?, 'b')",
                [name, name])
    con.close()
    docs = data_docs_dir(path)
    report = validate(path, docs)
    duplicate = [o for o in report.failed if o.column == "source_name"]
    assert len(duplicate) == 1 and duplicate[0].examples == [name, name]
    pages = "".join(p.read_text(encoding="utf-8") for p in docs.rglob("*.html"))
    assert "<script>alert" not in pages
    assert "&lt;script&gt;alert(&#x27;x&amp;y&#x27;)&lt;/script&gt;.txt" in pages
    assert query(path, "select examples from dq_results where column_name = 'source_name' and not success") == \
        [([name, name],)]


def test_the_validator_process_finds_what_validation_in_this_process_finds(planted, tmp_path):
    """`fazhi run` validates in a process started before the flow; outcomes, issues and Data Docs are the same."""
    import os

    from fazhi import quality

    plant(planted, "update figures set value = -5 where figure_id = ?", [first_figure(planted, "count")])
    here = validate(planted, tmp_path / "here")
    quality.start_validator()
    try:
        pid = quality._validator.call(os.getpid)
        there = validate(planted, tmp_path / "there")
    finally:
        quality.stop_validator()
    assert pid != os.getpid() and quality._validator is None
    assert not os.path.exists(f"/proc/{pid}")  # stopped and reaped, not left behind
    assert [(o.suite, o.expectation, o.success, o.unexpected_count) for o in there.outcomes] == \
        [(o.suite, o.expectation, o.success, o.unexpected_count) for o in here.outcomes]
    assert not there.success and there.flagged_figures == here.flagged_figures == 1
    assert there.data_docs == tmp_path / "there" / "index.html" and there.data_docs.exists()


def test_a_call_the_validator_was_left_to_finish_that_fails_is_one_warning_when_it_stops(capsys):
    """The Data Docs are rendered after the outcomes are back; if that fails the run says so, and ends."""
    from fazhi import quality

    validator = quality._ValidatorProcess()
    validator.call_later("reading a number", int, "not a number")
    validator.close()
    assert capsys.readouterr().err.splitlines() == [
        "warning: reading a number failed: ValueError: invalid literal for int() with base 10: 'not a number'"]
    assert validator.pending == []
