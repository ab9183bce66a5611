r"""PathPattern: a regular-expression subset matched in linear time, for patterns sent over HTTP.

Python's ``re`` backtracks, so a pattern such as ``(a+)+$`` takes exponential time on a long
path, and a fault pattern is tried against every request path on the server's event loop. A
``path_regex`` that arrives over HTTP is compiled here instead (docs/fake/http.md):

- The supported subset: literal characters and ``\``-escaped punctuation; ``.``; classes
  ``[a-z0-9_]`` and ``[^...]``; ``\d \w \s \D \W \S``; groups ``(...)`` and ``(?:...)``;
  ``|``; ``*``, ``+``, ``?`` and ``{m}``, ``{m,}``, ``{m,n}`` (a trailing ``?`` is accepted:
  laziness never changes whether a path matches); ``^`` as the first character of the pattern
  and ``$`` as its last. Matching is case-insensitive and finds a match anywhere in the path,
  as ``re.search(pattern, path, re.IGNORECASE)`` does.
- Anything else (backreferences, lookaround, ``\b``, inline flags, ``^``/``$`` elsewhere or
  with a top-level ``|``) raises :class:`PatternError`, as do patterns over
  :data:`MAX_PATTERN_LENGTH` characters or :data:`MAX_POSITIONS` character positions once
  counted repetitions are expanded.

How: a Glushkov automaton (one state per character position, no empty transitions) run as a
bit-parallel NFA. Each step ORs one precomputed table entry per 8 states, so a search costs at
most ``len(path) * steps_per_char`` table look-ups (8 per character at most), whatever the
pattern and the path; steps already taken are remembered, as a lazy DFA does, up to a bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["MAX_PATTERN_LENGTH", "MAX_POSITIONS", "PathPattern", "PatternError"]

#: Longest pattern accepted, in characters.
MAX_PATTERN_LENGTH = 256
#: Most character positions a pattern may expand to (with the start state, 64 automaton
#: states: 8 tables of 8, so at most 8 look-ups per character of a path).
MAX_POSITIONS = 63
#: Positions per precomputed follow table (a table has 2**_CHUNK entries).
_CHUNK = 8
#: Distinct characters whose position masks a pattern remembers.
_MASKS_KEPT = 1024
#: Steps (state, character) a pattern remembers, as a lazy DFA does; past it, steps are
#: computed each time (still bounded: one look-up per table).
_STEPS_KEPT = 4096

Predicate = Callable[[str], bool]

_SHORTHANDS: dict[str, Predicate] = {
    "d": str.isdecimal,
    "w": lambda c: c.isalnum() or c == "_",
    "s": str.isspace,
}
_SUBSET = (
    "supported: literals, \\-escaped punctuation, '.', [classes], \\d \\w \\s (and \\D \\W \\S), "
    "(groups), (?:groups), '|', '*', '+', '?', {m,n}, '^' first and '$' last"
)


class PatternError(ValueError):
    """A pattern outside the supported subset, or too long or too large; says which part."""


# -- syntax tree ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Char:
    """One character position: a predicate over a lower-cased character."""

    test: Predicate


@dataclass(frozen=True, slots=True)
class _Node:
    """``cat`` / ``alt`` of parts, or ``star`` / ``plus`` / ``opt`` of one part."""

    kind: str
    parts: tuple[_Char | _Node, ...] = ()


def _size(node: _Char | _Node) -> int:
    return 1 if isinstance(node, _Char) else sum(_size(part) for part in node.parts)


def _fold_case(test: Predicate) -> Predicate:
    """``test`` made case-insensitive (the text is lower-cased before matching)."""
    return lambda c: test(c) or test(c.upper())


# -- parser ------------------------------------------------------------------------------

#: Deepest group nesting accepted (keeps the recursive parser far from Python's limit).
_MAX_DEPTH = 32


@dataclass(slots=True)
class _Parser:
    """Recursive descent over the subset; every refusal names the construct and its place."""

    source: str
    at: int = 0
    depth: int = 0

    def fail(self, what: str) -> PatternError:
        return PatternError(f"{what} at position {self.at} of {self.source!r} ({_SUBSET})")

    def peek(self, ahead: int = 0) -> str:
        return self.source[self.at + ahead : self.at + ahead + 1]

    def take(self) -> str:
        char = self.peek()
        self.at += 1
        return char

    def alternation(self) -> _Char | _Node:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else _Node("alt", tuple(branches))

    def sequence(self) -> _Char | _Node:
        items: list[_Char | _Node] = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.repeat(self.atom()))
        return items[0] if len(items) == 1 else _Node("cat", tuple(items))

    def repeat(self, atom: _Char | _Node) -> _Char | _Node:
        char = self.peek()
        if char in ("*", "+", "?"):
            self.at += 1
            node: _Char | _Node = _Node(_QUANTIFIERS[char], (atom,))
        elif char == "{":
            node = self.counted(atom)
        else:
            return atom
        if self.peek() == "?":  # lazy: the same set of matching paths
            self.at += 1
        if self.peek() in ("*", "+", "?", "{"):
            raise self.fail("a repeated repetition")
        return node

    def counted(self, atom: _Char | _Node) -> _Node:
        close = self.source.find("}", self.at)
        body = self.source[self.at + 1 : close] if close > 0 else ""
        low, comma, high = body.partition(",")
        if len(body) > 7 or not low.isdigit() or not (high.isdigit() or high == ""):
            raise self.fail("an unescaped '{' that is not a {m}, {m,} or {m,n} repetition")
        least = int(low)
        most = int(high) if high else (None if comma else least)
        if most is not None and most < least:
            raise self.fail(f"the repetition {{{body}}} out of order")
        if max(least, most or 0) * _size(atom) > MAX_POSITIONS:
            raise self.fail(f"a repetition of more than {MAX_POSITIONS} character positions")
        self.at = close + 1
        parts: list[_Char | _Node] = [atom] * least
        if most is None:
            parts.append(_Node("star", (atom,)))
        else:
            parts.extend(_Node("opt", (atom,)) for _ in range(most - least))
        return _Node("cat", tuple(parts))

    def atom(self) -> _Char | _Node:
        char = self.take()
        if char == "(":
            return self.group()
        if char == "[":
            return _Char(self.char_class())
        if char == ".":
            return _Char(lambda c: c != "\n")
        if char == "\\":
            member = self.escape()
            return _Char(member if callable(member) else _equals(member))
        self.at -= 1
        if char in _QUANTIFIERS or char == "{":
            raise self.fail(f"nothing to repeat before {char!r}")
        if char in ("^", "$"):
            raise self.fail(f"{char!r} anywhere but the pattern's first ('^') or last ('$') place")
        self.at += 1
        return _Char(_equals(char.lower()))

    def group(self) -> _Char | _Node:
        if self.peek() == "?":
            if self.peek(1) != ":":
                raise self.fail("a '(?' group other than '(?:'")
            self.at += 2
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.fail(f"groups nested deeper than {_MAX_DEPTH}")
        inner = self.alternation()
        self.depth -= 1
        if self.take() != ")":
            raise self.fail("a '(' without its ')'")
        return _Node("cat", (inner,))  # so a grouped '|' is never taken for a top-level one

    def escape(self) -> str | Predicate:
        """After a backslash: a shorthand's predicate, or the escaped punctuation character."""
        char = self.take()
        test = _SHORTHANDS.get(char.lower())
        if test is not None:
            return test if char.islower() else _negated(test)
        if char and char.isascii() and not char.isalnum():
            return char
        self.at -= 1
        raise self.fail(f"the escape '\\{char}'" if char else "a trailing '\\'")

    def char_class(self) -> Predicate:
        negated = self.peek() == "^"
        self.at += negated
        members: list[Predicate] = []
        while not members or self.peek() != "]":  # a ']' first is a member, as in re
            if not self.peek():
                raise self.fail("a '[' without its ']'")
            members.append(self.class_member())
        self.at += 1
        inner = _fold_case(lambda c: any(member(c) for member in members))
        return _negated(inner) if negated else inner

    def class_member(self) -> Predicate:
        low = self.escape() if self.take() == "\\" else self.source[self.at - 1]
        is_range = self.peek() == "-" and self.peek(1) not in ("]", "")
        if callable(low):
            if is_range:
                raise self.fail("a range starting with a shorthand")
            return low
        if not is_range:
            return _equals(low)
        self.at += 1
        high = self.escape() if self.take() == "\\" else self.source[self.at - 1]
        if callable(high) or high < low:
            raise self.fail(f"a bad range starting with {low!r}")
        return lambda c: low <= c <= high


