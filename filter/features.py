"""Features of a line: its words and characters, its shape, and its place in the document.

Stage one of the model sees a line alone (`LineFeatures`); stage two sees the
line among its neighbours (`context_rows`), built from stage one's scores.
"""
from __future__ import annotations

import functools
import math
import re
from itertools import chain, count

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.preprocessing import normalize as unit_rows

# Verbs that open calls to action and ads ("Join the presale", "Sign up on ...").
IMPERATIVES = frozenset(
    """join buy sign subscribe follow download click get claim register grab start try visit discover explore
    check learn read watch listen shop order apply unlock earn trade bet play stake secure invest open see
    don't dont never stay catch enter win book reserve save upgrade install tap swipe scan contact share like
    tweet sell deposit mint connect""".split()
)
# Openers of site furniture and teasers that end in a colon ("Read more:", "Tags:").
_PREFIX = re.compile(r"^\W{0,3}([A-Za-zА-я][\w'’ &.-]{0,30}):\s*\S")
_TICKER = re.compile(r"\$[A-Z][A-Z0-9]{1,9}\b")
_MONEY = re.compile(r"[$€£¥]\s?\d")
_URL = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|io|org|net|news|co|xyz|app)\b(?:/|$)", re.I)
_ONLY_URL = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.I)
_NUMBER_ONLY = re.compile(r"^[\s$€£¥+\-−▲▼%.,:()0-9]*\d[\s$€£¥+\-−▲▼%.,:()0-9]*$")
_HTML = re.compile(r"</?[a-z][^>]*>|&[a-z]+;|\{\{|\}\}|document\.", re.I)
_HANDLE = re.compile(r"@\w{2,}")
_WORD = re.compile(r"[^\W_][\w'’-]*")
_CONTENT = re.compile(r"\$?[A-Za-z][A-Za-z0-9'’-]{2,}")
_NAME_START = frozenset("$ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LIST_MARK = re.compile(r"^\s*(?:[-•*▪●–]\s|\d{1,2}[.)]\s)")
_ATTRIBUTION = re.compile(r"^\s*[—–-]{1,2}\s*\S")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_NON_LATIN = re.compile(r"[\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u3040-\u9fff]")
_ODD_SPACES = {"\u00a0": " ", "\u2009": " ", "\u200b": "", "\ufeff": ""}
_SPECIAL_SPACE = str.maketrans(_ODD_SPACES)
_ODD_SPACE = re.compile(f"[{''.join(_ODD_SPACES)}]")

STOP_WORDS = ENGLISH_STOP_WORDS

SHAPE_NAMES = (
    "log length",
    "log words",
    "ends with period",
    "ends with !",
    "ends with ?",
    "ends with colon",
    'ends with ".."',
    'ends with "..." or "…"',
    "ends without punctuation",
    "ends with a quote",
    "starts with a quote",
    "list item",
    "markdown heading",
    "share of capitals",
    "share of capitalised words",
    "share of digits",
    "$TICKER",
    "money amount",
    "percent",
    "URL",
    "only a URL",
    "opens with an imperative",
    'opens with "Word:"',
    "separators | •",
    "HTML or code",
    "copyright",
    "number only",
    "@handle",
    "emoji",
    "non-Latin script",
    "sentences",
    "exclamation",
    "arrow or >>",
    "attribution dash",
    "year",
    "second person",
)


_EMOJI = re.compile("[\U0001F001-\U0010FFFF\u2600-\u27BF]")
_SECOND_PERSON = re.compile(r"\byou(?:r|'ll|’ll)?\b")


#: The features read at most a line's first this many characters. No paragraph comes near it (the
#: training lines stay under a thousand); a page flattened into one line, a minified HTML blob, would
#: otherwise cost memory in proportion to its length, about 250 bytes per character.
MAX_READ_CHARS = 20_000


def normalize(text: str) -> str:
    """The form of a line the features read: odd spaces made plain, ends trimmed, at most MAX_READ_CHARS long.

    >>> normalize("\ufeffBitcoin\u00a0rose ")
    'Bitcoin rose'
    """
    text = text.strip()[:MAX_READ_CHARS]
    # translate() looks up every character; most lines hold no odd space, and finding that out is cheap.
    if not text.isascii() and _ODD_SPACE.search(text):
        text = text.translate(_SPECIAL_SPACE).strip()
    return text


