from filter.clean import LineResult
from filter.data import LabeledDocument
from filter.evaluate import evaluate_glued
from filter.labels import Label

E, CTA = Label.EDITORIAL, Label.CTA
HEAD = "Gold rose 2% on Friday."
DOC = LabeledDocument("d", "", ("Traders cited jobs data.", HEAD, "Join the presale now!"), (E, E, CTA))


class Decides:
    """A stand-in cleaner that decides the glued line (index 1) one fixed way."""

    def __init__(self, kept: bool, cut_at: int | None):
        self.kept, self.cut_at = kept, cut_at

    def classify_many(self, texts):
        for text in texts:
            lines = text.split("\n")
            yield [LineResult(i, line, E, 0.9, 0.1, True) for i, line in enumerate(lines) if i != 1] + [
                LineResult(1, lines[1], E, 0.9, 0.1, self.kept, cut_at=self.cut_at)
            ]


def test_glued_counts_an_exact_cut():
    assert evaluate_glued(Decides(True, len(HEAD)), [DOC]) == {"documents": 1, "exact": 1.0, "head_lost": 0.0}


def test_glued_counts_junk_left_on_as_not_exact_but_nothing_lost():
    assert evaluate_glued(Decides(True, None), [DOC]) == {"documents": 1, "exact": 0.0, "head_lost": 0.0}


def test_glued_counts_a_removed_line_or_a_short_cut_as_lost():
    assert evaluate_glued(Decides(False, None), [DOC])["head_lost"] == 1.0
    assert evaluate_glued(Decides(True, 5), [DOC])["head_lost"] == 1.0


def test_glued_after_a_space_keeps_the_space_out_of_the_head():
    result = evaluate_glued(Decides(True, len(HEAD)), [DOC], joiner=" ")
    assert result == {"documents": 1, "exact": 1.0, "head_lost": 0.0}
