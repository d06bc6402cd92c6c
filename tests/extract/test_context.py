"""Figure context: metric binding, organization resolution, periods into dates, and classify_org."""
from __future__ import annotations

from datetime import date

import pytest

from fazhi.extract.context import attach_context, prepare_document
from fazhi.extract.model import DocContext, Quantity
from fazhi.extract.orgs import classify_org
from fazhi.extract.periods import find_periods, resolve_period
from fazhi.normalize import split_sentences


def context_of(text: str, surface: str, kind: str = "count", doc: DocContext | None = None, nth: int = 0):
    """Context of the nth occurrence of surface in text, with every earlier figure of its sentence read first."""
    doc = doc or DocContext(doc_id="t")
    prepare_document(text, doc)
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    sentence = next((s, e) for s, e in split_sentences(text) if s <= start < e)
    return attach_context(text, sentence, Quantity(surface, start, start + len(surface), 0.0, "件", kind), doc)


def read_all(text: str, surfaces: list[tuple[str, str]], doc: DocContext | None = None) -> list:
    """Contexts of several figures read in text order, as the extractor does."""
    doc = doc or DocContext(doc_id="t")
    prepare_document(text, doc)
    out, pos = [], 0
    spans = split_sentences(text)
    for surface, kind in surfaces:
        start = text.index(surface, pos)
        pos = start + len(surface)
        sentence = next((s, e) for s, e in spans if s <= start < e)
        out.append(attach_context(text, sentence, Quantity(surface, start, pos, 0.0, "件", kind), doc))
    return out


# ---- metric ------------------------------------------------------------------------------------------------

def test_metric_of_a_whole_and_its_part():
    text = "2021年,杭州市中级人民法院受理执行案件1200件,其中首次执行案件800件,结案率达95.2%。"
    got = read_all(text, [("1200件", "count"), ("800件", "count"), ("95.2%", "rate")])
    assert [c.metric for c in got] == ["受理执行案件", "首次执行案件", "结案率"]


def test_change_against_baseline_keeps_the_metric():
    text = "全市法院执行结案平均用时88.1天,比全省平均值(101.5天)少13.4天,结案率95%,同比提高2.1个百分点。"
    got = read_all(text, [("88.1天", "duration"), ("101.5天", "duration"), ("13.4天", "change"),
                          ("95%", "rate"), ("2.1个百分点", "change")])
    assert got[0].metric == "执行结案平均用时"
    assert got[1].metric == "平均值" or got[1].metric == "全省平均值"
    assert got[1].org == "全省"
    assert got[2].metric == "执行结案平均用时"
    assert got[4].metric == "结案率"


def test_counted_noun_after_the_number_is_the_metric():
    text = "该院组建了立案服务、速裁快审等5个团队,共确定36件重点评查案件。"
    got = read_all(text, [("5个", "count"), ("36件", "count")])
    assert got[0].metric == "团队"
    assert got[1].metric == "重点评查案件"


def test_share_of_a_base():
    text = "全市法院诉前调解纠纷8000件,占一审立案数量的40.5%。"
    got = read_all(text, [("8000件", "count"), ("40.5%", "rate")])
    assert got[0].metric == "诉前调解纠纷"
    assert "占一审立案数量" in got[1].metric


def test_cases_and_persons_share_a_metric():
    text = "办理涉黑案件12件88人。"
    got = read_all(text, [("12件", "count"), ("88人", "count")])
    assert got[0].metric == got[1].metric == "涉黑案件"


def test_rank_takes_what_is_ranked():
    text = "2021年全省法院审判质效评估,绍兴位居全省第2名。"
    assert context_of(text, "第2名", "rank").metric == "审判质效评估"


def test_table_row_label():
    text = "指标 | 数值\n结案率 | 96.3%\n"
    assert context_of(text, "96.3%", "rate").metric == "结案率"


# ---- organization ------------------------------------------------------------------------------------------

