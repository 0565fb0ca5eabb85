"""The line classifier: stage one reads each line alone, stage two reads it in its document.

Stage one is a logistic-loss linear model (SGD) over hashed words, character n-grams and shape.
Stage two is a gradient-boosted tree model over stage one's scores for the line
and its neighbours, its position, and how much it shares with the article; it is
trained on out-of-fold stage-one scores so it learns how far to trust them. It
decides junk or not; a second, smaller tree model says which kind of junk. Copies of
a line in one document that all lean junk are then decided as one.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterator

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold
from threadpoolctl import ThreadpoolController

from .features import SHAPE_NAMES, LineFeatures, context_names, context_rows, normalize, shape_rows
from .labels import LABELS, Label

EDITORIAL = LABELS.index(Label.EDITORIAL)
#: Editorial lines the threshold may sacrifice on out-of-fold training scores.
EDITORIAL_LOSS_BUDGET = 0.002
#: Distinct lines whose context-free scores are kept in memory (a few hundred bytes each).
LINE_CACHE_SIZE = 50_000
#: ...and no longer than this, so the cache stays within tens of megabytes whatever the input.
CACHED_LINE_CHARS = 1_000
#: Characters read alone at once. Each line's n-grams take about 250 bytes per character while it is
#: read; lines are independent, so reading a batch in runs of this size bounds that memory without
#: changing a score (a batch holding one document of several megabytes would otherwise take gigabytes).
READ_CHUNK_CHARS = 250_000
THRESHOLD_RANGE = (0.5, 0.97)
#: Folds of the cross-validation that gives stage two its stage-one scores; each needs a document.
FOLDS = 5
#: From this junk score on, the kind model (not stage one) says which kind of junk a line is.
KINDS_FROM = 0.5
#: Copies of a line in one document that all read at least this much like junk are decided as one.
COPIES_AGREE_FROM = 0.5
#: ...when they are at least this long: the lines of a flattened table ("India: 11") repeat on a page
#: scraped twice and read half junk, while sure junk as short ("Share", "Sign up") goes on its own anyway.
COPIES_MIN_LENGTH = 40


@dataclass
class Scored:
    """Stage scores of one document's non-blank lines."""

    texts: list[str]  # normalized
    shapes: np.ndarray
    stage1: np.ndarray  # (lines, labels) probabilities from the line alone
    proba: np.ndarray  # (lines, labels) probabilities in context
    context: np.ndarray  # (lines, context features): what stage two read


