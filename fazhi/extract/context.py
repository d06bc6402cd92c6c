"""Read the context of a quantity: the metric label, the organization and the period it belongs to.

Document-level facts (paragraphs, sections, organization and period mentions with their resolved names) are
computed once per document by prepare_document and kept in doc.extra; attach_context then works on the
figure's sentence and paragraph only.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ..words import FALL_VERBS, LOCAL_SCOPE_WORDS, RISE_VERBS, SCOPE_WORDS, alternation
from .document import DocumentModel, build_model
from .model import Context, DocContext, Quantity
from .orgs import (
    CORE_RE,
    Mention,
    Place,
    canonical_name,
    core_info,
    find_mentions,
    gazetteer,
    lookup_place,
    place_before,
    short_place,
)
from .periods import PeriodMention, find_periods, period_length_at_start, resolve_period, year_in
from .prefilter import compile_scan
from .scope import Stated, document_period, is_baseline, issuer, section_opening_org, section_org, section_period

_INDEX_KEY = "context_index"
_CLAUSE_END = ",，;；:：。!?！？\n"


def _breaks(text: str, i: int) -> bool:
    """True where text[i] ends a clause; the comma of 11,913 (a thousands separator) does not."""
    c = text[i]
    if c not in _CLAUSE_END:
        return False
    return not (c == "," and i and text[i - 1].isdigit() and text[i + 1:i + 4].isdigit()
                and not text[i + 4:i + 5].isdigit())
_PREPOSITION_BEFORE = re.compile(r"(向|与|对|联合|会同|同|和|跟|为|及|由|被|给|从|经|在|协调|对接|联动|督促|指导|配合|推动)$")
# Words that open a clause without being part of what it measures (conjunctions, adverbs, 其中, 据统计, 由, 以).
_FILLER_START = re.compile(r"^(?:[\s“”\"'▲■●◆★#.…(（]|同时|此外|另外|其中|当中|据统计|据了解|据悉|目前|经过|通过|为了|为|并|还|也|又|均|"
                           r"共|已经|已|先后|累计|全年|其后|最终|最后|今年|去年|此前|随后|而且|而|更是|更|但是|但|仍然|仍|虽然|虽|"
                           r"然而|并且|由|以)+")
_SECTION_LABEL = re.compile(r"^[\s▲■●◆★#]*(?:经验交流单位|供稿单位|供稿|来源|作者|单位|发布单位|通讯员)?[:：\s]*")
# A number starts only where a run of digits (with its separators) or of numerals starts: tried inside a run, it
# would find only what the try at the run's start found, after reading to the run's end again (a run of 1 MB of
# digits or of 万 made that quadratic).
_NUMBERISH = compile_scan(r"(?:(?:(?<!\d)(?<!\d[.,:/])\d+(?:[.,:/]\d+)*|(?<![零〇一二两三四五六七八九十百千万])"
                          r"(?:[零〇一二两三四五六七八九十百千万]{2,}|[十百千万])(?=[余多]?[个件人名项次份条家起宗笔期场所批户处台套部篇块张类支座]))"
                          r"(?:余|多)?(?:万|亿)?(?:个百分点|人次|件次|平方米|[%倍件人名项次份条家个起宗笔期场所批户处台套部篇块张类支座元天亩米]))")
_CHANGE_VERBS = alternation(RISE_VERBS + FALL_VERBS + ("上涨",))
_TRAILING = re.compile(rf"(?:分别为|分别是|分别达|分别|同比(?:{_CHANGE_VERBS})?了?|环比|"
                       rf"达到了|达到|稳定在|保持在|控制在|降至|降到|(?:{_CHANGE_VERBS})(?:到|至)?|"
                       r"降幅|增幅|升幅|涨幅|跌幅|减幅|幅度|基本|约有|共有|共计|合计|总计|累计|已达|达|(?<![行作])为|是|共|约|有|近|由|仍然|仍|"
                       r"(?<![侵霸抢强攻独])占|"
                       r"年均|平均每年|每年平均|年平均|连续|持续|一直|始终|超过|逾|仅|只|就|计|在|居|不|位居|位列|排名|排在|列|占比|之|了|的还有|的共有|的有|的|:|：|\s|平均(?=压缩|缩短|减少|降低|提高|下降|上升|为|达))+$")
_COMPARATIVE_START = re.compile(r"^(?:比|较|同比|环比|按年|按季|按月|高于|低于|多于|少于|超出|高出|低出|多出|少出|超过全|相比|与.{0,8}相比)")
# 占8.1%, 约占三成: a share of the figure just read, which names what it measures.
_BARE_SHARE = re.compile(r"^(?:其中|分别|约|仅|只|共)?(?:约|仅|只)?占(?:比)?(?:达到|达|为|约)?$")
# 是前五年的3.2倍: a multiple of a baseline measures what the figure before it measured.
_MULTIPLE_OF = re.compile(r"^(?:是|为|相当于|达到|达|约为|约是|约)[^,，;；。]{0,20}的$")
_SCOPE = alternation(SCOPE_WORDS)
_SCOPE_BEFORE = re.compile(rf"({_SCOPE})$")
_SCOPE_OPENING = re.compile(rf"({_SCOPE})")
# 全 is a scope word (全审结…) except where it opens the period 全年.
_SCOPE_WORDS = re.compile(rf"^(?:{_SCOPE}|全院|该市|该县|该区|该院|本院|我院|各地(?!方)|全(?!年))+")
# A bare institution opening a label (检察院共收到…) names who reports, not what is counted.
_INSTITUTION_START = re.compile(r"^(?:(?:各级|两级|三级|基层)?(?:人民)?(?:法院|检察院)(?:系统)?|检察署|检察机关|审判机关|公安机关|"
                                r"公安局|公安厅|公安分局|司法局|司法厅|政法委|派出所|警方|检方|警队|警务处|廉署|廉政公署|"
                                r"本院|该院|我院|本局|该局|我局)(?:的(?!是))?")
# A phrase after a figure that says how it moved (上升到…, 下降了…) is no label of it.
_CHANGE_VERB = re.compile(rf"^(?:{_CHANGE_VERBS}|降至|升至|达到)")
_VERBISH_START = "的是为在于达有共约近超逾占比较同将把被已并和与及或等个"
_PAREN_OPEN = "(（"
_PLACE_SUBJECT_AFTER = re.compile(r"^(?:是|把|将|在|综合|位居|位列|排名|深入|扎实|持续|全面|积极|大力|共|累计|已|以|坚持|着力|探索|推进|创新|"
                                  r"召开|出台|建立|开展|先后|今年|去年)")

# Compiled once: the readers below run them for every mention or figure (re's cache lookup costs as much as a
# short match).
_DONE_BY = re.compile(r"(部署|组织|提出|制定|出台|下发)的")  # 省检察院部署的…: whose work it is
_POSSESSIVE_AFTER = re.compile(r"[^,，。;；:：]{0,8}?的")
_FULL_NAME_END = re.compile(r"(人民法院|人民检察院|公安局|司法局|政法委)$")
_SHORT_INSTITUTION = re.compile(r"^([\u4e00-\u9fff]{2,4}?)(法院|检察院)$")
_COMPARED_SCOPE_ASIDE = re.compile(r"(?:^|比|较|高于|低于)(全省|全国)[^,，。;；]*[(（]$")
_THIS_PLACE = re.compile(r"(?:^|[^\u4e00-\u9fff])?该(市|县|区)")
_JOINER_START = re.compile(r"^(?:联合|会同|和|及|与|、)?")
_TALLY_START = re.compile(r"^(?:共有|现有|共计|共|累计)")
_SEPARATOR_START = re.compile(r"^[,，、和及与;；:：\s]+")
_NUMERAL = re.compile(r"\d|[一二两三四五六七八九十]")
_THOSE_WHO_END = re.compile(r"(的有|的还有|的共有)$")
_PREPOSITION_END = re.compile(r"(?:在|于|用|对)$")
_CLAUSE_SPLIT = re.compile(r"[,，;；]")


# Which jurisdiction a report is from decides how its years (Taiwan: 民国111年) and bare 元 read.
_TAIWAN = re.compile(r"民国\d|台湾[\u4e00-\u9fff]{0,6}(?:法院|检察署)|地检署|地方检察署|法务部|新台币|台币|警政署")
_ROC_YEAR_MENTION = compile_scan(r"(?<![\d.])1\d{2}年(?:度|全年|底)?")
# Hong Kong's own legal terms name its reports too where the page never says 香港 (爆窃 burglary, 非礼 indecent
# assault, 三合会 triad offences: the Crimes Ordinance's words, not the mainland's 入室盗窃, 猥亵, 黑社会).
_HONG_KONG = re.compile(r"香港|港元|港币|廉政公署|警务处|律政司|全港|爆窃|非礼|三合会")
_MACAU = re.compile(r"澳门|治安警察局|司法警察局|全澳")


def doc_region(text: str) -> str | None:
    """'tw', 'hk' or 'mo' for a report from Taiwan, Hong Kong or Macau, None otherwise (the mainland)."""
    head = text[:4000]
    if _TAIWAN.search(head) or len(_ROC_YEAR_MENTION.findall(head)) >= 2:
        return "tw"
    if _MACAU.search(head):
        return "mo"
    if _HONG_KONG.search(head):
        return "hk"
    return None


@dataclass
class OrgRef:
    """An organization mention with its resolved name and its role in the clause."""

    start: int
    end: int
    name: str
    org_type: str
    subject: bool
    object_of_prep: bool
    place: bool = False  # a place reported as a whole (深州, 三单乡, 全市)
    possessive: bool = False  # 省检察院部署的…: names whose work it is, not who reports
    collective: bool = False
    whole_institution: bool = False  # 全院: the institution whose section or report this is


@dataclass
class DocIndex:
    """Facts about one document computed once: paragraphs, sections, mentions, years."""

    text: str
    paragraphs: list[tuple[int, int]]
    paragraph_starts: list[int]
    orgs: list[OrgRef]
    org_starts: list[int]
    periods: list[PeriodMention]
    period_starts: list[int]
    period_dates: dict[int, tuple]
    sections: list[tuple[int, int, str]]
    doc_org: str | None
    city: Place | None
    reference_year: int | None
    metrics: dict[int, str] = field(default_factory=dict)
    metric_starts: list[int] = field(default_factory=list)
    parenthetical: set = field(default_factory=set)
    region: str | None = None
    model: DocumentModel | None = None
    issuer: Stated | None = None  # who reports: the default org
    doc_period: Stated | None = None  # the period the whole report covers (a PeriodMention)
    section_orgs: dict = field(default_factory=dict)  # Section -> Stated org of its heading
    section_periods: dict = field(default_factory=dict)  # Section -> Stated period of its heading or opening
    # Indices into orgs of the subjects and of the plainly named (no preposition, place, possessive or collective),
    # and into periods of those that can govern a figure before or after it: searched by bisect, per figure.
    subject_orgs: list[int] = field(default_factory=list)
    named_orgs: list[int] = field(default_factory=list)
    current_places: dict = field(default_factory=dict)  # want_county -> {org count: place in scope}
    orgs_by_opening: dict = field(default_factory=dict)  # length -> {text at an org's start: the first such org}
    periods_before: list[int] = field(default_factory=list)  # adverbial, not a baseline
    plain_periods_before: list[int] = field(default_factory=list)  # those neither recent nor a frequency
    periods_after: list[int] = field(default_factory=list)  # adverbial, not a frequency


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


# How far a figure's clause is read back or forward: no clause of a report comes near it, and the bound keeps the
# work per figure constant where a line runs on without a break (a flattened statistics page).
MAX_CLAUSE = 300


# The clause marks found by the regex engine's own loop, not a Python step per character: the clause readers
# below run several times for every figure.
_CLAUSE_MARK = re.compile("[" + re.escape(_CLAUSE_END) + "]")
_LAST_CLAUSE_MARK = re.compile(".*[" + re.escape(_CLAUSE_END) + "]", re.S)  # greedy: ends at the last mark


def _clause_start(text: str, pos: int, lo: int) -> int:
    lo = max(lo, pos - MAX_CLAUSE)
    i = pos
    while i > lo:
        m = _LAST_CLAUSE_MARK.match(text, lo, i)
        if m is None:
            return lo
        i = m.end() - 1
        if _breaks(text, i):
            return i + 1
    return i


def _clause_end_at(text: str, pos: int, hi: int) -> int:
    """Where the clause running on from pos ends (its break, or hi), at most MAX_CLAUSE characters on."""
    hi = min(hi, pos + MAX_CLAUSE)
    while pos < hi:
        m = _CLAUSE_MARK.search(text, pos, hi)
        if m is None:
            return hi
        pos = m.start()
        if _breaks(text, pos):
            return pos
        pos += 1
    return pos


def _is_subject(text: str, start: int, end: int, lo: int, periods: list[PeriodMention]) -> bool:
    """An organization opening its clause (after a period or a filler) and not a possessive is its subject."""
    if text[end:end + 1] == "的" or _DONE_BY.match(text[end:end + 4]):
        return False
    cs = _clause_start(text, start, lo)
    head = text[cs:start]
    for k in range(bisect.bisect_left(periods, cs, key=lambda p: p.start), len(periods)):
        p = periods[k]
        if p.start >= start:
            break
        if p.end <= start:
            head = head.replace(p.text, "")
    head = _FILLER_START.sub("", head)
    return head.strip(" \t“”\"'▲■●◆★#") == ""


def _doc_place(doc: DocContext, text: str, mentions: list[Mention]) -> Place | None:
    """The city the report is about: one named in the headline, else the most mentioned one."""
    by_name, by_short = gazetteer()
    first_chars = _place_first_chars()
    for title in (doc.title or "", text[:120]):
        for i in range(len(title)):
            if title[i] not in first_chars:
                continue  # no place name starts with this character: most do not, so skip the lookups
            for n in (4, 3, 2):
                cand = title[i:i + n]
                # the cheap membership test first: lookup_place finds nothing for a name in neither table
                p = lookup_place(cand) if len(cand) == n and (cand in by_name or cand in by_short) else None
                if p and p.level != "province" and not re.match(r"[省市县区]", title[i + n:i + n + 1] or "x") \
                        or (p and p.level != "province" and cand.endswith(("市", "县"))):
                    return p
    counts: dict[str, int] = {}
    for m in mentions:
        for name in m.places:
            p = lookup_place(name)
            if p and p.level != "province":
                counts[p.name] = counts.get(p.name, 0) + 1
    if counts:
        return lookup_place(max(counts, key=counts.get))
    return None


def prepare_document(text: str, doc: DocContext) -> DocIndex:  # noqa: C901
    """Index a document's organizations, periods, paragraphs and sections once, into doc.extra."""
    paragraphs = _paragraphs(text)
    region = doc_region(text)
    roc = region == "tw"
    periods = find_periods(text, roc=roc)
    titles = [(m.start(), m.end()) for m in re.finditer(r"《[^》]{0,80}》", text)]
    mentions = [m for m in _mentions_past_romanization(text) if not any(a < m.start < b for a, b in titles)]
    reference_year = year_in(doc.title, roc) or year_in(text[:200], roc) or (
        doc.published.year if doc.published else None)
    doc_city = _doc_place(doc, text, mentions)
    province = doc_city.province if doc_city else _doc_province(doc, text)
    province_written = bool(province) and (province in text or short_place(province) in text)

    # Resolve mentions in reading order, following the places the text moves through.
    city: Place | None = doc_city if doc_city and doc_city.name.endswith("市") else None
    county: Place | None = doc_city if doc_city and not doc_city.name.endswith("市") else None
    last_institution: str | None = None
    refs: list[OrgRef] = []
    place_subjects = _place_subjects(text, paragraphs, periods, mentions)
    events = sorted([(m.start, "org", m) for m in mentions] + [(s, "place", (s, e, p)) for s, e, p in place_subjects],
                    key=lambda x: x[0])
    for _, kind, item in events:
        if kind == "place":
            s, e, p = item
            if p.level == "scope":  # 全市 -> the city in scope, 全省 -> the province, else as written
                # as the clause rule reads 全市 before a figure, so that one sentence names one org
                name = {"全市": _prefecture_of(city), "全县": county.name if county else None,
                        "全区": county.name if county else None}.get(p.name) or p.name
                refs.append(OrgRef(s, e, name, "place", True, False, place=True))
                continue
            city, county = _move(p, city, county)
            refs.append(OrgRef(s, e, p.name, "place", True, False, place=True))
            continue
        m: Mention = item
        for name in m.places:
            p = lookup_place(name, province)
            if p:
                city, county = _move(p, city, county)
        org_type, _, _, collective = core_info(m.core)
        if m.core == "该院":
            name = last_institution or m.written
        elif m.core in ("本院", "我院", "全院"):
            name = m.written  # the reporting institution itself: the word is its name (the spec accepts it)
        else:
            name = canonical_name(m, city, county, province if province_written else None, province)
        if org_type in ("court", "procuratorate") and not collective and m.core not in ("该院", "本院", "我院", "全院"):
            last_institution = name
        lo = _paragraph_of(paragraphs, m.start)
        subject = _is_subject(text, m.start, m.end, lo, periods)
        prep = bool(_PREPOSITION_BEFORE.search(text[max(0, m.start - 4):m.start]))
        possessive = bool(_POSSESSIVE_AFTER.match(text[m.end:m.end + 9]))
        refs.append(OrgRef(m.start, m.end, name, org_type or "", subject, prep, possessive=possessive,
                           collective=collective, whole_institution=m.core == "全院"))
    _fullest_names(refs)
    sections = _sections(text, paragraphs, refs)
    subject_names = [r.name for r in refs if r.subject and not r.place]
    # The most frequent subject; a tie goes to the one named first (never to set order, which varies by process).
    doc_org = max(dict.fromkeys(subject_names), key=subject_names.count) if subject_names else None
    period_dates = {}
    context_year, context_para = None, -1
    last_dates = (None, None, None)
    for p in periods:  # a year stated earlier in the paragraph dates the periods after it
        para_lo = _paragraph_of(paragraphs, p.start)
        if para_lo != context_para:
            context_year, context_para = None, para_lo
        if p.kind == "same_period":
            period_dates[p.start] = last_dates  # 同期: the period just reported
            continue
        period_dates[p.start] = resolve_period(p.text, p.kind, context_year, reference_year, doc.published, roc)
        if p.adverbial and period_dates[p.start][1] is not None:
            last_dates = period_dates[p.start]
        if re.match(r"(?:19|20)\d{2}年", p.text):
            context_year = int(p.text[:4])
    refs.sort(key=lambda r: r.start)
    index = DocIndex(text=text, paragraphs=paragraphs, paragraph_starts=[s for s, _ in paragraphs], orgs=refs,
                     org_starts=[r.start for r in refs], periods=periods, period_starts=[p.start for p in periods],
                     period_dates=period_dates, sections=sections, doc_org=doc_org, city=doc_city,
                     reference_year=reference_year, region=region)
    index.subject_orgs = [k for k, r in enumerate(refs) if r.subject]
    index.named_orgs = [k for k, r in enumerate(refs)
                        if not (r.object_of_prep or r.place or r.possessive or r.collective)]
    index.periods_before = [k for k, p in enumerate(periods) if p.adverbial and not is_baseline(text, p)]
    index.plain_periods_before = [k for k in index.periods_before
                                  if periods[k].kind != "recent" and not periods[k].frequency]
    index.periods_after = [k for k, p in enumerate(periods) if p.adverbial and not p.frequency]
    _scopes(index, doc)
    doc.extra[_INDEX_KEY] = index
    return index


