"""Pre-labeling articles for people to correct: the labeling loop for a user's own sites.

Each article becomes a document of the data/ schema, labeled by the model, with each
line's junk score and a `check` flag on the lines the model is least sure of (and on
every line of an article in a script the model has read no article in). The
documents come out least certain first, so the time a person spends goes where the
model needs it. Corrected, the file trains a new model together with data/:
`promo-filter train --data data/ --data corrected.jsonl`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from .segment import split_lines

#: A line is flagged for checking when its junk score is this close to the threshold, as a share of
#: the distance from the threshold to 0 (editorial side) or to 1 (junk side).
CHECK_MARGIN = 0.5


@dataclass(frozen=True)
class Annotated:
    """One pre-labeled document and how sure the model is of its least certain line (0 to 1)."""

    record: dict
    certainty: float


def certainty(junk: float, threshold: float) -> float:
    """How far a junk score sits from the threshold, from 0 (on it) to 1 (at 0 or 1).

    >>> certainty(0.97, 0.97), certainty(0.0, 0.97), round(certainty(0.485, 0.97), 2)
    (0.0, 1.0, 0.5)
    """
    if junk >= threshold:
        return (junk - threshold) / (1.0 - threshold) if threshold < 1.0 else 1.0
    return (threshold - junk) / threshold


def annotate(cleaner, articles: Iterable[tuple[str, str, str]]) -> Iterator[Annotated]:
    """Pre-label (id, domain, text) articles, in input order."""
    articles = list(articles)
    threshold = cleaner.threshold
    results = cleaner.classify_many(text for _, _, text in articles)
    for (doc_id, domain, text), lines in zip(articles, results):
        by_line = {r.line: r for r in lines}
        unread = cleaner.unread_script(text)
        items, least = [], 1.0
        for i, line in enumerate(split_lines(text)):
            result = by_line.get(i)
            if result is None:  # blank: layout, no label
                items.append({"text": line.text})
                continue
            sure = certainty(result.junk, threshold)
            label = result.label.value if not result.kept or result.label.is_junk else "editorial"
            if unread and cleaner.unread_script(line.text):
                # A script the model has read no article in: its score says nothing, a person decides.
                sure, label = 0.0, "editorial"
            least = min(least, sure)
            items.append({"text": line.text, "label": label, "junk": round(result.junk, 4),
                          "check": sure < CHECK_MARGIN, "reason": result.reason})
        yield Annotated({"id": doc_id, "domain": domain, "lines": items}, least)


def least_certain_first(annotated: Iterable[Annotated]) -> list[dict]:
    """Records ordered so the documents most in need of a person come first."""
    return [a.record for a in sorted(annotated, key=lambda a: a.certainty)]
