"""The guard: items worked on in a forked child, each under a budget of time and memory, a dead child costing one."""
from __future__ import annotations

import ctypes
import os
import signal
import time
from pathlib import Path

import pytest

from fazhi import guard
from fazhi.guard import Budget, child_pids, format_size, parse_size, run_guarded

BUDGET = Budget(seconds=1.0, memory=64 * 2**20)


def behave(item: str) -> str:
    """Work whose cost or fate the item names; an ordinary item comes back upper-cased."""
    if item == "slow":
        time.sleep(30)
    elif item == "hungry":
        hoard = []
        while True:  # about 10 MB per 10 ms, until the parent steps in
            hoard.append(bytearray(10 * 2**20))
            time.sleep(0.01)
    elif item == "killed":
        os.kill(os.getpid(), signal.SIGKILL)
    elif item == "segfault":
        ctypes.string_at(0)
    elif item == "raises":
        raise ValueError("no good")
    return item.upper()


@pytest.mark.parametrize("bad, kind, reason", [
    ("slow", "over", "over the time budget: still processing after 1s, limit 1s per document (--doc-seconds)"),
    ("hungry", "over", "over the memory budget: used"),
    ("killed", "died", "its worker process died (killed by SIGKILL"),
    ("segfault", "died", "its worker process died (killed by SIGSEGV"),
    ("raises", "failed", "ValueError: no good"),
])
def test_a_bad_item_is_recorded_and_the_items_before_and_after_it_are_done(bad, kind, reason):
    others = set(child_pids())  # processes earlier tests keep (a session's Prefect server) are not the guard's
    started = time.monotonic()
    outcomes = run_guarded(behave, ["a", "b", bad, "c", "d"], BUDGET)
    assert [o.kind for o in outcomes] == ["done", "done", kind, "done", "done"]
    assert [o.result for o in outcomes] == ["A", "B", None, "C", "D"]
    assert outcomes[2].reason.startswith(reason)
    if bad == "hungry":
        assert outcomes[2].reason.endswith("limit 64M per document (--doc-memory)")
        assert outcomes[2].memory > 64 * 2**20
    assert time.monotonic() - started < 20  # the slow item sleeps 30 s: it was stopped, not waited for
    assert set(child_pids()) - others == set()


def test_several_bad_items_in_a_row_each_cost_only_themselves():
    outcomes = run_guarded(behave, ["killed", "slow", "a", "segfault", "killed"], BUDGET)
    assert [o.kind for o in outcomes] == ["died", "over", "done", "died", "died"]


def test_a_budget_of_zero_sets_no_limit():
    outcomes = run_guarded(lambda item: time.sleep(0.3) or item, ["a", "b"], Budget(seconds=0.1, memory=0))
    assert [o.kind for o in outcomes] == ["over", "over"]
    outcomes = run_guarded(lambda item: time.sleep(0.3) or item, ["a", "b"], Budget(seconds=0, memory=0))
    assert [o.result for o in outcomes] == ["a", "b"]


def test_memory_an_item_leaves_behind_is_not_counted_against_the_next():
    kept = []

    def leave_memory_behind(item):
        kept.append(bytearray(40 * 2**20))  # kept by the child: 40 MB more after each item
        kept[-1][::4096] = b"x" * len(kept[-1][::4096])  # touched, so resident
        return item

    outcomes = run_guarded(leave_memory_behind, list(range(6)), Budget(seconds=0, memory=64 * 2**20))
    # A child that holds more than half the budget after an item is replaced for the next one.
    assert [o.kind for o in outcomes] == ["done"] * 6


def test_an_interrupted_parent_kills_its_child():
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    others = set(child_pids())
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_guarded(behave, ["slow"], Budget(seconds=0, memory=0))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert set(child_pids()) - others == set()


def test_a_child_dies_with_its_parent(tmp_path):
    """A run killed with SIGKILL leaves no child working on: the kernel kills it (PR_SET_PDEATHSIG)."""
    pid_file = tmp_path / "child"
    parent = os.fork()
    if parent == 0:  # the run, which forks the guarded child and is then killed

        def record_and_wait(item):
            pid_file.write_text(str(os.getpid()))
            time.sleep(60)

        try:
            run_guarded(record_and_wait, ["x"], Budget(seconds=0, memory=0))
        finally:
            os._exit(0)
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    child = int(pid_file.read_text())
    os.kill(parent, signal.SIGKILL)
    os.waitpid(parent, 0)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{child}") and open(f"/proc/{child}/stat").read().split(") ")[1][0] != "Z":
        assert time.monotonic() < deadline, "the child outlived its parent"
        time.sleep(0.05)


