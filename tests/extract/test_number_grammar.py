"""Numbers in running text read through the numeral grammar: every form the contract names, bounds and ranges in
words, signs, numbers that are not figures, and numbers seen but left unread."""
from __future__ import annotations

import math

import pytest

from fazhi.extract.numbers import find_quantities

E, O, U, A = "exact", "over", "under", "about"

# text, then every figure as (surface, value, unit, kind, approx, direction, value_max)
GRAMMAR = [
    ("共两千四百五件", [("两千四百五件", 2450, "件", "count", E, None, None)]),
    ("受理一万三件", [("一万三件", 13000, "件", "count", E, None, None)]),
    ("受理千三件", [("千三件", 1300, "件", "count", E, None, None)]),
    ("受理一万零十二件", [("一万零十二件", 10012, "件", "count", E, None, None)]),
    ("受理1千零1件", [("1千零1件", 1001, "件", "count", E, None, None)]),
    ("受理2千零30万件", [("2千零30万件", 20300000, "件", "count", E, None, None)]),
    ("受理七十八万五佰零六件", [("七十八万五佰零六件", 780506, "件", "count", E, None, None)]),
    ("人口四万万人", [("四万万人", 4e8, "人", "count", E, None, None)]),
    ("判令赔偿人民币壹拾贰万叁仟元整", [("人民币壹拾贰万叁仟元", 123000, "元", "amount", E, None, None)]),
    ("审结肆佰陆拾件", [("肆佰陆拾件", 460, "件", "count", E, None, None)]),
    ("涉案金额达新台币1.2兆元", [("新台币1.2兆元", 1.2e12, "新台币", "amount", E, None, None)]),
    ("误差率为百万分之五", [("百万分之五", 0.0005, "%", "rate", E, None, None)]),
    ("差错率千分之三", [("千分之三", 0.3, "%", "rate", E, None, None)]),
    ("调解成功率三成半", [("三成半", 35, "%", "rate", E, None, None)]),
    ("受理356.2万(wàn)件", [("356.2万(wàn)件", 3562000, "件", "count", E, None, None)]),
    ("共……9件", [("9件", 9, "件", "count", E, None, None)]),
    # a count whose classifier is left out takes the unit of what it counts
    ("其中行政案件约12万,同比上升", [("约12万", 120000, "件", "count", A, None, None)]),
    ("受助群众近30万。", [("近30万", 300000, "人", "count", U, None, None)]),
    ("办理千余件", [("千余件", 1000, "件", "count", O, None, None)]),
    ("挽回损失万余元", [("万余元", 10000, "元", "amount", O, None, None)]),
    ("千家万户,千方百计,万众一心,亿万人民", []),
    # signs
    ("同比负增长3.9%", [("3.9%", 3.9, "%", "change", E, "down", None)]),
    ("同比下降负3.9%", [("负3.9%", 3.9, "%", "change", E, "down", None)]),
    ("收案数同比-3.2%", [("-3.2%", 3.2, "%", "change", E, "down", None)]),
    ("以同样的条件算成长率,台北则是−13.38%", [("−13.38%", 13.38, "%", "change", E, "down", None)]),
    # bounds and ranges in words
    ("涉案超过了80件", [("超过了80件", 80, "件", "count", O, None, None)]),
    ("大于10件", [("大于10件", 10, "件", "count", O, None, None)]),
    ("标的额小于5万元", [("小于5万元", 50000, "元", "amount", U, None, None)]),
    ("多于3人", [("多于3人", 3, "人", "count", O, None, None)]),
    ("至少5件", [("至少5件", 5, "件", "count", O, None, None)]),
    ("不低于95%", [("不低于95%", 95, "%", "rate", O, None, None)]),
    ("最多10人", [("最多10人", 10, "人", "count", U, None, None)]),
    ("不多于20件", [("不多于20件", 20, "件", "count", U, None, None)]),
    ("大于10件小于20件", [("大于10件小于20件", 10, "件", "count", E, None, 20)]),
    ("标的额在1000件以上1500件以下", [("1000件以上1500件以下", 1000, "件", "count", E, None, 1500)]),
    ("介于10至20件之间", [("10至20件", 10, "件", "count", E, None, 20)]),
    ("在10件到20件之间", [("10件到20件", 10, "件", "count", E, None, 20)]),
]


@pytest.mark.parametrize("text,expected", GRAMMAR, ids=[t for t, _ in GRAMMAR])
def test_number_grammar_in_text(text, expected):
    got = find_quantities(text)
    assert [q.surface for q in got] == [e[0] for e in expected], [q.surface for q in got]
    for q, (surface, value, unit, kind, approx, direction, value_max) in zip(got, expected):
        assert text[q.char_start:q.char_end] == surface
        assert math.isclose(q.value, value, rel_tol=1e-9), (surface, q.value)
        assert (q.unit, q.kind, q.approx, q.direction) == (unit, kind, approx, direction), surface
        assert q.value_max == value_max, surface


# Real page lines (addresses from the development corpus's index and page footers): no figure inside them.
WEB_LINES = [
    "来源: http://jgsfy.cncourt.org/public/detail.php?id=829",
    "http://ctey.gov.cn:80/list/a2101.shtml?page=2",
    "原文链接:http://ylqfy.hbfy.gov.cn/DocManage/ViewDoc?docId=5ba01225-4386-4e5f-a5f4-c2155a92fcc9",
    "http://jju.news3.cn/jiadian/2023/0808/13636.html",
    "https://www.court.gov.mo/tools/attachment/1768270135uaugx.htm",
    "Copyright © 2012-2024 www.chinatrial.net.cn All Rights Reserved",
    "https://www.court.gov.cn/zixun/%E6%B3%95%E9%99%A2%E5%B7%A5%E4%BD%9C95%E4%BB%B6.html",
    "搜索 %E6%B3%95%E9%99%A2 的结果",
    "详见 detail/id/20787.shtml",
    "附件:2021年工作报告3.pdf",
    "投稿邮箱:fy2021@163.com",
]


@pytest.mark.parametrize("line", WEB_LINES)
def test_numbers_in_web_addresses_files_and_encodings_are_not_figures(line):
    assert find_quantities(line) == []


def test_a_figure_next_to_a_web_address_is_still_read():
    text = "详见 http://www.chinatrial.net.cn/news/9888.html ,全年受理案件431件"
    assert [q.surface for q in find_quantities(text)] == ["431件"]


@pytest.mark.parametrize("text,surface,reason", [
    ("结案率负3.9%", "负3.9%", "sign"),             # a sign and no change word: a level below zero or a fall?
    ("受理三四百件", "三四百件", "digits in a row"),  # an estimate, no one value
    ("审结十五六件", "十五六件", "digits in a row"),
    ("受理一千零零五件", "一千零零五件", "零"),
    ("数据量达5兆条", "5兆条", "兆"),                 # 10^6 or 10^12 outside an amount
    ("法院|收案(件)|结案(件)\n本院|-12|30", "-12", "sign"),  # a signed cell outside a change column
])
def test_numbers_not_read_with_certainty_are_left_out_and_counted(text, surface, reason):
    unread = []
    got = find_quantities(text, unread=unread)
    assert all(surface not in q.surface for q in got)
    assert [u.surface for u in unread] == [surface]
    assert reason in unread[0].reason


@pytest.mark.parametrize("text", ["二〇一九年", "二〇二〇年1至9月", "共受理案件431件"])
def test_years_and_read_numbers_are_not_counted_unread(text):
    unread = []
    find_quantities(text, unread=unread)
    assert unread == []
