"""Org and period by scope: clause, paragraph, section heading or opening, document headline, opening and issuer."""
from __future__ import annotations

import pytest

from fazhi.extract import extract_figures
from fazhi.extract.model import DocContext
from fazhi.metadata import extract_metadata
from fazhi.normalize import normalize


def report_figures(raw: str) -> dict:
    """Figures of a raw report read as the pipeline reads it, headline (title) included, by surface."""
    norm = normalize(raw)
    doc = DocContext(doc_id="t", title=extract_metadata(norm.text).title)
    return {f.surface: f for f in extract_figures(norm.text, norm.sentences, doc)}


@pytest.mark.parametrize("raw,surface,period_text,rule", [
    # a section's opening statement governs its section, not the next one
    ("全市法院工作情况\n一、审判工作\n今年以来,全市法院审结案件1.2万件。\n结案率95%。\n二、队伍建设\n招录法官12名。",
     "95%", "今年以来", "section_opening"),
    ("全市法院工作情况\n一、审判工作\n今年以来,全市法院审结案件1.2万件。\n结案率95%。\n二、队伍建设\n招录法官12名。",
     "12名", None, "none"),
    # a heading that names a period governs its section
    ("全市法院工作情况\n（一）2021年上半年收结案情况\n收案1.2万件。\n（二）队伍建设\n招录法官12名。",
     "1.2万件", "2021年上半年", "section_heading"),
    # the headline's period governs the report
    ("浙江高院通报2023年全省法院工作情况\n全省法院受理案件3.1万件。", "3.1万件", "2023年", "document_headline"),
    # a report that names no period is dated by the day its opening statement reports
    ("编者按:11月5日,衡水市召开了全市政法工作创新交流会,交流推广一批典型经验,以飨读者,敬请关注。\n"
     "会上,衡水中院办结案件131件。", "131件", "11月5日", "document_dateline"),
    # a compilation's 关键词 line opens a contribution: its 核心数据 opening governs it, not the next one
    ("关键词:扫黑除恶\n核心数据:扫黑除恶专项斗争开展3年来,沈阳两级法院共受理涉黑恶案件369件。\n审结12件。\n"
     "关键词:营商环境\n核心数据:2017年以来,海城市人民法院共化解纠纷1700余起。\n审结43件。",
     "43件", "2017年以来", "section_opening"),
    # a baseline is never the period: 同比 and 较2022年 leave the opening's period in force
    ("全市法院工作情况\n2023年1至6月,全市法院受理案件3.1万件。\n较2022年同期增长5.5%。",
     "5.5%", "2023年1至6月", "document_opening"),
])
def test_period_by_scope(raw, surface, period_text, rule):
    f = report_figures(raw)[surface]
    assert f.period_text == period_text
    assert f.context_rule.endswith(f"period:{rule}")


@pytest.mark.parametrize("raw,surface,org,rule", [
    # the issuer named in the headline is the default org
    ("龙江法院召开新闻发布会\n通报了上半年审判执行情况。\n新收各类案件3964件。", "3964件", "龙江法院", "issuer_headline"),
    # a work report's 我代表…报告工作 names its issuer
    ("各位代表:\n我代表市中级人民法院向大会报告工作。\n一、审判工作\n审结案件1256件。", "1256件", "市中级人民法院",
     "issuer_reports_for"),
    # a compilation: a line that is only an institution's name heads its section
    ("创新经验交流\n把握核心 突出重点\n衡水市人民检察院\n一年来收到线索37个,办结案件131件。\n多维发力\n武邑县委政法委\n"
     "化解矛盾纠纷1232个。", "1232个", "武邑县委政法委", "section_institution"),
    # a police force that never names itself in full: 本澳警方
    ("今年首三季本澳警方共开立刑事专案调查案件10,831宗。", "10,831宗", "本澳警方", "sentence_subject"),
    # pinyin written into the text does not hide the name
    ("全区(qū)各级(jí)公安机(jī)关(guān)共打掉涉黑组织6个。", "6个", "全区各级公安机关", "sentence_subject"),
    # a place opening a clause is what its figures are about
    ("去年台北诈欺案件数为4026,破案率为113.26%;高雄的案发件数为2533件。", "2533件", "高雄市", "sentence_subject"),
])
def test_org_by_scope(raw, surface, org, rule):
    f = report_figures(raw)[surface]
    assert f.org == org
    assert f.context_rule.startswith(f"org:{rule} ")


@pytest.mark.parametrize("raw", ["", "全市法院工作情况", "一、审判工作\n（一）刑事审判", "没有数字的一段话。"])
def test_nothing_here(raw):
    assert report_figures(raw) == {}