def shape_vector(text: str) -> list[float]:
    """Shape of one normalized line, in SHAPE_NAMES order; shape_rows gives the same for many lines at once."""
    n = len(text)
    words = _WORD.findall(text)
    n_words = len(words)
    letters = sum(map(str.isalpha, text)) or 1  # map over str methods: the per-character loops run in C
    last = text[-1:] if text else ""
    stripped = text.rstrip("\"'”’)»")
    first_word = words[0].lower() if words else ""
    lowered = text.lower()
    return [
        math.log1p(n),
        math.log1p(n_words),
        float(stripped.endswith(".") and not stripped.endswith("..")),
        float(stripped.endswith("!")),
        float(stripped.endswith("?")),
        float(stripped.endswith(":")),
        float(stripped.endswith("..") and not stripped.endswith("...")),
        float(stripped.endswith("...") or stripped.endswith("…")),
        float(last.isalnum()),
        float(last in "\"'”’»"),
        float(text[:1] in "\"'“‘«"),
        float(bool(_LIST_MARK.match(text))),
        float(text.startswith("#")),
        sum(map(str.isupper, text)) / letters,
        (sum(w[0].isupper() for w in words) / n_words) if n_words else 0.0,
        sum(map(str.isdigit, text)) / (n or 1),
        float(bool(_TICKER.search(text))),
        float(bool(_MONEY.search(text))),
        float("%" in text),
        float(bool(_URL.search(text))),
        float(bool(_ONLY_URL.match(text))),
        float(first_word in IMPERATIVES),
        float(bool(_PREFIX.match(text))),
        float(text.count("|") + text.count("•") + text.count("·")),
        float(bool(_HTML.search(text))),
        float("©" in text or "all rights reserved" in lowered or "copyright" in lowered),
        float(bool(_NUMBER_ONLY.match(text))),
        float(bool(_HANDLE.search(text))),
        float(bool(_EMOJI.search(text))),
        float(bool(_NON_LATIN.search(text))),
        float(text.count(". ") + text.count("! ") + text.count("? ") + 1),
        float("!" in text),
        float(">>" in text or "→" in text or "»" in text[-3:]),
        float(bool(_ATTRIBUTION.match(text))),
        float(bool(_YEAR.search(text))),
        float(bool(_SECOND_PERSON.search(lowered))),
    ]


#: Size (as a power of two) of the hashed spaces of character n-grams and of words and word pairs.
CHAR_BITS = 17
WORD_BITS = 17
CHAR_SIZES = (2, 3, 4, 5)
#: N-grams seen in fewer training lines than this are left out, as a vocabulary's min_df would.
CHAR_MIN_DF = 3
WORD_MIN_DF = 2
#: The least spread a shape feature is scaled by: a flag on 1 line in 25 or fewer is scaled as if it
#: were on that many.
MIN_SHAPE_SCALE = 0.2
# Polynomial hashing mod 2**64 (numpy's uint64 arithmetic wraps); the prime is odd, so it has an inverse.
_PRIME = np.uint64(0x100000001B3)
_PRIME_INVERSE = np.uint64(pow(0x100000001B3, -1, 2**64))
_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of h * this pick the column
# Each line is read between these marks, so n-grams see where it starts and ends.
_LINE_START, _LINE_END = "\x02", "\x03"
_WORD_JOINERS = "'’_$"
_MARKS = ".…!?:|>©@#%"


@functools.lru_cache(maxsize=1)
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """Lower-case form and token kind (0 none, 1 word, 2 mark) of every code point of the Basic Multilingual Plane."""
    lower = np.arange(0x10000, dtype=np.uint64)
    kind = np.zeros(0x10000, dtype=np.int8)
    for code in range(0x10000):
        char = chr(code)
        if char.isalnum():
            kind[code] = 1
            low = char.lower()
            if len(low) == 1:
                lower[code] = ord(low)
    kind[[ord(c) for c in _WORD_JOINERS]] = 1
    kind[[ord(c) for c in _MARKS]] = 2
    return lower, kind


def _marked(texts: list[str]) -> str:
    """All lines in one string, each between its marks."""
    return _LINE_START + (_LINE_END + _LINE_START).join(texts) + _LINE_END if texts else ""


def _code_array(text: str) -> np.ndarray:
    """Code points of a string, one per character, as uint32."""
    # surrogatepass: a lone surrogate (from JSON escapes or undecodable bytes) is still one code point.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all lines, each between its marks, and the line each one belongs to."""
    codes = _code_array(_marked(texts)).astype(np.uint64)
    sizes = np.fromiter((len(t) + 2 for t in texts), dtype=np.int64, count=len(texts))
    return codes, np.repeat(np.arange(len(texts)), sizes)


# Kinds of character a line's shape reads. Each is a test of one character, so a table over the
# code points answers it for a whole batch at once; the regular expressions are shape_vector's own.
_CHAR_KINDS = {
    "alpha": str.isalpha,
    "upper": str.isupper,
    "digit": str.isdigit,
    "alnum": str.isalnum,
    "word": re.compile(r"\w"),  # what \b reads
    "word start": re.compile(r"[^\W_]"),  # what opens a _WORD
    "word part": re.compile(r"[\w'’-]"),  # what goes on in a _WORD
    "decimal": re.compile(r"\d"),
    "space": re.compile(r"\s"),
    "emoji": _EMOJI,
    "non-Latin": _NON_LATIN,
    "number part": re.compile(r"[\s$€£¥+\-−▲▼%.,:()0-9]"),  # what fills a _NUMBER_ONLY line besides one \d
    "mark opener": re.compile(r"[\s\d\-•*▪●–—]"),  # what a _LIST_MARK or _ATTRIBUTION match opens with
}
_KIND_BIT = {kind: np.uint16(1 << i) for i, kind in enumerate(_CHAR_KINDS)}
_BMP_SIZE = 0x10000
# Every _URL match holds a match of one of _URL_HINTS, and every _HTML match one of _HTML_HINTS, so
# lines with none are spared those slow patterns. Each hint opens with a fixed character, which the
# regex engine finds fast ("." and a look back, not "www." under re.I).
_URL_HINTS = tuple(re.compile(p, re.I) for p in ("://", r"\.(?<=www\.)", r"\.(?:com|io|org|net|news|co|xyz|app)"))
_HTML_HINTS = tuple(re.compile(p, re.I) for p in ("<", "&", r"\{\{", r"\}\}", r"\.(?<=document\.)"))
_YOU = re.compile("you")  # in every _SECOND_PERSON match
_COPYRIGHT_PHRASES = (re.compile("all rights reserved"), re.compile("copyright"))
# Characters shape_vector looks for at the ends of a line.
_CLOSING = "\"'”’)»"
_END_QUOTES = "\"'”’»"
_OPEN_QUOTES = "\"'“‘«"
_SEPARATORS = "|•·"
_SENTENCE_ENDS = ".!?"
#: How near its end a "»" makes a line point on.
_ARROW_TAIL = 3
_LONGEST_IMPERATIVE = max(map(len, IMPERATIVES))


