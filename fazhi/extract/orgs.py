"""Organizations in political-legal reports: find their mentions, resolve short forms, classify them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .prefilter import compile_scan

PLACES_FILE = Path(__file__).resolve().parent.parent / "data" / "places.tsv"

# Institution names as written, longest first; each maps to (org_type, level hint, canonical core).
_CORES: dict[str, tuple[str, str, str]] = {
    "最高人民法院": ("court", "national", "最高人民法院"),
    "最高法院": ("court", "national", "最高人民法院"),
    "最高法": ("court", "national", "最高人民法院"),
    "高级人民法院": ("court", "provincial", "高级人民法院"),
    "中级人民法院": ("court", "prefectural", "中级人民法院"),
    "铁路运输中级法院": ("court", "prefectural", "铁路运输中级法院"),
    "铁路运输法院": ("court", "county", "铁路运输法院"),
    "海事法院": ("court", "prefectural", "海事法院"),
    "知识产权法院": ("court", "prefectural", "知识产权法院"),
    "互联网法院": ("court", "county", "互联网法院"),
    "金融法院": ("court", "prefectural", "金融法院"),
    "人民法院": ("court", "", "人民法院"),
    "人民法庭": ("court", "township", "人民法庭"),
    "终审法院": ("court", "provincial", "终审法院"),
    "高等法院": ("court", "provincial", "高等法院"),
    "地方法院": ("court", "county", "地方法院"),
    "区域法院": ("court", "county", "区域法院"),
    "裁判法院": ("court", "county", "裁判法院"),
    "初级法院": ("court", "county", "初级法院"),
    "中级法院": ("court", "prefectural", "中级法院"),
    "行政法院": ("court", "", "行政法院"),
    "法院": ("court", "", "法院"),
    "中院": ("court", "prefectural", "中级人民法院"),
    "高院": ("court", "provincial", "高级人民法院"),
    "最高人民检察院": ("procuratorate", "national", "最高人民检察院"),
    "最高检": ("procuratorate", "national", "最高人民检察院"),
    "高检院": ("procuratorate", "national", "最高人民检察院"),
    "人民检察院": ("procuratorate", "", "人民检察院"),
    "检察分院": ("procuratorate", "prefectural", "检察分院"),
    "检察院": ("procuratorate", "", "检察院"),
    "地方检察署": ("procuratorate", "county", "地方检察署"),
    "高等检察署": ("procuratorate", "provincial", "高等检察署"),
    "地检署": ("procuratorate", "county", "地方检察署"),
    "高检署": ("procuratorate", "provincial", "高等检察署"),
    "检察署": ("procuratorate", "", "检察署"),
    "公安部": ("police", "national", "公安部"),
    "公安厅": ("police", "provincial", "公安厅"),
    "公安分局": ("police", "county", "公安分局"),
    "公安局": ("police", "", "公安局"),
    "派出所": ("police", "township", "派出所"),
    "警务处": ("police", "provincial", "警务处"),
    "警政署": ("police", "provincial", "警政署"),
    "治安警察局": ("police", "provincial", "治安警察局"),
    "司法警察局": ("police", "provincial", "司法警察局"),
    "警察局": ("police", "", "警察局"),
    "司法部": ("justice", "national", "司法部"),
    "司法厅": ("justice", "provincial", "司法厅"),
    "司法局": ("justice", "", "司法局"),
    "司法所": ("justice", "township", "司法所"),
    "法务部": ("justice", "provincial", "法务部"),
    "律政司": ("justice", "provincial", "律政司"),
    "廉政公署": ("anticorruption", "provincial", "廉政公署"),
    "政法委员会": ("committee", "", "政法委员会"),
    "法律援助署": ("justice", "provincial", "法律援助署"),
    "法援署": ("justice", "provincial", "法律援助署"),
    "保安司": ("police", "provincial", "保安司"),
    "保安局": ("police", "provincial", "保安局"),
    "警方": ("police", "", "警方"),
    "刑事警察局": ("police", "provincial", "刑事警察局"),
    "刑事局": ("police", "provincial", "刑事警察局"),
    "政法委": ("committee", "", "政法委"),
}
# Collectives: a set of organizations reported together.
_COLLECTIVES: dict[str, str] = {
    "中、基层法院": "court", "两级法院": "court", "三级法院": "court", "各级法院": "court", "基层法院": "court",
    "法院系统": "court", "审判机关": "court", "两级检察院": "procuratorate", "两级检察机关": "procuratorate",
    "检察机关": "procuratorate", "检察系统": "procuratorate", "公安机关": "police", "公安系统": "police",
    "司法行政机关": "justice", "司法行政系统": "justice", "政法系统": "committee", "政法机关": "committee",
    "政法各单位": "committee", "政法各部门": "committee", "各政法单位": "committee", "政法单位": "committee",
    "各地方法院": "court", "各地方检察署": "procuratorate", "各地检署": "procuratorate",
    "警察机关": "police", "纪检监察机关": "discipline", "纪委监委": "discipline", "纪检监察系统": "discipline",
    "公检法司各部门": "committee", "公检法司": "committee", "级各单位": "committee", "级各部门": "committee",
}
_ANAPHORS = ("该院", "本院", "我院", "全院")
_SPECIALTIES = ("铁路运输", "海事", "知识产权", "互联网", "金融")
# Hong Kong, Macau and Taiwan institutions carry no 人民 in their names.
_NO_PEOPLES = ("香港特别行政区", "澳门特别行政区", "台湾省")
# Short place names that are also common words in these reports (公安县 -> 公安).
_SHORT_STOP = {"公安", "城区", "郊区", "矿区", "新区", "市中", "铁路", "海事", "金融", "司法", "人民", "中级", "高级"}
_FUNCTION_WORDS = re.compile(r"按照|根据|依照|依据|代表|对照|通过|经过|关于|我|向|在|对|和|与|及|由|被|将|把|从|为|是|的")
_NON_PLACE_PREFIX = re.compile(r"(基层|上级|下级|试点|各级|同级|两级|三级|人民|示范|派出|专门)$")

_core_alternation = "|".join(sorted([*_CORES, *_COLLECTIVES, *_ANAPHORS], key=len, reverse=True))
# Scanned over whole documents: the first-character check makes the scan 5x faster (same matches).
CORE_RE = compile_scan(r"(?:[省市县区]委)?(?:" + _core_alternation + r")")
_QUALIFIER_RE = re.compile(r"((?:全市|全省|全县|全区|全国|全州)?(?:两级|各级)|全市|全省|全县|全区|全国|全州|全盟|全港|全澳|本港|本澳|"
                           r"本市|本省|本县|本区)$")
_GENERIC_PLACE_RE = re.compile(r"(?:^|(?<=[^\u4e00-\u9fff]))([\u4e00-\u9fff]{2,3}?(?:省|市|县|区|州|乡|镇))$")
_SUFFIXES = re.compile(r"^(.{2,}?)(?:(?:[\u4e00-\u9fff]{1,3}族)+)?(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|"
                       r"自治州|自治县|自治旗|地区|省|市|县|区|盟|旗)$")


@dataclass
class Place:
    """A place in the gazetteer: its full name, level, prefecture and province."""

    name: str
    level: str
    prefecture: str
    province: str

    @property
    def short(self) -> str:
        return short_place(self.name)


def short_place(name: str) -> str:
    """台州市 -> 台州, 本溪满族自治县 -> 本溪; names too short to shorten stay whole."""
    m = _SUFFIXES.match(name)
    return m.group(1) if m else name


@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """Places by full name and by short name (short names of two characters or more)."""
    by_name: dict[str, list[Place]] = {}
    by_short: dict[str, list[Place]] = {}
    for line in PLACES_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("name\t"):
            continue
        name, level, prefecture, province = (line.split("\t") + ["", "", ""])[:4]
        place = Place(name, level, prefecture, province)
        if any(p.level == level and p.prefecture == prefecture for p in by_name.get(name, [])):
            continue
        by_name.setdefault(name, []).append(place)
        short = place.short
        if short != name and len(short) >= 2 and short not in _SHORT_STOP:
            by_short.setdefault(short, []).append(place)
    for short, full in (("香港", "香港特别行政区"), ("澳门", "澳门特别行政区"), ("台湾", "台湾省")):
        by_short.setdefault(short, []).extend(by_name.get(full, []))
    return by_name, by_short


def lookup_place(name: str, province_hint: str | None = None) -> Place | None:
    """The gazetteer place for a full or short name, preferring one in the hinted province."""
    by_name, by_short = gazetteer()
    candidates = by_name.get(name) or by_short.get(name) or []
    if not candidates:
        return None
    if province_hint:
        for p in candidates:
            if p.province == province_hint:
                return p
    rank = {"province": 0, "prefecture": 1, "county": 2}
    return min(candidates, key=lambda p: rank.get(p.level, 3))


def place_before(text: str, end: int, max_len: int = 9) -> tuple[int, str] | None:
    """The longest place name (gazetteer full or short name, or X市/X县 after a boundary) ending at end."""
    by_name, by_short = gazetteer()
    for n in range(min(max_len, end), 1, -1):
        candidate = text[end - n:end]
        if candidate in by_name or candidate in by_short:
            return end - n, candidate
    lo = max(0, end - 6)
    m = _GENERIC_PLACE_RE.search(text[lo:end])
    if m and m.start(1) == 0 and lo > 0 and "\u4e00" <= text[lo - 1] <= "\u9fff":
        m = None  # the window cut a longer run of characters: no boundary before the name
    if m and not _NON_PLACE_PREFIX.search(m.group(1)[:-1]) and not _FUNCTION_WORDS.search(m.group(1)[:-1]):
        return end - len(m.group(1)), m.group(1)
    return None


# Cores that name no particular organization without a place in front of them (向法院提出, 人民法院报).
_NEEDS_PLACE = {"法院", "检察院", "公安局", "检察署", "人民法院", "人民检察院", "人民法庭", "派出所", "司法所", "公安分局",
                "司法局", "司法厅", "公安厅", "警察局", "地方法院", "高等法院", "地方检察署", "高等检察署", "基层法院",
                "行政法院", "初级法院", "区域法院", "裁判法院", "检察分院", "中级人民法院", "高级人民法院", "警方"}
_PERSON_AFTER = re.compile(r"(书记|副书记|常委|委员|主任|副主任|院长|副院长|检察长|副检察长|局长|副局长|厅长|干警|法官|检察官)")


@dataclass
class Mention:
    """One organization mention: its span, the places and qualifier written before its core, and the core."""

    start: int
    end: int
    places: list[str]
    qualifier: str
    relative: str
    core: str
    committee: str = ""  # the 市委 of 市委政法委

    @property
    def written(self) -> str:
        return "".join(self.places) + self.qualifier + self.relative + self.committee + self.core


def find_mentions(text: str, start: int = 0, end: int | None = None) -> list[Mention]:
    """Organization mentions in text[start:end]: a core institution plus the places and qualifier before it."""
    end = len(text) if end is None else end
    out = []
    for m in CORE_RE.finditer(text, start, end):
        core, pos = m.group(0), m.start()
        committee = ""
        if len(core) > 2 and core[1] == "委" and core[0] in "省市县区" and core[2:].startswith("政法委"):
            committee, core = core[:2], core[2:]
        if core in ("法院", "检察院", "人民法庭") and text[pos - 1:pos] in ("学", "的"):
            continue
        if core.startswith("政法委") and not committee and _PERSON_AFTER.match(text, m.end()):
            continue
        qualifier = relative = ""
        places: list[str] = []
        q = _QUALIFIER_RE.search(text[max(start, pos - 4):pos])
        if q and not committee:
            qualifier = q.group(1)
            pos -= len(qualifier)
        found = place_before(text, pos + (1 if committee else 0)) if pos > start else None
        if committee and found and found[1].endswith(committee[0]):
            pass  # 台州市委政法委: the 市 belongs to the place
        elif committee:
            found = place_before(text, pos) if pos > start else None
            if not found:
                relative, committee = committee[0], "委"
        elif not qualifier and text[pos - 1:pos] in ("省", "市", "县", "区") and not found:
            relative = text[pos - 1]
            pos -= 1
        while found and found[0] >= start and not relative:
            places.insert(0, found[1])
            if committee and found[1].endswith(committee[0]):
                committee = "委"
            pos = found[0]
            if len(places) >= 3 or pos <= start:
                break
            found = place_before(text, pos)
        if core in _NEEDS_PLACE and not (places or qualifier or relative):
            continue
        out.append(Mention(pos, m.end(), places, qualifier, relative, core, committee))
    return out


def core_info(core: str) -> tuple[str, str, str, bool]:
    """(org_type, level hint, canonical core, collective) for a core as written."""
    if core in _CORES:
        t, lv, c = _CORES[core]
        return t, lv, c, False
    if core in _COLLECTIVES:
        return _COLLECTIVES[core], "multi", core, True
    return "", "", core, False


def _admin_level(p: Place) -> str:
    return {"province": "provincial", "prefecture": "prefectural"}.get(p.level, "county")


def _full_places(places: list[str], province_hint: str | None = None) -> tuple[str, Place | None]:
    """The written places with the last one in its gazetteer form (台州 -> 台州市), and that place."""
    if not places:
        return "", None
    last = lookup_place(places[-1], province_hint)
    first = "".join(places[:-1])
    if last is None:
        return first + places[-1], None
    if places[-1] != last.name and places[-1] == last.short:
        return first + last.name, last
    return first + places[-1], last


def canonical_name(m: Mention, city: Place | None = None, county: Place | None = None,
                   province: str | None = None, province_hint: str | None = None) -> str:
    """The fullest name a mention supports given the places in scope (the document's city, county, province)."""
    written = m.written
    org_type, _, core_full, collective = core_info(m.core)
    if m.core in _ANAPHORS:
        return written
    if m.core in ("最高法", "最高法院", "最高检", "高检院"):
        return core_full
    prefix, place = _full_places(m.places, province_hint)
    if m.places:
        if m.core == "中院":
            return prefix + "中级人民法院"
        if m.core == "高院":
            return prefix + "高级人民法院"
        if m.committee == "委" and not prefix.endswith(("市", "县", "区", "省")):
            return prefix + "委" + m.core
        return written
    if m.relative:
        base = {"市": city, "县": county, "区": county, "省": None}.get(m.relative)
        base_name = base.name if base else (province if m.relative == "省" else None)
        if not base_name:
            return written
        if m.core == "检察院":
            return base_name + ("检察院" if base and base.province in _NO_PEOPLES else "人民检察院")
        if m.core == "法院" and m.relative == "省":
            return base_name + "高级人民法院"  # 省法院: the province's high court
        if m.core in ("法院", "中院"):
            prefecture = base is not None and base.level == "prefecture"
            return base_name + ("中级人民法院" if prefecture or m.core == "中院" else "人民法院")
        if m.core == "高院":
            return base_name + "高级人民法院"
        return base_name + m.committee + m.core
    if m.qualifier and org_type in ("police", "justice") and not collective and m.core.endswith("局"):
        # 全市公安局: one bureau, the city's (a bureau is no collective, unlike 全市法院 or 全市检察机关)
        base = {"全市": city, "全县": county, "全区": county}.get(m.qualifier)
        if base is not None:
            return base.name + m.core
    if m.qualifier or collective:
        return written  # 全市检察机关, 两级法院: a scope word or collective is the org as written (the spec)
    if m.core.startswith("政法委") and (county or city):
        return (county or city).name + "委" + m.core
    if m.core == "中院" and city:
        return city.name + "中级人民法院"
    return written


def classify_org(name: str) -> dict:
    """Canonical name, type, level and place of an organization name (full, short, collective or a place)."""
    name = (name or "").strip()
    result = {"org": name or None, "org_type": None, "level": None, "place": None, "prefecture": None,
              "province": None, "collective": False, "specialty": None}
    if not name:
        return result
    mentions = [m for m in find_mentions(name) if m.end == len(name)]
    scope = re.fullmatch(r"全(国|省|市|县|区)", name)
    if scope:
        result.update(org_type="place", level={"国": "national", "省": "provincial", "市": "prefectural"}.get(
            scope.group(1), "county"))
        return result
    if not mentions and re.fullmatch(r"[\u4e00-\u9fff]{1,4}[乡镇]", name):
        result.update(org_type="place", level="township", place=name)
        return result
    if not mentions:
        place = lookup_place(name) or lookup_place(name.removeprefix("全"))
        if place:  # a place reported as a whole: 深州市, 全省
            result.update(org=name, org_type="place", level=_admin_level(place), place=place.name,
                          prefecture=place.prefecture or None, province=place.province or None)
        return result
    m = mentions[-1]
    org_type, level, _, collective = core_info(m.core)
    _, place = _full_places(m.places)
    if place is None and m.places:
        place = lookup_place(m.places[0])
    canonical = canonical_name(m)
    if (canonical == m.written and m.places and m.core in ("法院", "检察院") and place is not None
            and not m.qualifier and place.province not in _NO_PEOPLES):
        # 仙居法院 -> 仙居县人民法院: a county's court is its people's court; a prefecture's is intermediate.
        prefix, _ = _full_places(m.places)
        core = "人民检察院" if m.core == "检察院" else (
            "中级人民法院" if place.level == "prefecture" else "人民法院")
        canonical = prefix + core
    if name[:m.start]:
        canonical = name[:m.start] + canonical
    if not level or level == "multi":
        level = _admin_level(place) if place else None
    if m.relative and not place:
        level = {"省": "provincial", "市": "prefectural", "县": "county", "区": "county"}[m.relative]
    if m.core == "中院":
        level = "prefectural"
    if m.qualifier or collective:
        level, collective = "multi", True
    specialty = next((s for s in _SPECIALTIES if s in m.core), None)
    result.update(org=canonical, org_type=org_type or None, level=level,
                  place=(place.name if place else ("".join(m.places) or None)),
                  prefecture=(place.prefecture or None) if place else None,
                  province=(place.province or None) if place else None,
                  collective=collective, specialty=specialty)
    if place is not None and place.level == "prefecture":
        result["prefecture"] = place.name
    if place is not None and place.level == "province":
        result["province"] = place.name
    return result


def org_rows(names) -> list[dict]:
    """Rows for the orgs table: one per distinct figure org name, with its classification."""
    return [{"name": n, **classify_org(n)} for n in sorted({n for n in names if n})]
