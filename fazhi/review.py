"""The review site: each report with its figures highlighted, data-quality flags, likely misses and metric charts.

`build_site(con, out)` reads a warehouse (DuckDB in) and writes static HTML, SVG charts, one stylesheet and one
script (files out) that work from file:// with no network. A manifest keeps a key per page (a hash of the rows
the page shows and of this renderer): a page whose key is unchanged and whose file is there is not rendered
again, so a rebuild costs what changed. matplotlib is imported only when a chart has to be drawn.
"""
from __future__ import annotations

import hashlib
import html
import json
import logging
import shutil
import time
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import duckdb

from .catalog import Metric, MetricMatcher

ASSETS = Path(__file__).resolve().parent / "review_assets"
ASSET_FILES = ("review.css", "review.js")
MANIFEST = "manifest.json"
KINDS = ("count", "amount", "rate", "change", "duration", "ratio", "rank", "measure")
# The view document_coverage's test for a likely miss, kept in step with it (tests compare the two per document):
# a sentence without a figure whose digits are not all dates or times.
DATES_AND_TIMES = (r"(?:19|20)\d{2}\s*年|\d{1,2}\s*月份?|\d{1,2}\s*[日号]|\d{1,2}:\d{2}(?::\d{2})?|"
                   r"(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}")
# Flagged figures listed on the index under their expectation; the rest are on the expectation's own page.
INDEX_FLAG_LINKS = 10
# Organizations a chart draws as series of their own; the others share one grey series.
CHART_ORGS = 8
# Above this many distinct period labels a chart's axis shows years instead.
CHART_PERIODS = 24
ID_BATCH = 500


class ReviewError(Exception):
    """The site cannot be written (the output path is a file, the warehouse lacks a table …)."""


@dataclass
class SiteReport:
    """What a build wrote: pages kept and rendered, the site's size and how long it took."""

    out: Path
    documents: int = 0
    documents_rendered: int = 0
    metrics: int = 0
    metrics_rendered: int = 0
    removed: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    written: list[str] = field(default_factory=list)

    def one_line(self) -> str:
        """The build in one line, as `fazhi review` prints it."""
        return (f"review site {self.out / 'index.html'}: {self.documents} documents ({self.documents_rendered} "
                f"rendered, {self.documents - self.documents_rendered} unchanged), {self.metrics} metric pages "
                f"({self.metrics_rendered} rendered), {self.files} files, {self.bytes / 1e6:.1f} MB, "
                f"{self.seconds:.1f}s")


def review_dir(warehouse: Path) -> Path:
    """Where a warehouse's review site goes by default: warehouse/review/fazhi/ for warehouse/fazhi.duckdb."""
    warehouse = Path(warehouse).absolute()
    return warehouse.parent / "review" / warehouse.stem


def site_line(warehouse: Path | str) -> str:
    """The run summary's line saying where the review site is and how to bring it up to date."""
    index = review_dir(Path(warehouse)) / "index.html"
    command = f"fazhi review --warehouse {warehouse}"
    if index.exists():
        return f"review site {index} (`{command}` updates it)"
    return f"review site: `{command}` writes {index}"


# ---- reading the warehouse -------------------------------------------------------------------------------------

def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _batches(ids: list[str]):
    for i in range(0, len(ids), ID_BATCH):
        yield ids[i:i + ID_BATCH]


def _check_tables(con: duckdb.DuckDBPyConnection) -> None:
    have = {r[0] for r in con.execute("select table_name from duckdb_tables() union all "
                                      "select view_name from duckdb_views()").fetchall()}
    needed = {"documents", "sentences", "figures", "figure_issues", "dq_results", "metric_catalog",
              "document_coverage", "changes_with_baseline"}
    missing = sorted(needed - have)
    if missing:
        raise ReviewError(f"the warehouse has no {', '.join(missing)}: it was made by an older fazhi; "
                          f"`fazhi validate --warehouse FILE` brings it up to date")


def _renderer_key(con: duckdb.DuckDBPyConnection) -> str:
    """A hash of this renderer, its assets, matplotlib's version and the metric catalog: any change re-renders all."""
    h = hashlib.sha1(Path(__file__).read_bytes())
    for name in ASSET_FILES:
        h.update((ASSETS / name).read_bytes())
    try:
        h.update(metadata.version("matplotlib").encode())
    except metadata.PackageNotFoundError:
        pass
    h.update(str(con.execute("select md5(string_agg(to_json(m)::varchar, chr(10) order by metric_id)) "
                             "from metric_catalog m").fetchone()[0]).encode())
    return h.hexdigest()[:16]


