"""Fast scans for big alternations: a lookahead on the characters a match can start with.

Python's regex engine tries every alternative of an alternation at every position of the text; a leading
lookahead on the possible first characters lets it pass over the other characters at once. The character set
is read from the pattern's own parse tree, so it stays right when the pattern changes, and the matches found
are exactly those of the pattern alone.
"""
from __future__ import annotations

import re

try:  # the parser re itself uses; named sre_parse before Python 3.11
    from re import _constants as C
    from re import _parser as parser
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as parser  # type: ignore[no-redef]

_CATEGORIES = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_SPACE: r"\s", C.CATEGORY_WORD: r"\w",
               C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_NOT_WORD: r"\W"}
_ZERO_WIDTH = {C.ASSERT, C.ASSERT_NOT, C.AT}
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT} | ({C.POSSESSIVE_REPEAT} if hasattr(C, "POSSESSIVE_REPEAT") else set())


class _AnyCharacter(Exception):
    """A match may start with any character: no useful check exists."""


def _char_class_items(items) -> set[str]:
    pieces: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            pieces.add(re.escape(chr(av)))
        elif op is C.RANGE:
            pieces.add(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is C.CATEGORY and av in _CATEGORIES:
            pieces.add(_CATEGORIES[av])
        else:  # NEGATE and anything unusual: too wide to pre-check
            raise _AnyCharacter
    return pieces


def _first(sequence) -> tuple[set[str], bool]:
    """(class pieces a match of sequence can start with, whether sequence can match the empty string)."""
    pieces: set[str] = set()
    for op, av in sequence:
        if op in _ZERO_WIDTH:
            continue
        if op is C.LITERAL:
            pieces.add(re.escape(chr(av)))
            return pieces, False
        if op is C.IN:
            return pieces | _char_class_items(av), False
        if op is C.SUBPATTERN:
            sub, empty = _first(av[-1].data)
        elif op is C.BRANCH:
            sub, empty = set(), False
            for alternative in av[1]:
                alt, alt_empty = _first(alternative.data)
                sub |= alt
                empty = empty or alt_empty
        elif op in _REPEATS:
            sub, empty = _first(av[2].data)
            empty = empty or av[0] == 0
        elif getattr(C, "ATOMIC_GROUP", None) is op:
            sub, empty = _first(av.data)
        else:  # ANY, NOT_LITERAL, back references, conditionals
            raise _AnyCharacter
        pieces |= sub
        if not empty:
            return pieces, False
    return pieces, True


def first_character_class(pattern: str) -> str | None:
    """A character class of every character a match of pattern can start with; None if that is any or none."""
    try:
        pieces, empty = _first(parser.parse(pattern).data)
    except _AnyCharacter:
        return None
    if empty or not pieces:
        return None
    return "[" + "".join(sorted(pieces)) + "]"


def compile_scan(pattern: str, flags: int = 0) -> re.Pattern:
    """pattern compiled with a first-character lookahead in front: the same matches, found faster."""
    check = first_character_class(pattern)
    return re.compile(pattern if check is None else f"(?={check})(?:{pattern})", flags)
