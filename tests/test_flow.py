"""The real flow on the sample corpus into a temporary DuckDB, under the Prefect test harness."""
from __future__ import annotations

import shutil

import duckdb

from conftest import SAMPLE

TABLES = ("documents", "sentences", "tokens", "figures")


def counts(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def test_flow_loads_every_sample_document(sample_warehouse):
    n = counts(sample_warehouse)
    assert n["documents"] == len(list(SAMPLE.iterdir())) == 5
    assert n["sentences"] > 200 and n["tokens"] > 5000 and n["figures"] > 150
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    scripts = dict(con.execute("select source_name, script from documents").fetchall())
    assert scripts["003_c5e778148cb5c6bc.txt"] == scripts["004_2c4a4f037c1cabee.txt"] == "traditional"
    assert scripts["000_bda1f0a19c388d12.txt"] == "simplified"
    run = con.execute("select status, files_seen, docs_loaded, docs_failed from runs").fetchall()
    assert run == [("completed", 5, 5, 0)]


def test_every_figure_is_found_at_its_offsets_in_the_stored_text(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    rows = con.execute("select d.text, f.char_start, f.char_end, f.surface from figures f "
                       "join documents d using (doc_id)").fetchall()
    assert rows
    bad = [(s, e, surface) for text, s, e, surface in rows if text[s:e] != surface]
    assert bad == []
    sql_bad = con.execute("select count(*) from figures f join documents d using (doc_id) "
                          "where substr(d.text, f.char_start + 1, f.char_end - f.char_start) <> f.surface").fetchone()
    assert sql_bad == (0,)


def test_sentences_and_tokens_point_into_the_text(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    for table, column in (("sentences", "text"), ("tokens", "token")):
        bad = con.execute(f"select count(*) from {table} x join documents d using (doc_id) "
                          f"where substr(d.text, x.char_start + 1, x.char_end - x.char_start) <> x.{column}").fetchone()
        assert bad == (0,), table


def test_raw_offset_macro_maps_figures_back_to_the_raw_text(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    rows = con.execute("select f.surface, d.raw_text, raw_offset(d.offset_map, f.char_start) from figures f "
                       "join documents d using (doc_id) where d.script = 'simplified' "
                       "and regexp_matches(f.surface, '^[0-9]')").fetchall()
    assert rows
    assert all(raw[pos] == surface[0] for surface, raw, pos in rows)


def test_second_run_is_idempotent_and_a_changed_file_replaces_its_rows(prefect_harness, sample_warehouse, tmp_path):
    from fazhi.flows.pipeline import etl

    db = tmp_path / "fazhi.duckdb"
    shutil.copy(sample_warehouse, db)
    before = counts(db)
    summary = etl(input_dir=str(SAMPLE), warehouse=str(db))
    assert summary["skipped"] == 5 and summary["loaded"] == 0
    assert counts(db) == before

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    changed = corpus / "000_bda1f0a19c388d12.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n另据统计,全市法院新收案件1234件。\n", encoding="utf-8")
    summary = etl(input_dir=str(corpus), warehouse=str(db))
    assert summary["loaded"] == 1 and summary["skipped"] == 4
    after = counts(db)
    assert after["documents"] == 5
    assert after["figures"] == before["figures"] + 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from figures where surface = '1234件'").fetchone() == (1,)
    assert con.execute("select count(distinct doc_id) from documents").fetchone() == (5,)


def test_every_figure_org_is_classified_in_orgs(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    unclassified = con.execute("select distinct org from figures where org is not null "
                               "and org not in (select name from orgs)").fetchall()
    assert unclassified == []
    row = con.execute("select org_type, level, place from orgs where name = '台州市中级人民法院'").fetchone()
    assert row == ("court", "prefectural", "台州市")
