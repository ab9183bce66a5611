"""PathPattern: the linear-time regex subset for fault paths sent over HTTP."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakevmss._pattern import (
    _STEPS_KEPT,
    MAX_PATTERN_LENGTH,
    MAX_POSITIONS,
    PathPattern,
    PatternError,
)

ATOMS = ["a", "b", "B", "/", "x", r"\.", r"\/", ".", "[ab]", "[^a]", "[a-x]", "[/-]", r"\d",
         r"\w", r"\W", r"[\d.]"]  # fmt: skip
QUANTIFIERS = ["", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?"]


@st.composite
def alternations(draw: Any, depth: int = 0) -> str:
    """A random pattern of the subset, with groups nested up to three deep."""
    branches = []
    for _ in range(draw(st.integers(1, 3))):
        items = []
        for _ in range(draw(st.integers(0, 4))):
            if depth < 3 and draw(st.integers(0, 4)) == 0:
                opener = draw(st.sampled_from(["(", "(?:"]))
                atom = f"{opener}{draw(alternations(depth + 1))})"
            else:
                atom = draw(st.sampled_from(ATOMS))
            items.append(atom + draw(st.sampled_from(QUANTIFIERS)))
        branches.append("".join(items))
    return "|".join(branches)


@st.composite
def patterns(draw: Any) -> str:
    body = draw(alternations())
    start, end = draw(st.booleans()), draw(st.booleans())
    if (start or end) and "|" in body:
        body = f"(?:{body})"
    return ("^" if start else "") + body + ("$" if end else "")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(patterns(), st.text(alphabet="abAB/x.-1 ", max_size=16))
def test_matches_exactly_what_re_search_ignorecase_matches(pattern: str, text: str) -> None:
    try:
        compiled = PathPattern(pattern)
    except PatternError:  # only when the expansion is too large
        assert len(pattern) > MAX_PATTERN_LENGTH or "{" in pattern
        return
    expected = re.search(pattern, text, re.IGNORECASE) is not None
    assert compiled.search(text) == expected
    assert compiled.search(text) == expected  # again, through the remembered steps


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("virtualMachines$", "/X/VIRTUALMACHINES", True),
        ("virtualMachines$", "/x/virtualMachines/0", False),
        ("/operations/", "/subscriptions/s/providers/x/operations/op-1", True),
        ("^/subscriptions/[^/]+/resourceGroups/rg/", "/subscriptions/s/resourceGroups/rg/x", True),
        ("^/subscriptions/[^/]+/resourceGroups/rg/", "/subscriptions/s/t/resourceGroups/rg", False),
        (r"virtualMachines/\d+$", "/vmss/web/virtualMachines/12", True),
        ("(a+)+$", "a" * 5000 + "!", False),
        ("", "/anything", True),
        ("^$", "", True),
        ("^$", "/", False),
        (r"\$", "/a$b", True),
        ("[]a]", "]", True),
    ],
)
def test_examples(pattern: str, path: str, expected: bool) -> None:
    assert PathPattern(pattern).search(path) is expected


@pytest.mark.parametrize(
    ("pattern", "names"),
    [
        ("(?=a)", "'(?' group"),
        ("(?!a)", "'(?' group"),
        ("(?<=a)b", "'(?' group"),
        ("(?P<n>a)", "'(?' group"),
        ("(?i)a", "'(?' group"),
        (r"(a)\1", r"escape '\1'"),
        (r"\bword", r"escape '\b'"),
        (r"a\n", r"escape '\n'"),
        ("a\\", "trailing"),
        ("a^", "'^' anywhere"),
        ("$a", "'$' anywhere"),
        ("^a|b", "top-level '|'"),
        ("a|b$", "top-level '|'"),
        ("a**", "repeated repetition"),
        ("*a", "nothing to repeat"),
        ("a{", "unescaped '{'"),
        ("a{x}", "unescaped '{'"),
        ("a{3,1}", "out of order"),
        ("a{200}", "character positions"),
        ("(a", "without its ')'"),
        ("a)", "without its '('"),
        ("[a", "without its ']'"),
        ("[z-a]", "bad range"),
        (r"[\d-z]", "shorthand"),
        ("(" * 40 + "a" + ")" * 40, "nested deeper"),
        ("a" * (MAX_POSITIONS + 1), "character positions"),
        ("a" * (MAX_PATTERN_LENGTH + 1), "longer than"),
    ],
)
def test_refusals_name_the_problem(pattern: str, names: str) -> None:
    with pytest.raises(PatternError) as caught:
        PathPattern(pattern)
    assert names in str(caught.value)
    assert isinstance(caught.value, ValueError)


class CountingTable(list[int]):
    """A follow table that counts its look-ups."""

    lookups = 0

    def __getitem__(self, index: Any) -> Any:
        CountingTable.lookups += 1
        return super().__getitem__(index)


def counting(pattern: str) -> PathPattern:
    compiled = PathPattern(pattern)
    compiled._tables = [CountingTable(table) for table in compiled._tables]
    CountingTable.lookups = 0
    return compiled


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|a)*b", "(a*)*(a*)*c$", "(.*a){12}$"])
def test_search_costs_at_most_a_fixed_number_of_lookups_per_character(pattern: str) -> None:
    """What makes these patterns catastrophic for re costs at most n * steps_per_char here."""
    compiled = counting(pattern)
    for length in (1_000, 8_000):
        CountingTable.lookups = 0
        assert not compiled.search("a" * length + "!")
        assert CountingTable.lookups <= (length + 1) * compiled.steps_per_char


def test_a_path_that_visits_new_states_at_every_step_stays_bounded() -> None:
    """'The 12th character from the end is an a': a DFA would need 2**13 states."""
    pattern = "(a|b)*a(a|b){12}$"
    compiled = counting(pattern)
    rng = random.Random(4)
    for _ in range(20):
        path = "".join(rng.choice("ab") for _ in range(400))
        before = CountingTable.lookups
        assert compiled.search(path) == (re.search(pattern, path) is not None)
        assert CountingTable.lookups - before <= len(path) * compiled.steps_per_char
    assert compiled._seen <= _STEPS_KEPT
    assert sum(len(row) for row in compiled._steps.values()) == compiled._seen


def test_steps_per_char_is_bounded_for_the_largest_pattern() -> None:
    largest = PathPattern(f"[a-z]{{{MAX_POSITIONS}}}")
    assert largest.steps_per_char == 8 == (MAX_POSITIONS + 1) // 8
    assert largest.search("x" * MAX_POSITIONS)
    assert not largest.search("x" * (MAX_POSITIONS - 1))


def test_non_ascii_characters_match_classes_and_dots() -> None:
    assert PathPattern("^/é.[^a]$").search("/ÉÑü")
    assert not PathPattern(r"^\w+$").search("/é")
    assert repr(PathPattern("a")) == "PathPattern('a')"
