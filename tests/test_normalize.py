"""Normalize and segment: script conversion with an offset map, chrome, broken lines, sentences, tokens."""
from __future__ import annotations

import pytest

from conftest import SAMPLE
from fazhi.normalize import detect_script, normalize, raw_offset, split_sentences
from fazhi.segment import cut, token_spans

TRADITIONAL = "據了解,2021年以來,浙江省東陽市人民法院結案平均用時縮短65.2天,查控率達20.2%。"


def test_traditional_becomes_simplified_with_a_correct_offset_map():
    raw = "  " + TRADITIONAL
    norm = normalize(raw)
    assert norm.script == "traditional"
    assert norm.text == "据了解,2021年以来,浙江省东阳市人民法院结案平均用时缩短65.2天,查控率达20.2%。"
    for surface in ("65.2天", "20.2%", "东阳市人民法院"):
        start = norm.text.index(surface)
        raw_start = norm.raw_offset(start)
        raw_end = norm.raw_offset(start + len(surface) - 1) + 1
        assert len(raw[raw_start:raw_end]) == len(surface)
        assert normalize(raw[raw_start:raw_end]).text == surface


def test_full_width_digits_and_letters_become_half_width_and_map_back():
    raw = "结案率达９５．７４％,ＡＢＣ法院。"
    norm = normalize(raw)
    assert norm.text == "结案率达95.74%,ABC法院。"
    start = norm.text.index("95.74%")
    assert raw[norm.raw_offset(start):norm.raw_offset(start + 6)] == "９５．７４％"


def test_simplified_text_is_left_alone_even_where_t2s_would_change_it():
    text = "吉林省松原市乾安县人民法院受理案件120件,著力提升审判质效。"
    norm = normalize(text)
    assert norm.script == "simplified"
    assert norm.text == text


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLE.iterdir()))
def test_normalize_is_idempotent_on_the_sample_corpus(name):
    once = normalize((SAMPLE / name).read_text(encoding="utf-8"))
    twice = normalize(once.text)
    assert twice.text == once.text
    assert twice.script == "simplified"


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLE.iterdir()))
def test_offset_map_points_every_digit_at_the_same_digit_in_the_raw_text(name):
    raw = (SAMPLE / name).read_text(encoding="utf-8")
    norm = normalize(raw)
    digits = [i for i, ch in enumerate(norm.text) if ch.isdigit()]
    assert digits
    assert all(raw[norm.raw_offset(i)] == norm.text[i] for i in digits)


def test_page_chrome_is_removed():
    raw = ("移动客户端\n\n|\n\n官方微信\n\n|\n\n官方微博\n\n|\n"
           "首页 | 新闻中心 | 法院动态 | 联系我们\n"
           "当前位置:首页 > 新闻中心 > 法院动态\n"
           "结案平均用时缩短65.2天\n"
           "今年以来,全市法院受理案件57876件,结案率95.74%。\n"
           "分享到:\n【字号 大 中 小】【打印本页】【关闭窗口】\n"
           "版权所有:浙江省高级人民法院  浙ICP备14028866号-1\n"
           "Copyright 2015 法治网 All Rights Reserved\n")
    text = normalize(raw).text
    assert text == "结案平均用时缩短65.2天\n今年以来,全市法院受理案件57876件,结案率95.74%。"


def test_lines_broken_mid_sentence_are_rejoined_but_headings_and_captions_are_not():
    raw = ("经过问题排查,台州市中级人民法院发现,当事人意图通过虚构或掩盖借贷事实、伪造证据等方式获得\n\n"
           "法院生效裁判,进而侵占他人财产的现象不在少数。\n\n"
           "“大讲堂”提升能力\n\n"
           "市检察院开设“台检大讲堂”\n\n"
           "出台《工作方案》,明确排查整治八类重点、15项具体措施、三大工作机制,挂牌督办22\n\n件涉虚假诉讼案件线索。\n")
    lines = normalize(raw).text.split("\n")
    assert lines == [
        "经过问题排查,台州市中级人民法院发现,当事人意图通过虚构或掩盖借贷事实、伪造证据等方式获得"
        "法院生效裁判,进而侵占他人财产的现象不在少数。",
        "",
        "“大讲堂”提升能力",
        "",
        "市检察院开设“台检大讲堂”",
        "",
        "出台《工作方案》,明确排查整治八类重点、15项具体措施、三大工作机制,挂牌督办22件涉虚假诉讼案件线索。",
    ]


