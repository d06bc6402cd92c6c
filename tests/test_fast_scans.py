"""Fast scans find exactly what the plain regular expressions find."""
from __future__ import annotations

import random
import re

import pytest

from conftest import ROOT, SAMPLE
from fazhi.extract import periods
from fazhi.extract.prefilter import compile_scan, first_character_class
from fazhi.ingest import read_document
from fazhi.normalize import normalize


def corpus_texts() -> list[str]:
    """Normalized texts of the sample corpus and the held-out fixtures."""
    folders = (SAMPLE, ROOT / "tests" / "fixtures" / "heldout")
    paths = sorted(p for folder in folders for p in folder.rglob("*") if p.suffix in (".txt", ".html", ".htm"))
    return [normalize(read_document(p, p.parent).raw_text).text for p in paths]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    found = corpus_texts()
    assert len(found) >= 15
    return found


@pytest.mark.parametrize("pattern, expected", [
    (r"abc|x?yz", "[axy]"),
    (r"(?<!\d)(?:19|20)\d{2}年", "[12]"),
    (r"(?:过去|近)的?\d年", "[过近]"),
    (r"[a-c]+d|e", "[a-ce]"),
    (r"\d+件", r"[\d]"),
    (r"x*", None),           # matches the empty string: every position may match
    (r".abc", None),         # any character
    (r"[^，。]{2,5}以来", None),  # a negated class
])
def test_the_first_character_class_is_read_from_the_pattern(pattern, expected):
    assert first_character_class(pattern) == expected


def test_a_scan_with_the_check_finds_the_same_matches_on_random_text():
    rnd = random.Random(7)
    alphabet = "0123456789年月日至今去前上下半季度第一二三四十以来近过同期每截止底，。 \n"
    plain = re.compile("|".join(f"(?P<p{i}>{p})" for i, (_, p) in enumerate(periods._PATTERNS)))
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60)))
        assert ([(m.span(), m.lastgroup) for m in periods.PERIOD_RE.finditer(text)]
                == [(m.span(), m.lastgroup) for m in plain.finditer(text)]), text


def test_period_scans_find_what_the_plain_patterns_find_in_real_reports(texts):
    plain = re.compile("|".join(f"(?P<p{i}>{p})" for i, (_, p) in enumerate(periods._PATTERNS)))
    plain_roc = re.compile("|".join(f"(?P<p{i}>{p})" for i, (_, p) in enumerate(periods._ALL_ROC)))
    assert periods.PERIOD_RE.pattern.startswith("(?=[")  # the check is in place
    for text in texts:
        for fast, slow in ((periods.PERIOD_RE, plain), (periods.PERIOD_RE_ROC, plain_roc)):
            assert ([(m.span(), m.lastgroup) for m in fast.finditer(text)]
                    == [(m.span(), m.lastgroup) for m in slow.finditer(text)])


def test_event_spans_are_found_as_a_scan_of_the_whole_text_finds_them(texts):
    rnd = random.Random(11)
    alphabet = "以来年来，,。自改革开放扫黑除恶专项斗争开展3年12一二两十.\n "
    generated = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 80))) for _ in range(5000)]
    for text in texts + generated:
        for start, end in ((0, len(text)), (min(3, len(text)), len(text)), (0, max(0, len(text) - 2))):
            assert ([m.span(1) for m in periods._event_since(text, start, end)]
                    == [m.span(1) for m in periods._EVENT_SINCE.finditer(text, start, end)]), text


def test_compile_scan_keeps_a_pattern_it_cannot_check_as_it_is():
    assert compile_scan(r"[^，]+以来").pattern == r"[^，]+以来"


def test_the_organization_scan_finds_what_the_plain_pattern_finds(texts):
    from fazhi.extract import orgs

    plain = re.compile(r"(?:[省市县区]委)?(?:" + orgs._core_alternation + r")")
    assert orgs.CORE_RE.pattern.startswith("(?=[")  # the check is in place
    for text in texts + ["市委政法委书记", "全市法院", "区人民法院和县公安局", "最高人民检察院"]:
        assert [m.span() for m in orgs.CORE_RE.finditer(text)] == [m.span() for m in plain.finditer(text)]
