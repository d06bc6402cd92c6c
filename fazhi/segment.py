"""Segment: jieba tokens with offsets into the normalized text, using the domain dictionary."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np

USER_DICT = Path(__file__).parent / "data" / "userdict.txt"


@lru_cache(maxsize=1)
def tokenizer():
    """A jieba tokenizer with the domain dictionary loaded (once per process)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    _initialize(tk)
    tk.load_userdict(str(USER_DICT))
    return tk


def _initialize(tk) -> None:
    """tk.initialize(), but jieba's cache of its dictionary is read in one go.

    marshal.load on a file reads it object by object (measured: 0.8 s of CPU, against 0.3 s from the bytes), and
    every process that segments pays it: the flow's or each worker's.
    """
    import marshal
    import os
    import tempfile

    import jieba

    cache = os.path.join(tk.tmp_dir or tempfile.gettempdir(), "jieba.cache")
    if tk.dictionary is jieba.DEFAULT_DICT and not tk.cache_file and os.path.isfile(cache):
        try:
            with open(cache, "rb") as f:
                tk.FREQ, tk.total = marshal.loads(f.read())
            tk.initialized = True
            return
        except Exception:  # unreadable or from another jieba: initialize() rebuilds it
            pass
    tk.initialize()


# jieba segments each run of these characters as one block (its re_han_default); its HMM reads a block's
# unknown stretch with a Viterbi pass that copies the path at every character, so its cost is the square of the
# stretch: 1 MB of 亿 is minutes. Runs longer than this are cut into pieces of this length before jieba (no
# sentence of a report comes near it; a cut splits at most a word at each piece's end).
_BLOCK_CHARS = "\u4E00-\u9FD5a-zA-Z0-9+#&._%\\-"
MAX_RUN = 200
_LONG_RUN = re.compile(f"(?<![{_BLOCK_CHARS}])[{_BLOCK_CHARS}]{{{MAX_RUN + 1},}}")


def _pieces(text: str) -> list[str]:
    """text cut so that no piece holds a run of jieba's block characters longer than MAX_RUN."""
    pieces, pos = [], 0
    for m in _LONG_RUN.finditer(text):
        pieces.append(text[pos:m.start()])
        pieces.extend(text[i:min(i + MAX_RUN, m.end())] for i in range(m.start(), m.end(), MAX_RUN))
        pos = m.end()
    pieces.append(text[pos:])
    return [p for p in pieces if p]


def _cut(text: str) -> list[str]:
    """jieba's words of text with HMM, in order and covering every character."""
    tk = tokenizer()
    if not _LONG_RUN.search(text):
        return tk.lcut(text, HMM=True)
    return [w for piece in _pieces(text) for w in tk.lcut(piece, HMM=True)]


def token_spans(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The tokens of text and their start and end offsets (int64 arrays), whitespace tokens left out."""
    # jieba's cut covers every character in order, so offsets are running sums of lengths: this skips
    # Tokenizer.tokenize's generator and a tuple per token (a tenth of segmentation's time).
    words = _cut(text)
    bounds = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words)), out=bounds[1:])
    starts, ends = bounds[:-1], bounds[1:]
    if any(w.isspace() for w in words):
        keep = np.fromiter((not w.isspace() for w in words), dtype=bool, count=len(words))
        return [w for w, k in zip(words, keep) if k], starts[keep], ends[keep]
    return words, starts, ends


def cut(text: str) -> list[str]:
    """The plain token strings of text."""
    return [w for w in _cut(text) if w.strip()]