def test_detect_script():
    assert detect_script(TRADITIONAL) == "traditional"
    assert detect_script("据了解,2021年以来,浙江省东阳市人民法院结案平均用时缩短65.2天。") == "simplified"
    assert detect_script("2021 12 31") == "simplified"


def test_sentences_split_at_end_punctuation_and_line_breaks():
    text = "受理案件1件。结案率95%!\n标题\n他说:“好。”然后呢?"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["受理案件1件。", "结案率95%!", "标题", "他说:“好。”", "然后呢?"]


def test_raw_offset_follows_runs():
    runs = [(0, 0), (5, 8), (9, 20)]
    assert [raw_offset(runs, p) for p in (0, 4, 5, 8, 9, 12)] == [0, 4, 8, 11, 20, 23]


def test_domain_terms_stay_one_token():
    tokens = cut("今年以来全市认罪认罚适用率达86.7%,结案率95.74%,诉源治理成效明显,执结率提升")
    for term in ("认罪认罚", "结案率", "诉源治理", "执结率"):
        assert term in tokens


def test_tokens_carry_offsets_into_the_text():
    text = "台州中院结案率95.74%,认罪认罚案件1万件。"
    words, starts, ends = token_spans(text)
    assert words and all(text[s:e] == w for w, s, e in zip(words, starts, ends, strict=True))


def test_token_spans_are_jiebas_tokens_with_whitespace_left_out():
    from fazhi.segment import token_spans, tokenizer

    text = "台州中院 结案率95.74%,\n认罪认罚案件1万件。\u3000全市　共受理 57876件"
    words, starts, ends = token_spans(text)
    expected = [(w, s, e) for w, s, e in tokenizer().tokenize(text, HMM=True) if w.strip()]
    assert list(zip(words, starts.tolist(), ends.tolist())) == expected
    assert all(text[s:e] == w and not w.isspace() for w, s, e in zip(words, starts, ends))
    assert len(expected) < len(tokenizer().lcut(text))  # the text has whitespace tokens to leave out
    assert [len(x) for x in token_spans("")] == [0, 0, 0]


INVISIBLE = {"zero-width space": "\u200b", "zero-width non-joiner": "\u200c", "zero-width joiner": "\u200d",
             "word joiner": "\u2060", "byte-order mark": "\ufeff", "NUL": "\x00", "soft hyphen": "\u00ad",
             "left-to-right mark": "\u200e", "invisible separator": "\u2063", "unit separator": "\x1f"}


@pytest.mark.parametrize("name", INVISIBLE)
@pytest.mark.parametrize("raw_number, expected", [("1{}2{}3件", "123件"), ("9{}5.{}5%", "95.5%")])
def test_invisible_characters_inside_a_number_are_dropped_and_offsets_stay_exact(name, raw_number, expected):
    raw = "法院受理案件" + raw_number.format(INVISIBLE[name], INVISIBLE[name]) + "。"
    norm = normalize(raw)
    assert norm.text == "法院受理案件" + expected + "。"
    # Every character of the normalized text maps to the same character of the raw text.
    for pos, ch in enumerate(norm.text):
        assert raw[norm.raw_offset(pos)] == ch
    start = norm.text.index(expected)
    raw_start, raw_end = norm.raw_offset(start), norm.raw_offset(start + len(expected) - 1) + 1
    assert raw[raw_start:raw_end] == raw_number.format(INVISIBLE[name], INVISIBLE[name])
