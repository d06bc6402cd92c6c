"""`fazhi sql` and `fazhi export` on the sample warehouse: output formats, one-line errors, read-only, export layout."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import duckdb
import pytest
from click.testing import CliRunner

from fazhi import warehouse as wh
from fazhi.cli import cli


def fazhi(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def count(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_sql_prints_a_table(sample_warehouse):
    result = fazhi("sql", "select metric_id, name from metric_catalog where metric_id = 'closure_rate'",
                   "--warehouse", sample_warehouse)
    assert result.exit_code == 0, result.output
    assert "closure_rate" in result.stdout and "结案率" in result.stdout and "┌" in result.stdout


def test_sql_csv_and_json_hold_every_row_the_query_returns(sample_warehouse):
    query = "select figure_id, surface, value, period_start, metric_id from figures order by figure_id"
    expected = count(sample_warehouse, "select count(*) from figures")
    as_csv = fazhi("sql", query, "--csv", "--warehouse", sample_warehouse)
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == expected and set(rows[0]) == {"figure_id", "surface", "value", "period_start", "metric_id"}
    as_json = fazhi("sql", query, "--json", "--warehouse", sample_warehouse)
    assert as_json.exit_code == 0, as_json.output
    records = json.loads(as_json.stdout)
    assert len(records) == expected
    assert [r["figure_id"] for r in records] == [r["figure_id"] for r in rows]
    assert all(isinstance(r["value"], float) for r in records)


def test_sql_json_writes_dates_and_lists_as_json(sample_warehouse):
    result = fazhi("sql", "select date '2020-12-31' as day, ['a', 'b'] as names, 1.50::decimal(4, 2) as d",
                   "--json", "--warehouse", sample_warehouse)
    assert json.loads(result.stdout) == [{"day": "2020-12-31", "names": ["a", "b"], "d": 1.5}]


def test_sql_from_a_file_prints_the_last_statements_rows(sample_warehouse, tmp_path):
    script = tmp_path / "q.sql"
    script.write_text("-- two statements\nselect 1 as first;\nselect count(*) as metrics from metric_catalog;\n",
                      encoding="utf-8")
    result = fazhi("sql", "-f", script, "--csv", "--warehouse", sample_warehouse)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "metrics"
    assert int(result.stdout.splitlines()[1]) == count(sample_warehouse, "select count(*) from metric_catalog")


def test_sql_reads_stdin_when_no_query_is_given(sample_warehouse):
    result = fazhi("sql", "--csv", "--warehouse", sample_warehouse, input="select 42 as answer")
    assert result.stdout == "answer\n42\n"


@pytest.mark.parametrize("query, message", [
    ("selec 1", 'error: Parser Error: syntax error at or near "selec"'),
    ("select * from figurs", "error: Catalog Error: Table with name figurs does not exist!"),
])
def test_a_bad_query_is_one_line_and_exit_1(sample_warehouse, query, message):
    result = fazhi("sql", query, "--warehouse", sample_warehouse)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output


def test_sql_cannot_change_the_warehouse(sample_warehouse):
    before = count(sample_warehouse, "select count(*) from figures")
    result = fazhi("sql", "delete from figures", "--warehouse", sample_warehouse)
    assert result.exit_code == 1 and "read-only" in result.stderr
    assert count(sample_warehouse, "select count(*) from figures") == before


@pytest.mark.parametrize("statement, target", [
    ("copy (select 'x') to '{warehouse}'", "warehouse"),
    ("copy (select 'x') to '{other}'", "other"),
    ("select * from read_text('/etc/passwd')", None),
    ("attach '{other}' as o (read_only false); create table o.t as select 1", "other"),
    ("install httpfs", None),
    ("set enable_external_access = true", None),
])
def test_sql_reaches_nothing_but_the_warehouse(sample_warehouse, tmp_path, statement, target):
    path = tmp_path / "fazhi.duckdb"
    shutil.copyfile(sample_warehouse, path)
    other = tmp_path / "other.txt"
    other.write_text("the user's", encoding="utf-8")
    before = {p: p.read_bytes() for p in (path, other)}
    result = fazhi("sql", statement.format(warehouse=path, other=other), "--warehouse", path)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in (path, other)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fazhi.duckdb", "other.txt"]


def test_sql_with_allow_files_writes_where_asked(sample_warehouse, tmp_path):
    out = tmp_path / "clean.csv"
    blocked = fazhi("sql", f"copy (select 1 as n) to '{out}'", "--warehouse", sample_warehouse)
    assert blocked.exit_code == 1 and "--allow-files" in blocked.stderr and not out.exists()
    allowed = fazhi("sql", f"copy (select 1 as n) to '{out}'", "--allow-files", "--warehouse", sample_warehouse)
    assert allowed.exit_code == 0, allowed.output
    assert out.read_text(encoding="utf-8").split() == ["n", "1"]


def test_a_missing_warehouse_is_one_line(tmp_path):
    result = fazhi("sql", "select 1", "--warehouse", tmp_path / "none.duckdb")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"error: warehouse {tmp_path / 'none.duckdb'} does not exist: "
                                                  "run `fazhi run` first"]


def test_query_and_file_together_are_refused(sample_warehouse, tmp_path):
    script = tmp_path / "q.sql"
    script.write_text("select 1", encoding="utf-8")
    result = fazhi("sql", "select 2", "-f", script, "--warehouse", sample_warehouse)
    assert result.exit_code == 1 and "not both" in result.stderr


def test_while_a_run_writes_the_warehouse_sql_reads_the_snapshot_or_says_why_not(sample_warehouse, tmp_path):
    path = tmp_path / "fazhi.duckdb"
    shutil.copyfile(sample_warehouse, path)
    writer = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); sys.stdin.read()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        locked = fazhi("sql", "select count(*) from figures", "--warehouse", path)
        assert locked.exit_code == 1
        assert len(locked.stderr.strip().splitlines()) == 1
        assert f"error: warehouse {path} is being written by" in locked.stderr
        shutil.copyfile(sample_warehouse, wh.snapshot_path(path))
        snapshot = fazhi("sql", "select count(*) as n from figures", "--csv", "--warehouse", path)
        assert snapshot.exit_code == 0, snapshot.output
        assert "reading the snapshot" in snapshot.stderr
        assert int(snapshot.stdout.splitlines()[1]) == count(sample_warehouse, "select count(*) from figures")
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)


def test_export_parquet_partitions_figures_by_year_and_reads_back_whole(sample_warehouse, tmp_path):
    dest = tmp_path / "out"
    result = fazhi("export", dest, "--warehouse", sample_warehouse)
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()]
        by_year = dict(con.execute("select coalesce(period_year(period_start, period_end, period_text)::varchar, "
                                   "'__HIVE_DEFAULT_PARTITION__'), count(*) from figures group by 1").fetchall())
        for table in tables:
            path = dest / table if table in ("figures", "documents") else dest / f"{table}.parquet"
            assert path.exists(), table
            pattern = f"{path}/**/*.parquet" if path.is_dir() else str(path)
            exported = con.execute(f"select count(*) from read_parquet('{pattern}')").fetchone()[0]
            assert exported == con.execute(f"select count(*) from {table}").fetchone()[0], table
        partitions = {p.name.removeprefix("year="): p for p in (dest / "figures").iterdir()}
        assert set(partitions) == set(by_year)
        for year, rows in by_year.items():
            assert con.execute(f"select count(*) from read_parquet('{partitions[year]}/*.parquet')").fetchone()[0] == rows
    finally:
        con.close()
    # A second export replaces the first rather than adding to it.
    assert fazhi("export", dest, "--overwrite", "--warehouse", sample_warehouse).exit_code == 0
    assert count(sample_warehouse, f"select count(*) from read_parquet('{dest}/figures/**/*.parquet')") == \
        count(sample_warehouse, "select count(*) from figures")


def test_export_csv_with_views(sample_warehouse, tmp_path):
    dest = tmp_path / "csv"
    result = fazhi("export", dest, "--format", "csv", "--views", "--warehouse", sample_warehouse)
    assert result.exit_code == 0, result.output
    assert (dest / "figures_enriched.csv").exists() and (dest / "metric_catalog.csv").exists()
    rows = count(sample_warehouse, f"select count(*) from read_csv('{dest}/figures/**/*.csv', hive_partitioning = true)")
    assert rows == count(sample_warehouse, "select count(*) from figures")
    assert "read back with" in result.stdout


USER_FILES = ("documents/thesis.docx", "figures/plot.png", "notes.txt", "figures/year=2020/mine.txt")


def test_export_refuses_a_folder_that_is_not_empty_and_keeps_user_files_with_overwrite(sample_warehouse, tmp_path):
    dest = tmp_path / "out"
    for rel in USER_FILES:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(f"the user's {rel}", encoding="utf-8")
    refused = fazhi("export", dest, "--warehouse", sample_warehouse)
    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines() == [
        f"error: export folder {dest} is not empty: pass --overwrite to replace the files of an earlier export "
        "there (only those listed in its .fazhi-export.json), or choose a new folder"]
    for _ in range(2):  # the second time replaces the first export's files
        result = fazhi("export", dest, "--overwrite", "--warehouse", sample_warehouse)
        assert result.exit_code == 0, result.output
        for rel in USER_FILES:
            assert (dest / rel).read_text(encoding="utf-8") == f"the user's {rel}"
        assert count(sample_warehouse, f"select count(*) from read_parquet('{dest}/figures/**/*.parquet')") == \
            count(sample_warehouse, "select count(*) from figures")
    assert not list(dest.glob(".fazhi-export-*"))


def test_export_stops_before_replacing_a_user_file_where_it_would_write(sample_warehouse, tmp_path):
    dest = tmp_path / "out"
    (dest / "runs.parquet").parent.mkdir(parents=True)
    (dest / "runs.parquet").write_text("the user's", encoding="utf-8")
    result = fazhi("export", dest, "--overwrite", "--warehouse", sample_warehouse)
    assert result.exit_code == 1
    assert f"{dest / 'runs.parquet'} is not a file fazhi exported" in result.stderr
    assert (dest / "runs.parquet").read_text(encoding="utf-8") == "the user's"
    assert sorted(p.name for p in dest.iterdir()) == ["runs.parquet"]
