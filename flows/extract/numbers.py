"""Find quantities in the characters of normalized text: numbers, multipliers, units, approximation."""
from __future__ import annotations

import re

from .model import Quantity

COUNT_UNITS = ("人次", "件次", "件", "人", "名", "份", "次", "个", "家", "项", "条", "宗", "起", "笔", "期", "场",
               "所", "批", "户", "处", "台", "套", "部", "篇", "块", "张", "类", "支")
DURATION_UNITS = {"个月": "个月", "小时": "小时", "分钟": "分钟", "秒": "秒", "天": "天", "日": "天", "周": "周",
                  "年": "年"}
MEASURE_UNITS = ("平方米", "公顷", "公里", "亩", "米")
CURRENCIES = ("港元", "澳门元", "美元", "欧元", "新台币", "元")
MULTIPLIERS = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}

_UNIT_ALT = "|".join(sorted(["%", "个百分点", "倍", *COUNT_UNITS, *DURATION_UNITS, *MEASURE_UNITS, *CURRENCIES],
                            key=len, reverse=True))
_NUMBER = re.compile(
    r"(?P<pre>近|约|超过|逾|不到|不足|大约|超)?"
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?P<mult>万亿|亿|万)?(?P<yu>余|多)?(?P<mult2>万|亿)?"
    r"(?P<unit>" + _UNIT_ALT + r")"
    r"(?P<post>以上|以下|左右|以内|内|多)?"
)
_UP = re.compile(r"(上升|提高|提升|增长|增加|上涨|增幅|多)[了达为至到]?$")
_DOWN = re.compile(r"(下降|降低|减少|缩短|降幅|少|压缩)[了达为至到]?$")
_LEVEL = re.compile(r"(提高|提升|上升|下降|降低|缩短|减少|增长|增加)(到|至)$")
_BASELINE = re.compile(r"(同比|环比|较[^,,。;;]{0,12}?|比[^,,。;;]{0,12}?)(上升|提高|提升|增长|增加|上涨|下降|降低|减少|缩短|多|少)")
APPROX_WORDS = {"余": "over", "多": "over", "以上": "over", "超过": "over", "逾": "over", "超": "over",
                "近": "under", "不到": "under", "不足": "under", "以下": "under", "以内": "under", "内": "under",
                "约": "about", "左右": "about", "大约": "about"}


def _kind_and_unit(unit: str) -> tuple[str, str]:
    if unit == "%":
        return "rate", "%"
    if unit == "个百分点":
        return "change", "pp"
    if unit == "倍":
        return "change", "倍"
    if unit in CURRENCIES:
        return "amount", unit
    if unit in DURATION_UNITS:
        return "duration", DURATION_UNITS[unit]
    if unit in MEASURE_UNITS:
        return "measure", unit
    return "count", unit


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Quantities in text[start:end], with offsets into text."""
    end = len(text) if end is None else end
    out = []
    for m in _NUMBER.finditer(text, start, end):
        unit_written = m.group("unit")
        if unit_written in ("年", "日", "月") and not m.group("yu") and not m.group("post"):
            continue  # 2020年, 20日: dates, not durations
        if m.start("num") > 0 and text[m.start("num") - 1] in "第":
            continue
        num = float(m.group("num").replace(",", ""))
        mult = MULTIPLIERS.get(m.group("mult") or "", 1) * MULTIPLIERS.get(m.group("mult2") or "", 1)
        if m.group("mult") == "万亿":
            mult = 1e12
        kind, unit = _kind_and_unit(unit_written)
        approx = "exact"
        for word in (m.group("pre"), m.group("yu"), m.group("post")):
            if word:
                approx = APPROX_WORDS[word]
        before = text[max(start, m.start() - 8):m.start()]
        direction = None
        baseline = None
        if unit in ("%", "pp", "倍") or True:
            b = _BASELINE.search(text[max(start, m.start() - 20):m.start()] + "")
            if _LEVEL.search(before):
                pass
            elif _UP.search(before):
                direction = "up"
            elif _DOWN.search(before):
                direction = "down"
            if direction and b:
                baseline = b.group(1)
        if direction or unit == "pp":
            kind = "change"
        decimals = len(m.group("num").split(".")[1]) if "." in m.group("num") else 0
        s = m.start() if m.group("pre") else m.start("num")
        out.append(Quantity(surface=text[s:m.end()], char_start=s, char_end=m.end(), value=num * mult, unit=unit,
                            kind=kind, approx=approx, direction=direction, baseline=baseline, precision=decimals,
                            rule="arabic"))
    return out