_DOC_KEYS = """
select d.doc_id, md5(concat_ws('|', to_json(struct_pack(d.source_name, d.title, d.script, d.published_at, d.outlet,
                                                         d.is_html, d.encoding, d.loaded_at))::varchar,
                              coalesce(f.h, ''), coalesce(i.h, ''))) as key
from documents d
left join (select doc_id, md5(string_agg(to_json(f)::varchar, chr(10) order by figure_id)) as h
           from figures f group by doc_id) f using (doc_id)
left join (select doc_id, md5(string_agg(to_json(struct_pack(figure_id, expectation, column_name, reason,
                                                              observed))::varchar,
                                         chr(10) order by figure_id, expectation, column_name, reason)) as h
           from figure_issues group by doc_id) i using (doc_id)
"""

_DOCS = """
select doc_id, source_name, title, script, published_at, outlet, is_html, encoding, raw_text
from documents where doc_id in (select unnest(?::varchar[]))
"""

_FIGURES = """
select f.*, m.name as metric_name,
       raw_offset(d.offset_map, f.char_start) as raw_start,
       raw_offset(d.offset_map, greatest(f.char_end - 1, f.char_start)) + 1 as raw_end,
       c.level_surface, c.baseline_value, s.text as sentence
from figures f
join documents d using (doc_id)
left join sentences s on s.doc_id = f.doc_id and s.sentence_index = f.sentence_index
left join metric_catalog m using (metric_id)
left join (select figure_id, level_surface, baseline_value from changes_with_baseline) c using (figure_id)
where f.doc_id in (select unnest(?::varchar[]))
order by f.doc_id, f.char_start, f.char_end desc
"""

_ISSUES = """
select distinct doc_id, figure_id, expectation, column_name, reason, observed
from figure_issues where doc_id in (select unnest(?::varchar[]))
order by doc_id, figure_id, expectation, column_name
"""

_MISSES = f"""
select s.doc_id, s.sentence_index, s.text,
       raw_offset(d.offset_map, s.char_start) as raw_start,
       raw_offset(d.offset_map, greatest(s.char_end - 1, s.char_start)) + 1 as raw_end
from sentences s
join documents d using (doc_id)
where s.doc_id in (select unnest(?::varchar[]))
  and not exists (select 1 from figures f where f.doc_id = s.doc_id and f.sentence_index = s.sentence_index)
  and regexp_matches(regexp_replace(s.text, '{DATES_AND_TIMES}', '', 'g'), '\\d')
order by s.doc_id, s.sentence_index
"""

_INDEX = """
select d.doc_id, d.source_name, d.title, d.script, d.published_at, c.figures, c.flagged,
       c.figures_with_metric_id, c.digit_sentences_without_figure as misses
from documents d join document_coverage c using (doc_id)
order by d.source_name
"""

_METRIC_ROWS = """
select f.figure_id, f.doc_id, d.source_name, f.surface, f.value, f.value_max, f.unit, f.kind, f.approx,
       f.direction, f.baseline, f.metric, f.metric_id, f.org, f.period_text, f.period_start, f.period_end,
       period_year(f.period_start, f.period_end, f.period_text) as year,
       c.baseline_value, c.level_surface, c.level_figure_id,
       exists (select 1 from figure_issues i where i.doc_id = f.doc_id and i.figure_id = f.figure_id) as flagged
from figures f
join documents d using (doc_id)
left join (select figure_id, baseline_value, level_surface, level_figure_id from changes_with_baseline) c
  using (figure_id)
where f.metric_id is not null
order by f.metric_id, f.org nulls last, f.period_end nulls last, d.source_name, f.char_start
"""

# Changes that belong to a metric's levels (the level the view pairs them with), whatever their own label maps to.
_LEVEL_CHANGES = """
select c.figure_id, c.level_figure_id, f.doc_id, c.source_name, c.surface, c.value, c.unit, c.direction,
       c.signed_change, c.baseline, c.baseline_value, c.level_surface, c.org, c.period_text
from changes_with_baseline c
join figures f using (figure_id)
where c.level_figure_id is not null
"""


def _latest_validation(con: duckdb.DuckDBPyConnection) -> tuple[str | None, list[dict]]:
    latest = con.execute("select run_id from dq_results order by validated_at desc limit 1").fetchone()
    if not latest:
        return None, []
    return latest[0], _rows(con, "select * from dq_results where run_id = ? order by success, suite, "
                                 "expectation, column_name, row_condition", [latest[0]])


# ---- HTML pieces -----------------------------------------------------------------------------------------------

def esc(value) -> str:
    """Text (or None) escaped for HTML."""
    return "" if value is None else html.escape(str(value), quote=True)


def _json_for_script(data) -> str:
    """JSON safe inside <script type="application/json">: no </script>, no <!--, whatever the reports hold."""
    return (json.dumps(data, ensure_ascii=False, default=str)
            .replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def _page(title: str, body: str, depth: int, scripts: str = "") -> str:
    up = "../" * depth
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="icon" href="data:,"><title>{esc(title)}</title>'
            f'<link rel="stylesheet" href="{up}assets/review.css"></head>\n<body>\n{body}\n{scripts}'
            f'<script src="{up}assets/review.js"></script>\n</body></html>\n')


