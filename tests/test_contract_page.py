"""docs/figures.md keeps in step with the code: columns, kinds, units, approx, rules and context rules it names.

None of these is one list in the code, so each set is derived from where the code writes it:
- columns: the figures table of a DuckDB database built by fazhi.warehouse.apply_schema;
- kinds, approx, direction: the constants KINDS, APPROX, DIRECTIONS of fazhi/extract/model.py;
- units: numbers._UNIT_TABLE (every written unit registered with its canonical unit and kind; ‰ and 成 are stored
  as %), plus the unit= literals of Quantity(...) in numbers.py and tables.py, the classifiers tables.py reads
  from labels (_UNIT_WORDS) and the local currencies of a bare 元 (extract._LOCAL_CURRENCY);
- context rules: read from the source of context.py and scope.py (tables.py writes none): the rule literal of
  every Stated(value, "rule"), every `return value, "rule"` and every assignment to org_rule / period_rule,
  each an org rule or a period rule by the function it is written in; plus "none", which attach_context and
  table_context write when no rule applied;
- extraction rules: the rule literals of numbers.py and tables.py (rule= keywords, assignments to `rule`, and
  arguments passed to a parameter named rule);
- rejection rules: rejections.REJECTIONS, each with whether it counts the number as unread.
A run over the sample corpus and a small table checks that what the extractor writes is within these sets.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, SAMPLE

EXTRACT = ROOT / "fazhi" / "extract"
PAGE = ROOT / "docs" / "figures.md"
_RULE_NAME = re.compile(r"^[a-z]+(?:_[a-z]+)*$")
_BACKTICKED = re.compile(r"`([^`]+)`")


# ---- reading the page ----------------------------------------------------------------------------------------

def section(page: str, heading: str) -> str:
    """The text under a heading (## or ###) up to the next heading of the same or a higher level."""
    m = re.search(rf"^(#+) {re.escape(heading)}\s*$", page, re.M)
    assert m, f"docs/figures.md has no heading {heading!r}"
    level = len(m.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(page, m.end())
    return page[m.end():end.start() if end else len(page)]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the markdown tables in text, as lists of cells (header and rule rows left out)."""
    rows, in_table = [], False
    for line in text.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not in_table:
            in_table = True  # the header row
            continue
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        rows.append(cells)
    return rows


def first_cell_names(text: str) -> set[str]:
    """The backticked names opening each table row of text (`doc_id`, `count`, `clause_scope_word`)."""
    return {m.group(1) for row in table_rows(text) if (m := re.fullmatch(r"`([^`]+)`", row[0]))}


def kind_rows(page: str) -> dict[str, str]:
    """The row of each kind in the kinds table: kind -> the rest of its row."""
    return {m.group(1): " | ".join(row[1:]) for row in table_rows(section(page, "Kinds and units"))
            if (m := re.fullmatch(r"`([^`]+)`", row[0]))}


def backticked(text: str) -> set[str]:
    return set(_BACKTICKED.findall(text))


# ---- what the code writes ------------------------------------------------------------------------------------

def schema_columns() -> set[str]:
    """The columns of the figures table as the warehouse schema creates them."""
    from fazhi.warehouse import apply_schema

    con = duckdb.connect()
    try:
        apply_schema(con)
        return {r[0] for r in con.execute(
            "select column_name from duckdb_columns() where table_name = 'figures'").fetchall()}
    finally:
        con.close()


def unit_kinds() -> set[tuple[str, str]]:
    """(canonical unit, kind) for every written unit the number reader knows; ‰ and 成 are stored as %."""
    from fazhi.extract import numbers

    pairs = set(numbers._UNIT_TABLE.values())
    return {("%", "rate") if unit in ("‰", "成") else (unit, kind) for unit, kind in pairs}


def _literals(node) -> list[str]:
    """The string literals a value can be: a constant, or either branch of a conditional expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def _tree(name: str) -> ast.Module:
    return ast.parse((EXTRACT / name).read_text(encoding="utf-8"))


def written_units() -> set[str]:
    """Units written as literals where a quantity is made (unit="ratio"), read as classifiers or local currencies."""
    from fazhi import extract
    from fazhi.extract import tables

    units = set()
    for name in ("numbers.py", "tables.py"):
        for node in ast.walk(_tree(name)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Quantity":
                units.update(v for k in node.keywords if k.arg == "unit" for v in _literals(k.value))
    return units | {unit for _, unit in tables._UNIT_WORDS} | set(extract._LOCAL_CURRENCY.values())


def extraction_rules() -> set[str]:
    """Every literal the number and table readers give a quantity's rule."""
    rules = set()
    for name in ("numbers.py", "tables.py"):
        tree = _tree(name)
        rule_at = {f.name: [a.arg for a in f.args.args].index("rule") for f in ast.walk(tree)
                   if isinstance(f, ast.FunctionDef) and "rule" in [a.arg for a in f.args.args]}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                rules.update(v for k in node.keywords if k.arg == "rule" for v in _literals(k.value))
                at = rule_at.get(getattr(node.func, "id", None))
                if at is not None and at < len(node.args):
                    rules.update(_literals(node.args[at]))
            elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "rule" for t in node.targets):
                rules.update(_literals(node.value))
    return {r for r in rules if _RULE_NAME.match(r)}


def context_rules() -> dict[str, set[str]]:
    """{'org': rules, 'period': rules} as context.py and scope.py write them."""
    found = {"org": {"none"}, "period": {"none"}}
    unplaced = []
    for name in ("context.py", "scope.py"):
        for fn in ast.walk(_tree(name)):
            if not isinstance(fn, ast.FunctionDef):
                continue
            side = "org" if "org" in fn.name or "issuer" in fn.name else "period" if "period" in fn.name else None
            for node in ast.walk(fn):
                names: list[str] = []
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Stated" and len(node.args) == 2:
                    names = _literals(node.args[1])
                elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 2:
                    names = _literals(node.value.elts[1])
                elif isinstance(node, ast.Assign):
                    for target in node.targets:
                        pairs = zip(target.elts, node.value.elts) if isinstance(target, ast.Tuple) and isinstance(
                            node.value, ast.Tuple) else [(target, node.value)]
                        for t, v in pairs:
                            if isinstance(t, ast.Name) and t.id in ("org_rule", "period_rule"):
                                found[t.id[:-5]].update(_literals(v))
                    continue
                names = [n for n in names if _RULE_NAME.match(n)]
                if names and side is None:
                    unplaced.append((name, fn.name, names))
                elif names:
                    found[side].update(names)
    assert not unplaced, f"rules written in a function named for neither org nor period: {unplaced}"
    return found


def extracted_figures() -> list:
    """The figures of the sample corpus and of a small statistical table, as the extractor writes them."""
    from fazhi.extract import DocContext, extract_figures
    from fazhi.metadata import extract_metadata
    from fazhi.normalize import normalize

    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SAMPLE.glob("*.txt"))]
    texts.append(("table", "台州市中级人民法院2022年收结案情况\n"
                           "| 项目 | 本期 | 去年同期 | 同比(%) |\n| 收案件数 | 1 193 | 1 331 | -10.37 |\n"
                           "| 结案率 | 95.5 | 93.2 | 2.3 |\n"))
    figures = []
    for name, raw in texts:
        norm = normalize(raw)
        meta = extract_metadata(norm.text)
        doc = DocContext(doc_id=name, title=meta.title, published=meta.published_date, source_name=name)
        figures += extract_figures(norm.text, norm.sentences, doc)
    return figures


