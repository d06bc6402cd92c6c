"""Ingest: find report files, decode their bytes, reduce HTML to text, read metadata."""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".txt", ".md", ".htm", ".html")
HTML_SUFFIXES = (".htm", ".html")

# Files past this size are refused unread: a report, even a long annual one, is well under a megabyte, and
# decoding, normalizing and tokenizing tens of megabytes would hold a batch for minutes for no figure.
MAX_BYTES = 10 * 1024 * 1024

# Read failures that may pass (a network share hiccup, a busy device): the batch is retried before giving up.
TRANSIENT_ERRNOS = {getattr(errno, name) for name in ("EIO", "EAGAIN", "EINTR", "EBUSY", "ETIMEDOUT", "ESTALE",
                                                      "ENOLCK", "EREMOTEIO") if hasattr(errno, name)}


class IngestError(Exception):
    """A file that cannot become a document; the message says why in one line."""

    transient = False


class TransientReadError(IngestError):
    """A read that failed in a way that may succeed on a retry."""

    transient = True


@dataclass
class RawDocument:
    """A decoded report: its bytes' hash, where it came from, and its text before normalization."""

    doc_id: str
    source_name: str
    source_path: str
    encoding: str
    is_html: bool
    raw_text: str
    size_bytes: int
    warnings: list[str] = field(default_factory=list)


def doc_id_for(raw: bytes) -> str:
    """The document's id: a hash of its raw bytes, so an unchanged file keeps its id."""
    return hashlib.sha256(raw).hexdigest()[:16]


