"""Find quantities in the characters of normalized text: numbers, multipliers, units, approximation, kind.

Everything here reads characters, not jieba tokens (which split `1:1.104`, `%` and `〇`). One precompiled
master regex finds candidates (ratios, fractions, ranks, numbers with their units); the numeral grammar
(numerals.read) gives each its value or refuses it (counted as unread); plain functions drop what is not a
figure (dates, ordinals, slogans, codes, web addresses) and read the few characters before it for
approximation words, direction words and the baseline.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..words import (
    APPROX_AFTER,
    APPROX_BEFORE,
    APPROX_BEFORE_GUARD,
    APPROX_BEFORE_PLACE,
    APPROX_WORDS,
    COMPARATIVES,
    COMPARE_DIRECTION,
    DIRECTION_WORDS,
    FALL_CHARS,
    FALL_VERBS,
    MULTIPLES,
    RISE_CHARS,
    RISE_VERBS,
    alternation,
)
from .model import Quantity, Rejected, Unread
from .numerals import Unreadable, read, try_read
from .orgs import find_mentions
from .prefilter import compile_scan
from .rejections import REJECTIONS, reason

# ---- units ------------------------------------------------------------------------------------------------

# written unit -> (canonical unit, kind). A lookahead keeps a unit character from being the first character
# of an ordinary word (人民, 部门, 条例, 元旦 ...).
_UNIT_TABLE: dict[str, tuple[str, str]] = {}
_UNIT_GUARD: dict[str, str] = {}


def _units(kind: str, names: dict[str, str] | tuple[str, ...], guard: dict[str, str] | None = None) -> None:
    """Register written units of one kind, with the characters that may not follow each."""
    items = names.items() if isinstance(names, dict) else ((n, n) for n in names)
    for written, canonical in items:
        _UNIT_TABLE[written] = (canonical, kind)
    for written, look in (guard or {}).items():
        _UNIT_GUARD[written] = look


COUNT_UNITS = ("人次", "件次", "户次", "批次", "场次", "车次", "架次", "台次", "家次", "班次", "件", "人", "名",
               "份", "次", "个", "家", "项", "条", "宗", "起", "笔", "期", "场", "所", "批", "户", "处", "台",
               "套", "部", "篇", "块", "张", "类", "支", "座", "辆", "艘", "架", "头", "只", "枚", "本", "册",
               "栋", "间", "例", "组", "队", "股", "伙", "单", "封", "轮", "堂", "门", "位", "县", "区", "乡",
               "镇", "村", "省", "市")
# Units that an Arabic number may carry but a Chinese numeral may not (四县, 两区 are names more than counts).
_ARABIC_ONLY = frozenset({"县", "区", "乡", "镇", "村", "省", "市", "门", "本", "间", "单", "头", "只"})
_units("count", COUNT_UNITS, {
    "人": "民员", "名": "单称录义额誉", "次": "要之数级", "个": "人体性别案", "家": "属庭长乡人园电具渠居子门村", "项": "目",
    "条": "例件款线", "起": "诉草点步始来见码", "期": "间限满末待刊望货", "场": "所地景面", "所": "有在以谓属长",
    "批": "评准示复", "处": "理罚分置长", "台": "账湾阶上", "部": "门署分队长", "块": "钱", "张": "贴", "支": "持付出部",
    "座": "谈位", "架": "构", "头": "脑", "只": "有是要能", "本": "案院市省次年届地人单级科领质", "间": "隔接断",
    "组": "织建成长", "队": "伍员长", "股": "东份权", "单": "位独元", "门": "类户口槛", "位": "于置列居",
    "县": "委级城域长", "区": "域别分间块委长", "乡": "镇村亲土", "镇": "压街", "村": "民委级庄社", "省": "委级内份长",
    "市": "委级场民区内长值县", "类": "型似别", "伙": "同伴", "轮": "次", "堂": "课", "封": "闭存顶",
})
DURATION_UNITS = {"个工作日": "天", "工作日": "天", "个小时": "小时", "小时": "小时", "分钟": "分钟", "秒": "秒",
                  "天": "天", "日": "天", "个星期": "周", "星期": "周", "周": "周", "个月": "个月", "年": "年"}
_units("duration", DURATION_UNITS, {"秒": "办批杀", "周": "年岁边末一二三四五六日期围", "星期": "一二三四五六日天",
                                    "年": "度级代底初末份轻龄纪会鉴报刊终", "日": "期常报志"})
MEASURE_UNITS = {"平方公里": "平方公里", "平方米": "平方米", "平米": "平方米", "立方米": "立方米", "公顷": "公顷",
                 "公里": "公里", "千米": "公里", "亩": "亩", "米": "米", "吨": "吨", "公斤": "公斤", "千克": "公斤"}
_units("measure", MEASURE_UNITS, {"米": "饭粉面", "吨": "位"})
CURRENCIES = {"港元": "港元", "港币": "港元", "澳门元": "澳门元", "澳门币": "澳门元", "澳元": "澳元", "美元": "美元",
              "欧元": "欧元", "英镑": "英镑", "日元": "日元", "韩元": "韩元", "新台币": "新台币", "台币": "新台币",
              "元": "元"}
_units("amount", CURRENCIES, {"元": "旦月宵素件器首帅老气"})
_units("rate", {"%": "%", "‰": "‰", "成": "成"}, {"成": "立员为功果效绩交熟本品年型就长都份分由了不果片语"})
_units("change", MULTIPLES)
# Half units: 一年半, 3个半月, 两个半小时.
_HALF_UNITS = {"个半月": "个月", "个半小时": "小时", "年半": "年", "天半": "天"}
# 1个多月, 两个多小时: the over-word sits inside the unit.
_OVER_UNITS = {"个多月": "个月", "个多小时": "小时", "个多星期": "周"}
for _w, _c in {**_HALF_UNITS, **_OVER_UNITS}.items():
    _UNIT_TABLE[_w] = (_c, "duration")


def _unit_alternation() -> str:
    """One regex alternation of every written unit, longest first, each with its guard."""
    parts = []
    for written in sorted(_UNIT_TABLE, key=len, reverse=True):
        guard = _UNIT_GUARD.get(written)
        parts.append(re.escape(written) + (f"(?![{guard}])" if guard else ""))
    return "|".join(parts)


# ---- numerals ---------------------------------------------------------------------------------------------

_CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"

# 1,234 and (Hong Kong, Macau and tables) 70 048: a separator followed by exactly three digits.
_AR = r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d{1,3}(?: \d{3})+(?![\d.])|\d+(?:\.\d+)?"
# After Arabic digits: 百 not before 分 (百分点), 千 not before 米/克 (千米, 千克).
_AR_MULT = r"(?:百(?!分)|千(?![米克瓦])|万|亿|兆)+"
# Pinyin glossing a multiplier: 356.2万(wàn)件. The reader skips it; the surface keeps it.
_ROMAN = r"(?:\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\))?"
_CN_DEC = r"点[零〇一二三四五六七八九]+"
# Chinese and 大写 numerals; one may start with 百 or 千 where a digit follows (千三: 1300).
_CN = (r"(?<![数几若好])(?:[零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾]|[百千](?=[一二两三四五六七八九]))"
       r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟兆]*"
       r"(?:" + _CN_DEC + r"(?:[十百千万亿](?![米克]))*)?")
# 2万1,456 (Taiwan): a last group without a multiplier after 万 or 亿, three digits or more.
_AR_TAIL = r"(?<=[万亿])(?:\d{1,3}(?:,\d{3})+|\d{3,4})(?![\d.])"
# Arabic digits with Chinese places: 43万6千, 2千零30万, 1千零1, 1万3 (the last place left out).
_AR_PLACES = (r"(?:" + _AR_MULT + _ROMAN + r"(?:零?(?:" + _AR + r")" + _AR_MULT + _ROMAN + r")*"
              r"(?:" + _AR_TAIL + r"|零\d+(?:\.\d+)?|(?<=[十百千万亿])\d(?![\d.,]))?)?")
_NUM = r"(?:(?:" + _AR + r")" + _AR_PLACES + r"|" + _CN + _ROMAN + r")"
# 上百, 近千, 逾万, 过亿: a bare place word after an approximation word.
# 百余人, 千余件, 万余元: a bare place word with 余 after it.
_BARE_PLACE = (r"(?<=[上近逾过超约])(?:百|千|万|亿)(?:余|多)?(?:万|亿)?"
               r"|(?<![\d零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟])[百千万](?=余)")
_MULT = r"(?:百(?!分)|千(?![米克瓦])|万|亿|十(?=万|亿))+"
_UNIT = _unit_alternation()
_CURRENCY_PREFIX = r"新台币|台币|港币|港元|澳门币|澳门元|美元|欧元|人民币|HK\$|NT\$|US\$|MOP\$?|RMB"
# 上下 is an approximation word only where its clause ends (十年上下, not 上下级).
_POST = "|".join(w + (r"(?=[,。;、)\s]|$|的)" if w == "上下" else "") for w in sorted(APPROX_AFTER, key=len, reverse=True))

def _master(with_range: bool) -> re.Pattern:
    number_range = (r"(?:(?P<u1>" + _UNIT + r")?\s?(?P<sep>[-—–~～至到])\s?"
                    r"(?P<n2>" + _NUM + r")(?P<yu2>余|多)?(?P<m2>" + _MULT + r")?)?") if with_range else ""
    return re.compile(
        # Every alternative starts with one of these: checking it first lets the scan skip other characters fast.
        r"(?=[0-9零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾半第首榜新台港澳美欧人负HNUMR+\-−])(?:"
        # a:b ratios (1:1.104, 1比1.1); hh:mm times are rejected afterwards
        r"(?P<ratio>(?P<ra>\d+(?:\.\d+)?)\s?(?:[:∶]|比)\s?(?P<rb>\d+(?:\.\d+)?)(?![\d:]))"
        # 三分之一, 5分之1, 百分之4.7, 千分之三
        # (?<!…): inside a run of 万 the try reads to the run's end again at each character (quadratic)
        r"|(?P<frac>(?P<fden>" + _NUM + r"|(?<![百千万亿])[百千万亿]+)分之(?P<fnum>" + _NUM + r"|百))"
        # 1/3, 3/4 (not dates or paths)
        r"|(?P<slash>(?<![\d/.])(?P<sa>\d{1,3})/(?P<sb>\d{1,3})(?![\d/.]))"
        # 第18名, 第一, 首位 (ranks; law articles and ordinals are rejected afterwards)
        r"|(?P<rank>第(?P<rk>" + _NUM + r")(?P<rks>名|位)?|首位|榜首)"
        # numbers: optional currency prefix and sign, numeral, 余/多, multiplier, optional range, unit, post word
        r"|(?P<number>(?:(?P<cur>" + _CURRENCY_PREFIX + r")\s?)?"
        r"(?P<sign>(?<=[|(:,、\u4e00-\u9fff])(?<![零〇一二两三四五六七八九十百千万亿])[-−+](?=\d)|负(?=[\d一二两三四五六七八九十]))?"
        r"(?P<n1>" + _NUM + r"|" + _BARE_PLACE + r"|半(?=个?(?:月|年|小时|天|日|周)))"
        r"(?P<yu1>余|多|几)?(?P<m1>" + _MULT + r")?" + number_range +
        r"(?:[ \t]?(?P<unit>" + _UNIT + r"))?"
        r"(?P<post>" + _POST + r")?))"
    )


_MASTER = _master(with_range=True)
# Where a range reading fails (45.1%至27 923宗 is a change then a level), the same place read without one.
_MASTER_SINGLE = _master(with_range=False)
_NOT_A_RANGE = object()
_UNREAD_RULES = frozenset(r.name for r in REJECTIONS if r.unread)

def _clean(value: float | None) -> float | None:
    """Drop binary noise from decimal arithmetic (2.3 * 1e8 is 229999999.99999997)."""
    return None if value is None else float(f"{value:.12g}")


_DECIMALS_AR = re.compile(r"\.(\d+)")
_DECIMALS_CN = re.compile(r"点([零〇一二三四五六七八九]+)")


def _decimals(written: str) -> int:
    m = _DECIMALS_AR.search(written)
    if m:
        return len(m.group(1))
    m = _DECIMALS_CN.search(written)
    return len(m.group(1)) if m else 0


_DIGIT = re.compile(r"\d")


def _is_chinese(written: str) -> bool:
    """True for a numeral written without Arabic digits."""
    return _DIGIT.search(written) is None


def _mult_value(mult: str | None) -> float:
    """The factor of a run of multipliers (`万`, `百万`, `万亿`), read by the numeral reader."""
    return read(mult) if mult else 1.0


def _over_step(written: str, mult: str | None) -> float:
    """How far 余/多 can reach past the number: `670余万` up to 680万, `670万余` up to 671万."""
    if written and written[-1] in "十百千万亿兆":
        step = read(written[-1])
    else:
        digits = re.sub(r"[^0-9.]", "", written.replace(",", ""))
        if "." in digits:
            step = 10 ** -len(digits.split(".")[1])
        elif digits:
            stripped = digits.rstrip("0")
            step = 10 ** (len(digits) - len(stripped)) if stripped else 1
        else:
            step = 1
    return step * _mult_value(mult)


# ---- context words ----------------------------------------------------------------------------------------

def _before_words(words: dict[str, str]) -> str:
    """An alternation of approximation words written before a number, each with its guard."""
    return "|".join((f"(?<![{APPROX_BEFORE_GUARD[w]}])" if w in APPROX_BEFORE_GUARD else "") + w
                    for w in sorted(words, key=len, reverse=True))


_PRE_APPROX = re.compile(r"(?:" + _before_words(APPROX_BEFORE) + r")$")
_PRE_APPROX_PLACE = re.compile(r"(?:" + _before_words(APPROX_BEFORE_PLACE) + r")$")  # 上百, 过万: only before a bare place word

_DIRECTION = DIRECTION_WORDS
_DIR_ALT = "|".join(sorted(_DIRECTION, key=len, reverse=True))
# The verb right before the number: 同比下降6.1个百分点, 降幅达67.52%, 减少了45.7天.
_DIR_END = re.compile(r"(?<!新)(?P<dir>" + _DIR_ALT + r")(?:了)?(?:幅度|比例)?(?:为|达到|达|是|约为)?$")
# 提高到99.4%, 缩短至10天, 降为: the level reached, not a change.
_LEVEL_END = re.compile(r"(?:" + alternation(RISE_VERBS + FALL_VERBS) + r"|增|减|升|降)(?:了)?(?:到|至|为)$")
# 比全省平均值(113.09天)少13.57天, 较上年多, 同比增5%.
_COMPARE_DIR = COMPARE_DIRECTION
_COMPARE_CHARS = "[" + RISE_CHARS + FALL_CHARS + "]"
_COMPARE_END = re.compile(r"(?:(?<![占对相评攀类无])比(?![例重率])|较)[^,;。、!?]{0,24}?(?P<dir>" + _COMPARE_CHARS + ")"
                          r"(?:了)?$")
_BASELINE_END = re.compile(r"(?P<base>同比|环比|按年(?:比较)?|按季|按月)(?:分别|均|都|也|则|还|又|共|有所|略有|小幅|大幅)?(?P<dir>[增减升降涨跌])?$")
# 节省庭审时间40%, 降低成本三成: verb, object, share.
_GAP_VERB = re.compile(r"(?P<dir>节省|节约|减少|降低|提高|提升|增加|缩短|压缩|缩减)(?P<gap>[^,;。、!?\d%达为至到是占的]{1,10})$")
# 高于全国平均值11个百分点: a comparison with its baseline named.
_GAP_COMPARE = re.compile(r"(?P<dir>" + alternation(COMPARATIVES) + r")(?P<gap>[^,;。、!?\d]{1,20})$")
# 超过同期受理民商事案件的60%: an approximation word governing a share.
_SHARE_APPROX = re.compile(r"(?P<w>超过|超出|逾|近|接近|将近|不到|不足|约|约占|高于|低于|多于|少于)"
                           r"[^,;。、!?\d]{1,24}的$")
_BASELINE = re.compile(r"(同比|环比|按年(?:比较)?|按季|按月|(?:与|和|同)[^,;。、!?]{1,12}?相比|较[^,;。、!?]{1,12}?|(?<![占对相评攀类无])比(?![例重率])[^,;。、!?]{1,14}?)"
                       r"(?=(?:分别|均|都|也|则|还|又|共|有所|略有|小幅|大幅)?(?:" + _DIR_ALT +
                       r"|" + _COMPARE_CHARS + r"))")
# 是前五年的3.2倍, 相当于去年同期的1.5倍: a multiple of a named baseline.
_MULTIPLE_OF = re.compile(r"(?:是|为|相当于|达到|达|约为|约是|约)(?P<base>[^,;。、!?\d]{1,20}?)的$")
# 年均上升10.9%, 平均每年增长8%: an average yearly change.
_YEARLY_AVERAGE = re.compile(r"(?:年均|平均每年|每年平均|年平均)[^,;。、!?\d]{0,4}$")
_RANK_CONTEXT = re.compile(r"(?:排名|排位|排行|排序|位居|位列|名列|排在|位于|居于|居|列|荣获|获得|获|取得|夺得|并列|"
                           r"全国|全省|全市|全区|全县|全州|全盟|全港|全澳|全台|同级|同类|省内|市内)"
                           r"[^,;。、!?第]{0,14}$")
_RANK_REGION = re.compile(r"(?:全国|全省|全市|全区|全县|全州|全盟|全港|全澳|全台|同级|同类|省内|市内|系统内)$")
_CLAUSE_CUT = compile_scan(r"(?<!\d),|,(?!\d{3}(?!\d))|[;。!?:、]")  # not the comma of 11,913
_SLOGAN_AFTER = re.compile(r"[零〇一二两三四五六七八九十]|必须|严禁|一律|不准|禁止|不得|坚持|维护|自信|意识|确保|到位|"
                           r"表率|全面")
_QUOTED = re.compile(r"“[^“”\n]{0,12}”|\"[^\"\n]{0,12}\"|「[^「」\n]{0,12}」|『[^『』\n]{0,12}』|《[^《》\n]*》|〈[^〈〉\n]*〉")
_FREQUENCY = re.compile(r"每(?:个)?(?:年|月|周|天|日|季度?|期|次|场)[^,;。、!?\d]{0,4}$")
# 缩短1.2日, 为期15日, 平均62日: days counted, not a day of the month.
_DAY_OK = re.compile(r"(?:缩短|延长|减少|增加|提前|为期|历时|用时|耗时|平均|共计|仅|为|达)$")
_PAGE_COUNTER = re.compile(r"(?:浏览|阅读|点击|访问|点赞|评论|转发|分享|收藏|下载)(?:次数|人次|量|数)?\s*[:(]?\s*$")
_MIXED = re.compile(r"\d[百千万亿]+\d")
_SENTENCE_CLASS = re.compile(r"(?:以上|以下|及以上|及以下)?(?:有期徒刑|徒刑|刑罚|重刑|监禁)")
_CODE_BEFORE = re.compile(r"[A-Za-z_/=#@&+·•.\-]")
_CODE_AFTER = re.compile(r"[A-Za-z_+·•#@]")
_SMALL_CN_UNITS = frozenset({"名", "人", "人次", "件", "起", "宗", "户", "家", "位"})
_DOWN_SIGNS = "-−负"
# A signed number is a change where one of these, earlier in its sentence, governs it (同比-3.2%, 增幅为-5%,
# 成长率:台北−13.38%、高雄−26.38%).
_SIGN_GOVERNED = re.compile(r"同比|环比|按年|增|减|升|降|涨|跌|幅|成长|变化|变动")
_TENTHS_TAIL = re.compile(r"[一二三四五六七八九1-9半](?![\d万亿千百十成个件人名数年月天小])")
# A clock time: a:b right after a date (2023-01-12 , 1月12日) or chained with a seconds field.
_CLOCK_BEFORE = re.compile(r"(?:\d[:∶]|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*|\d{1,2}日\s*|T)$")
_SHARE_POST = re.compile(r"及以上|及以下|以上|以下|左右|以内")
_CLOCK_AFTER = re.compile(r"[:∶]\d{2}(?!\d)")


def _approx_before(text: str, lo: int, s: int, bare_place: bool) -> tuple[str | None, int]:
    """The approximation word written right before offset s, and where it starts."""
    m = _PRE_APPROX.search(text, max(lo, s - 3), s)
    if m:
        return m.group(0), m.start()
    if bare_place:
        m = _PRE_APPROX_PLACE.search(text, max(lo, s - 1), s)
        if m:
            return m.group(0), m.start()
    return None, s


def _clause(text: str, lo: int, s: int) -> str:
    """The text between the last clause break (or lo) and s, at most 40 characters."""
    before = text[max(lo, s - 40):s]
    cuts = list(_CLAUSE_CUT.finditer(before))
    return before[cuts[-1].end():] if cuts else before


_PARENTHESIS = re.compile(r"[(（][^()（）]*[)）]")
_BARE_BASELINE = re.compile(r"(?:同比|环比|按年)$")
_WAN_YI = re.compile(r"[万亿]")


def _read_direction(prefix: str, unit: str) -> tuple[str | None, str | None, bool, str | None]:
    """(direction, baseline, is_level, share_approx) read from the clause before a number."""
    if _LEVEL_END.search(prefix):
        return None, None, True, None
    share = _SHARE_APPROX.search(prefix) if unit in ("%", "‰", "成") else None
    direction = None
    m = _DIR_END.search(prefix)
    if m:
        direction = _DIRECTION[m.group("dir")]
    else:
        m = _BASELINE_END.search(prefix)
        if m and m.group("dir"):
            direction = _COMPARE_DIR[m.group("dir")]
        else:
            m = _COMPARE_END.search(prefix)
            if m:
                direction = _COMPARE_DIR[m.group("dir")]
            elif unit in ("%", "pp", "倍") and not share:
                m = _GAP_VERB.search(prefix) if unit != "pp" else None
                if m:
                    direction = _DIRECTION[m.group("dir")]
                else:
                    m = _GAP_COMPARE.search(prefix)
                    if m:
                        return _COMPARE_DIR[m.group("dir")], m.group("gap"), False, None
    baseline = None
    if direction:
        b = list(_BASELINE.finditer(prefix))
        if b:
            baseline = _PARENTHESIS.sub("", b[-1].group(1)) or None
    else:
        bare = _BARE_BASELINE.search(prefix)
        baseline = bare.group(0) if bare else None
    return direction, baseline, False, share.group("w") if share else None


# Web addresses, e-mail addresses, file names and percent-encoded text: their digits are not figures.
_WEB = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s\"'<>\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+"
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|(?:%[0-9A-Fa-f]{2}){2,}"
    r"|[A-Za-z0-9_.-]*[A-Za-z_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.%=?&-]+)+/?"
    r"|[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.(?:s?html?|php|aspx?|jsp|pdf|docx?|xlsx?|pptx?|jpe?g|png|gif|txt|zip|"
    r"rar|csv|wps)(?![A-Za-z0-9])")


_LATIN = re.compile(r"[A-Za-z]")  # every form _WEB finds holds a Latin letter (%E6: UTF-8 of Chinese starts E)


def _quoted_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans of short quotations and book titles, whose numbers name things."""
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text, lo, hi)]


