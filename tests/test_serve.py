"""Schedules: a real `prefect server`, the prefect.yaml deployment, and `fazhi serve` running a triggered flow run."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import httpx
import pytest
import yaml

from conftest import ROOT, SAMPLE

BIN = Path(sys.executable).parent
DEPLOYMENT = "fazhi-etl/fazhi-scheduled"
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, check, timeout: float, every: float = 0.5):
    """Poll check() until it returns something truthy; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL what is left after 10 s, and check nothing survives."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                proc.wait(timeout=5)
                return
            proc.poll()
            time.sleep(0.2)
    raise AssertionError(f"process group {proc.pid} survived SIGKILL")


@contextmanager
def started(args: list[str], env: dict, log: Path, cwd: Path = ROOT):
    """A process in its own group, its output in log, always stopped with its children on exit."""
    with open(log, "w") as out:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        yield proc
    finally:
        stop_group(proc)


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def test_prefect_yaml_declares_the_scheduled_deployment_of_the_flow():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = config["deployments"]
    assert deployment["name"] == DEPLOYMENT.split("/")[1]
    assert deployment["entrypoint"] == "fazhi.flows.pipeline.etl"
    assert [s["cron"] for s in deployment["schedules"]] == ["0 2 * * *"]
    from fazhi.flows.pipeline import etl

    assert set(deployment["parameters"]) <= set(etl.parameters.properties)


def test_served_flow_runs_on_a_real_server_when_triggered_through_the_api(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_API_URL": api,
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
           "PREFECT_SERVER_UI_ENABLED": "false", "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
           "PREFECT_LOGGING_LEVEL": "INFO"}
    warehouse = tmp_path / "wh" / "fazhi.duckdb"
    http = httpx.Client(base_url=api, timeout=10)

    def healthy():
        try:
            return http.get("/health").status_code == 200
        except httpx.HTTPError:
            return False

    with started([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                 env, tmp_path / "server.log") as server:
        wait_for("the Prefect server to answer /health:\n" + tail(tmp_path / "server.log"), healthy, 120)

        # Users with a work pool: prefect.yaml creates the deployment and its cron schedule makes runs.
        for args in (["work-pool", "create", "fazhi", "--type", "process"], ["--no-prompt", "deploy", "--all"]):
            done = subprocess.run([str(BIN / "prefect"), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                                  timeout=120)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        deployment = http.get(f"/deployments/name/{DEPLOYMENT}").json()
        assert [s["schedule"]["cron"] for s in deployment["schedules"]] == ["0 2 * * *"]

        def scheduled_runs():
            runs = http.post("/flow_runs/filter", json={"deployments": {"id": {"any_": [deployment["id"]]}}}).json()
            return [r for r in runs if r["state_type"] == "SCHEDULED"]

        runs = wait_for("the scheduler to create runs from the cron schedule", scheduled_runs, 60)
        assert all(r["expected_start_time"][11:16] == "02:00" for r in runs)

        # `fazhi serve` takes the deployment over and executes runs itself.
        with started([str(BIN / "fazhi"), "serve", "--cron", "0 2 * * *", "--input", str(SAMPLE),
                      "--warehouse", str(warehouse)], env, tmp_path / "serve.log") as serve:
            def served():
                found = http.get(f"/deployments/name/{DEPLOYMENT}")
                return found.status_code == 200 and found.json()["parameters"].get("warehouse") == str(warehouse) \
                    and found.json()
            deployment = wait_for("fazhi serve to register its deployment:\n" + tail(tmp_path / "serve.log"),
                                  served, 120)
            assert [s["schedule"]["cron"] for s in deployment["schedules"]] == ["0 2 * * *"]
            answers = []

            def triggered():
                # Re-read the deployment each time: `fazhi serve` may still be re-registering it (a new id) when
                # the first read sees its parameters; a refused trigger is kept for the failure message.
                current = http.get(f"/deployments/name/{DEPLOYMENT}").json()
                answer = http.post(f"/deployments/{current['id']}/create_flow_run", json={})
                answers.append(f"{answer.status_code} {answer.text[:300]}")
                return answer.status_code == 201 and answer.json()

            deadline = time.monotonic() + 60
            while not (flow_run := triggered()):
                if time.monotonic() > deadline:
                    pytest.fail("no flow run created through the API in 60s: " + "; ".join(answers[-3:]))
                time.sleep(1)

            def finished():
                state = http.get(f"/flow_runs/{flow_run['id']}").json()["state_type"]
                return state if state in TERMINAL else None

            state = wait_for("the triggered run to finish:\n" + tail(tmp_path / "serve.log"), finished, 300, 1)
            assert state == "COMPLETED", tail(tmp_path / "serve.log")

            # Its server gone, `fazhi serve` still stops on SIGTERM, within its grace period, exit code 0.
            stop_group(server)
            serve.send_signal(signal.SIGTERM)
            assert serve.wait(timeout=30) == 0, tail(tmp_path / "serve.log")
            assert "Traceback" not in tail(tmp_path / "serve.log")

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from documents").fetchone() == (5,)
        assert con.execute("select status, flow_run_id from runs").fetchall() == [("completed", flow_run["id"])]
    finally:
        con.close()
    assert (warehouse.parent / "fazhi.snapshot.duckdb").exists()
