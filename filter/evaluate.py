"""Scores of a cleaner on labeled documents: what it lost, what it caught, where it failed."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from .data import LabeledDocument
from .labels import JUNK_LABELS, LABELS, Label

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

    def add(self, doc: LabeledDocument, results) -> None:
        self.documents += 1
        errors, example = 0, ""
        by_line = {r.line: r for r in results}
        for index, truth in enumerate(doc.labels):
            if truth is None:
                continue
            result = by_line[index]
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


def evaluate(cleaner, documents: Iterable[LabeledDocument]) -> dict:
    """Run the cleaner over labeled documents and return the metrics.

    Every non-blank line counts once: editorial lines removed are lost, junk
    lines removed are caught (per label, "removed"); precision and recall per
    label compare the predicted label with the true one.
    """
    report = Report()
    documents = list(documents)
    for doc, results in zip(documents, cleaner.classify_many(doc.text for doc in documents)):
        report.add(doc, results)
    return report.metrics()


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
        lines += [f"  {w['id']:24} {w['errors']:3d}  {w['example']}" for w in metrics["worst_documents"]]
    return "\n".join(lines)
