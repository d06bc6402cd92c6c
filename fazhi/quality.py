"""Data quality: validate warehouse tables with the Great Expectations suites in expectations/; flag, never drop.

Each suite (expectations/NAME.yml) is validated against a pandas DataFrame pulled from DuckDB with
expectations/NAME.sql, because Great Expectations' SQL data source over duckdb-engine does not work in 1.x.
Failed figures expectations name their rows in figure_issues; every expectation's outcome lands in dq_results.
The documents are validated VALIDATION_CHUNK at a time, so memory holds one chunk's frame however many documents a
run loaded: each suite's warehouse-wide rows ($warehouse_wide in its SQL) go with the first chunk only, and the
chunks' outcomes are merged into one per expectation.
great_expectations is imported inside functions: its import takes seconds and most commands never need it.
"""
from __future__ import annotations

import html
import re
import shutil
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb
import yaml

from .errors import DataQualityFailed  # noqa: F401  (raised here, caught by callers that import it from here)
from .resources import resource_dir
from .warehouse import transaction

EXPECTATIONS_DIR = resource_dir("expectations")
SUITES = ("documents", "figures", "tokens")
# Figures issues are kept per figure; the other suites' failures are summarized with examples in dq_results.
FLAGGED_SUITE = "figures"
EARLIEST_PUBLICATION = datetime(1990, 1, 1)
EXAMPLES = 5
# Documents per chunk: peak memory follows the chunk, not the run (GX's working copies of the figures frame,
# DuckDB's working set for tokens.sql); each chunk costs ~0.4 s of GX overhead, so much smaller ones are slower.
VALIDATION_CHUNK = 2000


@dataclass
class Outcome:
    """How one expectation of one suite fared on one validation."""

    suite: str
    expectation: str
    column: str | None
    row_condition: str | None
    notes: str | None
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    examples: list[str]
    error: str | None = None


@dataclass
class QualityReport:
    """The outcomes of one validation of a warehouse, the figures it flagged and where its Data Docs are."""

    run_id: str
    validated_at: datetime
    outcomes: list[Outcome] = field(default_factory=list)
    figure_issues: list[dict] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    data_docs: Path | None = None
    seconds: float = 0.0

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def flagged_figures(self) -> int:
        return len({(i["doc_id"], i["figure_id"]) for i in self.figure_issues})

    def summary(self) -> dict:
        """The numbers a run summary shows."""
        return {"expectations": len(self.outcomes), "failed_expectations": len(self.failed),
                "flagged_figures": self.flagged_figures, "rows": dict(self.rows),
                "data_docs": str(self.data_docs) if self.data_docs else None, "seconds": round(self.seconds, 2)}

    def one_line(self) -> str:
        """What failed, in one line."""
        if self.success:
            return f"data quality: all {len(self.outcomes)} expectations passed"
        names = ", ".join(f"{o.suite}.{o.expectation}({o.column})" for o in self.failed[:3])
        more = f" and {len(self.failed) - 3} more" if len(self.failed) > 3 else ""
        docs = f"; see {self.data_docs}" if self.data_docs else ""
        return (f"data quality: {len(self.failed)} of {len(self.outcomes)} expectations failed ({names}{more}); "
                f"{self.flagged_figures} figures flagged in figure_issues{docs}")


def data_docs_dir(warehouse: Path) -> Path:
    """Where a warehouse's Data Docs go: warehouse/data_docs/fazhi/ for warehouse/fazhi.duckdb (absolute: GX needs it)."""
    warehouse = Path(warehouse).absolute()
    return warehouse.parent / "data_docs" / warehouse.stem


def load_suite(name: str) -> dict:
    """The suite expectations/NAME.yml as a dict that gx.ExpectationSuite(**suite) accepts."""
    return yaml.safe_load((EXPECTATIONS_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def suite_rows(con: duckdb.DuckDBPyConnection, name: str, doc_ids: list[str] | None = None,
               warehouse_wide: bool = True):
    """The DataFrame a suite validates: expectations/NAME.sql, restricted to doc_ids when given, plus the rows the
    file calls warehouse-wide ($warehouse_wide) unless warehouse_wide is false."""
    sql = (EXPECTATIONS_DIR / f"{name}.sql").read_text(encoding="utf-8")
    if "$doc_ids" in sql:  # the file scopes itself, where the scope saves most work
        parameters = {"doc_ids": doc_ids}
        if "$warehouse_wide" in sql:
            parameters["warehouse_wide"] = warehouse_wide
        return con.execute(sql, parameters).df()
    if doc_ids is None:
        return con.execute(sql).df()
    return con.execute(f"select * from ({sql}) where doc_id in (select unnest(?))", [doc_ids]).df()


def _column_of(kwargs: dict) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return None


def _condition_text(condition) -> str | None:
    if condition is None:
        return None
    if isinstance(condition, dict):  # as written in the suite file
        return f"{condition['column']['name']} {condition['operator']} {condition['parameter']}"
    return str(condition)


def _text(value) -> str:
    import pandas as pd

    return "null" if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)) else str(value)


