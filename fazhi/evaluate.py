"""Score the warehouse's figures against a gold JSONL file, by the rules of docs/figures.md."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

EXACT_ATTRS = ("kind", "approx", "direction")
TEXT_ATTRS = ("metric", "org", "period_text")


class GoldError(Exception):
    """The gold file cannot be read."""


def read_gold(path: Path) -> list[dict]:
    """Gold figures, one JSON object a line, each with at least doc, value, unit and tier."""
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise GoldError(f"cannot read gold file {path}: {err.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise GoldError(f"{path}:{n}: not JSON: {err.msg}") from None
        missing = [k for k in ("doc", "value", "unit") if k not in row]
        if missing:
            raise GoldError(f"{path}:{n}: missing {', '.join(missing)}")
        row.setdefault("tier", "core")
        rows.append(row)
    return rows


def read_predictions(con) -> list[dict]:
    """The warehouse's figures with the file name of their document as `doc`."""
    cur = con.execute(
        "select d.source_name, f.surface, f.char_start, f.value, f.value_max, f.unit, f.kind, f.approx, "
        "f.direction, f.metric, f.org, f.period_text from figures f join documents d using (doc_id)")
    names = ["doc", "surface", "start", "value", "value_max", "unit", "kind", "approx", "direction", "metric",
             "org", "period_text"]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    for r in rows:
        r["doc"] = Path(r["doc"]).name
    return rows


def same_value(a, b) -> bool:
    """Equal within 0.1 % (relative), or both missing."""
    if a is None or b is None:
        return a is None and b is None
    a, b = float(a), float(b)
    return abs(a - b) <= 1e-3 * max(abs(b), 1e-9) or abs(a - b) < 1e-9


def lenient(pred, gold) -> bool:
    """Gold text (or one of a list of them) inside the prediction, or the prediction inside it."""
    if not gold:
        return True
    if not pred:
        return False
    if isinstance(gold, list):
        return any(lenient(pred, g) for g in gold)
    return str(gold) in str(pred) or str(pred) in str(gold)


def attribute_right(pred: dict, gold: dict, attr: str) -> bool:
    if attr == "value_max":
        return same_value(pred.get(attr), gold.get(attr))
    if attr in TEXT_ATTRS:
        return lenient(pred.get(attr), gold.get(attr))
    return (pred.get(attr) or None) == (gold.get(attr) or None)


@dataclass
class Score:
    """Precision, recall and F1 over core figures, attribute accuracy and the lists behind them."""

    precision: float
    recall: float
    f1: float
    records: float
    core_gold: int
    core_found: int
    predicted: int
    attributes: dict[str, float]
    missed: list[dict] = field(default_factory=list)
    spurious: list[dict] = field(default_factory=list)
    wrong: list[tuple[dict, dict, list[str]]] = field(default_factory=list)


def match(preds: list[dict], golds: list[dict]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """One-to-one matching per document: each gold takes the nearest unused prediction of equal unit and value."""
    used: set[int] = set()
    pairs, missed = [], []
    for g in sorted(golds, key=lambda g: g.get("start") or 0):
        options = [i for i, p in enumerate(preds) if i not in used and p.get("unit") == g["unit"]
                   and same_value(p.get("value"), g["value"])]
        if not options:
            missed.append(g)
            continue
        best = min(options, key=lambda i: abs((preds[i].get("start") or 0) - (g.get("start") or 0)))
        used.add(best)
        pairs.append((preds[best], g))
    return pairs, missed, [p for i, p in enumerate(preds) if i not in used]


def score(preds: list[dict], golds: list[dict]) -> Score:
    """Score predictions of the documents named in the gold file."""
    gold_by_doc: dict[str, list[dict]] = defaultdict(list)
    for g in golds:
        gold_by_doc[g["doc"]].append(g)
    pred_by_doc: dict[str, list[dict]] = defaultdict(list)
    for p in preds:
        if p["doc"] in gold_by_doc:
            pred_by_doc[p["doc"]].append(p)
    pairs, missed, spurious = [], [], []
    for doc, doc_golds in gold_by_doc.items():
        p, m, s = match(pred_by_doc.get(doc, []), doc_golds)
        pairs += p
        missed += m
        spurious += s
    predicted = sum(len(v) for v in pred_by_doc.values())
    core_gold = sum(g["tier"] == "core" for g in golds)
    core_found = sum(g["tier"] == "core" for _, g in pairs)
    precision = (predicted - len(spurious)) / predicted if predicted else 0.0
    recall = core_found / core_gold if core_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    attrs = {}
    for a in (*EXACT_ATTRS, "value_max", *TEXT_ATTRS):
        judged = [(p, g) for p, g in pairs if a not in TEXT_ATTRS or g.get(a)]
        attrs[a] = sum(attribute_right(p, g, a) for p, g in judged) / len(judged) if judged else 1.0
    all_attrs = (*EXACT_ATTRS, "value_max", *TEXT_ATTRS)
    wrong = [(p, g, [a for a in all_attrs if not attribute_right(p, g, a)]) for p, g in pairs]
    wrong = [w for w in wrong if w[2]]
    complete = sum(1 for p, g in pairs if g["tier"] == "core" and all(attribute_right(p, g, a) for a in all_attrs))
    return Score(precision=precision, recall=recall, f1=f1, records=complete / core_gold if core_gold else 0.0,
                 core_gold=core_gold, core_found=core_found, predicted=predicted, attributes=attrs,
                 missed=[g for g in missed if g["tier"] == "core"], spurious=spurious, wrong=wrong)


def describe(fig: dict) -> str:
    """One figure in a line: surface, value, unit, kind, approx, direction, metric."""
    parts = [repr(fig.get("surface")), f"{fig.get('value')} {fig.get('unit')}", str(fig.get("kind")),
             str(fig.get("approx"))]
    if fig.get("direction"):
        parts.append(fig["direction"])
    for a in TEXT_ATTRS:
        if fig.get(a):
            parts.append(f"{a}={fig[a]}")
    return " ".join(parts)


def report_lines(s: Score, details: bool = True) -> list[str]:
    """The score as text: misses, false positives and wrong attributes first, the summary last."""
    lines = []
    if details:
        lines += [f"MISSED     {g['doc']} @{g.get('start')} {describe(g)}" for g in s.missed]
        lines += [f"FALSE POS  {p['doc']} @{p.get('start')} {describe(p)}" for p in s.spurious]
        lines += [f"ATTRIBUTE  {g['doc']} @{g.get('start')} {','.join(a)}: gold {describe(g)} | got {describe(p)}"
                  for p, g, a in s.wrong]
        if lines:
            lines.append("")
    lines.append("attributes over matched figures: " + ", ".join(f"{k} {v:.3f}" for k, v in s.attributes.items()))
    lines.append(f"core gold {s.core_gold}, found {s.core_found}, predicted {s.predicted}, "
                 f"false positives {len(s.spurious)}")
    lines.append(f"core figures found with every field right: {s.records:.3f}")
    lines.append(f"precision {s.precision:.3f} recall {s.recall:.3f} F1 {s.f1:.3f}")
    return lines
