"""Build data/promo-filter.jsonl from the hand-written pieces in data/sources/.

Each article in sources/articles-*.jsonl becomes one document. Most documents
get junk the way scraping sites add it: a tail (teasers, ads and their calls to
action, disclaimers, bios, newsletter prompts), furniture at the top (bylines,
tags, price widgets, countdown banners) and inserts between paragraphs (chart
credits, "Read more:" links, promo links, other stories' lead paragraphs).
About a fifth stay clean. Teasers are also made from the headlines and leads of
other articles, as sites do. Junk units and articles are split into train and
test by the same id hash, so test documents carry only junk the model never saw.

Usage: python data/build.py  (deterministic; rewrites data/promo-filter.jsonl)
       python data/build.py --seed TEXT --out PATH  (the same pieces, drawn and laid out anew)

The draw itself moves a trained model's figures about as much as the training seed does,
so a change to the sources is best judged on two or more draws (see data/README.md).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from filter.data import document_record, split_of  # noqa: E402
from filter.labels import Label  # noqa: E402

SEED = "promo-filter-1"
OUT = HERE / "promo-filter.jsonl"
CLEAN_SHARE = 0.22
TOP_SHARE = 0.38
MIDDLE_SHARE = 0.55
#: Share of tails that open with an author box: the bio, sometimes printed more than once.
AUTHOR_BOX_SHARE = 0.25
TAIL_SHARE = 0.85

TOP_KINDS = ["byline", "byline", "metadata", "metadata", "tags", "own-tags", "nav", "share", "price", "bio", "disclaimer",
             "announcement", "countdown", "video", "editor_note", "about"]
MIDDLE_KINDS = ["credit", "credit", "credit", "teaser:prefixed", "teaser:derived-prefixed", "ad:promo_link", "lead-block",
                "video", "newsletter", "social", "metadata", "ad:short_ad", "widget", "teaser:dek", "teaser:headline_dek",
                "ad:promo_link", "ad+cta", "cta:short", "cta:branded"]
TAIL_BLOCKS = ["teaser-list", "teaser-list", "truncated", "truncated", "ad+cta", "ad+cta", "boiler-chain", "boiler-chain",
               "boiler-chain", "cta", "cta", "summaries", "ad", "lead-block", "deks", "story-cards", "story-cards"]
BOILER_TAIL = ["disclaimer", "disclaimer", "disclosure", "bio", "bio", "newsletter", "social", "tags", "own-tags", "copyright",
               "url", "nav", "share", "announcement", "cookie", "metadata", "byline", "credit", "about", "notice",
               "editor_note", "video"]
#: Share of documents whose paragraphs citing a data source get a credit line for it.
OWN_CREDIT_SHARE = 0.35
#: Share of pages scraped with their whole content printed again (mobile and desktop copies, AMP
#: fallbacks): the article's lines then appear twice and are still editorial.
DOUBLED_SHARE = 0.06
#: Share of tails that are one short unit: many sites end every article with just a disclaimer,
#: an author line or one prompt, right after the last paragraph.
SHORT_TAIL_SHARE = 0.25
SHORT_TAIL_KINDS = ["disclaimer", "disclaimer", "disclaimer", "disclosure", "disclosure", "bio", "bio", "about", "newsletter",
                    "social", "notice", "copyright", "editor_note", "cta:cta", "cta:longer", "teaser:prefixed",
                    "ad:any_promo", "ad:presale"]
#: Sites often print a block twice or three times (carousels, sticky footers, repeated bios).
REPEAT_SHARE = 0.12
#: Share of articles that open with a summary box ("In Brief:" and a few points from the article itself),
#: and share with a section label ending in a colon ("Why it matters:") above a paragraph. Both are
#: editorial lines shaped like the "Related:" and "Tags:" furniture the junk has plenty of.
BRIEF_SHARE = 0.12
LABEL_SHARE = 0.12
BRIEF_HEADERS = ["In Brief:", "In brief:", "Key Takeaways:", "Key takeaways:", "Key points:", "At a glance:",
                 "TL;DR:", "The short version:", "Summary:", "Highlights:", "Quick take:", "In short:",
                 "What you need to know:", "The gist:"]
SECTION_LABELS = ["Why it matters:", "What happened:", "What's next:", "The background:", "By the numbers:",
                  "The bottom line:", "Context:", "What they said:", "Between the lines:", "The big picture:",
                  "Zoom in:", "Yes, but:", "The other side:", "Go deeper:", "Catch up quick:", "Flashback:"]
BULLETS = ["", "- ", "• ", "* "]
PREFIXES = ["Read more:", "Related:", "Also Read:", "READ MORE:", "See also:", "Related Reading:", "More:",
            "Recommended:", "You may also like:", "ALSO READ:", "Read also:", "RELATED:", "Must read:", "Trending:"]
STOP_CAPS = {"The", "This", "That", "These", "Those", "But", "And", "For", "With", "What", "Why", "How", "When", "Where",
             "Who", "Its", "His", "Her", "Their", "Our", "One", "Two", "Three", "Some", "Many", "Most", "After", "Before",
             "While", "Still", "Yet", "Data", "According", "Analysts", "Traders", "Investors"}
SOURCE_CITED = re.compile(r"(?:[Aa]ccording to|[Dd]ata from|[Ff]igures from|[Ss]hown by|[Cc]hart from|[Pp]er) "
                          r"(?:the |analytics firm |data provider |on-chain analytics platform )?([A-Z][\w.]+(?: [A-Z][\w.]+)?)")
CREDIT_FORMS = ["Source: {name}", "Source: {name}", "Source: {name}", "Chart: {name}", "Data: {name}",
                "Image: {name}", "{coin}/USD daily chart. Source: {name}", "Source: {name} / TradingView",
                "Image source: {name}", "{coin} price chart | Source: {name}", "(Source: {name})"]
ELLIPSES = ["..", "..", "…", "...", " ...", "…", "[…]"]
COINS = ["BTC", "ETH", "SOL", "XRP", "BNB", "DOGE", "ADA", "TRX", "AVAX", "LINK", "TON", "SHIB", "DOT", "LTC", "NEAR",
         "UNI", "APT", "ARB", "OP", "PEPE", "SUI", "ATOM", "XLM", "FIL", "HBAR", "ICP", "INJ", "RNDR", "TIA", "SEI"]


def unit_split(unit: dict) -> str:
    return split_of("unit:" + "\n".join(unit["lines"]))


def load_sources():
    articles, units = [], defaultdict(lambda: defaultdict(list))
    for path in sorted((HERE / "sources").glob("articles-*.jsonl")):
        articles += [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    for path in sorted((HERE / "sources").glob("junk-*.jsonl")):
        for line in path.open(encoding="utf-8"):
            if line.strip():
                unit = json.loads(line)
                units[unit_split(unit)][(unit["label"], unit["kind"])].append(unit)
    return articles, units


def body_lines(article) -> list[tuple[str, Label]]:
    """An article's lines with their labels: editorial, except the lines its site prints under every
    announcement (risk warnings, "Thank you for your support.", the team's signature), listed in
    the article's "boilerplate" field."""
    boilerplate = set(article.get("boilerplate", ()))
    return [(line, Label.BOILERPLATE if i in boilerplate else Label.EDITORIAL) for i, line in enumerate(article["lines"])]


class Composer:
    """Adds junk to one article; everything it draws comes from the article's own split."""

    def __init__(self, article, pool, others, rng, seed: str):
        self.article, self.pool, self.others, self.rng, self.seed = article, pool, others, rng, seed

    def unit(self, label: str, kind: str | None = None) -> list[tuple[str, Label]]:
        keys = [k for k in self.pool if k[0] == label and (kind is None or k[1] == kind)]
        if not keys:
            keys = [k for k in self.pool if k[0] == label]
        unit = self.rng.choice(self.pool[self.rng.choice(keys)])
        return [(text, Label(label)) for text in unit["lines"]]

    def kind(self, name: str) -> list[tuple[str, Label]]:
        if name == "countdown":
            return self.unit("ad", "countdown")
        if name == "widget":
            return self.price_widget()
        if name == "lead-block":
            return self.lead_block()
        if name == "ad+cta":
            return self.unit("ad") + self.unit("cta")
        if name == "own-tags":
            return self.own_tags()
        if name == "teaser:derived-prefixed":
            return [(f"{self.rng.choice(PREFIXES)} {self.headline(self.other())}", Label.TEASER)]
        if ":" in name:
            label, kind = name.split(":")
            return self.unit(label, kind)
        return self.unit("boilerplate", name)

    # Teasers made from other articles of the same split.
    def other(self):
        same = [a for a in self.others if a["domain"] == self.article["domain"]]
        return self.rng.choice(same if same and self.rng.random() < 0.6 else self.others)

    @staticmethod
    def headline(article) -> str:
        return article["lines"][0].lstrip("# ").strip()

    @staticmethod
    def lead(article) -> list[str]:
        paragraphs = [t for t, label in body_lines(article)[1:] if label is Label.EDITORIAL]
        return [t for t in paragraphs if len(t) > 80 and not t.startswith(("#", "-", "•"))] or article["lines"][:1]

    def truncate(self, text: str) -> str:
        words = text.split()
        if len(words) < 6:
            return text + self.rng.choice(ELLIPSES)
        cut = self.rng.randint(5, min(len(words) - 1, 24))
        return " ".join(words[:cut]).rstrip(",;:") + self.rng.choice(ELLIPSES)

    def lead_block(self) -> list[tuple[str, Label]]:
        # Mostly one truncated lead; sometimes a full paragraph before it, as some sites print.
        paragraphs = self.lead(self.other())[: 1 if self.rng.random() < 0.75 else 2]
        lines = paragraphs[:-1] + [self.truncate(paragraphs[-1])]
        return [(line, Label.TEASER) for line in lines]

    def own_tags(self) -> list[tuple[str, Label]]:
        # Tag lines name the article's own subjects, so sharing names with the body is no proof of editorial.
        names = []
        for line in self.article["lines"]:
            for word in re.findall(r"\b[A-Z][A-Za-z0-9]+(?:\s[A-Z][A-Za-z0-9]+)?\b", line):
                if word not in names and len(word) > 2 and word.split()[0] not in STOP_CAPS:
                    names.append(word)
        if len(names) < 2:
            return self.unit("boilerplate", "tags")
        picked = self.rng.sample(names[:30], min(len(names[:30]), self.rng.randint(2, 6)))
        prefix = self.rng.choice(["Tags:", "Tags:", "TAGS:", "Topics:", "Related topics:", "Filed under:", "#", "Tagged:", ""])
        joiner = self.rng.choice([", ", ", ", " · ", " | ", " #"])
        body = joiner.join(picked)
        return [(f"{prefix} {body}".strip(), Label.BOILERPLATE)]

    def own_credits(self, doc: list[tuple[str, Label]]) -> None:
        # Chart credits name the data source the paragraph above just cited ("Source: CoinGlass"),
        # so a credit sharing names with the body is still a credit.
        for at in range(len(doc) - 1, 0, -1):
            text, label = doc[at]
            source = SOURCE_CITED.search(text) if label is Label.EDITORIAL else None
            if source and self.rng.random() < 0.5:
                name = source.group(1)
                credit = self.rng.choice(CREDIT_FORMS).format(name=name, coin=self.rng.choice(COINS))
                doc.insert(at + 1, (credit, Label.BOILERPLATE))

    def deks(self) -> list[tuple[str, Label]]:
        return [x for _ in range(self.rng.randint(2, 6)) for x in self.unit("teaser", "dek")]

    def story_cards(self) -> list[tuple[str, Label]]:
        out = []
        for _ in range(self.rng.randint(1, 4)):
            if self.rng.random() < 0.65:
                out += self.unit("teaser", self.rng.choice(["story_card", "headline_dek"]))
                continue
            # A card made from another article: its headline, then its first paragraphs, whole or cut.
            other = self.other()
            paragraphs = self.lead(other)[: self.rng.randint(1, 2)]
            card = ([self.headline(other)] if self.rng.random() < 0.7 else []) + paragraphs
            if self.rng.random() < 0.5:
                card[-1] = self.truncate(card[-1])
            out += [(line, Label.TEASER) for line in card]
        return out

    def teaser_list(self) -> list[tuple[str, Label]]:
        if self.rng.random() < 0.3:
            out = self.unit("teaser", "related_list")
        else:
            out = [(self.headline(self.other()), Label.TEASER) for _ in range(self.rng.randint(2, 8))]
        if self.rng.random() < 0.3:
            out.insert(0, (self.rng.choice(["Related", "Related News", "More News", "Read Next", "Latest", "You May Also Like", "Recommended Stories", "Trending Now"]), Label.BOILERPLATE))
        return out

    def truncated(self) -> list[tuple[str, Label]]:
        out = []
        for _ in range(self.rng.randint(1, 4)):
            source = self.rng.choice([self.headline(self.other()), self.lead(self.other())[0]])
            out.append((self.truncate(source), Label.TEASER))
        if self.rng.random() < 0.3:
            out += self.unit("teaser", "truncated")
        return out

    def summaries(self) -> list[tuple[str, Label]]:
        out = []
        for _ in range(self.rng.randint(2, 6)):
            first = re.split(r"(?<=[.!?])\s+", self.lead(self.other())[0])[0]
            # Related-post cards show a short dek; long first sentences get cut like excerpts.
            out.append((first if len(first) < 160 else self.truncate(first), Label.TEASER))
        return out

    def price_widget(self) -> list[tuple[str, Label]]:
        rng, out = self.rng, []
        style = rng.randrange(4)
        for coin in rng.sample(COINS, rng.randint(4, min(len(COINS), 24))):
            price = 10 ** rng.uniform(-5, 5)
            shown = f"${price:,.2f}" if price >= 1 else f"${price:.6f}"
            change = f"{rng.uniform(-12, 12):+.2f}%"
            if style == 0:
                out.append(shown)
            elif style == 1:
                out += [coin, shown]
            elif style == 2:
                out.append(f"{coin} {shown} {change}")
            else:
                out += [shown, change]
        if rng.random() < 0.5:
            out.insert(0, rng.choice(["Coin Prices", "Markets", "Price Ticker", "Live Prices", "Top Coins"]))
        return [(line, Label.BOILERPLATE) for line in out]

    def tail(self) -> list[tuple[str, Label]]:
        out = []
        if self.rng.random() < AUTHOR_BOX_SHARE:
            if self.rng.random() < 0.3:
                out.append((self.rng.choice(["About the author", "About the Author", "Author", "Written by", "The author"]), Label.BOILERPLATE))
            out += self.unit("boilerplate", "bio") * self.rng.choice([1, 1, 2, 3])
        for block in self.rng.sample(TAIL_BLOCKS, self.rng.randint(1, 4)):
            if block == "teaser-list":
                out += self.teaser_list()
            elif block == "truncated":
                out += self.truncated()
            elif block == "summaries":
                out += self.summaries()
            elif block == "ad+cta":
                out += self.unit("ad") + (self.unit("cta") if self.rng.random() < 0.9 else [])
            elif block == "ad":
                out += self.unit("ad")
            elif block == "lead-block":
                out += self.lead_block()
            elif block == "cta":
                out += self.unit("cta")
            elif block == "deks":
                out += self.deks()
            elif block == "story-cards":
                out += self.story_cards()
            else:
                for kind in self.rng.sample(BOILER_TAIL, self.rng.randint(1, 4)):
                    out += self.kind(kind)
        if out and self.rng.random() < REPEAT_SHARE:
            start = self.rng.randrange(len(out))
            block = out[start : start + self.rng.randint(1, 4)]
            out += block * self.rng.randint(1, 2)
        return out

    def compose(self) -> list[tuple[str, Label]]:
        rng = self.rng
        body = body_lines(self.article)
        if rng.random() < CLEAN_SHARE:
            return body + (body[rng.randrange(len(body)) :] if rng.random() < DOUBLED_SHARE else [])
        doc = list(body)
        if rng.random() < MIDDLE_SHARE and len(body) > 3:
            for _ in range(rng.randint(1, 5)):
                at = rng.randint(2, len(doc) - 1)
                doc[at:at] = self.kind(rng.choice(MIDDLE_KINDS))
        if rng.random() < OWN_CREDIT_SHARE:
            self.own_credits(doc)
        if rng.random() < TOP_SHARE:
            top = [x for _ in range(rng.randint(1, 3)) for x in self.kind(rng.choice(TOP_KINDS))]
            at = 1 if body[0][0].startswith("#") and rng.random() < 0.6 else 0
            doc[at:at] = top
        if rng.random() < TAIL_SHARE or doc == body:
            # Drawn apart from the article's main stream, so the other documents stay as they were.
            short = random.Random(f"{self.seed}:short-tail:{self.article['id']}")
            if short.random() < SHORT_TAIL_SHARE:
                piece = Composer(self.article, self.pool, self.others, short, self.seed)
                doc += piece.kind(short.choice(SHORT_TAIL_KINDS))
            else:
                doc += self.tail()
        if rng.random() < DOUBLED_SHARE:
            doc += doc[rng.randrange(len(doc) // 2) :]
        return doc


def add_briefs(doc: list[tuple[str, Label]], article: dict, rng) -> None:
    """Give some articles a summary box after the headline and a labelled section, both editorial."""
    paragraphs = [t for t in Composer.lead(article) if not t.startswith(("“", '"'))]
    first_body = next((i for i, (t, label) in enumerate(doc) if label is Label.EDITORIAL and not t.startswith("#")), None)
    if first_body is None or len(paragraphs) < 3:
        return
    if rng.random() < LABEL_SHARE:
        # The paragraph is drawn anew for each line it is compared with, so a label lands early in the
        # article or, now and then, nowhere. Drawing it once changes 61 documents, and two models trained
        # on that build cleaned fewer held-out real articles perfectly; so the draw stays as it is.
        at = next((i for i, (t, label) in enumerate(doc) if t == rng.choice(paragraphs[1:])), None)
        if at is not None:
            doc.insert(at, (rng.choice(SECTION_LABELS), Label.EDITORIAL))
    if rng.random() < BRIEF_SHARE:
        bullet = rng.choice(BULLETS)
        points = [re.split(r"(?<=[.!?])\s+", p)[0] for p in rng.sample(paragraphs, rng.randint(2, min(4, len(paragraphs))))]
        doc[first_body:first_body] = [(rng.choice(BRIEF_HEADERS), Label.EDITORIAL)] + [(bullet + p, Label.EDITORIAL) for p in points]


def layout(lines: list[tuple[str, Label]], rng) -> tuple[list[str], list[Label | None]]:
    """Lay lines out with the blank-line habit of a site: none, one between lines, or mixed."""
    style = rng.choices(["tight", "blank", "mixed"], [0.35, 0.5, 0.15])[0]
    texts, labels = [], []
    for i, (text, label) in enumerate(lines):
        if i and (style == "blank" or (style == "mixed" and rng.random() < 0.5)):
            texts.append("")
            labels.append(None)
        texts.append(text)
        labels.append(label)
    return texts, labels


def main(argv: list[str] = ()) -> None:
    parser = argparse.ArgumentParser(description="Build the training data from data/sources.")
    parser.add_argument("--seed", default=SEED, help=f"the draw (default {SEED!r}: data/promo-filter.jsonl)")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (default data/promo-filter.jsonl)")
    args = parser.parse_args(argv)
    seed, out = args.seed, args.out
    articles, units = load_sources()
    by_split = defaultdict(list)
    for article in articles:
        by_split[split_of(article["id"])].append(article)
    stats, hard = Counter(), 0
    with out.open("w", encoding="utf-8") as fh:
        for article in articles:
            split = split_of(article["id"])
            rng = random.Random(f"{seed}:{article['id']}")
            others = [a for a in by_split[split] if a["id"] != article["id"]]
            lines = Composer(article, units[split], others, rng, seed).compose()
            add_briefs(lines, article, random.Random(f"{seed}:brief:{article['id']}"))
            texts, labels = layout(lines, rng)
            record = document_record(article["id"], article["domain"], texts, labels)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            stats.update(label.value for label in labels if label)
            stats["documents"] += 1
            stats["clean documents"] += all(l in (None, Label.EDITORIAL) for l in labels)
            hard += len(article.get("hard", []))
    stats["hard editorial lines"] = hard
    print(json.dumps(dict(stats), indent=1))
    print("sha256", hashlib.sha256(out.read_bytes()).hexdigest())


if __name__ == "__main__":
    main(sys.argv[1:])
