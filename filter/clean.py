"""Cleaning: classify every line of a document, then keep the editorial ones byte for byte.

The pipeline reads in three steps: split the document into lines (segment),
score every non-blank line in context (model), rebuild the text from the lines
that stay (segment.join_lines). Glued junk, a junk line stuck to the end of an
editorial line, is cut at the join when the model reads what follows it as junk.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple

if TYPE_CHECKING:  # numpy and scikit-learn load with the model, not with the package
    import numpy as np

from .labels import JUNK_LABELS, LABELS, Label
from .scripts import DEFAULT_SCRIPTS, unread_script
from .segment import (
    Line, ends_like_a_sentence, glued_seams, join_lines, opens_with_field, spaced_seams, split_lines,
)

#: A glued tail is cut when it reads more like junk than not on its own (stage one). Long junk tails
#: (a disclaimer's several sentences, an author bio) read only 0.55-0.75 alone: at 0.65 whether they
#: were cut swung with the training draw...
GLUE_ALONE = 0.5
#: ...and its junk score in context reaches this. It is below the line threshold because a
#: missing space is itself a sign that two lines were joined. A tail that reads as junk in context
#: as surely as a line must to go (the threshold) is cut however it reads alone: as a line of its
#: own it would have gone (another story's headline and first sentence read 0.3-0.4 alone).
GLUE_CONTEXT = 0.75
#: A junk line keeps its glued-on head only when the head's junk score read alone stays below this.
GLUE_HEAD_ALONE = 0.5
#: A glued line's head is the article's last sentence or more: at least this many words.
GLUE_MIN_HEAD_WORDS = 3
#: A line being removed keeps its head before a sentence that starts after a space only when the head's
#: junk score in context stays below this...
SPACED_HEAD_CONTEXT = 0.2
#: ...and read alone below this (strict: the last seam whose head passes is taken, and a head that
#: carries a junk sentence reads 0.3-0.5)...
SPACED_HEAD_ALONE = 0.3
#: ...and the tail's junk score alone reaches this. A junk paragraph of several sentences reads only
#: 0.7-0.9 alone; below this the whole line goes, the article's last sentence with it.
SPACED_TAIL_ALONE = 0.7
#: The article's last line, when it stays, loses a sentence after a space only when that sentence, split
#: off as a line of its own, reads as junk in context as surely as a line must to go (the threshold), and
#: either opens as a site's field ("Tags: …", "Source: …", "Disclaimer: …") and reads SPACED_TAIL_ALONE
#: junk on its own, or reads as junk on its own as surely as the threshold (and at least this). Cutting a
#: line that stays alters it, so the bar is higher than for a line being removed: a notice's closing
#: "For more information, see our FAQ." reads 0.95 alone and is the notice's own text.
SPACED_KEPT_TAIL_ALONE = 0.9
#: ...and a tail that ends like a sentence must read at least this junk alone. That is the shape of the
#: article's own closing words, and an editorial idiom can read as a call to action: "Don't hold your
#: breath." reads 0.97 alone. Junk cut from such lines is mostly unpunctuated furniture ("Written by",
#: "Secure your spot") or fields, which keep their own bar.
SPACED_KEPT_SENTENCE_ALONE = 0.99
#: Only the last seams of a line are tried.
GLUE_MAX_SEAMS = 8
#: Documents scored per model call in clean_many.
BATCH_SIZE = 64
#: Cleaning repeats on its own output until nothing more goes (so clean(clean(x)) == clean(x));
#: two passes settle almost every document, the cap bounds adversarial ones.
MAX_PASSES = 8


@dataclass(frozen=True)
class Options:
    """How to clean. ``threshold`` None means the model's own; ``keep`` lists junk labels to keep.

    ``repeats``: clean_many and classify_many remove a line that an earlier document of the same
    call printed too, from a far lower junk score (see filter.repeats). Off, each document is
    cleaned as if alone.
    """

    threshold: float | None = None
    keep: frozenset[Label] = field(default_factory=frozenset)
    split_glued: bool = True
    repeats: bool = False


@dataclass(frozen=True)
class LineResult:
    """The decision on one non-blank line of a document."""

    line: int  # index among all lines of the document, blank ones included
    text: str
    label: Label
    score: float  # probability of the label
    junk: float  # probability that the line is junk of any kind
    kept: bool
    reason: str = ""
    cut_at: int | None = None  # glued junk: the line keeps text[:cut_at]
    cut_label: Label | None = None
    cut_score: float | None = None

    @property
    def kept_text(self) -> str:
        """What of the line stays in the output: all of it, its head before a glued cut, or nothing."""
        return self.text[: self.cut_at] if self.kept else ""

    def to_dict(self) -> dict:
        out = asdict(self)
        out["label"] = self.label.value
        out["cut_label"] = self.cut_label.value if self.cut_label else None
        out["score"] = round(self.score, 4)
        out["junk"] = round(self.junk, 4)
        if self.cut_score is not None:
            out["cut_score"] = round(self.cut_score, 4)
        return out


class Cleaner:
    """Removes ads, teasers, calls to action and boilerplate from scraped articles.

    >>> cleaner = Cleaner.load()
    >>> cleaner.clean("Bitcoin rose 3% on Monday as ETF inflows returned.\\nJoin Now")
    'Bitcoin rose 3% on Monday as ETF inflows returned.'
    """

    def __init__(self, bundle: dict, card: dict, options: Options = Options()):
        self.model = bundle["model"]
        self.punkt = bundle.get("punkt")
        self.card = card
        self.options = options
        # Scripts the model has read articles in; a model whose card does not say read English ones.
        self.scripts = frozenset(card.get("editorial_scripts", DEFAULT_SCRIPTS))
        self._explainer = None

    @classmethod
    def load(cls, path: str | Path | None = None, *, trusted: bool = False, options: Options | None = None) -> "Cleaner":
        """Load the shipped model, or a model file (or its directory) you trust."""
        from .store import load

        bundle, card = load(path, trusted=trusted)
        return cls(bundle, card, options or Options())

    def with_options(self, **changes) -> "Cleaner":
        """A cleaner sharing this model with some options changed."""
        other = Cleaner.__new__(Cleaner)
        other.__dict__.update(self.__dict__)
        other.options = replace(self.options, **changes)
        return other

    @property
    def threshold(self) -> float:
        return self.options.threshold if self.options.threshold is not None else float(self.model.threshold_)

    # -- public API -------------------------------------------------------
    def clean(self, text: str) -> str:
        """Return the document without its junk lines; a document with no junk comes back unchanged.

        The result is a fixed point: cleaning it again changes nothing.
        """
        return next(self.clean_many([text]))

    def classify(self, text: str) -> list[LineResult]:
        """Label every non-blank line of a document, with its score and the reason for it."""
        return self._decide([text], explain=True)[0][1]

    def clean_many(self, texts: Iterable[str], batch_size: int = BATCH_SIZE, n_jobs: int = 1) -> Iterator[str]:
        """Clean documents lazily, in input order; yields one cleaned text per input.

        Documents are scored in batches. ``n_jobs`` > 1 cleans batches in that many worker
        processes (0 or less: all cores), each loading the model once. With the ``repeats``
        option, lines printed by earlier documents of this call are remembered in this process,
        in input order, so the output is the same for any batch size and number of workers.
        """
        return self._many(texts, batch_size, n_jobs, explain=False)

    def classify_many(
        self, texts: Iterable[str], batch_size: int = BATCH_SIZE, n_jobs: int = 1
    ) -> Iterator[list[LineResult]]:
        """classify() for many documents, lazily and in input order, like clean_many."""
        return self._many(texts, batch_size, n_jobs, explain=True)

    def _many(self, texts: Iterable[str], batch_size: int, n_jobs: int, explain: bool) -> Iterator:
        from itertools import chain

        from .parallel import available_cores, batches, run_parallel
        from .repeats import SeenLines

        n_jobs = available_cores() if n_jobs <= 0 else n_jobs
        stream = batches(texts, batch_size)
        if self.options.repeats:
            seen = SeenLines()
            stream = ((batch, seen.mark(batch)) for batch in stream)
        else:
            stream = ((batch, None) for batch in stream)
        first = next(stream, ([], None))
        second = next(stream, None) if n_jobs > 1 else None
        if second is not None:  # more than one batch: worth starting workers
            yield from run_parallel(self, chain([first, second], stream), n_jobs, explain)
            return
        for batch, repeated in chain([first], stream):
            if not batch:
                continue
            if explain:
                yield from self._classify_batch(batch, repeated)
            else:
                yield from self._clean_batch(batch, repeated)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_explainer": None}  # workers rebuild the explainer when asked

    # -- pipeline ---------------------------------------------------------
    def _clean_batch(self, texts: list[str], repeated: list[frozenset[str]] | None = None) -> list[str]:
        decided = self._decide(texts, explain=False, repeated=repeated)
        return [rebuild(text, lines, results) for text, (lines, results) in zip(texts, decided)]

    def _classify_batch(self, texts: list[str], repeated: list[frozenset[str]] | None = None) -> list[list[LineResult]]:
        return [results for _, results in self._decide(texts, explain=True, repeated=repeated)]

    def _decide(
        self, texts: list[str], explain: bool, repeated: list[frozenset[str]] | None = None
    ) -> list[tuple[list[Line], list[LineResult]]]:
        """Decide every non-blank line, looking again at what is left until nothing more goes.

        Removing junk changes the context of the lines that stay, so a second look can find
        more. Repeating until a pass removes and cuts nothing makes the output a fixed point:
        cleaning it again changes nothing. Each removed line keeps the decision of the pass
        that removed it; kept lines keep the last pass's. ``repeated`` holds, per document,
        the (normalized) lines earlier documents printed too (SeenLines.mark).
        """
        for text in texts:
            if not isinstance(text, str):  # None or NaN from a table's missing cell, bytes not decoded
                raise TypeError(f"a document must be str, not {type(text).__name__}")
        # Which kind of junk a line is changes the output only when some kind is kept.
        kinds = explain or bool(self.options.keep)
        documents = [split_lines(text) for text in texts]
        current = [{i: line.text for i, line in enumerate(lines) if not line.is_blank} for lines in documents]
        final: list[dict[int, LineResult]] = [{} for _ in texts]
        cuts: list[dict[int, LineResult]] = [{} for _ in texts]
        unread = [self.unread_script(text) for text in texts]
        pending = list(range(len(texts)))
        for _ in range(MAX_PASSES):
            alive = [list(current[d]) for d in pending]
            scored = self.model.score([[current[d][i] for i in idx] for d, idx in zip(pending, alive)], kinds=kinds)
            decided = [
                [
                    LineResult(i, current[d][i], label, score, junk, not label.is_junk or label in self.options.keep)
                    for i, (label, score, junk) in zip(idx, self._labels(doc_scores.proba))
                ]
                for d, idx, doc_scores in zip(pending, alive, scored)
            ]
            if repeated is not None:
                decided = [self._drop_repeated(results, repeated[d], doc_scores)
                           for d, results, doc_scores in zip(pending, decided, scored)]
            if self.options.split_glued:
                self._cut_glued(decided, kinds)
            if explain:
                decided = [self._explain(results, doc_scores) for results, doc_scores in zip(decided, scored)]
                if repeated is not None:
                    decided = [[_note_repeated(r, self.threshold) for r in results] for results in decided]
            decided = [_keep_unread(results, self.scripts) if unread[d] else results for d, results in zip(pending, decided)]
            decided = [_never_empty(results) for results in decided]
            still = []
            for d, results in zip(pending, decided):
                changed = False
                for r in results:
                    final[d][r.line] = r
                    if not r.kept:
                        del current[d][r.line]
                        changed = True
                    elif r.cut_at is not None:
                        current[d][r.line] = r.kept_text
                        cuts[d][r.line] = r
                        changed = True
                if changed:
                    still.append(d)
            pending = still
            if not pending:
                break
        out = []
        for lines, decisions, cut in zip(documents, final, cuts):
            results = []
            for i in sorted(decisions):
                r = decisions[i]
                if r.kept and i in cut:  # a line cut in an earlier pass keeps that cut
                    first = cut[i]
                    r = replace(r, cut_at=r.cut_at if r.cut_at is not None else len(r.text),
                                cut_label=r.cut_label or first.cut_label, cut_score=r.cut_score or first.cut_score)
                results.append(r if r.text == lines[i].text else replace(r, text=lines[i].text))
            out.append((lines, results))
        return out

    def unread_script(self, text: str) -> str | None:
        """The script most of the text is written in, when the model has read no article in it."""
        return unread_script(text, self.scripts)

    def _drop_repeated(self, results: list[LineResult], repeated: frozenset[str], scored) -> list[LineResult]:
        """Label as junk the lines that earlier documents printed too, from REPEAT_FLOOR on.

        A document most of whose long lines that read as editorial were printed before is a copy
        of an earlier one (a page crawled twice), and is left as it is. Copies of a line in one
        document go together, by the copy that reads most like editorial: a page printed twice
        holds its article's opening twice, and when that opening was an earlier page's story card,
        the copy at the top still reads as the article it is. ``scored`` is the model's reading of
        the lines (model.Scored): their normalized texts, as SeenLines keeps them, and scores.
        """
        from .repeats import COPY_SHARE, REPEAT_FLOOR, REPEAT_MIN_CHARS

        if not repeated:
            return results
        keys = scored.texts
        reading = [key for key, r in zip(keys, results) if r.junk < REPEAT_FLOOR and len(key) >= REPEAT_MIN_CHARS]
        if sum(key in repeated for key in reading) > COPY_SHARE * len(reading):
            return results
        lowest: dict[str, float] = {}
        for key, r in zip(keys, results):
            if key in repeated:
                lowest[key] = min(r.junk, lowest.get(key, 1.0))
        out = []
        for row, (key, r) in enumerate(zip(keys, results)):
            if r.label is Label.EDITORIAL and lowest.get(key, 0.0) >= REPEAT_FLOOR:
                kind, kind_score = _junk_kind(scored.proba[row])
                r = replace(r, label=kind, score=kind_score, kept=kind in self.options.keep)
            out.append(r)
        return out

    def _explain(self, results: list[LineResult], scored) -> list[LineResult]:
        from .explain import Explainer

        if self._explainer is None:
            self._explainer = Explainer(self.model)
        return self._explainer.annotate(results, scored)

    def _labels(self, proba: np.ndarray) -> list[tuple[Label, float, float]]:
        """Label, its probability and the junk score of each row of label probabilities.

        A line is junk from the threshold on, and then the most likely kind of junk.
        """
        editorial = LABELS.index(Label.EDITORIAL)
        junk = 1.0 - proba[:, editorial]
        threshold = self.threshold
        return [
            (kind, kind_score, j) if j >= threshold else (Label.EDITORIAL, e, j)
            for j, (kind, kind_score), e in zip(junk.tolist(), _junk_kinds(proba), proba[:, editorial].tolist())
        ]

    def _label(self, proba: np.ndarray) -> tuple[Label, float, float]:
        return self._labels(proba[None, :])[0]

    def _cut_glued(self, decided: list[list[LineResult]], kinds: bool = True) -> None:
        """Find lines that end in glued junk and mark where to cut them.

        A scraper that glues a junk line onto the article's last line leaves one line where
        there were two, often with no space at the join ("turbulence.Solana"). Each such seam
        is tried: the document is scored again with the line split there, so the tail is read
        as the line it once was, with its neighbours.

        A sentence after a space is the site's own paragraph as often as it is junk (an inline
        "Read more:", a teaser's second sentence), so those seams are tried only where glued
        junk sits: in the article's last line, whether it is being removed with everything below
        it or stays as the last line kept, or in a line that stays right above one that goes (the
        article's last line when junk further down was missed and stays too). Cutting there saves
        the article text at its head, which must read as editorial beyond doubt, while the tail
        reads as junk on its own. A teaser paragraph among other teasers is never cut, so lines
        are not altered; nor is a line that stays cut before a teaser (a paragraph's own "Read
        more:" link stays with it).
        """
        candidates = []
        for d, results in enumerate(decided):
            last_kept = max((k for k, r in enumerate(results) if r.kept), default=-1)
            for k, result in enumerate(results):
                if result.label in self.options.keep:
                    continue
                seams = [(at, False) for at in glued_seams(result.text, self.punkt)]
                # The article's last line: removed, the line above it stays and none below does;
                # or a line that stays with none below it, or with a line that goes right below it.
                ends_the_article = not result.kept and k > last_kept and k > 0 and results[k - 1].kept
                above_junk = result.kept and (k == last_kept or not results[k + 1].kept)
                if self.punkt is not None and (ends_the_article or above_junk):
                    seams += [(at, True) for at in spaced_seams(result.text, self.punkt)]
                for at, spaced in sorted(seams)[-GLUE_MAX_SEAMS:]:
                    if len(result.text[:at].split()) < GLUE_MIN_HEAD_WORDS:
                        continue  # "Bc.Game", "Crypto.News": a name, not an article's last sentence
                    candidates.append((d, k, at, spaced))
        if not candidates:
            return
        # A seam after a space is first tested on its two parts read alone: scoring a document again
        # costs far more, and those tests rule out most such seams. Every seam without a space is
        # scored in context (the parts' scores alone still count below).
        heads = [decided[d][k].text[:at].rstrip() for d, k, at, _ in candidates]
        tails = [decided[d][k].text[at:] for d, k, at, _ in candidates]
        alone = self.model.junk_alone(heads + tails).tolist()
        heads_alone, tails_alone = alone[: len(heads)], alone[len(heads) :]
        variants, where, doc_texts = [], [], {}
        for (d, k, at, spaced), head, tail, head_alone, tail_alone in zip(candidates, heads, tails, heads_alone, tails_alone):
            if spaced:
                # A field opener on a line that stays is still held to the threshold in context below.
                if not decided[d][k].kept or opens_with_field(tail):
                    gate = SPACED_TAIL_ALONE
                elif ends_like_a_sentence(tail):
                    gate = max(self.threshold, SPACED_KEPT_SENTENCE_ALONE)
                else:
                    gate = max(self.threshold, SPACED_KEPT_TAIL_ALONE)
                if head_alone >= SPACED_HEAD_ALONE or tail_alone < gate:
                    continue
            if d not in doc_texts:  # once per document, however many of its seams are tried
                doc_texts[d] = [r.text for r in decided[d]]
            texts = doc_texts[d]
            variants.append(texts[:k] + [head, tail] + texts[k + 1 :])
            where.append((d, k, at, spaced, head_alone, tail_alone))
        if not variants:
            return
        editorial = LABELS.index(Label.EDITORIAL)
        tried: dict[tuple[int, int], list[_Seam]] = {}
        for (d, k, at, spaced, head_alone, tail_alone), doc_scores in zip(where, self.model.score(variants, kinds=kinds)):
            seam = _Seam(at, spaced, doc_scores.proba[k], doc_scores.proba[k + 1], head_alone, tail_alone)
            if spaced and 1.0 - seam.head[editorial] >= SPACED_HEAD_CONTEXT:
                continue
            tail_junk = 1.0 - seam.tail[editorial]
            if decided[d][k].kept and tail_junk < self.threshold:
                # A line that stays is cut before a tail that would go as a line of its own, or, with no
                # space at the join, that reads as junk on its own too.
                if spaced or tail_alone < GLUE_ALONE:
                    continue
            if tail_junk >= GLUE_CONTEXT:
                tried.setdefault((d, k), []).append(seam)

        def fit(seam: _Seam) -> float:
            return _log(seam.head[editorial]) + _log(1.0 - seam.tail[editorial])

        for (d, k), seams in tried.items():
            # Without a space the seam is where the line reads most like editorial text followed
            # by junk: before it the tail still carries article text, after it the head already
            # carries junk. After a space, a tail holding the article's last sentences still reads
            # as junk, so the last seam with a sure editorial head is taken.
            unspaced = [seam for seam in seams if not seam.spaced]
            seam = max(unspaced, key=fit) if unspaced else max(seams, key=lambda seam: seam.at)
            label, score = _junk_kind(seam.tail)  # sure enough to cut, even below the line threshold
            line = decided[d][k]
            if label in self.options.keep or (line.kept and seam.spaced and label is Label.TEASER):
                continue
            if not line.kept:
                # A removed line is kept for its head only when the head reads as editorial
                # in context and on its own.
                head_label, head_score, head_junk = self._label(seam.head)
                if head_label.is_junk or seam.head_alone >= GLUE_HEAD_ALONE:
                    continue
                line = replace(line, label=head_label, score=head_score, junk=head_junk, kept=True)
            cut_at = len(line.text[: seam.at].rstrip())
            decided[d][k] = replace(line, cut_at=cut_at, cut_label=label, cut_score=score)


class _Seam(NamedTuple):
    """One place a line was split, and how its two parts scored."""

    at: int  # where the tail starts
    spaced: bool  # a space comes before it
    head: np.ndarray  # label probabilities in context
    tail: np.ndarray
    head_alone: float  # junk scores of each part read alone
    tail_alone: float


#: The probability columns of the junk labels, in JUNK_LABELS order.
_JUNK_COLUMNS = [LABELS.index(label) for label in JUNK_LABELS]


def _junk_kinds(proba: np.ndarray) -> list[tuple[Label, float]]:
    """The most likely kind of junk of each row of label probabilities, and its probability."""
    scores = proba[:, _JUNK_COLUMNS]
    best = scores.argmax(axis=1)  # the first of equals
    return [(JUNK_LABELS[b], s) for b, s in zip(best.tolist(), scores.max(axis=1).tolist())]


def _junk_kind(proba: np.ndarray) -> tuple[Label, float]:
    """_junk_kinds of one row."""
    return _junk_kinds(proba[None, :])[0]


def _log(p: float) -> float:
    return math.log(max(p, 1e-9))


def _note_repeated(r: LineResult, threshold: float) -> LineResult:
    """Say why a line scoring below the threshold is junk: only a repeat is (see _drop_repeated)."""
    if not r.label.is_junk or r.junk >= threshold:
        return r
    note = "printed in an earlier document"
    return replace(r, reason=f"{r.reason}; {note}" if r.reason else note)


def _never_empty(results: list[LineResult]) -> list[LineResult]:
    """Keep a document whose every line scores as junk as it is.

    A page that is all junk is rare; an article scored wrongly from end to end (a
    one-line brief has no context to go on) is not, and emptying it would lose it
    silently. Junk left in is the lesser failure.
    """
    if not results or any(r.kept for r in results):
        return results
    note = "kept: removing it would empty the document"
    return [replace(r, kept=True, reason=f"{r.reason}; {note}" if r.reason else note) for r in results]


def _keep_unread(results: list[LineResult], scripts: frozenset[str]) -> list[LineResult]:
    """In a document written mostly in a script the model has read no article in, keep every line
    in such a script whole: the model cannot tell that script's articles from its furniture.

    Its lines in scripts the model knows (an English presale tail under a Russian article) and
    lines without letters are still decided as usual.
    """
    out = []
    for r in results:
        script = unread_script(r.text, scripts) if not r.kept or r.cut_at is not None else None
        if script:
            note = f"kept: written in {script}, a script the model has read no article in"
            r = replace(r, kept=True, cut_at=None, cut_label=None, cut_score=None,
                        reason=f"{r.reason}; {note}" if r.reason else note)
        out.append(r)
    return out


def rebuild(text: str, lines: list[Line], results: list[LineResult]) -> str:
    """The cleaned text: the input itself when nothing is removed or cut."""
    if all(r.kept and r.cut_at is None for r in results):
        return text
    kept = [True] * len(lines)
    cuts = {}
    for r in results:
        kept[r.line] = r.kept
        if r.kept and r.cut_at is not None:
            cuts[r.line] = r.kept_text
    return join_lines(lines, kept, cuts)
