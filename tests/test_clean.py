import json
from pathlib import Path

import numpy as np
import pytest

from filter import Label, Options

CASES = json.loads((Path(__file__).parent / "golden" / "cases.json").read_text(encoding="utf-8"))
EXAMPLE = Path(__file__).parent.parent / "examples" / "article.txt"


def _marked(case):
    # A case the model still gets wrong carries "open": why. It must fail until fixed, then lose the mark.
    marks = [pytest.mark.xfail(strict=True, reason=case["open"])] if "open" in case else []
    return pytest.param(case, marks=marks, id=case["name"])


@pytest.mark.parametrize("case", [_marked(c) for c in CASES])
def test_golden_cases(cleaner, case):
    out = cleaner.clean(case["input"]).split("\n")
    for line in case["must_stay"]:
        assert line in out, f"lost editorial line: {line}"
    for line in case["must_go"]:
        assert line not in out, f"kept junk line: {line}"


def test_shipped_example_loses_its_tail_and_keeps_its_body(cleaner):
    text = EXAMPLE.read_text(encoding="utf-8")
    out = cleaner.clean(text)
    assert "Join Now" not in out and "presale" not in out
    assert "“Our clients asked why money stops moving at 5 p.m. on a Friday,” said Dana Whitfield" in out
    assert out.endswith("Harbor expects to decide by March whether to open the service to all business clients.\n")


@pytest.mark.parametrize("end", ["\r", "\u2028", "\u2029"], ids=["cr", "line-separator", "paragraph-separator"])
def test_lines_ended_by_a_lone_cr_or_a_unicode_separator_are_cleaned_as_lines(cleaner, end):
    # Read as one long line, such a document lost editorial paragraphs to a glued-junk cut.
    text = EXAMPLE.read_text(encoding="utf-8")
    assert cleaner.clean(text.replace("\n", end)) == cleaner.clean(text).replace("\n", end)


@pytest.mark.parametrize("document", [None, float("nan"), b"Gold rose."], ids=["none", "nan", "bytes"])
def test_a_document_that_is_not_text_is_a_type_error_that_says_so(cleaner, document):
    with pytest.raises(TypeError, match=f"a document must be str, not {type(document).__name__}"):
        cleaner.clean(document)


def test_document_without_junk_is_returned_byte_identical(cleaner):
    text = "Oil rose 2% on Friday.\r\n\r\nBrent settled at $84.10 a barrel, its highest close since July.\r\n"
    assert cleaner.clean(text) == text
    assert cleaner.clean(text.rstrip("\r\n")) == text.rstrip("\r\n")


def test_empty_and_blank_documents(cleaner):
    assert cleaner.clean("") == ""
    assert cleaner.clean("\n\n  \n") == "\n\n  \n"


def test_output_lines_are_input_lines_in_order(cleaner):
    text = EXAMPLE.read_text(encoding="utf-8")
    inputs = text.split("\n")
    position = 0
    for line in cleaner.clean(text).split("\n"):
        position = inputs.index(line, position) + 1


def test_keep_option_keeps_that_label(cleaner):
    text = EXAMPLE.read_text(encoding="utf-8")
    disclaimer = "Disclaimer: This article is for information only and is not investment advice."
    assert disclaimer not in cleaner.clean(text)
    assert disclaimer in cleaner.with_options(keep=frozenset({Label.BOILERPLATE})).clean(text)


def test_threshold_one_keeps_everything(cleaner):
    text = EXAMPLE.read_text(encoding="utf-8")
    assert cleaner.with_options(threshold=0.999999, split_glued=False).clean(text) == text


def test_classify_gives_label_score_and_reason_for_every_line(cleaner):
    text = EXAMPLE.read_text(encoding="utf-8")
    results = cleaner.classify(text)
    assert [r.line for r in results] == [i for i, l in enumerate(text.split("\n")) if l.strip()]
    by_text = {r.text: r for r in results}
    assert by_text["Join Now"].label.is_junk and not by_text["Join Now"].kept
    assert all(0.0 <= r.score <= 1.0 and r.reason for r in results)


def test_copies_of_a_line_that_all_lean_junk_are_decided_as_one(cleaner):
    # A publisher's statement printed three times among the first paragraphs: each copy leans junk,
    # in contexts that score it differently, and all three must get one decision.
    statement = "Ledgerline is committed to independent, accurate reporting on digital assets, markets and the policy that shapes them."
    paragraphs = [
        "# Ether options traders pay up for downside protection ahead of the March expiry",
        "Put options on ether have grown more expensive than calls for the first time since October, a sign that "
        "traders are bracing for a drop before the quarterly expiry on March 28.",
        "The 25-delta skew on Deribit's one-month contracts fell to minus 6 on Tuesday, according to data compiled "
        "by Amberdata, from plus 2 a week earlier.",
        "Ether traded at $2,310 on Wednesday morning, down 9% over the week.",
    ]
    text = "\n\n".join([statement, paragraphs[0], statement, paragraphs[1], statement] + paragraphs[2:])
    copies = [r for r in cleaner.classify(text) if r.text == statement]
    assert len(copies) == 3 and all(r.junk >= 0.5 for r in copies)
    assert len({r.junk for r in copies}) == 1 and len({r.kept for r in copies}) == 1


