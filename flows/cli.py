"""The fazhi command line: one group, an example for every command, errors as one line."""
from __future__ import annotations

import sys
from pathlib import Path

import click


class FazhiGroup(click.Group):
    """A click group that turns known errors into one clear line and exit code 1."""

    def invoke(self, ctx):
        from .warehouse import WarehouseError
        from .pipeline import InputError

        try:
            return super().invoke(ctx)
        except (WarehouseError, InputError, FileNotFoundError) as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(1)


@click.group(cls=FazhiGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """fazhi: Chinese political-legal reports -> a DuckDB warehouse of figures.

    \b
    Examples:
      fazhi run                                  # the bundled sample corpus -> warehouse/fazhi.duckdb
      fazhi run --input reports/ --warehouse data/fazhi.duckdb
    """


def _summary_lines(s: dict) -> list[str]:
    return [
        f"documents read {s['seen']}, loaded {s['loaded']}, skipped {s['skipped']} (unchanged), "
        f"failed {s['failed']}",
        f"figures {s['figures']} in {s['warehouse']}",
        f"time {s['seconds']:.1f}s (run {s['run_id']})",
    ]


@cli.command()
@click.option("--input", "input_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of reports (.txt .md .htm .html, searched recursively). Default: the sample corpus.")
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="DuckDB file to load. Default: warehouse/fazhi.duckdb.")
@click.option("--batch-size", type=click.IntRange(1), default=200, show_default=True,
              help="Documents per task.")
def run(input_dir, warehouse, batch_size):
    """Run the ETL flow once on a folder of reports.

    \b
    Examples:
      fazhi run
      fazhi run --input ~/reports --warehouse ~/fazhi.duckdb
    """
    from .pipeline import InputError, etl

    if input_dir is not None and not input_dir.is_dir():
        raise InputError(f"input folder {input_dir} does not exist or is not a folder")
    summary = etl(input_dir=str(input_dir) if input_dir else None,
                  warehouse=str(warehouse) if warehouse else None, batch_size=batch_size)
    for line in _summary_lines(summary):
        click.echo(line)


@cli.command(name="eval")
@click.argument("gold", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="DuckDB file to score. Default: warehouse/fazhi.duckdb.")
@click.option("--quiet", is_flag=True, help="Only the summary, not every miss and false positive.")
@click.option("--min-f1", type=click.FloatRange(0, 1), default=None,
              help="Exit with code 1 when core F1 is below this.")
def eval_(gold, warehouse, quiet, min_f1):
    """Score the warehouse's figures against your own annotated reports (gold JSONL, spec/figures.md format).

    Prints every miss, false positive and wrong attribute, then precision, recall and F1 over core figures,
    the record score and attribute accuracy. Only documents named in the gold file are scored.

    \b
    Examples:
      fazhi eval my_gold.jsonl
      fazhi eval ../shared/gold/seeds.jsonl --warehouse warehouse/fazhi.duckdb --quiet --min-f1 0.9
    """
    from .evaluate import GoldError, read_gold, read_predictions, report_lines, score
    from .pipeline import DEFAULT_WAREHOUSE
    from .warehouse import connect

    try:
        golds = read_gold(gold)
    except GoldError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(1)
    con = connect(warehouse or DEFAULT_WAREHOUSE, read_only=True, timeout=5)
    try:
        result = score(read_predictions(con), golds)
    finally:
        con.close()
    for line in report_lines(result, details=not quiet):
        click.echo(line)
    if min_f1 is not None and result.f1 < min_f1:
        click.echo(f"error: F1 {result.f1:.3f} is below --min-f1 {min_f1}", err=True)
        sys.exit(1)


def main():
    """Entry point of the fazhi script."""
    cli(prog_name="fazhi")


if __name__ == "__main__":
    main()
