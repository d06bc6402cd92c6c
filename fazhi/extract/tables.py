"""Statistical tables kept as `|` rows: read as a grid of header rows, row labels and cells, every number a figure.

A table is a run of lines the normalizer kept as table lines (normalize.table_lines). Header rows come before
the first row of numbers; a header with fewer cells than the data spans the columns under it (案件量 | 结案数目
over 2022 | 2023 | 2024 twice). A row's label is its first text cell; a period label (109年) dates the row.
Sign cells (+ | 2 392) make the number after them a change. What cannot be placed is left out, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Quantity, Unread
from .words import BASELINE_PERIOD_HEADERS

_CELL_SPLIT = re.compile(r"[|｜\t]")
# A number as a table writes it: 1 193, 4,865, 5.6, -7.78, with a footnote mark after it: 13 288(1), 719+.
_CELL_NUMBER = re.compile(r"^\(?(?P<sign>[+\-−])?\s*(?P<num>\d{1,3}(?:[ ,]\d{3})+|\d+)(?P<dec>\.\d+)?(?P<pct>%)?\)?"
                          r"(?:\s*\(\d\)|[*+^#])?$")
_SIGN_CELL = re.compile(r"^[+\-−]$")
_EMPTY_CELL = re.compile(r"^[\-−—–.…·/]*$")
_ROW_NUMBER = re.compile(r"^\d{1,3}[.、]?$")
# Headers that are periods: 2022, 2023年, 109年 (Taiwan), 二零二三年 (一月至六月), (一月至六月), 本期, 去年同期.
_PERIOD_HEADER = re.compile(r"^(?:(?:19|20)\d{2}年?(?:度)?|(?:19|20)\d{2}年[\d一二三四五六七八九十]{1,2}(?:[-至~—][\d一二三四五六七八九十]{1,2})?月份?|\d{2,3}年(?:度)?|[一二三四五六七八九〇零]{4}年.*|"
                            r"[(（]?[一二三四五六七八九十\d]{1,2}月至[一二三四五六七八九十\d]{1,3}月[)）]?|本期|本月|"
                            r"去年同期|上年同期|同期|上月|本年|上年)$")
_YEAR_IN_HEADER = re.compile(r"(?:19|20)\d{2}|(?<!\d)\d{2,3}(?=年)")  # 2023年, 112年 (Taiwan)
_CHANGE_HEADER = re.compile(r"增减|增幅|变动|变化|升降|同比|比较|差额|增长|涨跌")
_RATE_HEADER = re.compile(r"率|百分比|百分率|%|比例|占比")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(人次|件次|人|件|宗|元|万元|天|日|个|起|次|%)")
# The classifier a label or header names: 收案件数 -> 件, 法官人数 -> 人, 平均审理天数 -> 天, 卷宗 -> 宗.
_UNIT_WORDS = (("人次", "人次"), ("人数", "人"), ("天数", "天"), ("日数", "天"), ("宗", "宗"), ("件", "件"),
               ("金额", "元"), ("元", "元"))
_TOTAL_LABEL = re.compile(r"小计|合计|总计|总数|共计")
_FOOTNOTE = re.compile(r"\s*\(\d\)|[*+^#]+$")


@dataclass
class Cell:
    text: str
    start: int
    end: int


@dataclass
class TableFigure:
    """A quantity read from a table cell, with where it stands in the grid."""

    quantity: Quantity
    metric: str | None
    period: str | None
    org: str | None
    table_index: int
    row: int
    column: int
    row_label: str | None
    column_header: str | None
    sum_of_parts: float | None = None  # for a total cell (小计, 合计): the sum of the rows it totals


def add_sums_of_parts(figures: list[TableFigure], groups: dict[int, int]) -> None:
    """Give each total cell the sum of the cells above it in its group (same table and column).

    groups maps a row number to its group (a new group starts after a group label row or a total row); a total
    row closes its group. Only where the table says a row is a total (小计, 合计, 总计, 总数) and the group has rows.
    """
    by_cell: dict[tuple[int, int], list[TableFigure]] = {}
    for f in figures:
        if f.row_label and _TOTAL_LABEL.search(f.row_label):
            continue
        by_cell.setdefault((groups.get(f.row, -1), f.column), []).append(f)
    for f in figures:
        if f.row_label and _TOTAL_LABEL.search(f.row_label) and f.quantity.kind == "count":
            parts = [p for p in by_cell.get((groups.get(f.row, -1), f.column), []) if p.row < f.row
                     and p.quantity.kind == "count"]
            if len(parts) >= 2:
                f.sum_of_parts = sum(p.quantity.value for p in parts)


def cells_of(text: str, start: int, end: int) -> list[Cell]:
    """The cells of one table line, each stripped, with its offsets."""
    cells, pos = [], start
    for part in _CELL_SPLIT.split(text[start:end]):
        lead = len(part) - len(part.lstrip())
        body = part.strip()
        cells.append(Cell(body, pos + lead, pos + lead + len(body)))
        pos += len(part) + 1
    while cells and not cells[-1].text:
        cells.pop()
    while cells and not cells[0].text:
        cells.pop(0)
    return cells


def _row_segments(cells: list[Cell]) -> list[list[Cell]]:
    """A line's cells split into rows where a label follows numbers (rows run together: 3.9 |- 抢 掠 | 49)."""
    segments: list[list[Cell]] = [[]]
    seen_number = False
    for c in cells:
        is_label = c.text and not _CELL_NUMBER.match(c.text) and not _EMPTY_CELL.match(c.text) \
            and not _SIGN_CELL.match(c.text) and not _ROW_NUMBER.match(c.text)
        if is_label and seen_number:
            segments.append([])
            seen_number = False
        if _CELL_NUMBER.match(c.text):
            seen_number = True
        segments[-1].append(c)
    return [s for s in segments if s]


