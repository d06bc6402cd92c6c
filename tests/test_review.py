"""The review site's files: highlights per figure in the raw text, flags, likely misses, charts, rebuild cost."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from conftest import SAMPLE
from fazhi import warehouse as wh
from fazhi.cli import cli
from fazhi.console import summary_lines
from fazhi.review import ReviewError, _spans_html, build_site, review_dir, site_line

SAMPLE_NAMES = sorted(p.name for p in SAMPLE.glob("*.txt"))
SCRIPT_REPORT = ("全市法院受理案件57876件,结案率95.74%。\n"
                 "<script>window.fazhiInjected = 1;</script><b>粗体</b> & 其他\n"
                 "2021年共办理案件3000件。\n")


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _page_data(soup: BeautifulSoup) -> dict:
    return json.loads(soup.find("script", id="figures").string)


@pytest.fixture(scope="module")
def sample_site(sample_warehouse, tmp_path_factory) -> Path:
    """The review site of the sample warehouse, built once."""
    out = tmp_path_factory.mktemp("review") / "site"
    con = wh.connect(sample_warehouse, read_only=True)
    try:
        build_site(con, out)
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def sample_rows(sample_warehouse) -> dict:
    """Per source file: the document row, its figures with raw offsets, and its coverage row."""
    con = wh.connect(sample_warehouse, read_only=True)
    try:
        docs = {r[1]: {"doc_id": r[0], "raw_text": r[2]} for r in con.execute(
            "select doc_id, source_name, raw_text from documents").fetchall()}
        for doc in docs.values():
            doc["figures"] = con.execute(
                "select figure_id, surface, raw_offset(d.offset_map, f.char_start), "
                "raw_offset(d.offset_map, f.char_end - 1) + 1 from figures f join documents d using (doc_id) "
                "where doc_id = ? order by char_start", [doc["doc_id"]]).fetchall()
            doc["misses"] = con.execute("select digit_sentences_without_figure from document_coverage "
                                        "where doc_id = ?", [doc["doc_id"]]).fetchone()[0]
        return docs
    finally:
        con.close()


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_document_page_shows_the_raw_text_with_one_highlight_per_figure(sample_site, sample_rows, name):
    doc = sample_rows[name]
    soup = _soup(sample_site / "documents" / f"{doc['doc_id']}.html")
    article = soup.find("article", id="text")
    assert article.get_text() == doc["raw_text"]  # the report as written, nothing added or lost
    marks = article.select("mark.fig")
    assert [m["id"] for m in marks] == [f"f-{f[0]}" for f in doc["figures"]]
    assert [m.get_text() for m in marks] == [doc["raw_text"][f[2]:f[3]] for f in doc["figures"]]
    assert len(_page_data(soup)["figures"]) == len(marks)
    assert len(article.select("span.miss")) == doc["misses"]  # as the view document_coverage counts them


def test_traditional_report_is_shown_as_written(sample_site, sample_rows):
    doc = sample_rows["003_c5e778148cb5c6bc.txt"]
    marks = {m.get_text() for m in _soup(sample_site / "documents" / f"{doc['doc_id']}.html").select("mark.fig")}
    assert "670萬余元" in marks and "670万余元" not in marks


def test_flagged_figure_carries_the_expectations_reason(sample_site, sample_rows):
    doc = sample_rows["003_c5e778148cb5c6bc.txt"]
    soup = _soup(sample_site / "documents" / f"{doc['doc_id']}.html")
    flagged = soup.select("mark.fig.flagged")
    assert [m.get_text() for m in flagged] == ["117.96%"]
    data = _page_data(soup)
    fields = {row[0]: row[1] for row in data["figures"][int(flagged[0]["data-i"])]["fields"]}
    assert fields["value"] == "117.96" and fields["kind"] == "rate"
    assert fields["flagged"].startswith("A rate is a share in percent, between 0 and 100.")
    assert fields["metric_id"].startswith("exec_sanction_rate")
    # what set org and period: the scope rule recorded in figures.context_rule
    why = {row[0]: data["by"][row[2]] for row in data["figures"][int(flagged[0]["data-i"])]["fields"] if row[2] >= 0}
    assert why["org"].startswith("scope rule ") and why["period"].startswith("scope rule ")


def test_index_links_the_failed_expectation_to_the_figure_it_flagged(sample_site, sample_rows):
    soup = _soup(sample_site / "index.html")
    assert len(soup.select("#documents tbody tr")) == len(SAMPLE_NAMES)
    failed = soup.select("#quality tr.failed")
    assert len(failed) == 1 and "expect_column_values_to_be_between" in failed[0].get_text()
    doc = sample_rows["003_c5e778148cb5c6bc.txt"]
    flagged_id = next(f[0] for f in doc["figures"] if f[1] == "117.96%")
    assert [a["href"] for a in failed[0].select("a")] == [f"documents/{doc['doc_id']}.html#f-{flagged_id}"]


def test_every_metric_with_figures_has_a_page_a_chart_and_a_row_per_figure(sample_site, sample_warehouse):
    con = wh.connect(sample_warehouse, read_only=True)
    try:
        counts = dict(con.execute("select metric_id, count(*) from figures where metric_id is not null "
                                  "group by 1").fetchall())
    finally:
        con.close()
    assert counts
    for metric_id, n in counts.items():
        soup = _soup(sample_site / "metrics" / f"{metric_id}.html")
        assert len(soup.select("#values tbody tr")) == n, metric_id
        assert soup.find("img")["src"] == f"{metric_id}.svg"
        svg = (sample_site / "metrics" / f"{metric_id}.svg").read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    index_links = {a["href"] for a in _soup(sample_site / "index.html").select("#metrics a")}
    assert index_links == {f"metrics/{m}.html" for m in counts}


def test_the_site_fetches_nothing_from_the_network(sample_site):
    remote = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I)
    files = [p for p in sample_site.rglob("*") if p.suffix in {".html", ".css", ".js", ".svg"}]
    assert len(files) > 10
    for path in files:
        assert not remote.search(path.read_text(encoding="utf-8")), path


def _script_warehouse(tmp_path: Path) -> Path:
    from fazhi.core import process_files

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "script.txt").write_text(SCRIPT_REPORT, encoding="utf-8")
    path = tmp_path / "script.duckdb"
    con = wh.connect(path)
    try:
        wh.apply_schema(con)
        wh.load_batch(con, "r1", process_files(sorted(corpus.iterdir()), corpus), {})
    finally:
        con.close()
    return path


def test_a_report_holding_markup_is_shown_as_text(tmp_path):
    path = _script_warehouse(tmp_path)
    con = wh.connect(path, read_only=True)
    try:
        build_site(con, tmp_path / "site")
    finally:
        con.close()
    page = next((tmp_path / "site" / "documents").glob("*.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;window.fazhiInjected" in page and "<b>" not in page
    assert page.count("<script") == 2  # the page's own data block and review.js, nothing from the report
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("article", id="text").get_text() == SCRIPT_REPORT
    assert "Not validated yet" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("spans, expected", [
    ([(0, 2, "<a>", "</a>"), (3, 5, "<b>", "</b>")], "<a>ab</a>c<b>de</b>f"),
    ([(0, 6, "<a>", "</a>"), (1, 3, "<b>", "</b>")], "<a>a<b>bc</b>def</a>"),   # nested
    ([(0, 3, "<a>", "</a>"), (2, 5, "<b>", "</b>")], "<a>ab<b>c</b></a>def"),   # overlapping: cut
    ([(2, 2, "<a>", "</a>")], "ab<a></a>cdef"),                                 # empty
    ([(4, 9, "<a>", "</a>")], "abcd<a>ef</a>"),                                  # past the end
])
def test_spans_each_become_one_element_and_keep_the_text(spans, expected):
    assert _spans_html("abcdef", spans) == expected


def test_spans_escape_the_text():
    assert _spans_html("<i>&", [(0, 3, "<m>", "</m>")]) == "<m>&lt;i&gt;</m>&amp;"


def _build(path: Path, out: Path):
    con = wh.connect(path, read_only=True)
    try:
        return build_site(con, out)
    finally:
        con.close()


# A change to the warehouse and which pages it must render again (documents by source file, metric pages by id).
REBUILDS = [
    ("nothing", [], [], []),
    ("a flag cleared", ["delete from figure_issues"], ["003_c5e778148cb5c6bc.txt"], ["exec_sanction_rate"]),
    ("a figure's metric re-mapped", ["update figures set metric_id = null where surface = '117.96%'"],
     ["003_c5e778148cb5c6bc.txt"], []),
    ("a document gone", ["delete from figures where doc_id = (select doc_id from documents where "
                         "source_name = '000_bda1f0a19c388d12.txt')",
                         "delete from documents where source_name = '000_bda1f0a19c388d12.txt'"], [], []),
]


@pytest.fixture(scope="module")
def built_once(sample_warehouse, tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the sample warehouse and its site, built once; tests copy both before changing them."""
    base = tmp_path_factory.mktemp("rebuild")
    shutil.copyfile(sample_warehouse, base / "copy.duckdb")
    first = _build(base / "copy.duckdb", base / "site")
    assert first.documents_rendered == first.documents == len(SAMPLE_NAMES)
    assert first.metrics_rendered == first.metrics > 0
    return base / "copy.duckdb", base / "site"


