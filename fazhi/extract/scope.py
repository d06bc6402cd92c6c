"""What each scope of a document states: the organization and period its heading, opening or headline puts in force.

The spec's scoping rule looks outwards from a figure: its clause and sentence, its paragraph, the heading or
opening of its section, the document as a whole (headline, opening statement, byline or issuer). The clause
and paragraph levels live in context.py; this module computes the section and document levels once per
document, as named strategies, so a figure's `context_rule` says which one set its org and period.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..words import COMPARISON_WORDS, alternation
from .document import DocumentModel, Section
from .periods import PeriodMention

# Periods that can govern a whole section or report: not a frequency (每年), a baseline (同期) or a vague 近日.
_NON_GOVERNING_KINDS = ("frequency", "same_period", "recent")
# A period right after these is a baseline being compared with, not the period reported.
_BASELINE_BEFORE = re.compile(rf"(?:{alternation(COMPARISON_WORDS)})$")
# An institution reporting its own work: 我代表市中级人民法院向大会报告工作.
_REPORTS_FOR = re.compile(r"(?:代表|受)$")
# A police force's statistics page that never names itself reports for the force of its region (the spec: 香港警方).
REGION_POLICE = {"hk": "香港警方", "mo": "澳门警方"}
_CRIME_WORDS = re.compile(r"罪案|劫案|盗窃|凶杀|刑事案件|犯罪|破案")
# A collective written bare (检察机关, 公安机关) is a kind of institution, not who a section or report is by.
_GENERIC = re.compile(r"^(?:检察机关|公安机关|审判机关|政法机关|司法机关|政法单位|政法系统|法院系统|检察系统|警察机关|纪检监察机关)$")


def _names_someone(r) -> bool:
    return not r.place and not _GENERIC.match(r.name)


@dataclass(frozen=True)
class Stated:
    """A value a scope puts in force and the named strategy that found it."""

    value: object
    rule: str


def is_baseline(text: str, p: PeriodMention) -> bool:
    """True for a period that is compared with (较2023年同期, 多于2019年同期), not the one reported."""
    return bool(_BASELINE_BEFORE.search(text[max(0, p.start - 2):p.start]))


def governing(p: PeriodMention, text: str) -> bool:
    """A period that can govern what follows it: adverbial, not a frequency, baseline or vague recent time."""
    return p.adverbial and p.kind not in _NON_GOVERNING_KINDS and not is_baseline(text, p)


def first_period(periods: list[PeriodMention], text: str, lo: int, hi: int, need_adverbial: bool = True):
    """The first governing period mention inside [lo, hi) (periods in text order)."""
    for p in periods[bisect.bisect_left(periods, lo, key=lambda p: p.start):]:
        if p.start >= hi:
            break
        if p.start >= lo and p.end <= hi and (governing(p, text) or not need_adverbial and
                                               p.kind not in _NON_GOVERNING_KINDS):
            return p
    return None


def opening_period(model: DocumentModel, periods, lo: int, hi: int, first_figure) -> PeriodMention | None:
    """The period an opening statement puts in force: the first governing one before the scope's first figure."""
    for block in model.opening(lo, hi, lambda a, b: first_figure(a, b) is not None):
        fig = first_figure(block.start, block.end)
        stop = fig if fig is not None else block.end
        p = first_period(periods, model.text, max(lo, block.start), stop)
        if p:
            return p
    return None


def section_period(model: DocumentModel, section: Section, periods, first_figure) -> Stated | None:
    """A section's period: one in its heading's words, else the one its opening statement puts in force."""
    p = first_period(periods, model.text, section.start, section.heading_end, need_adverbial=False)
    if p:
        return Stated(p, "section_heading")
    p = opening_period(model, periods, section.heading_end, section.end, first_figure)
    return Stated(p, "section_opening") if p else None


def document_period(model: DocumentModel, periods, first_figure) -> Stated | None:
    """The report's period: its headline's, else the one its opening statement puts in force."""
    if model.headline is not None:
        named = {p.text for p in periods if model.headline.start <= p.start and p.end <= model.headline.end
                 and p.kind not in _NON_GOVERNING_KINDS}
        if len(named) > 1:
            return None  # 2022年和2023年…工作对比: a headline comparing periods states no one period for the report
        p = first_period(periods, model.text, model.headline.start, model.headline.end, need_adverbial=False)
        if p:
            return Stated(p, "document_headline")
    lo = model.headline.end if model.headline else 0
    # The report's own opening stands before its first numbered heading (一、, （一）): an opening after one is that
    # section's. A subtitle or title line (# 宁波扎实推进…) does not end it.
    numbered = next((s.start for s in model.sections if s.start >= lo and s.heading.marker not in
                     ("short_line", "markdown")), len(model.text))
    p = opening_period(model, periods, lo, numbered, first_figure)
    if p:
        return Stated(p, "document_opening")
    day = dateline_day(model, lo, numbered, first_figure)
    return Stated(day, "document_dateline") if day else None