def _kind_bits(chars: str) -> np.ndarray:
    """The _CHAR_KINDS bits of each character of a string of distinct characters in increasing order."""
    codes = _code_array(chars)
    bits = np.zeros(len(chars), dtype=np.uint16)
    for kind, test in _CHAR_KINDS.items():
        if isinstance(test, re.Pattern):
            hits = np.searchsorted(codes, _code_array("".join(test.findall(chars))))
        else:
            hits = np.flatnonzero(np.fromiter(map(test, chars), dtype=bool, count=len(chars)))
        bits[hits] |= _KIND_BIT[kind]
    return bits


@functools.lru_cache(maxsize=1)
def _bmp_kind_bits() -> np.ndarray:
    """The _CHAR_KINDS bits of every code point of the Basic Multilingual Plane, surrogates included."""
    return _kind_bits("".join(map(chr, range(_BMP_SIZE))))


def _kinds(codes: np.ndarray) -> np.ndarray:
    """The _CHAR_KINDS bits of each code point; the few distinct ones past the BMP are tested one by one."""
    bits = _bmp_kind_bits().take(np.minimum(codes, _BMP_SIZE - 1))
    astral = codes >= _BMP_SIZE
    if astral.any():
        distinct, slot = np.unique(codes[astral], return_inverse=True)
        bits[astral] = _kind_bits("".join(map(chr, distinct.tolist())))[slot]
    return bits


def _exact_log1p(counts: np.ndarray) -> np.ndarray:
    """math.log1p of each count, as the model was trained on it (numpy's may differ in the last bit).

    >>> _exact_log1p(np.array([0, 3, 3])).tolist() == [0.0, math.log1p(3), math.log1p(3)]
    True
    """
    distinct, slot = np.unique(counts, return_inverse=True)
    return np.array([math.log1p(c) for c in distinct.tolist()], dtype=np.float64)[slot]


def _starts(sizes: np.ndarray) -> np.ndarray:
    """Where each of consecutive blocks of these sizes starts."""
    return np.cumsum(sizes) - sizes


def _lines_matching(pattern: re.Pattern, marked: str, offsets: np.ndarray) -> np.ndarray:
    """Which lines of a marked batch hold a match, in one pass; ``offsets`` are where their start marks stand.

    Only for patterns that cannot match a mark: then each match lies within one line, and a
    line's first match is found as a search of the line alone would find it. Marks are not word
    characters, so \\b reads them as the ends of a line.
    """
    hits = np.zeros(len(offsets), dtype=bool)
    found = np.fromiter((m.start() for m in pattern.finditer(marked)), dtype=np.int64)
    hits[np.searchsorted(offsets, found, side="right") - 1] = True
    return hits


def _is_one_of(codes: np.ndarray, chars: str) -> np.ndarray:
    """Which code points are those of one of a few characters."""
    mask = codes == ord(chars[0])
    for char in chars[1:]:
        mask |= codes == ord(char)
    return mask


def _followed_by(*masks: np.ndarray) -> np.ndarray:
    """Positions where masks[0] holds, masks[1] holds at the next one, and so on."""
    out = masks[0].copy()
    for step, mask in enumerate(masks[1:], start=1):
        out[:-step] &= mask[step:]
        out[-step:] = False
    return out


def _word_starts(part: np.ndarray, starter: np.ndarray) -> np.ndarray:
    """Where _WORD matches start, given where word parts and word starts stand in marked lines.

    A match is a run of word parts from its first word start on, so a word start opens one
    unless the nearest character before it that is no joiner (a part that starts nothing:
    "_", "'", "’", "-") is a word start.
    """
    joiner = part & ~starter
    after_starter = np.zeros_like(starter)
    after_starter[1:] = starter[:-1]
    after_joiner = np.zeros_like(joiner)
    after_joiner[1:] = joiner[:-1]
    opens = starter & ~after_starter & ~after_joiner
    behind_joiners = np.flatnonzero(starter & after_joiner)  # few: "don't", "pre-sale", "-abc"
    if len(behind_joiners):
        joiner_runs = np.flatnonzero(joiner & ~after_joiner)  # where each run of joiners opens
        before_run = joiner_runs[np.searchsorted(joiner_runs, behind_joiners, side="right") - 1] - 1
        opens[behind_joiners] = ~starter[before_run]
    return np.flatnonzero(opens)


