"""Statistical tables kept as `|` rows: read as a grid of header rows, row labels and cells, every number a figure.

A table is a run of lines the normalizer kept as table lines (normalize.table_lines). Header rows come before
the first row of numbers; a header with fewer cells than the data spans the columns under it (案件量 | 结案数目
over 2022 | 2023 | 2024 twice). A row's label is its first text cell; a period label (109年) dates the row.
Sign cells (+ | 2 392) make the number after them a change. What cannot be placed is left out, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Quantity

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


def read_table(text: str, lines: list[tuple[int, int]], caption: str, table_index: int, region: str | None,
               default_unit: str = "件") -> list[TableFigure]:
    """Every number of one table (its lines as (start, end) spans of text) as a figure of the grid."""
    rows = [(lo, segment) for lo, hi in lines for segment in _row_segments(cells_of(text, lo, hi))]
    unit_line = _UNIT_LINE.search(caption + " " + " ".join(c.text for _, cells in rows for c in cells
                                                          if "单位" in c.text))
    table_unit = unit_line.group(1).replace("日", "天") if unit_line else None
    headers: list[list[str]] = []
    group = ""
    out: list[TableFigure] = []
    first_data = next((k for k, (_, cells) in enumerate(rows) if _is_data_row(cells)), None)
    if first_data is None:
        return []
    # Header lines of one cell each, stacked (二零二三年 (一月至六月) | then 二零二四年 …): one row of headers.
    stacked: list[str] = []
    for _, cells in rows[:first_data]:
        texts = [c.text for c in cells if c.text and "单位" not in c.text]
        if len(texts) == 1 and _PERIOD_HEADER.match(texts[0]):
            stacked.append(texts[0])
        elif texts:
            headers.append(texts)
    if stacked:
        headers.append(stacked)
    sign_columns = set()
    for _, cells in rows[first_data:]:
        for k, c in enumerate(cells):
            if c.text == "+":
                sign_columns.add(k)
    groups: dict[int, int] = {}
    group_number = 0
    for r, (lo, cells) in enumerate(rows[first_data:], first_data):
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
        row_label = _clean_label(label_cell.text) if label_cell else None
        label_unit = _LABEL_UNIT.search(label_cell.text) if label_cell else None
        if row_label and _TOTAL_LABEL.search(row_label):
            group_number += 1  # the rows after a total start a new group
        row_period = row_label if row_label and _PERIOD_HEADER.match(row_label) else None
        values: list[tuple[Cell, str | None]] = []  # the cell and its sign
        pending_sign = None
        after_label = False
        for k, c in enumerate(cells):
            if c is label_cell:
                after_label = True
                continue
            if not after_label and label_cell is not None:
                continue  # row numbers before the label
            # a lone - is a sign only in a table that writes signs in cells (+ | 2 392), after the row's levels
            if _SIGN_CELL.match(c.text) and (c.text != "-" or sign_columns and values) and k + 1 < len(cells) \
                    and _CELL_NUMBER.match(cells[k + 1].text):
                pending_sign = c.text
                continue
            if _CELL_NUMBER.match(c.text):
                values.append((c, pending_sign))
            elif _EMPTY_CELL.match(c.text):
                values.append((c, None))  # an empty cell still takes its column
            pending_sign = None
        n = len(values)
        if not n:
            continue
        signed = [k for k, (c, sign) in enumerate(values) if sign or c.text[:1] in "+-−"]
        column_headers = _column_headers(headers, n)
        for k, (c, sign) in enumerate(values):
            m = _CELL_NUMBER.match(c.text)
            if not m or (not m.group("num")):
                continue
            header = column_headers[k] if k < len(column_headers) else None
            period_header = header if header and _PERIOD_HEADER.match(header) else None
            metric_header = next((h for h in (_metric_header(headers, n, k),) if h), None)
            sign = sign or (m.group("sign") if m.group("sign") else None)
            words = " ".join(w for w in (row_label, metric_header, group, caption) if w)
            is_change = bool(sign) or bool(metric_header and _CHANGE_HEADER.search(metric_header))
            decimal = m.group("dec") or ""
            pct = bool(m.group("pct")) or bool(metric_header and _RATE_HEADER.search(metric_header)) or bool(
                label_unit and label_unit.group(1) == "%" or row_label and _RATE_HEADER.search(row_label)) or (
                is_change and decimal and len(signed) >= 2 and k == signed[-1]
                and not values[signed[0]][0].text.count("."))
            surface_end = c.start + (m.end("pct") if m.group("pct") else m.end("dec") if decimal else m.end("num"))
            surface_start = c.start + (m.start("sign") if m.group("sign") else m.start("num"))
            number = float(m.group("num").replace(" ", "").replace(",", "") + decimal)
            unit = "%" if pct else ((label_unit.group(1).replace("日", "天") if label_unit and label_unit.group(1)
                                     not in ("万元",) else None) or _unit_of(row_label or "") or _unit_of(metric_header or "") or _unit_of(group)
                                    or table_unit or _unit_of(caption) or default_unit)
            if is_change:
                kind = "change"
                direction = "down" if sign in ("-", "−") else "up" if sign == "+" else None
            else:
                kind = "rate" if unit == "%" else "duration" if unit == "天" else "amount" if unit == "元" else "count"
                direction = None
                if number < 0:
                    continue  # a negative level cannot be read with certainty
            if kind == "amount" and region:
                unit = {"hk": "港元", "mo": "澳门元", "tw": "新台币"}.get(region, unit)
            q = Quantity(surface=text[surface_start:surface_end], char_start=surface_start, char_end=surface_end,
                         value=number, unit=unit, kind=kind, direction=direction, rule="table_cell")
            metric = row_label if row_label and not row_period else (metric_header or group or None)
            out.append(TableFigure(q, metric, row_period or period_header, None, table_index, r, k, row_label,
                                   header))
    add_sums_of_parts(out, groups)
    return out


def _column_headers(headers: list[list[str]], n: int) -> list[str | None]:
    """The period header over each of n value columns: the header row whose cells are periods, spread over them."""
    for row in reversed(headers):
        if all(_PERIOD_HEADER.match(h) for h in row):
            return _spread(row, n)
        if len(row) == n + 1 and all(_PERIOD_HEADER.match(h) for h in row[1:]):
            return list(row[1:])  # 指标 | 2021年 | 2022年: the first header sits over the row labels
    return [None] * n


def _metric_header(headers: list[list[str]], n: int, k: int) -> str | None:
    """The non-period header over value column k (a header spanning several columns counts for each)."""
    for row in headers:
        if sum(bool(_PERIOD_HEADER.match(h)) for h in row) >= max(1, len(row) - 1):
            continue
        spread = _spread([_clean_label(h) for h in row], n)
        if k < len(spread) and spread[k]:
            return spread[k]
    return None


def _spread(row: list[str], n: int) -> list[str | None]:
    """Header cells over n columns: one each, spanning evenly, or in order with the last taking the rest."""
    if not row:
        return [None] * n
    if len(row) == n:
        return list(row)
    if len(row) < n and n % len(row) == 0:
        span = n // len(row)
        return [row[k // span] for k in range(n)]
    if len(row) == n + 1:
        return list(row[1:])  # the first header sits over the row labels
    if len(row) < n:
        return list(row) + [row[-1]] * (n - len(row))
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
                   default_unit: str = "件") -> tuple[list[TableFigure], list[tuple[int, int, str]]]:
    """Figures of a run-together table, and the rows left unread (start, end, reason)."""
    resolve_by_totals(rows)
    unit = _unit_of(caption) or default_unit
    figures: list[TableFigure] = []
    unread: list[tuple[int, int, str]] = []
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
            unread.append((row.start, row.start + len(row.nums), reason))
            continue
        for k, (a, b) in enumerate(row.chosen):
            value = float(row.nums[a:b].replace(" ", ""))
            q = Quantity(surface=text[row.start + a:row.start + b], char_start=row.start + a,
                         char_end=row.start + b, value=value, unit=_unit_of(row.label or "") or unit, kind="count",
                         rule="table_run_together")
            figures.append(TableFigure(q, row.label, header[k][1], None, table_index, r, k, row.label, header[k][1]))
    add_sums_of_parts(figures, groups)
    return figures, unread
