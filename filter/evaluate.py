"""Scores of a cleaner on labeled documents: what it lost, what it caught, where it failed."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from .data import LabeledDocument
from .labels import JUNK_LABELS, LABELS, Label
from .streams import printable

#: How many of the worst documents a report lists.
WORST_DOCUMENTS = 5


@dataclass
class Report:
    """Line-level counts over a set of labeled documents."""

    documents: int = 0
    perfect_documents: int = 0
    confusion: Counter = field(default_factory=Counter)  # (true, predicted) -> lines
    removed: Counter = field(default_factory=Counter)  # true label -> lines removed
    total: Counter = field(default_factory=Counter)  # true label -> lines
    worst: list = field(default_factory=list)  # (errors, id, example)
    scores: list = field(default_factory=list)  # (junk score, is junk) per line, for the curve

    def add(self, doc: LabeledDocument, results) -> None:
        self.documents += 1
        errors, example = 0, ""
        by_line = {r.line: r for r in results}
        for index, truth in enumerate(doc.labels):
            if truth is None:
                continue
            result = by_line[index]
            self.scores.append((result.junk, truth.is_junk))
            self.total[truth] += 1
            self.confusion[(truth, result.label)] += 1
            removed = not result.kept
            self.removed[truth] += removed
            wrong = removed if truth is Label.EDITORIAL else not removed
            if wrong:
                errors += 1 + (truth is Label.EDITORIAL)  # a lost editorial line counts double
                example = example or f"{'LOST' if removed else 'KEPT ' + truth.value}: {result.text[:80]}"
        self.perfect_documents += errors == 0
        if errors:
            self.worst.append((errors, doc.id, example))

    def metrics(self) -> dict:
        editorial = self.total[Label.EDITORIAL]
        junk = sum(self.total[label] for label in JUNK_LABELS)
        junk_removed = sum(self.removed[label] for label in JUNK_LABELS)
        out = {
            "documents": self.documents,
            "editorial_lines": editorial,
            "junk_lines": junk,
            "editorial_lost": _ratio(self.removed[Label.EDITORIAL], editorial),
            "junk_recall": _ratio(junk_removed, junk),
            "perfect_documents": _ratio(self.perfect_documents, self.documents),
            "accuracy": _ratio(sum(n for (t, p), n in self.confusion.items() if t == p), editorial + junk),
            "labels": {},
        }
        for label in LABELS:
            predicted = sum(n for (t, p), n in self.confusion.items() if p == label)
            hits = self.confusion[(label, label)]
            entry = {"lines": self.total[label], "precision": _ratio(hits, predicted), "recall": _ratio(hits, self.total[label])}
            if label.is_junk:
                entry["removed"] = _ratio(self.removed[label], self.total[label])
            out["labels"][label.value] = entry
        out["confusion"] = {t.value: {p.value: self.confusion[(t, p)] for p in LABELS} for t in LABELS}
        out["worst_documents"] = [
            {"id": doc_id, "errors": errors, "example": example}
            for errors, doc_id, example in sorted(self.worst, key=lambda w: (-w[0], w[1]))[:WORST_DOCUMENTS]
        ]
        return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def evaluate(cleaner, documents: Iterable[LabeledDocument], plot: str | None = None) -> dict:
    """Run the cleaner over labeled documents and return the metrics.

    Every non-blank line counts once: editorial lines removed are lost, junk
    lines removed are caught (per label, "removed"); precision and recall per
    label compare the predicted label with the true one. With ``plot``, the
    precision-recall curve of junk against editorial is drawn to that image file.
    """
    report = Report()
    documents = list(documents)
    for doc, results in zip(documents, cleaner.classify_many(doc.text for doc in documents)):
        report.add(doc, results)
    if plot:
        plot_precision_recall(report.scores, cleaner.threshold, plot)
    return {
        **report.metrics(),
        "glued": evaluate_glued(cleaner, documents),
        "glued_after_space": evaluate_glued(cleaner, documents, joiner=" "),
    }


def glue_tail(doc: LabeledDocument, joiner: str = "") -> tuple[str, int, str] | None:
    """The document with its first junk line after the article glued onto the article's last line.

    This is what scrapers do ("...market turbulence.Solana and Base are now.."), mostly with
    no space at the join (``joiner``). Returns the glued text, the index of the glued line and
    its editorial head, or None when the document has no such pair of lines.

    >>> doc = LabeledDocument("d", "", ("Gold rose.", "", "Join now", "Tags: gold"),
    ...                       (Label.EDITORIAL, None, Label.CTA, Label.BOILERPLATE))
    >>> glue_tail(doc)
    ('Gold rose.Join now\\nTags: gold', 0, 'Gold rose.')
    """
    labeled = [i for i, label in enumerate(doc.labels) if label is not None]
    editorial = [i for i in labeled if doc.labels[i] is Label.EDITORIAL]
    if not editorial:
        return None
    last = editorial[-1]
    after = [i for i in labeled if i > last]
    if not after:
        return None
    head, tail = doc.lines[last].rstrip(), doc.lines[after[0]].lstrip()
    if not head.endswith((".", "!", "?")) or not tail[:1].isupper():
        return None
    lines = list(doc.lines[:last]) + [head + joiner + tail] + list(doc.lines[after[0] + 1 :])
    return "\n".join(lines), last, head


def evaluate_glued(cleaner, documents: list[LabeledDocument], joiner: str = "") -> dict:
    """How the cleaner cuts junk glued onto the article's last line (see glue_tail).

    "exact": the line keeps its editorial head and nothing more; "head_lost": some of
    the head went with the junk (the worse failure).
    """
    glued = [g for g in (glue_tail(doc, joiner) for doc in documents) if g is not None]
    exact = head_lost = 0
    for (_, index, head), results in zip(glued, cleaner.classify_many(text for text, _, _ in glued)):
        line = next(r for r in results if r.line == index)
        exact += line.kept_text == head
        head_lost += not line.kept_text.startswith(head)
    return {"documents": len(glued), "exact": _ratio(exact, len(glued)), "head_lost": _ratio(head_lost, len(glued))}


def operating_point(scores: list[tuple[float, bool]], threshold: float) -> tuple[float, float]:
    """Precision and recall of "junk" when lines scoring at or above the threshold are removed.

    >>> operating_point([(0.99, True), (0.98, False), (0.5, True), (0.1, False)], 0.97)
    (0.5, 0.5)
    """
    removed = [is_junk for score, is_junk in scores if score >= threshold]
    junk = sum(is_junk for _, is_junk in scores)
    return sum(removed) / max(len(removed), 1), sum(removed) / max(junk, 1)


def plot_precision_recall(scores: list[tuple[float, bool]], threshold: float, path: str) -> None:
    """Draw junk-vs-editorial precision against recall over all thresholds, marking the one in use.

    Needs matplotlib (pip install "promo-filter[plot]").
    """
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    import numpy as np
    from sklearn.metrics import precision_recall_curve

    junk_score = np.array([s for s, _ in scores])
    is_junk = np.array([j for _, j in scores])
    precision, recall, _ = precision_recall_curve(is_junk, junk_score)
    at_precision, at_recall = operating_point(scores, threshold)
    figure, axes = plt.subplots(figsize=(6, 4.5))
    axes.plot(recall, precision, label="junk vs editorial")
    axes.scatter([at_recall], [at_precision], color="crimson", zorder=3,
                 label=f"threshold {threshold:.2f}: precision {at_precision:.1%}, recall {at_recall:.1%}")
    axes.set(xlabel="junk recall (share of junk lines removed)", ylabel="precision (share of removed lines that are junk)",
             xlim=(0, 1.01), ylim=(min(0.5, float(precision.min())), 1.01), title=f"{len(scores):,} lines")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def format_table(metrics: dict) -> str:
    """The metrics as a plain-text table."""
    def pct(value):
        return "   -  " if value is None else f"{value * 100:5.1f}%"

    lines = [
        f"documents          {metrics['documents']}",
        f"editorial lost     {pct(metrics['editorial_lost'])}  of {metrics['editorial_lines']} editorial lines",
        f"junk removed       {pct(metrics['junk_recall'])}  of {metrics['junk_lines']} junk lines",
        f"perfect documents  {pct(metrics['perfect_documents'])}",
        f"line accuracy      {pct(metrics['accuracy'])}",
    ]
    glued, spaced = metrics.get("glued"), metrics.get("glued_after_space")
    if glued and glued["documents"]:
        lines += [
            f"glued junk cut     {pct(glued['exact'])}  of {glued['documents']} documents with junk glued on the last line",
            f"glued head lost    {pct(glued['head_lost'])}",
        ]
    if spaced and spaced["documents"]:
        lines += [
            f"glued after space  {pct(spaced['exact'])}  cut exactly; the article's last line lost in {pct(spaced['head_lost']).strip()}",
        ]
    lines += [
        "",
        f"{'label':12} {'lines':>6} {'precision':>10} {'recall':>8} {'removed':>8}",
    ]
    for name, entry in metrics["labels"].items():
        lines.append(
            f"{name:12} {entry['lines']:6d} {pct(entry['precision']):>10} {pct(entry['recall']):>8} "
            f"{pct(entry.get('removed')) if 'removed' in entry else '':>8}"
        )
    lines += ["", "confusion (rows: true label, columns: predicted)", " " * 12 + "".join(f"{p[:8]:>9}" for p in metrics["confusion"])]
    for t, row in metrics["confusion"].items():
        lines.append(f"{t:12}" + "".join(f"{n:9d}" for n in row.values()))
    if metrics["worst_documents"]:
        lines += ["", "worst documents"]
        lines += [printable(f"  {w['id']:24} {w['errors']:3d}  {w['example']}") for w in metrics["worst_documents"]]
    return "\n".join(lines)
