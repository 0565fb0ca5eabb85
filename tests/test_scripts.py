"""Scripts: a document written in a script the model has read no article in keeps its text in that script."""
from filter import Cleaner
from filter.scripts import MIN_EDITORIAL_LINES, editorial_scripts, letters_by_script, main_script

RUSSIAN_WITH_PRESALE = "\n".join([
    "Курс рубля к юаню на Мосбирже в среду почти не изменился и составил 11,2 рубля.",
    "Экспортёры продолжили продавать валютную выручку перед налоговым периодом, отметили аналитики.",
    "Правительство обсудит новые требования к продаже выручки на следующей неделе.",
    "Buy $GRAVEL before the presale ends and claim a 40% launch bonus!",
    "Join Now",
])


def test_main_script_counts_letters_not_punctuation():
    assert main_script("Цена BTC выросла до $97 000") == "Cyrillic"
    assert main_script("Bitcoin “rose” 3% — a week’s high") == "Latin"
    assert main_script("比特币价格上涨") == "Han"
    assert main_script("12:30 | 5% | $97,000") is None
    assert main_script("") is None


def test_disguised_latin_letters_are_latin():
    # Ads spell words in fullwidth or mathematical bold letters to stand out.
    assert main_script("𝐉𝐨𝐢𝐧 𝐍𝐨𝐰") == "Latin"
    assert main_script("ＢＵＹ ＮＯＷ") == "Latin"
    assert letters_by_script("Crème brûlée") == {"Latin": 11}


def test_a_script_counts_once_enough_editorial_lines_use_it():
    english = ["Stocks rose on Monday."] * 40
    greek = ["Οι μετοχές ανέβηκαν τη Δευτέρα."]
    assert editorial_scripts(english + greek * (MIN_EDITORIAL_LINES - 1)) == ["Latin"]
    assert editorial_scripts(english + greek * MIN_EDITORIAL_LINES) == ["Greek", "Latin"]


def test_lines_in_anunread_script_stay_and_known_junk_goes(cleaner):
    out = cleaner.clean(RUSSIAN_WITH_PRESALE).split("\n")
    assert out == RUSSIAN_WITH_PRESALE.split("\n")[:3]
    reasons = [r.reason for r in cleaner.classify(RUSSIAN_WITH_PRESALE)]
    assert all("a script the model has read no article in" in reason for reason in reasons[:3])


def test_the_shipped_model_alone_reads_them_as_junk(cleaner):
    # The guard is what keeps them: with a card saying the model has read Cyrillic, the shipped
    # model, which saw Cyrillic only in scraper furniture, scores every line of the article as junk
    # (and the document is then kept whole only because removing them all would empty it).
    trusting = Cleaner({"model": cleaner.model, "punkt": cleaner.punkt}, {**cleaner.card, "editorial_scripts": ["Cyrillic", "Latin"]})
    results = trusting.classify(RUSSIAN_WITH_PRESALE)
    assert all(r.junk >= trusting.threshold for r in results[:3])
    assert not any("read no article in" in r.reason for r in results)


def test_english_documents_with_a_line_in_another_script_are_decided_as_usual(cleaner):
    text = "\n".join([
        "Bitcoin rose 4% on Tuesday as spot ETF inflows reached their highest level in a month.",
        "Traders said the move came after softer inflation data lowered expectations for rate rises.",
        "Автор: Редакция | Дата: 12 мая",
        "Join the $GRAVEL presale today and secure your chance for 100x gains!",
    ])
    assert cleaner.unread_script(text) is None
    assert "Join the $GRAVEL presale today and secure your chance for 100x gains!" not in cleaner.clean(text)