def test_short_forms_resolve_to_full_names():
    text = ("台州市中级人民法院召开新闻发布会。台州中院通报,2020年审结案件431件。"
            "市检察院起诉52人。")
    got = read_all(text, [("431件", "count"), ("52人", "count")])
    assert got[0].org == "台州市中级人民法院"
    assert got[1].org == "台州市人民检察院"


def test_this_court_is_the_court_in_scope():
    text = "去年5月,仙居法院建立智治平台。\n截至目前,该院已在线办理789件事。"
    assert context_of(text, "789件").org == "仙居法院"


def test_short_court_name_takes_the_full_name_the_text_gives():
    text = "浙江省东阳市人民法院深化改革。\n2021年以来,东阳法院联通17家协作单位。"
    assert context_of(text, "17家").org == "浙江省东阳市人民法院"


def test_collectives_carry_the_city():
    text = "宁波政法工作会议召开。1至9月份,全市法院一审行政诉讼收案同比下降12.9%。\n两级法院审结案件900件。"
    got = read_all(text, [("12.9%", "change"), ("900件", "count")])
    assert got[0].org == "全市法院"  # a scope word naming a collective is the org as written (the spec)
    assert got[1].org == "两级法院"
    written = "沈阳两级法院共受理涉黑恶案件369件。"
    assert context_of(written, "369件").org == "沈阳两级法院"


def test_preposition_object_is_not_the_org():
    text = "衡水市检察机关服务民营企业,向法院提出量刑建议并被采纳70人。"
    assert context_of(text, "70人").org == "衡水市检察机关"


def test_author_line_governs_its_section():
    text = ("关键词:智慧法院\n核心数据:送达成功率87.79%。\n▲ 经验交流单位:营口市中级人民法院\n"
            "关键词:营商环境\n核心数据:2017年以来,海城市人民法院化解纠纷1700余起。\n▲ 经验交流单位:海城市人民法院\n")
    assert context_of(text, "87.79%", "rate").org == "营口市中级人民法院"
    assert context_of(text, "1700余起").org == "海城市人民法院"


def test_hong_kong_and_taiwan_names_do_not_break():
    text = "香港警务处去年拘捕1200人。台北地方法院审结案件3000件。"
    got = read_all(text, [("1200人", "count"), ("3000件", "count")])
    assert got[0].org == "香港警务处"
    assert got[1].org == "台北地方法院"


# ---- period ------------------------------------------------------------------------------------------------

def test_year_to_date_from_the_dateline_year():
    doc = DocContext(doc_id="t", title="宁波推进提升年活动", published=date(2020, 10, 20))
    text = "宁波推进提升年活动\n截至9月底,公检法司各部门共排查案件6万多件。"
    ctx = context_of(text, "6万多件", doc=doc)
    assert ctx.period_text == "截至9月底"
    assert (ctx.period_type, ctx.period_start, ctx.period_end) == ("year_to_date", date(2020, 1, 1),
                                                                   date(2020, 9, 30))


def test_no_year_leaves_dates_null():
    ctx = context_of("截至9月底,共排查案件600件。", "600件")
    assert ctx.period_text == "截至9月底"
    assert ctx.period_start is None and ctx.period_end is None


def test_month_range_and_headline_year():
    doc = DocContext(doc_id="t", title="2020年衡水法院工作综述")
    ctx = context_of("2020年衡水法院工作综述\n今年1月至10月,全市法院受理执行案件21750件。", "21750件", doc=doc)
    assert ctx.period_text == "今年1月至10月"
    assert (ctx.period_start, ctx.period_end) == (date(2020, 1, 1), date(2020, 10, 31))


def test_period_carries_through_the_paragraph_but_not_past_it():
    # The first paragraph of figures opens with no period, so the report has none to fall back on.
    text = "执结案件12件。\n2022年全年执行案件制裁违法率为117.96%。成功查控被执行人382人。\n执结案件53件。"
    got = read_all(text, [("117.96%", "rate"), ("382人", "count"), ("53件", "count")])
    assert [c.period_text for c in got] == ["2022年全年", "2022年全年", None]


