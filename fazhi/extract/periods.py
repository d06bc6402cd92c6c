"""Time expressions of reports: find them as written and resolve them into inclusive dates."""
from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass
from datetime import date

from .prefilter import compile_scan

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUM = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
_YEAR = r"(?:(?:19|20)\d{2}年|今年|去年|前年|本年|当年)"
# Taiwan writes years of the Republic (民国111年 = 2022): 2-3 digits, read as years only in a Taiwanese document.
_ROC_YEAR = r"(?:民国)?(?<![\d.])(?:1\d{2}|[4-9]\d)年"
_ROC_ANY_YEAR = r"(?:(?:19|20)\d{2}年|" + _ROC_YEAR + r"|今年|去年|前年|本年|当年)"
_DASH = r"(?:——|至|到|-|—|–|~|－|一)"
_SPAN_NUM = r"(?:\d{1,2}|[一二两三四五六七八九十]{1,3})"
_BOUNDARY = ",，。;；:：!?！？\n(（“\"'、 \t▲■●◆★#.…"

_ROC_PATTERNS = [
    ("year", _ROC_YEAR + r"(?:度)?(?:全年|年底|底|年末|末)?(?!\d|[一二三四五六七八九十]+月|以来|来|[上下]半年|前三季度|[首前]三季)"),
]
_PATTERNS = [
    # 2023/24年度: a fiscal year (April to March in Hong Kong)
    ("fiscal_year", r"(?:19|20)\d{2}/\d{2}(?:财政)?年度"),
    # 2018年至2022年, 2018—2022年, 过去五年, 近三年来, 五年来: a span of whole years
    ("year_range", r"(?:19|20)\d{2}年?(?:至|到|-|—|–|~|－)(?:19|20)\d{2}年(?:度|间)?"),
    ("year_range", rf"(?:过去|近|最近)的?{_SPAN_NUM}(?:个)?年(?:来|间|中|里)?|(?<![第前后这那\d]){_SPAN_NUM}年(?:来|间)"),
    ("as_of", rf"截[至止]到?(?:目前|现在|当前|今|发稿时|年底|年末)"),
    ("year_to_date", rf"截[至止]到?{_YEAR}?(?:度)?(?:{_NUM}月(?:\d{{1,2}}日|底|末|份)?|年底|年末)"),
    ("month_range", rf"{_YEAR}?(?:度)?{_NUM}月?份?{_DASH}{_NUM}月(?:份|底|末)?"),
    ("since", rf"(?:自|从)?{_YEAR}(?:{_NUM}月(?:\d{{1,2}}日)?(?:份)?)?(?:以来|来)"),
    ("since", rf"(?:自|从)?{_NUM}月(?:份)?以来"),
    ("quarter", rf"{_YEAR}?(?:度)?(?:第?[一二三四1-4]季度)"),
    # 首三季 (Hong Kong and Macau): the first three quarters
    ("month_range", rf"{_YEAR}?(?:度)?(?:上半年|下半年|前三季度|[首前]三季度?)"),
    ("year", rf"(?:19|20)\d{{2}}年(?:度)?(?:全年)?(?!\d|[一二三四五六七八九十]+月)"),
    ("month_range", rf"{_YEAR}(?:度)?{_NUM}月份?(?!\d|[一二三四五六七八九十]*日|{_DASH}|以来)"),
    ("month_range", rf"(?<![\d年])(?:{_NUM})月份(?!\d|{_DASH}|以来)"),
    # 11、12月 (two months listed); 10月, (a month opening its clause)
    ("month_range", rf"(?<![\d年月.])(?:{_NUM})、(?:{_NUM})月(?!\d|[一二三四五六七八九十]*日|份|底|末)"),
    ("month_range", rf"(?<![\d年月.、/-])(?:{_NUM})月(?=[,，])"),
    ("year", r"(?:今年|去年|前年|上年度|上一年|上年|本年度|全年|当年|年内)(?!\d|[一二三四五六七八九十]月|以来|来|上半年|下半年|前三季度|[首前]三季)"),
    ("as_of", r"(?:目前|当前|现阶段|至今)"),
    # (?<!\d): tried inside a run of digits \d+年来 reads to the run's end again at each digit (quadratic)
    ("since", r"(?:近年来|近几年|近年|多年来|连续\d+年|近\d+年|(?<!\d)\d+年来)"),
    ("recent", r"(?:近期|近日|日前)"),
    ("same_period", r"(?<![年去比较上与])同期(?!相比|比|水平|的)"),
    ("frequency", r"(?:每年|每月|每周|每季度|每天|每日)"),
]
PERIOD_RE = compile_scan("|".join(f"(?P<p{i}>{p})" for i, (_, p) in enumerate(_PATTERNS)))
# In a Taiwanese document the same patterns with ROC years, and plain ROC years first.
_ALL_ROC = _ROC_PATTERNS + [(k, p.replace(_YEAR, _ROC_ANY_YEAR)) for k, p in _PATTERNS]
PERIOD_RE_ROC = compile_scan("|".join(f"(?P<p{i}>{p})" for i, (_, p) in enumerate(_ALL_ROC)))
_ROC_EXPLICIT_YEAR = re.compile(r"(?<![\d/])(\d{2,3})年")
_EVENT_SINCE = re.compile(r"([^,，。;；:：!?！？\n.…“”()（）「」]{2,30}?(?:以来|\d+年来|[一二三四五六七八九十两]+年来))(?=[,，])")
# Where such a span can end: only the clause before one of these is searched.
_EVENT_SINCE_END = re.compile(r"来(?=[,，])")
_EVENT_SINCE_STOPS = ",，。;；:：!?！？\n.…“”()（）「」"
_YEAR_SPAN = re.compile(r"((?:19|20)\d{2})年?(?:至|到|-|—|–|~|－)((?:19|20)\d{2})年")
# The congresses that open the spans mainland reports count from (党的十八大以来).
_CONGRESS_SINCE = {"十六大": date(2002, 11, 8), "十七大": date(2007, 10, 15), "十八大": date(2012, 11, 8),
                   "十九大": date(2017, 10, 18), "二十大": date(2022, 10, 16)}