# Pinyin written after characters, 全区(qū)各级(jí)公安机(jī)关(guān): read past it when finding names.
_ROMANIZATION = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")


def _mentions_past_romanization(text: str) -> list[Mention]:
    """Organization mentions, found in the text with romanization left out and mapped back to its offsets."""
    if "(" not in text or not _ROMANIZATION.search(text):
        return find_mentions(text)
    keep = []
    pos = 0
    for m in _ROMANIZATION.finditer(text):
        keep.extend(range(pos, m.start()))
        pos = m.end()
    keep.extend(range(pos, len(text)))
    clean = "".join(text[i] for i in keep)
    out = []
    for m in find_mentions(clean):
        m.start, m.end = keep[m.start], keep[m.end - 1] + 1
        out.append(m)
    return out


def _day_dates(written: str, reference_year: int | None) -> tuple:
    """(type, start, end) of a day as written (11月5日), its year from the text or the report; never today's."""
    m = re.match(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})日", written)
    year = int(m.group(1)) if m and m.group(1) else reference_year
    try:
        day = date(year, int(m.group(2)), int(m.group(3))) if m and year else None
    except ValueError:
        day = None
    return ("day", day, day) if day else ("day", None, None)


def _first_figure(index: DocIndex):
    """A function giving where the first figure-like number in [lo, hi) starts, or None."""
    seen: dict[tuple[int, int], int | None] = {}  # the openings ask of the same blocks more than once

    def first(lo: int, hi: int) -> int | None:
        if (lo, hi) not in seen:
            m = _NUMBERISH.search(index.text, lo, hi)
            seen[lo, hi] = m.start() if m else None
        return seen[lo, hi]
    return first


