"""Word lists the extractor's rules share, each defined once: scope words and the words that compare.

Each list is named data; the rules build their patterns from it with alternation(), so that adding a word
here reaches every rule that reads it.
"""
from __future__ import annotations

# A place taken as a whole (全省128家法院, 全市认罪认罚适用比例): the scope of a collective or of a figure.
SCOPE_WORDS = ("全国", "全省", "全市", "全县", "全区", "全州", "全盟", "全港", "全澳", "全台")
# Scope words that stand for a place resolved from the text (全市 -> 嘉兴市); the others are kept as written.
LOCAL_SCOPE_WORDS = ("全市", "全县", "全区")
# Words that put a period or a figure before them as a baseline being compared with (较2023年同期, 多于2019年).
COMPARISON_WORDS = ("较", "比", "与", "同", "对比", "相比", "比起", "多于", "少于", "高于", "低于", "超过", "不及")


def alternation(words) -> str:
    """A regex alternation of words, longest first (so 对比 is tried before 比)."""
    return "|".join(sorted(words, key=len, reverse=True))