# ---- tables -----------------------------------------------------------------------------------------------

_CELL_NUMBER = re.compile(r"\s*(?P<sign>[-−+])?(?P<num>\d{1,3}(?:[ ,]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                          r"\s*(?P<pct>%)?\s*")
_HEADER_UNIT = re.compile(r"[(（]\s*(?:单位\s*[:：]?\s*)?(?P<u>[^()（）]{1,6}?)\s*[)）]|(?P<pct>%)\s*$")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(?P<u>[^\s|)）,;]{1,6})")
_CHANGE_HEADER = re.compile(r"同比|环比|增减|增幅|增长|升降|变化|比上年|比去年|±|增速|涨幅|降幅|下降|上升")
_CHANGE_ONLY = re.compile(r"(?:" + _CHANGE_HEADER.pattern + r"|[(（%)）\s])+")
_RATE_HEADER = re.compile(r"率|比例|占比|比重")
_SEPARATOR_ROW = re.compile(r"^[\s|:\-—=+]+$")


def _cells(line: str, line_start: int) -> list[tuple[int, int]] | None:
    """Cell spans of a table row written with pipes or tabs, None for a line of prose."""
    # Two pipes, or one with spaces around it as the HTML normalizer writes a two-column row (收案 | 1234).
    delim = "|" if line.count("|") >= 2 or " | " in line else ("\t" if line.count("\t") >= 2 else None)
    if delim is None:
        return None
    spans, pos = [], 0
    for part in line.split(delim):
        spans.append((line_start + pos, line_start + pos + len(part)))
        pos += len(part) + 1
    if delim == "|" and line.strip().startswith("|"):
        spans = spans[1:]
    if delim == "|" and line.strip().endswith("|"):
        spans = spans[:-1]
    return spans


