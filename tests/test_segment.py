"""Segmentation: offsets that cover the text, and a cost linear in its length whatever it holds."""
import pytest

from fazhi.segment import MAX_RUN, token_spans


@pytest.mark.parametrize("unit", ["亿", "万", "一二三四五", "1234567890", "收案5件\n", "全市法院受理案件1,234件。"])
def test_tokens_cover_the_text_and_cost_grows_linearly(unit, cost_growth):
    text = unit * (3000 // len(unit))
    words, starts, ends = token_spans(text)
    assert all(text[s:e] == w for w, s, e in zip(words, starts.tolist(), ends.tolist()))
    assert "".join(words) == text.replace("\n", "")
    assert cost_growth(token_spans, lambda n: unit * (n // len(unit)), 1000) < 8


def test_a_run_longer_than_the_limit_is_cut_only_there():
    short = "人民法院受理案件" * 10
    assert token_spans(short)[0] == token_spans(short + "。" + "亿" * (3 * MAX_RUN))[0][:len(token_spans(short)[0])]
    words, _, ends = token_spans("亿" * (3 * MAX_RUN))
    assert ends[-1] == 3 * MAX_RUN and max(map(len, words)) <= MAX_RUN