def discover(root: Path, follow_links: bool = False) -> tuple[list[Path], list[tuple[str, str]]]:
    """Every report file under root, recursively and sorted, plus (path, reason) for what could not be walked.

    A symlink that leads outside root (to a file or a folder) is not followed unless follow_links: a link in a
    report folder must not carry /etc/passwd or a home folder into the warehouse.
    """
    found: list[Path] = []
    problems: list[tuple[str, str]] = []
    seen_dirs: set[tuple[int, int]] = set()
    inside = os.path.realpath(root)

    def leads_outside(path: str) -> bool:
        if follow_links or not os.path.islink(path):
            return False
        target = os.path.realpath(path)
        return target != inside and not target.startswith(inside.rstrip(os.sep) + os.sep)

    def outside(path: str) -> tuple[str, str]:
        return (path, f"symlink to {os.path.realpath(path)}, outside the input folder; not followed "
                      f"(--follow-links follows it)")

    def walk_error(err: OSError) -> None:
        problems.append((str(err.filename), f"cannot read folder: {err.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=walk_error, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError as err:
            problems.append((dirpath, f"cannot read folder: {err.strerror}"))
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:  # a symlink loop or a folder linked twice
            problems.append((dirpath, "folder already visited (symlink loop); skipped"))
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        for name in [d for d in dirnames if leads_outside(os.path.join(dirpath, d))]:
            problems.append(outside(os.path.join(dirpath, name)))
            dirnames.remove(name)
        dirnames.sort()
        for name in sorted(filenames):
            if name.lower().endswith(SUFFIXES):
                if leads_outside(os.path.join(dirpath, name)):
                    problems.append(outside(os.path.join(dirpath, name)))
                    continue
                found.append(Path(dirpath) / name)
    return found, problems


def source_name_for(path: Path, root: Path) -> str:
    """The file's path below the input folder, with forward slashes."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))  # tab, newlines, form feed, escape


def looks_binary(raw: bytes) -> bool:
    """True when the bytes are not text in any encoding we read: NULs outside UTF-16, or many control bytes."""
    sample = raw[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > max(8, len(sample) // 100)


def _cjk_share(text: str) -> float:
    if not text:
        return 0.0
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return cjk / len(text)


def decode(raw: bytes) -> tuple[str, str, list[str]]:
    """Decode report bytes: BOMs first, then strict UTF-8, then the best of GB18030 and Big5.

    Returns the text, the encoding used, and warnings (e.g. replaced bytes).
    """
    if not raw.strip():
        raise IngestError("empty file")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig", _replaced(raw[3:], "utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as err:
            raise IngestError(f"UTF-16 byte-order mark but undecodable bytes at {err.start}") from None
    if looks_binary(raw):
        raise IngestError("binary content, not text")
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    candidates = []
    for enc in ("gb18030", "big5"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        candidates.append((enc, text))
    if len(candidates) == 2:
        candidates = [_choose_cjk_encoding(raw, candidates)]
    if candidates:
        enc, text = candidates[0]
        return text, enc, []
    # Mostly UTF-8 with a few bad bytes in the middle: keep the text, mark the damage.
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad <= max(3, len(text) // 200) and _cjk_share(text) > 0.05:
        return text, "utf-8", [f"{bad} undecodable byte sequence(s) replaced with U+FFFD"]
    raise IngestError("undecodable bytes: not UTF-8, UTF-16, GB18030 or Big5")


def _replaced(raw: bytes, enc: str) -> list[str]:
    try:
        raw.decode(enc)
        return []
    except UnicodeDecodeError:
        return ["undecodable byte sequence(s) replaced with U+FFFD"]


def _choose_cjk_encoding(raw: bytes, candidates: list[tuple[str, str]]) -> tuple[str, str]:
    """When bytes are valid as both GB18030 and Big5, let charset-normalizer judge which reads as language."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=[enc for enc, _ in candidates]).best()
    if best is not None:
        chosen = best.encoding.replace("_", "").lower()
        for enc, text in candidates:
            if enc.replace("_", "").lower() == chosen:
                return enc, text
    return max(candidates, key=lambda c: _common_char_score(c[1]))


# Frequent characters of Chinese prose in both scripts: a wrong decoding scatters rare characters.
_COMMON = set("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质")
_COMMON |= set("們這個來時對會動國過發後說學現種還實點從應開總無關經樣與將長問頭區強決見")


def _common_char_score(text: str) -> float:
    cjk = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    return sum(ch in _COMMON for ch in cjk) / len(cjk) if cjk else 0.0


# Table cells stay on their row's line, joined by " | ", so a flattened table reads row by row.
_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
               "table", "title", "dd", "dt", "blockquote", "pre")


_DROPPED_TAGS = frozenset(("script", "style", "noscript", "iframe", "svg", "nav", "form", "button", "select",
                           "template"))
_CELL_TAGS = ("td", "th")
# A line's trailing cell separators; the lookbehind tries only where a run of them starts, so a line of many
# separators before its text is read once ((\s*\|\s*)+$ was exponential in them).
_TRAILING_SEPARATORS = re.compile(r"(?<![\s|])[\s|]+$")


def _children(tag) -> list:
    return [c for c in tag.contents if getattr(c, "name", None) not in _DROPPED_TAGS]


def _tables_holding_tables(soup) -> set[int]:
    """ids of the tables that have a table inside them (one walk of the tree, whatever its depth)."""
    holding: set[int] = set()
    open_tables: list = []
    stack = [(soup, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            open_tables.pop()
            continue
        if node.name == "table":
            if open_tables:
                holding.add(id(open_tables[-1]))  # the nearest enclosing table; it marks its own enclosing one
            open_tables.append(node)
            stack.append((node, True))
        stack.extend((c, False) for c in reversed(_children(node)) if c.name is not None)
    return holding


def html_to_text(html: str) -> str:
    """Reduce an HTML page to its visible text, one block per line, without scripts, styles and nav."""
    from bs4 import BeautifulSoup, CData, NavigableString

    soup = BeautifulSoup(html, "lxml")
    # One walk of the tree writing the text as it goes: rewriting the tree instead (a newline inserted around each
    # block, a separator after each cell) costs a walk of a subtree per insert: quadratic in rows and in nesting.
    holding = _tables_holding_tables(soup)
    out: list[str] = []
    rows: list[list[int]] = []  # per open row: the place in out of its last cell's separator
    stack: list = [soup]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if type(node) in (NavigableString, CData, str):  # what get_text() reads (no comments); str: ours
                out.append(node)
            continue
        if isinstance(node, tuple):  # leaving a cell or a row
            if node[0] == "cell" and rows:
                rows[-1][0] = len(out)
                out.append(" | ")
            elif node[0] == "row":
                last = rows.pop()[0]
                if last >= 0:
                    out[last] = ""  # the row's last cell has no separator after it
            continue
        name = node.name
        if name == "table" and id(node) not in holding:  # an outer layout table keeps its inner tables' rows
            out.append("\n" + table_to_text(node) + "\n")
            continue
        if name in _BLOCK_TAGS:
            out.append("\n")
            stack.append("\n")
        if name == "tr":  # cells stay on their row's line, joined by " | "
            rows.append([-1])
            stack.append(("row",))
        elif name in _CELL_TAGS:
            stack.append(("cell",))
        stack.extend(reversed(_children(node)))
    text = "".join(out)
    lines = [re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip() for line in text.splitlines()]
    lines = [_TRAILING_SEPARATORS.sub("", line) for line in lines]
    out = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


_NUMBER_CELL = re.compile(r"^[+\-−]?[\d ,.]+%?$")


def _span(cell, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, 1)), 100))
    except (TypeError, ValueError):
        return 1