def _scopes(index: DocIndex, doc: DocContext) -> None:
    """What the document and each section put in force: the issuer, the report's period, each section's."""
    model = index.model = build_model(index.text, doc.title)
    first_figure = _first_figure(index)
    for section in model.sections:
        org = section_org(model, section, index.orgs) or section_opening_org(model, section, index.orgs, first_figure)
        if org:
            index.section_orgs[section] = org
        period = section_period(model, section, index.periods, first_figure)
        if period:
            index.section_periods[section] = period
    opening_hi = next((at for at in (first_figure(lo, hi) for lo, hi in index.paragraphs) if at is not None),
                      len(index.text))
    # The opening statement's subject: the last one named before the first figure (法务部…发布统计,
    # 112年各地方检察署侦查终结…: the procuratorates report the figures, the ministry publishes them).
    after_headline = model.headline.end if model.headline else 0
    opening_subject = next((r.name for r in reversed(index.orgs[:bisect.bisect_right(index.org_starts, opening_hi)])
                            if r.subject and not r.place and not r.object_of_prep and r.start >= after_headline),
                           None)
    index.issuer = issuer(model, index.orgs, opening_subject, index.doc_org, index.region)
    for r in index.orgs:  # 全院 in a contributor's section is that contributor
        if r.whole_institution:
            r.name = next((name for lo, hi, name in index.sections if lo <= r.start < hi), r.name)
    index.doc_period = document_period(model, index.periods, first_figure)
    if index.doc_period is not None and index.doc_period.value.kind == "day":
        index.period_dates[index.doc_period.value.start] = _day_dates(index.doc_period.value.text,
                                                                      index.reference_year)


