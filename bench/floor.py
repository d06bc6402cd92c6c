"""The floor: only the unavoidable work, OpenCC t2s and jieba.lcut of every document, in a plain loop.

    python -m bench.floor DIR   -> one JSON line: documents, bytes, seconds and cpu_seconds (loop only), init_seconds
"""
from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path


def floor(root: Path) -> dict:
    """Time t2s + jieba.lcut over every file under root (decoding and start-up timed apart)."""
    started = time.perf_counter()
    import jieba
    from opencc import OpenCC

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    converter = OpenCC("t2s")
    init_seconds = time.perf_counter() - started
    files = sorted(p for p in root.rglob("*") if p.is_file())
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in files]
    loop_started, loop_cpu = time.perf_counter(), time.process_time()
    tokens = 0
    for text in texts:
        tokens += len(jieba.lcut(converter.convert(text)))
    seconds = time.perf_counter() - loop_started
    return {"documents": len(texts), "bytes": sum(p.stat().st_size for p in files), "tokens": tokens,
            "seconds": round(seconds, 3), "cpu_seconds": round(time.process_time() - loop_cpu, 3),
            "init_seconds": round(init_seconds, 3)}


if __name__ == "__main__":
    print("FLOOR " + json.dumps(floor(Path(sys.argv[1]))), flush=True)
