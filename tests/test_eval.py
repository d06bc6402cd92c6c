"""`fazhi eval`: the spec's scoring of a warehouse against a gold file."""
from __future__ import annotations

import json

import duckdb
import pytest
from click.testing import CliRunner

from conftest import SHARED
from fazhi.cli import cli
from fazhi.evaluate import score


def gold_row(**kw):
    base = {"doc": "a.txt", "start": 0, "value": 1, "unit": "件", "kind": "count", "approx": "exact",
            "direction": None, "value_max": None, "metric": None, "org": None, "period_text": None, "tier": "core"}
    return {**base, **kw}


def test_score_counts_matches_misses_and_false_positives():
    golds = [gold_row(value=431, start=10, metric="案件"), gold_row(value=95.74, unit="%", kind="rate", start=30),
             gold_row(value=2, unit="名", start=50, tier="optional")]
    preds = [dict(gold_row(value=431, start=12, metric="打击案件"), surface="431件"),
             dict(gold_row(value=7, start=70), surface="7件")]
    s = score(preds, golds)
    assert (s.core_gold, s.core_found, s.predicted, len(s.spurious)) == (2, 1, 2, 1)
    assert s.precision == 0.5 and s.recall == 0.5 and s.f1 == 0.5
    assert s.records == 0.5  # the match has every field right; metric is lenient (gold inside prediction)
    assert [g["value"] for g in s.missed] == [95.74]


def test_wrong_attributes_are_listed():
    s = score([gold_row(value=6.1, unit="pp", kind="change", direction="up")],
              [gold_row(value=6.1, unit="pp", kind="change", direction="down")])
    assert s.f1 == 1.0 and s.records == 0.0
    assert s.wrong[0][2] == ["direction"]


def test_eval_command_scores_the_sample_warehouse(sample_warehouse, tmp_path):
    gold = tmp_path / "gold.jsonl"
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    surface, value, unit = con.execute("select surface, value, unit from figures where surface = '431件'").fetchone()
    con.close()
    rows = [gold_row(doc="000_bda1f0a19c388d12.txt", value=value, unit=unit),
            gold_row(doc="000_bda1f0a19c388d12.txt", value=123456, unit="件")]
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(gold), "--warehouse", str(sample_warehouse)])
    assert result.exit_code == 0, result.output
    assert "MISSED     000_bda1f0a19c388d12.txt" in result.output and "123456" in result.output
    assert "core gold 2, found 1" in result.output
    low = CliRunner().invoke(cli, ["eval", str(gold), "--warehouse", str(sample_warehouse), "--quiet", "--min-f1", "0.99"])
    assert low.exit_code == 1
    assert "below --min-f1" in low.output


@pytest.mark.skipif(not (SHARED / "gold" / "seeds.jsonl").exists(), reason="needs ../shared/gold (the seeds' gold)")
def test_eval_on_the_shared_gold_reaches_the_issue_bar(sample_warehouse):
    gold = SHARED / "gold" / "seeds.jsonl"
    result = CliRunner().invoke(cli, ["eval", str(gold), "--warehouse", str(sample_warehouse), "--quiet",
                                      "--min-f1", "0.90"])
    assert result.exit_code == 0, result.output


def test_eval_errors_are_one_line(tmp_path, sample_warehouse):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc": "a.txt"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(bad), "--warehouse", str(sample_warehouse)])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {bad}:1: missing value, unit"
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(gold_row()), encoding="utf-8")
    missing = CliRunner().invoke(cli, ["eval", str(good), "--warehouse", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1
    assert missing.output.strip().startswith("error: warehouse") and "does not exist" in missing.output
