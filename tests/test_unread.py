"""Numbers seen but not read are counted per document in documents.n_unread."""
from __future__ import annotations

import duckdb

from fazhi.core import process_files
from fazhi.warehouse import SQL_DIR, apply_schema


def test_each_document_counts_its_unread_numbers(tmp_path):
    (tmp_path / "a.txt").write_text("本院受理三四百件,结案率负3.9%,审结431件。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("本院受理案件431件。", encoding="utf-8")
    batch = process_files(sorted(tmp_path.glob("*.txt")), tmp_path)
    counts = {d["source_name"]: d["n_unread"] for d in batch.documents}
    assert counts == {"a.txt": 2, "b.txt": 0}
    assert [f["surface"] for f in batch.figures if f["doc_id"] == batch.documents[0]["doc_id"]] == ["431件"]


def test_the_column_is_documented_and_added_to_an_older_warehouse():
    con = duckdb.connect()
    create = (SQL_DIR / "tables" / "01_documents.sql").read_text(encoding="utf-8").split(";")[0]
    older = create.replace("n_unread        integer,", "")  # the table as warehouses made before it had
    assert "n_unread" not in older
    con.execute(older)
    apply_schema(con)
    comment = con.execute("select comment from duckdb_columns() where table_name = 'documents' "
                          "and column_name = 'n_unread'").fetchone()
    assert comment and "not read with certainty" in comment[0]
