"""Normalize: NFKC, invisible characters out, Traditional to Simplified, page chrome out, broken lines rejoined, sentences split.

Every step keeps, for each character of the normalized text, the offset of the raw character it came
from, so a figure found in the normalized text can be traced back to the raw text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import numpy as np

SENTENCE_END = "。！？!?"
CLOSERS = "”’」』)）"
TERMINAL = SENTENCE_END + "；;:：…" + CLOSERS + "."


@dataclass
class Normalized:
    """Normalized text, its script before conversion, the offset map and the sentence spans."""

    text: str
    script: str
    offset_runs: list[tuple[int, int]]
    sentences: list[tuple[int, int]]

    def raw_offset(self, pos: int) -> int:
        """The raw-text offset of normalized offset pos."""
        return raw_offset(self.offset_runs, pos)


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC t2s conversion."""
    return _t2s().convert(text)


def _one_script_chars(dictionary: str) -> frozenset[str]:
    """Characters that a script conversion always changes (their only targets are other characters)."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / dictionary
    chars = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, targets = line.partition("\t")
        if len(key) == 1 and targets and key not in targets.split():
            chars.add(key)
    return frozenset(chars)


@lru_cache(maxsize=1)
def _simplified_only() -> frozenset[str]:
    """Characters that exist only in Simplified script (they have a different Traditional form)."""
    return _one_script_chars("STCharacters.txt")


@lru_cache(maxsize=1)
def _traditional_only() -> frozenset[str]:
    """Characters that exist only in Traditional script (t2s always changes them)."""
    return _one_script_chars("TSCharacters.txt")


def detect_script(text: str) -> str:
    """'traditional' when the text has more Traditional-only than Simplified-only characters.

    Counting characters against OpenCC's own character tables, rather than converting, costs a set look-up
    per character; comparing the two counts keeps Simplified texts with t2s-sensitive characters (乾安县,
    著力, 於) Simplified, since those map to themselves among their targets.
    """
    traditional_only, simplified_only = _traditional_only(), _simplified_only()
    traditional = sum(1 for ch in text if ch in traditional_only)
    if not traditional:
        return "simplified"
    simplified = sum(1 for ch in text if ch in simplified_only)
    return "traditional" if traditional > simplified else "simplified"


# ---- mapped lines: text plus, per character, its raw offset ------------------------------------------

class Line:
    """One line of text with the raw offset of each of its characters."""

    __slots__ = ("chars", "src")

    def __init__(self, chars: str, src: list[int]):
        self.chars = chars
        self.src = src

    def sub(self, start: int, end: int) -> "Line":
        return Line(self.chars[start:end], self.src[start:end])


def _nfkc_char(ch: str) -> str:
    # NFKC turns the ideographic space and no-break space into a plain space; keep that, but a few
    # compatibility characters expand into text with newlines, which would break lines.
    return unicodedata.normalize("NFKC", ch).replace("\n", " ")


def _invisible(ch: str) -> bool:
    """A character that shows nothing: a format character (zero-width, BOM, soft hyphen, …) or a control other
    than tab, line and page breaks. Left in, it splits a number (1\u200b23件 would read 23件)."""
    return unicodedata.category(ch) == "Cf" or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\x0c")


@lru_cache(maxsize=1 << 16)  # bounded: a hostile page can hold any number of distinct code points
def _nfkc_fate(ch: str) -> str | None:
    """What nfkc_lines makes of one character: "" for an invisible one, its NFKC form where that differs, else None."""
    # Cached: every document asks again about the same few thousand characters, and asking costs two category
    # look-ups and a normalization each.
    if _invisible(ch):
        return ""
    if ch.isascii():
        return None
    out = _nfkc_char(ch)
    return out if out != ch else None


def nfkc_lines(raw: str) -> list[Line]:
    """NFKC per character with invisible characters dropped, split into lines; each output character remembers
    its raw offset."""
    # Normalizing each distinct character once and translating whole lines is ~10x faster than a loop per
    # character; only a line holding a character that NFKC expands or removes needs that loop.
    changed = {ch: out for ch in set(raw) if (out := _nfkc_fate(ch)) is not None}
    same_length = {ord(ch): out for ch, out in changed.items() if len(out) == 1}
    resized = {ch for ch, out in changed.items() if len(out) != 1}
    lines: list[Line] = []
    start = 0
    for piece in raw.split("\n"):
        end = start + len(piece)
        if resized and not resized.isdisjoint(piece):
            chars: list[str] = []
            src: list[int] = []
            for i, ch in enumerate(piece, start):
                out = changed.get(ch, ch)
                chars.append(out)
                src.extend([i] * len(out))
            lines.append(Line("".join(chars), src))
        else:
            lines.append(Line(piece.translate(same_length) if same_length else piece, list(range(start, end))))
        start = end + 1
    return lines


def convert_lines(lines: list[Line]) -> list[Line]:
    """Apply t2s line by line, aligning characters where a conversion changes a line's length."""
    out = []
    for line in lines:
        conv = to_simplified(line.chars) if line.chars else ""
        if len(conv) == len(line.chars):
            out.append(Line(conv, line.src))
            continue
        src: list[int] = []
        matcher = SequenceMatcher(None, line.chars, conv, autojunk=False)
        for _tag, i1, i2, j1, j2 in matcher.get_opcodes():
            for k in range(j2 - j1):
                # Map replaced or inserted characters to the nearest source character of their block.
                i = min(i1 + k, max(i1, i2 - 1)) if i2 > i1 else max(i1 - 1, 0)
                src.append(line.src[i] if line.src else 0)
        out.append(Line(conv, src))
    return out


