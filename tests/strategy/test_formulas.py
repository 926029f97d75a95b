"""The formula grammar: what it accepts, what it refuses and how it says so."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategy.formulas import (
    MAX_DEPTH,
    Evaluation,
    Formula,
    FormulaCycleError,
    FormulaError,
    check,
    dependency_order,
    evaluate,
    parse,
)

D = Decimal
KNOWN = {"COST_TOTAL", "CASES_CLOSED", "A", "B", "NI-195", "rate.2025"}


def value_of(text: str, **values: Decimal | None) -> Decimal | None:
    return evaluate(parse(text), values).value


def refusal(text: str) -> FormulaError:
    with pytest.raises(FormulaError) as caught:
        parse(text)
    return caught.value


# ---------------------------------------------------------------- accepted


def test_cost_per_case():
    formula = check("COST_TOTAL / CASES_CLOSED", KNOWN)
    assert formula.codes == {"COST_TOTAL", "CASES_CLOSED"}
    assert formula.text == "COST_TOTAL / CASES_CLOSED"
    result = evaluate(formula, {"COST_TOTAL": D(1000), "CASES_CLOSED": D(8)})
    assert result == Evaluation(D(125), None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", D(7)),
        ("(1 + 2) * 3", D(9)),
        ("10 - 4 - 3", D(3)),
        ("12 / 3 / 2", D(2)),
        ("-2 * 3", D(-6)),
        ("2 * -3", D(-6)),
        ("- -4", D(4)),
        ("1 - -1", D(2)),
        ("0.5 + 0.25", D("0.75")),
        ("1/3", D(1) / 3),
        ("\t1 +\n2 ", D(3)),
    ],
)
def test_arithmetic_follows_the_usual_precedence(text, expected):
    assert value_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("min(A, B, 7)", D(2)),
        ("max(A, B, 7)", D(7)),
        ("min(A)", D(5)),
        ("abs(B - A)", D(3)),
        ("round(A / 3)", D(2)),
        ("round(A / 3, 2)", D("1.67")),
        ("round(2.5)", D(3)),
        ("round(-2.5)", D(-3)),
        ("MAX(A, B)", D(5)),
        ("max (A, min(B, 1)) * 2", D(10)),
    ],
)
def test_functions(text, expected):
    assert value_of(text, A=D(5), B=D(2)) == expected


def test_codes_are_case_sensitive_and_may_hold_dots_and_hyphens():
    formula = check("NI-195 * rate.2025 - A", KNOWN)
    assert formula.codes == {"NI-195", "rate.2025", "A"}
    assert parse("a + A").codes == {"a", "A"}


def test_a_hyphen_with_spaces_subtracts():
    assert parse("A - B").codes == {"A", "B"}
    assert parse("A-B").codes == {"A-B"}
    assert parse("A-(B)").codes == {"A", "B"}


def test_a_thirty_digit_number_is_kept_exactly():
    assert value_of("9" * 30) == D("9" * 30)


# ---------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("__import__('os')", 0, "measure codes start with a letter"),
        ("1e400", 0, "cannot run into letters"),
        ("9**9**9", 1, "there is no power operator"),
        ("A ^ 2", 2, "Unexpected '^' at character 3: use + - * / only"),
        ("A = 1", 2, "Unexpected '='"),
        ("'text'", 0, "quotes"),
        ("A[0]", 1, "round brackets"),
        ("x.__class__", 1, "Unexpected '.'"),
        ("1 + eval(2)", 4, "Unknown function 'eval' at character 5"),
        ("os.system(1)", 0, "Unknown function 'os.system'"),
        ("", 0, "The formula is empty"),
        ("   ", 0, "The formula is empty"),
        ("A +", 2, "Missing a value after '+' at character 3"),
        ("A * / B", 4, "Missing a value before '/'"),
        ("+A", 0, "Missing a value before '+'"),
        ("A B", 2, "Missing an operator (+ - * /) before 'B' at character 3"),
        ("2(A)", 1, "Missing an operator"),
        ("(A + 1", 0, "Expected ')' to close the bracket opened at character 1"),
        ("min(A, (B", 7, "Expected ')' to close the bracket opened at character 8"),
        ("A + 1)", 5, "there is no bracket open to close"),
        ("()", 1, "Empty brackets"),
        ("A, B", 1, "commas only separate the values of a function"),
        ("(A, B)", 2, "commas only separate"),
        ("min()", 0, "min needs at least one value"),
        ("abs(A, B)", 0, "abs takes exactly one value"),
        ("round(A, B)", 9, "whole number of decimal places"),
        ("round(A, 21)", 9, "from 0 to 20"),
        ("1.2.3", 3, "only one decimal point"),
        ("1.", 1, "decimal point must have digits after it"),
        (".5", 0, "0.5"),
        ("1" * 100, 0, "at most 30 digits"),
        ("A ; B", 2, "Unexpected ';'"),
    ],
)
def test_a_refusal_says_what_and_where(text, position, words):
    error = refusal(text)
    assert error.position == position
    assert error.column == position + 1
    assert words in error.message
    assert str(error) == error.message


def test_full_width_characters_are_refused_with_a_hint():
    error = refusal("Ｍ１")
    assert error.position == 0
    assert "plain letters" in error.message
    assert "did you mean 'M'?" in error.message


def test_unicode_digits_are_not_digits():
    error = refusal("1 + ٣")  # Arabic-Indic three
    assert error.position == 4


def test_a_deeply_nested_formula_is_refused_without_recursion_error():
    error = refusal("(" * 10_000 + "1" + ")" * 10_000)
    assert "too long" in error.message


def test_nesting_is_limited_to_50_brackets():
    assert value_of("(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH) == 1
    error = refusal("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))
    assert error.position == MAX_DEPTH
    assert "Too many brackets" in error.message
    assert value_of("abs(" * MAX_DEPTH + "-1" + ")" * MAX_DEPTH) == 1
    with pytest.raises(FormulaError, match="Too many brackets"):
        parse("abs(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1))


def test_long_flat_formulas_and_many_minus_signs_do_not_recurse():
    assert value_of("+".join(["1"] * 500)) == 500
    assert value_of("-" * 999 + "1") == -1


def test_the_length_limit_is_1000_characters():
    assert value_of("1" + " " * 999) == 1
    error = refusal("1" + " " * 1000)
    assert error.position == 1000
    assert "1,001 characters" in error.message


def test_an_unknown_code_is_named_with_its_position():
    with pytest.raises(FormulaError) as caught:
        check("COST_TOTAL / CASES_CLOSD", KNOWN)
    assert caught.value.position == 13
    assert caught.value.message == "Unknown measure code 'CASES_CLOSD' at character 14"


def test_codes_are_checked_case_sensitively():
    with pytest.raises(FormulaError, match="'cost_total'"):
        check("cost_total", KNOWN)


def test_a_hyphenated_pair_of_known_codes_hints_at_spaces():
    with pytest.raises(FormulaError, match="put spaces around '-' to subtract"):
        check("A-B", KNOWN)


# ---------------------------------------------------------------- evaluation


def test_division_by_zero_names_the_divisor():
    formula = parse("COST_TOTAL / CASES_CLOSED")
    result = evaluate(formula, {"COST_TOTAL": D(10), "CASES_CLOSED": D(0)})
    assert result == Evaluation(None, "Division by zero: CASES_CLOSED is 0")
    assert evaluate(parse("A / (B - B)"), {"A": D(1), "B": D(2)}).reason == (
        "Division by zero: B - B is 0"
    )


def test_a_missing_input_makes_the_result_missing():
    formula = parse("A + B * A + C")
    result = evaluate(formula, {"B": D(2), "C": None})
    assert result == Evaluation(None, "No data for A, C")


def test_a_missing_input_can_count_as_zero():
    formula = parse("A + B")
    assert evaluate(formula, {"B": D(2)}, missing_as_zero=True) == Evaluation(D(2), None)
    divided = evaluate(parse("A / B"), {"A": D(2)}, missing_as_zero=True)
    assert divided == Evaluation(None, "Division by zero: B is 0")


def test_a_real_zero_input_is_a_value():
    assert evaluate(parse("A + 1"), {"A": D(0)}) == Evaluation(D(1), None)


def test_an_overflow_is_a_reason_not_an_exception():
    result = evaluate(parse("A * A"), {"A": D("9e999999")})
    assert result.value is None
    assert "too large" in result.reason
    assert evaluate(parse("round(A, 20)"), {"A": D("1e20")}).value is None


def test_a_non_finite_input_is_a_reason_not_an_exception():
    result = evaluate(parse("A + 1"), {"A": D("NaN")})
    assert result == Evaluation(None, "The value of A is not a number")


# ---------------------------------------------------------------- dependencies


def test_dependency_order_puts_inputs_first():
    order = dependency_order({"C": {"A", "X"}, "A": {"B"}, "B": {"X", "Y"}, "D": set()})
    assert set(order) == {"A", "B", "C", "D"}
    assert order.index("B") < order.index("A") < order.index("C")


def test_a_cycle_is_named_in_order():
    with pytest.raises(FormulaCycleError) as caught:
        dependency_order({"A": {"B"}, "B": {"C"}, "C": {"A"}, "D": {"A"}})
    assert caught.value.message.endswith("A → B → C → A")
    assert caught.value.cycle == ("A", "B", "C", "A")
    assert caught.value.position == -1
    assert caught.value.column is None


def test_a_self_reference_is_a_cycle():
    with pytest.raises(FormulaCycleError, match="A → A"):
        dependency_order({"A": {"A", "B"}})


def test_a_long_chain_does_not_recurse():
    chain = {f"M{i}": {f"M{i + 1}"} for i in range(5000)}
    assert dependency_order(chain)[0] == "M4999"


# ---------------------------------------------------------------- properties


@given(st.text(max_size=60))
def test_any_text_parses_or_is_refused_with_a_position_inside_it(text):
    outcome: Formula | FormulaError
    try:
        outcome = parse(text)
    except FormulaError as error:
        outcome = error
    if isinstance(outcome, FormulaError):
        assert 0 <= outcome.position <= len(text)
    else:
        assert outcome.text == text


@given(st.text(alphabet="AB0123456789.+-*/(), ", max_size=60))
def test_any_accepted_formula_evaluates_without_an_exception(text):
    try:
        formula = parse(text)
    except FormulaError:
        return
    result = evaluate(formula, {"A": D(3), "B": D(0)})
    assert (result.value is None) == (result.reason is not None)
