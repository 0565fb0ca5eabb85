"""Accuracy floors on the test split of data/; raise them when the model improves, never lower them."""
from pathlib import Path

import pytest

from filter.data import read_documents
from filter.evaluate import evaluate

DATA = Path(__file__).parent.parent / "data" / "promo-filter.jsonl"
FLOORS = {"junk_recall": 0.85, "perfect_documents": 0.45}
CEILINGS = {"editorial_lost": 0.015}


@pytest.fixture(scope="module")
def metrics(cleaner):
    return evaluate(cleaner, [d for d in read_documents([DATA]) if d.split == "test"])


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_floor(metrics, name):
    assert metrics[name] >= FLOORS[name]


@pytest.mark.parametrize("name", sorted(CEILINGS))
def test_ceiling(metrics, name):
    assert metrics[name] <= CEILINGS[name]