def _doc_province(doc: DocContext, text: str) -> str | None:
    """The province a provincial report names in its headline or first lines (湖南省高级人民法院工作报告)."""
    head = (doc.title or "") + "\n" + text[:200]
    for m in re.finditer(r"[\u4e00-\u9fff]{2,8}?(?:省|自治区)", head):
        for i in range(m.start(), m.end() - 1):
            p = lookup_place(head[i:m.end()])
            if p and p.level == "province":
                return p.name
    return None


def _move(p: Place, city: Place | None, county: Place | None) -> tuple[Place | None, Place | None]:
    """The city and county in scope after the text names place p."""
    if p.level == "province":
        return city, county
    if p.name.endswith("市"):
        return p, (None if p.level == "prefecture" else p)
    prefecture = lookup_place(p.prefecture, p.province) if p.prefecture else None
    return (prefecture or city), p


def _place_subjects(text: str, paragraphs, periods, mentions) -> list[tuple[int, int, Place]]:
    """Places that are the subject of their clause (深州综合排名, 台州市把…): reported as a whole."""
    taken = [(m.start, m.end) for m in mentions]
    by_name, by_short = gazetteer()
    first_chars = _place_first_chars()
    out = []
    for s in _place_subject_starts(text):
        if text[s] not in first_chars:
            continue  # no place name starts with this character
        after_list = text[s - 1:s] == "、"
        for n in (5, 4, 3, 2):
            cand = text[s:s + n]
            if len(cand) != n or cand not in by_name and cand not in by_short:  # the cheap test first
                continue
            ranked = text[s - 1:s] == "名" or text[s - 2:s] == "名是"
            if not (_PLACE_SUBJECT_AFTER.match(text, s + n) or _PLACE_TOPIC_AFTER.match(text, s + n)
                    or not after_list and _opens_clause_with_figure(text, s + n)
                    or ranked and text[s + n:s + n + 1] in ",，"):
                continue
            p = lookup_place(cand)
            if p and n == 2 and p.name.endswith("区"):
                continue  # 新华社, 平安建设: a district is written with 区, so a bare two-character one is a word
            if p and p.level != "province" and not _inside(taken, s):
                out.append((s, s + n, p))
                break
    for m in _townships(text):
        out.append((m.start(1), m.end(1), Place(m.group(1), "township", "", "")))
    for m in _SCOPE_SUBJECT.finditer(text):
        if not _inside(taken, m.start(1)):
            out.append((m.start(1), m.end(1), Place(m.group(1), "scope", "", "")))
    out.sort(key=lambda x: x[0])
    return out


# 全省公众安全感逐年提升, 截至去年11月底,全国依法打掉…: a scope word opening its clause is its subject, as written.
_SCOPE_SUBJECT = compile_scan(rf"(?:^|(?<=[,，。;；:：\n\s]))({_SCOPE})(?![各两]级|范围|上下|年|领先|第|前列|排|率先|首|最|名列|居|平均|同行|同类)"
                            r"(?=[\u4e00-\u9fff])")


# A place opening a clause (or named after a rank: 第3名桃园市), or listed with its figure (、新北24.97%). The
# mark before it is matched, not looked behind for: a pattern opening with a character class lets the regex
# engine pass every other character in its own fast loop.
_PLACE_SUBJECT_START = re.compile(r"[,，。;；:：\n、名](?:(?<=[,，。;；:：\n、])|(?<=第\d名)|(?<=第\d名)是|"
                                  r"(?<=[,，。;；:：\n])[去今]年)([\u4e00-\u9fff]{2,5})")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,5}")
# 某某镇是…, 某乡位于…: a township opening a clause. The mark before it is matched (see above).
_TOWNSHIP = r"([\u4e00-\u9fff]{1,3}[乡镇])(?=是|位于|地处|共有|现有)"
_TOWNSHIP_OPENING = re.compile(_TOWNSHIP)
_TOWNSHIP_SUBJECT = re.compile(r"[,，。;；:：\n]" + _TOWNSHIP)


def _townships(text: str):
    """Matches of a township opening the text or a clause (group 1 is its name)."""
    m = _TOWNSHIP_OPENING.match(text)
    if m:
        yield m
    yield from _TOWNSHIP_SUBJECT.finditer(text, m.end() if m else 0)


def _place_subject_starts(text: str):
    """Where a run of two to five characters opens the text, a clause or a list item, or follows a rank."""
    opening = _CJK_RUN.match(text)
    if opening:
        yield 0
    for m in _PLACE_SUBJECT_START.finditer(text, opening.end() if opening else 0):
        yield m.start(1)
# 高雄的案发件数, 台北则是−13.38%, 新北24.97%: the place is what the figure after it is about.
_PLACE_TOPIC_AFTER = re.compile(r"(?:的|则|则是)?[−\-+]?\d")


_DIGIT = re.compile(r"\d")


def _opens_clause_with_figure(text: str, pos: int) -> bool:
    """True where the clause running on from pos holds a figure (台北诈欺案件数为4026): the place is its topic."""
    if text[pos:pos + 1] in "市县区省的之" or not text[pos:pos + 1]:
        return text[pos:pos + 1] == "的" and bool(_DIGIT.search(text, pos, _clause_end(text, pos)))
    return bool(_DIGIT.search(text, pos, _clause_end(text, pos)))


def _clause_end(text: str, pos: int, limit: int = 40) -> int:
    hi = min(len(text), pos + limit)
    m = _CLAUSE_MARK.search(text, pos, hi)
    while m is not None and not _breaks(text, m.start()):
        m = _CLAUSE_MARK.search(text, m.start() + 1, hi)
    return hi if m is None else m.start()


