"""Lines printed by earlier documents of a stream: a site's furniture goes from a lower score."""
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from filter import Label
from filter.cli import app
from filter.clean import LineResult
from filter.labels import LABELS
from filter.model import Scored
from filter.repeats import REPEAT_FLOOR, REPEAT_MIN_CHARS, SeenLines

PORT = """# Port of Valdren reopens after storm repairs

The Port of Valdren reopened two of its four container berths on Tuesday, nine days after a storm surge flooded the terminal.
Harbour officials said cranes on the northern quay had been inspected and cleared for use, while the southern quay remains closed.
Shipping lines diverted about 40 vessels to neighbouring ports during the closure, adding several days to delivery times.
"We expect full operations by the end of the month," said port director Anneli Sorsa."""
RAIL = """# Regional rail operator orders 30 new trains

Nordlink Rail has ordered 30 electric trains for its coastal routes, the operator said on Wednesday.
The contract, worth about 410 million euros, includes maintenance for the first ten years of service.
The first trains are due in 2028 and will replace diesel units that have run on the line since the 1990s.
Passenger groups welcomed the order but said timetables on the busiest stretch still need more capacity."""
FERRY = """# Island ferry fares to rise in spring

Fares on the three island ferry routes will rise by an average of 6% from April, the operator said.
The increase follows two years of frozen prices and higher fuel and crew costs, according to the company.
Islanders with resident cards will see smaller rises, and children under five will still travel free."""
GRID = """# Grid operator signs up two offshore wind farms

The national grid operator has agreed to connect two offshore wind farms by 2030, adding 1.8 gigawatts of capacity.
Both projects still need final planning consent, which the energy ministry expects to decide on next summer.
Engineers will lay a new undersea cable to a substation on the east coast to carry the power inland."""
#: The site's sign-off under every article: under the port story it reads as junk, but not surely enough
#: to go at THRESHOLD on its own.
SIGN_OFF = "Coverage of transport and trade is supported by readers like you, and by no one else."
THRESHOLD = 0.99


@pytest.fixture(scope="module")
def remembering(cleaner):
    return cleaner.with_options(threshold=THRESHOLD, repeats=True)


def test_the_sign_off_reads_between_the_floor_and_the_threshold(cleaner):
    # The premise of the tests below: were it not, they would pass or fail for another reason.
    junk = cleaner.classify(f"{PORT}\n{SIGN_OFF}")[-1].junk
    assert REPEAT_FLOOR <= junk < THRESHOLD


def test_a_line_an_earlier_document_printed_goes_from_the_floor(remembering):
    first, second = remembering.clean_many([f"{RAIL}\n{SIGN_OFF}", f"{PORT}\n{SIGN_OFF}"])
    assert first.endswith(SIGN_OFF)  # seen for the first time: the threshold decides
    assert second == PORT
    results = list(remembering.classify_many([f"{RAIL}\n{SIGN_OFF}", f"{PORT}\n{SIGN_OFF}"]))[1]
    assert results[-1].label.is_junk and not results[-1].kept
    assert "printed in an earlier document" in results[-1].reason


def test_a_paragraph_the_newsroom_reuses_under_two_stories_stays_in_both(remembering):
    # Background a desk pastes word for word under every story on a subject reads as the article's own.
    background = ("Nordlink Rail, which is owned by the regional government, carries about 40,000 "
                  "passengers a day on its coastal and inland lines.")
    docs = [f"{RAIL}\n{background}", f"{FERRY}\n{background}"]
    scores = [r.junk for r in remembering.classify(docs[1]) if r.text == background]
    assert scores and scores[0] < REPEAT_FLOOR  # the premise: were it not, the test would say nothing
    assert list(remembering.clean_many(docs)) == docs


def test_without_repeats_each_document_is_cleaned_alone(remembering):
    alone = remembering.with_options(repeats=False)
    docs = [f"{RAIL}\n{SIGN_OFF}", f"{PORT}\n{SIGN_OFF}"]
    assert list(alone.clean_many(docs)) == [alone.clean(d) for d in docs] == docs


def test_a_copy_of_an_earlier_document_is_cleaned_as_if_alone(remembering):
    # A page crawled twice: every line was seen, which says nothing about any one of them.
    document = f"{PORT}\n{SIGN_OFF}"
    assert list(remembering.clean_many([document, document])) == [document, document]