def shape_rows(texts: list[str]) -> np.ndarray:
    """shape_vector of many normalized lines at once: one float64 row per line, in SHAPE_NAMES order.

    >>> rows = shape_rows(["Join Now", "Bitcoin rose 3% to $64,000."])
    >>> rows[:, SHAPE_NAMES.index("percent")].tolist(), rows[:, SHAPE_NAMES.index("opens with an imperative")].tolist()
    ([0.0, 1.0], [1.0, 0.0])
    """
    n = len(texts)
    rows = np.zeros((n, len(SHAPE_NAMES)), dtype=np.float64)
    if not n:
        return rows
    column = {name: i for i, name in enumerate(SHAPE_NAMES)}

    def put(name: str, values) -> None:
        rows[:, column[name]] = values

    # All lines in one array of code points, each between its marks, which no test below matches.
    marked = _marked(texts)
    codes = _code_array(marked)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    empty = lengths == 0
    offsets = _starts(lengths + 2)  # each line's start mark
    first, end = offsets + 1, offsets + 1 + lengths  # each line's first character, and its end mark
    line = np.repeat(np.arange(n), lengths + 2)
    kinds = _kinds(codes)

    def has(kind: str) -> np.ndarray:
        return (kinds & _KIND_BIT[kind]) != 0

    # Per line; a line's block always holds its marks, so it is never empty.
    def count(mask: np.ndarray) -> np.ndarray:
        return np.add.reduceat(mask.view(np.uint8), offsets, dtype=np.int64)

    def any_in_line(mask: np.ndarray) -> np.ndarray:
        return np.logical_or.reduceat(mask, offsets)

    def matching(patterns, text: str = marked, text_offsets: np.ndarray = offsets) -> np.ndarray:
        return np.logical_or.reduce([_lines_matching(p, text, text_offsets) for p in patterns])

    def checked(find, candidates: np.ndarray, read=texts.__getitem__) -> np.ndarray:
        """A pattern's search or match, run on the candidate lines alone: no other line can match."""
        hits = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(candidates).tolist():
            hits[i] = find(read(i)) is not None
        return hits

    # Words, as _WORD.findall reads them, and whether the first is an imperative.
    part, starter = has("word part"), has("word start")
    word_starts = _word_starts(part, starter)
    word_line = line[word_starts]
    n_words = np.bincount(word_line, minlength=n)
    capitalised = np.bincount(word_line[has("upper")[word_starts]], minlength=n)
    imperative = np.zeros(n, dtype=bool)
    if len(word_starts):
        # Each line's first word; the index is clipped for lines with none, which are left out below.
        first_word = np.minimum(np.searchsorted(word_line, np.arange(n)), len(word_starts) - 1)
        starts = word_starts[first_word]
        part_ends = np.flatnonzero(part[:-1] & ~part[1:]) + 1  # a mark stands last, so every run of parts ends
        stops = part_ends[np.searchsorted(part_ends, starts, side="right")]  # a word goes on to its run's end
        # lower() never shortens a string, so a longer first word is no imperative.
        candidates = np.flatnonzero((n_words > 0) & (stops - starts <= _LONGEST_IMPERATIVE))
        words = [marked[a:b] for a, b in zip(starts[candidates].tolist(), stops[candidates].tolist())]
        # One lower() for all: words hold no spaces, and a space ends the context of a final sigma.
        lowered_words = " ".join(words).lower().split(" ")
        imperative[candidates] = np.fromiter(map(IMPERATIVES.__contains__, lowered_words), dtype=bool, count=len(words))

    # The last three characters once closing quotes and brackets are stripped (0 where the line is shorter).
    stripped_end = end.copy()
    for i in np.flatnonzero(~empty & _is_one_of(codes[end - 1], _CLOSING)).tolist():
        stripped_end[i] = first[i] + len(texts[i].rstrip(_CLOSING))
    last1, last2, last3 = (np.where(stripped_end - back >= first, codes[stripped_end - back], 0) for back in (1, 2, 3))
    dot, ellipsis = ord("."), ord("…")
    last = np.where(empty, 0, codes[end - 1])
    opening = np.where(empty, 0, codes[first])
    arrow_tail = np.zeros(n, dtype=bool)
    for back in range(1, _ARROW_TAIL + 1):
        arrow_tail |= (lengths >= back) & (codes[end - back] == ord("»"))

    # _MONEY, [$€£¥]\s?\d: a currency sign, then a decimal digit, maybe after one space.
    currency, decimal = _is_one_of(codes, "$€£¥"), has("decimal")
    money = any_in_line(_followed_by(currency, decimal) | _followed_by(currency, has("space"), decimal))
    # _YEAR, \b(?:19|20)\d\d\b: no word character (or a mark), "19" or "20", two decimals, no word character.
    not_word = ~has("word")
    year = any_in_line(
        _followed_by(not_word, codes == ord("1"), codes == ord("9"), decimal, decimal, not_word)
        | _followed_by(not_word, codes == ord("2"), codes == ord("0"), decimal, decimal, not_word)
    )

    # Lower-cased, the batch keeps its places unless a character lowers to several ("İ"); then line
    # by line. Lowering looks no further than the marks, which are neither cased nor case-ignorable.
    lowered, lowered_offsets = marked.lower(), offsets
    if len(lowered) != len(marked):
        lowered_lines = [t.lower() for t in texts]
        lowered = _marked(lowered_lines)
        lowered_offsets = _starts(np.fromiter(map(len, lowered_lines), dtype=np.int64, count=n) + 2)

    url = checked(_URL.search, matching(_URL_HINTS))
    put("log length", _exact_log1p(lengths))
    put("log words", _exact_log1p(n_words))
    put("ends with period", (last1 == dot) & (last2 != dot))
    put("ends with !", last1 == ord("!"))
    put("ends with ?", last1 == ord("?"))
    put("ends with colon", last1 == ord(":"))
    put('ends with ".."', (last1 == dot) & (last2 == dot) & (last3 != dot))
    put('ends with "..." or "…"', ((last1 == dot) & (last2 == dot) & (last3 == dot)) | (last1 == ellipsis))
    put("ends without punctuation", ~empty & ((kinds[end - 1] & _KIND_BIT["alnum"]) != 0))
    # "" is in every string, so shape_vector reads an empty line as ending and opening with a quote.
    put("ends with a quote", _is_one_of(last, _END_QUOTES) | empty)
    put("starts with a quote", _is_one_of(opening, _OPEN_QUOTES) | empty)
    put("list item", checked(_LIST_MARK.match, ~empty & has("mark opener")[first]))
    put("markdown heading", opening == ord("#"))
    put("share of capitals", count(has("upper")) / np.maximum(count(has("alpha")), 1))
    put("share of capitalised words", np.where(n_words > 0, capitalised / np.maximum(n_words, 1), 0.0))
    put("share of digits", count(has("digit")) / np.maximum(lengths, 1))
    put("$TICKER", matching([_TICKER]))
    put("money amount", money)
    put("percent", any_in_line(codes == ord("%")))
    put("URL", url)
    put("only a URL", checked(_ONLY_URL.match, url))  # a line that is only a URL holds one
    put("opens with an imperative", imperative)
    put('opens with "Word:"', checked(_PREFIX.match, any_in_line(codes == ord(":"))))
    put("separators | •", count(_is_one_of(codes, _SEPARATORS)))
    put("HTML or code", checked(_HTML.search, matching(_HTML_HINTS)))
    put("copyright", any_in_line(codes == ord("©")) | matching(_COPYRIGHT_PHRASES, lowered, lowered_offsets))
    # Besides number parts, a number-only line holds at most one character: a decimal digit of any script.
    put("number only", checked(_NUMBER_ONLY.match, ~empty & (lengths - count(has("number part")) <= 1)))
    put("@handle", matching([_HANDLE]))
    put("emoji", any_in_line(has("emoji")))
    put("non-Latin script", any_in_line(has("non-Latin")))
    put("sentences", count(_followed_by(_is_one_of(codes, _SENTENCE_ENDS), codes == ord(" "))) + 1)
    put("exclamation", any_in_line(codes == ord("!")))
    arrows = _followed_by(codes == ord(">"), codes == ord(">")) | (codes == ord("→"))
    put("arrow or >>", any_in_line(arrows) | arrow_tail)
    put("attribution dash", checked(_ATTRIBUTION.match, ~empty & has("mark opener")[first]))
    put("year", year)
    saying_you = matching([_YOU], lowered, lowered_offsets)
    put("second person", checked(_SECOND_PERSON.search, saying_you, lambda i: texts[i].lower()))
    return rows