_MONTH_SPAN = re.compile(rf"({_NUM})月?份?(?:{_DASH}|、)({_NUM})月")
_EXPLICIT_YEAR = re.compile(r"((?:19|20)\d{2})年")


@dataclass
class PeriodMention:
    """A time expression as written, where it is, and whether it governs the clause it opens."""

    start: int
    end: int
    text: str
    kind: str
    adverbial: bool

    @property
    def frequency(self) -> bool:
        return self.kind == "frequency"


def _is_adverbial(text: str, start: int, lo: int) -> bool:
    """A period opening its clause (after a boundary) governs what follows; one inside a phrase does not."""
    if start <= lo:
        return True
    before = text[start - 1]
    if before in _BOUNDARY:
        return True
    # after a subject or a preposition: 宁波全市法院今年1-7月, 在2020年, 于去年
    return bool(re.search(r"(院|局|委|厅|署|处|警方|检方|机关|系统|法院|在|于|是|从|自|已|共|又)$",
                          text[max(lo, start - 4):start]))


def _event_since(text: str, start: int, end: int):
    """The matches of _EVENT_SINCE.finditer(text, start, end), searching only the clauses that end in 来 and a comma.

    A match holds no stop character and is followed by a comma, so it lies in the stop-free run just before
    that comma; the leftmost match in that run is the one a scan of the whole text would find.
    """
    for tail in _EVENT_SINCE_END.finditer(text, start, end):
        run_start = max(start, 1 + max(text.rfind(c, start, tail.start()) for c in _EVENT_SINCE_STOPS))
        m = _EVENT_SINCE.search(text, run_start, tail.end() + 1)
        if m:
            yield m