def test_clean_many_matches_clean(cleaner):
    texts = [c["input"] for c in CASES] * 3
    assert list(cleaner.clean_many(texts, batch_size=5)) == [cleaner.clean(t) for t in texts]


def test_glued_junk_sentence_is_cut_after_the_period(cleaner):
    # The glued teaser makes the whole line score as junk; the article's sentence must still stay.
    body = "Harbor expects to decide by March whether to open the service to all business clients."
    text = EXAMPLE.read_text(encoding="utf-8").replace(body + "\n\n", body)
    out = cleaner.clean(text)
    assert body in out.split("\n")
    assert "Ether slips" not in out


@pytest.mark.parametrize("junk", [
    "Ether slips as traders brace for the Pectra vote..",
    "Subscribe to our newsletter for the latest crypto news delivered to your inbox every morning.",
])
def test_junk_glued_after_a_space_leaves_the_article_sentence(cleaner, junk):
    # The whole line scores as junk and goes; its head, the article's last sentence, must not go with it.
    body = "Harbor expects to decide by March whether to open the service to all business clients."
    teaser = "Ether slips as traders brace for the Pectra vote.."
    text = EXAMPLE.read_text(encoding="utf-8").replace(f"{body}\n\n{teaser}\n", f"{body} {junk}\n")
    assert f"{body} {junk}" in text
    out = cleaner.clean(text)
    assert body in out.split("\n")
    assert junk not in out


@pytest.mark.parametrize("text", ["Bitcoin fell.", "Join Now", "Gold rose.\nJoin Now\n", "Join Now\nSign up today!"])
def test_a_document_is_never_emptied(cleaner, text):
    # A one-line brief has no context; if every line scores as junk, nothing is removed.
    out = cleaner.clean(text)
    assert out.strip()
    results = cleaner.classify(text)
    if all(r.label.is_junk for r in results):
        assert out == text
        assert all(r.kept and "would empty the document" in r.reason for r in results)
    if "\n" not in text.strip():
        assert out == text


def test_a_line_is_read_by_its_first_characters_and_kept_whole(cleaner):
    from filter.features import MAX_READ_CHARS

    # A page flattened into one line: reading all of it would cost memory in proportion to its length.
    words = "Bitcoin miners sold reserves while ETF inflows slowed and traders watched the funding rates".split()
    flattened = " ".join(words[i % len(words)] for i in range(MAX_READ_CHARS // 3))
    assert len(flattened) > MAX_READ_CHARS
    head = flattened[:MAX_READ_CHARS]
    whole, cut = cleaner.model.score([[flattened, "Join Now"], [head, "Join Now"]])
    assert np.array_equal(whole.stage1, cut.stage1) and np.array_equal(whole.proba, cut.proba)
    text = f"{flattened}\nJoin Now"
    results = cleaner.classify(text)
    assert results[0].text == flattened and results[0].kept_text in ("", flattened)


def test_reading_in_runs_of_characters_gives_the_same_scores(cleaner, monkeypatch):
    import filter.model

    article = EXAMPLE.read_text(encoding="utf-8")
    long_paragraph = " ".join(["Ether slipped 2% on Tuesday after the upgrade was delayed."] * 30)
    documents = [article.split("\n"), [long_paragraph, "Join Now"]]
    documents = [[line for line in doc if line.strip()] for doc in documents]
    cleaner.model.__dict__.pop("_alone", None)
    expected = cleaner.model.score(documents)
    # A long line is not kept in the cache of line scores: it costs as much to keep as to read again.
    assert long_paragraph not in cleaner.model._alone and "Join Now" in cleaner.model._alone
    monkeypatch.setattr(filter.model, "READ_CHUNK_CHARS", 300)
    cleaner.model.__dict__.pop("_alone", None)
    for got, want in zip(cleaner.model.score(documents), expected):
        assert np.array_equal(got.stage1, want.stage1) and np.array_equal(got.proba, want.proba)


def test_line_cache_overflow_gives_the_same_results(cleaner, monkeypatch):
    import filter.model

    article = EXAMPLE.read_text(encoding="utf-8")
    # The second batch mixes lines seen in the first with new ones, and overflows the cache.
    texts = [article, "Gold rose 2% on Friday.\nTraders cited jobs data.\nJoin Now",
             article, "Ether slipped 2% on Tuesday after the upgrade was delayed.\nRead more: Top 5 presales.."]
    expected = [cleaner.clean(t) for t in texts]
    monkeypatch.setattr(filter.model, "LINE_CACHE_SIZE", 12)
    cleaner.model.__dict__.pop("_alone", None)
    assert list(cleaner.clean_many(texts, batch_size=2)) == expected