def _columns(hashes: np.ndarray, salt: int, bits: int) -> np.ndarray:
    return (((hashes + np.uint64(salt)) * _SPREAD) >> np.uint64(64 - bits)).astype(np.int64)


def _char_grams(codes: np.ndarray, line: np.ndarray, bits: int):
    """(line, column, start) of every character n-gram that lies within one line, one block per size in CHAR_SIZES."""
    rows, cols, starts = [], [], []
    # spaces[i]: how many spaces come before position i, so a window's count is a difference.
    spaces = np.concatenate([[0], np.cumsum((codes == 32) | (codes == 9))])
    hashes = codes
    for n in range(2, max(CHAR_SIZES) + 1):
        hashes = hashes[:-1] * _PRIME + codes[n - 1 :]  # the n-gram starting at each position
        if n in CHAR_SIZES:
            # Like words padded with spaces: an n-gram may start or end at a space, not hold one inside.
            inside = spaces[n - 1 : n - 1 + len(hashes)] - spaces[1 : 1 + len(hashes)]
            within = np.flatnonzero((line[: len(hashes)] == line[n - 1 :]) & (inside == 0))
            rows.append(line[within])
            cols.append(_columns(hashes[within], n, bits))
            starts.append(within)
    return rows, cols, starts


def _word_grams(codes: np.ndarray, line: np.ndarray, bits: int):
    """(line, column, start, end) of every lower-cased word and pair of adjacent words."""
    lower, kind_table = _char_tables()
    bmp = codes < 0x10000
    clipped = np.where(bmp, codes, 0).astype(np.int64)
    low = np.where(bmp, lower[clipped], codes)
    kind = np.where(bmp, kind_table[clipped], 0)
    in_token = kind > 0
    # A token is a run of word characters or a run of marks (".." "…" ":" "|"), so "Read more:" has three.
    changes = np.flatnonzero(np.diff(np.concatenate([[0], kind, [0]])))
    starts = changes[:-1][kind[changes[:-1]] > 0]
    ends = changes[np.searchsorted(changes, starts, side="right")]  # exclusive
    if not len(starts):
        return [], [], [], []
    # A word's hash is sum(code[i] * P**i) over its letters, times P**-start: the same wherever it stands.
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(len(codes), _PRIME, dtype=np.uint64))
        inverse = np.cumprod(np.full(len(codes), _PRIME_INVERSE, dtype=np.uint64))
        running = np.cumsum(np.where(in_token, low * powers, 0), dtype=np.uint64)
        before = np.where(starts > 0, running[starts - 1], 0).astype(np.uint64)
        words = (running[ends - 1] - before) * inverse[starts]
        word_line = line[starts]
        pair = np.flatnonzero(word_line[:-1] == word_line[1:])
        pairs = words[pair] * _PRIME + words[pair + 1]
    return (
        [word_line, word_line[pair]],
        [_columns(words, 1, bits), _columns(pairs, 2, bits)],
        [starts, starts[pair]],
        [ends, ends[pair + 1]],
    )


