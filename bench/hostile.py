"""Cost of the text stages on awkward and hostile inputs, per MB and as it grows with the input, with no Prefect.

    python bench/hostile.py [--sizes 100,400] [--only NAME,...] [--timeout 120] [--memory-gb 4] [--no-dq]

Generates each input (nothing is written to the repository) at each size in KB, and runs the text stages the
pipeline runs (fazhi/core.py: read and decode with HTML reduced to text, normalize with metadata, segment,
extract, the rows of each table) plus the warehouse validation queries (expectations/*.sql, loaded into an
in-memory DuckDB) in a child process per input and size, under a time limit and an address-space limit so that
a runaway input is reported, not left to take the machine. Prints per input: size, seconds per MB (text stages;
dq separately), the child's peak RSS, the ratio to ordinary report text per MB, and the growth: seconds at the
largest size over seconds at the smallest, divided by the size ratio (1.0 is linear, the size ratio itself is
quadratic). The inputs are those of issue #19.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fazhi" / "sample_corpus"


def _repeat(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit.encode()))


def ordinary(size: int) -> bytes:
    """Report text recombined from the sample corpus: its paragraphs shuffled (fixed seed) until size."""
    paragraphs = [p for f in sorted(SAMPLE.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n")
                  if p.strip()]
    rng = random.Random(19)
    out, n = [], 0
    while n < size:
        p = rng.choice(paragraphs)
        out.append(p)
        n += len(p.encode()) + 1
    return "\n".join(out).encode()


def nested_divs(size: int) -> bytes:
    depth = max(1, size // 11)  # <div> and </div>: 11 bytes a level; 1 MB is ~100,000 levels
    return ("<html><body>" + "<div>" * depth + "全市法院受理案件123件" + "</div>" * depth + "</body></html>").encode()


def big_table(size: int) -> bytes:
    row = "<tr><td>第{}中级人民法院受理案件</td><td>123</td><td>45.5%</td></tr>\n"
    rows, n, k = [], 0, 0
    while n < size:
        r = row.format(k)
        rows.append(r)
        n += len(r.encode())
        k += 1
    return ("<html><body><table>\n" + "".join(rows) + "</table></body></html>").encode()


# name -> (file suffix, generator of about size bytes)
INPUTS = {
    "ordinary": (".txt", ordinary),
    "pct_sentence": (".txt", lambda size: _repeat("12.3%，案件结案率", size).encode()),
    "digits": (".txt", lambda size: _repeat("1234567890", size).encode()),
    "comma_digits": (".txt", lambda size: _repeat("1,2,3,", size).encode()),
    "wan": (".txt", lambda size: _repeat("万", size).encode()),
    "yi": (".txt", lambda size: _repeat("亿", size).encode()),
    "numerals": (".txt", lambda size: _repeat("一二三四五", size).encode()),
    "short_lines": (".txt", lambda size: _repeat("收案5件\n", size).encode()),
    # beyond the list: a figure per clause with an organization or a period in each, in one paragraph
    "org_clauses": (".txt", lambda size: _repeat("该院法院检察院收案5件，", size).encode()),
    "period_clauses": (".txt", lambda size: _repeat("2023年1至9月收案5件，", size).encode()),
    "nested_divs": (".html", nested_divs),
    "big_table": (".html", big_table),
}


def child(name: str, size: int, dq: bool) -> dict:
    """Run the stages on one generated input; seconds per stage and what came out."""
    from collections import defaultdict

    from fazhi import core
    from fazhi.ingest import document_from_bytes
    from fazhi.normalize import to_simplified
    from fazhi.segment import segmenter

    segmenter()  # dictionary loading is start-up, not the input's cost
    to_simplified("測試")
    warm = core._InProgress(document_from_bytes("2023年，全市法院受理案件1,234件，结案率95.1%。".encode(), "warm.txt"))
    for _, stage in core.STAGES:  # the extractor's tables and the catalog load on first use: start-up too
        stage(warm)
    core._rows(warm)
    suffix, make = INPUTS[name]
    raw = make(size)
    seconds: dict[str, float] = defaultdict(float)
    started = time.process_time()
    doc = core._InProgress(document_from_bytes(raw, f"{name}{suffix}"))
    seconds["read"] = time.process_time() - started
    for stage_name, stage in core.STAGES:
        t0 = time.process_time()
        stage(doc)
        seconds[stage_name] = time.process_time() - t0
    t0 = time.process_time()
    rows = core._rows(doc)
    seconds["rows"] = time.process_time() - t0
    out = {"bytes": len(raw), "chars": len(doc.norm.text), "sentences": len(doc.norm.sentences),
           "tokens": len(doc.tokens[0]), "figures": len(doc.figures)}
    if dq:
        seconds["dq"] = _dq_seconds(rows)
    out["seconds"] = dict(seconds)
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _dq_seconds(rows: dict) -> float:
    """Seconds of the validation queries (the rows each suite checks) over this one document in DuckDB."""
    import types

    import duckdb

    from fazhi import quality, warehouse

    con = duckdb.connect()
    warehouse.apply_schema(con)
    from fazhi.extract.orgs import org_rows

    batch = types.SimpleNamespace(errors=[], orgs=org_rows(f["org"] for f in rows["figures"]), **rows)
    warehouse.load_batch(con, "bench", batch, {})
    doc_ids = [d["doc_id"] for d in rows["documents"]]
    t0 = time.process_time()
    wall = time.perf_counter()
    for suite in quality.SUITES:
        quality.suite_rows(con, suite, doc_ids)
    # DuckDB works in its own threads: count the wall time too, take the larger
    return max(time.process_time() - t0, time.perf_counter() - wall)


def _limit_memory(gb: float):
    def apply() -> None:
        limit = int(gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def run_one(name: str, size: int, timeout: float, memory_gb: float, dq: bool) -> dict:
    """The child's result for one input and size, or {'failed': why}."""
    cmd = [sys.executable, __file__, "--child", name, str(size)] + ([] if dq else ["--no-dq"])
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=_limit_memory(memory_gb))
    except subprocess.TimeoutExpired:
        return {"failed": f">{timeout:.0f}s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"failed": "MemoryError" if "MemoryError" in done.stderr else last[:60]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,400", help="sizes in KB, comma-separated (default 100,400)")
    parser.add_argument("--only", default="", help="input names, comma-separated (default all): " + ", ".join(INPUTS))
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per input and size (default 120)")
    parser.add_argument("--memory-gb", type=float, default=4.0, help="address-space limit per child (default 4)")
    parser.add_argument("--no-dq", action="store_true", help="leave out the validation queries")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), not args.no_dq)))
        return 0
    sizes = [int(float(s) * 1024) for s in args.sizes.split(",")]
    names = [n for n in args.only.split(",") if n] or list(INPUTS)
    unknown = [n for n in names if n not in INPUTS]
    if unknown:
        print(f"--only: unknown input(s) {', '.join(unknown)}; known: {', '.join(INPUTS)}", file=sys.stderr)
        return 2
    if "ordinary" not in names:
        names.insert(0, "ordinary")
    results = {(n, s): run_one(n, s, args.timeout, args.memory_gb, not args.no_dq) for n in names for s in sizes}
    stages = ("read", "normalize", "segment", "extract", "rows")
    header = (f"{'input':<13} {'KB':>6} {'figures':>8} " + " ".join(f"{s:>9}" for s in stages)
              + f" {'text s/MB':>9} {'x ordinary':>10} {'dq s/MB':>8} {'peak MB':>8}")
    print(header)
    for n in names:
        for s in sizes:
            r = results[(n, s)]
            if "failed" in r:
                print(f"{n:<13} {s // 1024:>6} failed: {r['failed']}")
                continue
            mb = r["bytes"] / 2**20
            text = sum(r["seconds"][k] for k in stages)
            base = results[("ordinary", s)]
            base_per_mb = (sum(base["seconds"][k] for k in stages) / (base["bytes"] / 2**20)
                           if "failed" not in base else float("nan"))
            dq = r["seconds"].get("dq")
            print(f"{n:<13} {s // 1024:>6} {r['figures']:>8} " + " ".join(f"{r['seconds'][k]:>9.3f}" for k in stages)
                  + f" {text / mb:>9.2f} {text / mb / base_per_mb:>10.2f} "
                  + (f"{dq / mb:>8.2f}" if dq is not None else f"{'-':>8}") + f" {r['maxrss_mb']:>8.0f}")
    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        print(f"\ngrowth: seconds at {hi // 1024} KB / seconds at {lo // 1024} KB, over the size ratio "
              f"(1.0 = linear, {hi / lo:.1f} = quadratic)")
        for n in names:
            a, b = results[(n, lo)], results[(n, hi)]
            if "failed" in a or "failed" in b:
                print(f"{n:<13} -")
                continue
            ta = sum(a["seconds"][k] for k in stages)
            tb = sum(b["seconds"][k] for k in stages)
            size_ratio = b["bytes"] / a["bytes"]
            text_growth = (tb / ta) / size_ratio if ta > 0 else float("nan")
            line = f"{n:<13} text {text_growth:5.2f}"
            if "dq" in a["seconds"] and a["seconds"]["dq"] > 0:
                line += f"   dq {(b['seconds']['dq'] / a['seconds']['dq']) / size_ratio:5.2f}"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