# ---- page chrome ------------------------------------------------------------------------------------------

_CHROME_WORDS = (
    "移动客户端", "客户端", "官方微信", "官方微博", "微信公众号", "首页", "返回顶部", "返回首页", "打印本页", "打印",
    "关闭窗口", "关闭", "分享到", "分享", "扫一扫", "微信扫一扫", "收藏", "网站地图", "联系我们", "登录", "注册",
    "上一篇", "下一篇", "相关新闻", "相关阅读", "推荐阅读", "热点新闻", "点击排行", "排行榜", "责任编辑", "编辑",
    "字号", "大 中 小", "【大 中 小】", "[大 中 小]", "默认", "纠错", "评论", "设为首页", "加入收藏", "无障碍",
    "繁体", "简体", "繁體", "English", "RSS", "手机版", "网站导航", "更多", "搜索", "站内搜索",
)
_CHROME_RE = re.compile(
    r"(版权所有|copyright|©|all rights reserved|icp备|icp证|公网安备|网安备|未经授权|禁止转载|不得转载|"
    r"本网站|本站|技术支持|主办单位|承办单位|建议使用|分辨率|浏览器|扫描二维码|扫码|二维码|分享到|"
    r"字号[::]?\s*[【\[]?\s*大|【\s*大\s*中\s*小\s*】|打印本页|关闭窗口|返回顶部)",
    re.IGNORECASE,
)
_BREADCRUMB = re.compile(r"^(当前位置|您的位置|您现在的位置|所在位置|当前页面)\s*[:：]")
_SEPARATOR_ONLY = re.compile(r"^[\s|｜>»·•\-—_/\\<«]+$")


def _is_separator(line: str) -> bool:
    return bool(line.strip()) and bool(_SEPARATOR_ONLY.match(line))


def _is_chrome_word(line: str) -> bool:
    s = line.strip()
    return s in _CHROME_WORDS or (s.strip("【】[]") in _CHROME_WORDS)


# Compiled once: is_chrome asks them of every line of every page.
_BAR = re.compile(r"[|｜]")
_DIGIT = re.compile(r"\d")
_SENTENCE_MARK = re.compile(r"[。!?！？]")
_DIGIT_OR_MARK = re.compile(r"[\d。,，;；]")