def table_to_text(table) -> str:
    """A table as `a | b | c` rows with its spans laid out on the grid: a header over three columns is written
    over each of them, a row label spanning rows stands in each row; a number is written once, never copied."""
    grid: list[list[str]] = []
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows left) of a cell spanning rows

    def fill_carried(row: list[str]) -> None:
        while len(row) in carried:
            text, left = carried[len(row)]
            row.append(text)
            if left <= 1:
                del carried[len(row) - 1]
            else:
                carried[len(row) - 1] = (text, left - 1)

    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        row: list[str] = []
        cells = tr.find_all(["td", "th"], recursive=False)

        for cell in cells:
            fill_carried(row)
            text = re.sub(r"\s+", " ", cell.get_text(" ", strip=True))
            number = bool(_NUMBER_CELL.match(text))
            width, height = _span(cell, "colspan"), _span(cell, "rowspan")
            for j in range(width):
                shown = text if j == 0 or not number else ""
                if height > 1:
                    carried[len(row)] = ("" if number else text, height - 1)
                row.append(shown)
        fill_carried(row)
        grid.append(row)
    return "\n".join(" | ".join(row) for row in grid if any(row))


def looks_like_html(text: str) -> bool:
    """True for text that is an HTML page, whatever the file is called."""
    head = text[:2048].lower()
    return "<html" in head or "<!doctype html" in head or ("<body" in head and "</" in head)


def read_capped(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_BYTES; IngestError for anything else, OSError when unreadable.

    The file is opened without blocking and checked through its open descriptor, so a FIFO cannot hang the
    read, a device (/dev/zero) is never read, and a file swapped or grown after a check is still capped.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise IngestError(f"not a regular file ({_file_type(st.st_mode)}); skipped unread")
        if st.st_size > MAX_BYTES:
            raise IngestError(f"too large: {st.st_size:,} bytes, over the {MAX_BYTES // 2**20} MiB limit for one "
                              f"report")
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise IngestError(f"too large: over the {MAX_BYTES // 2**20} MiB limit for one report")
    return raw


def read_document(path: Path, root: Path) -> RawDocument:
    """Read and decode one file; raises IngestError with a one-line reason when it cannot be a document."""
    try:
        raw = read_capped(path)
    except OSError as err:
        raise _read_error(path, err) from None
    return document_from_bytes(raw, source_name_for(path, root), str(path))


def _read_error(path: Path, err: OSError) -> IngestError:
    """One line naming why a file could not be opened or read."""
    if err.errno == errno.ELOOP:
        return IngestError("cannot read: symlink loop (too many levels of symbolic links)")
    if err.errno == errno.ENOENT and path.is_symlink():
        return IngestError(f"cannot read: broken symlink to {os.readlink(path)}")
    if err.errno in (errno.EACCES, errno.EPERM):
        return IngestError(f"cannot read: permission denied ({err.strerror})")
    if err.errno in TRANSIENT_ERRNOS:
        return TransientReadError(f"cannot read: {err.strerror} (errno {err.errno}, may be transient)")
    return IngestError(f"cannot read: {err.strerror}")


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


def document_from_bytes(raw: bytes, source_name: str, source_path: str = "") -> RawDocument:
    """Build a RawDocument from bytes already read."""
    text, encoding, warnings = decode(raw)
    is_html = source_name.lower().endswith(HTML_SUFFIXES) or looks_like_html(text)
    if is_html:
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError("no text after decoding" + (" the HTML" if is_html else ""))
    return RawDocument(doc_id=doc_id_for(raw), source_name=source_name, source_path=source_path or source_name,
                       encoding=encoding, is_html=is_html, raw_text=text, size_bytes=len(raw), warnings=warnings)
