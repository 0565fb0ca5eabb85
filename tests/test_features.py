import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import sparse

from filter.features import (
    CONTEXT_OFFSETS, LEAD_NAMES, MIN_SHAPE_SCALE, SHAPE_NAMES, SURE_JUNK, LineFeatures, content_tokens, context_matrix,
    _tf_idf, context_names, context_rows, normalize, shape_rows, shape_vector,
)
from filter.labels import LABELS

DATA = Path(__file__).parent.parent / "data" / "promo-filter.jsonl"


def shape(text):
    return dict(zip(SHAPE_NAMES, shape_vector(text)))


def test_shape_sees_truncation_and_imperatives():
    assert shape("Solana and Base are now connected through a new..")['ends with ".."'] == 1.0
    assert shape("Strategy's reserve is a talking point again…")['ends with "..." or "…"'] == 1.0
    assert shape("Join Now")["opens with an imperative"] == 1.0
    assert shape("Bitcoin rose 3% to $64,000.")["opens with an imperative"] == 0.0


def test_shape_sees_tickers_urls_and_prefixes():
    assert shape("Join the $BFX presale today")["$TICKER"] == 1.0
    assert shape("https://example.com/a-story")["only a URL"] == 1.0
    assert shape("Read more: Ether slips")['opens with "Word:"'] == 1.0
    assert shape("$82,018.00")["number only"] == 1.0


def shape_vectors(texts):
    """shape_vector of each line, as the float64 rows shape_rows must reproduce bit for bit."""
    return np.array([shape_vector(t) for t in texts], dtype=np.float64).reshape(len(texts), len(SHAPE_NAMES))


def assert_same_bits(rows, expected):
    assert rows.dtype == np.float64 and rows.shape == expected.shape
    differing = [SHAPE_NAMES[c] for c in np.flatnonzero((rows != expected).any(axis=0))]
    assert np.array_equal(rows, expected) and rows.tobytes() == expected.tobytes(), differing


def test_shape_rows_match_shape_vector_on_every_line_of_the_data():
    lines = (normalize(line["text"]) for record in DATA.read_text(encoding="utf-8").splitlines()
             for line in json.loads(record)["lines"])
    texts = [t for t in lines if t]
    assert len(texts) > 10_000
    assert_same_bits(shape_rows(texts), shape_vectors(texts))


# Pieces that set shape features, and characters that test the edges of the batched version: astral code points,
# lone surrogates, the marks that separate lines, characters that lower to several or to ASCII, and line breaks.
SHAPE_PIECES = [
    "www.", ".com", ".CO/", "http://", "HTTPS://x", "You", "you'll", "YOUR", "©", "All Rights Reserved", "Copyright",
    "$BTC", "$ 5", "€3", "1999", "2024", "٣", "...", "..", "…", "»", "“", "”", "'", '"', ")", "İ", "Σ", "K", "ſ", "🚀",
    "\U0001F600", "\ud800", "\udfff", "\x02", "\x03", "\t", "\r", "\n", "- ", "• ", "12) ", "— ", "#", "|", "·",
    "Read more: ", "<a href>", "&amp;", "{{", "document.", ">>", "→", "@handle", "%", "Join", "JOIN", "don't", "_",
    "-", "Биткоин", "中文", " ", ". ", "! ", "? ",
]
any_character = st.characters(exclude_categories=())  # surrogates too
shape_piece = st.one_of(
    any_character, st.characters(categories=["Cs"]), st.sampled_from(SHAPE_PIECES), st.text(any_character, max_size=4)
)
shape_line = st.lists(shape_piece, max_size=12).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(shape_line, max_size=8))
@example(texts=["İİİİ", "you", "Copyright"])  # "İ" lowers to two characters, shifting the lines after it
@example(texts=["", "\ud800", "🚀 x", "\x02\x03"])
def test_shape_rows_match_shape_vector_on_any_lines(texts):
    assert_same_bits(shape_rows(texts), shape_vectors(texts))


def test_content_tokens_drop_stop_words_and_find_names():
    words, names = content_tokens("The Bank of England said Breeden will speak")
    assert "the" not in words and "england" in words
    assert {"bank", "england", "breeden"} <= names


