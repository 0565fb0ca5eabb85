"""Split a document into lines and put kept lines back together, byte for byte.

A line ends at "\\r\\n", "\\n", a lone "\\r" (old Mac files, some scrapers) or a Unicode line
or paragraph separator (U+2028, U+2029, text taken from JavaScript). Each line keeps its ending,
so documents come back as they were. Whitespace-only lines are layout.
"""
from __future__ import annotations

import re
from typing import NamedTuple


_BREAKS = "\n\r\u2028\u2029"  # each ends a line; "\r\n" ends one too
_LINE_BREAK = re.compile(f"(\r\n|[{_BREAKS}])")
_ANY_BREAK = re.compile(f"[{_BREAKS}]")
_OTHER_BREAKS = re.compile(f"[{_BREAKS[1:]}]")  # any but "\n", which str.split handles alone


class Line(NamedTuple):
    """One line of a document: its text (no line ending) and the ending that followed it."""

    text: str
    ending: str  # "\n", "\r\n", "\r", "\u2028", "\u2029", or "" for a last line with no line break

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


def split_lines(document: str) -> list[Line]:
    """Split a document into lines, keeping each line's ending.

    >>> [(l.text, l.ending) for l in split_lines("a\\r\\n\\nb")]
    [('a', '\\r\\n'), ('', '\\n'), ('b', '')]
    >>> [(l.text, l.ending) for l in split_lines("a\\rb\\u2028c\\r")]
    [('a', '\\r'), ('b', '\\u2028'), ('c', '\\r')]
    >>> split_lines("")
    []
    """
    if not document:
        return []
    if _OTHER_BREAKS.search(document) is None:  # the common case, at the speed of str.split
        pieces = document.split("\n")
        endings = ["\n"] * (len(pieces) - 1)
    else:
        parts = _LINE_BREAK.split(document)
        pieces, endings = parts[0::2], parts[1::2]
    final = pieces.pop()  # what follows the last line break: empty when the document ends with one
    lines = [Line(piece, ending) for piece, ending in zip(pieces, endings)]
    if final:
        lines.append(Line(final, ""))
    return lines


def holds_line_break(text: str) -> bool:
    """Whether split_lines would split the text.

    >>> holds_line_break("one line"), holds_line_break("two\\rlines")
    (False, True)
    """
    return _ANY_BREAK.search(text) is not None


def join_lines(lines: list[Line], kept: list[bool], cuts: dict[int, str] | None = None) -> str:
    """Rebuild a document from its kept lines.

    Blank lines are layout: a run of blanks is kept when it sits between two kept
    lines and no other run was kept since the last kept line; blanks that removal
    leaves leading, trailing or doubled are dropped. Blank lines that were already
    leading or trailing in the input stay when the line next to them stays.
    ``cuts`` maps a line index to the shorter text that replaces it (glued junk).

    >>> doc = split_lines("A\\n\\nJUNK\\n\\nB\\n")
    >>> join_lines(doc, [True, True, False, True, True])
    'A\\n\\nB\\n'
    >>> join_lines(split_lines("A\\nJUNK"), [True, False])
    'A'
    """
    cuts = cuts or {}
    nonblank = [i for i, line in enumerate(lines) if not line.is_blank]
    kept_nonblank = [i for i in nonblank if kept[i]]
    if not kept_nonblank:
        return ""
    last = kept_nonblank[-1]
    first_nonblank, last_nonblank = nonblank[0], nonblank[-1]

    out: list[tuple[str, str]] = []
    blank_run: list[int] = []
    blank_since_kept = False  # a blank run was already emitted after the last kept line
    seen_kept = False
    for i, line in enumerate(lines):
        if line.is_blank:
            blank_run.append(i)
            continue
        if blank_run:
            between_kept = seen_kept and not blank_since_kept and i <= last
            originally_leading = not seen_kept and i == first_nonblank and kept[i]
            if (between_kept or originally_leading) and not _joins_lone_cr(out, lines[blank_run[0]]):
                out.extend((lines[j].text, lines[j].ending) for j in blank_run)
                blank_since_kept = True
            blank_run = []
        if kept[i]:
            out.append((cuts.get(i, line.text), line.ending))
            seen_kept = True
            blank_since_kept = False
    if blank_run and last == last_nonblank and not _joins_lone_cr(out, lines[blank_run[0]]):
        out.extend((lines[j].text, lines[j].ending) for j in blank_run)  # original trailing blanks

    text = "".join(t + e for t, e in out)
    if not lines[-1].ending and out[-1][1]:
        # The input had no final newline: neither does the output.
        text = text[: len(text) - len(out[-1][1])]
    return text


