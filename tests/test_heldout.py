"""Generalization: the pure pipeline on held-out reports written in layouts and regions the seeds do not cover."""
from __future__ import annotations

from pathlib import Path

from fazhi.evaluate import read_gold, score
from fazhi.predict import predict

HELDOUT = Path(__file__).parent / "fixtures" / "heldout"


def test_heldout_reports_score_well():
    golds = read_gold(HELDOUT / "gold.jsonl")
    assert {g["doc"] for g in golds} == {p.name for p in HELDOUT.glob("*.txt")}
    s = score(predict(HELDOUT), golds)
    problems = [f"missed {g['doc']} {g['surface']}" for g in s.missed] + \
        [f"spurious {p['doc']} {p['surface']}" for p in s.spurious] + \
        [f"wrong {g['doc']} {g['surface']}: {', '.join(a)}" for _, g, a in s.wrong]
    assert s.core_gold >= 140
    assert s.f1 >= 0.95, problems
    assert s.records >= 0.85, problems
