"""Extract: figures from normalized text, each with its metric, organization and period."""
from __future__ import annotations

import bisect
import re

from ..normalize import table_lines
from .context import attach_context, prepare_document, table_context
from .model import DocContext, Figure, Rejected, Unread, figure_id_for
from .numbers import find_quantities
from .tables import find_run_tables, read_run_table, read_table

__all__ = ["extract_figures", "DocContext", "Figure"]

# Bare 元 in a report from Taiwan, Hong Kong or Macau is the local dollar, unless renminbi is named.
_LOCAL_CURRENCY = {"tw": "新台币", "hk": "港元", "mo": "澳门元"}
_RENMINBI = re.compile(r"人民币|RMB|¥|￥")


def extract_figures(text: str, sentences: list[tuple[int, int]], doc: DocContext,
                    unread: list[Unread] | None = None, rejected: list[Rejected] | None = None) -> list[Figure]:
    """Every figure in the text, in text order: tables read as grids, then prose sentence by sentence.

    unread, when given, receives the numbers seen where a figure would stand but left out because they cannot
    be read with certainty (a form the numeral grammar refuses, a sign nothing governs, a table row whose cells
    ran together and whose totals confirm no one split). rejected, when given, receives the candidate numbers
    a rule of rejections.py keeps out of prose (dates, ordinals, codes ...), each naming its rule.
    """
    figures = []
    index_ = prepare_document(text, doc)
    local_currency = _LOCAL_CURRENCY.get(index_.region)
    tables = table_spans(text)
    in_table = [(lines[0][0], lines[-1][1]) for lines in tables]
    cells = []
    for n, lines in enumerate(tables):
        caption = _caption(text, lines[0][0], text[lines[0][0]:lines[0][1]])
        cells += [(cell, caption) for cell in read_table(text, lines, caption, n, index_.region)]
    for n, (lo, hi, header, rows) in enumerate(find_run_tables(text), len(tables)):
        caption = _caption(text, lo)
        found, left_out = read_run_table(text, header, rows, caption, n)
        cells += [(cell, caption) for cell in found]
        if unread is not None:
            unread.extend(left_out)
        in_table.append((lo, hi))
    starts = [s for s, _ in sentences]
    figures += [_table_figure(text, sentences, starts, cell, caption, doc) for cell, caption in cells]
    in_table.sort()
    for index, (start, end) in enumerate(sentences):
        k = bisect.bisect_right(in_table, (start, float("inf"))) - 1
        if k >= 0 and start < in_table[k][1]:
            continue  # read as a grid above
        for q in find_quantities(text, start, end, unread, rejected):
            if local_currency and q.unit == "元" and not _RENMINBI.search(text, max(0, q.char_start - 4), q.char_end):
                q.unit = local_currency  # 25.6万元 in a Taiwan report is in New Taiwan dollars
            ctx = attach_context(text, (start, end), q, doc)
            figures.append(Figure(
                figure_id=figure_id_for(doc.doc_id, q.char_start, q.char_end, q.unit),
                surface=q.surface, char_start=q.char_start, char_end=q.char_end, value=q.value,
                value_max=q.value_max, unit=q.unit, kind=q.kind, approx=q.approx, direction=q.direction,
                metric=ctx.metric, org=ctx.org, period_text=ctx.period_text, period_start=ctx.period_start,
                period_end=ctx.period_end, period_type=ctx.period_type, baseline=q.baseline,
                precision=q.precision, value_low=q.value_low, value_high=q.value_high, sentence_index=index,
                rule=q.rule, context_rule=ctx.rule))
    figures.sort(key=lambda f: f.char_start)
    return figures


def _table_figure(text: str, sentences, starts: list[int], cell, caption: str, doc: DocContext) -> Figure:
    """The figure of one table cell, its context read from the grid."""
    q = cell.quantity
    ctx = table_context(text, q, doc, cell.metric, cell.period, caption, cell.org)
    k = bisect.bisect_right(starts, q.char_start) - 1
    in_sentence = k >= 0 and q.char_start < sentences[k][1]
    return Figure(
        figure_id=figure_id_for(doc.doc_id, q.char_start, q.char_end, q.unit), surface=q.surface,
        char_start=q.char_start, char_end=q.char_end, value=q.value, value_max=None, unit=q.unit, kind=q.kind,
        approx="exact", direction=q.direction, metric=ctx.metric, org=ctx.org, period_text=ctx.period_text,
        period_start=ctx.period_start, period_end=ctx.period_end, period_type=ctx.period_type,
        sentence_index=k if in_sentence else None, rule=q.rule, context_rule=ctx.rule,
        table_index=cell.table_index, table_row=cell.row, table_column=cell.column, row_label=cell.row_label,
        column_header=cell.column_header, sum_of_parts=cell.sum_of_parts)


def table_spans(text: str) -> list[list[tuple[int, int]]]:
    """The tables of a normalized text, each as the (start, end) spans of its non-blank lines."""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    keep = sorted(table_lines([text[a:b] for a, b in lines]))
    tables: list[list[tuple[int, int]]] = []
    last = None
    for i in keep:
        if last is None or i != last + 1:
            tables.append([])
        last = i
        if text[lines[i][0]:lines[i][1]].strip():
            tables[-1].append(lines[i])
    return [t for t in tables if t]


def _caption(text: str, start: int, first_row: str = "") -> str:
    """A table's title: the short lines just above it (up to two), and a first row that is one text cell."""
    above = [ln.strip() for ln in text[max(0, start - 200):start].split("\n") if ln.strip()]
    words = [ln for ln in above[-2:] if len(ln) <= 40]
    first = [c.strip() for c in first_row.split("|") if c.strip()]
    if len(first) == 1 and not any(ch.isdigit() for ch in first[0][:2]):
        words.append(first[0])  # 地方检察署办理性侵害案件侦查终结人数 | |: the title row
    return " ".join(words)