@pytest.mark.parametrize("label, statements, documents, metrics", REBUILDS, ids=[r[0] for r in REBUILDS])
def test_a_rebuild_renders_only_what_changed(built_once, tmp_path, label, statements, documents, metrics):
    path, out = tmp_path / "copy.duckdb", tmp_path / "site"
    shutil.copyfile(built_once[0], path)
    shutil.copytree(built_once[1], out)
    con = duckdb.connect(str(path))
    names = dict(con.execute("select doc_id, source_name from documents").fetchall())
    for sql in statements:
        con.execute(sql)
    con.close()
    second = _build(path, out)
    rendered_docs = sorted(names[Path(w).stem] for w in second.written if w.startswith("documents/"))
    rendered_metrics = sorted(Path(w).stem for w in second.written if w.startswith("metrics/"))
    assert rendered_docs == documents
    if label == "a figure's metric re-mapped":  # the metric lost its only figure: its page goes
        assert not (out / "metrics" / "exec_sanction_rate.html").exists()
        assert rendered_metrics == []
    else:
        assert rendered_metrics == metrics
    pages = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["pages"]
    gone = [d for d, n in names.items() if n == "000_bda1f0a19c388d12.txt"][0]
    assert (f"documents/{gone}.html" in pages) == (label != "a document gone")
    assert (out / "documents" / f"{gone}.html").exists() == (label != "a document gone")