_QUANTIFIERS = {"*": "star", "+": "plus", "?": "opt"}


def _equals(char: str) -> Predicate:
    return lambda c: c == char


def _negated(test: Predicate) -> Predicate:
    return lambda c: not test(c)


# -- Glushkov automaton ---------------------------------------------------------------------


@dataclass(slots=True)
class _Automaton:
    """One state per character position; ``follow[i]``: the positions that may come after i."""

    tests: list[Predicate] = field(default_factory=list)
    follow: list[int] = field(default_factory=list)

    def build(self, node: _Char | _Node) -> tuple[bool, int, int]:
        """(nullable, first positions, last positions) of ``node``; fills ``follow``."""
        if isinstance(node, _Char):
            bit = 1 << len(self.tests)
            self.tests.append(node.test)
            self.follow.append(0)
            return False, bit, bit
        parts = [self.build(part) for part in node.parts]
        if node.kind == "cat":
            return self._concat(parts)
        if node.kind == "alt":
            nullable, first, last = False, 0, 0
            for part in parts:
                nullable, first, last = nullable or part[0], first | part[1], last | part[2]
            return nullable, first, last
        nullable, first, last = parts[0]
        if node.kind != "opt":  # star, plus: the part may follow itself
            self._link(last, first)
        return (nullable if node.kind == "plus" else True), first, last

    def _concat(self, parts: list[tuple[bool, int, int]]) -> tuple[bool, int, int]:
        nullable, first, last = True, 0, 0
        for part_nullable, part_first, part_last in parts:
            self._link(last, part_first)
            first |= part_first if nullable else 0
            last = part_last | (last if part_nullable else 0)
            nullable = nullable and part_nullable
        return nullable, first, last

    def _link(self, sources: int, targets: int) -> None:
        while sources:
            low = sources & -sources
            self.follow[low.bit_length() - 1] |= targets
            sources ^= low