def test_event_anchored_since_period_found_after_the_figure():
    text = "制定文件28份......扫黑除恶专项斗争开展3年来,两级法院坚持政治引领。"
    assert context_of(text, "28份").period_text == "扫黑除恶专项斗争开展3年来"


def test_a_year_inside_a_noun_phrase_is_no_period():
    assert [p.text for p in find_periods("写入2020年法院工作报告") if p.adverbial] == []


@pytest.mark.parametrize("written,kind_dates", [
    ("1至9月份", ("month_range", date(2020, 1, 1), date(2020, 9, 30))),
    ("2019年度", ("year", date(2019, 1, 1), date(2019, 12, 31))),
    ("2021年以来", ("since", date(2021, 1, 1), date(2020, 11, 1))),
    ("第三季度", ("quarter", date(2020, 7, 1), date(2020, 9, 30))),
    ("去年", ("year", date(2019, 1, 1), date(2019, 12, 31))),
    ("截至目前", ("as_of", None, date(2020, 11, 1))),
])
def test_resolve_period(written, kind_dates):
    found = find_periods(written)
    assert [p.text for p in found] == [written]
    assert resolve_period(written, found[0].kind, None, 2020, date(2020, 11, 1)) == kind_dates


# ---- classify_org ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,expected", [
    ("台州中院", {"org": "台州市中级人民法院", "org_type": "court", "level": "prefectural", "place": "台州市"}),
    ("仙居法院", {"org": "仙居县人民法院", "org_type": "court", "level": "county", "place": "仙居县"}),
    ("浙江省高级人民法院", {"org_type": "court", "level": "provincial", "place": "浙江省"}),
    ("最高人民检察院", {"org_type": "procuratorate", "level": "national", "place": None}),
    ("宁波市公安局", {"org_type": "police", "level": "prefectural", "place": "宁波市"}),
    ("广东省司法厅", {"org_type": "justice", "level": "provincial", "place": "广东省"}),
    ("深州市委政法委", {"org_type": "committee", "level": "county", "place": "深州市"}),
    ("沈阳两级法院", {"org_type": "court", "level": "multi", "collective": True, "place": "沈阳市"}),
    ("上海海事法院", {"org_type": "court", "specialty": "海事", "place": "上海市"}),
    ("北京互联网法院", {"org_type": "court", "specialty": "互联网"}),
    ("香港警务处", {"org_type": "police", "province": "香港特别行政区"}),
    ("澳门检察院", {"org": "澳门检察院", "org_type": "procuratorate"}),
    ("士林地检署", {"org_type": "procuratorate", "level": "county"}),
])
def test_classify_org(name, expected):
    got = classify_org(name)
    assert {k: got[k] for k in expected} == expected


# ---- unseen layouts and regions ------------------------------------------------------------------------------

def figures_of(raw: str) -> dict:
    """Figures of a raw text run through normalization and extraction, by surface."""
    from fazhi.extract import extract_figures
    from fazhi.normalize import normalize

    norm = normalize(raw)
    return {f.surface: f for f in extract_figures(norm.text, norm.sentences, DocContext(doc_id="t"))}


@pytest.mark.parametrize("raw,surface,metric,period_text,period_start", [
    ("广州中院2022年数据\n\n指标 | 2021年 | 2022年\n\n收案(件) | 59 225 | 61 200\n\n结案率(%) | 95.1 | 96.2",
     "61 200", "收案", "2022年", date(2022, 1, 1)),
    ("广州中院2022年数据\n\n指标 | 2021年 | 2022年\n\n收案(件) | 59 225 | 61 200\n\n结案率(%) | 95.1 | 96.2",
     "95.1", "结案率", "2021年", date(2021, 1, 1)),
    ("单位:件\n指标 | 2022年1-6月 | 2023年1-6月\n执行收案 | 41 230 | 44 875",
     "44 875", "执行收案", "2023年1-6月", date(2023, 1, 1)),
])
def test_table_cell_metric_from_row_and_period_from_column(raw, surface, metric, period_text, period_start):
    f = figures_of(raw)[surface]
    assert (f.metric, f.period_text, f.period_start) == (metric, period_text, period_start)


