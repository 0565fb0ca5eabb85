"""Lines a stream of documents has printed before: a site's furniture.

A site prints the same disclaimer, author bio, casino banner and row of related-story
summaries under article after article, and a crawl holds many articles of each site.
Read alone or in its article, such a line can look like prose; printed word for word
in earlier documents of the stream, it is most likely furniture. Cleaning with
``Options(repeats=True)`` remembers the lines of the documents it has cleaned, and a
line seen in an earlier document goes as soon as the model gives it a fair chance of being
junk (REPEAT_FLOOR), where a line seen once must reach the model's own threshold.

Four things keep an article's own lines safe. The model must already see a fair chance
of junk (a newsroom that reuses a background paragraph word for word scores it as
editorial, near 0). Short lines ("Conclusion", "What's next?") are not remembered. A document
most of whose lines that read as editorial were seen before is a copy of an earlier one
(a page crawled twice, a syndicated story), where repetition says nothing about any
line. And copies of a line within one document go together, by the copy that reads most
like editorial (see Cleaner._drop_repeated). Both read the lines' scores, not which of
them went, so the output of a stream, cleaned again, stays as it is; but a document judged
a copy can be judged otherwise once the earlier copies have lost lines.

Only earlier documents count, so a stream is cleaned in one pass, in order, and
each document's output depends on the documents before it, never after.
"""
from __future__ import annotations

from collections import OrderedDict

from .features import normalize
from .segment import split_lines

#: A line seen in an earlier document goes from this junk score on. An article's own prose, reused
#: word for word by its newsroom, reads near 0; a site's related-story summaries read 0.1-0.6 under
#: each article. On the test split, with the models of four seeds, 0.5 down to 0.2 removes 0.9-1.4
#: points more junk, and one of the four models loses one more of the 2,179 editorial lines; 0.1 loses more.
REPEAT_FLOOR = 0.2
#: Lines shorter than this (normalized) are neither remembered nor removed as repeats.
REPEAT_MIN_CHARS = 40
#: A document with more than this share of its long lines that read as editorial seen before is a copy.
COPY_SHARE = 0.5
#: Lines remembered at most; the least recently seen are forgotten first.
MEMORY_LINES = 100_000


class SeenLines:
    """The lines of the documents seen so far in one stream, each kept as its hash.

    Python's string hash is 64 bits: two lines of a stream share one far too rarely to matter,
    and a hash costs a fifth of a digest.

    >>> seen = SeenLines()
    >>> bio = "Mara Lind covers derivatives and spot ETFs for the markets desk."
    >>> seen.mark(["Bitcoin rose 3% on Monday as inflows returned to the funds.\\n" + bio])
    [frozenset()]
    >>> seen.mark(["Ether fell 2% on Tuesday as the upgrade was delayed once more.\\n" + bio]) == [frozenset({bio})]
    True
    """

    def __init__(self, limit: int = MEMORY_LINES):
        self.limit = limit
        self._lines: OrderedDict[int, None] = OrderedDict()  # in order of last seen

    def mark(self, texts: list[str]) -> list[frozenset[str]]:
        """For each document in order, its (normalized) lines seen in an earlier document; then
        remember its lines."""
        return [self._mark(text) for text in texts]

    def _mark(self, text: str) -> frozenset[str]:
        # In line order, not a set's: which lines are forgotten first must not vary from run to run.
        lines = (normalize(line.text) for line in split_lines(text))
        hashes = {key: hash(key) for key in lines if len(key) >= REPEAT_MIN_CHARS}
        seen = frozenset(key for key, hashed in hashes.items() if hashed in self._lines)
        for hashed in hashes.values():
            self._lines[hashed] = None
            self._lines.move_to_end(hashed)
        while len(self._lines) > self.limit:
            self._lines.popitem(last=False)
        return seen
