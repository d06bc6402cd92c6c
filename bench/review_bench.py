"""Time and size of the review site: a first build, a rebuild with nothing changed, a rebuild after one report changed.

    python -m bench.review_bench                          # the sample corpus
    python -m bench.review_bench --docs 2000              # a bench corpus of 2,000 documents (bench/corpus.py)
    python -m bench.review_bench --screenshots docs/      # also PNGs of a document page and a metric page

The warehouse is made by the real flow (`python -m fazhi`, in a process of its own), as a user makes it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import SAMPLE, build

CHANGED_SENTENCE = "\n另查明,2023年全市法院新收案件1234件,结案率96.5%。\n"


def run_flow(corpus: Path, warehouse: Path) -> float:
    """Run the flow on corpus into warehouse; its wall time."""
    started = time.perf_counter()
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    subprocess.run([sys.executable, "-m", "fazhi", "--input", str(corpus), "--warehouse", str(warehouse)],
                   check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def build_review(warehouse: Path, out: Path):
    from fazhi import warehouse as wh
    from fazhi.review import build_site

    con = wh.connect(warehouse, read_only=True)
    try:
        return build_site(con, out)
    finally:
        con.close()


def cli_seconds(warehouse: Path, out: Path) -> float:
    """Wall time of `fazhi review` in a fresh process (imports included)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fazhi.cli", "review", "--warehouse", str(warehouse), "--out", str(out)],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def screenshots(site: Path, warehouse: Path, dest: Path, width: int = 1280, height: int = 900) -> list[Path]:
    """PNGs of the document page with the flagged figure selected and of the closure_rate metric page."""
    from PIL import Image
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from fazhi import warehouse as wh

    con = wh.connect(warehouse, read_only=True)
    try:
        doc_id, figure_id = con.execute("select doc_id, figure_id from figure_issues order by doc_id limit 1"
                                        ).fetchone()
    finally:
        con.close()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="fazhi-shots-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    dest.mkdir(parents=True, exist_ok=True)
    shots = [(site / "documents" / f"{doc_id}.html", f"#f-{figure_id}", dest / "review-document.png"),
             (site / "metrics" / "closure_rate.html", "", dest / "review-metric.png")]
    try:
        for page, fragment, png in shots:
            driver.get(page.as_uri() + fragment)
            time.sleep(0.5)  # the SVG chart and fonts settle
            driver.save_screenshot(str(png))
            # A 256-colour palette keeps the PNG small, the text sharp and the kinds' colours apart.
            Image.open(png).convert("RGB").quantize(256).save(png, optimize=True)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return [png for _, _, png in shots]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=0, help="Bench corpus size (0: the sample corpus).")
    parser.add_argument("--work", type=Path, default=None,
                        help="Folder for corpus, warehouse and site (default: a temporary one).")
    parser.add_argument("--screenshots", type=Path, default=None, help="Write the README's PNGs here.")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="fazhi-review-bench-"))
    corpus, warehouse, site = work / "corpus", work / "fazhi.duckdb", work / "site"
    shutil.rmtree(site, ignore_errors=True)
    if not warehouse.exists():
        if args.docs:
            build(corpus, args.docs)
        else:
            shutil.copytree(SAMPLE, corpus, dirs_exist_ok=True)
        print(f"flow: {run_flow(corpus, warehouse):.1f}s for the warehouse {warehouse}")

    first = build_review(warehouse, site)
    print(f"first build:     {first.seconds:6.1f}s  {first.documents} documents, {first.metrics} metric pages, "
          f"{first.files} files, {first.bytes / 1e6:.1f} MB")
    sizes = {folder: sum(p.stat().st_size for p in (site / folder).rglob("*") if p.is_file())
             for folder in ("documents", "metrics")}
    print(f"                 documents/ {sizes['documents'] / 1e6:.1f} MB "
          f"({sizes['documents'] / 1e3 / max(first.documents, 1):.0f} kB a page), "
          f"metrics/ {sizes['metrics'] / 1e6:.1f} MB, "
          f"index.html {(site / 'index.html').stat().st_size / 1e3:.0f} kB")
    again = build_review(warehouse, site)
    print(f"nothing changed: {again.seconds:6.1f}s  {again.documents_rendered} documents and "
          f"{again.metrics_rendered} metric pages rendered")
    print(f"`fazhi review`, nothing changed, fresh process: {cli_seconds(warehouse, site):.1f}s")
    if args.screenshots:
        for png in screenshots(site, warehouse, args.screenshots):
            print(f"screenshot {png} ({png.stat().st_size / 1e3:.0f} kB)")
    if corpus.exists():
        target = sorted(p for p in corpus.rglob("*.txt"))[0]
        target.write_text(target.read_text(encoding="utf-8") + CHANGED_SENTENCE, encoding="utf-8")
        run_flow(corpus, warehouse)
        one = build_review(warehouse, site)
        print(f"one report changed ({target.name}): {one.seconds:.1f}s  {one.documents_rendered} documents and "
              f"{one.metrics_rendered} metric pages rendered, {one.removed} pages removed")


if __name__ == "__main__":
    main()