_HTML_SPECIAL = re.compile("[&<>\"']")


def _html_safe(df):
    """The frame with every string holding & < > " or ' HTML-escaped, for Great Expectations: its Data Docs put
    unexpected values into the page as they are, so a source_name of <script>…</script> would run there.

    Escaping is one-to-one, so uniqueness, equality and the suites' value sets (none holds such a character)
    judge the escaped frame as they would the original; _outcome unescapes the examples it keeps.
    """
    import pandas as pd

    escaped = None
    for column in df.columns:
        values = df[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        try:  # a column of strings is searched in one vectorized pass (a Python call per value cost ~0.25 ms a
            # document); .str refuses a column holding other objects
            special = values.str.contains(_HTML_SPECIAL.pattern, regex=True, na=False).astype(bool)
        except (AttributeError, TypeError):
            special = values.map(lambda v: isinstance(v, str) and _HTML_SPECIAL.search(v) is not None)
        if special.any():
            escaped = df.copy(deep=False) if escaped is None else escaped
            escaped[column] = values.map(lambda v: html.escape(v) if isinstance(v, str) else v)
    return df if escaped is None else escaped


def _observed(df, index, kwargs: dict) -> str:
    if "column" in kwargs:
        return _text(df.at[index, kwargs["column"]])
    if "column_A" in kwargs:
        return (f"{kwargs['column_A']}={_text(df.at[index, kwargs['column_A']])}, "
                f"{kwargs['column_B']}={_text(df.at[index, kwargs['column_B']])}")
    return ""


def _outcome(suite: str, spec: dict, result) -> Outcome:
    kwargs = spec["kwargs"]
    res = result.result or {}
    error = None
    info = result.exception_info or {}
    if info.get("raised_exception"):
        error = str(info.get("exception_message") or "the expectation raised an exception").splitlines()[0]
    # Values reached GX HTML-escaped (_html_safe); dq_results keeps them as they are in the warehouse.
    examples = [html.unescape(_text(v)) for v in (res.get("partial_unexpected_list") or [])[:EXAMPLES]]
    percent = res.get("unexpected_percent")
    return Outcome(suite=suite, expectation=spec["type"], column=_column_of(kwargs),
                   row_condition=_condition_text(kwargs.get("row_condition")), notes=spec.get("notes"),
                   success=bool(result.success), element_count=res.get("element_count"),
                   unexpected_count=res.get("unexpected_count"),
                   unexpected_percent=float(percent) if percent is not None else None,
                   examples=examples, error=error)


def _figure_issues(df, spec: dict, result, run_id: str, recorded_at: datetime) -> list[dict]:
    """One row per figure an unsuccessful expectation names, found through the pandas index GX reports."""
    indexes = (result.result or {}).get("unexpected_index_list") or []
    kwargs = spec["kwargs"]
    return [{"run_id": run_id, "doc_id": df.at[i, "doc_id"], "figure_id": df.at[i, "figure_id"],
             "expectation": spec["type"], "column_name": _column_of(kwargs), "reason": spec.get("notes"),
             "observed": _observed(df, i, kwargs), "recorded_at": recorded_at} for i in indexes]


def _gx_context(docs_dir: Path | None):
    """An in-memory GX context: no analytics, no progress bars, one Data Docs site at docs_dir when given."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    sites = {}
    if docs_dir is not None:
        sites["fazhi"] = {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(), data_docs_sites=sites,
                               analytics_enabled=False, progress_bars=ProgressBarsConfig(globally=False))
    return gx.get_context(project_config=config, mode="ephemeral")


def _nonmissing(result) -> int | None:
    """The rows GX divided by for unexpected_percent: those not missing, or all of them when it counted none missing."""
    res = result.result or {}
    if res.get("element_count") is None:
        return None
    return res["element_count"] - (res.get("missing_count") or 0)


def _merged(parts: list[tuple[Outcome, int | None]]) -> Outcome:
    """One expectation's outcome over the frames it was validated on, as if on all their rows at once."""
    outcomes = [outcome for outcome, _ in parts]

    def total(values) -> int | None:
        values = [v for v in values if v is not None]
        return sum(values) if values else None

    element_count = total(o.element_count for o in outcomes)
    unexpected_count = total(o.unexpected_count for o in outcomes)
    nonmissing = total(n for o, n in parts if o.unexpected_count is not None)
    percent = None
    if unexpected_count is not None and element_count and nonmissing:
        percent = unexpected_count / nonmissing * 100  # GX's order of operations: one frame keeps GX's own number
    return replace(outcomes[0], success=all(o.success for o in outcomes), element_count=element_count,
                   unexpected_count=unexpected_count, unexpected_percent=percent,
                   examples=[e for o in outcomes for e in o.examples][:EXAMPLES],
                   error=next((o.error for o in outcomes if o.error), None))


class _Validation:
    """One GX context with each suite and its validation definition, made once and run on frame after frame."""

    def __init__(self, run_id: str, docs_dir: Path | None, now: datetime):
        self.run_id, self.docs_dir, self.now = run_id, docs_dir, now
        self.context = _gx_context(docs_dir)
        self.source = self.context.data_sources.add_pandas("warehouse")
        self.parameters = {"now": now, "earliest_publication": EARLIEST_PUBLICATION}
        self.suites: dict[str, tuple] = {}
        # per suite, per expectation of its file: (outcome, rows not missing) of each frame validated
        self.parts: dict[str, list[list[tuple[Outcome, int | None]]]] = {}
        self.figure_issues: list[dict] = []

    def _definition(self, name: str) -> tuple:
        """The suite file, the GX suite and its validation definition, made on first use."""
        if name not in self.suites:
            import great_expectations as gx

            spec = load_suite(name)
            suite = self.context.suites.add(gx.ExpectationSuite(**spec))
            batch = self.source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole table")
            definition = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite))
            self.suites[name] = (spec, suite, definition)
        return self.suites[name]

    def run(self, name: str, df, part: str | None = None) -> None:
        """Validate one frame of a suite and keep its outcomes and figure issues; part names the chunk in Data Docs."""
        from great_expectations.core.run_identifier import RunIdentifier

        spec, suite, definition = self._definition(name)
        # Data Docs keep one page per suite, run name and time: each chunk needs its own name to have a page.
        gx_run = RunIdentifier(run_name=f"{self.run_id}-{part}" if part else self.run_id, run_time=self.now)
        # COMPLETE returns the index of every failing row, which figure_issues needs; the others need counts.
        result_format = "COMPLETE" if name == FLAGGED_SUITE else "SUMMARY"
        try:
            result = definition.run(batch_parameters={"dataframe": _html_safe(df)},
                                    expectation_parameters=self.parameters, result_format=result_format,
                                    run_id=gx_run)
        finally:
            self._release_frames()
        # GX's results are matched to the suite file's expectations by id, so notes and kwargs line up.
        results = _in_suite_order(suite, result)
        if len(results) != len(spec["expectations"]):
            raise ValueError(f"suite {name}: two expectations are the same; GX keeps one (edit the suite file)")
        parts = self.parts.setdefault(name, [[] for _ in spec["expectations"]])
        for expectation_parts, expectation_spec, expectation_result in zip(parts, spec["expectations"], results):
            outcome = _outcome(name, expectation_spec, expectation_result)
            expectation_parts.append((outcome, _nonmissing(expectation_result)))
            if name == FLAGGED_SUITE and not outcome.success and outcome.error is None:
                self.figure_issues.extend(_figure_issues(df, expectation_spec, expectation_result, self.run_id,
                                                         self.now))

    def _release_frames(self) -> None:
        # The data source's execution engine caches the last frame of each asset; without this a chunk's frames
        # outlive the chunk and peak memory is two chunks.
        manager = self.source.get_execution_engine().batch_manager
        manager.reset_batch_cache()
        manager.batch_data_cache.clear()

    def outcomes(self) -> list[Outcome]:
        """One outcome per expectation of each suite validated, in suite file order."""
        return [_merged(parts) for suite in self.parts.values() for parts in suite]

    def data_docs(self) -> Path | None:
        """Render the Data Docs of every frame validated, if there is a Data Docs folder."""
        return build_data_docs(self.context, self.docs_dir) if self.docs_dir is not None else None

    def finish(self) -> tuple[list[Outcome], list[dict], Path | None]:
        """The outcomes, the figure issues and the Data Docs index (rendered now) of every frame validated."""
        return self.outcomes(), self.figure_issues, self.data_docs()


