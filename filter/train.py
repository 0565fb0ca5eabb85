"""Training: fit the model on labeled documents, measure it on the test split, save it with its card."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .data import LabeledDocument, read_documents, sha256_of_files
from .labels import JUNK_LABELS, Label
from .scripts import editorial_scripts

DEFAULT_SEED = 0


def train_punkt(documents: list[LabeledDocument]):
    """A Punkt sentence splitter trained on the editorial text of the documents."""
    from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer

    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    text = "\n".join(t for doc in documents for t, label in zip(doc.lines, doc.labels) if label is Label.EDITORIAL)
    trainer.train(text, finalize=True)
    return PunktSentenceTokenizer(trainer.get_params())


def fit_model(documents: list[LabeledDocument], seed: int = DEFAULT_SEED):
    """Fit a LineModel on the non-blank lines of the documents."""
    from .model import LineModel

    texts = [[t for t, label in zip(doc.lines, doc.labels) if label is not None] for doc in documents]
    labels = [[label for label in doc.labels if label is not None] for doc in documents]
    return LineModel(seed=seed).fit(texts, labels)


def _check_trainable(documents: list[LabeledDocument]) -> None:
    """Refuse, saying why, training data the model cannot learn from."""
    from .model import FOLDS

    if len(documents) < FOLDS:
        raise ValueError(
            f"{len(documents)} documents in the train split; training needs at least {FOLDS}, one for each fold "
            "of its cross-validation (the split is fixed by each document's id)"
        )
    seen = {label for doc in documents for label in doc.labels if label is not None}
    if Label.EDITORIAL not in seen or not seen & set(JUNK_LABELS):
        raise ValueError("the train split needs both editorial lines and junk lines to learn from")


#: Editorial loss at which the card gives the share of junk caught out of fold.
CROSS_VALIDATED_LOSSES = (0.002, 0.005)


def cross_validated(model) -> dict:
    """Junk lines caught at a fixed editorial loss, from the line scores of the cross-validation.

    Each line's score comes from a stage two that did not train on its document (before
    cleaning's passes and glued cuts), over the whole train split: a steadier figure to compare
    trainings by than the test split at the capped threshold, which moves with the seed.
    """
    from .model import junk_caught_at_loss

    scores, editorial = model.oof_junk_score_, model.oof_is_editorial_
    return {
        "lines": int(scores.size),
        "junk_caught_at_editorial_loss": {
            f"{loss:.1%}": round(junk_caught_at_loss(scores, editorial, loss), 4) for loss in CROSS_VALIDATED_LOSSES
        },
    }


def train(data: Iterable[str | Path], out_dir: str | Path, seed: int = DEFAULT_SEED) -> dict:
    """Train on the train split of the data, score the test split, save model and card; return the card."""
    from . import store
    from .clean import Cleaner
    from .evaluate import evaluate

    data = list(data)
    documents = list(read_documents(data))
    train_docs = [d for d in documents if d.split == "train"]
    test_docs = [d for d in documents if d.split == "test"]
    _check_trainable(train_docs)
    bundle = {"model": fit_model(train_docs, seed), "punkt": train_punkt(train_docs)}
    scripts = editorial_scripts(t for d in train_docs for t, label in zip(d.lines, d.labels) if label is Label.EDITORIAL)
    cleaner = Cleaner(bundle, {"editorial_scripts": scripts})
    metrics = evaluate(cleaner, test_docs) if test_docs else {}
    card = {
        "name": "promo-filter",
        "labels": [label.value for label in Label],
        "threshold": round(float(bundle["model"].threshold_), 4),
        "seed": seed,
        # Text in other scripts is kept when most of a document is written in one (clean._keep_unread).
        "editorial_scripts": scripts,
        "training_data": {
            "files": [str(p) for p in data],
            "sha256": sha256_of_files(data),
            "documents": {"train": len(train_docs), "test": len(test_docs)},
            "lines": {"train": sum(1 for d in train_docs for l in d.labels if l), "test": sum(1 for d in test_docs for l in d.labels if l)},
        },
        "test_metrics": {k: v for k, v in metrics.items() if k not in ("worst_documents",)},
        "cross_validated": cross_validated(bundle["model"]),
    }
    _, card = store.save(bundle, out_dir, card)
    return card
