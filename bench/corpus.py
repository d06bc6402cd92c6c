"""Build a benchmark corpus by recombining the real paragraphs of the sample corpus (deterministic, seeded)."""
from __future__ import annotations

import hashlib
import html
import random
from dataclasses import dataclass
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "fazhi" / "sample_corpus"
# Traditional reports have characters that only exist in Traditional script; two of five samples are.
_TRADITIONAL_HINT = set("們這個來時對會動國過發後說學現種還實點從應開總無關經樣與將長問頭區強決見審計結")
FILES_PER_FOLDER = 1000


@dataclass
class Pool:
    """The paragraphs of one script: document heads (title and byline lines) and body paragraphs."""

    heads: list[list[str]]
    bodies: list[str]
    mean_body_paragraphs: int


def _is_traditional(text: str) -> bool:
    return sum(ch in _TRADITIONAL_HINT for ch in text) > 20


def sample_pools(sample: Path = SAMPLE) -> dict[str, Pool]:
    """Split each sample report into its head (first lines up to the first long paragraph) and body paragraphs."""
    grouped: dict[str, list[tuple[list[str], list[str]]]] = {"simplified": [], "traditional": []}
    for path in sorted(sample.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        first_long = next((i for i, ln in enumerate(lines) if len(ln) >= 60), len(lines))
        head, body = lines[:first_long], lines[first_long:]
        grouped["traditional" if _is_traditional(text) else "simplified"].append((head, body))
    return {script: Pool(heads=[h for h, _ in docs], bodies=[p for _, b in docs for p in b],
                         mean_body_paragraphs=max(3, sum(len(b) for _, b in docs) // max(1, len(docs))))
            for script, docs in grouped.items() if docs}


def _as_html(head: list[str], body: list[str]) -> str:
    title = html.escape(head[0]) if head else ""
    parts = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\"><title>" + title + "</title>",
             "<script>var nav = 1;</script></head><body>", "<div class=\"nav\">首页 | 新闻 | 政法 | 法院</div>"]
    parts += [f"<h1>{title}</h1>"] + [f"<p>{html.escape(ln)}</p>" for ln in head[1:]]
    parts += [f"<p>{html.escape(p)}</p>" for p in body]
    parts += ["<div class=\"foot\">版权所有 政法网 ICP备00000000号</div>", "</body></html>"]
    return "\n".join(parts) + "\n"


def document(index: int, seed: int, pools: dict[str, Pool], traditional_share: float = 0.4,
             html_share: float = 0.1) -> tuple[str, bytes]:
    """The file name and bytes of synthetic document number index (independent of how many are built)."""
    rng = random.Random(f"{seed}:{index}")
    script = "traditional" if rng.random() < traditional_share and "traditional" in pools else "simplified"
    pool = pools[script] if script in pools else next(iter(pools.values()))
    head = rng.choice(pool.heads)
    n_body = max(2, int(rng.gauss(pool.mean_body_paragraphs, pool.mean_body_paragraphs / 3)))
    body = [rng.choice(pool.bodies) for _ in range(n_body)]
    if rng.random() < html_share:
        return f"{index:07d}.html", _as_html(head, body).encode("utf-8")
    return f"{index:07d}.txt", ("\n\n".join(head + body) + "\n").encode("utf-8")


def build(dest: Path, n_docs: int, seed: int = 0, sample: Path = SAMPLE) -> dict:
    """Write n_docs documents under dest (folders of 1,000); documents 0..k-1 are the same for every n_docs >= k.

    A document whose bytes repeat an earlier one is redrawn, so every file loads as its own document.
    Returns the number of files and bytes written.
    """
    pools = sample_pools(sample)
    dest.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    total = 0
    for index in range(n_docs):
        attempt = 0
        while True:
            name, data = document(index, seed + attempt * 1_000_003, pools)
            digest = hashlib.sha256(data).hexdigest()
            if digest not in seen:
                break
            attempt += 1
        seen.add(digest)
        folder = dest / f"{index // FILES_PER_FOLDER:04d}"
        folder.mkdir(exist_ok=True)
        target = folder / name
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        total += len(data)
    return {"files": n_docs, "bytes": total}


if __name__ == "__main__":
    import sys

    print(build(Path(sys.argv[1]), int(sys.argv[2])))