class LineModel:
    """Classify the non-blank lines of documents into the five labels."""

    def __init__(self, alpha: float = 3e-5, folds: int = FOLDS, seed: int = 0, max_iter: int = 50):
        self.alpha = alpha
        self.folds = folds
        self.seed = seed
        self.max_iter = max_iter

    # -- training ---------------------------------------------------------
    def fit(self, documents: list[list[str]], labels: list[list[Label]]) -> "LineModel":
        """Fit both stages on documents given as lists of non-blank lines with their labels."""
        texts = [normalize(t) for doc in documents for t in doc]
        y = np.array([LABELS.index(label) for doc in labels for label in doc])
        groups = np.repeat(np.arange(len(documents)), [len(doc) for doc in documents])
        exact_shapes = shape_rows(texts)  # float64, for the scale
        shapes = exact_shapes.astype(np.float32)

        # Out-of-fold stage-one scores, so stage two sees scores as noisy as at prediction time.
        # The idf weights are fitted once on all lines (they see no labels); the classifier per fold.
        self.vectorizer_ = LineFeatures().fit(texts, shapes=exact_shapes)
        X = self.vectorizer_.transform_with_shapes(texts, shapes)
        weight = (~context_only(texts, y)).astype(np.float64)
        oof = np.zeros((len(texts), len(LABELS)))
        splitter = GroupKFold(n_splits=self.folds)
        for train_idx, held_idx in splitter.split(texts, y, groups):
            stage1 = self._fit_stage1(X[train_idx], y[train_idx], weight[train_idx])
            oof[held_idx] = self._proba(stage1, X[held_idx])
        self.stage1_ = _weights_by_column(self._fit_stage1(X, y, weight))

        context = self._context_rows(texts, shapes, oof, groups)
        is_junk = y != EDITORIAL
        self.stage2_ = self._new_stage2().fit(context, is_junk)
        junk_labels = np.unique(y[is_junk])
        if len(junk_labels) > 1:
            self.kinds_ = self._new_kinds().fit(context[is_junk], y[is_junk])
        else:  # one kind of junk in the data: nothing to tell apart
            self.kinds_ = OneKind(junk_labels)

        # Out-of-fold stage-two scores choose the threshold.
        held_junk = np.zeros(len(texts))
        for train_idx, held_idx in splitter.split(context, y, groups):
            fold = self._new_stage2().fit(context[train_idx], is_junk[train_idx])
            held_junk[held_idx] = fold.predict_proba(context[held_idx])[:, 1]
        self.threshold_ = choose_threshold(held_junk, ~is_junk)
        self.oof_junk_score_ = held_junk.astype(np.float32)
        self.oof_is_editorial_ = ~is_junk
        return self

    def _fit_stage1(self, X, y, weight):
        classifier = SGDClassifier(
            loss="log_loss", alpha=self.alpha, max_iter=self.max_iter, tol=None,
            class_weight="balanced", random_state=self.seed,
        )
        return classifier.fit(X, y, sample_weight=weight)

    def _new_stage2(self):
        # Binary, junk or not: the decision that removes a line costs one tree per round, not one per label.
        return HistGradientBoostingClassifier(
            max_iter=300, learning_rate=0.06, max_leaf_nodes=31, min_samples_leaf=10,
            l2_regularization=1.0, early_stopping=False, random_state=self.seed,
        )

    def _new_kinds(self):
        # Which kind of junk a line is, read only for lines that are likely junk.
        return HistGradientBoostingClassifier(
            max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=10,
            l2_regularization=1.0, early_stopping=False, random_state=self.seed,
        )

    @staticmethod
    def _proba(classifier, X) -> np.ndarray:
        """Probabilities in LABELS order even if a label was missing from the training fold."""
        out = np.zeros((X.shape[0], len(LABELS)))
        out[:, classifier.classes_] = classifier.predict_proba(X)
        return out

    @staticmethod
    def _context_rows(texts, shapes, stage1, groups) -> np.ndarray:
        bounds = np.flatnonzero(np.diff(groups)) + 1
        sizes = np.diff(np.concatenate([[0], bounds, [len(texts)]]))
        return context_rows(texts, shapes, stage1, sizes, EDITORIAL)

    # -- prediction -------------------------------------------------------
    def score(self, documents: list[list[str]], kinds: bool = True) -> list[Scored]:
        """Score the non-blank lines of several documents in one batch.

        ``kinds`` False leaves out the kind model: the junk score stays the same, and stage
        one alone splits it among the junk labels. Cleaning that keeps no kind of junk needs
        no more than that, and saves a third of the trees.
        """
        texts = [normalize(t) for doc in documents for t in doc]
        if not texts:
            empty = np.zeros((0, len(LABELS)))
            no_context = np.zeros((0, len(context_names(LABELS))), dtype=np.float32)
            return [Scored([], np.zeros((0, len(SHAPE_NAMES))), empty, empty, no_context) for _ in documents]
        shapes, stage1 = self._read_alone(texts)
        sizes = [len(doc) for doc in documents]
        groups = np.repeat(np.arange(len(documents)), sizes)
        context = self._context_rows(texts, shapes, stage1, groups)
        # One thread: batches are small, and several worker processes share the cores.
        with _thread_pools().limit(limits=1):
            proba = self._in_context(context, stage1, kinds)
        out, start = [], 0
        for size in sizes:
            end = start + size
            agree_copies(texts[start:end], proba[start:end])
            out.append(Scored(texts[start:end], shapes[start:end], stage1[start:end], proba[start:end], context[start:end]))
            start = end
        return out

    def junk_alone(self, texts: list[str]) -> np.ndarray:
        """Stage one's junk score of each line read alone, as score() has it."""
        if not texts:
            return np.zeros(0)
        _, stage1 = self._read_alone([normalize(t) for t in texts])
        return 1.0 - stage1[:, EDITORIAL]

    def _in_context(self, context: np.ndarray, stage1: np.ndarray, kinds: bool = True) -> np.ndarray:
        """Label probabilities in context: P(junk) from stage two, split among the junk labels.

        The split comes from the kind model for lines that are likely junk (every removed
        line), and from stage one's junk labels for the rest, which no decision reads.
        """
        junk = self.stage2_.predict_proba(context)[:, 1]
        shares = stage1.copy()
        shares[:, EDITORIAL] = 0.0
        likely = np.flatnonzero(junk >= KINDS_FROM) if kinds else np.zeros(0, dtype=np.int64)
        if likely.size:
            shares[likely] = 0.0
            shares[np.ix_(likely, self.kinds_.classes_)] = self.kinds_.predict_proba(context[likely])
        total = shares.sum(axis=1, keepdims=True)
        np.divide(shares, total, out=shares, where=total > 0)  # rows with no junk share stay zero
        proba = shares * junk[:, None]
        proba[:, EDITORIAL] = 1.0 - junk
        return proba

    def _read_alone(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Shape vectors and stage-one scores of lines, which depend on the text alone.

        They are cached by text: crawls repeat the same disclaimers and teasers, and
        cleaning scores the lines that stay again after each pass.
        """
        cache = self.__dict__.setdefault("_alone", {})
        unique = list(dict.fromkeys(texts))
        new = [t for t in unique if t not in cache]
        read = {}
        if new:
            if len(cache) + len(new) > LINE_CACHE_SIZE:
                cache.clear()  # bounded memory: start over, scoring every line of this call
                new = unique
            for chunk in _by_length(new, READ_CHUNK_CHARS):
                shapes = shape_rows(chunk).astype(np.float32)
                stage1 = self._proba(self.stage1_, self.vectorizer_.transform_with_shapes(chunk, shapes))
                read.update(zip(chunk, zip(shapes, stage1)))
            # Lines that repeat are short; a long one costs as much to keep as to read again.
            cache.update((t, row) for t, row in read.items() if len(t) <= CACHED_LINE_CHARS)
        rows = [read[t] if t in read else cache[t] for t in texts]
        return np.array([r[0] for r in rows], dtype=np.float32), np.array([r[1] for r in rows])

    def layout_mismatch(self) -> str | None:
        """How the features this model was fitted on differ from those this code computes, or None.

        A model trained by another release of promo-filter may read lines with other features;
        scored with these it would fail deep inside, or, were the counts equal, score nonsense.
        """
        fitted = {
            "shape features": len(getattr(self.vectorizer_, "shape_scale_", ())),
            "context features": getattr(self.stage2_, "n_features_in_", 0),
        }
        expected = {"shape features": len(SHAPE_NAMES), "context features": len(context_names(LABELS))}
        differ = [f"{fitted[k]} {k}, this release computes {expected[k]}" for k in fitted if fitted[k] != expected[k]]
        return "; ".join(differ) or None

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_alone"}  # the cache is not part of the model

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if hasattr(self, "stage1_"):
            _weights_by_column(self.stage1_)


class OneKind:
    """The kind model of data with one kind of junk: every junk line is of that kind."""

    def __init__(self, classes: np.ndarray):
        self.classes_ = classes

    def predict_proba(self, X) -> np.ndarray:
        return np.ones((len(X), 1))


def _by_length(texts: list[str], limit: int) -> Iterator[list[str]]:
    """The texts in order, in runs of at most ``limit`` characters (a longer text is a run of its own).

    >>> list(_by_length(["ab", "cd", "efg", "h"], 4))
    [['ab', 'cd'], ['efg', 'h']]
    """
    run, size = [], 0
    for text in texts:
        if run and size + len(text) > limit:
            yield run
            run, size = [], 0
        run.append(text)
        size += len(text)
    if run:
        yield run


def agree_copies(texts: list[str], proba: np.ndarray) -> None:
    """Give the copies of a line in one document the scores of the copy that reads most like junk,
    when every copy leans junk (in place).

    Sites print a bio, a disclaimer or a block of other stories two or three times, and the copy
    in the plainest context can score just under the threshold while the others go. A page
    scraped twice prints its editorial lines twice too, and one copy misread as junk must not
    take the others with it: so all copies must lean junk first.

    >>> bio, paragraph = "Mara Lind covers derivatives and spot ETFs.", "Bitcoin rose 3% on Monday as inflows returned."
    >>> proba = np.array([[0.3, 0.7], [0.05, 0.95], [0.9, 0.1], [0.01, 0.99], [0.4, 0.6], [0.1, 0.9]])
    >>> agree_copies([bio, bio, paragraph, paragraph, "India: 11", "India: 11"], proba)
    >>> proba[:, EDITORIAL].tolist()
    [0.05, 0.05, 0.9, 0.01, 0.4, 0.1]
    """
    rows: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        if len(text) >= COPIES_MIN_LENGTH:
            rows.setdefault(text, []).append(i)
    for copies in rows.values():
        if len(copies) < 2:  # most lines: no numpy indexing for them
            continue
        editorial = proba[copies, EDITORIAL]
        if editorial.max() <= 1.0 - COPIES_AGREE_FROM:
            proba[copies] = proba[copies[int(editorial.argmin())]]


def _weights_by_column(classifier):
    """Lay a linear model's weights out so that each feature's row of weights is contiguous.

    A sparse matrix times ``coef_.T`` reads the weights that way; in the usual layout scipy
    copies them first, megabytes for every batch, however few its lines. The values are the same.
    """
    classifier.coef_ = np.asfortranarray(classifier.coef_)
    return classifier


@functools.lru_cache(maxsize=1)
def _thread_pools() -> ThreadpoolController:
    """The process's native thread pools, found once: looking them up costs milliseconds per batch."""
    return ThreadpoolController()


def context_only(texts: list[str], y: np.ndarray) -> np.ndarray:
    """Junk lines whose text is also editorial: another article's headline or opening sentences.

    Only their place in a document tells them apart, so stage one (which reads a
    line alone) does not learn from them; stage two still does.

    >>> context_only(["Bitcoin rose. Then it fell.", "Bitcoin rose.", "Join now"], np.array([0, 2, 3])).tolist()
    [False, True, False]
    """
    editorial = [t.lstrip("# ") for t, label in zip(texts, y) if label == EDITORIAL]
    exact = set(editorial)
    by_start: dict[str, list[str]] = {}
    for text in editorial:
        by_start.setdefault(text[:12], []).append(text)
    out = np.zeros(len(texts), dtype=bool)
    for i, (text, label) in enumerate(zip(texts, y)):
        if label == EDITORIAL:
            continue
        text = text.lstrip("# ")
        if text in exact:
            out[i] = True
            continue
        for candidate in by_start.get(text[:12], ()) if len(text) >= 12 else ():
            if candidate == text or (candidate.startswith(text) and text[-1:] in ".!?”\"'"):
                out[i] = True
                break
    return out


def choose_threshold(junk_score: np.ndarray, is_editorial: np.ndarray, budget: float = EDITORIAL_LOSS_BUDGET) -> float:
    """The lowest junk-score threshold that loses at most ``budget`` of editorial lines.

    >>> round(choose_threshold(np.array([0.1, 0.2, 0.9, 0.95]), np.array([True, True, False, False]), 0.0), 2)
    0.5
    """
    low, high = THRESHOLD_RANGE
    cutoff = _cutoff(junk_score, is_editorial, budget)
    return low if cutoff is None else float(min(max(cutoff, low), high))


def _cutoff(junk_score: np.ndarray, is_editorial: np.ndarray, budget: float) -> float | None:
    """The lowest score threshold that loses at most ``budget`` of editorial lines; None without any."""
    editorial_scores = np.sort(junk_score[is_editorial])
    if editorial_scores.size == 0:
        return None
    allowed = int(budget * editorial_scores.size)
    # Lines scoring at or above the threshold are removed; keep all but `allowed` editorial lines below it.
    return float(editorial_scores[-(allowed + 1)] + 1e-6)


def junk_caught_at_loss(junk_score: np.ndarray, is_editorial: np.ndarray, budget: float) -> float:
    """Share of junk lines removed at the threshold that loses ``budget`` of editorial lines.

    Read off out-of-fold scores, it compares two trainings at the same editorial loss. The test
    split and small held-out sets compare them at the capped threshold instead, where a seed
    moves loss and junk removed together by more than most changes do.

    >>> scores, editorial = np.array([0.1, 0.3, 0.2, 0.6, 0.9]), np.array([True, True, False, False, False])
    >>> round(junk_caught_at_loss(scores, editorial, 0.0), 3), junk_caught_at_loss(scores, editorial, 0.5)
    (0.667, 1.0)
    """
    junk = junk_score[~is_editorial]
    if junk.size == 0:
        return 0.0
    cutoff = _cutoff(junk_score, is_editorial, budget)
    return 1.0 if cutoff is None else float(np.mean(junk >= cutoff))
