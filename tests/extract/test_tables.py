"""Statistical tables read as grids: header rows spanning columns, row labels, sign cells, units from headers."""
from __future__ import annotations

import pytest

from fazhi.extract import extract_figures
from fazhi.extract.model import DocContext
from fazhi.normalize import normalize

SPANNING = ("区域法院的案件量及结案数目\n案件量 | 结案数目 | |||\n---|---|---|---|---|\n2022 | 2023 | 2022 | 2023 |\n刑事管辖\n"
            "| ||||\n刑事案件 | 1 193 | 1 331 | 862 | 1 136 |\n民事 | 5 252 | 5 954 | 3 738 | 4 426 |\n")
CURRENT_AND_BASELINE = ("昆明市中级人民法院收结案情况\n| 项目 | 本期 | 去年同期 | 同比(%) |\n| --- | --- | --- | --- |\n"
                        "| 受理案件 | 1200 | 1000 | 20.0 |\n| 审结案件 | 1100 | 900 | 22.2 |\n")
LATEST_FIRST = ("昆明市中级人民法院收结案情况\n| 项目 | 2023年 | 2022年 | 增减(%) |\n| --- | --- | --- | --- |\n"
                "| 受理案件 | 1200 | 1000 | 20.0 |\n| 审结案件 | 1100 | 900 | 22.2 |\n")
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
    # a change column reports for the period compared, never for the baseline: 本期 over 去年同期, the latest year
    (CURRENT_AND_BASELINE, "20.0", 20.0, "%", "change", "up", "受理案件", "本期", "昆明市中级人民法院"),
    (CURRENT_AND_BASELINE, "900", 900, "件", "count", None, "审结案件", "去年同期", "昆明市中级人民法院"),
    (LATEST_FIRST, "22.2", 22.2, "%", "change", "up", "审结案件", "2023年", "昆明市中级人民法院"),
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


# ---- rows whose cells ran together ------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fazhi.extract.tables import RunRow, resolve_by_totals, split_run  # noqa: E402

RUN_TOGETHER = ("区域法院的案件量\n案件量结案数目*\n200820092010\n-刑事管辖\n刑事案件\n1 2501 4491 404\n-家事管辖\n"
                "婚姻诉讼15 70316 37417 359\n领养申请1199199\n杂项程序215262270\n小计16 03716 72717 728\n")


def written(n: int) -> str:
    """A number as such tables write it: thousands groups separated by a space."""
    return f"{n:,}".replace(",", " ")


def test_run_together_rows_split_where_one_way_fits_and_totals_decide_the_rest():
    got = {(f.row_label, f.column_header): f.value for f in cells(RUN_TOGETHER).values()}
    assert got[("刑事案件", "2009")] == 1449
    assert got[("婚姻诉讼", "2010")] == 17359
    # 1199199 splits several ways (119|91|99, 11|991|99, …); 小计 minus the other rows decides it
    assert [got[("领养申请", y)] for y in ("2008", "2009", "2010")] == [119, 91, 99]
    assert got[("小计", "2008")] == 16037


def test_a_row_no_total_confirms_is_left_out_and_reported():
    raw = "案件量\n20082009\n领养申请1199\n其他12\n"
    unread: list = []
    norm = normalize(raw)
    figs = extract_figures(norm.text, norm.sentences, DocContext(doc_id="t"), unread)
    assert not any(f.row_label == "领养申请" for f in figs)
    assert [(norm.text[u.char_start:u.char_end], u.surface) for u in unread] == [("1199", "1199")]
    assert "no total confirms" in unread[0].reason
    assert any(f.row_label == "其他" and f.value == 1 for f in figs)  # 12 splits one way only: 1 | 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=1, max_size=6))
def test_a_run_together_row_never_splits_into_wrong_numbers(values):
    """Written out run together, a row reads back to its numbers or is ambiguous: never to other numbers alone."""
    nums = "".join(written(v) for v in values)
    parses = split_run(nums, len(values))
    readings = [[int(nums[a:b].replace(" ", "")) for a, b in p] for p in parses]
    assert values in readings
    if len(readings) == 1:
        assert readings[0] == values


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=99_999), min_size=3, max_size=3), min_size=2, max_size=5))
def test_totals_choose_the_true_split_or_none(grid):
    """A group of rows under its 小计: whatever the totals choose is the truth."""
    total = [sum(col) for col in zip(*grid)]
    rows = []
    for k, values in enumerate(grid + [total]):
        nums = "".join(written(v) for v in values)
        rows.append(RunRow("小计" if k == len(grid) else f"行{k}", 0, nums, split_run(nums, 3)))
    resolve_by_totals(rows)
    for row, values in zip(rows, grid + [total]):
        if row.chosen is not None:
            assert [int(row.nums[a:b].replace(" ", "")) for a, b in row.chosen] == values


def test_a_total_row_carries_the_sum_of_the_rows_it_totals():
    raw = "类别 | 2022 | 2023 |\n民事 | 10 | 20 |\n刑事 | 5 | 7 |\n小计 | 15 | 28 |\n"
    got = {(f.row_label, f.column_header): f for f in cells(raw).values()}
    assert got[("小计", "2022")].sum_of_parts == 15 == got[("小计", "2022")].value
    assert got[("小计", "2023")].sum_of_parts == 27 != got[("小计", "2023")].value  # flagged by data quality, kept
    assert got[("民事", "2022")].sum_of_parts is None


