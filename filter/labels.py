"""The five line labels."""
from __future__ import annotations

from enum import Enum


class Label(str, Enum):
    """What a line of a scraped article is.

    >>> Label("teaser").is_junk
    True
    >>> Label.EDITORIAL.is_junk
    False
    """

    EDITORIAL = "editorial"
    AD = "ad"
    TEASER = "teaser"
    CTA = "cta"
    BOILERPLATE = "boilerplate"

    @property
    def is_junk(self) -> bool:
        return self is not Label.EDITORIAL

    def __str__(self) -> str:
        return self.value


#: Fixed class order used by the model's probability columns.
LABELS: tuple[Label, ...] = tuple(Label)
JUNK_LABELS: tuple[Label, ...] = tuple(label for label in Label if label.is_junk)


def parse_labels(names: str | list[str] | tuple[str, ...]) -> frozenset[Label]:
    """Parse label names given as "a,b" or a list into a set of labels.

    >>> sorted(parse_labels("boilerplate, cta"))
    [<Label.BOILERPLATE: 'boilerplate'>, <Label.CTA: 'cta'>]
    """
    if isinstance(names, str):
        names = [names]
    out = set()
    for item in names:
        for name in item.split(","):
            name = name.strip().lower()
            if name:
                try:
                    out.add(Label(name))
                except ValueError:
                    choices = ", ".join(label.value for label in Label)
                    raise ValueError(f"unknown label {name!r}; choose from {choices}") from None
    return frozenset(out)