@pytest.mark.parametrize("raw,surface,period_text,period_start,period_end", [
    ("臺灣高等法院111年度司法統計\n111年全年,各地方法院終結民事事件共計1,234,567件,較110年增加3.2%。",
     "1,234,567件", "111年全年", date(2022, 1, 1), date(2022, 12, 31)),
    ("法務部112年度統計\n各地方法院112年度終結刑事案件21萬8,764件,定罪率為96.4%。",
     "96.4%", "112年度", date(2023, 1, 1), date(2023, 12, 31)),
    ("法務部統計\n民國112年底,全國矯正機關收容人數為5萬5,826人。",
     "5万5,826人", "民国112年底", date(2023, 1, 1), date(2023, 12, 31)),
    ("廉政公署年報\n2023/24年度廉署的開支為14.73億港元。",
     "14.73亿港元", "2023/24年度", date(2023, 4, 1), date(2024, 3, 31)),
])
def test_taiwan_roc_years_and_fiscal_years_give_periods(raw, surface, period_text, period_start, period_end):
    f = figures_of(raw)[surface]
    assert (f.period_text, f.period_start, f.period_end) == (period_text, period_start, period_end)


def test_roc_years_are_not_read_in_a_mainland_report():
    doc = DocContext(doc_id="t")
    text = "建院100年来,本院共审结案件120万件。"
    prepare_document(text, doc)
    assert [p.text for p in find_periods(text)] == ["建院100年来"]


@pytest.mark.parametrize("raw,surface,metric,org", [
    ("臺灣高等法院111年度司法統計\n111年全年,各地方法院終結民事事件共計1,234,567件。",
     "1,234,567件", "终结民事事件", "各地方法院"),
    ("法務部統計\n112年全年,各地方檢察署新收偵查案件共計61萬2,345件。", "61万2,345件", "新收侦查案件", "各地方检察署"),
    ("湖南省高级人民法院工作报告\n2022年,省法院受理案件2.1万件。", "2.1万件", "受理案件", "湖南省高级人民法院"),
    ("浙江省公安厅通报\n全省共接报110警情612万起,平均到场时间缩短至8.5分钟。", "8.5分钟", "平均到场时间", "全省"),
])
def test_collectives_and_provincial_orgs(raw, surface, metric, org):
    f = figures_of(raw)[surface]
    assert (f.metric, f.org) == (metric, org)


@pytest.mark.parametrize("raw,surface,metric,baseline", [
    ("香港警務處表示,2022年整體罪案共70,048宗,按年上升17.8%。", "17.8%", "整体罪案", "按年"),
    ("治安警察局開立刑事專案調查2,846宗,按年比較上升12.5%。", "12.5%", "开立刑事专案调查", "按年比较"),
    ("盜竊案628宗,較上年減少5.3%。", "5.3%", "盗窃案", "较上年"),
    ("盜竊案628宗,與去年同期相比減少5.3%。", "5.3%", "盗窃案", "与去年同期相比"),
    ("詐騙案412宗,比上年同期下降3%。", "3%", "诈骗案", "比上年同期"),
])
def test_hong_kong_baselines_keep_the_previous_metric(raw, surface, metric, baseline):
    f = figures_of(raw)[surface]
    assert (f.metric, f.kind, f.baseline) == (metric, "change", baseline)


def test_changes_after_fenbie_pair_with_the_figures_before():
    got = figures_of("2023年,全市法院共受理各类案件14.7万件,结案11.2万件,同比分别上升9.6%和7.3%。")
    assert (got["9.6%"].metric, got["7.3%"].metric) == ("受理各类案件", "结案")


def test_a_year_written_right_before_a_figure_is_its_period():
    got = figures_of("2023年,廉署共接獲貪污投訴2,262宗,較2022年的2,125宗增加6%。")
    assert (got["2,262宗"].period_text, got["2,125宗"].period_text, got["6%"].period_text) == (
        "2023年", "2022年", "2023年")


