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


def main():
    """Entry point of the fazhi script."""
    cli(prog_name="fazhi")


if __name__ == "__main__":
    main()
