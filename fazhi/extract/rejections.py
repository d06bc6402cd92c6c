"""The rules that keep a candidate number out of the figures: each named, with its reason and examples.

numbers.py finds candidates with one master regex and applies these rules in the order listed; the first that
holds rejects the candidate, and its name is what find_quantities and extract_figures report (Rejected for a
number that is no figure, Unread.rule for a figure-shaped number not read with certainty). An example is a
sentence with the rejected candidate in [brackets]; tests/extract/test_rejections.py checks that each example
is rejected by its rule and no other.

    python -m fazhi.extract FILE_OR_FOLDER ...   # each rule with how often it fired, and on what
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Rejection:
    """A rule that keeps a candidate out: its name, why, and sentences it applies to."""

    name: str
    reason: str
    examples: tuple[str, ...]
    unread: bool = False  # a figure-shaped number that cannot be read with certainty (counted in n_unread)


REJECTIONS: tuple[Rejection, ...] = (
    # Where a candidate stands.
    Rejection("quoted", "a number inside a short quotation or a book title names a thing",
              ("深入开展“[三个]一”活动", "根据《[十条]措施》")),
    Rejection("web_address", "digits of a web address, e-mail address, file name or percent-encoded text",
              ("详见www.court.gov.cn/[2023]件", "附件:report_[2023].pdf")),
    Rejection("in_code", "digits next to Latin letters or code marks are part of an identifier",
              ("型号A[3件]", "编号X-[12件]")),
    # Ratios, shares and ranks.
    Rejection("time_of_day", "h:mm, h:mm:ss, or a:b after a date is a time of day, not a ratio",
              ("于[08:22]发布", "2023年1月12日 [13:45]", "10:30:[15:42]")),
    Rejection("zero_ratio", "a ratio over zero has no value", ("比例为[0:3]",)),
    Rejection("not_a_share", "a/b where a is not less than b (12/10) is a date or a score, not a share",
              ("比分[12/10]",)),
    Rejection("ordinal", "第 or 首 names a place in an order (第三卷, 第一种, 刑法第二百六十四条), not a rank",
              ("[第三]卷", "[第一名]被告人", "刑法[第二百六十四]条", "[首位]发言", "[第3件]")),
    # Numbers with units.
    Rejection("bare_number", "a number with no unit or currency counts nothing that can be named",
              ("共有[12345]", "第一季度[3]")),
    Rejection("currency_with_unit", "a currency before a number with another unit (美元3件) is no amount",
              ("[美元3件]",)),
    Rejection("lone_zero", "零 or 〇 alone is a word (零件, 零星), not a count", ("购买[零件]",)),
    Rejection("leading_zero", "a number written with a leading zero (048, 0318) is a code", ("[048件]",)),
    Rejection("unreadable_numeral", "the numeral grammar refuses the form (三四百, 十五六): its value is a guess",
              ("受理[三四百件]", "[十五六人]"), unread=True),
    Rejection("zhao_outside_amount", "兆 is 10^6 or 10^12 by usage; outside an amount it cannot be read",
              ("存储[3兆条]",), unread=True),
    Rejection("place_name_count", "a Chinese numeral before 县, 区, 市 and the like names places (四县一区)",
              ("辖[四县]一区",)),
    Rejection("bare_place", "a bare 百, 千 or 万 after a character that is no approximation word there (附近千人, "
              "节约万元)", ("附近[千人]", "节约[万元]")),
    Rejection("year", "a year (2020年, 109年 in Taiwan, 民国99年, 二〇一九年) or the year a thing began (自2021起)",
              ("[2020年]以来", "民国[99年]", "[二〇一九年]", "自[2021起]")),
    Rejection("date", "a day of the month (20日, 3月5日) or a week after a month is a date, not a duration",
              ("于[20日]召开", "3月[5周]")),
    Rejection("page_counter", "page furniture: views, clicks, shares", ("浏览次数:[1234次]",)),
    Rejection("sentence_class", "a length of sentence naming a class of penalties (十年以上有期徒刑), not a duration",
              ("判处[十年以上]有期徒刑",)),
    Rejection("ranking_band", "前3名 is a band of a ranking, not a count of people", ("进入前[3名]",)),
    Rejection("law_article", "an article of a law written as a count (刑法264条)", ("依照刑法[264条]",)),
    Rejection("slogan", "a numbered slogan (四个意识, 三个一, 十个坚持), not a count", ("增强“四个意识”和[四个]自信",)),
    Rejection("name_with_mark", "a count joined by + or · to what follows (3+2, 2·23专案) names a scheme or case",
              ("[3个]+2模式",)),
    Rejection("per_base", "a count after 每 is the base a rate is counted on (每十万人, 每百名法官), not a figure",
              ("每[十万人]命案发生数0.46起", "每[10万人]口刑事案件立案数下降")),
    Rejection("set_phrase", "a small Chinese numeral outside counts of people or cases, or a short time without a "
              "limit word, is a set phrase (一个标准, 两类案件, 三天两头, 两米高)",
              ("[一个]标准", "[两类]案件", "[三天]两头", "[两米]高")),
    Rejection("half", "半年, 半个月 without 内 is a period (半年来), not a duration", ("[半年]来",)),
    Rejection("ungoverned_sign", "a signed number no change word governs is a level below zero or a fall: either "
              "could be wrong", ("结案率[负3.9%]",), unread=True),
    # Table cells read row by row (pipe rows outside a recognized table block).
    Rejection("unitless_cell", "a table cell whose column header and row name no unit", ("项目 | 数\n收案 | [12]",)),
    Rejection("signed_cell", "a signed table cell outside a change column (a level below zero or a fall)",
              ("项目 | 件数(件)\n收案 | [-12]",), unread=True),
    # Tables whose rows ran together (tables.py).
    Rejection("run_together_row", "a row whose cells ran together splits more than one way and no total confirms one",
              ("案件量\n20082009\n领养申请[1199]\n其他12",), unread=True),
)

RULES: dict[str, Rejection] = {r.name: r for r in REJECTIONS}


def reason(name: str) -> str:
    """The one-line reason of a rule, by name."""
    return RULES[name].reason


def report(paths: list[Path], problems: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Rejections of every document under paths, by rule: (file name, surface) pairs; unreadable files go to
    problems, one line each."""
    from ..ingest import IngestError, discover, read_document
    from ..metadata import extract_metadata
    from ..normalize import normalize
    from . import DocContext, extract_figures

    found: dict[str, list[tuple[str, str]]] = {r.name: [] for r in REJECTIONS}
    for root in paths:
        files, _ = discover(root) if root.is_dir() else ([root], [])
        base = root if root.is_dir() else root.parent
        for path in files:
            try:
                norm = normalize(read_document(path, base).raw_text)
            except IngestError as err:
                problems.append(f"{path}: {err}")
                continue
            meta = extract_metadata(norm.text)
            rejected, unread = [], []
            extract_figures(norm.text, norm.sentences, DocContext(title=meta.title, published=meta.published_date),
                            unread, rejected)
            for r in [*rejected, *unread]:
                found[r.rule].append((path.name, r.surface))
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    paths = [Path(a) for a in argv]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"{missing[0]}: no such file or folder", file=sys.stderr)
        return 2
    problems: list[str] = []
    found = report(paths, problems)
    for rule in REJECTIONS:
        hits = found[rule.name]
        shown = ", ".join(f"{surface} x{n} ({name})" for (name, surface), n in Counter(hits).most_common(3))
        print(f"{len(hits):6d}  {rule.name:20s} {'unread' if rule.unread else 'no figure'}: {rule.reason}"
              + (f"\n        e.g. {shown}" if hits else ""))
    for problem in problems:
        print(f"skipped {problem}", file=sys.stderr)
    return 1 if problems else 0

