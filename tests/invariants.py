"""The cleaning invariants shared by the property tests and the fuzz script."""
import re


def nonblank(text: str) -> list[str]:
    """A document's non-blank lines, without their line endings ("\\r\\n", "\\n", "\\r", U+2028, U+2029)."""
    return [line for line in re.split("\r\n|[\n\r\u2028\u2029]", text) if line.strip()]


def lines_in_order(output: list[str], source: list[str]) -> bool:
    """Every output line is a source line (or a prefix of one, for glued cuts), in source order.

    >>> lines_in_order(["a", "c"], ["a", "b", "cd"]), lines_in_order(["b", "a"], ["a", "b"])
    (True, False)
    """
    lines = iter(source)
    return all(any(s == o or (o and s.startswith(o)) for s in lines) for o in output)
