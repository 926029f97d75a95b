"""Formulas of calculated measures: a small safe grammar, parsed by hand, never eval'd.

Grammar::

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := "-"* primary
    primary    := NUMBER | CODE | FUNCTION "(" expression ("," expression)* ")"
                | "(" expression ")"

* NUMBER: ASCII digits with at most one decimal point inside (``12``, ``0.5``), at most
  30 digits; no exponent, no leading or trailing point.
* CODE: a measure code, case-sensitive: an ASCII letter, then letters, digits and ``_``;
  a ``.`` or ``-`` may join two parts (``COST.TOTAL``, ``NI-195``) when a letter or digit
  follows it. So ``A-B`` is one code and ``A - B`` a subtraction.
* FUNCTION: ``min`` and ``max`` (one value or more), ``abs`` (one), ``round`` (a value,
  then optionally a whole number of decimal places from 0 to 20, written as a number).
  Function names are not case-sensitive, since spreadsheet users type ``MIN``.
* Limits: 1,000 characters, brackets nested 50 deep, 30 digits a number.

Errors are ``FormulaError`` with a message for the person who typed the formula; messages
count characters from 1 (``column``), ``position`` from 0. ``round`` rounds halves away
from zero, as spreadsheets do.
"""

import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, DecimalException, localcontext
from enum import StrEnum

from strategy.scoring import DECIMAL_CONTEXT

MAX_LENGTH = 1000
MAX_DEPTH = 50
MAX_DIGITS = 30
MAX_ROUND_DIGITS = 20

_DIGITS = frozenset("0123456789")
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ALNUM = _LETTERS | _DIGITS
_CODE_CHARS = _ALNUM | {"_"}
_JOINERS = frozenset(".-")
_SPACES = frozenset(" \t\r\n")
_SINGLE = {"+": "op", "-": "op", "*": "op", "/": "op", "(": "(", ")": ")", ",": ","}
_OPERATOR_LIKE = frozenset("^%=<>!&|~@")
_QUOTES = frozenset("'\"`")
_OTHER_BRACKETS = frozenset("[]{}")


class FormulaError(ValueError):
    """A formula that cannot be parsed, with where it went wrong."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    @property
    def column(self) -> int | None:
        """The 1-based character where the problem is, or None when it has no place."""
        return self.position + 1 if self.position >= 0 else None


class FormulaCycleError(FormulaError):
    """Calculated measures that depend on each other in a circle."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__(
            "Calculated measures depend on each other in a circle: " + " → ".join(cycle), -1
        )
        self.cycle = tuple(cycle)


class TokenKind(StrEnum):
    NUMBER = "number"
    CODE = "code"
    OPERATOR = "op"
    OPEN = "("
    CLOSE = ")"
    COMMA = ","
    END = "end"


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    position: int


# The tree. Chains hold a whole run of + - (or * /) so that a long sum stays shallow and
# evaluating it never recurses more than the bracket depth allows.


@dataclass(frozen=True)
class Number:
    value: Decimal
    start: int
    end: int


@dataclass(frozen=True)
class Code:
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Negate:
    operand: "Node"
    start: int
    end: int


@dataclass(frozen=True)
class Chain:
    first: "Node"
    rest: tuple[tuple[str, "Node"], ...]
    start: int
    end: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple["Node", ...]
    start: int
    end: int


Node = Number | Code | Negate | Chain | Call


@dataclass(frozen=True)
class Formula:
    text: str
    root: Node = field(repr=False)
    occurrences: tuple[tuple[str, int], ...] = field(repr=False)

    @property
    def codes(self) -> frozenset[str]:
        """The measure codes the formula reads."""
        return frozenset(code for code, _ in self.occurrences)


@dataclass(frozen=True)
class Evaluation:
    value: Decimal | None
    reason: str | None = None


def _at(position: int) -> str:
    return f"at character {position + 1}"


# ---------------------------------------------------------------- tokenizer


