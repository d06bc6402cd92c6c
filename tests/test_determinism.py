"""The same reports give the same figures in every process, whatever Python's string hash seed."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT

# Recombined from sample paragraphs (as bench/corpus.py does): two organizations tie for the document's subject
# and two equally long full names compete for a short one, which once went by set order.
FIXTURE = ROOT / "tests" / "fixtures" / "determinism"


def figures_with_hash_seed(seed: int, out) -> str:
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    subprocess.run([sys.executable, "-m", "fazhi.predict", str(FIXTURE), str(out)], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return out.read_text(encoding="utf-8")


def test_figures_do_not_depend_on_the_hash_seed(tmp_path):
    outputs = {seed: figures_with_hash_seed(seed, tmp_path / f"{seed}.jsonl") for seed in (1, 2, 3)}
    assert outputs[1].count("\n") >= 5
    assert outputs[1] == outputs[2] == outputs[3]
