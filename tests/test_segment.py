from filter.segment import glued_boundaries, glued_seams, join_lines, split_lines


def keep_all_but(text, drop):
    lines = split_lines(text)
    return join_lines(lines, [i not in drop for i in range(len(lines))])


def test_split_keeps_crlf_and_missing_final_newline():
    lines = split_lines("a\r\nb\nc")
    assert [(l.text, l.ending) for l in lines] == [("a", "\r\n"), ("b", "\n"), ("c", "")]


def test_nothing_removed_is_identity():
    for text in ["a\n\nb\n", "a\r\n\r\nb", "\n\na\n\n", "a", "  \n a \n"]:
        lines = split_lines(text)
        assert join_lines(lines, [True] * len(lines)) == text


def test_removed_tail_takes_its_blank_lines_with_it():
    assert keep_all_but("A\n\nB\n\nJ1\n\nJ2\n", {4, 6}) == "A\n\nB\n"


def test_removed_middle_line_leaves_a_single_blank():
    assert keep_all_but("A\n\nJ\n\nB\n", {2}) == "A\n\nB\n"


def test_removed_top_line_leaves_no_leading_blank():
    assert keep_all_but("J\n\nA\n\nB", {0}) == "A\n\nB"


def test_missing_final_newline_stays_missing():
    assert keep_all_but("A\nB\nJ", {2}) == "A\nB"
    assert keep_all_but("A\r\nB\r\nJ\r\n", {2}) == "A\r\nB\r\n"


def test_everything_removed_gives_empty_text():
    assert keep_all_but("J1\nJ2\n", {0, 1}) == ""


def test_cut_replaces_line_text_and_keeps_ending():
    lines = split_lines("A\nB.Junk..\nJ\n")
    assert join_lines(lines, [True, True, False], {1: "B."}) == "A\nB.\n"


def test_glued_boundaries_find_missing_space_only():
    assert glued_boundaries("turbulence.Solana and Base") == [11]
    assert glued_boundaries("The U.S. economy grew 2.5% in Q1. Next") == []


def test_glued_boundaries_read_accented_and_cyrillic_letters():
    assert glued_boundaries("staking.Теги: Ethereum") == [8]
    assert glued_boundaries("Le marché a reculé.Écoutez notre podcast") == [19]
    assert glued_boundaries("Биткоин вырос.Подписывайтесь на канал") == [14]
    assert glued_boundaries("Сумма 2.5 млн") == []


def test_glued_boundaries_put_a_closing_quote_with_its_sentence():
    assert glued_boundaries('He said "it held."Solana rose') == [18]
    assert glued_boundaries('It held."Buy now," he said') == [8]
    assert glued_boundaries("It held.”Buy now") == [9]


def test_glued_seams_without_punkt_are_the_glued_boundaries():
    assert glued_seams("It rose. Then it fell.Join now") == [22]


def test_punkt_vetoes_a_seam_after_an_abbreviation():
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = {"corp"}
    punkt = PunktSentenceTokenizer(params)
    assert glued_seams("Shares of Acme Corp.Bitcoin fell.Join now", punkt) == [33]
    assert glued_seams("Shares of Acme Corp.Bitcoin fell.Join now") == [20, 33]


def test_a_lone_cr_never_meets_a_blank_lines_newline():
    # "A\r" then a kept blank "\n" would read back as one "\r\n": the blank line would vanish on
    # the next read, and cleaning again would change the text. The blank run goes instead.
    assert keep_all_but("A\rJ\n\nB", {1}) == "A\rB"
    assert keep_all_but("A\rJ\n\n", {1}) == "A\r"
    assert keep_all_but("A\rJ\n \nB", {1}) == "A\r \nB"  # a blank with text keeps the two apart
    assert keep_all_but("A\rJ\n\r\nB", {1}) == "A\r\r\nB"