@lru_cache(maxsize=1)
def _place_first_chars() -> frozenset[str]:
    """The characters place names (full or short) start with."""
    by_name, by_short = gazetteer()
    return frozenset(name[0] for name in (*by_name, *by_short))


def _prefecture_of(city: Place | None) -> str | None:
    """The prefecture-level city 全市 names: a county-level city (平湖市) stands for its prefecture (嘉兴市)."""
    if city is None:
        return None
    if city.level == "county" and city.prefecture:
        return city.prefecture
    return city.name


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """True where pos lies in one of spans (sorted, not overlapping: organization mentions)."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _paragraph_of(paragraphs, pos: int) -> int:
    i = bisect.bisect_right(paragraphs, (pos, float("inf"))) - 1
    return paragraphs[i][0] if i >= 0 else 0


def _fullest_names(refs: list[OrgRef]) -> None:  # noqa: C901
    """Replace each name by the longest name in the document that ends with it or spells out its short form."""
    # In order of appearance, so that of two equally long names the first named wins in every process.
    full = dict.fromkeys(r.name for r in refs
                         if not r.place and _FULL_NAME_END.search(r.name))
    # The longest full name (the first named of equals) ending with each ending, and spelling out each short form
    # (stem, core): looked up per mention, where comparing every mention with every name was their product.
    by_ending: dict[str, str] = {}
    by_stem: dict[tuple[str, str], str] = {}
    for n in full:
        for k in range(len(n)):
            if len(n) > len(by_ending.get(n[k:], "")):
                by_ending[n[k:]] = n
        for core in ("人民法院", "人民检察院"):
            if n.endswith(core):
                head = n[:-len(core)]
                heads = [head] + ([head[:-1]] if head[-1:] in ("市", "县", "区") else [])
                for h in heads:
                    for size in (2, 3, 4):
                        key = (h[-size:], core)
                        if len(h) >= size and len(n) > len(by_stem.get(key, "")):
                            by_stem[key] = n
    for r in refs:
        if r.place:
            continue
        longest = by_ending.get(r.name)
        longer = longest if longest is not None and longest != r.name else None
        short = _SHORT_INSTITUTION.match(r.name)
        if short and not longer:
            core = "人民法院" if short.group(2) == "法院" else "人民检察院"
            longer = by_stem.get((short.group(1), core))
        if longer:
            r.name = longer


def _sections(text: str, paragraphs, refs: list[OrgRef]) -> list[tuple[int, int, str]]:
    """Spans governed by an organization named alone on a line (an author line, 经验交流单位: X)."""
    refs = sorted(refs, key=lambda r: r.start)
    starts = [r.start for r in refs]
    heads = []
    for i, (s, e) in enumerate(paragraphs):
        line = text[s:e]
        label = _SECTION_LABEL.match(line)
        body_start = s + (label.end() if label else 0)
        k = bisect.bisect_left(starts, body_start)
        inside = []
        while k < len(refs) and refs[k].start < e:
            if not refs[k].place and refs[k].end <= e:
                inside.append(refs[k])
            k += 1
        if len(inside) == 1 and inside[0].start == body_start and text[inside[0].end:e].strip(" \t") == "":
            back = i
            for j in range(i - 1, max(-1, i - 4), -1):
                ps, pe = paragraphs[j]
                back = j
                if pe - ps <= 30 and not re.search(r"[。;；]", text[ps:pe]):
                    break
            heads.append((i, back, inside[0].name))
    sections = []
    for k, (i, back, name) in enumerate(heads):
        start = paragraphs[back][0]
        if sections and start < sections[-1][1]:
            start = max(start, paragraphs[i][0])
        end = paragraphs[heads[k + 1][1]][0] if k + 1 < len(heads) else len(text)
        sections.append((start, max(end, paragraphs[i][1]), name))
    return sections


def _index(text: str, doc: DocContext) -> DocIndex:
    index = doc.extra.get(_INDEX_KEY)
    if index is None or index.text is not text:
        index = prepare_document(text, doc)
    return index


# ---- period ------------------------------------------------------------------------------------------------

def _pick_period(index: DocIndex, sentence: tuple[int, int], q: Quantity) -> PeriodMention | None:
    """The period governing a figure: the last one before it in its paragraph (a frequency only in its own
    clause), else the first adverbial one after it in its sentence."""
    para_lo = _paragraph_of(index.paragraphs, q.char_start)
    clause_lo = _clause_start(index.text, q.char_start, para_lo)
    i = bisect.bisect_left(index.period_starts, q.char_start)
    if i and _OWN_PERIOD_GAP.fullmatch(index.text, index.periods[i - 1].end, q.char_start) \
            and index.periods[i - 1].kind in ("year", "month_range", "quarter", "fiscal_year"):
        return index.periods[i - 1]
    # Read back through the adverbial periods that are no baseline (多于2019年同期, 较2023年同期: what the figure is
    # compared with, not its period) near the clause; further back only a plain one (neither recent nor a
    # frequency) can govern, and the last of those is found by bisect: never a walk over the paragraph per figure.
    near = clause_lo - 40
    k = bisect.bisect_left(index.periods_before, i) - 1
    while k >= 0:
        p = index.periods[index.periods_before[k]]
        if p.start < para_lo:
            return _first_period_after(index, sentence, q)
        if p.start < near:
            break
        if not (p.end > q.char_start or p.kind == "recent" and p.start < near or p.frequency and p.start < clause_lo):
            return p
        k -= 1
    k = bisect.bisect_left(index.plain_periods_before, index.periods_before[k] + 1 if k >= 0 else 0) - 1
    while k >= 0:
        p = index.periods[index.plain_periods_before[k]]
        if p.start < para_lo:
            break
        if p.end <= q.char_start:
            return p
        k -= 1
    return _first_period_after(index, sentence, q)


def _first_period_after(index: DocIndex, sentence: tuple[int, int], q: Quantity) -> PeriodMention | None:
    """The first adverbial period after a figure in its sentence (no frequency)."""
    k = bisect.bisect_left(index.periods_after, bisect.bisect_left(index.period_starts, q.char_end))
    if k < len(index.periods_after):
        p = index.periods[index.periods_after[k]]
        if p.start < sentence[1]:
            return p
    return None


def _is_time_span(index: DocIndex, q: Quantity) -> bool:
    """True for a figure that is itself written as a period (连续5年, 近3年来): no report period dates it."""
    i = bisect.bisect_right(index.period_starts, q.char_start)
    return any(p.start < q.char_end and q.char_start < p.end for p in index.periods[max(0, i - 2):i + 1])


_TOPIC = re.compile(r"([^,，;；:：。\d]{2,12}?)(?:是|为)[^,，;；:：。\d]*$")
_OWN_PERIOD_GAP = re.compile(r"(?:同期)?的?(?:共|为|有)?")


# ---- organization ------------------------------------------------------------------------------------------

def _pick_org(index: DocIndex, sentence: tuple[int, int], q: Quantity, metric_scope: str) -> tuple[str | None, str | None]:  # noqa: C901
    """The organization a figure is reported for, from its sentence outwards to its section and document."""
    text = index.text
    s_lo, s_hi = sentence
    para_lo = _paragraph_of(index.paragraphs, q.char_start)
    # A place collective directly before a count (全省128家法院) or opening its label (全省平均值) is the org.
    clause_lo = _clause_start(text, q.char_start, s_lo)
    scope = None
    if q.kind != "rank":
        scope = _SCOPE_BEFORE.search(text[max(s_lo, q.char_start - 2):q.char_start]) or \
            _COMPARED_SCOPE_ASIDE.search(text[clause_lo:q.char_start])
    if scope:
        word = scope.group(1)
        if word in LOCAL_SCOPE_WORDS:
            city = _current_place(index, q.char_start, word)
            return city or word, "clause_scope_word"
        return word, "clause_scope_word"
    if _THIS_PLACE.search(text[clause_lo:q.char_start]):
        word = "全市" if "该市" in text[clause_lo:q.char_start] else "全县"
        place = _current_place(index, q.char_start, word)
        if place:
            return place, "clause_this_place"
    paired = _paired_org(index, clause_lo, q) if "分别" in text[clause_lo:q.char_start] else None
    if paired:
        return paired, "clause_respectively"
    # The organizations before the figure, in its paragraph (before) and its sentence (in_sentence), as ranges of
    # index.orgs read from the end: a list of them per figure is the square of the figures in a long paragraph.
    i = bisect.bisect_left(index.org_starts, q.char_start)
    para_i = bisect.bisect_left(index.org_starts, para_lo)
    sentence_i = max(para_i, bisect.bisect_left(index.org_starts, s_lo))
    pos = q.char_start
    subject = _last_org(index, index.subject_orgs, sentence_i, i, pos)
    if subject is not None:
        return subject.name, "sentence_subject"
    last_in_sentence = _last_org(index, None, sentence_i, i, pos)
    # 全市认罪认罚适用比例: a label opened by 全市 reports the city as a whole.
    if q.kind != "rank" and (last_in_sentence is None or last_in_sentence.start < clause_lo):
        head = _FILLER_START.sub("", text[clause_lo:q.char_start])
        if last_in_sentence is None and not head.startswith("全"):
            # 全省共接报…,平均到场时间…: the sentence's scope, read from its opening only
            head = _FILLER_START.sub("", text[s_lo:min(q.char_start, s_lo + MAX_CLAUSE)])
        opened = _SCOPE_OPENING.match(head)
        if opened and opened.group(1) in LOCAL_SCOPE_WORDS:
            place = _current_place(index, q.char_start, opened.group(1))
            if place:
                return place, "clause_scope_word"
        elif opened:
            return opened.group(1), "clause_scope_word"
    named = _last_org(index, index.named_orgs, sentence_i, min(i, bisect.bisect_left(index.org_starts, clause_lo)), pos)
    if named is not None:
        return named.name, "sentence_named"
    subject = _last_org(index, index.subject_orgs, para_i, i, pos)
    if subject is not None:
        return subject.name, "paragraph_subject"
    for lo, hi, name in index.sections:
        if lo <= q.char_start < hi:
            return name, "section_institution"
    for section in index.model.sections_at(q.char_start):
        stated = index.section_orgs.get(section)
        if stated:
            return stated.value, stated.rule
    if index.issuer is not None:
        return index.issuer.value, index.issuer.rule
    return None, None


def _listed_name(token: str, index: DocIndex) -> str | None:
    """The place or organization a list item opens with (海宁市平安建设考核 -> 海宁市), if any."""
    mentions = find_mentions(token)
    if mentions and mentions[0].start == 0:
        written = token[:mentions[0].end]
        # The first organization whose text starts so, from a table per length (not a walk over every org per item)
        starting = index.orgs_by_opening.get(len(written))
        if starting is None:
            starting = index.orgs_by_opening[len(written)] = {}
            for r in reversed(index.orgs):
                starting[index.text[r.start:r.start + len(written)]] = r
        ref = starting.get(written)
        return ref.name if ref else written
    for n in (5, 4, 3, 2):
        place = lookup_place(token[:n]) if len(token) >= n else None
        if place and place.level != "province" and (token[:n].endswith(("市", "县", "区")) or n > 2):
            return place.name
    return None


def _paired_org(index: DocIndex, clause_lo: int, q: Quantity) -> str | None:
    """In 平湖市、海宁市…分别排名第5名和第9名, the k-th figure after 分别 belongs to the k-th listed name."""
    text = index.text
    cut = text.rfind("分别", clause_lo, q.char_start)
    head = _FILLER_START.sub("", text[clause_lo:cut])
    names = []
    for token in re.split(r"[、和及与]", head):
        name = _listed_name(token.strip(), index)
        if not name:
            break
        names.append(name)
    if len(names) < 2:
        return None
    hi = _clause_end_at(text, q.char_end, len(text))
    ranks = [(m.start() + cut, m.end() + cut) for m in re.finditer(r"第[\d一二三四五六七八九十]+[名位]", text[cut:hi])]
    group = sorted([m.start() + cut for m in _NUMBERISH.finditer(text[cut:hi])
                    if not any(a <= m.start() + cut < b for a, b in ranks)] + [a for a, _ in ranks])
    k = next((n for n, start in enumerate(group) if start >= q.char_start - 1), None)
    if k is None or len(group) != len(names):
        return None
    return names[k]


def _last_org(index: DocIndex, among: list[int] | None, lo: int, hi: int, pos: int) -> OrgRef | None:
    """The last organization index.orgs[k] with lo <= k < hi (and k in among, a sorted list of indices, if given)
    that ends by pos."""
    k = (bisect.bisect_left(among, hi) if among is not None else hi) - 1
    while k >= 0:
        j = among[k] if among is not None else k
        if j < lo:
            return None
        if index.orgs[j].end <= pos:
            return index.orgs[j]
        k -= 1
    return None


def _current_place(index: DocIndex, pos: int, word: str) -> str | None:
    """The city (全市) or county (全县) in scope at pos: the place of the latest mention naming one."""
    i = bisect.bisect_left(index.org_starts, pos)
    want_county = word in ("全县", "全区")
    # The walk back stops at the first organization naming a place; what it found from each start is kept, so that
    # a run of 全市 figures with no place named reads each organization once, not once per figure.
    cache = index.current_places.setdefault(want_county, {})
    walked = []
    name = None
    for k in range(i - 1, -2, -1):
        if k + 1 in cache:
            name = cache[k + 1]
            break
        walked.append(k + 1)
        if k < 0:
            name = index.city.name if index.city else None
            break
        name = _place_named(index.orgs[k], want_county)
        if name is not None:
            break
    for k in walked:
        cache[k] = name
    return name


def _place_named(r: OrgRef, want_county: bool) -> str | None:
    """The city (or county, if want_county) that organization r puts in scope, if any."""
    found = place_before(r.name, len(r.name)) if r.place else None
    p = lookup_place(r.name) if r.place else None
    if p is None:
        m = re.match(r"^([\u4e00-\u9fff]{2,8}?[市县区])", r.name)
        p = lookup_place(m.group(1)) if m else None
        if p is None and m is None:
            found = place_before(r.name, 2) if len(r.name) >= 2 else None
            p = lookup_place(r.name[:2]) if found else None
    if p is None:
        return None
    if want_county:
        return p.name if p.name.endswith(("县", "区")) else None
    if p.name.endswith("市") and p.level != "county":  # 平湖市 is a county-level city: 全市 is 嘉兴市
        return p.name
    pref = lookup_place(p.prefecture, p.province) if p.prefecture else None
    return pref.name if pref else None


# ---- metric ------------------------------------------------------------------------------------------------

def _strip_label(label: str, index: DocIndex, lo: int, counted: bool = False) -> str:
    """Drop what is not the label: leading periods, organizations, scope and filler words; trailing verbs.

    counted: the label follows its number (128家法院), so an institution opening it is what is counted.
    """
    for _ in range(3):
        before = label
        label = _FILLER_START.sub("", label)
        label = label[period_length_at_start(label, index.region == "tw"):]
        ms = [m for m in find_mentions(label) if m.end < len(label)]
        if ms:
            last = ms[-1]
            tail = label[last.end:]
            if len(tail.strip()) >= 2:
                label = _JOINER_START.sub("", tail)
        label = _SCOPE_WORDS.sub("", label)
        institution = _INSTITUTION_START.match(label)
        if institution and not counted and len(label) - institution.end() >= 2:
            label = _TALLY_START.sub("", label[institution.end():])
        lead = _leading_place(label)
        if lead and len(label) - lead >= 2:
            label = label[lead:]
        label = _SEPARATOR_START.sub("", label)
        if label == before:
            break
    label = _TRAILING.sub("", label)
    label = label.strip(" \t,，、;；:：.…")
    if label.startswith("办理") and len(label) > 4:
        label = re.sub(r"^办理的?", "", label)  # 办理群众来信 -> 群众来信: the generic verb is not part of the label
    if len(label) > 24:
        label = label[-24:]
    return label


def _leading_place(label: str) -> int:
    """Length of a place name opening a label (深州综合…), or 0."""
    if not label or label[0] not in _place_first_chars():
        return 0  # no place name starts with this character: most labels, so skip the lookups
    by_name, by_short = gazetteer()
    for n in (5, 4, 3, 2):
        cand = label[:n]
        place = lookup_place(cand) if len(label) > n and (cand in by_name or cand in by_short) else None
        if place and label[n] not in "省市县区":
            if n == 2 and place.name.endswith("区"):
                continue  # 平安建设, 和平: a district is written with 区, so a bare two-character one is a word
            return n
    return 0


def _after_phrase(text: str, q: Quantity, hi: int) -> str:
    """What follows a figure up to its clause end (or the next parallel figure)."""
    i = q.char_end
    j = i
    hi = min(hi, i + MAX_CLAUSE)
    if text[i:i + 1] == "、" or text[i:i + 1] in _PAREN_OPEN:
        return ""  # 1634件(含上年旧存): an aside after a figure is no label
    while j < hi and (text[j] not in _CLAUSE_END or not _breaks(text, j)):
        if text[j] == "、" and j + 1 < hi and _NUMERAL.match(text[j + 1]):
            break
        j += 1
    phrase = text[i:j]
    nxt = _NUMBERISH.search(phrase)
    if nxt and nxt.start() > 0 and not re.search(r"[在于内到至以]", phrase[:nxt.start()]) and nxt.start() <= 8:
        phrase = phrase[:nxt.start()]
    elif nxt and nxt.start() == 0:
        phrase = ""
    return phrase.rstrip("等中")


def _metric(index: DocIndex, sentence: tuple[int, int], q: Quantity) -> str | None:  # noqa: C901
    text = index.text
    s_lo, s_hi = sentence
    clause_lo = _clause_start(text, q.char_start, s_lo)
    raw_before = text[clause_lo:q.char_start]
    prev_num = None
    for m in _NUMBERISH.finditer(raw_before):
        if m.end() > m.start() and m.end() < len(raw_before) + 1 and _NUMERAL.search(m.group(0)):
            if m.end() <= len(raw_before) and (m.group(0)[-1:] not in "年月日" ):
                prev_num = m
    before = raw_before[prev_num.end():] if prev_num else raw_before
    in_parens = before.rstrip().endswith(tuple(_PAREN_OPEN))
    if in_parens:
        before = before.rstrip()[:-1]
    previous = _previous_metric(index, s_lo, q.char_start)
    paired = _paired_metric(index, s_lo, clause_lo, q) if "分别" in raw_before else None
    if paired:
        return paired
    if (_COMPARATIVE_START.match(before) or _COMPARATIVE_START.match(raw_before)
            or _COMPARATIVE_START.match(_FILLER_START.sub("", before))) and previous and not in_parens:
        return previous
    if previous and (_BARE_SHARE.match(before.strip()) or q.unit == "倍" and _MULTIPLE_OF.match(before.strip())):
        return previous
    if in_parens:
        label = _COMPARATIVE_START.sub("", before)
        label = _strip_label(re.sub(r"^(?:比|较)", "", label), index, clause_lo)
        index.parenthetical.add(q.char_start)
        return label or previous
    if q.kind == "rank":
        ranked = list(re.finditer(r"(?:综合排名|总体排名|排名|位居|位列|排在|排|居)", raw_before))
        if prev_num is not None and not ranked[-1:] or (ranked and prev_num is not None
                                                         and ranked[-1].start() < prev_num.start()
                                                         and re.fullmatch(rf"[、,，\s]*(?:{_SCOPE})?",
                                                                      raw_before[prev_num.end():])):
            if previous:
                return previous
        head = raw_before[:ranked[-1].start()] if ranked else before
        label = _strip_label(head, index, clause_lo)
        label = re.sub(r"^(?:综合|总体)$", "", label)
        if lookup_place(label):
            label = ""  # 深州综合排名…: the place ranked, not what it is ranked on
        if not label:
            prev_clause_hi = clause_lo - 1
            if prev_clause_hi > s_lo:
                prev_lo = _clause_start(text, prev_clause_hi, s_lo)
                prev_clause = text[prev_lo:prev_clause_hi]
                if _NUMBERISH.search(prev_clause) and previous:
                    return previous
                label = _strip_label(prev_clause, index, prev_lo)
        return label or previous
    after = _after_phrase(text, q, s_hi)
    after_label = after.removeprefix("的").strip()
    label_before = _strip_label(before, index, clause_lo)
    use_after = False
    if after_label and len(after_label) >= 2 and not _THOSE_WHO_END.search(before):
        first = after_label[0]
        if q.kind in ("count", "measure") and after[:1] not in _VERBISH_START and first not in _VERBISH_START:
            use_after = True
        elif q.kind == "rate" and after.startswith("的"):
            use_after = True
        elif _PREPOSITION_END.search(before) or not label_before and not _CHANGE_VERB.match(after_label):
            use_after = True
    if use_after:
        label = _strip_label(after_label, index, q.char_end, counted=True)
        label = _CLAUSE_SPLIT.split(label)[0]
        return label or label_before or previous
    if label_before:
        return label_before
    if previous:
        return previous
    if after_label and not _CHANGE_VERB.match(after_label):
        return _strip_label(after_label, index, q.char_end, counted=True) or None
    if clause_lo > s_lo and _CHANGE_VERB.match(after_label):
        # 全省公众安全感逐年提升,由2005年的84.66%上升到…: the measure is the clause before, the figure its level
        prev_lo = _clause_start(text, clause_lo - 1, s_lo)
        prev_clause = text[prev_lo:clause_lo - 1]
        if not _NUMBERISH.search(prev_clause):
            label = _strip_label(re.sub(r"(?:逐年|稳步|持续|不断|明显|大幅)?(?:提升|提高|上升|下降|增长|减少|降低)$", "",
                                        prev_clause), index, prev_lo)
            if label:
                return label
    if clause_lo > s_lo:  # 诈骗案是增幅最大的类别,共有39,824宗: the topic of the clause before
        topic = _TOPIC.match(text, _clause_start(text, clause_lo - 1, s_lo), clause_lo - 1)
        if topic:
            return _strip_label(topic.group(1), index, clause_lo) or None
    nxt_hi = _clause_end_at(text, q.char_end, s_hi)
    if nxt_hi < s_hi:
        k = _clause_end_at(text, nxt_hi + 1, s_hi)
        following = text[nxt_hi + 1:k]
        if not _COMPARATIVE_START.match(following) and not _NUMBERISH.search(following):
            return _strip_label(following, index, nxt_hi + 1) or None
    return None


def _paired_metric(index: DocIndex, s_lo: int, clause_lo: int, q: Quantity) -> str | None:
    """In 收案14.7万件,结案11.2万件,同比分别上升9.6%和7.3%, the k-th figure after 分别 pairs with the k-th
    of the figures just before."""
    text = index.text
    hi = _clause_end_at(text, q.char_end, len(text))
    group = [m.start() + clause_lo for m in _NUMBERISH.finditer(text[clause_lo:hi])]
    k = next((n for n, start in enumerate(group) if start <= q.char_start < start + len(q.surface) + 1
              or start == q.char_start), None)
    if len(group) < 2 or k is None:
        return None
    lo = bisect.bisect_left(index.metric_starts, s_lo)
    earlier = []  # the last len(group) metrics before the clause (not all of the sentence's: figures × figures)
    for j in range(bisect.bisect_left(index.metric_starts, clause_lo) - 1, lo - 1, -1):
        if index.metric_starts[j] not in index.parenthetical:
            earlier.append(index.metrics[index.metric_starts[j]])
            if len(earlier) == len(group):
                return earlier[len(group) - 1 - k]
    return None


def _previous_metric(index: DocIndex, s_lo: int, pos: int) -> str | None:
    """The metric of the figure before pos in the same sentence, if one was read."""
    k = bisect.bisect_left(index.metric_starts, pos)
    while k > 0:
        k -= 1
        start = index.metric_starts[k]
        if start < s_lo:
            break
        if start not in index.parenthetical:
            return index.metrics[start]
    return None


def _table_metric(text: str, sentence: tuple[int, int], q: Quantity) -> str | None:
    """In a table row flattened into text (cells split by | or tabs), the row's label cell."""
    line = text[sentence[0]:sentence[1]]
    if "|" not in line and "\t" not in line:
        return None
    cells = re.split(r"[|｜\t]", line)
    label = next((c.strip() for c in cells if c.strip() and not re.search(r"\d", c)), None)
    return re.sub(r"[(（][^()（）]*[)）]", "", label).strip() or None if label else None


