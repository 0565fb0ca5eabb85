"""Other cleaners to compare promo-filter with, each as a function text -> cleaned text.

jusText and trafilatura work on HTML, so each non-blank line is wrapped in <p> as
its own paragraph. The C4 line rules are written here from their published
description. An anchor that is not installed raises ImportError.
"""
from __future__ import annotations

import html
from typing import Callable

NAMES = ("justext", "trafilatura", "c4")


def as_html(text: str) -> str:
    return "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip()) + "</body></html>"


def c4_rules(text: str) -> str:
    """Keep lines that end in terminal punctuation and have at least five words, except lines that
    mention javascript or cookies or hold a curly brace (the C4 line filter)."""
    kept = []
    for line in text.split("\n"):
        stripped = line.strip()
        lowered = stripped.lower()
        if (stripped.endswith((".", "!", "?", '"', "”")) and len(stripped.split()) >= 5
                and "javascript" not in lowered and "cookie" not in lowered and "{" not in stripped):
            kept.append(line)
    return "\n".join(kept)


def cleaner(name: str) -> Callable[[str], str]:
    if name == "justext":
        import justext

        stop = justext.get_stoplist("English")
        return lambda text: "\n".join(p.text for p in justext.justext(as_html(text), stop) if not p.is_boilerplate)
    if name == "trafilatura":
        import trafilatura

        return lambda text: trafilatura.extract(as_html(text)) or ""
    if name == "c4":
        return c4_rules
    raise ValueError(f"unknown anchor {name!r}")
