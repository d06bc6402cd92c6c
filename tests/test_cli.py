"""The command line: help with examples, exit codes and one-line errors."""
from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from fazhi.cli import cli


def test_help_shows_an_example_for_every_command():
    runner = CliRunner()
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "fazhi run" in result.output
    for name in cli.commands:
        sub = runner.invoke(cli, [name, "--help"])
        assert sub.exit_code == 0, name
        assert "Example" in sub.output and f"fazhi {name}" in sub.output, name


def test_a_text_stage_module_not_installed_is_one_clear_line_and_exit_1(tmp_path, monkeypatch):
    # A checkout updated without installing again: its new dependency is missing from the environment.
    from fazhi import preflight

    monkeypatch.setattr(preflight, "TEXT_STAGE_MODULES", ("rjieba", "fazhi_no_such_module"))
    result = CliRunner().invoke(cli, ["run", "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: fazhi_no_such_module not installed in ")
    assert "install fazhi again (`pip install -e .`" in lines[0] and "rjieba" not in lines[0]
    assert not (tmp_path / "w.duckdb").exists()


def test_missing_input_folder_is_one_clear_line_and_exit_1(tmp_path):
    result = CliRunner().invoke(cli, ["run", "--input", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: input folder {tmp_path / 'nope'} does not exist or is not a folder"]
    assert "Traceback" not in result.output


def test_bad_flag_exits_2_with_usage():
    result = CliRunner().invoke(cli, ["run", "--no-such-flag"])
    assert result.exit_code == 2
    assert "No such option" in result.output


def test_python_m_flows_runs_the_flow_and_prints_a_summary(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text("2020年,全市法院受理案件57876件,结案率95.74%。\n", encoding="utf-8")
    (corpus / "empty.txt").write_bytes(b"")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.run([sys.executable, "-m", "fazhi", "--input", str(corpus), "--warehouse", str(tmp_path / "w.duckdb")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # Python's resource tracker outlives the run and writes to the same stderr: nothing of it either.
    assert "Warning" not in proc.stderr and "leaked" not in proc.stderr, proc.stderr[-2000:]
    rows = [line.split() for line in proc.stdout.splitlines()]
    assert ["files", "seen", "2"] in rows and ["loaded,", "new", "1"] in rows and ["failed", "1"] in rows
    assert ["figures", "added", "by", "this", "run", "2"] in rows
    assert any(line.startswith("failed (ingest): empty.txt: empty file") for line in proc.stdout.splitlines())
