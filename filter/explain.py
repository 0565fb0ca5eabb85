"""Short reasons for each decision, read off the model's own features."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from .features import context_names
from .labels import LABELS, Label

EDITORIAL = LABELS.index(Label.EDITORIAL)
#: How many line features a reason names.
TOP_FEATURES = 2


class Explainer:
    """Turns stage-one weights and stage-two context into a few words per line."""

    def __init__(self, model):
        self.model = model
        self.context_columns = {name: i for i, name in enumerate(context_names(LABELS))}

    def annotate(self, results, scored) -> list:
        if not results:
            return results
        X = self.model.vectorizer_.transform_with_shapes(scored.texts, scored.shapes)
        coef = self.model.stage1_.coef_
        classes = list(self.model.stage1_.classes_)
        if len(classes) == 2:  # one row of weights, for the second class against the first
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        out = []
        for row, (result, ctx) in enumerate(zip(results, scored.context)):
            label = result.label
            if label is Label.EDITORIAL:
                rival = max((c for c in classes if c != EDITORIAL), key=lambda c: scored.stage1[row, c])
                direction = coef[classes.index(EDITORIAL)] - coef[classes.index(rival)]
            else:
                direction = coef[classes.index(LABELS.index(label))] - coef[classes.index(EDITORIAL)]
            x = X.getrow(row)
            contributions = x.data * direction[x.indices]
            order = np.argsort(-contributions)[:TOP_FEATURES]
            names = self.model.vectorizer_.names_in(scored.texts[row])
            words = [names.get(int(x.indices[i]), "?") for i in order if contributions[i] > 0]
            words += self._context_words(ctx, label)
            out.append(replace(result, reason="; ".join(words)))
        return out

    def _context_words(self, ctx: np.ndarray, label: Label) -> list[str]:
        col = self.context_columns
        words = []
        shared = ctx[col["share of words in the article"]]
        if shared >= 0:
            words.append("shares no words with the article" if shared == 0 else f"shares {shared:.0%} of its words with the article")
        after = int(round(np.expm1(ctx[col["lines after"]])))
        before = int(round(np.expm1(ctx[col["lines before"]])))
        if after == 0:
            words.append("last line")
        elif after < 5:
            words.append(f"{after + 1} lines from the end")
        elif before < 3:
            words.append(f"line {before + 1} from the top")
        prev, nxt = ctx[col["junk score of line -1"]], ctx[col["junk score of line +1"]]
        around = [v for v in (prev, nxt) if v >= 0]
        if around:
            mean = float(np.mean(around))
            if mean >= 0.7:
                words.append("next to junk")
            elif mean <= 0.2 and label.is_junk:
                words.append("next to editorial lines")
        copies = int(ctx[col["copies in document"]])
        if copies:
            words.append(f"repeated {copies + 1}× in the document")
        return words