def _is_nav_bar(line: str) -> bool:
    """A line of several short items joined by | (a navigation bar)."""
    parts = [p.strip() for p in _BAR.split(line)]
    items = [p for p in parts if p]
    return len(parts) >= 3 and len(items) >= 2 and all(len(p) <= 8 and not _DIGIT.search(p) for p in items)


def is_chrome(line: str, prev: str, nxt: str) -> bool:
    """True for a line of page furniture: navigation, share widgets, copyright and ICP lines."""
    s = line.strip()
    if not s:
        return False
    if _is_separator(s) or _is_chrome_word(s) or _is_nav_bar(s) or _BREADCRUMB.match(s):
        return True
    if len(s) <= 60 and _CHROME_RE.search(s) and not _SENTENCE_MARK.search(s):
        return True
    # Nav items laid out one per line between separator lines.
    if len(s) <= 10 and not _DIGIT_OR_MARK.search(s) and (_is_separator(prev) or _is_separator(nxt)):
        return True
    return False


def drop_chrome(lines: list[Line]) -> list[Line]:
    """Remove chrome lines (the line becomes empty so blank-line structure survives)."""
    texts = [ln.chars for ln in lines]

    def neighbour(i: int, step: int) -> str:
        j = i + step
        while 0 <= j < len(texts):
            if texts[j].strip():
                return texts[j]
            j += step
        return ""

    tables = table_lines(texts)
    return [(Line("", []) if _is_separator(texts[i]) else ln) if i in tables
            else Line("", []) if is_chrome(texts[i], neighbour(i, -1), neighbour(i, 1)) else ln
            for i, ln in enumerate(lines)]


_NUMERIC_CELL = re.compile(r"^[+\-−]?\d[\d ,]*(?:\.\d+)?%?(?:\s*\(\d\)|[*+^#])?$")


def _numeric_cells(line: str) -> int:
    return sum(1 for cell in re.split(r"[|｜\t]", line) if _NUMERIC_CELL.match(cell.strip()))


def table_lines(texts: list[str]) -> set[int]:
    """Indices of lines that belong to a table of figures: a run of `|` rows (with their one-cell group labels
    and header lines) of which at least two rows hold two or more numeric cells. Such lines are data, not chrome."""
    keep: set[int] = set()
    i = 0
    while i < len(texts):
        if "|" not in texts[i] and "｜" not in texts[i]:
            i += 1
            continue
        j = i
        run = []
        while j < len(texts):
            line = texts[j].strip()
            if not line and j + 1 < len(texts) and ("|" in texts[j + 1] or "｜" in texts[j + 1]
                                                   or texts[j + 1].strip() and j + 2 < len(texts)
                                                   and "|" in texts[j + 2]):
                run.append(j)  # a blank line left by a removed separator row
                j += 1
                continue
            following = next((t for t in texts[j + 1:j + 3] if t.strip()), "")
            if "|" in line or "｜" in line or line and len(line) <= 24 and not re.search(r"[。;；!?！？]", line) \
                    and ("|" in following or "｜" in following):
                run.append(j)
                j += 1
                continue
            break
        if sum(_numeric_cells(texts[k]) >= 2 for k in run) >= 2:
            keep.update(run)
        i = max(j, i + 1)
    return keep


# ---- whitespace and broken lines ------------------------------------------------------------------------

def strip_line(line: Line) -> Line:
    """Trim spaces at both ends of a line."""
    s = line.chars
    start = len(s) - len(s.lstrip())
    end = len(s.rstrip())
    return line.sub(start, end) if end > start else Line("", [])


_HEADING_START = re.compile(r"^([#▲■●◆★☆※]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.]|关键词|核心数据)")


def _is_broken_prose(line: str) -> bool:
    """A line of running prose cut before its sentence ended."""
    return (len(line) >= 20 and line[-1] not in TERMINAL and bool(re.search(r"[,，、]", line))
            and line.count("|") < 2  # a table row (4,865 | 1,740 |) is no prose, whatever its commas
            and not re.search(r"(记者|通讯员|来源|时间)[:：\s]", line))


