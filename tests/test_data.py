"""The shipped training data meets its documented shape."""
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from filter.data import read_documents, split_of
from filter.labels import Label

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def documents():
    return list(read_documents([DATA / "promo-filter.jsonl"]))


def test_size_and_label_counts(documents):
    counts = Counter(label for doc in documents for label in doc.labels if label)
    assert len(documents) >= 500
    assert sum(counts.values()) >= 8000
    for label in Label:
        if label.is_junk:
            assert counts[label] >= 300, label


def test_domains_with_crypto_and_finance_majority(documents):
    domains = Counter(doc.domain for doc in documents)
    assert len(domains) >= 6
    assert domains["crypto"] + domains["finance"] + domains["economy"] > len(documents) / 2


def test_clean_documents_and_junk_positions(documents):
    clean = [d for d in documents if all(l in (None, Label.EDITORIAL) for l in d.labels)]
    assert len(clean) >= 0.2 * len(documents)
    places = Counter()
    for doc in documents:
        labels = [l for l in doc.labels if l]
        editorial = [i for i, l in enumerate(labels) if l is Label.EDITORIAL]
        for i, label in enumerate(labels):
            if label.is_junk and editorial:
                places["top" if i < editorial[0] else "end" if i > editorial[-1] else "middle"] += 1
    assert min(places.values()) >= 200, places


def test_split_is_fixed_by_id(documents):
    splits = Counter(doc.split for doc in documents)
    assert 0.1 < splits["test"] / len(documents) < 0.3
    assert all(doc.split == split_of(doc.id) for doc in documents)
    assert len({doc.id for doc in documents}) == len(documents)


@pytest.mark.parametrize("bad", ["{not json", '{"id": "b", "lines": ' + "[" * 100_000 + "]" * 100_000 + "}"],
                         ids=["malformed", "nested-too-deep"])
def test_a_broken_line_of_labeled_data_is_named_by_file_and_line(tmp_path, bad):
    path = tmp_path / "mine.jsonl"
    path.write_text('{"id": "a", "lines": [{"text": "Gold rose.", "label": "editorial"}]}\n' + bad + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"mine.jsonl:2: not a JSON object"):
        list(read_documents([path]))


def test_labeled_data_may_open_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"id": "a", "lines": [{"text": "Join Now", "label": "cta"}]}\n')
    [document] = read_documents([path])
    assert document.id == "a" and document.labels == (Label.CTA,)


@pytest.mark.parametrize("text", ["First para.\\n\\nSecond para.", "First.\\rSecond.", "First.\\u2028Second."])
def test_a_labeled_line_holding_a_line_break_is_refused(tmp_path, text):
    # Its one label would cover two lines of the document the cleaner reads.
    path = tmp_path / "mine.jsonl"
    path.write_text('{"id": "a", "lines": [{"text": "%s", "label": "editorial"}]}\n' % text, encoding="utf-8")
    with pytest.raises(ValueError, match="mine.jsonl:1: not a labeled document .line text holds a line break"):
        list(read_documents([path]))


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("data_build", DATA / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_data_file_is_what_the_build_writes(build, tmp_path):
    """An edit to data/sources or data/build.py must come with the rebuilt file, and the reverse."""
    build.main(["--out", str(tmp_path / "built.jsonl")])
    assert (tmp_path / "built.jsonl").read_bytes() == (DATA / "promo-filter.jsonl").read_bytes()


def test_another_draw_keeps_every_article_and_draws_its_junk_anew(build, documents, tmp_path):
    build.main(["--seed", "another draw", "--out", str(tmp_path / "other.jsonl")])
    other = list(read_documents([tmp_path / "other.jsonl"]))
    assert [d.id for d in other] == [d.id for d in documents]
    articles = {a["id"]: a for a in build.load_sources()[0]}
    for doc in other:
        lines = iter(doc.lines)
        body = [text for text, _ in build.body_lines(articles[doc.id])]
        assert all(any(line == text for line in lines) for text in body), doc.id  # in order, whole
    redrawn = sum(a.lines != b.lines for a, b in zip(other, documents))
    assert redrawn > 0.9 * len(documents)
