"""Segment: jieba's tokens with offsets into the normalized text, using the domain dictionary.

The tokens are those of jieba 0.42 (HMM on, fazhi's dictionary added), computed by jieba-rs (rjieba): 0.3 ms
a short page against jieba's 2.3 ms. The text is split into jieba's blocks here, and jieba-rs's runs without a
Chinese character (1-6, 010-6755, www.x.com, which jieba cuts) are cut as jieba cuts them; tests/test_segment.py
holds the two equal on generated text and on real pages. Where two cuts are exactly as probable (一一一: the
same stretch twice in a row) the engines may pick differently; neither is wrong.
"""
from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

USER_DICT = Path(__file__).parent / "data" / "userdict.txt"


@lru_cache(maxsize=1)
def _user_words() -> tuple[tuple[str, int, str], ...]:
    """The domain dictionary's entries: word, frequency, part of speech (read once per process)."""
    entries = []
    for line in USER_DICT.read_text(encoding="utf-8").splitlines():
        if line.strip():
            word, freq, tag = line.split()
            entries.append((word, int(freq), tag))
    return tuple(entries)


# A word no text can hold (private-use characters are never in a block, so never looked up): it carries the
# frequency that makes jieba-rs's word total that of jieba, whose add_word adds a re-added word's frequency to the
# total without taking the old one off (the domain dictionary re-adds 34 words of jieba's own). The total is paid
# once per word of a path, so with another total a path of more words and one of fewer weigh otherwise.
_TOTAL_CARRIER = "\ue000\ue001"


@lru_cache(maxsize=1)
def segmenter():
    """jieba-rs with jieba's dictionary and the domain dictionary (once per process), its total that of jieba."""
    import rjieba

    jieba_rs = rjieba.Jieba()
    frequency = dict(_jieba_dictionary().re_added)
    missing = 0
    for word, freq, tag in _user_words():
        jieba_rs.add_word(word, freq, tag)
        missing += frequency.get(word, 0)
        frequency[word] = freq
    if missing:
        jieba_rs.add_word(_TOTAL_CARRIER, missing, "x")
    return jieba_rs


@lru_cache(maxsize=1)
def tokenizer():
    """jieba itself with the domain dictionary loaded (once per process): the reference segmentation."""
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


# jieba's own patterns (jieba/__init__.py re_han_default, re_skip_default; jieba/finalseg re_skip), as a run that no
# dictionary word reaches goes through them: blocks of these characters, whitespace, and in a block letter and
# digit runs (with a decimal part and a percent sign) apart from the rest.
JIEBA_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
JIEBA_SPACE = re.compile("(\r\n|\\s)", re.U)
JIEBA_ALNUM = re.compile("([a-zA-Z0-9]+(?:\\.\\d+)?%?)")
_HAN = re.compile("[\u4E00-\u9FD5]")


class _DictionaryFacts(NamedTuple):
    non_chinese: tuple[str, ...]  # words with no Chinese character (AT&T, C++), jieba's and the domain's
    re_added: dict[str, int]  # jieba's frequency of each word the domain dictionary adds again


@lru_cache(maxsize=1)
def _jieba_dictionary() -> _DictionaryFacts:
    """What the segmentation needs of jieba's dictionary file, read without importing jieba (~0.1 s)."""
    folder = importlib.util.find_spec("jieba").submodule_search_locations[0]
    text = Path(folder, "dict.txt").read_text(encoding="utf-8")
    user = _user_words()
    non_chinese = re.findall(r"^([^\u4E00-\u9FD5\s]+) ", text, re.M)
    non_chinese += [w for w, _, _ in user if not _HAN.search(w)]
    user_words = sorted({w for w, _, _ in user}, key=len, reverse=True)
    entries = re.compile("^(" + "|".join(map(re.escape, user_words)) + ") (\\d+)", re.M)
    re_added = {word: int(freq) for word, freq in entries.findall(text)}
    return _DictionaryFacts(tuple(non_chinese), re_added)


def _outside_blocks(text: str) -> list[str]:
    """jieba's tokens of text between its blocks: each whitespace (\\r\\n as one) and each other character alone."""
    tokens = []
    for i, part in enumerate(JIEBA_SPACE.split(text)):
        if i % 2:  # re.split with a group: the whitespace found, between the rest
            tokens.append(part)
        else:
            tokens.extend(part)
    return tokens


@lru_cache(maxsize=4096)
def _jieba_cut_of_run(run: str) -> tuple[str, ...]:
    """jieba's tokens of a block's run without Chinese characters, as jieba cuts it on its own and within a text."""
    if any(word in run for word in _jieba_dictionary().non_chinese):
        return tuple(tokenizer().lcut(run, HMM=True))
    # No dictionary word: jieba buffers the run character by character and its HMM step keeps letter and digit
    # runs whole (with a decimal part and a percent sign), every other piece between them whole too.
    return tuple(part for part in JIEBA_ALNUM.split(run) if part)


def _jieba_cut(text: str) -> list[str]:
    """jieba's tokens of text: its blocks cut by jieba-rs, their runs of non-Chinese characters as jieba cuts them."""
    tokens: list[str] = []
    cut = segmenter().cut
    # jieba's own split into blocks, not jieba-rs's: jieba-rs counts rarer ideographs (U+3400-4DBF, U+9FD6-9FFF,
    # U+F900-FAFF, the supplementary planes) into its blocks, jieba puts each alone.
    for i, part in enumerate(JIEBA_BLOCK.split(text)):
        if i % 2 == 0:  # re.split with a group: between blocks, then a block, in turn
            if part:
                tokens.extend(_outside_blocks(part))
            continue
        if not _HAN.search(part):  # a number, a date, a web address: no need to call jieba-rs
            tokens.extend(_jieba_cut_of_run(part))
            continue
        for token in cut(part, True):
            # Most tokens are Chinese words: the first character decides before any pattern runs.
            if len(token) == 1 or "\u4e00" <= token[0] <= "\u9fd5" or _HAN.search(token):
                tokens.append(token)
            else:
                tokens.extend(_jieba_cut_of_run(token))
    return tokens


def _cut(text: str) -> list[str]:
    """jieba's words of text with HMM, in order and covering every character."""
    if not _LONG_RUN.search(text):
        return _jieba_cut(text)
    return [w for piece in _pieces(text) for w in _jieba_cut(piece)]


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
