"""Extract figures from a folder without Prefect or a warehouse, as JSONL (a dry run of the text stages).

    python -m fazhi.predict INPUT_DIR OUT.jsonl
"""
from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from .core import process_documents
from .ingest import IngestError, discover, read_document
from .records import FileError


def predict(root: Path, problems: list[str] | None = None) -> list[dict]:
    """Figures of every file under root, each with a `doc` key naming its file (the scorer's format).

    Each document's figures keep the name of the file they came from, even where two files hold the same bytes
    (and so the same doc_id). A file that cannot be read or processed is named in problems, if given.
    """
    problems = [] if problems is None else problems
    paths, walk_problems = discover(root)
    problems.extend(f"{path}: {reason}" for path, reason in walk_problems)
    raws = []
    for path in paths:
        try:
            raws.append(read_document(path, root))
        except IngestError as err:
            problems.append(f"{path}: {err}")
    errors: list[FileError] = []
    rows = []
    for doc in process_documents(raws, defaultdict(float), errors):
        name = Path(doc["documents"][0]["source_name"]).name
        for f in doc["figures"]:
            row = {"doc": name, "start": f["char_start"], **f}
            for k, v in row.items():
                if hasattr(v, "isoformat"):
                    row[k] = v.isoformat()
            rows.append(row)
    problems.extend(f"{e.source_path}: {e.error}" for e in errors)
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = Path(argv[0])
    if not root.is_dir():
        print(f"INPUT_DIR {root} is not a folder", file=sys.stderr)
        return 2
    problems: list[str] = []
    rows = predict(root, problems)
    try:
        with open(argv[1], "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    except OSError as err:
        print(f"cannot write {argv[1]}: {err.strerror}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(f"{len(rows)} figures -> {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