# 11月5日,衡水市召开了…: a report dated by the day of the event it reports, written opening a clause.
_DAY = re.compile(r"(?:(?<=^)|(?<=[。;；!！?？:：\n]))((?:(?:19|20)\d{2}年)?\d{1,2}月\d{1,2}日)(?=[,，])")


def dateline_day(model: DocumentModel, lo: int, hi: int, first_figure) -> PeriodMention | None:
    """The day an opening statement is dated by (11月5日,…召开), where it names no period: the report's date."""
    for block in model.opening(lo, hi, lambda a, b: first_figure(a, b) is not None):
        m = _DAY.search(model.text, block.start, block.end)
        if m:
            return PeriodMention(m.start(1), m.end(1), m.group(1), "day", True)
    return None


def section_org(model: DocumentModel, section: Section, refs) -> Stated | None:
    """A section's organization: the institution named in its heading's words (the compilation's contributor)."""
    text = model.text
    named = [r for r in _between(refs, section.start, section.heading_end)
             if not (r.object_of_prep or r.possessive) and _names_someone(r)]
    if section.heading.marker == "short_line":
        # An unnumbered short line may be a photo caption (台州中院召开…新闻发布会): only a line that is nothing but
        # the institution's name heads a section for it.
        named = [r for r in named if _line_of(text, r.start).strip(" \t▲■●◆★#") == text[r.start:r.end]]
    if named:
        return Stated(named[-1].name, "section_heading")
    return None


def section_opening_org(model: DocumentModel, section: Section, refs, first_figure) -> Stated | None:
    """The subject of a section's opening statement, the last named before the section's first figure
    (针对…问题,市委政法委把…: the figures of that section are the committee's)."""
    blocks = model.opening(section.heading_end, section.end, lambda a, b: first_figure(a, b) is not None)
    if not blocks:
        return None
    hi = first_figure(blocks[-1].start, blocks[-1].end)
    hi = blocks[-1].end if hi is None else hi
    subjects = [r for r in _between(refs, section.heading_end, hi)
                if r.subject and not r.place and not r.object_of_prep and _names_someone(r)]
    return Stated(subjects[-1].name, "section_opening") if subjects else None


def _between(refs, lo: int, hi: int) -> list:
    """The mentions (in text order) that lie within [lo, hi)."""
    i = bisect.bisect_left(refs, lo, key=lambda r: r.start)
    out = []
    while i < len(refs) and refs[i].start < hi:
        if refs[i].end <= hi:
            out.append(refs[i])
        i += 1
    return out


def _line_of(text: str, pos: int) -> str:
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return text[lo:hi if hi >= 0 else len(text)]


def issuer(model: DocumentModel, refs, opening_subject, most_frequent: str | None,  # noqa: C901
           region: str | None = None) -> Stated | None:
    """Who the figures are reported for: the subject of the opening statement (2022年,全省检察机关共受理… under the
    headline 四川省人民检察院工作报告), else who the headline, byline or source line names, else the most cited."""
    text = model.text
    if opening_subject is not None and not _GENERIC.match(opening_subject):
        return Stated(opening_subject, "issuer_opening")
    if model.headline is not None:
        named = [r for r in _between(refs, model.headline.start, model.headline.end)
                 if not (r.object_of_prep or r.possessive) and (_names_someone(r) or r.name.startswith("全"))]
        if named:
            return Stated(named[0].name, "issuer_headline")
    for line in model.bylines:
        named = [r for r in _between(refs, line.start, line.end) if _names_someone(r)]
        if named:
            return Stated(named[0].name, "issuer_byline")
    for r in refs:
        if r.start > 400:
            break
        if _REPORTS_FOR.search(text[max(0, r.start - 2):r.start]) and not r.place:
            return Stated(r.name, "issuer_reports_for")
    if most_frequent and not _GENERIC.match(most_frequent):
        return Stated(most_frequent, "issuer_most_cited")
    named = next((r for r in refs if r.start < 400 and not r.place and not r.collective), None)
    if named is not None:  # 法治原则是澳门特别行政区检察院独立行使检察权的基石: a report names itself early
        return Stated(named.name, "issuer_first_named")
    institutions = [r.name for r in refs if _names_someone(r) and not r.collective]
    if institutions:  # a statistics table naming its court only inside its rows (中级法院作为第一审级…)
        return Stated(max(dict.fromkeys(institutions), key=institutions.count), "issuer_most_named")
    if region in REGION_POLICE and len(_CRIME_WORDS.findall(text)) >= 3:
        return Stated(REGION_POLICE[region], "issuer_region_police")
    return None