def test_context_sees_position_and_shared_names():
    texts = ["Harbor Bank pilots tokenized deposits", "Harbor Bank will run the pilot", "Ether slips on Pectra vote.."]
    shapes = np.array([shape_vector(t) for t in texts], dtype=np.float32)
    proba = np.array([[0.9, 0.05, 0.02, 0.01, 0.02]] * 2 + [[0.2, 0.1, 0.6, 0.05, 0.05]])
    rows = context_matrix(texts, shapes, proba, 0)
    col = {name: i for i, name in enumerate(context_names(LABELS))}
    assert rows.shape == (3, len(col))
    assert rows[2, col["lines after"]] == 0 and rows[0, col["lines before"]] == 0
    assert rows[1, col["share of names in the article"]] > rows[2, col["share of names in the article"]]


def reference_context(texts, shapes, proba, editorial_column):
    """context_matrix of one document, line by line in plain Python."""
    n, k = proba.shape
    editorial = proba[:, editorial_column]
    junk = 1.0 - editorial
    tokens = [content_tokens(t) for t in texts]
    word_weight, name_weight, lead = Counter(), Counter(), set()
    for (words, names), w in zip(tokens, editorial):
        word_weight.update(dict.fromkeys(words, w))
        name_weight.update(dict.fromkeys(names, w))
    for (words, names), w in zip(tokens, editorial):
        if w >= 0.5 and len(lead) < LEAD_NAMES:
            lead |= names
    median = np.median(shapes[:, 0])

    def shared(items, weight, i):
        return sum(min(1.0, weight[t] - editorial[i]) for t in items) / len(items) if items else -1.0

    rows = []
    for i, (words, names) in enumerate(tokens):
        after, before = list(junk[i + 1 :]), list(junk[:i])
        sure_above = [j for j in range(i) if junk[j] >= SURE_JUNK]
        rows.append([
            *proba[i],
            *[junk[i + o] if 0 <= i + o < n else -1.0 for o in CONTEXT_OFFSETS],
            *(proba[i - 1] if i > 0 else [-1.0] * k),
            *(proba[i + 1] if i + 1 < n else [-1.0] * k),
            sum(after) / len(after) if after else -1.0,
            min(after) if after else -1.0,
            sum(before) / len(before) if before else -1.0,
            math.log1p(len(after)),
            math.log1p(i),
            i / max(n - 1, 1),
            math.log1p(n),
            shared(words, word_weight, i),
            shared(names, name_weight, i),
            len(words),
            len(names),
            len(words & tokens[i - 1][0]) / len(words) if words and i > 0 else 0.0,
            len(words & tokens[i + 1][0]) / len(words) if words and i + 1 < n else 0.0,
            texts.count(texts[i]) - 1,
            shapes[i, 0] - median,
            math.log1p(i - sure_above[-1] - 1) if sure_above else -1.0,
            sum(j >= i - 6 for j in sure_above),
            len(names & lead) / len(names) if names else -1.0,
        ])
    return np.array(rows, dtype=np.float32)


def test_context_of_a_batch_matches_each_document_read_alone():
    documents = [
        ["Harbor Bank pilots tokenized deposits", "Harbor Bank will run the pilot", "Ether slips on Pectra vote..",
         "Join"],
        ["Only line of a story about Solana"],
        [],
        ["Join Now", "$$$ ---", "Join Now", "Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj",
         "Olivia Peggy and Alice met Victor", "Read more: Walter Bob", "Walter and Trent", "Join Now", "Биткоин вырос"],
        ["Bitcoin rose 3% on Monday.", "Join Now", "Bitcoin rose 3% on Monday.", "Ether fell 2% as ETF flows stalled."],
    ]
    # Editorial scores that fill the lead, make sure junk, and fall in between.
    editorial = [
        [0.9, 0.7, 0.1, 0.2], [0.5], [], [0.1, 0.05, 0.15, 0.9, 0.8, 0.3, 0.6, 0.02, 0.5], [0.95, 0.1, 0.4, 0.7]
    ]
    rng = np.random.default_rng(0)
    proba = [np.column_stack([e, rng.dirichlet(np.ones(4), len(e)) * (1 - np.array(e))[:, None]]) for e in editorial]
    shapes = [np.array([shape_vector(t) for t in d], dtype=np.float32).reshape(-1, len(SHAPE_NAMES)) for d in documents]
    texts = [t for doc in documents for t in doc]
    batch = context_rows(texts, np.vstack(shapes), np.vstack(proba), [len(doc) for doc in documents], 0)
    read_alone = [(doc, s, p) for doc, s, p in zip(documents, shapes, proba) if doc]  # empty: no rows
    assert np.array_equal(batch, np.vstack([context_matrix(doc, s, p, 0) for doc, s, p in read_alone]))
    reference = np.vstack([reference_context(doc, s, p, 0) for doc, s, p in read_alone])
    np.testing.assert_allclose(batch, reference, rtol=0, atol=1e-6)


