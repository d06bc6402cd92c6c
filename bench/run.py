"""Benchmark the fazhi flow against the floor (t2s + jieba.lcut in a plain loop) and the issue's targets.

    python bench/run.py                                  # start-up, short pages, own corpus
    python bench/run.py --parts startup,short --short-docs 2000 --repeat 3
    python bench/run.py --parts own --docs 20000 --workers 2 --only-memory

Three parts, in one run:
- startup: `fazhi run` on the bundled sample, process start to exit (the first run in a new PREFECT_HOME, then
  warm runs, then an unchanged rerun).
- short: a short-page corpus of N and 2N documents (~3 KB each) built by ../shared/bench/perf_corpus.py from
  the real pages of ../shared/corpus; the floor (../shared/bench/floor.py); one and two workers (with
  --repeat, in rounds: the floor and each configuration once a round, so ratios compare runs made close
  together); an unchanged rerun of N documents with `fazhi run`; time per stage per document. Skipped, saying
  so, without ../shared.
- own: the project's own corpus (bench/corpus.py recombines the sample's paragraphs, ~9.6 KB a document).

Every flow runs in a fresh process into a fresh warehouse. Each run's wall time, CPU time of its whole process
tree (from the kernel), CPU and peak memory per process role (flow, worker, Prefect server), and the ratios the
targets are stated in are printed. The marginal throughput is the time for 2N documents minus the time for N.
On a shared machine the wall times move with the load (3-6x on a 2-core machine running other test suites); CPU
times and the idle-machine bound (the least wall time the CPU times allow on the cores there are) move much less
(measured: +-25% when the cores are oversubscribed), peak memory hardly at all. bench/stages.py gives per-stage
ratios to the floor within one process, the steadiest numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import SAMPLE, build

STAGES = ("ingest", "normalize", "segment", "extract", "load", "validate")
# Issue 18's targets, on the short-page corpus: one worker against the floor, two against one, memory with two
# workers at 4,000 documents, `fazhi run` on the sample from process start to exit.
TARGETS = {"floor_ratio": 0.6, "two_worker_speedup": 1.7, "peak_mb_two_workers": 1500.0, "startup_seconds": 5.0}


class PeakMemory:
    """Samples the summed resident memory and the CPU time of a process and all its descendants until stopped.

    CPU time is kept per process (its last sample) and per role (flow, worker, server), so a run's CPU can be
    told apart from the machine's noise: other programs slow a run's wall time, not its instructions.
    """

    def __init__(self, pid: int, every: float = 0.1):
        import psutil

        self.process = psutil.Process(pid)
        self.every = every
        self.peak_total = 0
        self.peak_single = 0
        self.peak_pss = 0
        self.peak_by_role: dict[str, int] = {}
        self.cpu: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _role(self, proc) -> str:
        if proc.pid == self.process.pid:
            return "flow"
        try:
            cmd = " ".join(proc.cmdline())
        except Exception:
            return "other"
        if "uvicorn" in cmd or "fazhi.server_process" in cmd:
            return "server"
        if "spawn_main" in cmd or "multiprocessing-fork" in cmd:
            return "worker"
        return "other"

    def _sample(self) -> None:
        import psutil

        tick = 0
        while not self._stop.is_set():
            # PSS walks each process's page tables (~5 ms for a 700 MB worker): read every 10th tick, ~1 s, so the
            # monitor does not take a sizeable share of 2 cores from the run it measures (memory is flat anyway).
            with_pss, tick = tick % 10 == 0, tick + 1
            try:
                tree = [self.process] + self.process.children(recursive=True)
            except psutil.Error:
                break
            sizes, shares = [], []
            by_role: dict[str, int] = {}
            for proc in tree:
                try:
                    rss = proc.memory_info().rss
                    times = proc.cpu_times()
                    # PSS: a page shared by n processes (a forked child's copy-on-write pages) counts 1/n in each;
                    # summed RSS counts it n times.
                    if with_pss:
                        shares.append(proc.memory_full_info().pss)
                except psutil.Error:
                    continue
                sizes.append(rss)
                # A child seen between fork and exec still shows its parent's command line: asked again later.
                known = self.cpu.get(proc.pid, ("other",))[0]
                role = known if known != "other" else self._role(proc)
                self.cpu[proc.pid] = (role, times.user + times.system)
                by_role[role] = by_role.get(role, 0) + rss
            if sizes:
                self.peak_total = max(self.peak_total, sum(sizes))
                if with_pss:
                    self.peak_pss = max(self.peak_pss, sum(shares))
                self.peak_single = max(self.peak_single, max(sizes))
                for role, rss in by_role.items():
                    self.peak_by_role[role] = max(self.peak_by_role.get(role, 0), rss)
            self._stop.wait(self.every)

    def stop(self) -> tuple[float, float]:
        self._stop.set()
        self._thread.join()
        return self.peak_total / 2**20, self.peak_single / 2**20

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds per role as last sampled (a process's last 0.1 s may be missed)."""
        out: dict[str, float] = {}
        for role, seconds in self.cpu.values():
            out[role] = round(out.get(role, 0.0) + seconds, 2)
        return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(cmd: list[str], env: dict, log: Path, cwd: Path = ROOT) -> tuple[subprocess.CompletedProcess, dict]:
    """Run cmd to its end; its output, and wall time, CPU time and peak memory of its whole process tree.

    The tree's CPU comes from the kernel (every descendant that was waited for), exact whatever the machine's
    load; the per-role split and the RSS peaks are sampled every 0.1 s, the PSS peak every 1 s.
    """
    cpu_before = _children_cpu()
    started = time.monotonic()
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        memory = PeakMemory(proc.pid)
        stdout, _ = proc.communicate()
        wall = time.monotonic() - started
        peak_total, peak_single = memory.stop()
    numbers = {"wall_seconds": round(wall, 3), "cpu_seconds": round(_children_cpu() - cpu_before, 3),
               "cpu_by_role": memory.cpu_by_role(), "peak_mb": round(peak_total, 1),
               "peak_single_mb": round(peak_single, 1), "peak_pss_mb": round(memory.peak_pss / 2**20, 1),
               "peak_mb_by_role": {r: round(v / 2**20, 1) for r, v in memory.peak_by_role.items()}}
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, None), numbers


