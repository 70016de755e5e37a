"""Numbers the way an analyst reads them."""

from __future__ import annotations

import pytest

from monitor.text import find_quantities, parse_quantity


@pytest.mark.parametrize(
    ("text", "count", "qualifier", "upper", "min_count"),
    [
        ("14", 14, "exact", None, None),
        ("5,200", 5200, "exact", None, None),
        ("5 200", 5200, "exact", None, None),
        ("more than 14\u202f000", 14000, "more_than", None, None),
        ("1.2 million", 1_200_000, "exact", None, None),
        ("2.5 thousand", 2500, "exact", None, None),
        ("two hundred and twelve", 212, "exact", None, None),
        ("twenty-three", 23, "exact", None, None),
        ("Nine", 9, "exact", None, None),
        ("one", 1, "exact", None, None),
        ("a dozen", 12, "exact", None, None),
        ("three dozen", 36, "exact", None, None),
        ("a hundred", 100, "exact", None, None),
        ("at least 14", 14, "at_least", None, None),
        ("more than 50", 50, "more_than", None, None),
        ("over 1,000", 1000, "more_than", None, None),
        ("nearly 400", 400, "about", None, None),
        ("about 30", 30, "about", None, None),
        ("some 15", 15, "about", None, None),
        ("up to 40", 40, "up_to", None, None),
        ("as many as 10,000", 10000, "up_to", None, None),
        ("30 to 40", 30, "range", 40, None),
        ("30-40", 30, "range", 40, None),
        ("between 30 and 40", 30, "range", 40, None),
        ("dozens", None, "vague", None, 12),
        ("scores", None, "vague", None, 20),
        ("hundreds", None, "vague", None, 100),
        ("thousands", None, "vague", None, 1000),
        ("tens of thousands", None, "vague", None, 10000),
        ("several", None, "vague", None, 3),
    ],
)
def test_parse_quantity(text: str, count: int | None, qualifier: str, upper: int | None,
                        min_count: int | None) -> None:
    q = parse_quantity(text)
    assert q is not None
    assert (q.count, q.qualifier, q.upper, q.min_count) == (count, qualifier, upper, min_count)
    assert q.text == text


def test_offsets_point_into_the_text() -> None:
    text = "Officials said at least 14 people died and two hundred and twelve were hurt; dozens are missing."
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.text
    assert [q.value for q in find_quantities(text)] == [14, 212, 12]


@pytest.mark.parametrize("text", ["magnitude 5.1", "2.44%", "the first attack", "no one", "someone"])
def test_measures_and_words_that_are_not_counts(text: str) -> None:
    assert [q for q in find_quantities(text) if q.count is not None] == []


def test_small_number_after_and_is_found() -> None:
    """text2num skips a lone small number after 'and'; the layer above it does not."""
    assert [q.count for q in find_quantities("Three died and two others were hurt")] == [3, 2]


def test_as_many_as_is_one_quantity_not_also_a_vague_many() -> None:
    found = find_quantities("Reports say as many as 200 have been killed, and many more are missing.")
    assert [(q.text, q.count, q.qualifier) for q in found] == [("as many as 200", 200, "up_to"),
                                                               ("many", None, "vague")]


def test_a_space_between_digit_groups_joins_thousands_only() -> None:
    """BBC and European copy write "23 000"; two plain numbers side by side stay two numbers."""
    assert [q.count for q in find_quantities("on May 12 2004 at 1 45 pm")] == [12, 2004, 1, 45]
    assert [q.count for q in find_quantities("the 5 300 deaths")] == [5300]


def test_a_run_of_digits_is_no_count_and_no_crash() -> None:
    """A hostile or machine-made text: "100 101 102 ..." joins as one digit group and a 400-digit run overflows a
    float; neither is a head count, and the numbers beside them are still read."""
    run = " ".join(str(i) for i in range(100, 1000))
    assert [q.count for q in find_quantities(f"{run} and 7 people were killed")] == [7]
    assert [q.count for q in find_quantities("serial " + "9" * 400 + ", 12 dead")] == [12]