def _joins_lone_cr(out: list[tuple[str, str]], blank: Line) -> bool:
    """Whether a blank line put after ``out`` would make one "\\r\\n" of a lone "\\r" and its "\\n".

    Only removal brings the two together; the run of blanks goes then, so that the text reads
    back with the lines it was written with (a blank with spaces in it keeps them apart).
    """
    return bool(out) and out[-1][1] == "\r" and not blank.text and blank.ending.startswith("\n")


# Lower- and upper-case letters of the Latin-1 and Cyrillic alphabets: sites in other
# languages glue their own furniture on ("staking.Теги: Ethereum").
_LOWER = "a-zß-öø-ÿа-яё"
_UPPER = "A-ZÀ-ÖØ-ÞА-ЯЁ"
# A sentence end glued to the next sentence with no space: "turbulence.Solana". A closing
# quote after the stop belongs to the sentence it closes: 'streams."Disclaimer'.
_GLUED = re.compile(rf"(?<=[{_LOWER}0-9\)\]”\"’%])(?:[.!?]+|…)([”’\"]?)(?=[{_UPPER}“\"‘$#])")
# What every such join holds: a stop, maybe a quote, a capital. Opening with a set of characters, it is
# found by a fast scan, which spares most lines the slower pattern above.
_GLUED_HINT = re.compile(rf"[.!?…][”’\"]?[{_UPPER}“\"‘$#]")


def glued_boundaries(text: str) -> list[int]:
    """Offsets where a sentence ends and the next one starts with no space between.

    >>> glued_boundaries("It held.Solana rose..")
    [8]
    >>> glued_boundaries("Prix réduits.Теги: Bitcoin")
    [13]
    >>> glued_boundaries("The U.S. rose 2.5% in Q1.")
    []
    >>> glued_boundaries('He said "it held."Solana rose.It held."Buy now"')
    [18, 30, 38]
    """
    ends = []
    if not _GLUED_HINT.search(text):
        return ends
    for match in _GLUED.finditer(text):
        quote = match.start(1)
        # A straight quote closes a sentence only when an odd number of them come before it;
        # otherwise it opens the next one.
        opens = match.group(1) == '"' and text.count('"', 0, quote) % 2 == 0
        ends.append(quote if opens else match.end())
    return ends


def glued_seams(text: str, punkt=None) -> list[int]:
    """The glued boundaries of a line that a sentence splitter confirms.

    Each missing space is put back and ``punkt`` (a trained ``nltk`` PunktSentenceTokenizer)
    is asked whether a sentence starts there; its learned abbreviations and casing keep
    "Acme Corp.Bitcoin"-like joins whole when the data says "corp." does not end sentences.
    Without a splitter every glued boundary is a seam.

    >>> glued_seams("Prices held.Join the presale now!")
    [12]
    """
    seams = glued_boundaries(text)
    if punkt is None or not seams:
        return seams
    spaced = "".join(text[a:b] + " " for a, b in zip([0, *seams], seams)) + text[seams[-1] :]
    starts = {start for start, _ in punkt.span_tokenize(spaced)}
    # The n-th seam moved right by the n spaces put back before and at it.
    return [seam for n, seam in enumerate(seams, 1) if seam + n in starts]


# A site's field label opening a sentence: "Tags: ", "Source: ", "Image credit: ", "Disclaimer: ".
_FIELD = re.compile(r"[^\W\d_][\w'’&.-]*(?: [\w'’&.-]+){0,2}:\s")
# A sentence's last mark, perhaps with a closing quote; not the ".." of a truncated teaser.
_SENTENCE_END = re.compile(r"(?<!\.)[.!?][\"'”’»]?$")


def opens_with_field(text: str) -> bool:
    """Whether a sentence opens with a label of up to three words and a colon, as a site's fields do.

    >>> opens_with_field("Tags: Bitcoin, ETF"), opens_with_field("Image credit: Reuters")
    (True, True)
    >>> opens_with_field("He said: no"), opens_with_field("At 10:30 the market opened.")
    (True, False)
    """
    return bool(_FIELD.match(text))


def ends_like_a_sentence(text: str) -> bool:
    """Whether a text ends as prose does: with ".", "!" or "?" (and perhaps a closing quote), not ".." or "…".

    >>> ends_like_a_sentence("Don't hold your breath."), ends_like_a_sentence("He asked: “Why?”")
    (True, True)
    >>> ends_like_a_sentence("Written by"), ends_like_a_sentence("Ether slides as the queue grows..")
    (False, False)
    """
    return bool(_SENTENCE_END.search(text.rstrip()))


def spaced_seams(text: str, punkt) -> list[int]:
    """Where a sentence that ``punkt`` finds starts after a space: the junk glued on with one.

    >>> from nltk.tokenize.punkt import PunktSentenceTokenizer
    >>> spaced_seams("Prices held. Join the presale now!", PunktSentenceTokenizer())
    [13]
    """
    return [start for start, _ in punkt.span_tokenize(text) if start > 0 and text[start - 1].isspace()]
