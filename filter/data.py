"""Labeled documents: the data/ JSONL schema, its reader and the train/test split."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .labels import Label
from .segment import holds_line_break

#: Documents whose id hashes into the last TEST_PERCENT buckets form the test split.
TEST_PERCENT = 20


@dataclass(frozen=True)
class LabeledDocument:
    """A document with one label per line (blank lines are layout and carry none)."""

    id: str
    domain: str
    lines: tuple[str, ...]
    labels: tuple[Label | None, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def split(self) -> str:
        return split_of(self.id)


def split_of(doc_id: str) -> str:
    """Return "test" or "train" for a document id, fixed by a hash of the id.

    >>> split_of("cmkt-001") in {"train", "test"}
    True
    """
    bucket = int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "test" if bucket >= 100 - TEST_PERCENT else "train"


def parse_document(record: dict, where: str = "") -> LabeledDocument:
    """Turn one JSON record of the data/ schema into a LabeledDocument."""
    try:
        lines, labels = [], []
        for item in record["lines"]:
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError("line text is not a string")
            if holds_line_break(text):  # its label would then cover two lines of the document
                raise ValueError(f"line text holds a line break: {text[:40]!r}")
            lines.append(text)
            if text.strip():
                labels.append(Label(item.get("label", "editorial")))
            else:
                labels.append(None)
        return LabeledDocument(str(record["id"]), str(record.get("domain", "")), tuple(lines), tuple(labels))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: not a labeled document ({exc})") from None


def read_documents(paths: Iterable[str | Path]) -> Iterator[LabeledDocument]:
    """Read labeled documents from JSONL files or directories of them (*.jsonl, sorted)."""
    for path in expand_paths(paths):
        with open(path, encoding="utf-8-sig") as fh:  # -sig: a byte-order mark opening the file is not text
            for number, raw in enumerate(fh, 1):
                if raw.strip():
                    where = f"{path}:{number}"
                    try:
                        record = json.loads(raw)
                    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
                        raise ValueError(f"{where}: not a JSON object ({exc})") from None
                    yield parse_document(record, where)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories into their *.jsonl files, in name order."""
    out = []
    for path in map(Path, paths):
        out.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return out


def document_record(doc_id: str, domain: str, lines: list[str], labels: list[Label | None], **extra) -> dict:
    """The data/ schema record for a document (blank lines carry no label)."""
    items = []
    for text, label in zip(lines, labels):
        item = {"text": text}
        if label is not None and text.strip():
            item["label"] = label.value
        items.append(item)
    return {"id": doc_id, "domain": domain, "lines": items, **extra}


def sha256_of_files(paths: Iterable[str | Path]) -> str:
    """One SHA-256 over the bytes of the given files, in order."""
    digest = hashlib.sha256()
    for path in expand_paths(paths):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