def tokenize(text: str) -> list[Token]:
    """Split a formula into tokens, refusing anything outside the grammar."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _SPACES:
            i += 1
        elif ch in _DIGITS:
            i = _read_number(text, i, tokens)
        elif ch in _LETTERS:
            i = _read_code(text, i, tokens)
        elif ch in _SINGLE:
            _refuse_double_star(text, i)
            tokens.append(Token(TokenKind(_SINGLE[ch]), ch, i))
            i += 1
        else:
            raise FormulaError(_unexpected_message(text, i), i)
    tokens.append(Token(TokenKind.END, "", len(text)))
    return tokens


def _read_number(text: str, start: int, tokens: list[Token]) -> int:
    end = _skip(text, start, _DIGITS)
    if end < len(text) and text[end] == ".":
        if end + 1 >= len(text) or text[end + 1] not in _DIGITS:
            raise FormulaError(f"A decimal point must have digits after it {_at(end)}", end)
        end = _skip(text, end + 1, _DIGITS)
        if end < len(text) and text[end] == ".":
            raise FormulaError(f"A number can have only one decimal point {_at(end)}", end)
    if end < len(text) and text[end] in _CODE_CHARS:
        word_end = _skip(text, end, _CODE_CHARS | _JOINERS)
        raise FormulaError(
            f"A number cannot run into letters: '{text[start:word_end]}' {_at(start)}"
            " (write numbers as plain digits and put an operator before a code)",
            start,
        )
    literal = text[start:end]
    if sum(ch in _DIGITS for ch in literal) > MAX_DIGITS:
        raise FormulaError(
            f"The number {_at(start)} is too long: numbers have at most {MAX_DIGITS} digits",
            start,
        )
    tokens.append(Token(TokenKind.NUMBER, literal, start))
    return end


def _read_code(text: str, start: int, tokens: list[Token]) -> int:
    end = start + 1
    while end < len(text):
        if text[end] in _CODE_CHARS:
            end += 1
        elif text[end] in _JOINERS and text[end + 1 : end + 2] in _ALNUM:
            end += 2
        else:
            break
    tokens.append(Token(TokenKind.CODE, text[start:end], start))
    return end


def _skip(text: str, i: int, allowed: frozenset[str]) -> int:
    while i < len(text) and text[i] in allowed:
        i += 1
    return i


def _refuse_double_star(text: str, i: int) -> None:
    if text.startswith("**", i):
        raise FormulaError(
            f"Unexpected '**' {_at(i)}: use + - * / only (there is no power operator)", i
        )


def _unexpected_message(text: str, i: int) -> str:
    ch = text[i]
    if ch in _OPERATOR_LIKE:
        return f"Unexpected '{ch}' {_at(i)}: use + - * / only"
    if ch in _QUOTES:
        return f"Unexpected quote {_at(i)}: text in quotes is not allowed"
    if ch in _OTHER_BRACKETS:
        return f"Unexpected '{ch}' {_at(i)}: use round brackets ( ) only"
    if ch == "_":
        return f"Unexpected '_' {_at(i)}: measure codes start with a letter"
    if ch == "." and text[i + 1 : i + 2] in _DIGITS:
        return f"Unexpected '.' {_at(i)}: write decimals with a digit first, e.g. 0.5"
    if ch.isascii() and ch.isprintable():
        return f"Unexpected '{ch}' {_at(i)}"
    return _non_ascii_message(ch, i)


def _non_ascii_message(ch: str, i: int) -> str:
    shown = f"'{ch}'" if ch.isprintable() else f"U+{ord(ch):04X}"
    message = f"Unexpected character {shown} {_at(i)}: use plain letters (A-Z) and digits only"
    plain = unicodedata.normalize("NFKC", ch)
    if plain.isascii() and plain.isprintable() and plain.strip():
        message += f"; did you mean '{plain}'?"
    return message


# ---------------------------------------------------------------- parser

_FUNCTIONS = {"min": (1, None), "max": (1, None), "abs": (1, 1), "round": (1, 2)}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.occurrences: list[tuple[str, int]] = []

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Formula:
        if self.token.kind is TokenKind.END:
            raise FormulaError("The formula is empty", 0)
        root = self.expression()
        if self.token.kind is not TokenKind.END:
            raise FormulaError(self.trailing_message(), self.token.position)
        return Formula(self.text, root, tuple(self.occurrences))

    def expression(self) -> Node:
        return self.chain(self.term, "+-")

    def term(self) -> Node:
        return self.chain(self.unary, "*/")

    def chain(self, operand: Callable[[], Node], operators: str) -> Node:
        first = operand()
        rest: list[tuple[str, Node]] = []
        while self.token.kind is TokenKind.OPERATOR and self.token.text in operators:
            rest.append((self.advance().text, operand()))
        if not rest:
            return first
        return Chain(first, tuple(rest), first.start, rest[-1][1].end)

    def unary(self) -> Node:
        start, minuses = self.token.position, 0
        # Count minus signs in a loop: "- - - 1" must not cost a stack frame each.
        while self.token.kind is TokenKind.OPERATOR and self.token.text == "-":
            self.advance()
            minuses += 1
        operand = self.primary()
        return Negate(operand, start, operand.end) if minuses % 2 else operand

    def primary(self) -> Node:
        token = self.token
        if token.kind is TokenKind.NUMBER:
            self.advance()
            return Number(Decimal(token.text), token.position, token.position + len(token.text))
        if token.kind is TokenKind.CODE:
            return self.code_or_call()
        if token.kind is TokenKind.OPEN:
            return self.bracketed()
        raise FormulaError(self.missing_value_message(), self.missing_value_position())

    def code_or_call(self) -> Node:
        token = self.advance()
        if self.token.kind is TokenKind.OPEN:
            return self.call(token)
        self.occurrences.append((token.text, token.position))
        return Code(token.text, token.position, token.position + len(token.text))

    def bracketed(self) -> Node:
        opening = self.enter()
        inner = self.expression()
        self.close(opening, allow_comma=False)
        self.depth -= 1
        return inner

    def call(self, name_token: Token) -> Node:
        name = name_token.text.lower()
        if name not in _FUNCTIONS:
            raise FormulaError(
                f"Unknown function '{name_token.text}' {_at(name_token.position)}:"
                " use min, max, abs or round",
                name_token.position,
            )
        opening = self.enter()
        args = self.arguments(opening)
        self.depth -= 1
        node = Call(
            name, tuple(args), name_token.position, self.tokens[self.index - 1].position + 1
        )
        _check_call(node)
        return node

    def arguments(self, opening: Token) -> list[Node]:
        if self.token.kind is TokenKind.CLOSE:
            self.advance()
            return []
        args = [self.expression()]
        while self.close(opening, allow_comma=True):
            args.append(self.expression())
        return args

    def enter(self) -> Token:
        opening = self.advance()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(
                f"Too many brackets inside each other {_at(opening.position)}:"
                f" the limit is {MAX_DEPTH}",
                opening.position,
            )
        return opening

    def close(self, opening: Token, *, allow_comma: bool) -> bool:
        """Consume ')' (False) or, inside a function, ',' (True); refuse anything else."""
        token = self.token
        if token.kind is TokenKind.CLOSE:
            self.advance()
            return False
        if allow_comma and token.kind is TokenKind.COMMA:
            self.advance()
            return True
        if token.kind is TokenKind.END:
            raise FormulaError(
                f"Expected ')' to close the bracket opened {_at(opening.position)}",
                opening.position,
            )
        raise FormulaError(self.trailing_message(), token.position)

    def trailing_message(self) -> str:
        token = self.token
        where = _at(token.position)
        if token.kind is TokenKind.CLOSE:
            return f"Unexpected ')' {where}: there is no bracket open to close"
        if token.kind is TokenKind.COMMA:
            return (
                f"Unexpected ',' {where}: commas only separate the values of a function"
                " such as min(A, B)"
            )
        return f"Missing an operator (+ - * /) before '{token.text}' {where}"

    def missing_value_message(self) -> str:
        token = self.token
        if token.kind is TokenKind.END:
            previous = self.tokens[self.index - 1]
            return f"Missing a value after '{previous.text}' {_at(previous.position)}"
        if token.kind is TokenKind.CLOSE and self.tokens[self.index - 1].kind is TokenKind.OPEN:
            return f"Empty brackets {_at(token.position)}: put a value inside them"
        return f"Missing a value before '{token.text}' {_at(token.position)}"

    def missing_value_position(self) -> int:
        if self.token.kind is TokenKind.END:
            return self.tokens[self.index - 1].position
        return self.token.position


def _check_call(node: Call) -> None:
    low, high = _FUNCTIONS[node.name]
    count = len(node.args)
    if count < low or (high is not None and count > high):
        raise FormulaError(f"{_arity_text(node.name)} {_at(node.start)}", node.start)
    if node.name == "round" and count == 2:
        digits = node.args[1]
        if not _is_round_digits(digits):
            raise FormulaError(
                f"The second value of round {_at(digits.start)} must be a whole number"
                f" of decimal places from 0 to {MAX_ROUND_DIGITS}",
                digits.start,
            )


def _arity_text(name: str) -> str:
    if name == "abs":
        return "abs takes exactly one value"
    if name == "round":
        return "round takes a value and, optionally, a number of decimal places"
    return f"{name} needs at least one value"


def _is_round_digits(node: Node) -> bool:
    return (
        isinstance(node, Number)
        and node.value == node.value.to_integral_value()
        and 0 <= node.value <= MAX_ROUND_DIGITS
    )


def parse(text: str) -> Formula:
    """Parse a formula, raising FormulaError with a plain-English message if it is wrong."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"The formula is too long: {len(text):,} characters, the limit is {MAX_LENGTH:,}",
            MAX_LENGTH,
        )
    return _Parser(text).parse()