def test_review_command_writes_the_site_and_says_where(sample_warehouse, tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["review", "--warehouse", str(sample_warehouse), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"review site {out / 'index.html'}: 5 documents (5 rendered, 0 unchanged)")
    assert (out / "index.html").exists()


@pytest.mark.parametrize("args, message", [
    (["--warehouse", "{tmp}/missing.duckdb"],
     "error: warehouse {tmp}/missing.duckdb does not exist: run `fazhi run` first"),
    (["--out", "{tmp}/a_file"], "error: --out {tmp}/a_file is a file, not a folder"),
])
def test_review_command_misuse_is_one_line_and_exit_1(sample_warehouse, tmp_path, args, message):
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    args = [a.format(tmp=tmp_path) for a in args]
    if "--warehouse" not in args:
        args += ["--warehouse", str(sample_warehouse)]
    result = CliRunner().invoke(cli, ["review", *args])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [message.format(tmp=tmp_path)]


def test_an_old_warehouse_is_named_not_a_traceback(tmp_path):
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).execute("create table documents (doc_id varchar)").close()
    con = wh.connect(path, read_only=True)
    try:
        with pytest.raises(ReviewError, match="made by an older fazhi"):
            build_site(con, tmp_path / "site")
    finally:
        con.close()


def test_the_run_summary_says_where_the_site_is(tmp_path):
    warehouse = tmp_path / "w" / "fazhi.duckdb"
    summary = {"seen": 1, "loaded": 1, "skipped": 0, "failed": 0, "figures": 2, "warehouse": str(warehouse),
               "seconds": 1.0, "run_id": "r", "quality": None}
    index = review_dir(warehouse) / "index.html"

    def site_row() -> str:
        return next(line for line in summary_lines(summary, 1.0) if line.startswith("review site"))

    assert site_row().split(None, 2)[2].strip() == f"`fazhi review --warehouse {warehouse}` writes {index}"
    index.parent.mkdir(parents=True)
    index.write_text("", encoding="utf-8")
    assert site_line(warehouse) == f"review site {index} (`fazhi review --warehouse {warehouse}` updates it)"
    assert site_row().split(None, 2)[2].strip() == f"{index} (`fazhi review --warehouse {warehouse}` updates it)"