class _ValidatorProcess:
    """A process of its own that imports Great Expectations at once and then validates the frames sent to it.

    `fazhi run` starts it before the flow, so the seconds of GX's import pass while the flow imports, loads and
    pulls the frames, on the other core. The frames go to it pickled; the warehouse stays with the flow (DuckDB
    lets one process write). Calls run one after another in its one process, which holds a _Validation.
    """

    def __init__(self, low_priority: bool = False):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from . import validator_process

        # spawn: the caller has threads and maybe a DuckDB connection; the child needs neither.
        self.executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=validator_process.start, initargs=(low_priority,))
        self.executor.submit(int)  # start it now
        self.pending: list = []  # calls not waited for (Data Docs being rendered): close() waits for them

    def call(self, fn, *args):
        """fn(*args) in the validator process; its exceptions are raised here."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.executor.submit(fn, *args).result()
        except BrokenProcessPool as err:  # its import failed, or it was killed: say which process, not the pool's words
            raise RuntimeError(f"the validation process could not start or died ({err})") from None

    def call_later(self, what: str, fn, *args) -> None:
        """fn(*args) in the validator process while this one goes on; close() waits for it, and names what failed."""
        self.pending.append((what, self.executor.submit(fn, *args)))

    def close(self) -> None:
        """Wait for the calls not yet waited for, then stop the process: its work is done and back here, so it is
        killed rather than waited for (an interpreter that imported GX took ~0.35 s to tear itself down at the
        end of every run)."""
        for what, future in self.pending:
            try:
                future.result()
            except Exception as err:  # the outcomes are recorded already; say what is missing and go on
                print(f"warning: {what} failed: {type(err).__name__}: {err}", file=sys.stderr, flush=True)
        self.pending = []
        for process in list((getattr(self.executor, "_processes", None) or {}).values()):
            process.kill()
            process.join()
        self.executor.shutdown(wait=True, cancel_futures=True)


_validator: _ValidatorProcess | None = None
_remote: _Validation | None = None  # in the validator process: the validation in progress
_rendering: _Validation | None = None  # in the validator process: the validation whose Data Docs are next


def start_validator(low_priority: bool = False) -> None:
    """Start the validator process for this process's next validations (`fazhi run` does, before the flow), at a
    low CPU priority if asked."""
    global _validator
    if _validator is None:
        _validator = _ValidatorProcess(low_priority)


def stop_validator() -> None:
    """Stop the validator process, if one was started."""
    global _validator
    validator, _validator = _validator, None
    if validator is not None:
        validator.close()


def _remote_begin(run_id: str, docs_dir: Path | None, now: datetime) -> None:
    global _remote
    _remote = _Validation(run_id, docs_dir, now)


def _remote_run(name: str, df, part: str | None) -> None:
    _remote.run(name, df, part)


def _remote_finish(render_later: bool = False) -> tuple[list[Outcome], list[dict], Path | None]:
    global _remote, _rendering
    validation, _remote = _remote, None
    if not render_later or validation.docs_dir is None:
        return validation.finish()
    _rendering = validation
    return validation.outcomes(), validation.figure_issues, data_docs_index(validation.docs_dir)


def _remote_render_data_docs() -> None:
    global _rendering
    validation, _rendering = _rendering, None
    validation.data_docs()


class _RemoteValidation:
    """A _Validation held by the validator process, with the same calls."""

    def __init__(self, validator: _ValidatorProcess, run_id: str, docs_dir: Path | None, now: datetime):
        self.validator = validator
        validator.call(_remote_begin, run_id, docs_dir, now)

    def run(self, name: str, df, part: str | None = None) -> None:
        self.validator.call(_remote_run, name, df, part)

    def finish(self) -> tuple[list[Outcome], list[dict], Path | None]:
        """The outcomes and figure issues; the Data Docs are rendered while the caller records them and the run
        ends (~0.25 s of every run), done when the validator is stopped."""
        outcomes, issues, docs = self.validator.call(_remote_finish, True)
        if docs is not None:
            self.validator.call_later("rendering the Data Docs", _remote_render_data_docs)
        return outcomes, issues, docs


def _validation(run_id: str, docs_dir: Path | None, now: datetime):
    """The validator process's validation if one was started, else one in this process."""
    if _validator is not None:
        return _RemoteValidation(_validator, run_id, docs_dir, now)
    return _Validation(run_id, docs_dir, now)


