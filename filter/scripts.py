"""Writing systems: which script a text is written in, and which scripts a model has read articles in.

A model that never saw an article in some script reads that script as whatever it did see it in
(in our data, Cyrillic and Chinese appear only in scraper furniture), so it would remove a Russian
or Chinese article line by line. Cleaning therefore keeps such text (see clean._keep_unread).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from typing import Iterable

#: The script of models whose card does not say (all trained on English articles).
DEFAULT_SCRIPTS = ("Latin",)
#: A script is one the model has read articles in from this many editorial lines on.
MIN_EDITORIAL_LINES = 20

_OTHER = re.compile(r"[^\x00-\x7f]")
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
#: Scripts that Unicode names by another first word.
_SAME_SCRIPT = {"Hiragana": "Japanese", "Katakana": "Japanese", "Cjk": "Han"}


@functools.lru_cache(maxsize=1 << 14)
def _script_of_char(char: str) -> str | None:
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "OTHER")
    # Fullwidth and "mathematical bold" letters (a favourite of ads) are Latin letters in disguise.
    if "LATIN" in name or (name.startswith("MATHEMATICAL") and "GREEK" not in name):
        return "Latin"
    first = name.split(" ", 1)[0].title()
    return _SAME_SCRIPT.get(first, first)


def letters_by_script(text: str) -> Counter:
    """How many letters of each script the text has ("Latin", "Cyrillic", "Han", ...)."""
    counts = Counter({"Latin": _ascii_letters(text.encode("utf-8", "surrogatepass"))})
    for char in _OTHER.findall(text):  # English text has few: quotes, dashes, accents
        script = _script_of_char(char)
        if script:
            counts[script] += 1
    return +counts


def _ascii_letters(data: bytes) -> int:
    return len(data) - len(data.translate(None, _ASCII_LETTERS))


def main_script(text: str) -> str | None:
    """The script of most of the text's letters; None for text without letters."""
    data = text.encode("utf-8", "surrogatepass")
    # Each character outside ASCII takes at least two bytes: when the ASCII letters outnumber the extra
    # bytes, they outnumber every other letter, and the characters need not be looked at one by one.
    if _ascii_letters(data) > len(data) - len(text):
        return "Latin"
    counts = letters_by_script(text)
    return counts.most_common(1)[0][0] if counts else None


def unread_script(text: str, scripts: frozenset[str]) -> str | None:
    """The script most of the text is written in, when it is not one of ``scripts``."""
    if "Latin" in scripts and text.isascii():  # the common case, decided without counting
        return None
    script = main_script(text)
    return script if script and script not in scripts else None


def editorial_scripts(lines: Iterable[str]) -> list[str]:
    """The scripts that at least MIN_EDITORIAL_LINES of these (editorial) lines are written in."""
    counts = Counter(main_script(line) for line in lines)
    return sorted(script for script, n in counts.items() if script and n >= MIN_EDITORIAL_LINES)