_LABEL_UNIT = re.compile(r"\s*[(（](人次|件次|件|人|宗|%|天|日|元|万元|个|起)[)）]$")


_INSTITUTION_END = re.compile(r"(?:法院|检察院|检察署|地检署|公安局|分局|派出所|司法局|司法所|警察局|办事处|法庭|检察分院)$")


def names_institution(label: str) -> bool:
    """A row label that names an institution or division (台北地检署, 刑事诉讼办事处): the row is that one's."""
    return bool(_INSTITUTION_END.search(label)) and not _TOTAL_LABEL.search(label)


def _clean_label(label: str) -> str:
    label = _LABEL_UNIT.sub("", label.strip())  # 收案(件): the unit is not part of the metric
    label = _FOOTNOTE.sub("", label)
    label = re.sub(r"^[-–—]\s*|[,，]?包括[:：]?$|\s*\(\d\)", "", label).strip()
    return re.sub(r"\s+", "", label)


def _unit_of(words: str) -> str | None:
    for word, unit in _UNIT_WORDS:
        if word in words:
            return unit
    return None


def _is_data_row(cells: list[Cell]) -> bool:
    """A row holding numbers that are not period headers (2022 | 2023 is a header row, 1 193 | 1 331 is data)."""
    numbers = [c for c in cells if _CELL_NUMBER.match(c.text)]
    if numbers and all(_PERIOD_HEADER.match(c.text) for c in numbers):
        return False
    return len(numbers) >= 2 or len(numbers) == 1 and any(
        not _CELL_NUMBER.match(c.text) and not _EMPTY_CELL.match(c.text) and not _ROW_NUMBER.match(c.text)
        for c in cells)


@dataclass
class DataRow:
    """A row of numbers: its place in the table, its label and the value cells (each with its sign) after it."""

    r: int
    label: str | None
    label_unit: str | None
    values: list[tuple[Cell, str | None]]
    group: str

    @property
    def period(self) -> str | None:
        return self.label if self.label and _PERIOD_HEADER.match(self.label) else None


