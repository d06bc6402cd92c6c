"""Statistical tables read as grids: header rows spanning columns, row labels, sign cells, units from headers."""
from __future__ import annotations

import pytest

from flows.extract import extract_figures
from flows.extract.model import DocContext
from flows.normalize import normalize

SPANNING = ("区域法院的案件量及结案数目\n案件量 | 结案数目 | |||\n---|---|---|---|---|\n2022 | 2023 | 2022 | 2023 |\n刑事管辖\n"
            "| ||||\n刑事案件 | 1 193 | 1 331 | 862 | 1 136 |\n民事 | 5 252 | 5 954 | 3 738 | 4 426 |\n")
SIGNED = ("二零二三年 (一月至六月) |\n二零二四年 (一月至六月) |\n(一月至六月) |\n"
          "1. | 总体罪案 | 42 923 | 45 315 | + | 2 392 | + | 5.6 |\n"
          "3. | 凶杀案 (1) | 16 | 11 | - | 5 | - | 31.3 |\n"
          "18. | 犯罪被捕人数 | ||||||\n- 少年罪犯 | 591 | 536 | - | 55 | - | 9.3 | |\n")
UNIT_LINE = "地方检察署侦查终结人数\n单位:人 | |\n年别 | 总计 | 起诉 |\n109年 | 4,865 | 1,740 |\n110年 | 4,735 | 1,748 |\n"


def cells(raw: str) -> dict:
    norm = normalize(raw)
    return {(f.surface, f.column_header): f for f in extract_figures(norm.text, norm.sentences, DocContext(doc_id="t"))}


def one(raw: str, surface: str):
    found = [f for (s, _), f in cells(raw).items() if s == surface]
    assert len(found) == 1, (surface, found)
    return found[0]


@pytest.mark.parametrize("raw,surface,value,unit,kind,direction,metric,period,org", [
    # a header over two columns spans both; the period row under it dates each column
    (SPANNING, "1 193", 1193, "件", "count", None, "刑事案件", "2022", "区域法院"),
    (SPANNING, "4 426", 4426, "件", "count", None, "民事", "2023", "区域法院"),
    # sign cells make changes; the second change column of a pair, written with decimals, is in %
    (SIGNED, "2 392", 2392, "件", "change", "up", "总体罪案", "(一月至六月)", None),
    (SIGNED, "31.3", 31.3, "%", "change", "down", "凶杀案", "(一月至六月)", None),
    (SIGNED, "45 315", 45315, "件", "count", None, "总体罪案", "二零二四年 (一月至六月)", None),
    # a group row names the classifier of the rows under it (犯罪被捕人数 -> 人)
    (SIGNED, "591", 591, "人", "count", None, "少年罪犯", "二零二三年 (一月至六月)", None),
    # a 单位 line gives the unit; a period row label dates its row
    (UNIT_LINE, "4,865", 4865, "人", "count", None, "总计", "109年", "地方检察署"),
])
def test_table_cells(raw, surface, value, unit, kind, direction, metric, period, org):
    f = one(raw, surface)
    assert (f.value, f.unit, f.kind, f.direction, f.metric, f.period_text) == (value, unit, kind, direction, metric,
                                                                             period)
    if org:
        assert f.org == org
    assert f.context_rule.startswith("org:")
    assert f.table_index == 0 and f.row_label


def test_every_surface_is_at_its_offsets():
    for raw in (SPANNING, SIGNED, UNIT_LINE):
        norm = normalize(raw)
        for f in extract_figures(norm.text, norm.sentences, DocContext(doc_id="t")):
            assert norm.text[f.char_start:f.char_end] == f.surface


@pytest.mark.parametrize("raw", [
    "首页 | 新闻 | 公开 | 联系我们",  # a navigation bar is not a table
    "年份 | 说明\n2022 | 无\n",  # years alone are headers, not figures
    "类别 | 数量\n持真枪劫案 | - | - |\n银行劫案 | - | - |\n",  # empty cells are nothing
])
def test_nothing_here(raw):
    assert cells(raw) == {}
