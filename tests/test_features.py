import numpy as np

from filter.features import SHAPE_NAMES, LineFeatures, content_tokens, context_matrix, context_names, shape_vector
from filter.labels import LABELS


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


def test_hashed_features_of_a_line_do_not_depend_on_its_batch():
    # Lines are cached by text, so a line's features must be the same in any batch and at any position.
    lines = ["Read more: Ether slips as ETF flows stall..", "Bitcoin rose 3% on Monday.", "Join the $BFX presale"]
    features = LineFeatures().fit(lines * 3)
    alone = features.transform([lines[0]]).toarray()
    among = features.transform([lines[2], lines[1], lines[0]]).toarray()
    assert np.array_equal(alone[0], among[2])
    assert not np.array_equal(among[0], among[2])


def test_feature_names_read_the_columns_a_line_sets():
    features = LineFeatures().fit(["Ether slips..", "Solana gains..", "Bitcoin rose."] * 3)
    row = features.transform(["Ether slips.."])
    names = features.names_in("Ether slips..")
    set_names = {names[c] for c, value in zip(row.indices, row.data) if value > 0}
    assert {'word ".."', 'word "slips"', '"s.."'} <= set_names
    assert "ends with \"..\"" in set_names


def test_features_accept_any_code_point():
    odd = ["\ud800 lone surrogate", "emoji 🚀🚀 and \U0001F600", "\x00\x02\x03 control", "İstanbul ǅ ß"]
    features = LineFeatures().fit(odd * 3)
    assert features.transform(odd).shape[0] == len(odd)
