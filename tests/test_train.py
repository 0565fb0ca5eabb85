"""Training on a user's own small labeled data: what it accepts, and what it refuses with a reason."""
import json
from itertools import count

import pytest

from filter import Cleaner, Label
from filter.data import split_of
from filter.train import train

PARAGRAPHS = [
    "Gold rose 2% on Friday as the dollar weakened against most major currencies.",
    "Traders cited softer US jobs data and rising bets on a rate cut in December.",
    "Silver followed, adding 1.4% to its highest close in three weeks.",
    "Analysts at two banks said the rally could stall if yields climb again.",
]
ADS = ["Buy gold bars at Vaultline with zero fees today!", "Trade gold CFDs with 500x leverage at Tradeko now!"]


def _ids(split: str):
    return (f"doc-{n}" for n in count() if split_of(f"doc-{n}") == split)


def _write(path, documents: int, labels=("editorial", "ad"), split: str = "train"):
    with path.open("w", encoding="utf-8") as fh:
        for i, doc_id in zip(range(documents), _ids(split)):
            lines = [{"text": f"{p} ({doc_id})", "label": "editorial"} for p in PARAGRAPHS]
            if "ad" in labels:
                lines.append({"text": ADS[i % len(ADS)], "label": "ad"})
            fh.write(json.dumps({"id": doc_id, "domain": "finance", "lines": lines}) + "\n")
    return path


def test_data_with_one_kind_of_junk_trains_a_model_that_explains_and_keeps(tmp_path):
    card = train([_write(tmp_path / "mine.jsonl", 8)], tmp_path / "model")
    cleaner = Cleaner.load(tmp_path / "model", trusted=True)
    text = "\n".join(PARAGRAPHS + [ADS[0]])
    results = cleaner.classify(text)  # with the kind of each junk line
    assert results[-1].label is Label.AD and not results[-1].kept and card["labels"]
    assert cleaner.with_options(keep=frozenset({Label.AD})).clean(text) == text


@pytest.mark.parametrize(
    "documents, labels, message",
    [(4, ("editorial", "ad"), "4 documents in the train split; training needs at least 5"),
     (8, ("editorial",), "needs both editorial lines and junk lines")],
    ids=["too-few-documents", "no-junk"],
)
def test_data_the_model_cannot_learn_from_is_refused_with_the_reason(tmp_path, documents, labels, message):
    with pytest.raises(ValueError, match=message):
        train([_write(tmp_path / "mine.jsonl", documents, labels)], tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_the_card_gives_junk_caught_out_of_fold_at_a_fixed_editorial_loss(tmp_path):
    # The ads are plain to tell apart, so out of fold every one is caught before an editorial line goes.
    card = train([_write(tmp_path / "mine.jsonl", 8)], tmp_path / "model")
    assert card["cross_validated"] == {"lines": 40, "junk_caught_at_editorial_loss": {"0.2%": 1.0, "0.5%": 1.0}}
    assert json.loads((tmp_path / "model" / "promo-filter.json").read_text())["cross_validated"] == card["cross_validated"]