def test_same_period_takes_the_dates_of_the_period_before():
    got = figures_of("2023年第三季度,治安警察局共拘捕1,127名。\n司法警察局同期偵破毒品案件63宗。")
    assert (got["63宗"].period_text, got["63宗"].period_start) == ("同期", date(2023, 7, 1))


@pytest.mark.parametrize("raw,surface,unit", [
    ("法務部統計\n詐欺案件平均每案損失25.6萬元。", "25.6万元", "新台币"),
    ("香港警務處表示,涉款共3,000萬元。", "3,000万元", "港元"),
    ("澳門治安警察局:罰款收入達500萬元。", "500万元", "澳门元"),
    ("香港警務處表示,涉款人民币3,000萬元。", "人民币3,000万元", "元"),
    ("杭州市公安局挽回损失3.2亿元。", "3.2亿元", "元"),
])
def test_bare_yuan_is_the_local_dollar(raw, surface, unit):
    assert figures_of(raw)[surface].unit == unit


def test_a_thousands_comma_does_not_end_the_clause():
    got = figures_of("香港警務處表示,詐騙案是增幅最大的罪案類別,共有39,824宗,較2022年增加11,913宗,升幅達42.7%。")
    assert [got[s].metric for s in ("39,824宗", "11,913宗", "42.7%")] == ["诈骗案"] * 3
    assert (got["11,913宗"].kind, got["11,913宗"].direction) == ("change", "up")


@pytest.mark.parametrize("written,kind_dates", [
    ("过去五年", ("year_range", date(2018, 1, 1), date(2022, 12, 31))),
    ("近五年", ("year_range", date(2018, 1, 1), date(2022, 12, 31))),
    ("近三年", ("year_range", date(2020, 1, 1), date(2022, 12, 31))),
    ("五年来", ("year_range", date(2018, 1, 1), date(2022, 12, 31))),
    ("十年来", ("year_range", date(2013, 1, 1), date(2022, 12, 31))),
    ("2018年至2022年", ("year_range", date(2018, 1, 1), date(2022, 12, 31))),
    ("党的十八大以来", ("since", date(2012, 11, 8), None)),
    ("上半年", ("month_range", date(2023, 1, 1), date(2023, 6, 30))),
    ("今年上半年", ("month_range", date(2023, 1, 1), date(2023, 6, 30))),
    ("前三季度", ("month_range", date(2023, 1, 1), date(2023, 9, 30))),
    ("一季度", ("quarter", date(2023, 1, 1), date(2023, 3, 31))),
    ("第一季度", ("quarter", date(2023, 1, 1), date(2023, 3, 31))),
    ("去年", ("year", date(2022, 1, 1), date(2022, 12, 31))),
    ("上年", ("year", date(2022, 1, 1), date(2022, 12, 31))),
    ("9月份", ("month_range", date(2023, 9, 1), date(2023, 9, 30))),
])
def test_spans_of_years_and_parts_of_a_year(written, kind_dates):
    found = find_periods(written + ",全省")
    assert [p.text for p in found] == [written]
    assert resolve_period(written, found[0].kind, None, 2023, None) == kind_dates


def test_years_counted_back_include_the_year_a_year_end_summary_closes():
    (p,) = find_periods("近五年,")
    assert resolve_period(p.text, p.kind, None, 2023, date(2023, 12, 20))[1:] == (date(2019, 1, 1), date(2023, 12, 31))


def test_a_baseline_of_years_is_no_period():
    assert find_periods("比前五年上升40.2%") == [] and find_periods("第五年") == []


def test_a_span_of_years_dates_the_figures_it_opens():
    f = figures_of("最高人民检察院工作报告\n——2023年3月7日\n过去五年,全国检察机关共办理各类案件1733.6万件,比前五年上升40.2%。")
    assert (f["1733.6万件"].period_text, f["1733.6万件"].period_start, f["40.2%"].period_end) == (
        "过去五年", date(2018, 1, 1), date(2022, 12, 31))