HTML_TABLE = """<html><head><title>区域法院</title></head><body><h1>区域法院的案件量及结案数目</h1><table>
<tr><th rowspan=2>类别</th><th colspan=2>案件量</th><th colspan=2>结案数目</th></tr>
<tr><th>2022</th><th>2023</th><th>2022</th><th>2023</th></tr>
<tr><td>民事</td><td>5 252</td><td>5 954</td><td>3 738</td><td>4 426</td></tr>
<tr><td rowspan=2>刑事</td><td>719</td><td>643</td><td>707</td><td colspan=1>575</td></tr>
<tr><td>20</td><td>21</td><td colspan=2>-</td></tr>
</table></body></html>"""


def test_an_html_table_with_spans_reads_as_its_grid():
    from fazhi.ingest import document_from_bytes

    raw = document_from_bytes(HTML_TABLE.encode("utf-8"), "t.html")
    norm = normalize(raw.raw_text)
    figs = extract_figures(norm.text, norm.sentences, DocContext(doc_id="t"))
    got = {(f.row_label, f.column_header, f.table_row, f.table_column): f for f in figs}
    # colspan: 结案数目 stands over both of its columns; rowspan: 刑事 labels both of its rows
    assert got[("民事", "2023", 2, 3)].value == 4426 and got[("民事", "2023", 2, 3)].metric == "民事"
    assert got[("刑事", "2022", 3, 0)].value == 719 and got[("刑事", "2022", 3, 0)].org == "区域法院"
    assert got[("刑事", "2023", 4, 1)].value == 21
    assert sorted(f.value for f in figs) == sorted([5252, 5954, 3738, 4426, 719, 643, 707, 575, 20, 21])
    for f in figs:
        assert norm.text[f.char_start:f.char_end] == f.surface


TWO_LEVEL = ("侦查终结人数 | |\n单位:人 | |\n年别 | 总\n计 | 起 诉 | 缓 起 诉 | 不 起 诉 | 其\n他 | |\n"
             "计 | 通提 常起 程公 序诉 | 声判 请决 简处 易刑 | 计 | 嫌 疑 不 足 | 其 他 理 由 | |\n"
             "109年 | 100 | 30 | 25 | 5 | 10 | 50 | 45 | 5 | 10 |\n110年 | 90 | 20 | 19 | 1 | 12 | 48 | 40 | 8 | 10 |\n")


def grid(raw: str) -> dict:
    norm = normalize(raw)
    return {(f.period_text, f.table_column): f for f in extract_figures(norm.text, norm.sentences, DocContext(doc_id="t"))}


def test_two_header_rows_align_where_the_group_totals_confirm_it():
    got = grid(TWO_LEVEL)
    # 起诉 and 不起诉 have columns below them, each opened by its total 计; 缓起诉 and 其他 stand alone
    assert [got[("109年", k)].metric for k in range(9)] == [
        "总计", "起诉", "通常程序提起公诉", "声请简易判决处刑", "缓起诉", "不起诉", "嫌疑不足", "其他理由", "其他"]
    assert got[("110年", 2)].unit == "人"


def test_two_header_rows_that_no_total_confirms_give_no_column_metric():
    broken = TWO_LEVEL.replace("| 30 | 25 | 5 |", "| 31 | 25 | 5 |")  # 起诉 no longer adds up in 109年
    assert {f.metric for f in grid(broken).values()} <= {None}


def test_the_readme_pivot_rebuilds_a_table_from_table_cells(tmp_path):
    import re

    import duckdb

    from conftest import ROOT
    from fazhi import warehouse as wh
    from fazhi.core import process_files
    from fazhi.ingest import discover

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "t.html").write_text(HTML_TABLE, encoding="utf-8")
    paths, _ = discover(tmp_path / "in")
    batch = process_files(paths, tmp_path / "in")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    wh.apply_schema(con)
    wh.load_batch(con, "r1", batch, {})
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pivot = re.search(r"```sql\n(pivot .*?)```", readme, re.S).group(1)
    assert con.sql(pivot).fetchall() == [(2, "民事", 5252.0, 5954.0, 3738.0, 4426.0),
                                         (3, "刑事", 719.0, 643.0, 707.0, 575.0), (4, "刑事", 20.0, 21.0, None, None)]


def test_a_row_label_naming_an_institution_is_the_org_and_the_header_the_metric():
    raw = "各地检署办理案件\n机关 | 新收案件 | 终结案件 |\n台北地检署 | 1,200 | 1,100 |\n士林地检署 | 800 | 790 |\n合计 | 2,000 | 1,890 |\n"
    got = {(f.row_label, f.table_column): f for f in grid_figures(raw)}
    assert (got[("士林地检署", 1)].org, got[("士林地检署", 1)].metric) == ("士林地检署", "终结案件")
    assert got[("合计", 0)].org != "合计" and got[("合计", 0)].metric == "合计"


def grid_figures(raw: str) -> list:
    norm = normalize(raw)
    return extract_figures(norm.text, norm.sentences, DocContext(doc_id="t"))
