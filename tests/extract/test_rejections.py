"""Each rejection rule rejects its examples, and only it does; numbers that are figures pass every rule."""
from __future__ import annotations

import re

import pytest

from fazhi.extract import DocContext, extract_figures
from fazhi.extract.rejections import REJECTIONS, RULES, main
from fazhi.normalize import normalize

_MARK = re.compile(r"\[([^\]]*)\]")


def _run(text: str):
    norm = normalize(text)
    assert norm.text.strip() == text.strip(), "examples are written as normalized text"
    unread, rejected = [], []
    figures = extract_figures(norm.text, norm.sentences, DocContext(doc_id="t"), unread, rejected)
    return norm.text, figures, unread, rejected


@pytest.mark.parametrize("rule,example", [(r.name, e) for r in REJECTIONS for e in r.examples])
def test_each_example_is_rejected_by_exactly_its_rule(rule, example):
    mark = _MARK.search(example)
    text = example[:mark.start()] + mark.group(1) + example[mark.end():]
    a, b = mark.start(), mark.start() + len(mark.group(1))
    text, figures, unread, rejected = _run(text)
    assert not [f.surface for f in figures if f.char_start < b and a < f.char_end]
    records = unread if RULES[rule].unread else rejected
    at = [r.rule for r in [*unread, *rejected] if r.char_start < b and a < r.char_end]
    assert at == [rule], f"{text[a:b]!r} rejected by {at}"
    assert all(text[r.char_start:r.char_end] == r.surface for r in records)


@pytest.mark.parametrize("text,surfaces", [
    ("本院共受理案件1234件,结案率98.5%,同比上升3.2个百分点。", ["1234件", "98.5%", "3.2个百分点"]),
    ("2020年以来,全市法院审结案件约12万件。", ["约12万件"]),
    ("审理期限不超出5天。", ["不超出5天"]),
    ("本院位居全省第一。", ["第一"]),
])
def test_nothing_here_to_reject(text, surfaces):
    """Figures pass every rule; only the year 2020年 is rejected, by the year rule."""
    text, figures, unread, rejected = _run(text)
    assert [f.surface for f in figures] == surfaces
    assert not unread
    assert {r.rule for r in rejected} <= {"year"}


def test_rules_are_named_once_with_a_reason_and_an_example():
    assert len(RULES) == len(REJECTIONS)
    for rule in REJECTIONS:
        assert re.fullmatch(r"[a-z_]+", rule.name) and rule.reason and rule.examples
        assert all(_MARK.search(e) for e in rule.examples)


def test_the_report_names_each_rule_that_fired(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("于2021年3月5日召开会议,受理三四百件,审结431件。", encoding="utf-8")
    assert main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^\s+1  date ", out, re.M) and re.search(r"^\s+1  unreadable_numeral ", out, re.M)
    assert main([str(tmp_path / "missing")]) == 2
    assert "missing: no such file or folder" in capsys.readouterr().err