def read_table(text: str, lines: list[tuple[int, int]], caption: str, table_index: int, region: str | None,
               default_unit: str = "件") -> list[TableFigure]:
    """Every number of one table (its lines as (start, end) spans of text) as a figure of the grid."""
    rows = [(lo, hi, segment) for lo, hi in lines for segment in _row_segments(cells_of(text, lo, hi))]
    first_data = next((k for k, (_, _, cells) in enumerate(rows) if _is_data_row(cells)), None)
    if first_data is None:
        return []
    unit_line = _UNIT_LINE.search(caption + " " + " ".join(c.text for _, _, cells in rows for c in cells
                                                          if "单位" in c.text))
    table_unit = unit_line.group(1).replace("日", "天") if unit_line else None
    headers = _header_rows(text, rows[:first_data])
    data, groups = _data_rows(rows, first_data)
    out: list[TableFigure] = []
    metrics_by_width: dict[int, list[str | None]] = {}
    for row in data:
        n = len(row.values)
        if n not in metrics_by_width:
            metrics_by_width[n] = _column_metrics(headers, [d for d in data if len(d.values) == n], n)
        column_headers = _column_headers(headers, n)
        signed = [k for k, (c, sign) in enumerate(row.values) if sign or c.text[:1] in "+-−"]
        for k, (c, sign) in enumerate(row.values):
            figure = _cell_figure(text, row, k, c, sign, signed, column_headers, metrics_by_width[n][k], caption,
                                  table_unit or "", default_unit, region, table_index)
            if figure is not None:
                out.append(figure)
    add_sums_of_parts(out, groups)
    return out


def _header_rows(text: str, rows) -> list[list[str]]:
    """The header rows' cell texts: a cell broken over two lines (总\n计) joined, one-cell period lines stacked."""
    joined: list[list[str]] = []
    open_end = False
    for lo, hi, cells in rows:
        texts = [c.text for c in cells if "单位" not in c.text]
        line = text[lo:hi].strip()
        if open_end and joined and texts and not line.startswith(("|", "｜")) and len(texts[0]) <= 2 \
                and len(joined[-1][-1]) <= 2:
            joined[-1][-1] += texts[0]  # the line before ended inside a cell
            joined[-1].extend(texts[1:])
        elif texts:
            joined.append(texts)
        open_end = bool(line) and not line.endswith(("|", "｜"))
    headers: list[list[str]] = []
    stacked: list[str] = []
    for texts in joined:
        texts = [t for t in texts if t]
        if len(texts) == 1 and _PERIOD_HEADER.match(texts[0]):
            stacked.append(texts[0])  # 二零二三年 (一月至六月) | then 二零二四年 (一月至六月) |: one row of headers
        elif texts:
            headers.append(texts)
    if stacked:
        headers.append(stacked)
    return headers


def _data_rows(rows, first_data: int) -> tuple[list[DataRow], dict[int, int]]:
    """The rows of numbers with their labels and signed values, and the group (for totals) of each row."""
    sign_columns = {k for _, _, cells in rows[first_data:] for k, c in enumerate(cells) if c.text == "+"}
    data: list[DataRow] = []
    groups: dict[int, int] = {}
    group, group_number = "", 0
    for r, (_, _, cells) in enumerate(rows[first_data:], first_data):
        groups[r] = group_number
        if not _is_data_row(cells):
            group_number += 1
            words = [c.text for c in cells if c.text and not _ROW_NUMBER.match(c.text) and not _EMPTY_CELL.match(c.text)]
            if len(words) == 1 and not _CELL_NUMBER.match(words[0]):
                group = _clean_label(words[0])  # 刑事管辖, 18. | 犯罪被捕人数: a group of the rows below
            continue
        label_cell = next((c for c in cells if c.text and not _CELL_NUMBER.match(c.text)
                           and not _EMPTY_CELL.match(c.text) and not _ROW_NUMBER.match(c.text)
                           and not _SIGN_CELL.match(c.text)), None)
        label = _clean_label(label_cell.text) if label_cell else None
        label_unit = _LABEL_UNIT.search(label_cell.text) if label_cell else None
        if label and _TOTAL_LABEL.search(label):
            group_number += 1  # the rows after a total start a new group
        values: list[tuple[Cell, str | None]] = []
        pending_sign = None
        after_label = label_cell is None
        for k, c in enumerate(cells):
            if c is label_cell:
                after_label = True
                continue
            if not after_label:
                continue  # row numbers before the label
            # a lone - is a sign only in a table that writes signs in cells (+ | 2 392), after the row's levels
            if _SIGN_CELL.match(c.text) and (c.text != "-" or sign_columns and values) and k + 1 < len(cells) \
                    and _CELL_NUMBER.match(cells[k + 1].text):
                pending_sign = c.text
                continue
            if _CELL_NUMBER.match(c.text) or _EMPTY_CELL.match(c.text):
                values.append((c, pending_sign if _CELL_NUMBER.match(c.text) else None))  # an empty cell holds its column
            pending_sign = None
        if values:
            data.append(DataRow(r, label, label_unit.group(1) if label_unit else None, values, group))
    return data, groups


