"""Accuracy floors on the test split of data/.

Raise them when the model improves. They belong to one build of the data: when the data gets
harder (new kinds of junk, new layouts), re-base them on the new build and say so in the commit.
"""
from pathlib import Path

import pytest

from filter.data import read_documents
from filter.evaluate import evaluate

DATA = Path(__file__).parent.parent / "data" / "promo-filter.jsonl"
FLOORS = {"junk_recall": 0.82, "perfect_documents": 0.33}
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
