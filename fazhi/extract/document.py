"""The document model: a report's lines read as headline, byline, source, dateline, headings, paragraphs and tables.

Built once per document (build_model) and passed explicitly to whatever needs it: the scope rules read which
section a figure stands in, what the section's heading and opening say, and what the document's headline,
byline and opening statement say.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

# Heading markers, outermost first: the index is the heading's level (第一部分 > 一、 > （一） > 1. > （1）).
HEADING_MARKERS: tuple[tuple[str, re.Pattern], ...] = (
    ("part", re.compile(r"第[一二三四五六七八九十]+(?:部分|章|节|篇)")),
    ("chinese_ordinal", re.compile(r"[一二三四五六七八九十]{1,3}[、.．]")),
    ("paren_chinese", re.compile(r"[（(][一二三四五六七八九十]{1,3}[)）]")),
    ("arabic_ordinal", re.compile(r"\d{1,2}[、.．](?![\d%])")),
    ("paren_arabic", re.compile(r"[（(]\d{1,2}[)）]")),
)
# A short line of its own with none of these is a title or heading line (党建和业务深度融合 推动全市检察工作创新发展).
_SENTENCE_END = re.compile(r"[。;；!！?？]$|[。;；][^。;；]")
_BYLINE = re.compile(r"^(?:本报|本台|本网|[\u4e00-\u9fff]{2,8}?(?=记者|通讯员))?(?:记者|通讯员|作者|撰稿|文/|文:|供稿|编辑|责编|责任编辑)")
_SOURCE = re.compile(r"^[\[【(（]?\s*(?:来源|信息来源|发布单位|发布机构|供稿单位|经验交流单位|稿件来源|出处)\s*[:：]")
_DATELINE = re.compile(r"^[\s\[【(（]*(?:发布时间|发布日期|时间|日期|更新时间)?[:：]?\s*(?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
                       r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?[\s\])）】]*$")
_LABELED = re.compile(r"^(?:核心数据|关键词|编者按|导读|摘要)[:：]")
_KEYWORD = re.compile(r"^(?:关键词|主题)[:：]")
# Not a headline: page furniture that survives chrome removal.
_NOT_HEADLINE = re.compile(r"^[\[【(（].{0,12}[\]】)）]$|责编|责任编辑|首页|正文|>|当前位置|欢迎|网站|资料图片|^[|｜\s]*$|"
                           r"各位代表|同志们")
_TABLE_CELL_SPLIT = re.compile(r"\s*[|｜\t]\s*")
# The heading markers as one pattern, tried in their order (the first that matches names the level).
_HEADING_MARKER = re.compile("|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in HEADING_MARKERS))
_HEADING_LEVEL = {name: level for level, (name, _) in enumerate(HEADING_MARKERS, 1)}
_SOURCE_WORD = re.compile(r"(?:来源|责任编辑)\s*[:：]")
_CLAUSE_MARK = re.compile(r"[,，:：]")
_HEADING_STOP = re.compile(r"[。;；!！?？]")
_LONG_WORD = re.compile(r"\S{7}")


@dataclass(frozen=True)
class Block:
    """One line of the document with what it is: headline, byline, source, dateline, heading, paragraph, table_row."""

    kind: str
    start: int
    end: int
    level: int = 0  # a heading's depth (1 = outermost); 0 for other blocks
    marker: str = ""  # the heading marker's rule name, or "short_line"


@dataclass(frozen=True)
class Section:
    """A heading and the span it governs, up to the next heading of the same or a higher level."""

    heading: Block
    start: int
    end: int
    heading_end: int  # where the heading's own words end (a heading may run on into its paragraph)


@dataclass
class DocumentModel:
    """A report as blocks and sections, with its headline and byline/source lines."""

    text: str
    blocks: list[Block]
    sections: list[Section]
    headline: Block | None
    bylines: list[Block] = field(default_factory=list)
    block_starts: list[int] = field(default_factory=list)
    block_sections: list[tuple[Section, ...]] = field(default_factory=list)  # per block, innermost first

    def block_at(self, pos: int) -> Block | None:
        """The block holding position pos."""
        i = bisect.bisect_right(self.block_starts, pos) - 1
        return self.blocks[i] if i >= 0 and self.blocks[i].start <= pos <= self.blocks[i].end else None

    def sections_at(self, pos: int) -> list[Section]:
        """The sections holding pos, innermost first (a position in a heading's own words is not under it)."""
        i = bisect.bisect_right(self.block_starts, pos) - 1
        if i < 0:
            return []
        return [s for s in self.block_sections[i] if s.start <= pos < s.end and not s.start <= pos < s.heading_end]

    def opening(self, lo: int, hi: int, has_figure) -> list[Block]:
        """The opening blocks of the span [lo, hi): prose blocks up to and including the first that holds a figure."""
        out = []
        i = bisect.bisect_left(self.block_starts, lo)
        while i < len(self.blocks) and self.blocks[i].start < hi:
            b = self.blocks[i]
            i += 1
            if b.kind not in ("paragraph", "heading"):
                continue
            if b.kind == "heading" and any(o.kind == "paragraph" for o in out):
                break  # the next heading after some prose: a new section begins
            out.append(b)
            if has_figure(b.start, b.end):
                break
        return out


_MARKDOWN = re.compile(r"(#{1,6})\s*\S")


def heading_marker(line: str) -> tuple[int, str] | None:
    """(level, rule name) of the heading marker that opens a line, or None."""
    md = _MARKDOWN.match(line.lstrip(" \t"))
    if md and len(line.strip()) <= 60:
        return len(md.group(1)), "markdown"  # # 宁波扎实推进…, ## 动真碰硬…
    m = _HEADING_MARKER.match(line.lstrip(" \t▲■●◆★#"))
    return (_HEADING_LEVEL[m.lastgroup], m.lastgroup) if m else None


def _is_table_row(line: str) -> bool:
    # Two cell breaks need two break characters: most lines have none, and looking for them is cheap.
    if "|" not in line and "｜" not in line and "\t" not in line \
            or line.count("|") + line.count("｜") + line.count("\t") < 2:
        return False
    return len(_TABLE_CELL_SPLIT.findall(line)) >= 2


def _is_short_line(line: str) -> bool:
    body = line.strip(" \t▲■●◆★#")
    return 4 <= len(body) <= 40 and not _SENTENCE_END.search(body) and not _CLAUSE_MARK.search(body)


def _is_nav(line: str) -> bool:
    """A row of menu words separated by spaces (首页 机构设置 新闻中心 …): page furniture, not prose."""
    if _LONG_WORD.search(line):
        return False  # a word of seven characters or more (prose): no need to split the line
    words = line.split()
    return len(words) >= 5 and all(len(w) <= 6 for w in words)


def classify_line(line: str, first_prose_seen: bool) -> tuple[str, int, str]:
    """(kind, level, marker) of one line of normalized text."""
    body = line.strip(" \t")
    if _is_table_row(body):
        return "table_row", 0, ""
    if _SOURCE.match(body) or len(body) <= 80 and _SOURCE_WORD.search(body):
        return "source", 0, ""
    if len(body) <= 40 and _BYLINE.match(body):
        return "byline", 0, ""
    if _DATELINE.match(body):
        return "dateline", 0, ""
    if _is_nav(body):
        return "chrome", 0, ""
    marker = heading_marker(body)
    if marker:
        return "heading", marker[0], marker[1]
    if len(body) <= 40 and _KEYWORD.match(body):
        return "heading", 1, "keyword"  # 关键词:扫黑除恶 opens each contribution of a compilation
    if _LABELED.match(body):
        return "paragraph", 0, ""
    if _is_short_line(body) and not _NOT_HEADLINE.search(body):
        return ("heading", 1, "short_line") if first_prose_seen else ("headline", 0, "")
    return "paragraph", 0, ""


def _heading_end(text: str, block: Block) -> int:
    """Where a heading's own words end: at its first full stop when the paragraph runs on after it."""
    line = text[block.start:block.end]
    if block.marker == "short_line":
        return block.end
    m = _HEADING_STOP.search(line)
    return block.start + (m.end() if m else len(line))


def _merge_heading_runs(blocks: list[Block]) -> list[Block]:
    """Consecutive short heading lines (a title, then the institution under it) are one heading."""
    out: list[Block] = []
    for b in blocks:
        prev = out[-1] if out else None
        if prev and b.marker == "short_line" and prev.marker == "short_line" and prev.kind == b.kind == "heading":
            out[-1] = Block("heading", prev.start, b.end, prev.level, prev.marker)
            continue
        out.append(b)
    return out


def build_model(text: str, title: str | None = None) -> DocumentModel:
    """Read a normalized document's lines into blocks and sections."""
    blocks: list[Block] = []
    pos = 0
    prose_seen = False
    headline: Block | None = None
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        kind, level, marker = classify_line(line, prose_seen or headline is not None)
        if title and line.strip() == title.strip() and not prose_seen and headline is None \
                and kind in ("headline", "heading", "paragraph") and not _NOT_HEADLINE.search(line):
            kind, level, marker = "headline", 0, ""
        if kind == "headline":
            if headline is None and not prose_seen:
                headline = Block("headline", start, end)
                blocks.append(headline)
                continue
            kind, level, marker = "heading", 1, "short_line"
        if kind == "paragraph" and len(line.strip()) > 40:
            prose_seen = True
        blocks.append(Block(kind, start, end, level, marker))
    blocks = _merge_heading_runs(blocks)
    # Short title lines only head sections in a document whose other headings do not already number them.
    numbered = any(b.kind == "heading" and b.marker != "short_line" for b in blocks)
    # One pass with a stack of open headings: a heading closes every open one of its level or deeper.
    heads = [b for b in blocks if b.kind == "heading" and not (numbered and b.marker == "short_line")]
    ends: dict[int, int] = {}
    open_heads: list[Block] = []
    for b in heads:
        while open_heads and open_heads[-1].level >= b.level:
            ends[open_heads.pop().start] = b.start
        open_heads.append(b)
    sections = [Section(b, b.start, ends.get(b.start, len(text)), _heading_end(text, b)) for b in heads]
    # Each block's chain of sections, innermost first, so a figure finds its sections in log time.
    chains: list[tuple[Section, ...]] = []
    stack: list[Section] = []
    by_start = {s.start: s for s in sections}
    for b in blocks:
        while stack and stack[-1].end <= b.start:
            stack.pop()
        if b.start in by_start:
            stack.append(by_start[b.start])
        chains.append(tuple(reversed(stack)))
    return DocumentModel(text=text, blocks=blocks, sections=sections, headline=headline,
                         bylines=[b for b in blocks if b.kind in ("byline", "source")],
                         block_starts=[b.start for b in blocks], block_sections=chains)