def _unit_from_label(label: str) -> tuple[str, float, str] | None:
    """(canonical unit, multiplier, kind) from a written unit like `万元`, `件`, `%`."""
    label = label.strip()
    mult = 1.0
    while label[:1] in ("万", "亿", "千", "百") and label[1:] in _UNIT_TABLE | {"": 0}:
        if not label[1:]:
            break
        mult *= _mult_value(label[0])
        label = label[1:]
    if label in _UNIT_TABLE:
        unit, kind = _UNIT_TABLE[label]
        if unit == "pp":
            return "pp", mult, "change"
        if unit in ("‰", "成"):
            return "%", mult * (0.1 if unit == "‰" else 10), "rate"
        return unit, mult, kind
    return None


def _table_header(text: str, line_start: int) -> tuple[list[str], str | None]:
    """Header cells of the table a row belongs to, and a `单位:` unit written above it."""
    rows = []
    pos = line_start
    while pos > 0:
        prev_start = text.rfind("\n", 0, pos - 1) + 1
        line = text[prev_start:pos - 1]
        if not line.strip():  # an HTML table reduced to text leaves blank lines between its rows
            pos = prev_start
            continue
        if _cells(line, prev_start) is None:
            unit_line = _UNIT_LINE.search(line)
            rows.reverse()
            header = next((r for r in rows if not _SEPARATOR_ROW.fullmatch(r)), "")
            return _split_cells(header), unit_line.group("u") if unit_line else None
        rows.append(line)
        pos = prev_start
        if len(rows) > 200:
            break
    rows.reverse()
    return (_split_cells(rows[0]) if rows else []), None


