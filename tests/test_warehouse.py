"""The warehouse's schema: applied from sql/ in one transaction, again and again."""
from __future__ import annotations

import duckdb
import pytest

from fazhi import warehouse as wh


def objects(con: duckdb.DuckDBPyConnection) -> set[str]:
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables() where not internal").fetchall()}
    views = {r[0] for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
    return tables | views


def test_schema_applies_twice_to_the_same_objects(tmp_path):
    con = wh.connect(tmp_path / "w.duckdb")
    wh.apply_schema(con)
    first = objects(con)
    wh.apply_schema(con)
    assert objects(con) == first and {"documents", "figures", "figures_clean", "metric_catalog"} <= first


def test_a_failing_schema_file_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch):
    good = tmp_path / "a_good.sql"
    good.write_text("create table made_before_the_error (x integer);", encoding="utf-8")
    bad = tmp_path / "b_bad.sql"
    bad.write_text("create table broken (x no_such_type);", encoding="utf-8")
    monkeypatch.setattr(wh, "sql_files", lambda: [good, bad])
    con = wh.connect(tmp_path / "w.duckdb")
    with pytest.raises(duckdb.Error):
        wh.apply_schema(con)
    assert "made_before_the_error" not in objects(con)
