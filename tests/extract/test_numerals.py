"""The numeral reader: every written form read back to exactly its value, or refused, never guessed.

The property tests write random numbers out with a writer of their own (below), built from the rules of
writing Chinese numbers and sharing no code with the reader, and read them back.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from fazhi.extract.numerals import Unreadable, read, try_read

# ---- an independent writer --------------------------------------------------------------------------------

LOWER = "零一二三四五六七八九"
UPPER = "零壹贰叁肆伍陆柒捌玖"
PLACES_LOWER = ("", "十", "百", "千")
PLACES_UPPER = ("", "拾", "佰", "仟")
BIG = ("", "万", "亿")


def _section(n: int, digits: str, places: tuple[str, ...], liang: bool) -> str:
    """1..9999 in Chinese, with 零 for each run of skipped places inside."""
    out, gap = [], False
    for p in (3, 2, 1, 0):
        d = n // 10 ** p % 10
        if d == 0:
            gap = gap or bool(out)
            continue
        if gap:
            out.append(digits[0])
            gap = False
        out.append(("两" if liang and d == 2 and p >= 2 else digits[d]) + places[p])
    return "".join(out)


def write_chinese(n: int, digits: str = LOWER, places: tuple[str, ...] = PLACES_LOWER, liang: bool = False,
                  short_ten: bool = False) -> str:
    """n (0 <= n < 10^12) in Chinese numerals, in 万 and 亿 groups."""
    if n == 0:
        return digits[0]
    groups = [n // 10 ** 8, n // 10 ** 4 % 10 ** 4, n % 10 ** 4]
    out, zero = [], False
    for g, big in zip(groups, ("亿", "万", "")):
        if g == 0:
            zero = zero or bool(out)
            continue
        if out and (zero or g < 1000):
            out.append(digits[0])
        zero = False
        text = _section(g, digits, places, liang)
        if liang and g == 2 and big:
            text = "两"  # 两万, 两亿
        out.append(text + big)
    text = "".join(out)
    if short_ten and text.startswith(digits[1] + places[1]):
        text = text[1:]  # 十二, 十万: the 一 of 一十 left out at the start
    return text


def abbreviate(text: str) -> str | None:
    """The form with the last place left out (两千四百五, 一万三), where the grammar allows it."""
    if re.search(r"[十百千万亿][一二两三四五六七八九][十百千]$", text):
        return text[:-1]
    return None


def _arabic_section(n: int) -> str:
    """1..9999 as Arabic digits with Chinese places: 2千零30, 1千零1, 3百45, 5千."""
    if n < 100:
        return str(n)
    place = 1000 if n >= 1000 else 100
    lead, rest = divmod(n, place)
    text = f"{lead}{'千' if place == 1000 else '百'}"
    if rest == 0:
        return text
    if len(str(rest)) == len(str(place)) - 1:
        return text + str(rest)  # the digits fill the places below
    return text + "零" + str(rest)


def write_arabic_places(n: int, plain_groups: bool) -> str:
    """n (1 <= n < 10^12) as Arabic digits with Chinese places and big units (43万6千, 1234万5678)."""
    groups = [n // 10 ** 8, n // 10 ** 4 % 10 ** 4, n % 10 ** 4]
    out, zero = [], False
    for g, big in zip(groups, ("亿", "万", "")):
        if g == 0:
            zero = zero or bool(out)
            continue
        lead = not out
        if not lead and (zero or g < 1000):
            out.append("零")
        zero = False
        out.append((str(g) if lead or plain_groups and g >= 1000 else _arabic_section(g)) + big)
    return "".join(out)


# ---- property tests ---------------------------------------------------------------------------------------

NUMBERS = st.one_of(st.integers(0, 99), st.integers(0, 99_999), st.integers(0, 10 ** 12 - 1))


@settings(max_examples=1500, deadline=None)
@given(NUMBERS, st.sampled_from(["plain", "liang", "short_ten", "upper"]))
def test_chinese_integers_read_back_exactly(n, style):
    if style == "upper":
        text = write_chinese(n, UPPER, PLACES_UPPER)
    else:
        text = write_chinese(n, liang=style == "liang", short_ten=style == "short_ten")
    assert read(text) == float(n), text


@settings(max_examples=800, deadline=None)
@given(st.integers(1, 99_999_999).filter(lambda a: a % 10), st.integers(1, 9), st.integers(1, 3), st.booleans())
def test_abbreviated_last_place_reads_back_exactly(above, digit, place, liang):
    """两千四百五, 一百二, 一万三: a digit after a place, its own place left out."""
    n = above * 10 ** (place + 1) + digit * 10 ** place
    text = abbreviate(write_chinese(n, liang=liang))
    assert text is not None, n
    assert read(text) == float(n), text


@settings(max_examples=1000, deadline=None)
@given(st.integers(1, 10 ** 12 - 1), st.booleans())
def test_arabic_digits_with_chinese_places_read_back_exactly(n, plain_groups):
    text = write_arabic_places(n, plain_groups)
    assert read(text) == float(n), text


@settings(max_examples=800, deadline=None)
@given(st.integers(0, 99_999), st.text("0123456789", min_size=1, max_size=3).filter(lambda d: d[-1] != "0"),
       st.sampled_from(["", "万", "亿"]))
def test_chinese_decimals_read_back_exactly(whole, decimals, big):
    if big and not 0 < whole < 10_000:
        whole = whole % 9999 + 1  # 三点五万: the whole part stays below the big unit
    text = write_chinese(whole) + "点" + "".join(LOWER[int(d)] for d in decimals) + big
    value = Decimal(f"{whole}.{decimals}") * {"": 1, "万": 10 ** 4, "亿": 10 ** 8}[big]
    assert read(text) == float(value), text


@settings(max_examples=800, deadline=None)
@given(st.decimals(min_value=0, max_value=99_999, places=3, allow_nan=False, allow_infinity=False),
       st.sampled_from(["", "万", "亿", "万亿", "兆"]), st.booleans())
def test_arabic_decimals_with_big_units_read_back_exactly(number, big, separators):
    factor = {"": 1, "万": 10 ** 4, "亿": 10 ** 8, "万亿": 10 ** 12, "兆": 10 ** 12}[big]
    written = f"{number:,}" if separators else str(number)
    assert read(written + big) == float(number * factor), written + big


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 10 ** 6), st.integers(0, 10 ** 6), st.booleans())
def test_fractions_of_any_base_read_back(den, num, chinese):
    text = (write_chinese(den, short_ten=True) + "分之" + write_chinese(num)) if chinese else f"{den}分之{num}"
    assert math.isclose(read(text), num / den, rel_tol=1e-15), text


@settings(max_examples=300, deadline=None)
@given(st.sampled_from("一二三四五六七八九"), st.sampled_from("一二三四五六七八九"), st.sampled_from(["", "十", "百", "千", "万"]))
def test_digits_in_a_row_are_refused_not_guessed(first, second, place):
    """三四百, 十五六, 二〇一九: estimates and digit strings have no one value."""
    with pytest.raises(Unreadable):
        read(first + second + place)


# ---- the contract's examples ------------------------------------------------------------------------------

@pytest.mark.parametrize("written,value", [
    ("两千四百五", 2450), ("一万三", 13000), ("千三", 1300), ("一万零十二", 10012), ("1千零1", 1001),
    ("2千零30万", 20300000), ("七十八万五佰零六", 780506), ("四万万", 4e8), ("壹拾贰万叁仟", 123000), ("肆佰陆拾", 460),
    ("43万6千", 436000), ("11亿461万5千", 1104615000), ("2.98亿", 2.98e8), ("二十七点三", 27.3), ("一千二百", 1200),
    ("1.2兆", 1.2e12), ("356.2万(wàn)", 3562000), ("1,234", 1234), ("59 225", 59225), ("2万1,456", 21456),
    ("一百零五", 105), ("十点五", 10.5), ("三万亿", 3e12), ("三万五千亿", 3.5e12), ("一亿三", 1.3e8),
    ("一万点一", 10000.1), ("一万零二点五", 10002.5), ("万", 1e4), ("百万", 1e6), ("零点五", 0.5), ("半", 0.5), ("负3.9", -3.9), ("-3.9", -3.9),
    # shares: fractions and tenths as proportions
    ("百万分之五", 5e-6), ("千分之三", 0.003), ("三分之一", 1 / 3), ("5分之1", 0.2), ("百分之4.7", 0.047),
    ("三成半", 0.35), ("8成", 0.8), ("五成", 0.5), ("二成五", 0.25),
])
def test_contract_examples(written, value):
    assert math.isclose(read(written), value, rel_tol=1e-15)


@pytest.mark.parametrize("written", [
    "二〇一九",      # a year, digit by digit
    "十五六",        # 15 or 16
    "三四百",        # 300 to 400
    "一千零零五",    # two zeros for one gap
    "一千零五百",    # 零 where no place is skipped
    "一百零十",      # 零 before the place right below
    "2万45",         # 20045 or 24500
    "2.5亿3000万",   # a decimal, then a smaller group
    "一百五点五",    # 150.5 or 105.5
    "一万二点五",    # 12000.5 or 10002.5
    "三十百",        # places out of order
    "一万三千万",    # 万 twice in one group
    "12百",          # a place after two digits
    "新",            # not a number at all
    "",
])
def test_unreadable_forms_are_refused(written):
    with pytest.raises(Unreadable):
        read(written)
    assert try_read(written) is None