def _cell_figure(text: str, row: DataRow, k: int, c: Cell, sign: str | None, signed: list[int],
                 column_headers: list[str | None], metric_header: str | None, caption: str, table_unit: str,
                 default_unit: str, region: str | None, table_index: int) -> TableFigure | None:
    """The figure of one value cell, or None for an empty cell or a negative level."""
    m = _CELL_NUMBER.match(c.text)
    if not m:
        return None
    header = column_headers[k] if k < len(column_headers) else None
    period_header = header if header and _PERIOD_HEADER.match(header) else None
    sign = sign or m.group("sign")
    is_change = bool(sign) or bool(metric_header and _CHANGE_HEADER.search(metric_header))
    decimal = m.group("dec") or ""
    values = row.values
    pct = bool(m.group("pct")) or bool(metric_header and _RATE_HEADER.search(metric_header)) or row.label_unit == "%" \
        or bool(row.label and _RATE_HEADER.search(row.label)) or (
            # of a pair of change columns (number, per cent) the second is written with decimals
            is_change and bool(decimal) and len(signed) >= 2 and k == signed[-1]
            and "." not in values[signed[0]][0].text)
    surface_start = c.start + (m.start("sign") if m.group("sign") else m.start("num"))
    surface_end = c.start + (m.end("pct") if m.group("pct") else m.end("dec") if decimal else m.end("num"))
    number = float(m.group("num").replace(" ", "").replace(",", "") + decimal)
    label_unit = row.label_unit.replace("日", "天") if row.label_unit and row.label_unit != "万元" else None
    unit = "%" if pct else (label_unit or _unit_of(row.label or "") or _unit_of(metric_header or "")
                            or _unit_of(row.group) or table_unit or _unit_of(caption) or default_unit)
    direction = None
    if is_change:
        kind = "change"
        # under a change header (增减, 同比) an unsigned number is a rise: a fall is written with its minus
        direction = "down" if sign in ("-", "−") else "up" if sign == "+" or number > 0 else None
    else:
        kind = "rate" if unit == "%" else "duration" if unit == "天" else "amount" if unit == "元" else "count"
    if kind == "amount" and region:
        unit = {"hk": "港元", "mo": "澳门元", "tw": "新台币"}.get(region, unit)
    q = Quantity(surface=text[surface_start:surface_end], char_start=surface_start, char_end=surface_end,
                 value=number, unit=unit, kind=kind, direction=direction, rule="table_cell")
    org = row.label if row.label and names_institution(row.label) else None
    metric = row.label if row.label and not row.period and not org else (
        (_clean_label(metric_header) if metric_header else None) or row.group or None)
    return TableFigure(q, metric, row.period or period_header, org, table_index, row.r, k, row.label, header)


def _column_metrics(headers: list[list[str]], rows: list[DataRow], n: int) -> list[str | None]:
    """The non-period header over each of n value columns: one header row spread over them, else two header
    rows (groups, and the columns under them) whose alignment the rows' group totals confirm."""
    single = [_metric_header(headers, n, k) for k in range(n)]
    if any(single):
        return single
    two = _two_level(headers, rows, n)
    return two if two else [None] * n


_GROUP_TOTAL = re.compile(r"^(?:计|合计|小计|总计)$")
_MAX_ALIGNMENTS = 2000


def header_text(cell: str) -> str:
    """A header cell as read: spaces between single characters dropped (起 诉); a header printed vertically in
    columns of two and read across (通提 常起 程公 序诉) read down each column (通常程序 + 提起公诉)."""
    tokens = cell.split()
    if len(tokens) >= 3 and all(len(t) == 2 for t in tokens):
        return "".join(t[0] for t in tokens) + "".join(t[1] for t in tokens)
    return _clean_label(cell)