@pytest.mark.parametrize("raw,surface,metric,kind,direction,baseline", [
    # a multiple of a baseline measures what the figure before it measured
    ("共起诉黑社会性质组织犯罪3.5万人,是前五年的3.2倍。", "3.2倍", "起诉黑社会性质组织犯罪", "change", "up", "前五年"),
    ("全年受理案件1.2万件,为上年的0.9倍。", "0.9倍", "受理案件", "change", "down", "上年"),
    # 年均 is a baseline, not the label
    ("办理公益诉讼案件75.6万件,年均上升10.9%。", "10.9%", "公益诉讼案件", "change", "up", "年均"),
    ("受理执行案件3.2万件,平均每年增长8%。", "8%", "受理执行案件", "change", "up", "年均"),
    # a comparative takes the measure compared
    ("一审服判率97%,高出其他刑事案件29.5个百分点。", "29.5个百分点", "一审服判率", "change", "up", "其他刑事案件"),
    ("结案率92.1%,低于全省平均水平1.2个百分点。", "1.2个百分点", "结案率", "change", "down", "全省平均水平"),
    # a bare share measures the figure it is a share of
    ("其中改变原处理决定1.1万件,占8.1%。", "8.1%", "改变原处理决定", "rate", None, None),
    ("诉前调解纠纷14304件,占三成。", "三成", "诉前调解纠纷", "rate", None, None),
    # 连续/累计 are not part of the label
    ("发案数连续14个月同比下降,累计下降了36.7%。", "36.7%", "发案数", "change", "down", None),
    ("发案数连续14个月同比下降,累计下降了36.7%。", "14个月", "发案数", "duration", None, None),
])
def test_labels_of_comparisons_shares_and_multiples(raw, surface, metric, kind, direction, baseline):
    f = figures_of(raw)[surface]
    assert (f.metric, f.kind, f.direction, f.baseline) == (metric, kind, direction, baseline)


def test_places_listed_before_fenbie_pair_with_their_ranks():
    got = figures_of("嘉兴市委政法委通报\n平湖市、海宁市平安建设考核分别排名全省第5名和第9名。")
    assert [(got[s].org, got[s].metric) for s in ("第5名", "第9名")] == [
        ("平湖市", "平安建设考核"), ("海宁市", "平安建设考核")]


def report_figures(raw: str) -> dict:
    """Figures of a raw report read as the pipeline reads it, headline (title) included, by surface."""
    from fazhi.extract import extract_figures
    from fazhi.metadata import extract_metadata
    from fazhi.normalize import normalize

    norm = normalize(raw)
    doc = DocContext(doc_id="t", title=extract_metadata(norm.text).title)
    return {f.surface: f for f in extract_figures(norm.text, norm.sentences, doc)}


@pytest.mark.parametrize("raw,surface,period_text,period_start,period_end", [
    # the headline's period dates the figures of later paragraphs
    ("浙江高院通报2023年全省法院审判执行工作情况\n2023年,全省法院共受理各类案件198.6万件。\n"
     "其中,受理民商事案件121.4万件,行政案件2.3万件。",
     "121.4万件", "2023年", date(2023, 1, 1), date(2023, 12, 31)),
    ("澳門檢察院公佈2023年度工作報告\n檢察院共收到刑事案件15,432宗。",
     "15,432宗", "2023年度", date(2023, 1, 1), date(2023, 12, 31)),
    ("山东省公安厅通报2023年上半年全省公安工作\n全省刑事警情同比下降9.4%。",
     "9.4%", "2023年上半年", date(2023, 1, 1), date(2023, 6, 30)),
    # no period in the headline: the one opening the first paragraph of figures
    ("全市法院工作情况\n2022年,全市法院受理案件3.1万件。\n审结一审民商事案件1.2万件。",
     "1.2万件", "2022年", date(2022, 1, 1), date(2022, 12, 31)),
    # a period of its own paragraph still wins
    ("浙江高院通报2023年全省法院工作情况\n今年1-7月,全省法院审结案件9.2万件。",
     "9.2万件", "今年1-7月", date(2023, 1, 1), date(2023, 7, 31)),
    # an opening statement's 截至… governs the figures below it (spec: the document's opening statement)
    ("全市法院工作情况\n截至2023年6月底,全市法院在册法官812名。\n审结案件1.2万件。",
     "1.2万件", "截至2023年6月底", date(2023, 1, 1), date(2023, 6, 30)),
    # no report period: a headline of several years, a figure that is a span
    ("2022年和2023年全省法院工作对比\n全省法院受理案件3.1万件。", "3.1万件", None, None, None),
    ("浙江高院通报2023年全省法院工作情况\n现行命案连续5年全破。", "5年", None, None, None),
])
def test_figures_without_a_period_of_their_own_take_the_reports(raw, surface, period_text, period_start, period_end):
    f = report_figures(raw)[surface]
    assert (f.period_text, f.period_start, f.period_end) == (period_text, period_start, period_end)