def test_hashed_features_of_a_line_do_not_depend_on_its_batch():
    # Lines are cached by text, so a line's features must be the same in any batch and at any position.
    lines = ["Read more: Ether slips as ETF flows stall..", "Bitcoin rose 3% on Monday.", "Join the $BFX presale"]
    features = LineFeatures().fit(lines * 3)
    alone = features.transform([lines[0]]).toarray()
    among = features.transform([lines[2], lines[1], lines[0]]).toarray()
    assert np.array_equal(alone[0], among[2])
    assert not np.array_equal(among[0], among[2])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.sampled_from([5, 17, 31]),  # 40 lines << 31 bits passes 2**32: the keys stay 64-bit
    st.lists(st.tuples(st.integers(0, 39), st.integers(0, 2**31 - 1)), max_size=300),
    st.booleans(),
)
def test_tf_idf_counts_match_summing_duplicates(n_rows, bits, pairs, weighted):
    # Counting runs of sorted (line, column) keys must give exactly what summing the duplicates of
    # the pairs gives, in CSR order, and leave out columns whose idf is 0.
    pairs = [(row % n_rows, col % (1 << bits)) for row, col in pairs]
    rows = [np.array([r for r, _ in pairs], dtype=np.int64)]
    cols = [np.array([c for _, c in pairs], dtype=np.int64)]
    weighted = weighted and bits < 31  # an idf array of 2**31 columns would take 8 GB
    idf = np.random.default_rng(len(pairs)).choice([0.0, 0.5, 2.0], 1 << bits).astype(np.float32) if weighted else None
    got = _tf_idf(rows, cols, n_rows, bits, idf)
    expected = sparse.coo_matrix(
        (np.ones(len(pairs), dtype=np.float32), (rows[0], cols[0])), shape=(n_rows, 1 << bits)
    ).tocsr()
    expected.sum_duplicates()
    expected.data = 1.0 + np.log(expected.data)
    if idf is not None:
        expected.data *= idf[expected.indices]
        expected.eliminate_zeros()
    assert got.dtype == np.float32 and got.shape == expected.shape
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices)
    assert np.array_equal(got.data, expected.data)


def test_feature_names_read_the_columns_a_line_sets():
    features = LineFeatures().fit(["Ether slips..", "Solana gains..", "Bitcoin rose."] * 3)
    row = features.transform(["Ether slips.."])
    names = features.names_in("Ether slips..")
    set_names = {names[c] for c, value in zip(row.indices, row.data) if value > 0}
    assert {'word ".."', 'word "slips"', '"s.."'} <= set_names
    assert "ends with \"..\"" in set_names


def test_a_rare_shape_flag_is_not_blown_up_by_its_scaling():
    # Three lines in 600 hold a "!": scaled by their spread alone, the flag would read about 14 and
    # outweigh every word of a line in the linear model.
    lines = ["Bitcoin rose 3% on Monday.", "Ether slipped 2% as ETF flows stalled"] * 300
    lines[:3] = ["Don't miss out! Join now.", "We did it! she wrote.", "Huge news! Staking is live."]
    features = LineFeatures().fit(lines)
    scaled_shapes = features.transform(["Hurry! Only 48 hours left."]).toarray()[0, -len(SHAPE_NAMES) :]
    assert scaled_shapes[SHAPE_NAMES.index("exclamation")] == 1 / MIN_SHAPE_SCALE
    # A common flag is still scaled by its own spread.
    ends = shape_rows(lines)[:, SHAPE_NAMES.index("ends with period")]
    assert math.isclose(features.shape_scale_[SHAPE_NAMES.index("ends with period")], ends.std(), rel_tol=1e-6)


def test_features_accept_any_code_point():
    odd = ["\ud800 lone surrogate", "emoji 🚀🚀 and \U0001F600", "\x00\x02\x03 control", "İstanbul ǅ ß"]
    features = LineFeatures().fit(odd * 3)
    assert features.transform(odd).shape[0] == len(odd)