def test_repeats_give_one_output_for_any_batch_size_and_number_of_workers(remembering):
    docs = [f"{RAIL}\n{SIGN_OFF}", f"{PORT}\n{SIGN_OFF}", f"{FERRY}\n\n{SIGN_OFF}\n", f"{GRID}\n{SIGN_OFF}", FERRY]
    one = list(remembering.clean_many(docs, batch_size=64))
    assert one != docs  # repeats did remove something
    assert list(remembering.clean_many(docs, batch_size=1)) == one
    assert list(remembering.clean_many(docs, batch_size=2, n_jobs=2)) == one
    explained = list(remembering.classify_many(docs, batch_size=2, n_jobs=2))
    assert [[r.kept for r in doc] for doc in explained] == [[r.kept for r in doc] for doc in remembering.classify_many(docs)]


def _result(line: int, text: str, junk: float) -> LineResult:
    return LineResult(line, text, Label.EDITORIAL, 1.0 - junk, junk, True)


def test_copies_in_one_document_go_by_the_copy_that_reads_most_like_editorial(remembering):
    # A page printed twice holds its opening twice; when that opening was an earlier page's story
    # card, the copy at the top still reads as the article it is, and saves the other.
    opening = "Bitcoin slipped below $82,000 on Thursday as new tariffs shook markets."
    proba = np.zeros((3, len(LABELS)))
    proba[:, LABELS.index(Label.TEASER)] = 1.0
    results = [_result(0, opening, 0.02), _result(5, "Other line of the article, long enough to count.", 0.6),
               _result(9, opening, 0.8)]
    scored = Scored([r.text for r in results], None, None, proba, None)
    assert all(r.kept for r in remembering._drop_repeated(results, frozenset({opening}), scored))
    results[0] = _result(0, opening, 0.7)
    decided = remembering._drop_repeated(results, frozenset({opening}), scored)
    assert [r.kept for r in decided] == [False, True, False]
    assert decided[0].label is Label.TEASER


def test_seen_lines_forget_the_least_recently_seen_first():
    lines = [f"Line number {i} of the site's furniture, long enough to be kept." for i in range(3)]
    assert all(len(line) >= REPEAT_MIN_CHARS for line in lines)
    seen = SeenLines(limit=2)
    filler = "An article's own sentence, printed once and never again anywhere."
    for line in lines:
        seen.mark([f"{filler} {line}\n{line}"])
    # lines[0] was forgotten when lines[2] came; lines[1] and lines[2] are still remembered.
    marked = seen.mark([f"A new article's first sentence, unlike any other.\n{lines[0]}\nSecond.\n{lines[2]}"])[0]
    assert marked == frozenset({lines[2]})


def test_short_lines_are_not_remembered():
    seen = SeenLines()
    short = "Read the full story on our site."
    assert len(short) < REPEAT_MIN_CHARS
    seen.mark([f"{short}\nOne article's sentence that is long enough to count here."])
    assert seen.mark([f"{short}\nAnother article's sentence that is long enough to count."]) == [frozenset()]


def test_the_command_remembers_within_an_input_unless_told_not_to(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in (f"{RAIL}\n{SIGN_OFF}", f"{PORT}\n{SIGN_OFF}")))
    runner = CliRunner()
    remembered = runner.invoke(app, ["clean", str(source), "--threshold", str(THRESHOLD), "--jobs", "1"])
    alone = runner.invoke(app, ["clean", str(source), "--threshold", str(THRESHOLD), "--no-repeats"])
    assert remembered.exit_code == alone.exit_code == 0
    assert [json.loads(line)["text"] for line in remembered.stdout.splitlines()] == [f"{RAIL}\n{SIGN_OFF}", PORT]
    assert alone.stdout == source.read_text()


#: A site's footer, each line sure junk on its own: under the port story, more long lines than the story has.
FOOTER = [
    "This story was produced by our transport desk with reporting from regional correspondents.",
    "Sign up for the Morning Manifest newsletter to get shipping and rail news in your inbox every day.",
    "Follow us on X and LinkedIn for the latest updates on ports, freight and logistics.",
    "Disclaimer: The information in this article is for general purposes only and is not advice.",
    "© 2026 Harbourline Media Ltd. All rights reserved. Reproduction without permission is prohibited.",
    "Cookies help us deliver our services. By using our services, you agree to our use of cookies.",
]


def test_a_stream_cleaned_again_stays_as_it_is(remembering):
    # The port story's long lines are mostly the footer, seen under the rail story: it is still no copy
    # of the rail story, because its own lines (those that read as editorial) were never seen. Judged
    # by all its long lines it passed for a copy, kept its sign-off, and lost it when cleaned again.
    footer = "\n".join(FOOTER)
    docs = [f"{RAIL}\n{SIGN_OFF}\n{footer}", f"{PORT}\n{SIGN_OFF}\n{footer}"]
    once = list(remembering.clean_many(docs))
    assert SIGN_OFF not in once[1] and all(line not in once[1] for line in FOOTER)
    assert list(remembering.clean_many(once)) == once