def run_flow(corpus: Path, warehouse: Path, workers: int, task_runner: str, env: dict, fresh: bool = True,
             batch_size: int | None = None) -> dict:
    """Run the flow in a new process; returns its summary plus wall time, CPU time and peak memory."""
    if fresh:
        clear_warehouse(warehouse)
    cmd = [sys.executable, "-m", "bench.flow_once", "--input", str(corpus), "--warehouse", str(warehouse),
           "--workers", str(workers), "--task-runner", task_runner]
    if batch_size:
        cmd += ["--batch-size", str(batch_size)]
    log = warehouse.with_suffix(".log")
    proc, numbers = measured(cmd, env, log)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("FLOW-SUMMARY ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"flow run failed (exit {proc.returncode}); see {log}")
    summary = json.loads(lines[-1][len("FLOW-SUMMARY "):])
    summary.update(numbers)
    return summary


def clear_warehouse(warehouse: Path) -> None:
    """Remove a warehouse and everything beside it that bears its name (snapshot, WAL, data docs, log)."""
    for stale in warehouse.parent.glob(warehouse.stem + "*"):
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink()


def run_cli(args: list[str], env: dict, log: Path) -> dict:
    """`fazhi ARGS` as a user runs it (process start to exit): wall, CPU and memory of its tree."""
    proc, numbers = measured([sys.executable, "-m", "fazhi", *args], env, log)
    if proc.returncode != 0:
        raise SystemExit(f"`fazhi {' '.join(args)}` failed (exit {proc.returncode}); see {log}")
    return numbers


def run_floor(corpus: Path, env: dict) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.floor", str(corpus)], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads([ln for ln in out.splitlines() if ln.startswith("FLOOR ")][-1][len("FLOOR "):])


def stage_line(summary: dict) -> str:
    seconds = summary.get("stage_seconds", {})
    parts = [f"{s} {seconds[s]:.1f}s" if s in seconds else f"{s} n/a" for s in STAGES]
    others = [f"{k} {v:.1f}s" for k, v in seconds.items() if k not in STAGES]
    return ", ".join(parts + others)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def median_run(times: int, run, key: str = "wall_seconds") -> dict:
    """The run (a dict of numbers) with the median key out of times tries; every try's key is kept as "tries"."""
    return median_of([run() for _ in range(max(1, times))], key)


def median_of(runs: list[dict], key: str = "wall_seconds") -> dict:
    """The run with the median key among runs; every run's key is kept as "tries"."""
    runs = sorted(runs, key=lambda r: r[key])
    chosen = dict(runs[len(runs) // 2])
    chosen["tries"] = [r[key] for r in runs]
    return chosen


def spread(values: list[float]) -> str:
    return f" (tries {', '.join(f'{v:.1f}' for v in values)})" if len(values) > 1 else ""


def roles(numbers: dict) -> str:
    cpu = numbers.get("cpu_by_role", {})
    mem = numbers.get("peak_mb_by_role", {})
    return ", ".join(f"{r} {cpu.get(r, 0):.1f}s CPU / {mem.get(r, 0):.0f} MB" for r in ("flow", "worker", "server", "other")
                     if r in cpu or r in mem)


def per_document(summary: dict, docs: int) -> str:
    seconds = summary.get("stage_seconds", {})
    return ", ".join(f"{s} {1000 * seconds[s] / max(docs, 1):.1f}" for s in STAGES if s in seconds)


def startup_part(args, env: dict, work: Path, results: dict) -> dict:
    """`fazhi run` on the bundled sample, process start to exit: the first run in a new PREFECT_HOME, then warm ones."""
    home = work / "startup-prefect-home"
    shutil.rmtree(home, ignore_errors=True)
    env = dict(env, PREFECT_HOME=str(home))
    warehouse = work / "startup" / "fazhi.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)

    def once() -> dict:
        clear_warehouse(warehouse)
        return run_cli(["run", "--warehouse", str(warehouse)], env, work / "startup.log")

    first = once()  # Prefect creates its database: once per install
    warm = median_run(args.repeat, once)
    rerun = median_run(args.repeat, lambda: run_cli(["run", "--warehouse", str(warehouse)], env,
                                                    work / "startup-rerun.log"))
    results["startup"] = {"first": first, "warm": warm, "unchanged_sample": rerun}
    print(f"start-up, `fazhi run` on the sample (5 documents), process start to exit:\n"
          f"  first run in a new PREFECT_HOME: {first['wall_seconds']:.1f}s wall, {first['cpu_seconds']:.1f}s CPU "
          f"({roles(first)})\n"
          f"  warm: {warm['wall_seconds']:.1f}s wall{spread(warm['tries'])}, {warm['cpu_seconds']:.1f}s CPU "
          f"({roles(warm)}); {verdict(warm['wall_seconds'] <= TARGETS['startup_seconds'])} (target <= "
          f"{TARGETS['startup_seconds']:.0f}s; CPU/2 cores = {warm['cpu_seconds'] / 2:.1f}s is the least wall time "
          f"an idle machine could reach)\n"
          f"  unchanged rerun of the sample: {rerun['wall_seconds']:.1f}s wall{spread(rerun['tries'])}, "
          f"{rerun['cpu_seconds']:.1f}s CPU", flush=True)
    standing = standing_server_runs(args, env, once, home)
    if standing:
        results["startup"]["standing_server"] = standing
        print(f"  warm, with a standing `prefect server start` (PREFECT_API_URL set): "
              f"{standing['wall_seconds']:.1f}s wall{spread(standing['tries'])}, {standing['cpu_seconds']:.1f}s CPU "
              f"({roles(standing)}); {verdict(standing['wall_seconds'] <= TARGETS['startup_seconds'])}", flush=True)
    return warm


def standing_server_runs(args, env: dict, once, home: Path) -> dict | None:
    """Warm runs against a `prefect server start` of their own, started before and stopped after; None if it
    does not come up."""
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
                               str(port), "--no-ui"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            print("  (the standing server did not come up in 90 s: not measured)")
            return None
        env["PREFECT_API_URL"] = url  # once() runs with this env
        try:
            return median_run(args.repeat, once)
        finally:
            env.pop("PREFECT_API_URL")
    finally:
        server.terminate()
        server.wait(timeout=30)


def short_part(args, env: dict, work: Path, results: dict, startup: dict | None) -> None:
    """The short-page corpus (real pages of ../shared recombined, ~3 KB each): floor, workers, rerun, stages."""
    shared = args.shared
    builder = shared / "bench" / "perf_corpus.py"
    sources = [shared / "corpus" / "seeds", shared / "corpus" / "dev"]
    if not builder.is_file() or not all(s.is_dir() for s in sources):
        print(f"\nshort pages: skipped, {shared} has no bench/perf_corpus.py and corpus/seeds, corpus/dev "
              f"(--shared DIR points elsewhere)", flush=True)
        results["short"] = {"skipped": f"{shared} not found"}
        return
    n = args.short_docs
    corpora = {}
    for size in (n, 2 * n):
        corpora[size] = work / f"short-{size}"
        out = subprocess.run([sys.executable, str(builder), str(size), str(corpora[size]), *map(str, sources)],
                             capture_output=True, text=True, check=True).stdout.strip()
        corpora[size, "bytes"] = sum(p.stat().st_size for p in corpora[size].iterdir())
    print(f"\nshort pages: {n} and {2 * n} documents recombined from {shared}/corpus ({out}; "
          f"{corpora[2 * n, 'bytes'] / 2 / n / 1e3:.1f} KB a document)", flush=True)
    entry: dict = {"docs": n, "workers": {}}
    results["short"] = entry
    run_flow(SAMPLE, work / "short-warm-up.duckdb", 1, "process", env)  # a new PREFECT_HOME's database, made once

    floor_script = shared / "bench" / "floor.py"
    floor_runs = []
    configs = [(w, size) for w in args.worker_counts for size in (n, 2 * n)]
    tries: dict = {c: [] for c in configs}
    # Round by round, each round the floor and every configuration once: on a shared machine whose speed drifts
    # by tens of percent over minutes, the ratios then compare runs made under the same conditions.
    for _ in range(max(1, args.repeat)):
        if floor_script.is_file():
            out = subprocess.run([sys.executable, str(floor_script), str(corpora[2 * n])], env=env,
                                 capture_output=True, text=True, check=True).stdout
            floor_runs.append(float(out.strip().splitlines()[-1]))
        for w, size in configs:
            tries[w, size].append(run_flow(corpora[size], work / f"short-w{w}-{size}.duckdb", w, args.task_runner,
                                           env, batch_size=args.batch_size))
    ours = run_floor(corpora[2 * n], env)  # the same loop, with its CPU time
    floor_wall = statistics.median(floor_runs) if floor_runs else ours["seconds"]
    floor_rate = 2 * n / floor_wall
    floor_cpu_per_doc = ours["cpu_seconds"] / ours["documents"]
    entry["floor"] = {"seconds": floor_wall, "tries": floor_runs, "cpu_seconds": ours["cpu_seconds"],
                      "docs_per_s": round(floor_rate, 2)}
    print(f"  floor ({floor_script if floor_runs else 'bench.floor'}, {2 * n} documents): {floor_wall:.1f}s"
          f"{spread(floor_runs)} = {floor_rate:.1f} docs/s; its loop's CPU {ours['cpu_seconds']:.1f}s = "
          f"{1000 * floor_cpu_per_doc:.1f} ms CPU a document", flush=True)

    for w in args.worker_counts:
        one, two = median_of(tries[w, n]), median_of(tries[w, 2 * n])
        marginal = two["wall_seconds"] - one["wall_seconds"]
        marginal_cpu = two["cpu_seconds"] - one["cpu_seconds"]
        flow_cpu = two["cpu_by_role"].get("flow", 0) - one["cpu_by_role"].get("flow", 0)
        worker_cpu = two["cpu_by_role"].get("worker", 0) - one["cpu_by_role"].get("worker", 0)
        e = {"n": one, "2n": two, "marginal_seconds": round(marginal, 3), "marginal_cpu_seconds": round(marginal_cpu, 3),
             "marginal_docs_per_s": round(n / marginal, 2) if marginal > 0 else None,
             "marginal_flow_cpu": round(flow_cpu, 3), "marginal_worker_cpu": round(worker_cpu, 3)}
        # On an idle machine the marginal wall time is at least the flow process's CPU and the total CPU over the
        # cores the run can use (each worker is two processes: it and its guard child, which overlap): a bound
        # that other programs' load does not move.
        e["idle_bound_seconds"] = round(max(marginal_cpu / min(2 * w, os.cpu_count() or 1), flow_cpu), 3)
        entry["workers"][w] = e
        print(f"  {w} worker(s):", flush=True)
        for label, r, size in (("N", one, n), ("2N", two, 2 * n)):
            print(f"    {label}={size}: {r['wall_seconds']:.1f}s wall{spread(r['tries'])}, {r['cpu_seconds']:.1f}s CPU "
                  f"({roles(r)}); peak memory {r['peak_mb']:.0f} MB RSS, {r['peak_pss_mb']:.0f} MB PSS; loaded {r['loaded']}, figures {r['figures']}")
        print(f"    marginal {n} documents: {marginal:.1f}s wall = {e['marginal_docs_per_s']} docs/s; "
              f"{marginal_cpu:.1f}s CPU = {1000 * marginal_cpu / n:.1f} ms CPU a document (flow process "
              f"{flow_cpu:.1f}s, workers {worker_cpu:.1f}s); idle-machine bound {e['idle_bound_seconds']:.1f}s",
              flush=True)
        print(f"    ms a document per stage at 2N (wall inside the process doing it, summed over workers): "
              f"{per_document(two, 2 * n)}", flush=True)

    one_w = entry["workers"].get(1)
    if one_w and one_w["marginal_docs_per_s"]:
        ratio = one_w["marginal_docs_per_s"] / floor_rate
        cpu_ratio = floor_cpu_per_doc / (one_w["marginal_cpu_seconds"] / n) if one_w["marginal_cpu_seconds"] > 0 else 0
        entry["floor_ratio"], entry["floor_ratio_cpu"] = round(ratio, 3), round(cpu_ratio, 3)
        print(f"  one worker, marginal throughput / floor: {ratio:.2f} by wall time, {cpu_ratio:.2f} by CPU time; "
              f"{verdict(ratio >= TARGETS['floor_ratio'])} (target >= {TARGETS['floor_ratio']})")
    if 1 in entry["workers"] and 2 in entry["workers"]:
        a, b = entry["workers"][1], entry["workers"][2]
        if a["marginal_docs_per_s"] and b["marginal_docs_per_s"]:
            speedup = b["marginal_docs_per_s"] / a["marginal_docs_per_s"]
            # The most two workers can gain over this one-worker run: the cores one worker left idle (on 2 cores a
            # worker and its guard child already keep both busy much of the time).
            bound = a["marginal_seconds"] / b["idle_bound_seconds"] if b["idle_bound_seconds"] else 0
            whole = a["2n"]["wall_seconds"] / b["2n"]["wall_seconds"]
            entry["two_worker_speedup"], entry["two_worker_speedup_idle_bound"] = round(speedup, 3), round(bound, 3)
            print(f"  two workers / one worker, marginal throughput: {speedup:.2f}x measured "
                  f"{verdict(speedup >= TARGETS['two_worker_speedup'])} (target >= {TARGETS['two_worker_speedup']}x); "
                  f"at most {bound:.2f}x here by CPU time (one worker's wall time over the least two workers' CPU allows on "
                  f"{os.cpu_count()} cores); whole runs of {2 * n}: {whole:.2f}x")
        peak, pss = b["2n"]["peak_mb"], b["2n"]["peak_pss_mb"]
        # Judged by PSS, the memory the machine must have: summed RSS counts the pages a forked guard child
        # shares with its worker twice.
        print(f"  peak memory, two workers, {2 * n} documents: {pss:.0f} MB proportional (PSS; {peak:.0f} MB summed "
              f"RSS; {roles(b['2n'])}); {verdict(pss < TARGETS['peak_mb_two_workers'])} (target < "
              f"{TARGETS['peak_mb_two_workers']:.0f} MB at 4,000)", flush=True)
    if one_w:
        # As a user reruns: the command, over the folder the one-worker run loaded.
        db = work / f"short-w{args.worker_counts[0]}-{n}.duckdb"
        env_cli = dict(env, PREFECT_HOME=str(work / "startup-prefect-home"))
        rerun = median_run(args.repeat, lambda: run_cli(["run", "--input", str(corpora[n]), "--warehouse", str(db)],
                                                        env_cli, work / "short-rerun.log"))
        entry["rerun"] = rerun
        allowed = (startup["wall_seconds"] + 1) if startup else None
        print(f"  unchanged rerun of {n} documents (`fazhi run`): {rerun['wall_seconds']:.1f}s wall"
              f"{spread(rerun['tries'])}, {rerun['cpu_seconds']:.1f}s CPU ({roles(rerun)})" +
              (f"; start-up + 1 s = {allowed:.1f}s: {verdict(rerun['wall_seconds'] <= allowed)}" if allowed else ""),
              flush=True)


def own_part(args, env: dict, work: Path, results: dict) -> None:
    """The project's own corpus (the sample's paragraphs recombined, ~9.6 KB a document): as issue 6 measured."""
    n = args.docs
    workers = args.worker_counts
    t = time.monotonic()
    corpora = {}
    for size in (1, n, 2 * n):
        corpora[size] = work / f"corpus-{size}-seed{args.seed}"
        info = build(corpora[size], size, seed=args.seed)
        corpora[size, "bytes"] = info["bytes"]
    print(f"\nown corpus: {n} documents, {corpora[n, 'bytes'] / 1e6:.1f} MB ({2 * n}: "
          f"{corpora[2 * n, 'bytes'] / 1e6:.1f} MB), built in {time.monotonic() - t:.1f}s", flush=True)
    own: dict = {"docs": n, "bytes": corpora[n, "bytes"], "workers": {}}
    results["own"] = own

    # The first run in a new PREFECT_HOME migrates Prefect's database: a one-time install cost, not start-up.
    run_flow(corpora[1], work / "warm-up.duckdb", 1, "process", env)
    fixed = run_flow(corpora[1], work / "fixed.duckdb", 1, "process", env)
    own["fixed_seconds"] = fixed["wall_seconds"]
    print(f"  fixed cost of the flow (a run over 1 document, process start to exit): {fixed['wall_seconds']:.1f}s "
          f"wall, {fixed['cpu_seconds']:.1f}s CPU (Python imports {fixed['import_seconds']:.1f}s; {stage_line(fixed)})",
          flush=True)

    for w in workers:
        one = run_flow(corpora[n], work / f"w{w}-n.duckdb", w, args.task_runner, env, batch_size=args.batch_size)
        two = run_flow(corpora[2 * n], work / f"w{w}-2n.duckdb", w, args.task_runner, env,
                       batch_size=args.batch_size)
        marginal = two["wall_seconds"] - one["wall_seconds"]
        entry = {"n": one, "2n": two, "marginal_seconds": round(marginal, 3),
                 "marginal_cpu_seconds": round(two["cpu_seconds"] - one["cpu_seconds"], 3),
                 "marginal_docs_per_s": round(n / marginal, 2) if marginal > 0 else None,
                 "marginal_mb_per_s": round((corpora[2 * n, "bytes"] - corpora[n, "bytes"]) / 1e6 / marginal, 3)
                 if marginal > 0 else None}
        own["workers"][w] = entry
        print(f"  {w} worker(s):", flush=True)
        for label, r, size in (("N", one, n), ("2N", two, 2 * n)):
            print(f"    {label}={size}: {r['wall_seconds']:.1f}s wall, {r['cpu_seconds']:.1f}s CPU, "
                  f"{size / r['wall_seconds']:.1f} docs/s, {corpora[size, 'bytes'] / 1e6 / r['wall_seconds']:.2f} MB/s, "
                  f"loaded {r['loaded']}, figures {r['figures']}, peak memory {r['peak_mb']:.0f} MB ({roles(r)})")
            print(f"      stage seconds (summed over workers): {stage_line(r)}")
        print(f"    marginal: {marginal:.1f}s for {n} more documents = {entry['marginal_docs_per_s']} docs/s, "
              f"{entry['marginal_mb_per_s']} MB/s, {entry['marginal_cpu_seconds']:.1f}s CPU; memory "
              f"{two['peak_mb'] / max(one['peak_mb'], 1):.2f}x for 2x the corpus", flush=True)
        if args.only_memory:
            continue
        if w == workers[0]:
            rerun = run_flow(corpora[n], work / f"w{w}-n.duckdb", w, args.task_runner, env, fresh=False)
            entry["rerun"] = rerun
            print(f"    second run over the unchanged corpus: {rerun['wall_seconds']:.1f}s wall, "
                  f"{rerun['cpu_seconds']:.1f}s CPU (skipped {rerun['skipped']}, loaded {rerun['loaded']})", flush=True)

    if not args.only_memory:
        floor = run_floor(corpora[n], env)
        floor_rate = floor["documents"] / floor["seconds"]
        own["floor"] = floor
        print(f"  floor (t2s + jieba.lcut, plain loop, one process): {floor['seconds']:.1f}s for {n} documents = "
              f"{floor_rate:.1f} docs/s, {floor['cpu_seconds']:.1f}s CPU (+{floor['init_seconds']:.1f}s dictionary load)")
        base = own["workers"].get(1) or own["workers"][workers[0]]
        if base.get("marginal_docs_per_s"):
            own["floor_ratio"] = round(base["marginal_docs_per_s"] / floor_rate, 3)
            own["floor_ratio_cpu"] = round(floor["cpu_seconds"] / base["marginal_cpu_seconds"], 3) \
                if base["marginal_cpu_seconds"] > 0 else None
            print(f"  flow marginal throughput / floor, {workers[0]} worker(s): {own['floor_ratio']:.2f} by wall "
                  f"time, {own['floor_ratio_cpu']} by CPU time")
        if 1 in own["workers"] and 2 in own["workers"]:
            a, b = own["workers"][1]["marginal_docs_per_s"], own["workers"][2]["marginal_docs_per_s"]
            if a and b:
                own["two_worker_speedup"] = round(b / a, 3)
                print(f"  two workers / one worker, marginal throughput: {b / a:.2f}x")
    peaks = {w: e["2n"]["peak_mb"] for w, e in own["workers"].items()}
    print(f"  peak memory at 2N={2 * n}: " + ", ".join(f"{w} worker(s) {p:.0f} MB" for w, p in peaks.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="startup,short,own",
                        help="what to measure, comma-separated: startup, short (short pages of ../shared), own "
                             "(the project's recombined corpus); default all three")
    parser.add_argument("--docs", type=int, default=2000, help="N of the own corpus (2N are run too)")
    parser.add_argument("--short-docs", type=int, default=2000, help="N of the short-page corpus (2N are run too)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                        help="the shared folder with bench/perf_corpus.py, bench/floor.py and corpus/ (default ../shared)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="tries of each start-up, short-page run and floor; the median is reported")
    parser.add_argument("--workers", default="1,2", help="worker counts to run, comma-separated (default 1,2)")
    parser.add_argument("--task-runner", default="process", choices=("process", "dask"))
    parser.add_argument("--batch-size", type=int, default=None, help="documents per task (default: the flow's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work-dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "fazhi-bench")
    parser.add_argument("--only-memory", action="store_true",
                        help="own corpus: one run at N and one at 2N per worker count: peak memory and its growth only")
    parser.add_argument("--json", type=Path, default=None, help="also write every number to this file")
    args = parser.parse_args(argv)
    args.worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - {"startup", "short", "own"}
    if unknown:
        parser.error(f"unknown --parts {', '.join(sorted(unknown))}: use startup, short, own")
    work = args.work_dir
    work.mkdir(parents=True, exist_ok=True)

    env = dict(os.environ, PREFECT_HOME=str(work / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_LOGGING_LEVEL="WARNING", PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PREFECT_API_URL", None)  # the flow's own temporary server, as `fazhi run` on a laptop
    print(f"fazhi benchmark: parts {', '.join(sorted(parts))}, workers {args.worker_counts}, task runner "
          f"{args.task_runner}, work dir {work}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at "
          f"start (wall times grow with it; CPU times much less, up to ~25% on an oversubscribed machine)", flush=True)
    results: dict = {"targets": TARGETS, "load_average_start": os.getloadavg()[0]}
    startup = startup_part(args, env, work, results) if "startup" in parts else None
    if "short" in parts:
        short_part(args, env, work, results, startup)
    if "own" in parts:
        own_part(args, env, work, results)
    results["load_average_end"] = os.getloadavg()[0]
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