def check(text: str, known_codes: Collection[str]) -> Formula:
    """Parse a formula and make sure every code it reads is a known measure code."""
    formula = parse(text)
    for code, position in formula.occurrences:
        if code not in known_codes:
            raise FormulaError(_unknown_code_message(code, position, known_codes), position)
    return formula


def _unknown_code_message(code: str, position: int, known_codes: Collection[str]) -> str:
    message = f"Unknown measure code '{code}' {_at(position)}"
    parts = code.split("-")
    # "A-B" reads as one code; when its parts are codes, the writer meant a subtraction.
    if len(parts) > 1 and all(part in known_codes for part in parts):
        message += ": put spaces around '-' to subtract"
    return message


# ---------------------------------------------------------------- evaluation


class _Undefined(Exception):
    """The formula has no value for these inputs; the message says why."""


def evaluate(
    formula: Formula, values: Mapping[str, Decimal | None], *, missing_as_zero: bool = False
) -> Evaluation:
    """The value of a formula for the given inputs, or None with the reason it has none."""
    try:
        inputs = _inputs(formula, values, missing_as_zero=missing_as_zero)
        with localcontext(DECIMAL_CONTEXT):
            result = _Evaluator(formula.text, inputs).value(formula.root)
    except _Undefined as undefined:
        return Evaluation(None, str(undefined))
    except DecimalException:
        return Evaluation(None, "The result is too large to calculate")
    return Evaluation(result)