def attach_context(text: str, sentence: tuple[int, int], q: Quantity, doc: DocContext) -> Context:
    """Metric, org and period for a quantity in its sentence."""
    index = _index(text, doc)
    metric = q.label_hint or _table_metric(text, sentence, q) or _metric(index, sentence, q)
    if metric:
        if q.char_start not in index.metrics:
            bisect.insort(index.metric_starts, q.char_start)
        index.metrics[q.char_start] = metric
    org, org_rule = _pick_org(index, sentence, q, metric or "")
    ctx = Context(metric=metric or None, org=org)
    if q.period_hint:  # a table cell under a column (or beside a row label) naming its period
        _period_as_written(ctx, index, q.period_hint)
        period_rule = "table_header"
    else:
        period, period_rule = _governing_period(index, sentence, q)
        _period_of_mention(ctx, index, period)
    ctx.rule = f"org:{org_rule or 'none'} period:{period_rule or 'none'}"
    return ctx


def _period_as_written(ctx: Context, index: DocIndex, written: str) -> None:
    """Set a context's period from a header or caption as written (2022, 二零二四年 (一月至六月), 109年)."""
    roc = index.region == "tw"
    found = find_periods(written, roc=roc)
    ctx.period_text = written
    ctx.period_type, ctx.period_start, ctx.period_end = resolve_period(
        written, found[0].kind if found else "year", None, index.reference_year, None, roc)


