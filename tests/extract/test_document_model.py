"""The document model: small real-looking layouts and the blocks and sections read from them."""
from __future__ import annotations

import pytest

from fazhi.extract.document import build_model, heading_marker


def kinds(text: str, title: str | None = None) -> list[tuple[str, int, str]]:
    model = build_model(text, title)
    return [(b.kind, b.level, text[b.start:b.end]) for b in model.blocks]


@pytest.mark.parametrize("line,expected", [
    ("第一部分 审判执行工作", (1, "part")),
    ("一、坚持公正司法,审判工作取得明显成效", (2, "chinese_ordinal")),
    ("(一)严格执行刑事法律规定", (3, "paren_chinese")),
    ("1.质效重点指标考核要求。", (4, "arabic_ordinal")),
    ("(1)收案情况", (5, "paren_arabic")),
    ("## 动真碰硬盯着问题抓整改", (2, "markdown")),
    # nothing here: a decimal, a percentage, a date and prose are no headings
    ("1.5万件案件已审结。", None),
    ("95.74%的案件当庭宣判", None),
    ("2021年上半年,全市法院受理案件。", None),
    ("全市法院受理案件3.1万件。", None),
])
def test_heading_markers(line, expected):
    assert heading_marker(line) == expected


def test_a_news_page_headline_chrome_dateline_and_byline():
    text = ("首页 机构设置 新闻中心 司法公开 诉讼指南 法学园地\n【龙法动态】龙江法院举办新闻发布会\n发布时间:2021-07-03 13:59:11\n"
            "法治日报记者 陈东升\n来源:法治网 责任编辑:施少伦\n7月2日上午,龙江法院举行新闻发布会,通报上半年审判执行质效工作情况,全院新收案件3964件。")
    got = [k for k, _, _ in kinds(text)]
    assert got == ["chrome", "headline", "dateline", "byline", "source", "paragraph"]
    model = build_model(text)
    assert text[model.headline.start:model.headline.end] == "【龙法动态】龙江法院举办新闻发布会"
    assert [text[b.start:b.end] for b in model.bylines] == ["法治日报记者 陈东升", "来源:法治网 责任编辑:施少伦"]


def test_numbered_sections_nest_and_end_at_the_next_heading_of_their_level():
    text = ("全市法院工作报告\n一、审判工作\n(一)刑事审判\n审结刑事案件1744件。\n(二)民事审判\n审结民事案件2万件。\n"
            "二、队伍建设\n招录法官12名。")
    model = build_model(text)
    pos = text.index("1744")
    assert [text[s.start:s.heading_end] for s in model.sections_at(pos)] == ["(一)刑事审判", "一、审判工作"]
    pos = text.index("12名")
    assert [text[s.start:s.heading_end] for s in model.sections_at(pos)] == ["二、队伍建设"]


def test_a_heading_that_runs_on_into_its_paragraph_ends_at_its_full_stop():
    text = "报告\n(一)严格执行刑事法律规定,全力维护稳定。依法审结案件3件。"
    section = build_model(text).sections[0]
    assert text[section.start:section.heading_end] == "(一)严格执行刑事法律规定,全力维护稳定。"


def test_a_compilation_title_and_its_institution_line_are_one_heading():
    text = ("编者按:为回顾总结全市政法工作创新成效,交流推广一批典型经验,本期推出此特别报道,以飨读者,请各位读者关注。\n"
            "党建和业务深度融合 推动全市检察工作创新发展\n衡水市人民检察院\n今年以来,衡水市检察机关办理案件131件。\n"
            "把握核心 突出重点\n衡水市中级人民法院\n结案31006件。")
    model = build_model(text)
    assert [text[s.start:s.heading_end] for s in model.sections] == [
        "党建和业务深度融合 推动全市检察工作创新发展\n衡水市人民检察院", "把握核心 突出重点\n衡水市中级人民法院"]


def test_table_rows_are_blocks_of_their_own():
    text = "区域法院的案件量\n刑事案件 | 1 193 | 1 331 |\n民事 | 5 252 | 5 954 |"
    assert [k for k, _, _ in kinds(text)] == ["headline", "table_row", "table_row"]


@pytest.mark.parametrize("text", ["", "\n\n", "没有标题的一段话,写得很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长。"])
def test_nothing_here(text):
    model = build_model(text)
    assert model.sections == [] and model.headline is None and model.bylines == []