def find_periods(text: str, start: int = 0, end: int | None = None, roc: bool = False) -> list[PeriodMention]:
    """Time expressions in text[start:end], each with its kind (see _PATTERNS) and whether it is adverbial.

    roc: the text is Taiwanese, so 111年 and 111年度 are years of the Republic.
    """
    end = len(text) if end is None else end
    found: list[PeriodMention] = []
    regex, patterns = (PERIOD_RE_ROC, _ALL_ROC) if roc else (PERIOD_RE, _PATTERNS)
    for m in regex.finditer(text, start, end):
        kind = patterns[int(m.lastgroup[1:])][0]
        found.append(PeriodMention(m.start(), m.end(), m.group(0), kind, _is_adverbial(text, m.start(), start)))
    # Event-anchored spans (自改革以来, 扫黑除恶专项斗争开展3年来) open a clause and end with 以来 or N年来.
    for m in _event_since(text, start, end):
        s, e = m.start(1), m.end(1)
        s += len(text[s:e]) - len(text[s:e].lstrip(" \t"))
        if not _is_adverbial(text, s, start) and text[s - 1:s] not in _BOUNDARY:
            continue
        near = found[bisect.bisect_left(found, s - 40, key=lambda p: p.start):
                     bisect.bisect_right(found, e, key=lambda p: p.start)]  # periods are < 40 characters
        if any(p.start <= s and p.end >= e for p in near):
            continue
        inner = [p for p in near if s <= p.start and p.end <= e]
        if inner and inner[0].start == s:
            continue  # 2021年以来 is already a plain period
        if re.search(r"[。!?！？]", text[s:e]) or re.search(r"\d{2,}[件人元]", text[s:e]):
            continue
        for p in inner:
            found.remove(p)
        bisect.insort(found, PeriodMention(s, e, text[s:e], "since", True), key=lambda p: p.start)
    found.sort(key=lambda p: p.start)
    return found


def period_length_at_start(text: str, roc: bool = False) -> int:
    """Length of the time expression opening text (as find_periods would read it), 0 if none."""
    if "来" in text:  # event-anchored spans (…以来, …3年来) need the full reading
        return next((p.end for p in find_periods(text, roc=roc) if p.start == 0), 0)
    m = (PERIOD_RE_ROC if roc else PERIOD_RE).match(text)
    return m.end() if m else 0