def _period_of_mention(ctx: Context, index: DocIndex, period: PeriodMention | None) -> None:
    """Set a context's period from a mention in the text, with the dates resolved for the document."""
    if period is not None:
        ctx.period_text = period.text
        ctx.period_type, ctx.period_start, ctx.period_end = index.period_dates.get(period.start, (None, None, None))


def _governing_period(index: DocIndex, sentence: tuple[int, int], q: Quantity):
    """The period in force at a figure, looking outwards: clause and paragraph, section, document."""
    period = _pick_period(index, sentence, q)
    if period is not None:
        return period, "paragraph"
    if _is_time_span(index, q):
        return None, None  # 连续5年, 近3年来: the figure is itself a span; no outer period dates it
    for section in index.model.sections_at(q.char_start):
        stated = index.section_periods.get(section)
        if stated and stated.value.start < q.char_start:
            return stated.value, stated.rule
    if index.doc_period is not None and (index.doc_period.value.start < q.char_start
                                         or index.doc_period.rule == "document_headline"):
        return index.doc_period.value, index.doc_period.rule
    return None, None


def table_context(text: str, q: Quantity, doc: DocContext, metric: str | None, period: str | None,
                  caption: str, row_org: str | None = None) -> Context:
    """Context of a table cell: its metric and period from the grid, its org from a row label naming an
    institution, else the caption, else the issuer."""
    index = _index(text, doc)
    roc = index.region == "tw"
    ctx = Context(metric=metric)
    caption_org = next((m.written for m in find_mentions(caption)), None)
    if caption_org is None:  # a caption names its institution bare: 区域法院的案件量及结案数目
        bare = CORE_RE.search(caption)
        caption_org = bare.group(0) if bare and bare.group(0) not in ("法院", "检察院") else None
    if row_org is not None:
        ctx.org, org_rule = row_org, "table_row"
    elif caption_org is not None:
        ctx.org, org_rule = caption_org, "table_caption"
    elif index.issuer is not None:
        ctx.org, org_rule = index.issuer.value, index.issuer.rule
    else:
        org_rule = "none"
    stated = None if period else find_periods(caption, roc=roc)
    if period:
        _period_as_written(ctx, index, period)
        period_rule = "table_header"
    elif stated:
        _period_as_written(ctx, index, stated[0].text)
        period_rule = "table_caption"
    else:
        found, period_rule = _governing_period(index, (q.char_start, q.char_end), q)
        _period_of_mention(ctx, index, found)
    ctx.rule = f"org:{org_rule} period:{period_rule or 'none'}"
    return ctx
