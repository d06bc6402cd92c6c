"""Segment: jieba tokens with offsets into the normalized text, using the domain dictionary."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

USER_DICT = Path(__file__).parent / "data" / "userdict.txt"


@lru_cache(maxsize=1)
def tokenizer():
    """A jieba tokenizer with the domain dictionary loaded (once per process)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    tk.load_userdict(str(USER_DICT))
    return tk


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Tokens of text as (token, start, end), whitespace tokens left out."""
    return [(w, s, e) for w, s, e in tokenizer().tokenize(text, HMM=True) if w.strip()]


def cut(text: str) -> list[str]:
    """The plain token strings of text."""
    return [w for w in tokenizer().lcut(text) if w.strip()]
