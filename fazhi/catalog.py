"""The metric catalog: canonical metrics with the labels reports write them under, and the rule mapping a label to one.

A figure's metric label is mapped to a metric_id in two steps, always among the catalog metrics whose kind
fits the figure (a rate label only maps to a rate metric, a count label to a count metric; a change maps to
the kinds its unit allows: pp to rates, 天 to durations, 元 to amounts, % and 倍 to any; a rank to any metric):

1. synonym: the normalized label equals the canonical name or a synonym (normalized the same way);
2. contained: the normalized label ends with a name or synonym, the longest one winning. Chinese noun phrases
   put the head last, so 全市法院一审服判息诉率 is a 服判息诉率 and 有财产可供执行案件法定期限内实际执结率 an
   实际执结率, while 以涉嫌虚假诉讼罪移送公安的案件 is not a 虚假诉讼案件 and 印制发放普法宣传册 is not a
   普法宣传活动. A term inside the label with a different head after it never matches;
3. head: when neither matches, the label is cut into jieba tokens (with fazhi's domain dictionary), the
   qualifier tokens that say which instance or how many kinds without changing what is counted (一审, 各类,
   技术类 …, see _QUALIFIERS) are dropped, and what is left is matched by 1 and 2 again; so
   审结刑事一审案件 is a 审结刑事案件 and 批准和决定逮捕各类犯罪嫌疑人 a 批准和决定逮捕犯罪嫌疑人. What is left must
   keep at least two tokens, so a label whose head is a generic word (各类案件) never maps; 相关 is no
   qualifier, as 审结相关案件 counts only the cases just named.

Normalizing a label: NFKC; quotes, short bracketed asides, whitespace and joining marks (、·-—/) removed; then,
repeatedly while at least two characters are left, a trailing number with its unit (369件), a trailing
comparison, linking or assessment word (同比, 较, 提升, 下降, 达到, 稳定在, 为, 的, 等, 降幅, 明显, 水平 …) and a
trailing 数/数量/总数 are cut.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .words import FALL_VERBS, RISE_VERBS, alternation

CATALOG_PATH = Path(__file__).resolve().parent / "data" / "metric_catalog.csv"
METRIC_KINDS = ("count", "rate", "amount", "duration", "ratio")
DOMAINS = ("court", "procuratorate", "police", "justice", "general")

_DURATION_UNITS = {"秒", "分钟", "小时", "天", "日", "周", "个月", "月", "年"}
_CURRENCIES = {"元", "港元", "澳门元", "美元", "欧元", "新台币", "日元", "英镑"}

_ASIDE = re.compile(r"[((\[【][^()()\[\]【】]{0,12}[))\]】]")
_DROP = re.compile(r"[\s“”‘’\"'「」『』《》〈〉()()\[\]【】、·・•\-—–‐/／,,。;;::!!??…]+")
_TRAILING_NUMBER = re.compile(r"[0-9][0-9.,]*[^0-9]{0,2}$")
# Words a label may end with that are no part of the measure: change verbs (from the shared word lists),
# comparisons, approximations and connectives.
_TRAILING_WORDS = re.compile(
    rf"(?:同比|环比|较|相比|(?:{alternation(RISE_VERBS + FALL_VERBS)})了?|降幅|增幅|涨幅|"
    r"达到了?|达|为|是|共计|共|累计|合计|总计|分别|约|近|超过|逾|已|均|占|有|在|至|到|控制|稳定|保持|的|了|等|"
    r"明显|显著|大幅|稳步|持续|进一步|情况|水平|指标|从|由)$")
_TRAILING_COUNT_WORD = re.compile(r"(?:总数|总量|数量|数)$")
# Qualifiers narrow a measure to an instance or sweep in every kind, but leave its head (what is counted) as is.
_QUALIFIERS = frozenset({"一审", "各类", "各种", "各项", "技术类", "全部", "所有", "依法"})


class CatalogError(ValueError):
    """The catalog file is malformed; the message names the row."""


@dataclass(frozen=True)
class Metric:
    """One canonical metric of the catalog."""

    metric_id: str
    name: str
    name_en: str
    domain: str
    kind: str
    synonyms: tuple[str, ...]
    description: str

    def as_row(self) -> dict:
        return {"metric_id": self.metric_id, "name": self.name, "name_en": self.name_en, "domain": self.domain,
                "kind": self.kind, "synonyms": list(self.synonyms), "description": self.description}


def load_catalog(path: Path = CATALOG_PATH) -> list[Metric]:
    """Read and check the catalog file (one metric a row, synonyms separated by |)."""
    metrics, seen_ids, seen_terms = [], set(), {}
    with open(path, encoding="utf-8", newline="") as f:
        for line_no, row in enumerate(csv.DictReader(f), start=2):
            where = f"{Path(path).name} line {line_no}"
            metric_id = (row.get("metric_id") or "").strip()
            if not re.fullmatch(r"[a-z][a-z0-9_]*", metric_id):
                raise CatalogError(f"{where}: metric_id {metric_id!r} must be lower_snake_case")
            if metric_id in seen_ids:
                raise CatalogError(f"{where}: metric_id {metric_id} appears twice")
            if row["kind"] not in METRIC_KINDS:
                raise CatalogError(f"{where}: kind {row['kind']!r} is not one of {', '.join(METRIC_KINDS)}")
            if row["domain"] not in DOMAINS:
                raise CatalogError(f"{where}: domain {row['domain']!r} is not one of {', '.join(DOMAINS)}")
            synonyms = tuple(dict.fromkeys(s.strip() for s in row["synonyms"].split("|") if s.strip()))
            for term in (row["name"], *synonyms):
                key = (normalize_label(term), row["kind"])
                if key in seen_terms and seen_terms[key] != metric_id:
                    raise CatalogError(f"{where}: {term} already names {seen_terms[key]}, a metric of the same kind")
                seen_terms[key] = metric_id
            seen_ids.add(metric_id)
            metrics.append(Metric(metric_id, row["name"].strip(), row["name_en"].strip(), row["domain"],
                                  row["kind"], synonyms, row["description"].strip()))
    return metrics


def normalize_label(label: str) -> str:
    """The form labels and catalog terms are compared in (see the module docstring)."""
    text = unicodedata.normalize("NFKC", label)
    text = _DROP.sub("", _ASIDE.sub("", text))
    while True:
        cut = _TRAILING_NUMBER.sub("", text)
        cut = _TRAILING_WORDS.sub("", cut)
        cut = _TRAILING_COUNT_WORD.sub("", cut)
        if cut == text or len(cut) < 2:
            return text
        text = cut


def metric_kinds_for(kind: str | None, unit: str | None) -> set[str]:
    """The catalog kinds a figure of this kind and unit can measure."""
    if kind == "rank":
        return set(METRIC_KINDS)
    if kind == "change":
        if unit == "pp":
            return {"rate"}
        if unit in ("%", "倍"):
            return set(METRIC_KINDS)
        if unit in _CURRENCIES:
            return {"amount"}
        if unit in _DURATION_UNITS:
            return {"duration"}
        return {"count"}
    if kind in METRIC_KINDS:
        return {kind}
    return set()


class MetricMatcher:
    """Maps figure labels to catalog metric_ids by the rule in the module docstring."""

    def __init__(self, metrics: list[Metric]):
        self.by_kind: dict[str, dict[str, str]] = {k: {} for k in METRIC_KINDS}
        for m in metrics:
            for term in (m.name, *m.synonyms):
                self.by_kind[m.kind].setdefault(normalize_label(term), m.metric_id)

    def match(self, label: str | None, kind: str | None, unit: str | None) -> tuple[str, str] | None:
        """(metric_id, rule) for a figure's label, or None when no catalog metric fits."""
        if not label:
            return None
        norm = normalize_label(label)
        if not norm:
            return None
        kinds = [k for k in METRIC_KINDS if k in metric_kinds_for(kind, unit)]
        found = self._by_terms(norm, kinds)
        if found:
            return found
        head = head_of(norm)
        if head and head != norm:
            found = self._by_terms(head, kinds)
            if found:
                return found[0], "head"
        return None

    def _by_terms(self, norm: str, kinds: list[str]) -> tuple[str, str] | None:
        """Rules 1 and 2: the label is a term, or ends with one (the longest wins)."""
        for k in kinds:
            if norm in self.by_kind[k]:
                return self.by_kind[k][norm], "synonym"
        # Suffixes from the longest down, so the most specific term wins.
        for i in range(len(norm)):
            for k in kinds:
                found = self.by_kind[k].get(norm[i:])
                if found:
                    return found, "contained"
        return None


@lru_cache(maxsize=65536)
def head_of(norm: str) -> str | None:
    """A normalized label without its qualifier tokens (rule 3), or None when fewer than two tokens are left."""
    from fazhi.segment import cut  # jieba loads only when a label needs rule 3

    tokens = cut(norm)
    kept = [t for t in tokens if t not in _QUALIFIERS]
    return "".join(kept) if len(kept) >= 2 else None


@lru_cache(maxsize=1)
def default_matcher() -> MetricMatcher:
    """The matcher over the catalog shipped with fazhi."""
    return MetricMatcher(load_catalog())


@lru_cache(maxsize=65536)
def metric_id_for(label: str | None, kind: str | None, unit: str | None) -> str | None:
    """The catalog metric_id of a figure's label, or None."""
    found = default_matcher().match(label, kind, unit)
    return found[0] if found else None