# ---- the checks ----------------------------------------------------------------------------------------------

def undocumented_columns(page: str) -> tuple[set[str], set[str]]:
    """(schema columns the page leaves out, page columns the schema does not have)."""
    documented = first_cell_names(section(page, "Columns of the `figures` table"))
    columns = schema_columns()
    return columns - documented, documented - columns


def undocumented_units(page: str) -> set[str]:
    """Units missing from their kind's row, or (for units read elsewhere) from the kinds table."""
    rows = kind_rows(page)
    missing = {f"{unit} ({kind})" for unit, kind in unit_kinds() if unit not in backticked(rows.get(kind, ""))}
    anywhere = backticked(" ".join(rows.values()))
    return missing | {unit for unit in written_units() if unit not in anywhere}


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_every_column_of_the_figures_table_is_documented(page):
    missing, stale = undocumented_columns(page)
    assert not missing, f"columns of figures not in docs/figures.md: {sorted(missing)}"
    assert not stale, f"docs/figures.md documents columns figures does not have: {sorted(stale)}"


def test_every_kind_is_documented(page):
    from fazhi.extract.model import KINDS

    assert set(kind_rows(page)) == set(KINDS)


def test_every_unit_is_named_under_its_kind(page):
    assert not undocumented_units(page)


@pytest.mark.parametrize("constant, heading", [("APPROX", "approx, direction, baseline"),
                                               ("DIRECTIONS", "approx, direction, baseline")])
def test_every_approx_and_direction_value_is_documented(page, constant, heading):
    from fazhi.extract import model

    assert set(getattr(model, constant)) <= backticked(section(page, heading))


@pytest.mark.parametrize("side, heading", [("org", "Org rules"), ("period", "Period rules")])
def test_every_context_rule_is_documented(page, side, heading):
    assert first_cell_names(section(page, heading)) == context_rules()[side]


def test_every_extraction_rule_is_documented(page):
    assert first_cell_names(section(page, "Extraction rules (`rule`)")) == extraction_rules()


def test_every_rejection_rule_is_documented_with_whether_it_counts_as_unread(page):
    from fazhi.extract.rejections import REJECTIONS

    documented = {m.group(1): row[1] == "unread" for row in table_rows(section(page, "What is left out and counted"))
                  if (m := re.fullmatch(r"`([^`]+)`", row[0]))}
    assert documented == {r.name: r.unread for r in REJECTIONS}


def test_what_the_extractor_writes_is_within_the_derived_sets():
    figures = extracted_figures()
    rules = context_rules()
    assert {f.rule for f in figures} <= extraction_rules()
    units = {u for u, _ in unit_kinds()} | written_units()
    assert {f.unit for f in figures} <= units
    for f in figures:
        m = re.fullmatch(r"org:(\S+) period:(\S+)", f.context_rule)
        assert m and m.group(1) in rules["org"] and m.group(2) in rules["period"], f.context_rule
    assert any(f.table_index is not None for f in figures)  # the table path ran too


@pytest.mark.parametrize("drop, check", [
    ("| `value_max` |", lambda page: "value_max" in undocumented_columns(page)[0]),
    ("`公顷` ", lambda page: "公顷 (measure)" in undocumented_units(page)),
    ("| `issuer_byline` |", lambda page: "issuer_byline" not in first_cell_names(section(page, "Org rules"))),
])
def test_the_checks_notice_a_name_taken_off_the_page(page, drop, check):
    assert drop in page
    assert check(page.replace(drop, "| removed |" if drop.startswith("|") else "", 1))