@pytest.mark.parametrize("raw,surface,metric,org", [
    # a bare institution opening the label is who reports, with the 共/累计 after it
    ("澳門檢察院公佈2023年度工作報告\n2023年,檢察院共收到刑事案件15,432宗。", "15,432宗", "收到刑事案件", "澳门检察院"),
    ("澳門檢察院公佈2023年度工作報告\n同期,檢察院辦理的民事及行政訴訟案件共計312宗。", "312宗", "民事及行政诉讼案件",
     "澳门检察院"),
    ("香港警務處表示,警方全年共拘捕33,446人。", "33,446人", "拘捕", None),
    ("廉政公署年報\n截至2023年12月31日,廉署共有員工1,558人。", "1,558人", "员工", None),
    # an institution after its number is what is counted
    ("全省现有128家法院。", "128家", "法院", None),
    # a trailing 占 belongs to the share, not the label
    ("提起控訴案件4,567宗,其中以簡易訴訟程序處理的案件佔約三成。", "约三成", "简易诉讼程序处理的案件", None),
    ("警方拘捕33,446人,當中青少年佔2,341人。", "2,341人", "青少年", None),
    # 全年 after an organization is the period, not 全 + a label 年…
    ("杭州中院全年审结案件4.1万件。", "4.1万件", "审结案件", "杭州市中级人民法院"),
])
def test_labels_lose_the_organization_and_the_share_verb(raw, surface, metric, org):
    f = figures_of(raw)[surface]
    assert f.metric == metric
    if org:
        assert f.org == org


def test_whole_year_after_an_organization_is_the_period():
    f = figures_of("浙江高院通报2023年工作情况\n杭州中院全年审结案件4.1万件。")["4.1万件"]
    assert (f.metric, f.period_text, f.period_start) == ("审结案件", "全年", date(2023, 1, 1))


# A sentence or line with thousands of figures (a flattened statistics page), runs of digits and numerals: the
# extractor's cost per character stays the same as the input grows (issue 19).
HOSTILE = ["12.3%，案件结案率", "1234567890", "1,2,3,", "万", "亿", "一二三四五", "收案5件\n", "该院法院检察院收案5件，",
           "2023年1至9月收案5件，", "全市收案5件，", "法院分别收案5件和6件，"]


@pytest.mark.parametrize("unit", HOSTILE)
def test_extraction_cost_grows_linearly_on_hostile_text(unit, cost_growth):
    from fazhi.extract import extract_figures
    from fazhi.normalize import split_sentences

    def run(text):
        extract_figures(text, split_sentences(text), DocContext(doc_id="h"))

    assert cost_growth(run, lambda n: unit * (n // len(unit)), 1500) < 8


def test_figures_point_to_their_sentence_instead_of_copying_it():
    import tracemalloc

    from fazhi.extract import extract_figures
    from fazhi.normalize import split_sentences

    def peak(n):
        text = "12.3%，案件结案率" * n
        extract_figures(text[:100], split_sentences(text[:100]), DocContext(doc_id="w"))
        tracemalloc.start()
        figures = extract_figures(text, split_sentences(text), DocContext(doc_id="h"))
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert all(f.sentence_index == 0 for f in figures) and len(figures) == n
        return size

    assert peak(2000) / peak(500) < 8