def _fmt_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() and abs(v) >= 1000 else f"{v:g}" if abs(v) < 1e6 else f"{v:,.0f}"
    return str(v)


def _sortable(headers: list[tuple[str, str]], rows: list[str], table_id: str) -> str:
    """A table whose column headers sort it (review.js); headers are (label, "num" or "text")."""
    head = "".join(f'<th data-type="{t}" tabindex="0" aria-sort="none">{esc(label)}</th>' for label, t in headers)
    return (f'<table class="sortable" id="{table_id}"><thead><tr>{head}</tr></thead>'
            f'<tbody>\n{"".join(rows)}</tbody></table>')


def _td(text: str, sort=None, cls: str = "") -> str:
    attr = f' data-v="{esc(sort)}"' if sort is not None else ""
    klass = f' class="{cls}"' if cls else ""
    return f"<td{attr}{klass}>{text}</td>"


def _doc_href(doc_id: str, figure_id: str | None = None, depth: int = 1) -> str:
    return f"{'../' * depth}documents/{esc(doc_id)}.html" + (f"#f-{esc(figure_id)}" if figure_id else "")


def _period_dates(f: dict) -> str:
    start, end = f.get("period_start"), f.get("period_end")
    if start is None and end is None:
        return ""
    return f"{start or '…'} – {end or '…'}"


# ---- document pages --------------------------------------------------------------------------------------------

def _figure_fields(f: dict, issues: list[dict], matcher: MetricMatcher) -> list[list[str]]:
    """The rows the detail panel shows for a figure: [field, value, what set it]."""
    number_rule = f"number rule {f['rule'] or '?'} (fazhi/extract/numbers.py)"
    sentence = f.get("sentence") or ""

    def where(text):
        return ("written in its sentence" if text and text in sentence
                else "not written so in its sentence: an earlier mention, the fullest name or the report's own")

    rules = dict(part.split(":", 1) for part in (f.get("context_rule") or "").split() if ":" in part)

    def scope_rule(field: str) -> str:
        """The scope strategy that set org or period (figures.context_rule; fazhi/extract/scope.py, context.py)."""
        rule = rules.get(field)
        return f"scope rule {rule} (README: What each figure belongs to)" if rule and rule != "none" else ""

    value = _fmt_value(f["value"]) + (f" – {_fmt_value(f['value_max'])}" if f.get("value_max") is not None else "")
    approx = f["approx"] or ""
    if f.get("value_low") is not None or f.get("value_high") is not None:
        approx += f" ({_fmt_value(f.get('value_low'))} – {_fmt_value(f.get('value_high'))})"
    found = matcher.match(f.get("metric"), f.get("kind"), f.get("unit"))
    if f.get("metric_id"):
        mapped = f"catalog {found[1]} match of the label (fazhi/catalog.py)" if found and found[0] == f["metric_id"] \
            else "catalog mapping (fazhi/catalog.py)"
        metric_id = f"{f['metric_id']} ({f.get('metric_name') or ''})"
    else:
        mapped, metric_id = "no catalog metric fits the label", ""
    baseline = f.get("baseline") or ""
    if f.get("baseline_value") is not None:
        baseline += f"; value at the baseline {_fmt_value(f['baseline_value'])} (level {f.get('level_surface')})"
    rows = [
        ["surface", f["surface"], f"text at offsets {f['char_start']}–{f['char_end']}"],
        ["value", value, number_rule],
        ["unit", f["unit"] or "", number_rule],
        ["kind", f["kind"] or "", number_rule],
        ["approx", approx, number_rule],
        ["direction", f.get("direction") or "", number_rule if f.get("direction") else ""],
        ["metric", f.get("metric") or "", "context reader: the label before the figure (fazhi/extract/context.py)"],
        ["metric_id", metric_id, mapped],
        ["org", f.get("org") or "", scope_rule("org") or (f"context reader, {where(f.get('org'))}"
                                                          if f.get("org") else "")],
        ["period", f.get("period_text") or "", scope_rule("period") or (
            f"context reader, {where(f.get('period_text'))}" if f.get("period_text") else "")],
        ["period dates", _period_dates(f) + (f" ({f['period_type']})" if f.get("period_type") else ""),
         "resolved from the period and the report's year" if f.get("period_start") or f.get("period_end") else ""],
        ["baseline", baseline, (number_rule if f.get("baseline") else "")
         + ("; value from view changes_with_baseline" if f.get("baseline_value") is not None else "")],
        ["figure_id", f["figure_id"], f"sentence {f.get('sentence_index')}"],
    ]
    # What data quality says comes first, right under the figure, where the reviewer looks.
    rows[1:1] = [["flagged", f"{i['reason']} (observed {i['observed']})",
                  f"data quality: {i['expectation']}({i['column_name']})"] for i in issues]
    return rows


