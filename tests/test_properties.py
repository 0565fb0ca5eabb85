"""Invariants of cleaning on arbitrary documents (hypothesis).

Documents mix arbitrary Unicode lines with realistic editorial and junk lines,
random line endings and blank-line layouts, so the model removes something in
many of them.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import lines_in_order, nonblank

EDITORIAL = [
    "Bitcoin (BTC) rose 2.1% to $67,410 on Tuesday as spot ETF inflows resumed.",
    "“We are not done yet,” said Lena Ortiz, head of research at Parcel Capital.",
    "## What comes next",
    "- Staking yield: 4.1%",
    "The regulator said the presale’s promise of “100x gains” was a red flag.",
    "Time will tell.",
    "مرحبا بالعالم، هذا سطر من مقال.",
    "Ethereum developers pushed the upgrade to March 🚀",
]
JUNK = [
    "Join Now",
    "Read more: Solana validators vote on fee burn changes..",
    "Don’t miss the $KRAT presale: 90% sold, buy before the price rises!",
    "Disclaimer: This article is not investment advice. Do your own research.",
    "Image: Shutterstock",
    "Sign up for our newsletter and never miss a story.",
    "© 2026 Coinmorrow Media. All rights reserved.",
]

unicode_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=120
)
line = st.one_of(st.sampled_from(EDITORIAL), st.sampled_from(JUNK), unicode_line, st.just(""), st.just("   \t"))


@st.composite
def documents(draw):
    lines = draw(st.lists(line, max_size=14))
    breaks = ["\n", "\r\n", "\n", "\r\n", "\r", "\u2028"]
    endings = draw(st.lists(st.sampled_from(breaks), min_size=len(lines), max_size=len(lines)))
    text = "".join(l + e for l, e in zip(lines, endings))
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n\u2028")  # no final line break
    return text


PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@PROPERTY
@given(text=documents())
def test_output_lines_are_input_lines_in_order(cleaner, text):
    assert lines_in_order(nonblank(cleaner.clean(text)), nonblank(text))


@PROPERTY
@given(text=documents())
def test_cleaning_is_idempotent(cleaner, text):
    once = cleaner.clean(text)
    assert cleaner.clean(once) == once


@PROPERTY
@given(text=documents())
def test_nothing_removed_means_byte_identical(cleaner, text):
    results = cleaner.classify(text)
    if all(r.kept and r.cut_at is None for r in results):
        assert cleaner.clean(text) == text


@PROPERTY
@given(
    lines=st.lists(st.sampled_from(EDITORIAL[:6]), min_size=1, max_size=8, unique=True),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    blank=st.booleans(),
)
def test_article_without_junk_comes_back_byte_identical(cleaner, lines, crlf, final_newline, blank):
    eol = "\r\n" if crlf else "\n"
    text = (eol * 2 if blank else eol).join(lines) + (eol if final_newline else "")
    assert cleaner.clean(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        " \t \r\n  \n",
        "\x00\x01\x02 control \x1b[31m characters \x7f",
        "one\r\ntwo\nthree\r\n\r\nfour",
        "no final newline",
        "שלום עולם. זהו מאמר בעברית.\nمرحبا بالعالم\n",
        "🚀🚀🚀 To the moon 🌕\n💎🙌\n",
        "\ufeffByte order mark at the start\n",
        "\u2028line separator\u2029paragraph separator\x85next line\n",
        "x" * 5_000_000,
        ("A long paragraph with sentences. " * 2000) + "Join Now",
    ],
    ids=["empty", "newline", "whitespace", "control", "mixed-endings", "no-final-newline", "rtl", "emoji", "bom",
         "unicode-separators", "5MB-line", "long-line-with-glued-cta"],
)
def test_awkward_inputs_do_not_crash_and_keep_invariants(cleaner, text):
    once = cleaner.clean(text)
    assert lines_in_order(nonblank(once), nonblank(text))
    assert cleaner.clean(once) == once