@pytest.mark.parametrize("text, size, shown", [
    ("512M", 512 * 2**20, "512M"),
    ("2G", 2 * 2**30, "2G"),
    ("1.5g", 1536 * 2**20, "1536M"),
    ("4GiB", 4 * 2**30, "4G"),
    ("2048", 2 * 2**30, "2G"),
    ("100k", 100 * 2**10, "100K"),
    ("0", 0, "0"),
])
def test_sizes_read_and_written(text, size, shown):
    assert parse_size(text) == size
    assert format_size(size) == shown


@pytest.mark.parametrize("text", ["", "3X", "-1G", "G", "1 2G"])
def test_a_size_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="not a size"):
        parse_size(text)


def test_then_runs_here_on_each_result_and_its_exception_fails_only_that_item():
    here = os.getpid()

    def then(result: str) -> tuple[str, int]:
        if result == "B":
            raise KeyError("no B here")
        return result.lower(), os.getpid()

    outcomes = run_guarded(behave, ["a", "b", "killed", "c"], BUDGET, then=then)
    assert [o.kind for o in outcomes] == ["done", "failed", "died", "done"]
    assert outcomes[0].result == ("a", here) and outcomes[3].result == ("c", here)
    assert outcomes[1].reason == "KeyError: 'no B here'"


def whose(item: str) -> tuple[str, int]:
    """behave(item), and the process that did it."""
    return behave(item), os.getpid()


@pytest.fixture
def kept(monkeypatch):
    """keep_children() for one test, the kept child ended after it."""
    monkeypatch.setattr(guard, "_keep", True)
    yield
    guard.release_children()


def test_a_kept_child_takes_the_next_calls_items_and_is_replaced_when_gone(kept):
    others = set(child_pids())
    first = run_guarded(whose, ["a", "b"], BUDGET)
    second = run_guarded(whose, ["c"], BUDGET)
    pids = {o.result[1] for o in first + second}
    assert [o.result[0] for o in first + second] == ["A", "B", "C"] and len(pids) == 1
    assert set(child_pids()) - others == pids  # it waits for more
    os.kill(pids.pop(), signal.SIGKILL)
    time.sleep(0.1)
    third = run_guarded(whose, ["d", "killed", "e"], BUDGET)
    assert [o.kind for o in third] == ["done", "died", "done"]
    fourth = run_guarded(whose, ["f"], BUDGET)
    assert fourth[0].result[1] == third[2].result[1]  # the child after the dead one was kept
    assert run_guarded(lambda item: item * 2, ["g"], BUDGET)[0].result == "gg"  # a closure: a child of its own
    guard.release_children()
    assert set(child_pids()) - others == set()


def test_without_keep_children_each_call_forks_its_own_child():
    others = set(child_pids())
    first, second = run_guarded(whose, ["a"], BUDGET), run_guarded(whose, ["b"], BUDGET)
    assert first[0].result[1] != second[0].result[1]
    assert set(child_pids()) - others == set()


def _running(pid: int) -> bool:
    """Whether pid is a live process (a zombie, ended but not yet reaped, is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


def test_a_pool_process_leaves_ctrl_c_to_its_parent_and_ends_with_it():
    import subprocess
    import sys

    pool_process = ("import sys, time; from fazhi.guard import exit_with_parent; exit_with_parent(0.05); "
                    "print('ready', flush=True); time.sleep(30)")
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys; "
         f"p = subprocess.Popen([sys.executable, '-c', {pool_process!r}], stdout=subprocess.PIPE, text=True); "
         "print(p.pid, p.stdout.readline().strip(), flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        pid, ready = parent.stdout.readline().split()
        assert ready == "ready"
        os.kill(int(pid), signal.SIGINT)  # Ctrl-C at a terminal reaches every process of the group
        time.sleep(0.5)
        assert _running(int(pid))  # its parent decides when it ends
        parent.communicate("\n", timeout=10)
        deadline = time.monotonic() + 5
        while _running(int(pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(int(pid))  # and it ends when the parent does
    finally:
        if parent.poll() is None:
            parent.kill()
