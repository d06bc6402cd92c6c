"""The dry run `python -m fazhi.predict IN_DIR OUT.jsonl`: figures per input file, under that file's own name."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter

from conftest import ROOT, SAMPLE
from fazhi.predict import predict


def test_two_files_with_the_same_bytes_keep_their_own_names(tmp_path):
    source = sorted(SAMPLE.glob("*.txt"))[0]
    for name in ("a.txt", "b.txt"):
        shutil.copy(source, tmp_path / name)
    rows = predict(tmp_path)
    per_file = Counter(r["doc"] for r in rows)
    assert set(per_file) == {"a.txt", "b.txt"}
    assert per_file["a.txt"] == per_file["b.txt"] > 0
    assert [r["surface"] for r in rows if r["doc"] == "a.txt"] == [r["surface"] for r in rows if r["doc"] == "b.txt"]


def test_cli_writes_one_figure_per_line(tmp_path):
    shutil.copy(sorted(SAMPLE.glob("*.txt"))[0], tmp_path / "one.txt")
    out = tmp_path / "out.jsonl"
    done = subprocess.run([sys.executable, "-m", "fazhi.predict", str(tmp_path), str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and {r["doc"] for r in rows} == {"one.txt"}


def test_cli_names_a_missing_input_folder_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "fazhi.predict", str(tmp_path / "nope"), str(tmp_path / "o.jsonl")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"INPUT_DIR {tmp_path / 'nope'} is not a folder"]
