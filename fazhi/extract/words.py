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

# Period headers of a table that name the baseline a current column is compared with (本期 | 去年同期 | 同比).
BASELINE_PERIOD_HEADERS = ("去年同期", "上年同期", "同期", "上年", "上月", "上期")


def alternation(words) -> str:
    """A regex alternation of words, longest first (so 对比 is tried before 比)."""
    return "|".join(sorted(words, key=len, reverse=True))


# ---- approximation --------------------------------------------------------------------------------------------

# Words written before a number that bound or approximate it: over (逾500件), under (近三成), about (约12万).
APPROX_BEFORE = {
    "超过了": "over", "超过": "over", "超出": "over", "逾": "over", "超": "over", "大于": "over", "至少": "over",
    "不少于": "over", "不低于": "over", "高于": "over", "多于": "over",
    "将近": "under", "接近": "under", "近": "under", "不到": "under", "不足": "under", "不满": "under",
    "未满": "under", "不超过": "under", "未超过": "under", "不超出": "under", "小于": "under", "最多": "under",
    "不高于": "under", "不多于": "under", "低于": "under", "少于": "under",
    "约": "about", "约有": "about", "约为": "about", "约占": "about", "大约": "about",
}
# Characters before a one-character approximation word that make it part of another word (节约, 附近, 赶超).
APPROX_BEFORE_GUARD = {"约": "节制签预公条邀合契隐简", "近": "附最邻就靠贴亲接将", "超": "赶高"}
# Words before a bare place word only (上百人, 过万元).
APPROX_BEFORE_PLACE = {"上": "over", "过": "over"}
# Words written right after a number (500件以上, 十年左右, 三日内, 670万余元).
APPROX_AFTER = {
    "及以上": "over", "以上": "over", "开外": "over", "有余": "over", "余": "over", "多": "over",
    "及以下": "under", "以下": "under", "以内": "under", "之内": "under", "内": "under",
    "左右": "about", "上下": "about", "许": "about",
}
# Words inside a number, between it and its multiplier or unit (670余万, 十多人, 几十件).
APPROX_INSIDE = {"余": "over", "多": "over", "几": "over"}
# Every approximation word and what it says of the value.
APPROX_WORDS = {**APPROX_BEFORE, **APPROX_BEFORE_PLACE, **APPROX_AFTER, **APPROX_INSIDE}

# ---- multiples ------------------------------------------------------------------------------------------------

# Units of a change that are no amount of anything: percentage points and multiples (高出3个百分点, 增长1.5倍).
MULTIPLES = {"个百分点": "pp", "百分点": "pp", "倍": "倍"}

# ---- direction ------------------------------------------------------------------------------------------------

# Verbs of change; with 到/至/为 after them (提高到99.4%, 缩短至10天) they give the level reached, not a change.
RISE_VERBS = ("上升", "提高", "提升", "增长", "增加", "延长")
FALL_VERBS = ("下降", "降低", "减少", "缩短", "压缩", "缩减", "回落", "下滑")
# Every word that gives a change its direction when written right before its number (同比下降6.1个百分点, 降幅达67.52%).
RISE_WORDS = RISE_VERBS + ("上涨", "增多", "攀升", "加快", "提速", "高出", "多出", "增幅", "涨幅", "升幅", "增速",
                           "增长率", "增长幅度", "上升幅度")
FALL_WORDS = FALL_VERBS + ("负增长", "减低", "节省", "节约", "降幅", "减幅", "下跌", "跌幅", "下降率", "下降幅度",
                           "降低幅度", "减少幅度", "缩小", "收窄", "低出", "少出")
DIRECTION_WORDS = {w: "up" for w in RISE_WORDS} | {w: "down" for w in FALL_WORDS}
# One-character words of a comparison (比去年多, 同比增5%) and the comparatives (高于全国平均值11个百分点).
RISE_CHARS = "多高快增升涨"
FALL_CHARS = "少低慢减降跌"
COMPARATIVES = {"高于": "up", "高出": "up", "超过": "up", "超出": "up", "多于": "up", "低于": "down", "少于": "down",
                "不及": "down"}
COMPARE_DIRECTION = COMPARATIVES | {c: "up" for c in RISE_CHARS} | {c: "down" for c in FALL_CHARS}