def _two_level(headers: list[list[str]], rows: list[DataRow], n: int) -> list[str | None] | None:
    """Columns under two header rows: groups on top (起诉, 不起诉处分), their columns below, each group's first
    column its total (计). Which top headers have columns below is decided by the rows: the one alignment
    under which every group's total equals the sum of its columns in every row. None when not exactly one fits."""
    named = [h for h in headers if not all(_PERIOD_HEADER.match(c) for c in h)]
    if len(named) < 2 or not rows:
        return None
    top, sub = [header_text(c) for c in named[-2]], [header_text(c) for c in named[-1]]
    starts = [k for k, c in enumerate(sub) if _GROUP_TOTAL.match(c)]
    if not starts or starts[0] != 0:
        return None
    groups = [sub[a:b] for a, b in zip(starts, starts[1:] + [len(sub)])]
    used = [k for k in range(n) if any(_CELL_NUMBER.match(r.values[k][0].text) for r in rows)]
    if not used:
        return None
    lead, m = used[0], used[-1] - used[0] + 1
    grid = [[_cell_value(r.values[k][0].text) for k in range(lead, lead + m)] for r in rows]
    for tops in (top, top[1:]):  # the first top header may sit over the row labels (年月别)
        fits = []
        for chosen in _choose(len(tops), len(groups)):
            columns: list[str] = []
            checks: list[tuple[int, int]] = []  # (first, last) column of each group
            g = iter(groups)
            for t, name in enumerate(tops):
                if t in chosen:
                    members = next(g)
                    checks.append((len(columns), len(columns) + len(members) - 1))
                    columns += [name] + members[1:]
                else:
                    columns.append(name)
            if len(columns) == m and all(
                    row[a] == sum(row[a + 1:b + 1]) for row in grid for a, b in checks) and any(
                    row[a] for row in grid for a, _ in checks):
                fits.append(columns)
            if len(fits) > 1:
                break
        if len(fits) == 1:
            return [None] * lead + fits[0] + [None] * (n - lead - m)
    return None


def _choose(t: int, g: int):
    """Every way to pick g of t positions, in order (a few thousand at most)."""
    from itertools import combinations, islice

    return (set(c) for c in islice(combinations(range(t), g), _MAX_ALIGNMENTS))


def _cell_value(cell: str) -> float:
    m = _CELL_NUMBER.match(cell)
    if not m:
        return 0.0  # an empty cell (-) counts as nothing in a total
    return float(m.group("num").replace(" ", "").replace(",", "") + (m.group("dec") or ""))


def _column_headers(headers: list[list[str]], n: int) -> list[str | None]:
    """The period header over each of n value columns: the header row whose cells are periods, spread over them."""
    for row in reversed(headers):
        if all(_PERIOD_HEADER.match(h) for h in row):
            spread = _spread(row, n)
            if spread[0] is None and len(row) < n:  # stacked periods over a table whose change columns come
                spread = list(row) + [row[-1]] * (n - len(row))  # last: the last header is written over them
            return spread
        cells = row[1:] if len(row) == n + 1 else row if len(row) == n else None  # 指标 over the row labels
        if cells and any(_PERIOD_HEADER.match(h) for h in cells):
            # a change column (增减(%), 同比) reports for the period the others are compared with
            compared = _compared_period([h for h in cells if _PERIOD_HEADER.match(h)])
            return [h if _PERIOD_HEADER.match(h) else compared if _CHANGE_HEADER.search(h) else None
                    for h in cells]
    return [None] * n


def _compared_period(periods: list[str]) -> str | None:
    """The period a change column reports for: the latest year among the period columns (2022年 | 2023年 or
    2023年 | 2022年), else the one period that is no baseline (本期 | 去年同期); None when that is unclear."""
    years = [(int(m.group()), h) for h in periods if (m := _YEAR_IN_HEADER.search(h))]
    if years and len(years) == len(periods):
        latest = max(y for y, _ in years)
        found = [h for y, h in years if y == latest]
        return found[0] if len(found) == 1 else None
    current = [h for h in periods if h not in BASELINE_PERIOD_HEADERS]
    return current[0] if len(current) == 1 else None