def _continues(line: str) -> bool:
    """A line that can be the rest of a broken sentence (not a heading or a short caption)."""
    if not line or _HEADING_START.match(line):
        return False
    if line[-1] not in TERMINAL and len(line) < 30:
        return False  # a caption or a heading
    return True


def rejoin_lines(lines: list[Line]) -> list[Line]:
    """Join prose lines broken mid-sentence (dropping the blank lines between) and collapse blank runs."""
    out: list[Line] = []
    pending_blank = 0
    for line in lines:
        if not line.chars:
            pending_blank += 1
            continue
        if out and _is_broken_prose(out[-1].chars) and _continues(line.chars):
            prev = out[-1]
            out[-1] = Line(prev.chars + line.chars, prev.src + line.src)
        else:
            if out and pending_blank:
                out.append(Line("", []))
            out.append(line)
        pending_blank = 0
    return out


def join_lines(lines: list[Line]) -> tuple[str, list[int]]:
    """Join lines with newlines; a newline maps to the raw offset just after its line's last character."""
    chars: list[str] = []
    src: list[int] = []
    for k, line in enumerate(lines):
        if k:
            prev = lines[k - 1]
            chars.append("\n")
            src.append(prev.src[-1] + 1 if prev.src else (line.src[0] - 1 if line.src else 0))
        chars.append(line.chars)
        src.extend(line.src)
    return "".join(chars), src


def compress_offsets(src: list[int]) -> list[tuple[int, int]]:
    """Runs (normalized start, raw start) within which offsets advance together."""
    if not src:
        return []
    raw = np.asarray(src, dtype=np.int64)
    starts = np.flatnonzero(np.diff(raw, prepend=raw[0] - 2) != 1)  # the first offset always starts a run
    return list(zip(starts.tolist(), raw[starts].tolist()))


def raw_offset(runs: list[tuple[int, int]], pos: int) -> int:
    """Map a normalized offset to the raw offset through the runs."""
    from bisect import bisect_right

    k = bisect_right([n for n, _ in runs], pos) - 1
    if k < 0:
        return pos
    n, r = runs[k]
    return r + (pos - n)


# ---- sentences --------------------------------------------------------------------------------------------

_SENTENCE_BREAK = re.compile(f"\n|[{SENTENCE_END}][{re.escape(CLOSERS + SENTENCE_END)}]*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: ended by 。！？ (with closing quotes) or by a line break; blank spans dropped."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        _add_span(text, start, m.start() if m.group() == "\n" else m.end(), spans)
        start = m.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start] in " \t\n":
        start += 1
    while end > start and text[end - 1] in " \t\n":
        end -= 1
    if end > start:
        spans.append((start, end))


# ---- the stage --------------------------------------------------------------------------------------------

def normalize(raw: str) -> Normalized:
    """Normalize a decoded report; see the module docstring for the steps."""
    lines = nfkc_lines(raw)
    flat = "\n".join(ln.chars for ln in lines)
    script = detect_script(flat)
    if script == "traditional":
        simplified = to_simplified(flat)
        if len(simplified) == len(flat):
            lines = _split_converted(simplified, lines)
        else:
            lines = convert_lines(lines)
    lines = [strip_line(ln) for ln in lines]
    lines = drop_chrome(lines)
    lines = rejoin_lines(lines)
    text, src = join_lines(lines)
    return Normalized(text=text, script=script, offset_runs=compress_offsets(src),
                      sentences=split_sentences(text))


def _split_converted(converted: str, lines: list[Line]) -> list[Line]:
    """Cut a length-preserving whole-text conversion back into the original lines."""
    out = []
    pos = 0
    for line in lines:
        out.append(Line(converted[pos:pos + len(line.chars)], line.src))
        pos += len(line.chars) + 1
    return out
