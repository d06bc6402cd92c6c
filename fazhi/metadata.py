"""Document metadata read from the normalized text: title, publication time, outlet, reporters."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

_DATE = r"((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?"
_PUBLISHED = re.compile(r"(?:发布时间|发布日期|发表时间|时间|日期|发布)\s*[:：]\s*" + _DATE)
_BARE_DATE = re.compile(r"^\s*" + _DATE + r"\s*(?:$|来源|作者|编辑|\s)")
_OUTLET = re.compile(r"来源\s*[:：]\s*([^\s|｜:：]{2,30}?)(?=\s|$|\||｜|责任编辑|编辑|作者|发布|时间|日期|浏览|点击)")
_PEOPLE_STOP = r"(?=\s{2,}|$|[,,，。;；|]|实习生|通讯员|记者|责任编辑|编辑|来源)"
_REPORTER = re.compile(r"记者\s*[:：]?\s*((?:[\u4e00-\u9fff·]{2,4}[ 、,，]?){1,4}?)" + _PEOPLE_STOP)
_CORRESPONDENT = re.compile(r"通讯员\s*[:：]?\s*((?:[\u4e00-\u9fff·]{2,4}[ 、,，]?){1,4}?)" + _PEOPLE_STOP)


@dataclass
class Metadata:
    """What the report says about itself."""

    title: str | None = None
    published_at: datetime | None = None
    outlet: str | None = None
    reporters: list[str] = field(default_factory=list)
    correspondents: list[str] = field(default_factory=list)

    @property
    def published_date(self) -> date | None:
        return self.published_at.date() if self.published_at else None


def _to_datetime(m: re.Match) -> datetime | None:
    y, mo, d, hh, mm, ss = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None


def _names(group: str) -> list[str]:
    return [n for n in re.split(r"[ 、,，]+", group.strip()) if 2 <= len(n) <= 4]


def _looks_like_title(line: str) -> bool:
    s = line.strip("# ").strip()
    return (4 <= len(s) <= 60 and not re.search(r"(记者|通讯员|来源[:：]|时间[:：]|编者按|[。;；])", s)
            and sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff") >= 4)


def extract_metadata(text: str, head_lines: int = 30) -> Metadata:
    """Read metadata from the first lines of a normalized report."""
    meta = Metadata()
    lines = [ln.strip() for ln in text.split("\n")]
    head = [ln for ln in lines[:head_lines] if ln]
    for line in head:
        if meta.published_at is None:
            m = _PUBLISHED.search(line) or _BARE_DATE.search(line)
            if m:
                meta.published_at = _to_datetime(m)
        if meta.outlet is None:
            m = _OUTLET.search(line)
            if m:
                meta.outlet = m.group(1)
        if not meta.reporters:
            m = _REPORTER.search(line)
            if m and len(line) < 80:
                meta.reporters = _names(m.group(1))
        if not meta.correspondents:
            m = _CORRESPONDENT.search(line)
            if m and len(line) < 80:
                meta.correspondents = _names(m.group(1))
    for line in head[:6]:
        if _looks_like_title(line):
            # Page titles often end with the site's name: 标题_广州市中级人民法院, 标题 - 法治网.
            meta.title = re.sub(r"\s*(_|\s[-|｜—]\s).{2,30}$", "", line.strip("# ").strip()) or line
            break
    return meta