def _inputs(
    formula: Formula, values: Mapping[str, Decimal | None], *, missing_as_zero: bool
) -> dict[str, Decimal]:
    inputs: dict[str, Decimal] = {}
    missing: list[str] = []
    for code, _ in formula.occurrences:
        value = values.get(code)
        if value is None and missing_as_zero:
            value = Decimal(0)
        if value is None:
            if code not in missing:
                missing.append(code)
        elif not value.is_finite():
            raise _Undefined(f"The value of {code} is not a number")
        else:
            inputs[code] = value
    if missing:
        raise _Undefined("No data for " + ", ".join(missing))
    return inputs


class _Evaluator:
    def __init__(self, text: str, inputs: Mapping[str, Decimal]) -> None:
        self.text = text
        self.inputs = inputs

    def value(self, node: Node) -> Decimal:
        match node:
            case Number(value=value):
                return value
            case Code(name=name):
                return self.inputs[name]
            case Negate(operand=operand):
                return -self.value(operand)
            case Chain():
                return self.chain(node)
            case Call():
                return self.call(node)
        raise TypeError(f"not a formula node: {node!r}")

    def chain(self, node: Chain) -> Decimal:
        result = self.value(node.first)
        for operator, operand in node.rest:
            result = self.apply(operator, result, operand)
        return result

    def apply(self, operator: str, left: Decimal, operand: Node) -> Decimal:
        right = self.value(operand)
        if operator == "+":
            return left + right
        if operator == "-":
            return left - right
        if operator == "*":
            return left * right
        if right == 0:
            shown = self.text[operand.start : operand.end]
            raise _Undefined(f"Division by zero: {shown} is 0")
        return left / right

    def call(self, node: Call) -> Decimal:
        args = [self.value(arg) for arg in node.args]
        if node.name == "min":
            return min(args)
        if node.name == "max":
            return max(args)
        if node.name == "abs":
            return abs(args[0])
        places = int(args[1]) if len(args) == 2 else 0
        return args[0].quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- dependencies


def dependency_order(dependencies: Mapping[str, Collection[str]]) -> list[str]:
    """Calculated measures in an order where each comes after the calculated ones it reads."""
    order: list[str] = []
    state: dict[str, bool] = {}  # False while on the current path, True once placed
    for root in sorted(dependencies):
        if root not in state:
            _place(root, dependencies, state, order)
    return order


def _place(
    root: str,
    dependencies: Mapping[str, Collection[str]],
    state: dict[str, bool],
    order: list[str],
) -> None:
    # An explicit stack, not recursion: a long chain of measures must not hit the stack limit.
    path = [root]
    pending: list[Iterator[str]] = [_calculated_inputs(root, dependencies)]
    state[root] = False
    while pending:
        code = next(pending[-1], None)
        if code is None:
            pending.pop()
            done = path.pop()
            state[done] = True
            order.append(done)
        elif code not in state:
            state[code] = False
            path.append(code)
            pending.append(_calculated_inputs(code, dependencies))
        elif state[code] is False:
            raise FormulaCycleError(path[path.index(code) :] + [code])


def _calculated_inputs(code: str, dependencies: Mapping[str, Collection[str]]) -> Iterator[str]:
    return iter(sorted(name for name in dependencies[code] if name in dependencies))
