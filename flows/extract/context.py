"""Read the context of a quantity: the metric label, the organization and the period it belongs to."""
from __future__ import annotations

import re

from .model import Context, DocContext, Quantity

_PERIOD = re.compile(r"((?:19|20)\d{2}年(?:度|全年)?(?:\d{1,2}(?:至|-)\d{1,2}月份?)?|今年(?:以来|\d{1,2}月至\d{1,2}月)?|"
                     r"\d{1,2}至\d{1,2}月份?|截至\d{1,2}月底|(?:19|20)\d{2}年以来)")
_ORG = re.compile(r"([\u4e00-\u9fff]{0,6}?(?:中级人民法院|高级人民法院|人民法院|人民检察院|检察院|公安局|司法局|政法委|两级法院|全市法院|中院|法院))")
_LABEL_STOP = re.compile(r"[,,。;;:、()()“”]")


def attach_context(text: str, sentence: tuple[int, int], q: Quantity, doc: DocContext) -> Context:
    """Metric, org and period for a quantity in its sentence."""
    s_start, _ = sentence
    before = text[s_start:q.char_start]
    clause = _LABEL_STOP.split(before)[-1] if before else ""
    metric = re.sub(r"(达到|达|为|共|累计|同比|较|上升|下降|提高|增长|减少|缩短|实现|超过|近|约)+$", "", clause)
    metric = re.sub(r"^.*?(法院|检察院|公安局|司法局)", "", metric)[-20:] or None
    orgs = _ORG.findall(before)
    periods = _PERIOD.findall(before)
    return Context(metric=metric, org=orgs[-1] if orgs else None, period_text=periods[-1] if periods else None)
