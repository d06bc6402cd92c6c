"""The analyst layer: views, the metric catalog and its mapping, and the README's questions, on real warehouses."""
from __future__ import annotations

import re
from datetime import datetime

import duckdb
import pytest

from conftest import ROOT
from fazhi import warehouse as wh
from fazhi.catalog import CatalogError, MetricMatcher, load_catalog, metric_id_for, normalize_label
from fazhi.warehouse import sync_metric_catalog

VIEW_FILES = sorted((ROOT / "sql" / "views").glob("*.sql"))
MY_VIEWS = ("figures_enriched", "rates_by_org_period", "changes_with_baseline", "organizations", "document_coverage")


@pytest.fixture(scope="module")
def sample(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture
def empty_warehouse(tmp_path):
    """A warehouse with the schema applied and no documents, open for writing."""
    con = wh.connect(tmp_path / "w.duckdb")
    wh.apply_schema(con)
    yield con
    con.close()


def add_document(con, doc_id: str, text: str, sentences: list[str], figures: list[dict]) -> None:
    """Insert a tiny document, its sentences and its figures as the loader would."""
    con.execute("insert into documents (doc_id, source_name, text, raw_text, n_chars, offset_map) values (?, ?, ?, ?, ?, ?)",
                [doc_id, f"{doc_id}.txt", text, text, len(text), [{"norm": 0, "raw": 0}]])
    start = 0
    for i, sentence in enumerate(sentences):
        start = text.index(sentence, start)
        con.execute("insert into sentences values (?, ?, ?, ?, ?)", [doc_id, i, start, start + len(sentence), sentence])
    for n, f in enumerate(figures):
        begin = text.index(f["surface"])
        sentence_index = next(i for i, s in enumerate(sentences) if f["surface"] in s)
        row = {"doc_id": doc_id, "figure_id": f"{doc_id}-{n}", "char_start": begin, "char_end": begin + len(f["surface"]),
               "sentence_index": sentence_index, "approx": "exact", **f}
        row.setdefault("metric_id", metric_id_for(row.get("metric"), row["kind"], row["unit"]))
        names = ", ".join(row)
        con.execute(f"insert into figures ({names}) values ({', '.join('?' for _ in row)})", list(row.values()))


# --- view files ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", VIEW_FILES, ids=[p.name for p in VIEW_FILES])
def test_each_view_file_creates_one_view_and_comments_it(path):
    sql = path.read_text(encoding="utf-8")
    created = re.findall(r"create or replace view (\w+)", sql, re.I)
    assert len(created) == 1, path.name
    assert re.search(rf"comment on view {created[0]} is '", sql, re.I), f"{path.name} has no comment on view"


def test_every_view_runs_on_the_sample_warehouse_and_has_a_comment(sample):
    views = dict(sample.execute(
        "select view_name, comment from duckdb_views() where schema_name = 'main' and not internal").fetchall())
    assert set(MY_VIEWS) <= set(views)
    for name, comment in views.items():
        assert comment, f"view {name} has no comment"
        sample.execute(f"select * from {name}").fetchall()  # binds and runs every column
    assert sample.execute("select count(*) from figures_enriched").fetchone()[0] == \
        sample.execute("select count(*) from figures").fetchone()[0] > 0


def test_figures_enriched_gives_each_figure_its_document_sentence_and_context(sample):
    rows = sample.execute("select surface, sentence, context, source_name from figures_enriched").fetchall()
    assert rows
    for surface, sentence, context, source_name in rows:
        assert surface in context and surface in sentence and source_name.endswith(".txt")


def test_rates_by_org_period_merges_repeats_and_keeps_the_first_value(empty_warehouse):
    con = empty_warehouse
    text = "2020年,全市法院结案率95.74%。全市法院结案率95.74%。2021年,全市法院结案率96.1%。"
    add_document(con, "a", text, ["2020年,全市法院结案率95.74%。", "全市法院结案率95.74%。", "2021年,全市法院结案率96.1%。"], [
        {"surface": "95.74%", "value": 95.74, "unit": "%", "kind": "rate", "metric": "结案率", "org": "全市法院",
         "period_text": "2020年"},
        {"surface": "96.1%", "value": 96.1, "unit": "%", "kind": "rate", "metric": "结案率", "org": "全市法院",
         "period_text": "2021年"},
    ])
    # The repeat of the 2020 figure in the second sentence.
    again = text.index("95.74%", text.index("95.74%") + 1)
    con.execute("insert into figures select * replace ('a-9' as figure_id, ? as char_start, ? as char_end, "
                "1 as sentence_index) from figures where figure_id = 'a-0'", [again, again + 6])
    rows = con.execute("select year, metric_id, metric, value, mentions, values_agree from rates_by_org_period "
                       "order by year").fetchall()
    assert rows == [(2020, "closure_rate", "结案率", 95.74, 2, True), (2021, "closure_rate", "结案率", 96.1, 1, True)]


def test_changes_are_paired_with_the_level_just_before_them(empty_warehouse):
    con = empty_warehouse
    sentences = ["2020年,结案率达95.74%,同比提高1.88个百分点。",
                 "执行结案平均用时99.52天,比全省平均值(113.09天)少13.57天。",
                 "受理案件2000件,同比上升25%。",
                 "送达成功率87.79%,为全省128家法院提供经验,执行到位率同比提高17.81%。",
                 "建成科技法庭109个,节省庭审时间40%。"]
    add_document(con, "c", "".join(sentences), sentences, [
        {"surface": "95.74%", "value": 95.74, "unit": "%", "kind": "rate", "metric": "结案率"},
        {"surface": "1.88个百分点", "value": 1.88, "unit": "pp", "kind": "change", "direction": "up", "baseline": "同比"},
        {"surface": "99.52天", "value": 99.52, "unit": "天", "kind": "duration", "metric": "执行结案平均用时"},
        {"surface": "113.09天", "value": 113.09, "unit": "天", "kind": "duration", "metric": "全省平均值"},
        {"surface": "13.57天", "value": 13.57, "unit": "天", "kind": "change", "direction": "down"},
        {"surface": "2000件", "value": 2000, "unit": "件", "kind": "count", "metric": "受理案件"},
        {"surface": "25%", "value": 25, "unit": "%", "kind": "change", "direction": "up", "metric": "受理案件"},
        {"surface": "87.79%", "value": 87.79, "unit": "%", "kind": "rate", "metric": "送达成功率"},
        {"surface": "128家", "value": 128, "unit": "家", "kind": "count", "metric": "为全省"},
        {"surface": "17.81%", "value": 17.81, "unit": "%", "kind": "change", "direction": "up", "metric": "执行到位率"},
        {"surface": "109个", "value": 109, "unit": "个", "kind": "count", "metric": "建成科技法庭"},
        {"surface": "40%", "value": 40, "unit": "%", "kind": "change", "direction": "down", "metric": "节省庭审时间"},
    ])
    rows = {r[0]: r[1:] for r in con.execute(
        "select surface, signed_change, level_surface, baseline_value from changes_with_baseline").fetchall()}
    assert rows["1.88个百分点"] == (1.88, "95.74%", 93.86)
    # The bracketed figure is the comparison point, not the level.
    assert rows["13.57天"] == (-13.57, "99.52天", 113.09)
    assert rows["25%"] == (25, "2000件", 1600)
    # A count of courts is not the level of a rate's change.
    assert rows["17.81%"] == (17.81, None, None)
    # Nor is a count of something else the level of a change labelled with its own measure.
    assert rows["40%"] == (-40, None, None)


def test_document_coverage_counts_digit_sentences_without_figures_but_not_dates(empty_warehouse):
    con = empty_warehouse
    sentences = ["2020年5月20日,召开推进会。", "全年共办理案件1200件。", "另有37个单位参加。", "会议于08:30开始。"]
    add_document(con, "d", "".join(sentences), sentences, [
        {"surface": "1200件", "value": 1200, "unit": "件", "kind": "count", "metric": "办理案件"}])
    con.execute("insert into figure_issues (run_id, doc_id, figure_id, expectation, recorded_at) values "
                "('r', 'd', 'd-0', 'value_in_range', ?), ('r', 'd', 'd-0', 'has_metric', ?)", [datetime.now()] * 2)
    row = con.execute("select sentences, figures, flagged, sentences_with_figures, digit_sentences_without_figure "
                      "from document_coverage where doc_id = 'd'").fetchone()
    assert row == (4, 1, 1, 1, 1)


def test_document_coverage_has_one_row_per_document_with_its_figures(sample):
    rows = sample.execute("select c.figures, d.n_figures, c.flagged, (select count(distinct figure_id) "
                          "from figure_issues i where i.doc_id = d.doc_id) from document_coverage c "
                          "join documents d using (doc_id)").fetchall()
    assert len(rows) == sample.execute("select count(*) from documents").fetchone()[0]
    for figures, n_figures, flagged, issues in rows:
        assert figures == n_figures and flagged == issues


def test_organizations_has_one_row_per_canonical_org_with_its_names(empty_warehouse):
    con = empty_warehouse
    con.execute("insert into orgs (name, org, org_type, level, place) values "
                "('台州中院', '台州市中级人民法院', 'court', 'prefectural', '台州市'), "
                "('台州市中级人民法院', '台州市中级人民法院', 'court', 'prefectural', '台州市')")
    sentences = ["2020年,台州中院受理案件431件。", "台州市中级人民法院审结案件260件。", "某某中心处理80件。"]
    add_document(con, "o", "".join(sentences), sentences, [
        {"surface": "431件", "value": 431, "unit": "件", "kind": "count", "metric": "受理案件", "org": "台州中院",
         "period_text": "2020年"},
        {"surface": "260件", "value": 260, "unit": "件", "kind": "count", "metric": "审结案件", "org": "台州市中级人民法院"},
        {"surface": "80件", "value": 80, "unit": "件", "kind": "count", "metric": "处理", "org": "某某中心"}])
    rows = con.execute("select org, org_type, level, place, names, figures, metrics, first_year from organizations "
                       "order by org").fetchall()
    assert rows == [("台州市中级人民法院", "court", "prefectural", "台州市", ["台州中院", "台州市中级人民法院"], 2, 2, 2020),
                    ("某某中心", None, None, None, ["某某中心"], 1, 0, None)]


# --- the metric catalog -------------------------------------------------------------------------------------------

REQUIRED_TERMS = ("结案率", "法定审限内结案率", "执行到位率", "实际执结率", "认罪认罚从宽制度适用率", "适用比例", "服判息诉率",
                  "诉前调解成功率", "平均审理天数", "受理案件", "审结案件", "立案", "批捕", "起诉", "破案", "刑事案件发案",
                  "法律援助", "人民调解")


def test_catalog_has_forty_metrics_across_the_system_and_the_required_terms():
    metrics = load_catalog()
    assert len(metrics) >= 40
    assert {m.domain for m in metrics} >= {"court", "procuratorate", "police", "justice"}
    terms = " ".join(t for m in metrics for t in (m.name, *m.synonyms))
    for term in REQUIRED_TERMS:
        assert term in terms, term


def test_the_same_measure_written_two_ways_gets_one_metric_id():
    assert metric_id_for("认罪认罚适用比例", "rate", "%") == metric_id_for("认罪认罚从宽制度适用率", "rate", "%") \
        == "plea_leniency_rate"
    assert metric_id_for("法定期限内结案率", "rate", "%") == metric_id_for("法定审限内结案率", "rate", "%")
    assert metric_id_for("批捕", "count", "人") == metric_id_for("批准逮捕犯罪嫌疑人", "count", "人") == "arrests_approved"


def test_a_label_maps_by_its_head_and_never_by_a_term_in_its_middle():
    assert metric_id_for("全市法院一审服判息诉率", "rate", "%") == "acceptance_rate"
    assert metric_id_for("有财产可供执行案件法定期限内实际执结率", "rate", "%") == "exec_actual_rate"
    assert metric_id_for("首次执行案件实际执结率提升", "change", "%") == "exec_first_actual_rate"
    assert metric_id_for("以涉嫌虚假诉讼罪移送公安的案件", "count", "件") is None
    assert metric_id_for("印制发放普法宣传册", "count", "份") is None


def test_a_label_maps_only_to_a_metric_of_the_figures_kind():
    assert metric_id_for("结案率", "rate", "%") == "closure_rate"
    assert metric_id_for("结案率", "change", "pp") == "closure_rate"
    assert metric_id_for("结案率", "count", "件") is None
    assert metric_id_for("结案", "count", "件") == "court_cases_closed"
    assert metric_id_for("结案", "change", "pp") is None
    assert metric_id_for("救助金", "amount", "元") == "judicial_assistance_amount"
    assert metric_id_for("司法救助", "count", "件") == "judicial_assistance_cases"


def test_labels_are_normalized_before_matching():
    assert normalize_label("“认罪认罚”适用比例稳定在") == "认罪认罚适用比例"
    assert normalize_label("案-件比") == "案件比"
    assert normalize_label("共受理并审结涉黑恶案件369件") == "共受理并审结涉黑恶案件"
    assert normalize_label("民商事案件收案数同比") == "民商事案件收案"
    assert metric_id_for("平均审理天数缩短至", "duration", "天") == "avg_trial_days"
    assert metric_id_for(None, "rate", "%") is None


def test_a_catalog_naming_one_term_for_two_metrics_of_a_kind_is_refused(tmp_path):
    bad = tmp_path / "catalog.csv"
    bad.write_text("metric_id,name,name_en,domain,kind,synonyms,description\n"
                   "a_rate,甲率,a,court,rate,甲率|乙率,x\n"
                   "b_rate,丙率,b,court,rate,乙率,y\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="line 3: 乙率 already names a_rate"):
        load_catalog(bad)


def test_the_catalog_is_loaded_at_schema_time_and_a_change_remaps_loaded_figures(empty_warehouse):
    con = empty_warehouse
    assert con.execute("select count(*) from metric_catalog").fetchone()[0] == len(load_catalog())
    add_document(con, "m", "共批准逮捕12人。", ["共批准逮捕12人。"], [
        {"surface": "12人", "value": 12, "unit": "人", "kind": "count", "metric": "批准逮捕", "metric_id": None}])
    assert sync_metric_catalog(con) is False  # unchanged catalog: nothing rewritten
    metrics = load_catalog()
    smaller = [m for m in metrics if m.metric_id != "arrests_approved"]
    assert sync_metric_catalog(con, smaller) is True
    assert con.execute("select metric_id from figures").fetchone()[0] is None
    assert sync_metric_catalog(con, metrics) is True
    assert con.execute("select metric_id from figures").fetchone()[0] == "arrests_approved"


def test_matcher_works_on_a_catalog_of_its_own():
    metrics = load_catalog()
    matcher = MetricMatcher([m for m in metrics if m.domain == "police"])
    assert matcher.match("全市公安机关破案率", "rate", "%") == ("clearance_rate", "contained")
    assert matcher.match("破案率", "rate", "%") == ("clearance_rate", "synonym")
    assert matcher.match("结案率", "rate", "%") is None


def test_the_sample_warehouse_maps_labels_to_the_catalog(sample):
    mapped, labelled = sample.execute(
        "select count(metric_id), count(metric) from figures").fetchone()
    assert 0 < mapped <= labelled
    unknown = sample.execute("select count(*) from figures f where metric_id is not null and not exists "
                             "(select 1 from metric_catalog m where m.metric_id = f.metric_id)").fetchone()[0]
    assert unknown == 0


# --- the README's questions ---------------------------------------------------------------------------------------

def readme_questions() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Query the warehouse", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def test_the_readme_asks_at_least_eight_questions_with_outputs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Query the warehouse", 1)[1].split("\n## ", 1)[0]
    pairs = re.findall(r"```sql\n(.*?)```\n```\n(.*?)```", section, re.S)
    assert len(pairs) >= 8
    for sql, output in pairs:
        assert output.strip(), f"no output under {sql.splitlines()[0]!r}: run python -m bench.readme_queries"


@pytest.mark.parametrize("sql", readme_questions(), ids=lambda s: s.split("\n")[0][:40])
def test_every_readme_query_runs_on_the_sample_warehouse(sample, sql):
    sample.sql(sql).fetchall()
