"""Read the characters of a written number into its value, or say plainly that it cannot be read.

One grammar for every way a report writes a number: Arabic digits (`1,234`, `2.98`), Chinese numerals
(`一千二百`, `两千四百五`, `一万零十二`), 大写 numerals (`壹拾贰万叁仟`), Arabic digits with Chinese places
(`2千零30万`, `11亿461万5千`), decimals with 点 (`二十七点三`), the big units 万, 亿, 万万 and 兆, fractions of
any base (`百万分之五`), tenths with 成 and 半 (`三成半`), a sign (`负3.9`), romanization written inside
(`356.2万(wàn)`). `read` returns the value; a form that cannot be read with certainty (`三四百`, `十五六`,
`二〇一九`, `一千零零五`) raises Unreadable with the reason, never a guess.

Values are computed in decimal arithmetic and rounded to a float once, so `356.2万` is exactly 3562000.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

__all__ = ["Unreadable", "read", "try_read"]


class Unreadable(ValueError):
    """A written number whose value cannot be read with certainty; the message says why."""


_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_DIGIT |= {"两": 2, "貳": 2, "陸": 6, "○": 0, "Ｏ": 0}
_PLACE = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 4, "萬": 4, "亿": 8, "億": 8, "兆": 12}
_CN_DIGITS = "".join(c for c in _DIGIT if c != "两")
_TOKEN = re.compile(r"(?P<ar>\d+(?:\.\d+)?)|(?P<pt>点[" + _CN_DIGITS + r"]+)|(?P<zero>[零〇○Ｏ])"
                    r"|(?P<dg>[" + "".join(_DIGIT) + r"])|(?P<pl>[十拾百佰千仟])|(?P<big>[万萬亿億兆])|(?P<bad>.)")
# Thousands separators: a comma (or a space, in tables) followed by exactly three digits.
_SEPARATOR = re.compile(r"(?<=\d)[, ](?=\d{3}(?!\d))")
# Pinyin written after a character to gloss it: 356.2万(wàn).
_ROMANIZATION = re.compile(r"[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]+[)）]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，％", "0123456789.,%")
_TENTHS = re.compile(r"(?P<n>.+?)成(?P<t>半|[一二三四五六七八九壹贰叁肆伍陆柒捌玖1-9])?")
_TEN = Decimal(10)


def read(written: str) -> float:
    """The value of a written number, fraction (as a proportion) or tenths (`三成半` → 0.35); else Unreadable."""
    return _read_cached(written)


def try_read(written: str) -> float | None:
    """The value of a written number, or None where it cannot be read with certainty."""
    try:
        return _read_cached(written)
    except Unreadable:
        return None


@lru_cache(maxsize=8192)
def _read_cached(written: str) -> float:
    if written.isascii() and written.isdigit():  # the common case: plain Arabic digits
        return float(written)
    s = _SEPARATOR.sub("", _ROMANIZATION.sub("", written.translate(_FULL_WIDTH).strip()))
    if not s:
        raise Unreadable("empty")
    sign = 1
    if s[0] in "负-−+":
        sign, s = (1 if s[0] == "+" else -1), s[1:]
    if "分之" in s:
        den, _, num = s.partition("分之")
        d = _number(den)
        if d == 0:
            raise Unreadable(f"{written}: a fraction over zero")
        return sign * float(_number(num) / d)
    m = _TENTHS.fullmatch(s)
    if m:
        tenths = _number(m.group("n"))
        t = m.group("t")
        if t:
            tenths += Decimal("0.5") if t == "半" else Decimal(_DIGIT.get(t, t)) / _TEN
        return sign * float(tenths / _TEN)
    if s == "半":
        return sign * 0.5
    return sign * float(_number(s))


def _number(s: str) -> Decimal:
    """The value of a plain number (no sign, fraction or 成); Unreadable where the grammar does not hold."""
    try:
        return _Parser(s.replace("万万", "亿")).run()
    except Unreadable as err:
        raise Unreadable(f"{s}: {err}") from None


class _Parser:
    """Left to right over the tokens: places within a section below 万, then big units over sections."""

    def __init__(self, s: str):
        self.s = s
        self.groups: list[tuple[Decimal, int]] = []  # (value, exponent of its big unit), exponents decreasing
        self.section = Decimal(0)  # the terms below 万 read so far
        self.pending: Decimal | None = None  # a coefficient not yet given a place
        self.pending_text = ""
        self.units = False  # pending is a units digit for certain (after 零 or before 点)
        self.place: int | None = None  # the place of the last term of this section
        self.after_big: int | None = None  # exponent of the big unit that closed the last section
        self.zero = False  # a 零 since the last term
        self.started = False
        self.closed = False  # a decimal was read: only a big unit (or the end) may follow in this section
        self.sealed = False  # a decimal was read: only bigger units may follow at all

    def run(self) -> Decimal:
        for m in _TOKEN.finditer(self.s):
            kind, tok = m.lastgroup, m.group()
            if kind == "bad":
                raise Unreadable(f"{tok!r} is not part of a number")
            if kind == "big":
                self._big(_BIG[tok])
            elif self.closed or self.sealed:
                raise Unreadable(f"{tok} after a decimal")
            elif kind in ("ar", "dg"):
                self._coefficient(tok, Decimal(tok) if kind == "ar" else Decimal(_DIGIT[tok]))
            elif kind == "zero":
                self._zero()
            elif kind == "pl":
                self._place(_PLACE[tok])
            else:
                self._point(tok[1:])
            self.started = True
        if not self.started:
            raise Unreadable("no digits")
        return self._close() + sum(v for v, _ in self.groups)

    def _coefficient(self, tok: str, value: Decimal) -> None:
        if self.pending is not None:
            raise Unreadable("digits in a row (a year, a code or an estimate like 三四百)")
        self.pending, self.pending_text, self.units = value, tok, self.zero

    def _zero(self) -> None:
        if not self.started:
            self.pending, self.pending_text = Decimal(0), "0"  # 零点五
            return
        if self.pending is not None or self.zero or (self.place is None and self.after_big is None):
            raise Unreadable("零 where no place is skipped")
        self.zero = True

    def _place(self, place: int) -> None:
        coefficient = self.pending
        if coefficient is None:
            # 十二, 千三, 百万 at the start; 零十二 after a zero: the 一 is left out.
            if self.started and not (self.zero and place == 10):
                raise Unreadable("a place without its digit")
            coefficient = Decimal(1)
        elif coefficient >= 10 or coefficient != coefficient.to_integral_value() and self.place is not None:
            raise Unreadable("a place after a number of two digits")
        if coefficient != coefficient.to_integral_value():
            self.closed = True  # 1.5千: nothing smaller may follow
        if self.place is not None and place >= self.place:
            raise Unreadable("places out of order")
        if self.zero and place * 10 >= self._above():
            raise Unreadable("零 where no place is skipped")
        self.section += coefficient * place
        self.place, self.pending, self.zero = place, None, False

    def _point(self, digits: str) -> None:
        if self.pending is None and self.place is None and self.after_big is None:
            raise Unreadable("点 without a whole part")
        if self.pending is not None and self.place not in (None, 10) and not self.zero:
            raise Unreadable("a digit after a place, then 点")  # 一百五点五: 150.5 or 105.5
        if self.pending is not None and "." in self.pending_text:
            raise Unreadable("two decimal points")
        fraction = Decimal("0." + "".join(str(_DIGIT[c]) for c in digits))
        self.pending, self.units = (self.pending or Decimal(0)) + fraction, True
        self.pending_text += "." + digits
        self.closed = True

    def _above(self) -> int:
        """The place the current section sits under: its last term, or the big unit before it."""
        if self.place is not None:
            return self.place
        return 10 ** self.after_big if self.after_big is not None else 10 ** 4

    def _close(self, before_big: bool = False) -> Decimal:
        """The value of the section read since the last big unit (before_big: a big unit follows it)."""
        p = self.pending
        if p is None:
            if self.zero:
                raise Unreadable("a number ends with 零")
            return self.section
        if self.zero:
            if p * 10 >= self._above():
                raise Unreadable("零 before a number too large for the gap")
            return self.section + p
        if before_big and self.place is None:
            return p  # 一亿三万, 11亿461万: the digits count the big unit that follows
        if self.units or (self.place is None and self.after_big is None):
            if self.place is not None and p >= self.place or self.place is None and self.after_big is not None and p >= 1:
                raise Unreadable("a decimal too large for its place")
            return self.section + p
        if len(self.pending_text) == 1:  # 两千四百五, 一万三: the last place is left out
            return self.section + p * self._above() / 10
        if self.place is not None and len(self.pending_text) == len(str(self.place)) - 1:
            return self.section + p  # 3百45, 2千345: the digits fill the places below exactly
        if self.place is None and len(self.pending_text) in (self.after_big - 1, self.after_big):
            return p  # 2万1456 (Taiwan): the group below the big unit written in full
        raise Unreadable("digits after a place with no 零 to say where they stand")

    def _big(self, exponent: int) -> None:
        decimal = self.closed or (self.pending is not None and "." in self.pending_text)
        written = self.pending is not None or self.section != 0
        value = self._close(before_big=True)
        if not self.started:
            value = Decimal(1)  # 万 alone, as in 逾万
        lower = [v for v, e in self.groups if e < exponent]
        self.groups = [(v, e) for v, e in self.groups if e >= exponent]
        if any(e == exponent for _, e in self.groups):
            raise Unreadable("a big unit twice")
        value += sum(lower)  # 一万亿, 三万五千亿: the big unit multiplies everything below it
        if not (written or lower or not self.started):
            raise Unreadable("a big unit with nothing before it")
        self.groups.append((value * _TEN ** exponent, exponent))
        self.section, self.pending, self.pending_text = Decimal(0), None, ""
        self.place, self.after_big, self.zero, self.closed, self.units = None, exponent, False, False, False
        self.sealed = self.sealed or decimal  # 2.98亿: a smaller group may not follow
        self.started = True