def _split_cells(line: str) -> list[str]:
    """The stripped cell texts of a table row."""
    spans = _cells(line, 0) or []
    return [line[a:b].strip() for a, b in spans]


_PERIOD_CELL = re.compile(r"(?:民国)?\d{2,4}(?:/\d{2,4})?年(?:度)?(?:全年|上半年|下半年|前三季度|第?[一二三四1-4]季度|"
                          r"(?:\d{1,2}[-—~至到])?\d{1,2}月(?:份|底|末)?|底|末)?")
_UNIT_PARENS = re.compile(r"[(（][^()（）]*[)）]|[%‰]\s*$")


def _cell_role(cell: str) -> tuple[str, str]:
    """('period', text) for a cell naming a time, ('org', text) for an organization, else ('label', text)."""
    label = _UNIT_PARENS.sub("", cell).strip()
    if not label:
        return "empty", ""
    if _PERIOD_CELL.fullmatch(label):
        return "period", label
    mentions = find_mentions(label)
    if mentions and mentions[-1].end == len(label):
        return "org", label
    return "label", label


def _table_quantity(text: str, cell: tuple[int, int], column: int, header: list[str], unit_line: str | None,  # noqa: C901
                    row_label: str, unread: list[Unread]) -> Quantity | str:
    """A bare number in a table cell, its unit and kind read from its column header; else the rejecting rule."""
    a, b = cell
    m = _CELL_NUMBER.fullmatch(text, a, b)
    if not m:
        return "bare_number"
    head = header[column] if column < len(header) else ""
    unit_info = None
    if m.group("pct"):
        unit_info = ("%", 1.0, "rate")
    else:
        for where in (head, row_label):  # 2022年(件) over the column, or 收案(件) | 结案率(%) on the row
            hu = _HEADER_UNIT.search(where)
            if hu:
                unit_info = ("%", 1.0, "rate") if hu.group("pct") else _unit_from_label(hu.group("u"))
            if unit_info:
                break
        if unit_info is None and unit_line:
            unit_info = _unit_from_label(unit_line)
        if unit_info is None and _RATE_HEADER.search(head) or unit_info is None and _CHANGE_HEADER.search(head):
            unit_info = ("%", 1.0, "rate")
    if unit_info is None:
        return "unitless_cell"
    unit, mult, kind = unit_info
    written = re.sub(r"[ ,]", "", m.group("num"))
    value = _clean(read(written) * mult)
    if kind == "count" and unit_info[1] == 1.0 and not m.group("sign") and re.fullmatch(r"(19|20)\d\d", written) \
            and "年" in head:
        return "year"
    direction = None
    sign = m.group("sign")
    if _CHANGE_HEADER.search(head) or kind == "change":
        kind = "change"
        if sign and sign in _DOWN_SIGNS:
            direction = "down"
        elif value:
            direction = "down" if re.search(r"降幅|下降", head) else "up"
    s = m.start("sign") if sign else m.start("num")
    e = m.end("pct") if m.group("pct") else m.end("num")
    if sign and kind != "change":
        unread.append(Unread(s, e, text[s:e], reason("signed_cell"), "signed_cell"))
        return "signed_cell"
    # The metric is the row's label where it names one, else the column's; a period names the time.
    row_role, row_text = _cell_role(row_label)
    head_role, head_text = _cell_role(head)
    if head_role == "label" and _CHANGE_ONLY.fullmatch(head_text):
        head_role = "change"
    metric = row_text if row_role == "label" else head_text if head_role == "label" else row_text or None
    period = head_text if head_role == "period" else row_text if row_role == "period" else None
    return Quantity(surface=text[s:e], char_start=s, char_end=e, value=value, unit=unit, kind=kind,
                    direction=direction, precision=_decimals(written), rule="table",
                    label_hint=metric or None, period_hint=period)


