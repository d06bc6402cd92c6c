"""Extract: figures from normalized text, each with its metric, organization and period."""
from __future__ import annotations

import re

from .context import attach_context, prepare_document
from .model import DocContext, Figure, figure_id_for
from .numbers import find_quantities

__all__ = ["extract_figures", "DocContext", "Figure"]

# Bare 元 in a report from Taiwan, Hong Kong or Macau is the local dollar, unless renminbi is named.
_LOCAL_CURRENCY = {"tw": "新台币", "hk": "港元", "mo": "澳门元"}
_RENMINBI = re.compile(r"人民币|RMB|¥|￥")


def extract_figures(text: str, sentences: list[tuple[int, int]], doc: DocContext,
                    unread: list | None = None) -> list[Figure]:
    """Every figure in the text, sentence by sentence, in text order; numbers left unread go to unread, if given."""
    figures = []
    local_currency = _LOCAL_CURRENCY.get(prepare_document(text, doc).region)
    for index, (start, end) in enumerate(sentences):
        for q in find_quantities(text, start, end, unread):
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
                sentence=text[start:end], rule=q.rule))
    return figures