def _tf_idf(rows, cols, n_rows: int, bits: int, idf: np.ndarray | None) -> sparse.csr_matrix:
    """Sublinear term counts (1 + log count) per line, weighted by idf when given.

    Each (line, column) pair is one integer key. Sorted, the keys are already in CSR order, and a
    run of equal keys is one n-gram's count: one sort of the batch, where scipy's duplicate summing
    sorts each row on its own and takes twice as long.
    """
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    keys = (rows << bits) | cols
    if n_rows << bits <= 1 << 32:
        keys = keys.astype(np.uint32)  # sorts in about half the time of int64
    keys.sort()
    first = np.ones(len(keys), dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    occurrences = np.diff(np.append(starts, len(keys))).astype(np.float32)
    unique = keys[starts]
    indptr = np.searchsorted(unique >> bits, np.arange(n_rows + 1))
    columns = (unique & ((1 << bits) - 1)).astype(np.int32)
    counts = sparse.csr_matrix((1.0 + np.log(occurrences), columns, indptr), shape=(n_rows, 1 << bits))
    if idf is not None:
        counts.data *= idf[counts.indices]
        counts.eliminate_zeros()  # n-grams too rare in training are not features at all
    return counts


def _idf(counts: sparse.csr_matrix, min_df: int) -> np.ndarray:
    """Smoothed idf of each column; columns seen in fewer than ``min_df`` lines get 0 (left out)."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0
    idf[df < min_df] = 0.0
    return idf.astype(np.float32)


class LineFeatures(BaseEstimator, TransformerMixin):
    """Words, word pairs, character n-grams and shape of each line, as one sparse matrix.

    N-grams are hashed into fixed columns in one vectorised pass over a batch of
    lines (no vocabulary, no per-n-gram Python), then weighted by tf-idf and scaled
    to unit length per block.

    >>> features = LineFeatures().fit(["Join the presale now", "Bitcoin rose 3% on Monday."])
    >>> features.transform(["Join now"]).shape[0]
    1
    """

    def __init__(self, char_bits: int = CHAR_BITS, word_bits: int = WORD_BITS):
        self.char_bits = char_bits
        self.word_bits = word_bits

    def fit(self, texts, y=None, shapes=None):
        """Fit on lines; ``shapes`` are their shape vectors if the caller has them already."""
        texts = [normalize(t) for t in texts]
        chars, words = self._counts(texts, None, None)
        self.char_idf_ = _idf(chars, CHAR_MIN_DF)
        self.word_idf_ = _idf(words, WORD_MIN_DF)
        if shapes is None:
            shapes = shape_rows(texts)
        # Scaling by the spread alone would blow a rare flag up (a flag on 0.3% of lines to 19): the linear
        # model then lets a handful of training lines outvote all of a line's words.
        self.shape_scale_ = np.maximum(np.asarray(shapes, dtype=np.float64).std(axis=0), MIN_SHAPE_SCALE)
        return self

    def transform(self, texts):
        texts = [normalize(t) for t in texts]
        shapes = shape_rows(texts).astype(np.float32)
        return self.transform_with_shapes(texts, shapes)

    def transform_with_shapes(self, texts, shapes):
        """Like transform, for normalized texts whose shapes are already computed."""
        chars, words = self._counts(texts, self.char_idf_, self.word_idf_)
        return sparse.hstack(
            [unit_rows(words, copy=False), unit_rows(chars, copy=False), sparse.csr_matrix(shapes / self.shape_scale_)],
            format="csr",
        )

    def _counts(self, texts, char_idf, word_idf):
        codes, line = _code_points(texts)
        char_rows, char_cols, _ = _char_grams(codes, line, self.char_bits)
        word_rows, word_cols, _, _ = _word_grams(codes, line, self.word_bits)
        return (
            _tf_idf(char_rows, char_cols, len(texts), self.char_bits, char_idf),
            _tf_idf(word_rows, word_cols, len(texts), self.word_bits, word_idf),
        )

    def names_in(self, text: str) -> dict[int, str]:
        """Readable names of the columns one normalized line sets, for explanations.

        >>> names = LineFeatures().fit(["Join now", "Join us"]).names_in("Join now")
        >>> sorted(n for n in names.values() if n.startswith("word"))
        ['word "join now"', 'word "join"', 'word "now"']
        """
        codes, line = _code_points([text])
        marked = f"{_LINE_START}{text}{_LINE_END}"
        names: dict[int, str] = {}
        _, cols, starts, ends = _word_grams(codes, line, self.word_bits)
        for block_cols, block_starts, block_ends in zip(cols, starts, ends):
            for col, a, b in zip(block_cols, block_starts, block_ends):
                names.setdefault(int(col), f'word "{marked[a:b].lower()}"')
        offset = 1 << self.word_bits
        _, cols, starts = _char_grams(codes, line, self.char_bits)
        for block_cols, block_starts, n in zip(cols, starts, CHAR_SIZES):
            for col, a in zip(block_cols, block_starts):
                gram = marked[a : a + n].replace(_LINE_START, "^").replace(_LINE_END, "$")
                names.setdefault(offset + int(col), f'"{gram}"')
        offset += 1 << self.char_bits
        names.update({offset + i: name for i, name in enumerate(SHAPE_NAMES)})
        return names


@functools.lru_cache(maxsize=1 << 12)  # each pass of cleaning reads a batch's lines again; small, as entries are large
def content_tokens(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Content words and names of a line, lower-cased; names are capitalised words past the first."""
    tokens = _CONTENT.findall(text)
    # One lower() for all tokens: they hold no spaces, and "$" only ever opens one.
    lowered = " ".join(tokens).lower().replace("$", "").split()
    words = {low for low in lowered if low not in STOP_WORDS}
    names = {low for token, low in zip(tokens[1:], lowered[1:]) if token[0] in _NAME_START and low not in STOP_WORDS}
    return frozenset(words), frozenset(names)


CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
#: A stage-one junk score from which a line counts as sure junk for its neighbours.
SURE_JUNK = 0.8
#: How many names make up the lead of an article.
LEAD_NAMES = 12


def context_names(labels) -> list[str]:
    """Names of context_matrix's columns."""
    names = [f"p({label.value})" for label in labels]
    names += [f"junk score of line {o:+d}" for o in CONTEXT_OFFSETS]
    names += [f"p({label.value}) of line -1" for label in labels]
    names += [f"p({label.value}) of line +1" for label in labels]
    names += [
        "mean junk score after", "lowest junk score after", "mean junk score before", "lines after",
        "lines before", "relative position", "lines in document", "share of words in the article",
        "share of names in the article", "content words", "names", "words shared with line -1",
        "words shared with line +1", "copies in document", "length relative to the document",
        "lines since sure junk above", "sure junk among 6 lines above", "share of names in the lead",
    ]
    return names


def context_matrix(texts: list[str], shapes: np.ndarray, proba: np.ndarray, editorial_column: int) -> np.ndarray:
    """Context features of each line of one document, from stage one's class probabilities.

    ``texts`` are the document's normalized non-blank lines, ``proba`` their
    stage-one probabilities (one row per line, one column per label).
    """
    return context_rows(texts, shapes, proba, [len(texts)], editorial_column)


def context_rows(
    texts: list[str], shapes: np.ndarray, proba: np.ndarray, sizes: list[int] | np.ndarray, editorial_column: int
) -> np.ndarray:
    """context_matrix of several documents at once: their rows, stacked in order.

    The documents' lines follow one another in ``texts``, ``shapes`` and ``proba``;
    ``sizes`` are their numbers of lines. The whole batch goes through numpy at once;
    only reading each line's tokens and each document's running sums loop in Python.
    """
    proba = np.asarray(proba, dtype=np.float64)
    sizes = np.asarray(sizes, dtype=np.int64)
    sizes = sizes[sizes > 0]  # an empty document has no rows
    n = len(texts)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    doc = np.repeat(np.arange(len(sizes)), sizes)  # the document of each line
    line = np.arange(n)
    doc_start = starts[doc]
    before = line - doc_start  # lines above it in its document
    after = sizes[doc] - 1 - before
    editorial = proba[:, editorial_column]
    junk = 1.0 - editorial

    # The junk score of the line o lines away, -1 past either end of the document.
    neighbours = np.stack(
        [np.where((before >= -o) & (after >= o), np.roll(junk, -o), -1.0) for o in CONTEXT_OFFSETS], axis=1
    )
    prev_proba = np.where((before > 0)[:, None], np.roll(proba, 1, axis=0), -1.0)
    next_proba = np.where((after > 0)[:, None], np.roll(proba, -1, axis=0), -1.0)

    # Running sums give the mean/min junk score of the lines after and before each line. They run
    # per document, so each sum adds the same numbers in the same order as for the document alone.
    prefix_sum, suffix_sum, suffix_min = np.empty(n), np.empty(n), np.empty(n)
    for s, e in zip(starts.tolist(), ends.tolist()):
        np.cumsum(junk[s:e], out=prefix_sum[s:e])
        np.cumsum(junk[s:e][::-1], out=suffix_sum[s:e][::-1])
        np.minimum.accumulate(junk[s:e][::-1], out=suffix_min[s:e][::-1])
    mean_after = np.where(after > 0, (suffix_sum - junk) / np.maximum(after, 1), -1.0)
    min_after = np.where(after > 0, np.roll(suffix_min, -1), -1.0)
    mean_before = np.where(before > 0, (prefix_sum - junk) / np.maximum(before, 1), -1.0)

    shared_words, shared_names, n_words, n_names, shared_prev, shared_next, shared_lead = _shared_tokens(
        texts, doc, starts, ends, editorial
    )
    text_numbers = _numbering(texts)
    copy_keys = doc * n + np.fromiter(map(text_numbers.__getitem__, texts), np.int64, n)
    _, copy_slot, copies = np.unique(copy_keys, return_inverse=True, return_counts=True)

    # Where the article body stops, sure junk starts: lines past it (another story's paragraphs)
    # read like editorial on their own, so how far back the last sure junk line sits matters.
    sure = junk >= SURE_JUNK
    last_sure = np.maximum.accumulate(np.where(sure, line, -1))  # at or above each line
    above = np.where(before > 0, np.roll(last_sure, 1), -1)
    has_sure_above = above >= doc_start
    since_sure = np.where(has_sure_above, _exact_log1p(np.where(has_sure_above, line - above - 1, 0)), -1.0)
    sure_before = np.concatenate([[0], np.cumsum(sure)])  # sure junk lines before each line of the batch
    sure_above = sure_before[line] - sure_before[np.maximum(doc_start, line - 6)]

    log_len = shapes[:, 0]
    rows = np.column_stack(
        [
            proba,
            neighbours,
            prev_proba,
            next_proba,
            mean_after,
            min_after,
            mean_before,
            np.log1p(after),
            np.log1p(before),
            before / np.maximum(sizes[doc] - 1, 1),
            _exact_log1p(sizes)[doc],  # line counts as the model was trained on them
            shared_words,
            shared_names,
            n_words,
            n_names,
            shared_prev,
            shared_next,
            copies[copy_slot] - 1,
            log_len - _medians(log_len, doc, starts, sizes)[doc],
            since_sure,
            sure_above,
            shared_lead,
        ]
    )
    return rows.astype(np.float32)


def _shared_tokens(
    texts: list[str], doc: np.ndarray, starts: np.ndarray, ends: np.ndarray, editorial: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Per line: how much of its content words and names the article uses, how many it has,
    its share of words on the lines above and below, and its share of names in the lead.

    Each (line, token) pair is one entry, lines in order and each line's tokens in its set's
    order: sums then add the same numbers in the same order as a loop over the lines and their
    sets would, so they agree to the last bit.
    """
    n = len(texts)
    tokens = [content_tokens(t) for t in texts]
    n_words = np.fromiter((len(words) for words, _ in tokens), dtype=np.int64, count=n)
    n_names = np.fromiter((len(names) for _, names in tokens), dtype=np.int64, count=n)
    word_line = np.repeat(np.arange(n), n_words)
    name_line = np.repeat(np.arange(n), n_names)
    words = list(chain.from_iterable(words for words, _ in tokens))
    word_numbers = _numbering(words)
    names = chain.from_iterable(names for _, names in tokens)  # every name is also a word
    # One slot per word of each document, so weights add up per document.
    width = max(len(word_numbers), 1)
    word_keys = doc[word_line] * width + np.fromiter(map(word_numbers.__getitem__, words), np.int64, len(words))
    name_keys = doc[name_line] * width + np.fromiter(map(word_numbers.__getitem__, names), np.int64, len(name_line))
    slot_keys, word_slot = np.unique(word_keys, return_inverse=True)
    name_slot = np.searchsorted(slot_keys, name_keys)

    # How much of a line's vocabulary the article's (probably editorial) lines also use.
    word_weight = np.bincount(word_slot, weights=editorial[word_line], minlength=len(slot_keys))
    name_weight = np.bincount(name_slot, weights=editorial[name_line], minlength=len(slot_keys))
    shared_words = _line_means(np.minimum(1.0, word_weight[word_slot] - editorial[word_line]), word_line, n_words)
    shared_names = _line_means(np.minimum(1.0, name_weight[name_slot] - editorial[name_line]), name_line, n_names)

    # A word shared with the next line is the same slot on the line after.
    order = np.argsort(word_slot, kind="stable")  # by slot, then by line
    slot_sorted, line_sorted = word_slot[order], word_line[order]
    adjacent = (slot_sorted[1:] == slot_sorted[:-1]) & (line_sorted[1:] == line_sorted[:-1] + 1)
    shared_prev = np.bincount(line_sorted[1:][adjacent], minlength=n) / np.maximum(n_words, 1)
    shared_next = np.bincount(line_sorted[:-1][adjacent], minlength=n) / np.maximum(n_words, 1)

    # Names of the lead (the first editorial-looking lines): a teaser about another story shares none.
    # The lead takes the names of those lines in order, up to the line that brings it to LEAD_NAMES.
    leading = editorial[name_line] >= 0.5
    first_line = np.full(len(slot_keys), n)  # where a name first comes up in an editorial-looking line
    np.minimum.at(first_line, name_slot[leading], name_line[leading])
    seen = np.cumsum(np.bincount(first_line[first_line < n], minlength=n))
    seen_in_doc = seen - np.concatenate([[0], seen])[starts][doc]
    not_full = np.bincount(doc[seen_in_doc < LEAD_NAMES], minlength=len(starts))  # lines before each lead is full
    lead_end = np.minimum(starts + not_full + 1, ends)
    in_lead = (first_line < lead_end[slot_keys // width]).astype(np.float64)
    shared_lead = _line_means(in_lead[name_slot], name_line, n_names)
    return shared_words, shared_names, n_words, n_names, shared_prev, shared_next, shared_lead


def _numbering(items: list[str]) -> dict[str, int]:
    """A number for each distinct item, in order of first appearance."""
    return dict(zip(dict.fromkeys(items), count()))


def _line_means(values: np.ndarray, line: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mean of the values of each line, summed in order; -1 for a line with none."""
    sums = np.bincount(line, weights=values, minlength=len(counts))
    return np.where(counts > 0, sums / np.maximum(counts, 1), -1.0)


def _medians(values: np.ndarray, doc: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """np.median of each document's values, in their dtype."""
    ranked = values[np.lexsort((values, doc))]  # sorted within each document
    # The mean of the two middle values (the same one twice for an odd count), as np.median takes it.
    return (ranked[starts + (sizes - 1) // 2] + ranked[starts + sizes // 2]) / 2