def _spans_html(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """text escaped, with each span (start, end, opening tag, closing tag) wrapped once; overlaps nest or are cut."""
    out: list[str] = []
    pos = 0
    stack: list[tuple[int, str]] = []  # (end, closing tag) of the open spans, innermost last
    for start, end, opening, closing in sorted(spans, key=lambda s: (s[0], -s[1])):
        start = min(max(start, 0), len(text))
        while stack and stack[-1][0] <= start:
            close_at, close_tag = stack.pop()
            out.append(esc(text[pos:close_at]) + close_tag)
            pos = close_at
        start = max(start, pos)
        out.append(esc(text[pos:start]) + opening)
        pos = start
        # A span that runs past the one it starts in is cut at its end, so every span stays one element.
        end = max(start, min(end, len(text), stack[-1][0] if stack else len(text)))
        stack.append((end, closing))
    while stack:
        close_at, close_tag = stack.pop()
        out.append(esc(text[pos:close_at]) + close_tag)
        pos = close_at
    out.append(esc(text[pos:]))
    return "".join(out)


def _document_page(doc: dict, figures: list[dict], issues: list[dict], misses: list[dict],
                   matcher: MetricMatcher) -> str:
    by_figure: dict[str, list[dict]] = {}
    for i in issues:
        by_figure.setdefault(i["figure_id"], []).append(i)
    spans, data = [], []
    by: dict[str, int] = {}  # what set a field, once per page: most fields share a handful of rules
    for n, f in enumerate(figures):
        flagged = by_figure.get(f["figure_id"], [])
        classes = f"fig k-{esc(f['kind'])}" + (" flagged" if flagged else "")
        title = f"{f['kind']} {_fmt_value(f['value'])} {f['unit'] or ''}" + (" · flagged" if flagged else "")
        spans.append((f["raw_start"], f["raw_end"],
                      f'<mark class="{classes}" id="f-{esc(f["figure_id"])}" data-i="{n}" tabindex="0" '
                      f'title="{esc(title)}">', "</mark>"))
        fields = [[name, value, by.setdefault(source, len(by)) if source else -1]
                  for name, value, source in _figure_fields(f, flagged, matcher)]
        data.append({"id": f["figure_id"], "kind": f["kind"], "flagged": bool(flagged), "fields": fields})
    for m in misses:
        spans.append((m["raw_start"], m["raw_end"],
                      f'<span class="miss" title="likely miss: digits but no figure (sentence '
                      f'{m["sentence_index"]})">', "</span>"))
    kinds = {k: sum(f["kind"] == k for f in figures) for k in KINDS}
    legend = "".join(f'<span class="fig k-{k}">{k} {n}</span> ' for k, n in kinds.items() if n)
    flagged_n = sum(1 for f in figures if f["figure_id"] in by_figure)
    legend += (f'<span class="fig flagged">flagged {flagged_n}</span> ' if flagged_n else "")
    legend += f'<span class="miss">likely misses {len(misses)}</span>' if misses else ""
    flag_list = "".join(
        f'<li><a href="#f-{esc(f["figure_id"])}">{esc(f["surface"])}</a> — '
        f'{esc("; ".join(i["reason"] or i["expectation"] for i in by_figure[f["figure_id"]]))}</li>'
        for f in figures if f["figure_id"] in by_figure)
    script_note = ("<p class=\"note\">Shown as written, in Traditional script; figures were read from its "
                   "Simplified conversion and mapped back through the offset map.</p>"
                   if doc["script"] == "traditional" else "")
    meta = " · ".join(esc(x) for x in (
        doc["source_name"], doc["script"], doc["published_at"] or "no publication date", doc["outlet"],
        "HTML page" if doc["is_html"] else None, doc["encoding"]) if x)
    body = (f'<nav><a href="../index.html">← all documents</a></nav>\n'
            f'<header><h1>{esc(doc["title"] or doc["source_name"])}</h1><p class="meta">{meta}</p>'
            f'<p class="meta">{len(figures)} figures, {flagged_n} flagged by data quality, '
            f'{sum(1 for f in figures if f["metric_id"])} in the metric catalog, {len(misses)} likely misses</p>'
            f'<p class="legend">{legend}</p>{script_note}'
            + (f'<details open class="flags"><summary>Flagged by data quality</summary><ul>{flag_list}</ul>'
               f'</details>' if flag_list else "")
            + '</header>\n<main class="doc">'
            f'<article class="text" id="text" lang="zh">{_spans_html(doc["raw_text"] or "", spans)}</article>\n'
            '<aside id="panel" aria-live="polite"><p class="hint">Select a highlighted figure to see its fields.'
            '</p></aside></main>')
    payload = {"by": list(by), "figures": data}
    scripts = f'<script type="application/json" id="figures">{_json_for_script(payload)}</script>\n'
    return _page(doc["title"] or doc["source_name"], body, 1, scripts)


# ---- index and data-quality pages ------------------------------------------------------------------------------

def _index_page(docs: list[dict], run_id: str | None, dq: list[dict], flags: dict, metrics: list[dict]) -> str:
    rows = []
    for d in docs:
        published = d["published_at"].date().isoformat() if d["published_at"] else ""
        rows.append("<tr>" + _td(f'<a href="documents/{esc(d["doc_id"])}.html">{esc(d["source_name"])}</a>',
                                 d["source_name"])
                    + _td(esc(d["title"])) + _td(esc(d["script"])) + _td(esc(published), published)
                    + _td(str(d["figures"]), d["figures"], "num")
                    + _td(str(d["flagged"]), d["flagged"], "num" + (" bad" if d["flagged"] else ""))
                    + _td(str(d["figures_with_metric_id"]), d["figures_with_metric_id"], "num")
                    + _td(str(d["misses"]), d["misses"], "num") + "</tr>\n")
    doc_table = _sortable([("source file", "text"), ("title", "text"), ("script", "text"), ("published", "text"),
                           ("figures", "num"), ("flagged", "num"), ("in catalog", "num"), ("likely misses", "num")],
                          rows, "documents")
    total = {k: sum(d[k] for d in docs) for k in ("figures", "flagged", "figures_with_metric_id", "misses")}
    body = (f'<header><h1>fazhi review</h1><p class="meta">{len(docs)} documents, {total["figures"]} figures, '
            f'{total["flagged"]} flagged by data quality, {total["figures_with_metric_id"]} in the metric catalog, '
            f'{total["misses"]} likely misses (sentences with digits, dates aside, and no figure)</p>'
            f'<p class="meta"><a href="#quality">data quality</a> · <a href="#metrics">metrics</a></p></header>\n'
            f'<main><h2 id="documents">Documents</h2><p class="hint">Select a column header to sort.</p>'
            f'{doc_table}\n{_quality_section(run_id, dq, flags)}\n{_metrics_section(metrics)}</main>')
    return _page("fazhi review", body, 0)


def _flag_link(i: dict, depth: int) -> str:
    return (f'<a href="{_doc_href(i["doc_id"], i["figure_id"], depth)}">{esc(i["surface"])}</a> '
            f'<span class="hint">in {esc(i["source_name"])} (observed {esc(i["observed"])})</span>')


def _dq_key(o: dict) -> tuple:
    return (o["expectation"], o["column_name"], o["notes"])


def _quality_section(run_id: str | None, dq: list[dict], flags: dict) -> str:
    if run_id is None:
        return ('<h2 id="quality">Data quality</h2><p>Not validated yet: `fazhi validate` checks the warehouse.</p>')
    failed = sum(1 for o in dq if not o["success"])
    rows = []
    for n, o in enumerate(dq):
        flagged = flags.get(_dq_key(o), []) if o["suite"] == "figures" and not o["success"] else []
        detail = esc(o["error"]) if o["error"] else esc(", ".join(o["examples"] or []))
        if flagged:
            links = "".join(f"<li>{_flag_link(i, 0)}</li>" for i in flagged[:INDEX_FLAG_LINKS])
            more = (f'<li><a href="quality/{n}.html">all {len(flagged)} flagged figures</a></li>'
                    if len(flagged) > INDEX_FLAG_LINKS else "")
            detail += f'<ul class="flag-links">{links}{more}</ul>'
        outcome = '<span class="ok">passed</span>' if o["success"] else '<span class="bad">failed</span>'
        rows.append("<tr" + ("" if o["success"] else ' class="failed"') + ">"
                    + _td(outcome, int(o["success"])) + _td(esc(o["suite"]))
                    + _td(f'{esc(o["expectation"])}<br><span class="hint">{esc(o["column_name"])}'
                          + (f' where {esc(o["row_condition"])}' if o["row_condition"] else "") + "</span>",
                          o["expectation"])
                    + _td(esc(o["notes"])) + _td(str(o["unexpected_count"] or 0), o["unexpected_count"] or 0, "num")
                    + _td(detail) + "</tr>\n")
    table = _sortable([("outcome", "num"), ("suite", "text"), ("expectation", "text"), ("rule", "text"),
                       ("unexpected", "num"), ("examples and flagged figures", "text")], rows, "quality")
    return (f'<h2 id="quality">Data quality</h2><p class="meta">Validation {esc(run_id)}: {failed} of {len(dq)} '
            f'expectations failed. Flagged figures stay in the warehouse (table figure_issues).</p>{table}')


def _flags_page(o: dict, flagged: list[dict]) -> str:
    items = "".join(f"<li>{_flag_link(i, 1)}</li>" for i in flagged)
    body = (f'<nav><a href="../index.html#quality">← data quality</a></nav>'
            f'<header><h1>{esc(o["suite"])} {esc(o["expectation"])}({esc(o["column_name"])})</h1>'
            f'<p class="meta">{esc(o["notes"])}</p><p class="meta">{len(flagged)} flagged figures</p></header>'
            f'<main><ul class="flag-links">{items}</ul></main>')
    return _page(f"{o['expectation']}({o['column_name']})", body, 1)


def _metrics_section(metrics: list[dict]) -> str:
    if not metrics:
        return '<h2 id="metrics">Metrics</h2><p>No figure maps to the metric catalog yet.</p>'
    rows = ["<tr>" + _td(f'<a href="metrics/{esc(m["metric_id"])}.html">{esc(m["metric_id"])}</a>', m["metric_id"])
            + _td(esc(m["name"])) + _td(esc(m["name_en"])) + _td(esc(m["kind"]))
            + _td(str(m["figures"]), m["figures"], "num") + _td(str(m["orgs"]), m["orgs"], "num")
            + _td(str(m["documents"]), m["documents"], "num") + "</tr>\n" for m in metrics]
    return ('<h2 id="metrics">Metrics</h2><p class="hint">Catalog metrics with figures: each page charts its values '
            'by organization and period.</p>'
            + _sortable([("metric_id", "text"), ("name", "text"), ("English", "text"), ("kind", "text"),
                         ("figures", "num"), ("organizations", "num"), ("documents", "num")], rows, "metrics"))


# ---- metric pages ----------------------------------------------------------------------------------------------

def _period_label(r: dict) -> str:
    text = r.get("period_text") or ""
    year = r.get("year")
    if year and str(year) not in text:
        return f"{year} {text}".strip()
    return text or "(no period)"


def _period_sort(r: dict) -> tuple:
    end = r.get("period_end") or r.get("period_start")
    return (end.isoformat() if end else f"{r['year']}-12-31~" if r.get("year") else "~", _period_label(r))


def _metric_page(metric: dict, rows: list[dict], level_changes: dict[str, list[dict]]) -> str:
    trs = []
    for r in rows:
        changes = level_changes.get(r["figure_id"], [])
        change_text = "; ".join(f'{c["surface"]} {c["baseline"] or ""}'.strip() for c in changes)
        base = r["baseline_value"] if r["kind"] == "change" else next(
            (c["baseline_value"] for c in changes if c["baseline_value"] is not None), None)
        trs.append("<tr" + (' class="failed"' if r["flagged"] else "") + ">"
                   + _td(esc(r["org"] or "")) + _td(esc(_period_label(r)), "|".join(_period_sort(r)))
                   + _td(esc(_period_dates(r))) + _td(esc(r["kind"]))
                   + _td(esc(_fmt_value(r["value"])), r["value"], "num") + _td(esc(r["unit"]))
                   + _td(esc(r["approx"])) + _td(esc(r["baseline"] if r["kind"] == "change" else change_text))
                   + _td(esc(_fmt_value(base)), base if base is not None else "", "num")
                   + _td(f'<a href="{_doc_href(r["doc_id"], r["figure_id"])}">{esc(r["surface"])}</a> '
                         f'<span class="hint">{esc(r["source_name"])}</span>', r["source_name"])
                   + _td('<span class="bad">flagged</span>' if r["flagged"] else "", int(r["flagged"])) + "</tr>\n")
    table = _sortable([("organization", "text"), ("period", "text"), ("dates", "text"), ("kind", "text"),
                       ("value", "num"), ("unit", "text"), ("approx", "text"), ("change / baseline", "text"),
                       ("value at baseline", "num"), ("figure in its document", "text"), ("data quality", "num")],
                      trs, "values")
    img = (f'<figure><img src="{esc(metric["metric_id"])}.svg" alt="{esc(metric["name"])} by organization and '
           f'period"><figcaption>Values by organization and period; a hollow marker joined to a value is the '
           f'value at the baseline a change implies (同比 …). The table below holds the same numbers.'
           f'</figcaption></figure>')
    body = (f'<nav><a href="../index.html#metrics">← all metrics</a></nav>'
            f'<header><h1>{esc(metric["name"])} <span class="hint">{esc(metric["metric_id"])}</span></h1>'
            f'<p class="meta">{esc(metric["name_en"])} · {esc(metric["domain"])} · {esc(metric["kind"])} · '
            f'{len(rows)} figures</p><p class="meta">{esc(metric["description"])}</p></header>'
            f'<main>{img}{table}</main>')
    return _page(metric["name"], body, 1)


def _setup_matplotlib():
    """matplotlib on the Agg backend, text left as text in the SVG (the browser's CJK fonts draw it)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({
        "svg.fonttype": "none", "svg.hashsalt": "fazhi",
        "font.family": "sans-serif",
        "font.sans-serif": ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
                            "PingFang SC", "DejaVu Sans"],
        "axes.spines.top": False, "axes.spines.right": False, "font.size": 9,
    })
    # Fonts missing on this machine only change how text is measured; the browser picks its own.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    from matplotlib.figure import Figure

    return Figure


def _draw_chart(Figure, metric: dict, rows: list[dict], level_changes: dict[str, list[dict]], path: Path) -> None:
    """An SVG of the metric's levels (with baselines their changes imply) and its changes, by org and period."""
    levels = [r for r in rows if r["kind"] != "change"]
    changes = [r for r in rows if r["kind"] == "change"]
    seen = {r["figure_id"] for r in changes}
    for r in levels:  # changes paired with this metric's levels, whatever their own label maps to
        for c in level_changes.get(r["figure_id"], []):
            if c["figure_id"] not in seen:
                seen.add(c["figure_id"])
                changes.append({**c, "kind": "change", "year": r["year"], "period_end": r["period_end"],
                                "period_start": r["period_start"], "period_text": r["period_text"],
                                "org": r["org"]})
    every = levels + changes
    labels = sorted({_period_label(r): _period_sort(r) for r in every}.items(), key=lambda kv: kv[1])
    by_year = len(labels) > CHART_PERIODS
    if by_year:
        cats = sorted({str(r["year"]) if r.get("year") else "(no year)" for r in every})
    else:
        cats = [label for label, _ in labels]

    def x_of(r):
        return cats.index((str(r["year"]) if r.get("year") else "(no year)") if by_year else _period_label(r))

    counts: dict[str, int] = {}
    for r in every:
        counts[r["org"] or "(no org)"] = counts.get(r["org"] or "(no org)", 0) + 1
    named = sorted(counts, key=lambda o: (-counts[o], o))[:CHART_ORGS]
    others = len(counts) - len(named)
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    def series(r):
        org = r["org"] or "(no org)"
        return org if org in named else f"other organizations ({others})"

    panels = [p for p in (("levels", levels), ("changes", changes)) if p[1]]
    fig = Figure(figsize=(9.5, 0.6 + 2.8 * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
    for ax, (name, items) in zip(axes, panels):
        groups: dict[str, list[dict]] = {}
        for r in items:
            groups.setdefault(series(r), []).append(r)
        for label in sorted(groups, key=lambda s: (s.startswith("other organizations"), -len(groups[s]), s)):
            pts = groups[label]
            color = colors[named.index(label) % len(colors)] if label in named else "#999999"
            ys = [r["signed_change"] if name == "changes" and r.get("signed_change") is not None
                  else (-r["value"] if name == "changes" and r.get("direction") == "down" else r["value"])
                  for r in pts]
            # Reports repeat figures: a point drawn once stands for all its mentions (the table lists each).
            points = sorted({(x_of(r), y) for r, y in zip(pts, ys)})
            ax.plot([p[0] for p in points], [p[1] for p in points], "o", color=color, alpha=0.85, label=label,
                    markersize=5)
            if name == "levels":
                steps = sorted({(x_of(r), c["baseline_value"], r["value"]) for r in pts
                                for c in level_changes.get(r["figure_id"], []) if c["baseline_value"] is not None})
                if steps:
                    ax.vlines([s[0] for s in steps], [s[1] for s in steps], [s[2] for s in steps], color=color,
                              lw=0.9)
                    ax.plot([s[0] for s in steps], [s[1] for s in steps], "o", mfc="white", color=color,
                            markersize=5)
        units = sorted({r["unit"] for r in items if r.get("unit")})
        if name == "changes":
            ax.axhline(0, color="#444444", lw=0.6)
            ax.set_ylabel(f"change ({', '.join(units)})")
            ax.set_title("changes (down below zero)", loc="left", fontsize=9)
        else:
            ax.set_ylabel(f"{metric['name']} ({', '.join(units)})")
            ax.set_title(f"{metric['name']} {metric['name_en'] or ''}", loc="left", fontsize=10)
        ax.set_xticks(range(len(cats)), cats, rotation=30 if len(cats) > 4 else 0,
                      ha="right" if len(cats) > 4 else "center")
        ax.set_xlim(-0.6, len(cats) - 0.4)
        ax.grid(axis="y", color="#dddddd", lw=0.5)
        ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Glyph … missing from font": measured with a fallback, drawn by the browser
        fig.savefig(path, format="svg", metadata={"Date": None})


# ---- the build -------------------------------------------------------------------------------------------------

def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _load_manifest(out: Path) -> dict:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("pages"), dict) else {"pages": {}}
    except (OSError, ValueError):
        return {"pages": {}}


def _matcher(con: duckdb.DuckDBPyConnection) -> MetricMatcher:
    metrics = [Metric(r["metric_id"], r["name"], r["name_en"] or "", r["domain"] or "", r["kind"],
                      tuple(r["synonyms"] or ()), r["description"] or "")
               for r in _rows(con, "select * from metric_catalog")]
    return MetricMatcher(metrics)


def build_site(con: duckdb.DuckDBPyConnection, out: Path) -> SiteReport:
    """Write (or bring up to date) the review site of the warehouse behind con in the folder out."""
    started = time.perf_counter()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ReviewError(f"--out {out} is a file, not a folder")
    _check_tables(con)
    report = SiteReport(out=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        old = _load_manifest(out)
        renderer = _renderer_key(con)
        fresh = old.get("renderer") == renderer
        pages: dict[str, str] = {}

        def stale(rel: str, key: str) -> bool:
            pages[rel] = key
            return not (fresh and old["pages"].get(rel) == key and (out / rel).exists())

        for name in ASSET_FILES:
            target = out / "assets" / name
            if not target.exists() or target.read_bytes() != (ASSETS / name).read_bytes():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(ASSETS / name, target)
            pages[f"assets/{name}"] = renderer

        # Document pages: only those whose rows changed are read in full and rendered.
        keys = dict(con.execute(_DOC_KEYS).fetchall())
        todo = [d for d, k in keys.items() if stale(f"documents/{d}.html", k)]
        report.documents = len(keys)
        matcher = _matcher(con)
        for ids in _batches(sorted(todo)):
            docs = _rows(con, _DOCS, [ids])
            grouped = {name: {} for name in ("figures", "issues", "misses")}
            for name, sql in (("figures", _FIGURES), ("issues", _ISSUES), ("misses", _MISSES)):
                for r in _rows(con, sql, [ids]):
                    grouped[name].setdefault(r["doc_id"], []).append(r)
            for doc in docs:
                d = doc["doc_id"]
                _write(out / "documents" / f"{d}.html", _document_page(
                    doc, grouped["figures"].get(d, []), grouped["issues"].get(d, []),
                    grouped["misses"].get(d, []), matcher))
                report.written.append(f"documents/{d}.html")
        report.documents_rendered = len(todo)

        # Metric pages and charts.
        metric_rows: dict[str, list[dict]] = {}
        for r in _rows(con, _METRIC_ROWS):
            metric_rows.setdefault(r["metric_id"], []).append(r)
        level_changes: dict[str, list[dict]] = {}
        for c in _rows(con, _LEVEL_CHANGES):
            level_changes.setdefault(c["level_figure_id"], []).append(c)
        catalog = {m["metric_id"]: m for m in _rows(con, "select * from metric_catalog")}
        summaries = []
        Figure = None
        for metric_id, rows in sorted(metric_rows.items()):
            metric = catalog.get(metric_id)
            if metric is None:  # a metric_id no longer in the catalog: the next run re-maps it
                continue
            attached = {r["figure_id"]: level_changes.get(r["figure_id"], []) for r in rows}
            key = hashlib.sha1(_json_for_script([rows, attached]).encode()).hexdigest()[:16]
            summaries.append({**metric, "figures": len(rows), "orgs": len({r["org"] for r in rows if r["org"]}),
                              "documents": len({r["doc_id"] for r in rows})})
            rel = f"metrics/{metric_id}.html"
            svg_stale = stale(f"metrics/{metric_id}.svg", key)
            if stale(rel, key) or svg_stale:
                if Figure is None:
                    Figure = _setup_matplotlib()
                (out / "metrics").mkdir(parents=True, exist_ok=True)
                _draw_chart(Figure, metric, rows, attached, out / "metrics" / f"{metric_id}.svg")
                _write(out / rel, _metric_page(metric, rows, attached))
                report.metrics_rendered += 1
                report.written.append(rel)
        report.metrics = len(summaries)

        # The index and the pages of failed expectations: small, rendered every time.
        run_id, dq = _latest_validation(con)
        flags: dict[tuple, list[dict]] = {}
        for i in _rows(con, "select i.*, f.surface, d.source_name from figure_issues i "
                            "join figures f using (doc_id, figure_id) join documents d using (doc_id) "
                            "order by d.source_name, f.char_start"):
            flags.setdefault((i["expectation"], i["column_name"], i["reason"]), []).append(i)
        for n, o in enumerate(dq):
            flagged = flags.get(_dq_key(o), []) if o["suite"] == "figures" and not o["success"] else []
            if len(flagged) > INDEX_FLAG_LINKS:
                rel = f"quality/{n}.html"
                _write(out / rel, _flags_page(o, flagged))
                pages[rel] = "always"
        _write(out / "index.html", _index_page(_rows(con, _INDEX), run_id, dq, flags, summaries))
        pages["index.html"] = "always"

        # Pages of documents and metrics that are gone.
        for rel in sorted(set(old["pages"]) - set(pages)):
            target = out / rel
            if target.is_file() and ".." not in Path(rel).parts:
                target.unlink()
                report.removed += 1
        _write(out / MANIFEST, json.dumps({"renderer": renderer, "pages": pages}, indent=0, sort_keys=True))
    except OSError as err:
        raise ReviewError(f"cannot write the review site to {out}: {err.strerror or err}") from None
    report.files = len(pages) + 1
    report.bytes = sum((out / rel).stat().st_size for rel in [*pages, MANIFEST] if (out / rel).exists())
    report.seconds = time.perf_counter() - started
    return report
