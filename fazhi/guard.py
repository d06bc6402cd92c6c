"""Work on a batch's items one by one in a forked child that this process watches and kills when one goes over
its budget of time or memory; an item whose child dies takes only itself with it.

Forked, not spawned: the child starts with jieba's dictionary and OpenCC already loaded (copy-on-write, a few
milliseconds per batch). The budget is enforced from outside the process doing the work, so a regular
expression stuck in C code or a runaway allocation cannot escape it; SIGTERM and Ctrl-C reach this process,
which waits in a poll loop, and the child is killed on the way out. Linux only (/proc, fork).
"""
from __future__ import annotations

import atexit
import contextlib
import faulthandler
import functools
import gc
import os
import pickle
import re
import select
import signal
import struct
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY = 2 * 2**30
# How often the parent looks at the child's clock and memory.
TICK_S = 0.05
_PAGE = os.sysconf("SC_PAGE_SIZE")
_HEADER = struct.Struct("<Q")
_UNITS = {"": 2**20, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


@dataclass(frozen=True)
class Budget:
    """What one item may cost: seconds of wall time and bytes of memory added to its process (0: no limit)."""

    seconds: float = DEFAULT_SECONDS
    memory: int = DEFAULT_MEMORY

    def describe(self) -> str:
        """The budget in words, for logs."""
        return (f"{_seconds(self.seconds) if self.seconds else 'no time limit'}, "
                f"{format_size(self.memory) if self.memory else 'no memory limit'} per document")


DEFAULT_BUDGET = Budget()


@dataclass(frozen=True)
class Outcome:
    """What became of one item: its result, or why there is none (kind 'failed', 'over' or 'died')."""

    kind: str  # done, failed (the work raised), over (over budget, killed), died (its process died)
    result: Any = None
    reason: str = ""
    seconds: float = 0.0  # wall time of the item, as the parent saw it
    memory: int = 0  # the most memory it had added to its process when the parent looked (every TICK_S)


def parse_size(text: str | int) -> int:
    """Bytes in a size such as 512M, 4G, 1.5GiB or 2048 (MiB when no unit is given); ValueError otherwise."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(text), re.IGNORECASE)
    if not found:
        raise ValueError(f"not a size: {text!r} (write e.g. 512M, 4G or 0 for no limit)")
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def format_size(n: int) -> str:
    """A byte count the way parse_size reads it back (4G, 512M)."""
    if n == 0:
        return "0"
    for unit in ("T", "G", "M", "K"):
        size = _UNITS[unit.lower()]
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return f"{n / 2**20:.1f}M"


def _seconds(s: float) -> str:
    return f"{s:g}s"


def rss(pid: int | str = "self") -> int:
    """Resident memory of a process in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def run_guarded(work: Callable[[Any], Any], items: Sequence, budget: Budget,
                then: Callable[[Any], Any] | None = None) -> list[Outcome]:
    """work(item) for every item, in forked children under budget; an Outcome per item, in order.

    The child streams each result back as it finishes, so the results of items done before one that goes over
    budget or dies are kept; a new child takes the items after it. then(result), if given, runs here on each
    result as it arrives, while the child works on the next item (it is not under the budget; its exception
    makes the item failed); its return value is the item's result. Where keep_children() was called, a child
    that finished every item waits for the next call's items instead of exiting.
    """
    outcomes: list[Outcome | None] = [None] * len(items)
    start = 0
    child = _take_resident(work, items, budget) if items else None
    while start < len(items):
        if child is None:
            child = _Child(work, items, start, budget)
        child.then = then
        try:
            start = child.watch(outcomes)
        finally:
            if child.waiting and _keep and start >= len(items):
                _give_back(child)
            else:
                child.kill()
        child = None
    return outcomes  # type: ignore[return-value]


# Whether a child that finished its items is kept for the next run_guarded call of this process (keep_children),
# and the one kept. A worker process turns this on: forking per batch cost ~0.4 ms a short document (the copied
# page tables and pages, the caches each new child fills again). Elsewhere every call forks its own child, so a
# test's monkeypatch reaches the child.
_keep = False
_resident: _Child | None = None
_resident_lock = threading.Lock()


def keep_children() -> None:
    """Keep a guard child between run_guarded calls in this process (for worker processes; see _keep)."""
    global _keep
    if not _keep:
        _keep = True
        atexit.register(release_children)


def release_children() -> None:
    """End the child kept between calls, if there is one."""
    global _resident
    with _resident_lock:
        child, _resident = _resident, None
    if child is not None:
        child.kill()


def _take_resident(work: Callable, items: Sequence, budget: Budget) -> _Child | None:
    """The kept child with items handed to it, or None (none kept, it is gone, or the work cannot be sent)."""
    global _resident
    with _resident_lock:
        child, _resident = _resident, None
    if child is None:
        return None
    if child.owner != os.getpid() or not child.assign(work, items, budget):
        child.kill()
        return None
    return child


def _give_back(child: _Child) -> None:
    global _resident
    with _resident_lock:
        if _resident is None:
            _resident, child = child, None
    if child is not None:  # another thread's child is kept already
        child.kill()


class _Child:
    """One forked child working on items[start:], and what the parent knows of it."""

    def __init__(self, work: Callable, items: Sequence, start: int, budget: Budget):
        self.budget, self.count, self.start, self.then = budget, len(items), start, None
        prctl = _prctl()
        read_fd, write_fd = os.pipe()
        job_read, job_write = os.pipe()  # later items, for a child kept between calls
        parent = os.getpid()
        with warnings.catch_warnings():  # Python 3.12 warns about forking a process that has threads
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            os.close(job_write)
            with contextlib.suppress(Exception):  # a kept child's job pipe is not this one's to hold open
                if _resident is not None and _resident.owner == parent:
                    os.close(_resident.job_fd)
            _child_main(write_fd, job_read, prctl, parent, work, items, start, budget)
        os.close(write_fd)
        os.close(job_read)
        self.pid, self.fd, self.job_fd, self.status, self.owner = pid, read_fd, job_write, None, parent
        self.buffer = bytearray()
        self.waiting = False

    def assign(self, work: Callable, items: Sequence, budget: Budget) -> bool:
        """Hand a waiting child new items; False if it is gone or they cannot be pickled."""
        if self.status is not None or self._reap(block=False):
            return False
        try:
            payload = pickle.dumps((work, list(items), budget), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # e.g. a closure: a new child inherits it instead
            return False
        try:
            _write(self.job_fd, payload)
        except OSError:
            return False
        self.budget, self.count, self.start, self.waiting = budget, len(items), 0, False
        return True

    def watch(self, outcomes: list) -> int:
        """Collect the child's results until it ends; the index of the first item it left undone."""
        self.outcomes, self.current, self.since, self.base, self.next = outcomes, None, 0.0, 0, self.start
        self.peak = 0
        checked = time.monotonic()
        while True:
            messages = self._receive(TICK_S)
            now = time.monotonic()
            # While results stream in, the clock, memory and exit status are looked at once a tick, not per message.
            due = not messages or now - checked >= TICK_S
            ended = messages is _EOF or (due and self._reap(block=False))
            if ended:
                messages = ([] if messages is _EOF else messages) + self._drain()
            for message in messages:
                finished = self._take(message)
                if finished is not None:
                    if not self.waiting:
                        self._reap(block=True)
                    return finished
            if ended:
                self._reap(block=True)
                if self.current is None:  # between items: nothing is lost
                    return self.next
                outcomes[self.current] = self._outcome("died", f"its worker process died ({self.death()}) "
                                                               f"while processing it")
                return self.current + 1
            if self.current is None or not due:
                continue
            checked = now
            elapsed = now - self.since
            if self.budget.seconds and elapsed > self.budget.seconds:
                self.kill()
                outcomes[self.current] = self._outcome("over", (
                    f"over the time budget: still processing after {elapsed:.0f}s, limit "
                    f"{_seconds(self.budget.seconds)} per document (--doc-seconds)"))
                return self.current + 1
            grown = rss(self.pid) - self.base
            self.peak = max(self.peak, grown)
            if self.budget.memory and grown > self.budget.memory:
                self.kill()
                outcomes[self.current] = self._outcome("over", (
                    f"over the memory budget: used {grown / 2**20:.0f}M more, limit "
                    f"{format_size(self.budget.memory)} per document (--doc-memory)"))
                return self.current + 1

    def _take(self, message: tuple) -> int | None:
        """Note one message of the child; the index to go on from when it says it has stopped."""
        kind = message[0]
        if kind == "start":
            self.current, self.since, self.base, self.peak = message[1], time.monotonic(), message[2], 0
        elif kind in ("done", "failed"):
            outcome = self._outcome(kind, message[2])
            self.current, self.next = None, message[1] + 1
            if kind == "done" and self.then is not None:
                try:
                    outcome = Outcome("done", self.then(outcome.result), seconds=outcome.seconds,
                                      memory=outcome.memory)
                except Exception as err:
                    outcome = Outcome("failed", reason=f"{type(err).__name__}: {err}", seconds=outcome.seconds,
                                      memory=outcome.memory)
            self.outcomes[message[1]] = outcome
        elif kind == "recycle":  # it let go of the memory earlier items left it holding
            return self.next
        elif kind == "end":  # every item done; it waits for the next call's items (a kept child)
            self.waiting = True
            return self.count
        elif kind == "end-exit":  # every item done, and it exits (nothing keeps it, or it holds memory to let go)
            return self.count
        return None

    def _outcome(self, kind: str, detail: Any) -> Outcome:
        """The outcome of the current item, with what it cost."""
        seconds = time.monotonic() - self.since
        if kind == "done":
            return Outcome(kind, detail, seconds=seconds, memory=self.peak)
        return Outcome(kind, reason=detail, seconds=seconds, memory=self.peak)

    def _receive(self, timeout: float):
        """The complete messages that arrive within timeout ([] if none), or _EOF once the pipe is closed."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            return _EOF
        self.buffer += chunk
        messages = []
        while True:
            if len(self.buffer) < _HEADER.size:
                break
            (size,) = _HEADER.unpack_from(self.buffer)
            if len(self.buffer) < _HEADER.size + size:
                # A large result: read the rest now; the child is writing it and nothing else.
                more = self._read_rest(_HEADER.size + size - len(self.buffer))
                if more is None:
                    break
                self.buffer += more
            messages.append(pickle.loads(memoryview(self.buffer)[_HEADER.size:_HEADER.size + size]))
            del self.buffer[:_HEADER.size + size]
        return messages

    def _read_rest(self, missing: int) -> bytes | None:
        """missing more bytes of a message, or None if the child dies before sending them."""
        parts, got = [], 0
        while got < missing:
            ready, _, _ = select.select([self.fd], [], [], TICK_S)
            if not ready:
                if self._reap(block=False):
                    return None
                continue
            chunk = os.read(self.fd, min(missing - got, 1 << 24))
            if not chunk:
                return None
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def _drain(self) -> list:
        """The complete messages still in the pipe of a child that has ended."""
        messages = []
        while True:
            batch = self._receive(0)
            if batch is _EOF or not batch:
                return messages
            messages.extend(batch)

    def _reap(self, block: bool) -> bool:
        """True once the child has exited (its status kept)."""
        if self.status is None:
            try:
                pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid == 0:
                return False
            self.status = status
        return True

    def death(self) -> str:
        """How the child ended, in words."""
        if self.status is None:
            return "still running"
        if os.WIFSIGNALED(self.status):
            sig = os.WTERMSIG(self.status)
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            why = {"SIGKILL": ", e.g. by the kernel out of memory", "SIGSEGV": ", a crash in native code"}
            return f"killed by {name}{why.get(name, '')}"
        return f"exit code {os.waitstatus_to_exitcode(self.status)}"

    def kill(self) -> None:
        """Kill the child if it still runs and let go of its pipe."""
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap(block=True)
        for name in ("fd", "job_fd"):
            if getattr(self, name) >= 0:
                os.close(getattr(self, name))
                setattr(self, name, -1)


_EOF = object()


@functools.lru_cache(maxsize=1)
def _prctl() -> Callable | None:
    """libc's prctl (looked up in the parent, once), or None where there is none."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def exit_with_parent(poll_seconds: float = 1.0) -> None:
    """End this process within poll_seconds of its parent's end, however that came (SIGKILL, the OOM killer), and
    leave Ctrl-C to the parent.

    For the processes a pool starts (workers, the validator), which outlived a killed run for good. Not the kernel's
    parent-death signal: that follows the thread that started the process, and a pool may start its processes
    from a thread that ends before the pool does. Ctrl-C at a terminal reaches the whole process group; the parent
    stops its pools itself, and a pool process waiting for work printed KeyboardInterrupt's traceback there.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Have the kernel send signum to this process when its parent (pid parent) dies (Linux); exit at once if it
    has died already. Follows the parent's thread that started this process (see exit_with_parent)."""
    _die_with_parent(_prctl(), parent, signum)


def _die_with_parent(prctl: Callable | None, parent: int, signum: int = signal.SIGKILL) -> None:
    """Have the kernel kill this process when its parent dies (Linux), so no child outlives a killed run."""
    if prctl is not None:
        prctl(1, signum)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the line above took effect
        os._exit(1)


def _child_main(fd: int, job_fd: int, prctl: Callable | None, parent: int, work: Callable, items: Sequence,
                start: int, budget: Budget) -> None:
    """The child's whole life: work on items[start:] and send each outcome, then on the items each later job
    brings (until the job pipe closes); exit without running any cleanup."""
    try:
        # The parent decides when this process ends: Ctrl-C at a terminal reaches the whole process group, and
        # the handlers inherited from the parent would raise exceptions in the middle of an item.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        warnings.simplefilter("ignore")  # nothing is written from here: a lock held at fork time could hang it
        faulthandler.disable()  # a crash is reported by the parent, in one line
        _die_with_parent(prctl, parent)
        gc.freeze()  # the collector walks only what this child allocates; the inherited heap stays shared
        base = rss()
        while True:
            for i in range(start, len(items)):
                _send(fd, ("start", i, rss()))
                try:
                    message = pickle.dumps(("done", i, work(items[i])), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as err:
                    message = pickle.dumps(("failed", i, f"{type(err).__name__}: {err}"))
                _write(fd, message)
                # Memory an item left behind (freed but kept by the allocator) would count against the next one.
                if budget.memory and rss() - base > budget.memory // 2:
                    _send(fd, ("recycle",) if i + 1 < len(items) else ("end-exit",))
                    os._exit(0)
            if not _keep:  # a child of a process that keeps none exits once its items are done, as it always did
                _send(fd, ("end-exit",))
                break
            _send(fd, ("end",))
            job = _read_message(job_fd)
            if job is None:
                break
            (work, items, budget), start = pickle.loads(job), 0
    except BaseException:  # (the parent sees the exit code and records the item it was on)
        os._exit(70)
    os._exit(0)


def _read_message(fd: int) -> bytes | None:
    """One length-prefixed message from fd, or None at its end."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    return _read_exactly(fd, _HEADER.unpack(header)[0])


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts, got = [], 0
    while got < size:
        chunk = os.read(fd, size - got)
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _send(fd: int, message: tuple) -> None:
    _write(fd, pickle.dumps(message))


def _write(fd: int, payload: bytes) -> None:
    for part in (_HEADER.pack(len(payload)), payload):
        data = memoryview(part)
        while data:
            data = data[os.write(fd, data):]


def child_pids(pid: int | None = None) -> list[int]:
    """The processes whose parent is pid (this process by default), from /proc."""
    pid = os.getpid() if pid is None else pid
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # after the command name, which may hold spaces
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def end_children(grace: float = 3.0) -> None:
    """SIGTERM the processes this process started, SIGKILL those still there after grace seconds."""
    pids = child_pids()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while pids and time.monotonic() < deadline:
            pids = [pid for pid in pids if not _gone(pid)]
            time.sleep(0.05)
        if not pids:
            return


def _gone(pid: int) -> bool:
    """True once pid has exited (reaped here if it is this process's child)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == pid
    except ChildProcessError:  # not ours to reap: look whether it is still there
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