def _metric_header(headers: list[list[str]], n: int, k: int) -> str | None:
    """The non-period header over value column k (a header spanning several columns counts for each)."""
    for row in headers:
        if all(_PERIOD_HEADER.match(h) for h in row) or len(row) == 1 < n:
            continue  # a row of periods, or a title over the whole table
        spread = _spread(row, n)
        if k < len(spread) and spread[k] and not _PERIOD_HEADER.match(spread[k]):
            return spread[k]  # as written: 增减(%) says its unit
    return None


def _spread(row: list[str], n: int) -> list[str | None]:
    """Header cells over n columns: one each, or spanning evenly."""
    if not row:
        return [None] * n
    if len(row) == n:
        return list(row)
    if len(row) < n and n % len(row) == 0:
        span = n // len(row)
        return [row[k // span] for k in range(n)]
    if len(row) == n + 1:
        return list(row[1:])  # the first header sits over the row labels
    return [None] * n


# ---- tables whose cells ran together ---------------------------------------------------------------------------
# A page dump can lose a table's cell boundaries: 200820092010200820092010 over 1 2501 4491 4041 0631 3051 375.
# Spaces inside numbers survive (1 250 | 1 449 | …), so a row can often be split one way only; where it can be
# split several ways, the row and column totals (小计, 合计) decide; where they cannot, the row is left out and
# reported as unread.
_YEAR_RUN = re.compile(r"^\s*((?:(?:19|20)\d{2}){2,})\s*$")
_RUN_LABEL = re.compile(r"^[-\s]*(?P<label>[^\d]*?[^\d\s])\s*$")
_RUN_ROW = re.compile(r"^[-\s]*(?P<label>[^\d]*?[^\d\s])?\s*(?P<nums>\d[\d ]*(?:\(\d\)[\d ]*)*)$")
_MAX_PARSES = 500


@dataclass
class RunRow:
    """A row of a run-together table: its label, the text of its numbers, and the ways they split."""

    label: str | None
    start: int  # offset of the numbers in the text
    nums: str
    parses: list[list[tuple[int, int]]]  # each: the (start, end) of every number, relative to start
    chosen: list[tuple[int, int]] | None = None


def split_run(nums: str, n: int) -> list[list[tuple[int, int]]]:
    """Every way to read nums (digits, thousands spaces, footnote marks) as exactly n whole numbers."""
    marks = [(m.start(), m.end()) for m in re.finditer(r"\(\d\)", nums)]
    pieces, pos = [], 0
    for a, b in marks:  # a footnote mark (1) ends the number before it
        pieces.append((pos, a))
        pos = b
    pieces.append((pos, len(nums)))
    pieces = [(a, b) for a, b in pieces if nums[a:b].strip()]

    def parse(lo: int, hi: int, k: int) -> list[list[tuple[int, int]]]:
        out: list[list[tuple[int, int]]] = []
        _fill(nums, lo, hi, k, [], out)
        return out

    results: list[list[tuple[int, int]]] = [[]]
    for a, b in pieces:
        a += len(nums[a:b]) - len(nums[a:b].lstrip())
        b -= len(nums[a:b]) - len(nums[a:b].rstrip())
        grown = []
        for done in results:
            left = n - len(done)
            for k in range(1, left + 1):
                for tail in parse(a, b, k):
                    grown.append(done + tail)
                    if len(grown) > _MAX_PARSES:
                        return []
        results = grown
    return [r for r in results if len(r) == n]


def _fill(s: str, lo: int, hi: int, k: int, acc: list, out: list) -> None:
    """All splits of s[lo:hi] into k numbers written \\d{1,3}( \\d{3})* without leading zeros."""
    if len(out) > _MAX_PARSES:
        return
    if lo == hi:
        if k == 0:
            out.append(list(acc))
        return
    if k == 0 or s[lo] == " ":
        return
    for first in (1, 2, 3):
        head = s[lo:lo + first]
        if len(head) < first or not head.isdigit() or head[0] == "0" and first > 1:
            continue
        end = lo + first
        ends = [end]
        while s[end:end + 1] == " " and s[end + 1:end + 4].isdigit() and len(s[end + 1:end + 4]) == 3:
            end += 4
            ends.append(end)
        for e in ends:
            if e < hi and s[e] == " ":
                continue  # a space after a number belongs to a thousands group, never between numbers
            if head == "0" and e != lo + 1:
                continue
            acc.append((lo, e))
            _fill(s, e, hi, k - 1, acc, out)
            acc.pop()


def find_run_tables(text: str) -> list[tuple[int, int, list[tuple[int, str]], list[RunRow]]]:
    """Run-together tables: (start, end, years with their offsets, rows) for each header line of years."""
    tables = []
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    i = 0
    while i < len(lines):
        lo, line = lines[i]
        years = _YEAR_RUN.match(line)
        if not years:
            i += 1
            continue
        run = years.group(1)
        base = lo + years.start(1)
        header = [(base + k, run[k:k + 4]) for k in range(0, len(run), 4)]
        rows: list[RunRow] = []
        label: str | None = None
        end = lo + len(line)
        j = i + 1
        while j < len(lines):
            start, body = lines[j]
            if not body.strip():
                j += 1
                continue
            m = _RUN_ROW.match(body)
            if m and m.group("nums") and len(re.sub(r"\D", "", m.group("nums"))) >= len(header):
                row_label = _clean_label(m.group("label")) if m.group("label") else label
                nums_start = start + m.start("nums")
                nums = m.group("nums").rstrip()
                rows.append(RunRow(row_label, nums_start, nums, split_run(nums, len(header))))
                label = None
                end = start + len(body)
            elif _RUN_LABEL.match(body) and len(body.strip()) <= 24:
                label = _clean_label(body)
                if body.lstrip().startswith("-"):
                    rows.append(RunRow(label, start, "", []))  # a group line (-民事管辖): totals restart
                    label = None
            else:
                break
            j += 1
        if rows:
            tables.append((lo, end, header, rows))
        i = j
    return tables


def resolve_by_totals(rows: list[RunRow]) -> None:
    """Choose each row's split: the only one, else the one that makes its group add up to the total below it."""
    for row in rows:
        if len(row.parses) == 1:
            row.chosen = row.parses[0]
    group: list[RunRow] = []
    for row in rows:
        if not row.nums:
            group = []
            continue
        if row.label and _TOTAL_LABEL.search(row.label):
            unknown = [r for r in group if r.chosen is None]
            if row.chosen is not None and len(unknown) == 1 and group:
                total = _values(row)
                known = [_values(r) for r in group if r.chosen is not None]
                need = [t - sum(col) for t, col in zip(total, zip(*known))] if known else total
                fits = [p for p in unknown[0].parses if _values(unknown[0], p) == need]
                if len(fits) == 1:
                    unknown[0].chosen = fits[0]
            group = []
            continue
        group.append(row)


def _values(row: RunRow, parse: list[tuple[int, int]] | None = None) -> list[int]:
    return [int(row.nums[a:b].replace(" ", "")) for a, b in (parse or row.chosen)]


def read_run_table(text: str, header: list[tuple[int, str]], rows: list[RunRow], caption: str, table_index: int,
                   default_unit: str = "件") -> tuple[list[TableFigure], list[Unread]]:
    """Figures of a run-together table, and the rows left unread."""
    resolve_by_totals(rows)
    unit = _unit_of(caption) or default_unit
    figures: list[TableFigure] = []
    unread: list[Unread] = []
    groups: dict[int, int] = {}
    group_number = 0
    for r, row in enumerate(rows):
        groups[r] = group_number
        if not row.nums or row.label and _TOTAL_LABEL.search(row.label):
            group_number += 1
        if not row.nums:
            continue
        if row.chosen is None:
            reason = "no split into one number per column" if not row.parses else \
                f"{len(row.parses)} splits and no total confirms one"
            unread.append(Unread(row.start, row.start + len(row.nums), row.nums, reason, "run_together_row"))
            continue
        for k, (a, b) in enumerate(row.chosen):
            value = float(row.nums[a:b].replace(" ", ""))
            q = Quantity(surface=text[row.start + a:row.start + b], char_start=row.start + a,
                         char_end=row.start + b, value=value, unit=_unit_of(row.label or "") or unit, kind="count",
                         rule="table_run_together")
            figures.append(TableFigure(q, row.label, header[k][1], None, table_index, r, k, row.label, header[k][1]))
    add_sums_of_parts(figures, groups)
    return figures, unread