def _follow_tables(follow: list[int]) -> list[list[int]]:
    """Per chunk of 8 positions: for every subset of them, the union of their follow sets."""
    tables = []
    for base in range(0, len(follow), _CHUNK):
        chunk = follow[base : base + _CHUNK] + [0] * _CHUNK
        table = [0] * (1 << _CHUNK)
        for bits in range(1, 1 << _CHUNK):
            low = bits & -bits
            table[bits] = table[bits ^ low] | chunk[low.bit_length() - 1]
        tables.append(table)
    return tables


def _anchors(pattern: str) -> tuple[str, bool, bool]:
    """The pattern without a leading '^' and a trailing unescaped '$', and which were there."""
    start = pattern.startswith("^")
    body = pattern[1:] if start else pattern
    if body.endswith("$"):
        backslashes = len(body) - 1 - len(body[:-1].rstrip("\\"))
        if backslashes % 2 == 0:
            return body[:-1], start, True
    return body, start, False


class PathPattern:
    """A path pattern in the linear-time subset; ``search(path)`` says whether it matches.

    Raises:
        PatternError: the pattern is outside the subset, or too long or too large.
    """

    __slots__ = ("_accept", "_end", "_initial", "_masks", "_nullable", "_seen", "_steps",
                 "_tables", "_tests", "pattern")  # fmt: skip

    def __init__(self, pattern: str) -> None:
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise PatternError(f"the pattern is longer than {MAX_PATTERN_LENGTH} characters")
        self.pattern = pattern
        body, start, self._end = _anchors(pattern)
        parser = _Parser(body)
        tree = parser.alternation()
        if parser.at < len(body):
            raise parser.fail("a ')' without its '('")
        if (start or self._end) and isinstance(tree, _Node) and tree.kind == "alt":
            raise PatternError(f"'^' or '$' with a top-level '|' in {pattern!r}: write ^(?:a|b)$")
        if _size(tree) > MAX_POSITIONS:
            raise PatternError(f"{pattern!r} has more than {MAX_POSITIONS} character positions")
        automaton = _Automaton()
        self._nullable, first, accept = automaton.build(tree)
        # One more state, the start: it leads to the first positions, accepts when the pattern
        # matches the empty string, accepts any character, and (without '^') stays active, so
        # a match may begin anywhere.
        begin = 1 << len(automaton.tests)
        automaton.follow.append(first | (0 if start else begin))
        automaton.tests.append(_any)
        self._initial = begin
        self._accept = accept | (begin if self._nullable else 0)
        self._tables = _follow_tables(automaton.follow)
        # Positions that share a test (a repeated atom) are tested once per character.
        tests: dict[Predicate, int] = {}
        for position, test in enumerate(automaton.tests):
            tests[test] = tests.get(test, 0) | (1 << position)
        self._tests = list(tests.items())
        self._masks: dict[str, int] = {}
        # state -> character -> next state, as a lazily built DFA would keep (bounded).
        self._steps: dict[int, dict[str, int]] = {}
        self._seen = 0

    @property
    def steps_per_char(self) -> int:
        """Table look-ups a character of a searched path costs at most (8 at most)."""
        return len(self._tables)

    def _mask(self, char: str) -> int:
        """The states whose character test accepts ``char`` (remembered, boundedly)."""
        mask = self._masks.get(char)
        if mask is None:
            mask = 0
            for test, positions in self._tests:
                if test(char):
                    mask |= positions
            if len(self._masks) < _MASKS_KEPT:  # a path may hold many distinct characters
                self._masks[char] = mask
        return mask

    def _step(self, active: int, char: str) -> int:
        """The states after ``char``: one look-up per table, then remembered (boundedly)."""
        reach, shift = 0, 0
        for table in self._tables:
            reach |= table[(active >> shift) & 0xFF]
            shift += _CHUNK
        after = reach & self._mask(char)
        if self._seen < _STEPS_KEPT:
            self._steps.setdefault(active, {})[char] = after
            self._seen += 1
        return after

    def search(self, path: str) -> bool:
        """Whether the pattern matches anywhere in ``path`` (case-insensitive), in linear time.

        ``active`` holds the states a match in progress is in. A character costs one dict
        look-up when this step was taken before, else ``steps_per_char`` table look-ups.
        """
        if self._nullable and not self._end:
            return True  # the empty match at the start
        steps, accept, end = self._steps, self._accept, self._end
        active = self._initial
        for char in path.lower():
            known = steps.get(active)
            after = None if known is None else known.get(char)
            active = self._step(active, char) if after is None else after
            if not active:  # anchored at '^' and already off the pattern
                return False
            if active & accept and not end:
                return True
        return bool(active & accept)

    def __repr__(self) -> str:
        return f"PathPattern({self.pattern!r})"


def _any(char: str) -> bool:
    return True