def _table_row(text: str, line_start: int, line_end: int, cells: list[tuple[int, int]],
               unread: list[Unread], rejected: list[Rejected] | None) -> list[Quantity]:
    """Quantities of one table row: bare numbers through the header, written ones as prose."""
    header, unit_line = _table_header(text, line_start)
    out: list[Quantity] = []
    row_label = ""
    for column, (a, b) in enumerate(cells):
        cell_text = text[a:b].strip()
        if not cell_text:
            continue
        bare = _CELL_NUMBER.fullmatch(cell_text)
        if column == 0:
            row_label = "" if bare else cell_text  # a numeric first column numbers the rows or names a year
            if not bare:
                out.extend(q for q in _scan(text, a, b, unread, rejected) if q.kind != "duration")
            continue
        if bare:
            q = _table_quantity(text, (a, b), column, header, unit_line, row_label, unread)
            if q.__class__ is str:
                if rejected is not None and q not in _UNREAD_RULES:
                    rejected.append(Rejected(a, b, text[a:b], q))
            else:
                out.append(q)
        else:
            out.extend(_scan(text, a, b, unread, rejected))
    return out


# ---- the scan ---------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _fold_table() -> tuple[dict[int, str], object, int]:
    """Traditional characters (and full-width forms) to Simplified, one character for one, offsets kept, as a
    str.translate table; and a lookup array marking their code points, with its last index (which marks none)."""
    import numpy as np
    import opencc

    table = {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(key) == 1 and len(target) == 1 and key != target:
            table[key] = target
    table.update(zip("０１２３４５６７８９％，．：～", "0123456789%,.:~"))
    top = max(map(ord, table)) + 1
    marks = np.zeros(top + 1, dtype=bool)
    marks[[ord(c) for c in table]] = True
    return str.maketrans(table), marks, top


_fold_cache: list = [None, ""]
_FOLD_SLICE = 2048


def _fold(text: str) -> str:
    """The text with Traditional characters folded, so a report the normalizer left mixed still matches.

    extract_figures calls find_quantities once per sentence with the same text: fold it once.
    """
    if _fold_cache[0] is not text:
        import numpy as np

        table, marks, top = _fold_table()
        folded = text
        # Most texts are Simplified already: look the code points up in array operations, no string built; a
        # slice at a time, so that the arrays (8 bytes a character) stay small whatever the text's length.
        if any(marks[np.minimum(np.frombuffer(text[i:i + _FOLD_SLICE].encode("utf-32-le"), dtype=np.uint32), top)].any()
               for i in range(0, len(text), _FOLD_SLICE)):
            # one pass in C: compiling a character class of the characters present cost twice as much
            folded = text.translate(table)
        _fold_cache[0], _fold_cache[1] = text, folded
    return _fold_cache[1]


def find_quantities(text: str, start: int = 0, end: int | None = None, unread: list[Unread] | None = None,
                    rejected: list[Rejected] | None = None) -> list[Quantity]:
    """Quantities in text[start:end], with offsets into text, in text order.

    Numbers seen where a figure would stand but not read with certainty are appended to unread, if given;
    candidates a rule of rejections.py keeps out (dates, ordinals, codes ...) to rejected, if given.
    """
    end = len(text) if end is None else end
    unread = [] if unread is None else unread
    seen, seen_rejected = len(unread), len(rejected) if rejected is not None else 0
    original, text = text, _fold(text)
    out: list[Quantity] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        cells = _cells(text[pos:line_end], pos) if "|" in text[pos:line_end] or "\t" in text[pos:line_end] else None
        if cells and len(cells) >= 2:
            out.extend(_table_row(text, pos, line_end, cells, unread, rejected))
        else:
            out.extend(_scan(text, pos, line_end, unread, rejected))
        pos = line_end + 1
    if original is not text:
        for q in out:
            q.surface = original[q.char_start:q.char_end]
        unread[seen:] = [u._replace(surface=original[u.char_start:u.char_end]) for u in unread[seen:]]
        if rejected is not None:
            rejected[seen_rejected:] = [r._replace(surface=original[r.char_start:r.char_end])
                                        for r in rejected[seen_rejected:]]
    return out


def _scan(text: str, start: int, end: int, unread: list[Unread], rejected: list[Rejected] | None) -> list[Quantity]:  # noqa: C901
    """Quantities of a stretch of prose, in text order; numbers seen but not read go to unread, candidates a
    rule rejects to rejected (if given)."""
    out: list[Quantity] = []
    quoted = None
    pos = start
    while True:
        m = _MASTER.search(text, pos, end)
        if m is None:
            return out
        pos = m.end()
        if quoted is None:
            quoted = _quoted_spans(text, start, end)
            web = [(w.start(), w.end()) for w in _WEB.finditer(text, start, end)] \
                if _LATIN.search(text, start, end) else []
        s = m.start()
        if quoted and any(a < s < b for a, b in quoted):
            q = "quoted"  # “六个一”, 《…30条》, “2·23”: names and slogans
        elif web and any(a <= s < b for a, b in web):
            q = "web_address"
        elif m.group("ratio"):
            q = _ratio(text, m, start)
        elif m.group("frac"):
            q = _fraction(text, m, start, unread)
        elif m.group("slash"):
            q = _slash(text, m, start)
        elif m.group("rank"):
            q = _rank(text, m, start)
        else:
            q = _number(text, m, start, unread)
            if q is _NOT_A_RANGE:
                m = _MASTER_SINGLE.match(text, s, end)
                pos = m.end()
                q = _number(text, m, start, unread)
        if q.__class__ is str:
            if rejected is not None and q not in _UNREAD_RULES:  # the unread went to unread already
                rejected.append(Rejected(s, m.end(), text[s:m.end()], q))
            continue
        if out and _joins_bounds(text, out[-1], q):
            out[-1] = _bounded(text, out[-1], q)  # 1000件以上1500件以下, 大于10件小于20件: one range
            continue
        if out and q.kind != "change" and not q.direction and out[-1].kind == "change" \
                and (q.unit == out[-1].unit or q.kind == _base_kind(out[-1].unit)) \
                and text[out[-1].char_end:q.char_start] in ("", "和", "与", "及", "、"):
            q.kind, q.direction, q.baseline = "change", out[-1].direction, out[-1].baseline  # 分别下降5%和3%
        out.append(q)


# An over-bound then an under-bound of the same unit, next to each other, bound one range.
_BOUND_JOIN = ("", "且", "而", "但", ",且", ",但")
_OVER_BOUND = re.compile(r"(?:超过了|超过|大于|多于|高于|至少|不少于|不低于)|.*(?:以上|及以上)$")
_UNDER_BOUND = re.compile(r"(?:小于|少于|低于|最多|不多于|不高于|不超过|不到|不足)|.*(?:以下|及以下|以内)$")


def _joins_bounds(text: str, low: Quantity, high: Quantity) -> bool:
    """True where low states a lower bound and high, right after it, an upper bound of the same quantity."""
    return (low.approx == "over" and high.approx == "under" and low.unit == high.unit and low.kind == high.kind
            and low.value_max is None and high.value_max is None and low.value < high.value
            and text[low.char_end:high.char_start] in _BOUND_JOIN
            and bool(_OVER_BOUND.match(low.surface)) and bool(_UNDER_BOUND.match(high.surface)))


def _bounded(text: str, low: Quantity, high: Quantity) -> Quantity:
    """One figure from value to value_max out of a lower and an upper bound."""
    return Quantity(surface=text[low.char_start:high.char_end], char_start=low.char_start, char_end=high.char_end,
                    value=low.value, value_max=high.value, unit=low.unit, kind=low.kind, approx="exact",
                    direction=low.direction, baseline=low.baseline, precision=max(low.precision, high.precision),
                    rule="range", value_low=low.value, value_high=high.value)


def _base_kind(unit: str) -> str:
    """The kind a unit gives a figure before any direction word (件 count, % rate)."""
    return "rate" if unit == "%" else _UNIT_TABLE.get(unit, (unit, "amount" if unit in CURRENCIES.values() else ""))[1]


def _neighbour_is_code(text: str, s: int, e: int) -> bool:
    """True where the number sits in a code, a URL or an identifier."""
    before = text[s - 1] if s > 0 else ""
    if before == "." and text[s - 2:s - 1] == ".":
        before = ""  # 共……9件: an ellipsis (NFKC writes … as ...), not a decimal point or a dotted code
    after = text[e] if e < len(text) else ""
    return bool(before and _CODE_BEFORE.match(before) or after and _CODE_AFTER.match(after))


def _ratio(text: str, m: re.Match, lo: int) -> Quantity | None:
    """a:b as a ratio with value b / a, unless it is a time of day."""
    a, b = m.group("ra"), m.group("rb")
    is_colon = "比" not in m.group("ratio")
    if is_colon and re.fullmatch(r"\d{1,2}", a) and re.fullmatch(r"\d{2}", b) and float(a) <= 24 and float(b) < 60 \
            and not re.search(r"比|比例|比率|之比", text[max(lo, m.start() - 6):m.start()]):
        return "time_of_day"  # 08:22, 9:30
    if is_colon and (_CLOCK_BEFORE.search(text, max(0, m.start() - 16), m.start())
                     or _CLOCK_AFTER.match(text, m.end())):
        return "time_of_day"  # 10:30:15 and the tail of 15:42:07, or any h:mm after a date
    if _neighbour_is_code(text, m.start(), m.end()):
        return "in_code"
    if read(a) == 0:
        return "zero_ratio"
    return Quantity(surface=m.group("ratio"), char_start=m.start(), char_end=m.end(), value=read(b) / read(a),
                    unit="ratio", kind="ratio", precision=_decimals(b), rule="ratio")


def _share_kind(text: str, lo: int, s: int, e: int, value: float, written_unit: str, rule: str,
                decimals: int = 0) -> Quantity:
    """A share written as a fraction, a percentage or tenths: rate, or change under a direction word."""
    word, ws = _approx_before(text, lo, s, False)
    approx = APPROX_WORDS[word] if word else "exact"
    post = re.match(r"以上|以下|左右|以内|及以上|及以下", text[e:e + 3])
    if post:
        approx = APPROX_WORDS[post.group(0)]
        e += post.end()
    prefix = _clause(text, lo, ws)
    direction, baseline, _, share = _read_direction(prefix, written_unit)
    if share and approx == "exact":
        approx = APPROX_WORDS[share]
    kind = "change" if direction else "rate"
    return Quantity(surface=text[ws:e], char_start=ws, char_end=e, value=_clean(value), unit="%", kind=kind,
                    approx=approx, direction=direction, baseline=baseline, precision=decimals, rule=rule,
                    **_bounds(value, approx))


def _fraction(text: str, m: re.Match, lo: int, unread: list[Unread]) -> Quantity | None:
    """三分之一, 5分之1, 百分之4.7, 百万分之五 as a share in %."""
    den_w, num_w = m.group("fden"), m.group("fnum")
    try:
        value = read(m.group("frac")) * 100
    except Unreadable as err:
        unread.append(Unread(m.start(), m.end(), m.group("frac"), str(err)))
        return "unreadable_numeral"
    rule = "percent_cn" if den_w == "百" else "fraction"
    return _share_kind(text, lo, m.start(), m.end(), value, "%", rule, _decimals(num_w))


def _slash(text: str, m: re.Match, lo: int) -> Quantity | None:
    """1/3 as a share in %, unless it is part of a date, a path or a code."""
    a, b = read(m.group("sa")), read(m.group("sb"))
    if _neighbour_is_code(text, m.start(), m.end()):
        return "in_code"
    if not b or a >= b:
        return "not_a_share"
    return _share_kind(text, lo, m.start(), m.end(), a / b * 100, "%", "fraction")


def _rank(text: str, m: re.Match, lo: int) -> Quantity | None:
    """第18名, 位居全市第一, 居全省首位 as a rank; ordinals and articles are dropped."""
    prefix = _clause(text, lo, m.start())
    written = m.group("rk")
    if written is None:  # 首位, 榜首
        if not _RANK_CONTEXT.search(prefix):
            return "ordinal"
        value = 1.0
    else:
        value = try_read(written)
        if not value or value < 0 or m.group(0).endswith(("万", "亿")):
            return "ordinal"
        after = text[m.end():m.end() + 1]
        ends_phrase = not after or not ("\u4e00" <= after <= "\u9fff") or after in "的"
        if m.group("rks"):
            if not (ends_phrase or _RANK_CONTEXT.search(prefix)):
                return "ordinal"  # 第一名被告人
        elif not (ends_phrase and (_RANK_CONTEXT.search(prefix) or _RANK_REGION.search(prefix))):
            return "ordinal"  # 第三卷, 第一种形态, 第二百六十四条
    return Quantity(surface=m.group("rank"), char_start=m.start(), char_end=m.end(), value=value, unit="rank",
                    kind="rank", rule="rank")


# A count written without its classifier takes the unit of what it counts, where the noun right before names
# it: 行政案件约12万, 受助群众近30万. Only a number with 万 or 亿, ending its clause.
_COUNTED_NOUNS = {"案件": "件", "群众": "人", "人员": "人", "人口": "人", "人次": "人次", "件次": "件次",
                  "当事人": "人", "被告人": "人", "犯罪嫌疑人": "人", "罪犯": "人", "干警": "人", "民警": "人"}
_COUNTED_BEFORE = re.compile(r"(?P<noun>" + "|".join(sorted(_COUNTED_NOUNS, key=len, reverse=True)) + r")"
                             r"(?:总数|数量|数)?(?:共计|合计|总计|共|达到|达|为|有|约有|约为|约|将近|接近|近|逾|超过|超)?$")
_CLAUSE_END = re.compile(r"[,.;:!?、)\]\s。]|$")


def _counted_unit(text: str, lo: int, m: re.Match) -> str | None:
    """The classifier of a count written without one, from the noun right before it; None if none is named."""
    if not _CLAUSE_END.match(text, m.end()) or m.group("sign") or m.groupdict().get("n2"):
        return None
    if not _WAN_YI.search(m.group("n1") + (m.group("m1") or "")):
        return None
    noun = _COUNTED_BEFORE.search(text, max(lo, m.start("n1") - 12), m.start("n1"))
    return _COUNTED_NOUNS[noun.group("noun")] if noun else None


def _bounds(value: float, approx: str, step: float | None = None) -> dict:
    """value_low and value_high as far as the approximation word tells them."""
    if approx == "over":
        return {"value_low": value, "value_high": value + step if step else None}
    if approx == "under":
        return {"value_low": None, "value_high": value}
    return {}


def _number(text: str, m: re.Match, lo: int, unread: list[Unread]) -> Quantity | str | object:  # noqa: C901
    """A number with its unit, the name of the rule that rejects it, or _NOT_A_RANGE when the match read two
    quantities as one range."""
    written_unit, currency = m.group("unit", "cur")
    ranged = m.re is _MASTER and m.group("n2")
    if ranged and m.group("u1") and m.group("u1") != written_unit:
        return _NOT_A_RANGE
    if written_unit is None and not currency:
        written_unit = _counted_unit(text, lo, m)
        if written_unit is None:
            return "bare_number"  # the commonest rejection: decided before the match is read into a dict
    g = m.groupdict()
    n1 = g["n1"]
    has_range = bool(g.get("n2"))
    if currency and written_unit not in (None, "元"):
        return "currency_with_unit"
    s = m.start("cur") if currency else m.start("sign") if g["sign"] else m.start("n1")
    e = m.end("unit") if g["unit"] else max(m.end(k) for k in ("n1", "yu1", "m1", "n2", "m2") if g.get(k))
    if not g["sign"] and _neighbour_is_code(text, s, m.end("n1")):
        return "in_code"
    if text[m.start("n1") - 1:m.start("n1")] == "第":
        return "ordinal"

    half = n1 == "半"
    bare_place = not half and n1[0] in "百千万亿" and m.start("n1") > 0 and text[m.start("n1") - 1] in "上近逾过超约"
    chinese = _is_chinese(n1)
    if chinese and n1 in ("零", "〇"):
        return "lone_zero"
    try:
        # 百余万 after 逾: the approximation inside a bare place word is read by _approx_before, not here.
        value1 = read(n1.replace("余", "").replace("多", "") if bare_place else n1)
    except Unreadable as err:
        if written_unit == "年":
            return "year"  # 二〇一九年: a year written digit by digit, not a number left unread
        unread.append(Unread(s, e, text[s:e], str(err)))
        return "unreadable_numeral"
    if n1[:1] == "0" and n1[1:2].isdigit():
        return "leading_zero"  # 048, 0318: a code or a broken number

    unit, kind = _UNIT_TABLE[written_unit] if written_unit else (CURRENCIES.get(currency, "元"), "amount")
    if currency:
        unit, kind = {"人民币": "元", "RMB": "元", "HK$": "港元", "NT$": "新台币", "US$": "美元", "MOP": "澳门元",
                      "MOP$": "澳门元"}.get(currency, CURRENCIES.get(currency, currency)), "amount"
    if "兆" in n1 and kind != "amount":
        unread.append(Unread(s, e, text[s:e], reason("zhao_outside_amount"), "zhao_outside_amount"))
        return "zhao_outside_amount"
    extra = 0.5 if written_unit in _HALF_UNITS else 0.0
    unit_over = written_unit in _OVER_UNITS
    if chinese and written_unit in _ARABIC_ONLY:
        return "place_name_count"

    mult1 = _mult_value(g["m1"])
    mult2 = _mult_value(g.get("m2"))
    value = (value1 * mult1 + extra) if not has_range else value1 * mult1
    value_max = None
    if has_range:
        value2 = try_read(g["n2"])
        if value2 is None:
            return _NOT_A_RANGE
        value_max = value2 * mult2
        shared = re.search(r"[百千万亿]+$", g["n2"] + (g["m2"] or ""))
        if shared and not g["m1"] and not g["u1"] and not re.search(r"[十百千万亿]", n1):
            value = value1 * _mult_value(shared.group(0))  # 两到三万, 10至20万元: the multiplier is written once
        if value_max <= value:
            return _NOT_A_RANGE

    # Dates, times, and other numbers that are not quantities.
    post = g["post"] or ""
    approx_word, ws = _approx_before(text, lo, s, bare_place)
    if bare_place and not approx_word:
        return "bare_place"
    if currency:
        ws = min(ws, s)
    if kind == "duration" and written_unit == "年":
        digits = n1.replace(",", "")
        if (not chinese and (len(digits.split(".")[0]) >= 3) and not (g["yu1"] or approx_word)) \
                or re.match(r"\d|月|[上下]半年|全年", text[e:e + 3]) or text[max(lo, s - 2):s] == "民国":
            return "year"  # 2020年, 109年 (Taiwan), 2019-2020年, 3年1月
    if kind == "duration" and written_unit == "日" and not (post in ("内", "以内", "之内") or approx_word or "." in n1
                                                          or _DAY_OK.search(text, max(lo, s - 2), s)):
        return "date"  # 20日: a day of the month
    if kind == "duration" and written_unit in ("日", "天", "年", "周") and text[s - 1:s] == "月":
        return "date"
    if _PAGE_COUNTER.search(text, max(lo, ws - 8), ws):
        return "page_counter"  # 浏览次数:1234次
    if kind == "duration" and _SENTENCE_CLASS.match(text, e):
        return "sentence_class"  # 十年以上有期徒刑的
    if written_unit == "起" and (re.search(r"[自从]$", text[max(lo, s - 1):s]) or re.fullmatch(r"(?:19|20)\d\d", n1)):
        return "year"  # 自2021起
    if written_unit in ("名", "位") and text[max(lo, s - 1):s] == "前":
        return "ranking_band"  # 前3名
    if written_unit in ("条", "款") and re.search(r"(?:法|法典)$", text[max(lo, s - 2):s]):
        return "law_article"  # 刑法264条
    if written_unit == "个" and _SLOGAN_AFTER.match(text, e) and (chinese or text[e:e + 1] in _CN_DIGITS):
        return "slogan"  # 四个意识, 三个一, 十个坚持
    if kind == "count" and text[e:e + 1] in ("+", "＋", "·"):
        return "name_with_mark"
    if kind == "count" and text[max(lo, ws - 1):ws] == "每":
        return "per_base"  # 每十万人命案发生数0.46起: the population a rate is counted on

    # Small Chinese-numeral counts are emitted only where they count people or cases (两名, 三家) or set a time
    # limit (七日内): set phrases (两级法院, 一站式, 三连降, 四类案件) stay out.
    top = value_max if value_max is not None else value
    if chinese and not half and top < 10 and kind == "count" and _FREQUENCY.search(text, max(lo, s - 10), s):
        pass  # 每月安排一期: a count per period
    elif chinese and not half and top < 10 and kind in ("count", "duration", "measure"):
        if n1.startswith("一") and top < 2:
            return "set_phrase"
        if kind == "count" and (written_unit not in _SMALL_CN_UNITS or re.search(r"[第每这那哪其前后头上下]$",
                                                                                 text[max(lo, s - 1):s])):
            return "set_phrase"
        if kind == "duration" and post not in ("内", "以内", "之内"):
            return "set_phrase"
        if kind == "measure":
            return "set_phrase"
    if half and post not in ("内", "以内", "之内"):
        return "half"

    # Approximation: the word before, 余/多 inside, the word after.
    approx = "exact"
    step = None
    compared = None
    if approx_word in ("高于", "低于", "多于", "少于") and unit in ("pp", "倍"):
        compared, approx_word, ws = _COMPARE_DIR.get(approx_word, "down" if approx_word == "少于" else "up"), None, s
    if approx_word:
        approx = APPROX_WORDS[approx_word]
        if approx_word in ("近",) and written_unit == "年":
            approx = "exact"  # 近3年: the last three years
    if g["yu1"] or g.get("yu2") or unit_over:
        approx = "over"
        step = _over_step(n1, g["m1"]) if g["yu1"] else None
    if post:
        if post in ("内", "余", "多", "有余") and kind != "duration":
            post = ""  # 件内, 元多: not an approximation word here
        else:
            approx = APPROX_WORDS[post]
            e = m.end("post")
            if post in ("余", "多", "有余"):
                step = 1.0  # 10年余: less than one more unit

    if written_unit == "成" and not post and not has_range:
        tail = _TENTHS_TAIL.match(text, e)
        if tail:  # 二成五: 25 %, 三成半: 35 %
            value = read(n1 + "成" + tail.group(0)) * 10
            e += 1
            after = _SHARE_POST.match(text, e)
            if after:  # 九成五以上: the approximation word follows the tenths digit
                approx, e = APPROX_WORDS[after.group(0)], after.end()
    # Percent-like units become %, tenths 成 become %.
    if unit == "‰":
        unit, value, value_max = "%", value / 10, value_max / 10 if value_max is not None else None
    elif unit == "成":
        unit, value, value_max = "%", value * 10, value_max * 10 if value_max is not None else None

    prefix = _clause(text, lo, ws)
    direction, baseline, _, share = _read_direction(prefix, unit)
    if share and approx == "exact":
        approx = APPROX_WORDS[share]
    if compared:
        direction = compared  # 高于11个百分点: a difference, not an approximation
    sign = g["sign"]
    if sign and not (direction or baseline or _SIGN_GOVERNED.search(text, max(lo, s - 120), s)):
        unread.append(Unread(s, e, text[s:e], reason("ungoverned_sign"), "ungoverned_sign"))
        return "ungoverned_sign"  # 负3.9%
    if sign and kind in ("rate", "change", "count", "amount", "duration"):
        direction = "down" if sign in _DOWN_SIGNS else "up"
        baseline = baseline or (_BARE_BASELINE.search(text, max(lo, s - 2), s) or [None])[0]
    if unit == "倍" and not direction:
        multiple = _MULTIPLE_OF.search(prefix)
        if multiple and value != 1:
            direction, baseline = ("up" if value > 1 else "down"), multiple.group("base")
    if direction and not baseline and _YEARLY_AVERAGE.search(prefix):
        baseline = "年均"
    if unit == "pp" or unit == "倍":
        kind = "change"
    elif direction:
        kind = "change"
    elif kind == "rate" and baseline:
        kind = "change"

    if value_max is not None:
        bounds = {"value_low": value, "value_high": value_max}
    else:
        bounds = _bounds(value, approx, step)
    rule = "range" if value_max is not None else ("chinese" if chinese else (
        "mixed" if _MIXED.search(n1) else "arabic"))
    if unit == "%" and written_unit == "成":
        rule = "cheng"
    return Quantity(surface=text[ws:e], char_start=ws, char_end=e, value=_clean(value), unit=unit, kind=kind,
                    approx=approx, value_max=_clean(value_max), direction=direction, baseline=baseline,
                    precision=_decimals(n1), rule=rule, **{k: _clean(v) for k, v in bounds.items()})