def _num(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token.startswith("十"):
        return 10 + (_CN_DIGITS.get(token[1:], 0) if len(token) > 1 else 0)
    return _CN_DIGITS.get(token, 0)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _explicit_year(period_text: str, reference_year: int | None, roc: bool = False) -> tuple[int | None, bool]:
    """(year, stated) for the expression: its own year, 今年/去年 from the reference year, else none."""
    m = _EXPLICIT_YEAR.search(period_text)
    if m:
        return int(m.group(1)), True
    m = _ROC_EXPLICIT_YEAR.search(period_text) if roc else None
    if m:
        return int(m.group(1)) + 1911, True
    if reference_year is None:
        return None, False
    for word, offset in (("前年", -2), ("去年", -1), ("上一年", -1), ("上年", -1), ("今年", 0), ("本年", 0)):
        if word in period_text:
            return reference_year + offset, True
    return None, False


def resolve_period(period_text: str, kind: str, context_year: int | None = None,
                   reference_year: int | None = None, published: date | None = None, roc: bool = False
                   ) -> tuple[str | None, date | None, date | None]:
    """(period_type, start, end) for a period as written.

    The year comes from the expression itself (2020年; 今年 and 去年 count from reference_year, the year of the
    headline, dateline or publication); otherwise from context_year, a year the text stated before it; else from
    reference_year. Where no year can be known the dates stay None; today's date is never used.
    """
    year, stated = _explicit_year(period_text, reference_year, roc)
    if kind == "fiscal_year":
        first = int(period_text[:4])
        return "fiscal_year", date(first, 4, 1), date(first + 1, 3, 31)
    if not stated:
        year = context_year if context_year is not None else reference_year
    span = _MONTH_SPAN.search(period_text)
    if span:
        months = [_num(span.group(1)), _num(span.group(2))]
    else:
        months = [_num(t) for t in re.findall(r"(\d{1,2}|十[一二]?|[一二三四五六七八九])月", period_text)]
    months = [m for m in months if 1 <= m <= 12]
    if kind == "year_range":
        return _year_range(period_text, reference_year, published)
    if kind in ("frequency", "recent", "same_period"):
        return None, None, None
    if kind == "as_of":
        if re.search(r"年底|年末", period_text) and year:
            return "year", date(year, 1, 1), date(year, 12, 31)
        return "as_of", None, published
    if kind == "year_to_date":
        if not year:
            return "year_to_date", None, None
        if re.search(r"年底|年末", period_text) and not months:
            return "year", date(year, 1, 1), date(year, 12, 31)
        if not months:
            return "year_to_date", None, None
        day = re.search(r"月(\d{1,2})日", period_text)
        end = _month_end(year, months[-1])
        if day:
            try:
                end = date(year, months[-1], int(day.group(1)))
            except ValueError:
                pass
        return "year_to_date", date(year, 1, 1), end
    if kind == "month_range":
        if "上半年" in period_text:
            months = [1, 6]
        elif "下半年" in period_text:
            months = [7, 12]
        elif re.search(r"[首前]三季", period_text):
            months = [1, 9]
        if not year or not months:
            return "month_range", None, None
        return "month_range", date(year, months[0], 1), _month_end(year, months[-1])
    if kind == "quarter":
        q = re.search(r"([一二三四1-4])季度", period_text)
        n = _num(q.group(1)) if q and not q.group(1).isdigit() else int(q.group(1)) if q else 0
        if not year or not 1 <= n <= 4:
            return "quarter", None, None
        return "quarter", date(year, 3 * n - 2, 1), _month_end(year, 3 * n)
    if kind == "year":
        if not year:
            return "year", None, None
        return "year", date(year, 1, 1), date(year, 12, 31)
    if kind == "since":
        congress = next((d for name, d in _CONGRESS_SINCE.items() if name in period_text), None)
        if congress and "以来" in period_text:
            return "since", congress, published
        if not stated or not re.search(r"(?:19|20)\d{2}年|今年|去年|前年|本年", period_text):
            if months and year and "以来" in period_text and not re.search(r"年来", period_text):
                return "since", date(year, months[0], 1), published
            return "since", None, published
        start = date(year, months[0], 1) if months else date(year, 1, 1)
        day = re.search(r"月(\d{1,2})日", period_text)
        if day and months:
            try:
                start = date(year, months[0], int(day.group(1)))
            except ValueError:
                pass
        return "since", start, published
    return None, None, None


def _year_range(period_text: str, reference_year: int | None, published: date | None
                ) -> tuple[str | None, date | None, date | None]:
    """Dates of a span of whole years: written out (2018年至2022年) or counted back from the report (过去五年)."""
    span = _YEAR_SPAN.search(period_text)
    if span:
        return "year_range", date(int(span.group(1)), 1, 1), date(int(span.group(2)), 12, 31)
    n = re.search(r"\d{1,2}|[一二两三四五六七八九十]{1,3}", period_text)
    count = int(n.group(0)) if n and n.group(0).isdigit() else _cn_number(n.group(0)) if n else 0
    if not reference_year or not 1 <= count <= 50:
        return "year_range", None, None
    # A report counts its last N years up to the year just closed, unless written at that year's end.
    last = reference_year if published and published.year == reference_year and published.month >= 11 \
        else reference_year - 1
    return "year_range", date(last - count + 1, 1, 1), date(last, 12, 31)


def _cn_number(token: str) -> int:
    """1-99 written in Chinese numerals (五, 十, 十三, 二十)."""
    if "十" not in token:
        return _CN_DIGITS.get(token, 0)
    tens, _, ones = token.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def year_in(text: str | None, roc: bool = False) -> int | None:
    """The first four-digit year written in a text (a headline or a dateline), if any; ROC years too if roc."""
    m = _EXPLICIT_YEAR.search(text or "") or re.search(r"((?:19|20)\d{2})[-/.]\d{1,2}[-/.]\d{1,2}", text or "")
    if m:
        return int(m.group(1))
    m = re.search(_ROC_YEAR, text or "") if roc else None
    return int(re.search(r"\d+", m.group(0)).group(0)) + 1911 if m else None