def validate_frames(frames: dict, run_id: str, docs_dir: Path | None = None,
                    now: datetime | None = None) -> tuple[list[Outcome], list[dict], Path | None]:
    """Validate each suite's DataFrame, writing nothing to the warehouse; returns the outcomes, the figure issues
    and the Data Docs index."""
    validation = _Validation(run_id, docs_dir, now or datetime.now())
    for name, df in frames.items():
        validation.run(name, df)
    return validation.finish()


def _in_suite_order(suite, result) -> list:
    by_id = {r.expectation_config.id: r for r in result.results}
    return [by_id[e.id] for e in suite.expectations]


def data_docs_index(docs_dir: Path) -> Path:
    """The page Data Docs rendered into docs_dir open with."""
    return Path(docs_dir) / "index.html"


def build_data_docs(context, docs_dir: Path) -> Path:
    """Render this validation's Data Docs into docs_dir; pages of earlier validations are removed first."""
    shutil.rmtree(Path(docs_dir) / "validations", ignore_errors=True)
    context.build_data_docs(site_names=["fazhi"])
    return data_docs_index(docs_dir)


def validate_warehouse(con: duckdb.DuckDBPyConnection, run_id: str, docs_dir: Path | None = None,
                       doc_ids: list[str] | None = None, chunk_size: int = VALIDATION_CHUNK) -> QualityReport:
    """Validate documents, figures and tokens chunk_size documents at a time and record the outcome in dq_results
    and figure_issues.

    doc_ids limits the rows validated to those documents plus each suite's warehouse-wide rows; None means all.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    started = time.perf_counter()
    report = QualityReport(run_id=run_id, validated_at=datetime.now())
    if doc_ids is None:
        # Every document's rows plus the warehouse-wide rows (figures and tokens without a document) are every row.
        ids = [r[0] for r in con.execute("select distinct doc_id from documents order by doc_id").fetchall()]
    else:
        ids = list(dict.fromkeys(doc_ids))  # a doc_id given twice would be validated in two chunks
    chunks = [ids[i:i + chunk_size] for i in range(0, len(ids), chunk_size)] or [[]]
    validation = _validation(run_id, docs_dir, report.validated_at)
    report.rows = dict.fromkeys(SUITES, 0)
    wide_figures = None
    orphan_tokens = 0
    scope_ids = set(ids)
    for number, chunk in enumerate(chunks):
        first = number == 0
        part = f"chunk-{number + 1}-of-{len(chunks)}" if len(chunks) > 1 else None
        for name in SUITES:
            df = suite_rows(con, name, chunk, warehouse_wide=first)
            report.rows[name] += len(df)
            # An empty frame adds nothing to an outcome; tokens' frame (suspect tokens only) mostly is one.
            if first or len(df):
                validation.run(name, df, part)
            if first and name == FLAGGED_SUITE and doc_ids is not None:
                # Scoped doc_ids' issues are replaced by doc_id; only the warehouse-wide figures need their keys.
                wide_figures = df.loc[~df["doc_id"].isin(scope_ids), ["doc_id", "figure_id"]].drop_duplicates()
            if first and name == "tokens" and doc_ids is not None:
                # Every token whose document is missing is suspect, so the first frame holds all of them.
                orphan_tokens = int((~df["document_found"] & ~df["doc_id"].isin(scope_ids)).sum())
            del df  # before the next frame is pulled, so memory holds one frame at a time
    # The tokens frame holds only suspect tokens (expectations/tokens.sql); the rows checked are all of them.
    report.rows["tokens"] = _tokens_checked(con, doc_ids) + orphan_tokens
    report.outcomes, report.figure_issues, report.data_docs = validation.finish()
    scope = None
    if doc_ids is not None:
        scope = _IssueScope(doc_ids=ids, figures=wide_figures,
                            columns=list(load_suite(FLAGGED_SUITE)["meta"].get("warehouse_wide_columns") or []))
    record(con, report, scope)
    report.seconds = time.perf_counter() - started
    return report


def _tokens_checked(con: duckdb.DuckDBPyConnection, doc_ids: list[str] | None) -> int:
    """How many tokens belong to doc_ids (all tokens when None); tokens.sql checked these and the orphans."""
    if doc_ids is None:
        return con.execute("select count(*) from tokens").fetchone()[0]
    return con.execute("select count(*) from tokens where doc_id in (select unnest(?))", [doc_ids]).fetchone()[0]


@dataclass
class _IssueScope:
    """What a scoped validation looked at: its documents, the figures it saw of other documents and its
    warehouse-wide columns."""

    doc_ids: list[str]
    figures: object  # DataFrame of doc_id, figure_id
    columns: list[str]


def record(con: duckdb.DuckDBPyConnection, report: QualityReport, scope: _IssueScope | None = None) -> None:
    """Append the outcomes to dq_results and replace figure_issues with this validation's, in one transaction.

    With a scope only the issues of what was validated are replaced; the issues of other documents stay.
    """
    outcome_rows = [(report.run_id, report.validated_at, o.suite, o.expectation, o.column, o.row_condition,
                     o.notes, o.success, o.element_count, o.unexpected_count, o.unexpected_percent, o.examples,
                     o.error) for o in report.outcomes]
    import pandas as pd

    # A whole DataFrame at once: a broken extractor rule can flag hundreds of thousands of figures.
    issues = pd.DataFrame(report.figure_issues, columns=["run_id", "doc_id", "figure_id", "expectation",
                                                         "column_name", "reason", "observed", "recorded_at"])
    with transaction(con):
        if outcome_rows:
            con.executemany("insert into dq_results (run_id, validated_at, suite, expectation, column_name, "
                            "row_condition, notes, success, element_count, unexpected_count, unexpected_percent, "
                            "examples, error) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", outcome_rows)
        # figure_issues describes the data as it is now, so the previous validation's rows of the same data go.
        if scope is None:
            con.execute("delete from figure_issues")
        else:
            _delete_issues_in_scope(con, scope)
        if len(issues):
            con.register("_figure_issues", issues)
            try:
                con.execute("insert into figure_issues by name select * from _figure_issues")
            finally:
                con.unregister("_figure_issues")


def _delete_issues_in_scope(con: duckdb.DuckDBPyConnection, scope: _IssueScope) -> None:
    con.register("_validated_figures", scope.figures)
    try:
        con.execute("delete from figure_issues i where i.doc_id in (select unnest(?)) "
                    "or i.column_name in (select unnest(?)) "
                    "or exists (select 1 from _validated_figures v where v.doc_id = i.doc_id "
                    "and v.figure_id = i.figure_id) "
                    # a figure replaced or removed since: its issue describes nothing any more
                    "or not exists (select 1 from figures f where f.doc_id = i.doc_id "
                    "and f.figure_id = i.figure_id)", [scope.doc_ids, scope.columns])
    finally:
        con.unregister("_validated_figures")


def markdown_summary(report: QualityReport) -> str:
    """A short Markdown report of one validation, for a Prefect artifact."""
    status = "all expectations passed" if report.success else f"{len(report.failed)} expectations failed"
    lines = [f"# Data quality of run {report.run_id}", "",
             f"{status} of {len(report.outcomes)}; {report.flagged_figures} figures flagged in `figure_issues` "
             f"(left out of the view `figures_clean`).", "",
             "Rows validated: " + ", ".join(f"{k} {v}" for k, v in report.rows.items()) + ".", ""]
    if report.data_docs:
        lines += [f"Data Docs: `{report.data_docs}`", ""]
    if report.failed:
        lines += ["| suite | expectation | column | where | unexpected | examples | why |",
                  "|---|---|---|---|---|---|---|"]
        for o in report.failed:
            examples = "; ".join(o.examples) if not o.error else f"error: {o.error}"
            cells = [o.suite, o.expectation, o.column or "", o.row_condition or "",
                     str(o.unexpected_count if o.unexpected_count is not None else ""), examples, o.notes or ""]
            # Escaped: document text (a source_name of <script>…) must not become markup in the Prefect UI.
            lines.append("| " + " | ".join(html.escape(c).replace("|", "\\|").replace("\n", " ") for c in cells)
                         + " |")
    return "\n".join(lines) + "\n"
