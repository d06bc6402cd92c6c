"""Extraction on the shared development set and the seeds, scored by the spec's rules: floors that keep what
the context and tables work reached (these sets were worked on, so read the numbers as regression floors; the
first runs on them, before the work, are in the README)."""
from __future__ import annotations

from pathlib import Path

import pytest

from fazhi.evaluate import read_gold, score
from fazhi.predict import predict

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

# (corpus, gold, floors): F1, record score, then org, period and metric over matched figures.
SETS = [
    ("dev", dict(f1=0.97, records=0.84, org=0.95, period_text=0.92, metric=0.94)),
    ("seeds", dict(f1=0.99, records=0.86, org=0.88, period_text=0.93, metric=0.97)),
]


@pytest.mark.parametrize("name,floors", SETS)
def test_scores_stay_above_their_floors(name, floors):
    corpus, gold = SHARED / "corpus" / name, SHARED / "gold" / f"{name}.jsonl"
    if not corpus.is_dir() or not gold.exists():
        pytest.skip(f"needs ../shared/corpus/{name} and ../shared/gold/{name}.jsonl (present in CI, not in a clone)")
    result = score(predict(corpus), read_gold(gold))
    got = {"f1": result.f1, "records": result.records, **{k: result.attributes[k] for k in ("org", "period_text",
                                                                                                "metric")}}
    low = {k: round(v, 3) for k, v in got.items() if v < floors[k]}
    assert not low, f"{name}: below the floor: {low} (floors {floors})"
