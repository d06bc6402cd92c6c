"""Extract figures from a folder without Prefect or a warehouse, as JSONL (a dry run of the text stages).

    python -m flows.predict INPUT_DIR OUT.jsonl
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .core import process_files
from .ingest import discover


def predict(root: Path) -> list[dict]:
    """Figures of every file under root, each with a `doc` key naming its file (the scorer's format)."""
    paths, _ = discover(root)
    batch = process_files(paths, root)
    names = {d["doc_id"]: Path(d["source_name"]).name for d in batch.documents}
    rows = []
    for f in batch.figures:
        row = {"doc": names[f["doc_id"]], "start": f["char_start"], **f}
        for k, v in row.items():
            if hasattr(v, "isoformat"):
                row[k] = v.isoformat()
        rows.append(row)
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows = predict(Path(argv[0]))
    with open(argv[1], "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} figures -> {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
