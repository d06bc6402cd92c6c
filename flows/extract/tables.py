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
    return sum(1 for c in cells if _CELL_NUMBER.match(c.text) and not _PERIOD_HEADER.match(c.text)) >= 1 and any(
        not _CELL_NUMBER.match(c.text) and not _EMPTY_CELL.match(c.text) and not _ROW_NUMBER.match(c.text)
        for c in cells) or sum(1 for c in cells if _CELL_NUMBER.match(c.text)) >= 2 and not all(
        _PERIOD_HEADER.match(c.text) for c in cells)


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
    for r, (lo, cells) in enumerate(rows[first_data:], first_data):
        if not _is_data_row(cells):
            words = [c.text for c in cells if c.text and not _ROW_NUMBER.match(c.text) and not _EMPTY_CELL.match(c.text)]
            if len(words) == 1 and not _CELL_NUMBER.match(words[0]):
                group = _clean_label(words[0])  # 刑事管辖, 18. | 犯罪被捕人数: a group of the rows below
            continue
        label_cell = next((c for c in cells if c.text and not _CELL_NUMBER.match(c.text)
                           and not _EMPTY_CELL.match(c.text) and not _ROW_NUMBER.match(c.text)
                           and not _SIGN_CELL.match(c.text)), None)
        row_label = _clean_label(label_cell.text) if label_cell else None
        label_unit = _LABEL_UNIT.search(label_cell.text) if label_cell else None
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
