"""Scores, statuses and roll-ups: worked numbers from docs/domain.md, then properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategy.scoring import (
    AMBER_FROM,
    DECIMAL_CONTEXT,
    GREEN_FROM,
    MAX_SCORE,
    Polarity,
    RollUp,
    Status,
    Target,
    measure_result,
    measure_score,
    status_for,
    weighted_mean,
)

D = Decimal
TEN_THIRDS = D(10) / 3
HIGHER = Polarity.HIGHER_IS_BETTER
LOWER = Polarity.LOWER_IS_BETTER
BAND = Polarity.WITHIN_BAND


def score(actual: str | int | None, target: Target | None) -> Decimal | None:
    return measure_score(None if actual is None else D(actual), target)


# ---------------------------------------------------------------- worked numbers


@pytest.mark.parametrize(
    ("actual", "expected"),
    [("90", AMBER_FROM), ("100", GREEN_FROM), ("110", MAX_SCORE), ("80", D(0)), ("95", D(5))],
)
def test_higher_is_better_goal_100_with_ten_percent_tolerance(actual, expected):
    target = Target(HIGHER, goal=D(100), tolerance=D("0.10"))
    assert target.amber_threshold() == 90
    assert score(actual, target) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [("11", AMBER_FROM), ("10", GREEN_FROM), ("9", MAX_SCORE), ("12", D(0)), ("10.5", D(5))],
)
def test_lower_is_better_goal_10_with_ten_percent_tolerance_mirrors(actual, expected):
    target = Target(LOWER, goal=D(10), tolerance=D("0.10"))
    assert target.amber_threshold() == 11
    assert score(actual, target) == expected


def test_scores_beyond_the_ends_are_clamped():
    target = Target(HIGHER, goal=D(100))
    assert score(1_000_000, target) == 10
    assert score(-1_000_000, target) == 0


def test_an_explicit_absolute_amber_wins_over_the_tolerance():
    target = Target(HIGHER, goal=D(100), amber=D(80), tolerance=D("0.10"))
    assert target.amber_threshold() == 80
    assert score(80, target) == AMBER_FROM
    assert score(90, target) == 5
    assert score(120, target) == 10
    assert score(60, target) == 0


def test_an_absolute_amber_works_for_lower_is_better():
    target = Target(LOWER, goal=D(20), amber=D(30))
    assert score(30, target) == AMBER_FROM
    assert score(25, target) == 5
    assert score(10, target) == 10
    assert score(40, target) == 0


def test_a_negative_goal_keeps_its_amber_on_the_losing_side():
    assert Target(HIGHER, goal=D(-10)).amber_threshold() == D(-11)
    assert Target(LOWER, goal=D(-10)).amber_threshold() == D(-9)
    assert score(-10, Target(HIGHER, goal=D(-10))) == GREEN_FROM


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("100", MAX_SCORE),
        ("95", GREEN_FROM),
        ("105", GREEN_FROM),
        ("110", AMBER_FROM),
        ("115", D(0)),
        ("90", AMBER_FROM),
        ("85", D(0)),
        ("97.5", D(25) / 3),
    ],
)
def test_band_95_to_105_with_tolerance_5(actual, expected):
    target = Target(BAND, lower=D(95), upper=D(105), amber=D(5))
    assert score(actual, target) == expected


def test_band_tolerance_is_relative_to_the_band_width_by_default():
    target = Target(BAND, lower=D(90), upper=D(110), tolerance=D("0.10"))
    assert target.band_tolerance() == 2
    assert score(112, target) == AMBER_FROM
    assert score(86, target) == 0


def test_a_one_point_band_scores_10_on_the_point_and_uses_the_value_for_its_tolerance():
    target = Target(BAND, lower=D(50), upper=D(50), tolerance=D("0.10"))
    assert target.band_tolerance() == 5
    assert score(50, target) == 10
    assert score(55, target) == AMBER_FROM


def test_a_band_with_no_tolerance_scores_0_outside():
    target = Target(BAND, lower=D(0), upper=D(0))
    assert target.band_tolerance() == 0
    assert score(0, target) == 10
    assert score(1, target) == 0
    assert score("0.001", Target(BAND, lower=D(1), upper=D(2), amber=D(0))) == 0


@pytest.mark.parametrize(("actual", "expected"), [(0, D(10)), (1, D(0)), (-1, D(10))])
def test_a_goal_of_zero_incidents_is_met_or_missed(actual, expected):
    target = Target(LOWER, goal=D(0), tolerance=D("0.10"))
    assert target.amber_threshold() == target.goal
    assert score(actual, target) == expected


def test_a_degenerate_higher_is_better_target_is_met_at_the_goal():
    target = Target(HIGHER, goal=D(50), amber=D(50))
    assert score(50, target) == 10
    assert score("49.99", target) == 0


def test_an_actual_of_zero_is_a_value_not_no_data():
    result = measure_result(D(0), Target(HIGHER, goal=D(100)))
    assert result.value == 0
    assert result.score == 0
    assert result.status is Status.OFF_TARGET
    assert measure_result(D(0), Target(LOWER, goal=D(10))).status is Status.ON_TARGET


def test_no_actual_means_no_score_and_no_data():
    result = measure_result(None, Target(HIGHER, goal=D(100)))
    assert result.score is None
    assert result.status is Status.NO_DATA


def test_no_goal_means_no_score_and_no_target():
    assert measure_result(D(5), None).status is Status.NO_TARGET
    assert measure_result(D(5), Target(HIGHER)).status is Status.NO_TARGET
    assert measure_result(D(5), Target(BAND, lower=D(1))).status is Status.NO_TARGET
    assert score(5, Target(HIGHER)) is None


def test_a_missing_value_after_its_due_date_is_overdue():
    result = measure_result(None, Target(HIGHER, goal=D(1)), overdue=True)
    assert result.status is Status.OVERDUE
    assert result.status.label == "Overdue"


def test_a_not_applicable_period_has_no_score_even_with_a_value():
    result = measure_result(D(7), Target(HIGHER, goal=D(1)), not_applicable=True)
    assert result.value == 7
    assert result.score is None
    assert result.status is Status.NOT_APPLICABLE


# ---------------------------------------------------------------- status


def test_status_thresholds_are_inclusive():
    just_below_green = DECIMAL_CONTEXT.next_minus(GREEN_FROM)
    just_below_amber = DECIMAL_CONTEXT.next_minus(AMBER_FROM)
    assert status_for(GREEN_FROM) is Status.ON_TARGET
    assert status_for(just_below_green) is Status.NEAR_TARGET
    assert status_for(AMBER_FROM) is Status.NEAR_TARGET
    assert status_for(just_below_amber) is Status.OFF_TARGET
    assert status_for(D(0)) is Status.OFF_TARGET
    assert status_for(D(10)) is Status.ON_TARGET


def test_the_thresholds_are_full_precision_thirds():
    assert D(20) / 3 == GREEN_FROM
    assert TEN_THIRDS == AMBER_FROM
    assert str(GREEN_FROM) == "6.666666666666666666666666667"


def test_status_precedence_is_na_then_no_target_then_no_data():
    assert status_for(None, has_target=False, not_applicable=True, overdue=True) is (
        Status.NOT_APPLICABLE
    )
    assert status_for(D(9), not_applicable=True) is Status.NOT_APPLICABLE
    assert status_for(None, has_target=False, overdue=True) is Status.NO_TARGET
    assert status_for(None, overdue=True) is Status.OVERDUE
    assert status_for(None) is Status.NO_DATA
    assert status_for(D(9), overdue=True) is Status.ON_TARGET


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.ON_TARGET, "On target"),
        (Status.NEAR_TARGET, "Near target"),
        (Status.OFF_TARGET, "Off target"),
        (Status.NO_DATA, "No data"),
        (Status.NOT_APPLICABLE, "N/A"),
        (Status.OVERDUE, "Overdue"),
        (Status.NO_TARGET, "No target"),
    ],
)
def test_every_status_has_words(status, label):
    assert status.label == label


# ---------------------------------------------------------------- targets


def test_a_target_accepts_its_polarity_as_a_stored_string():
    assert Target("lower", goal=D(1)).polarity is LOWER


@pytest.mark.parametrize(
    "kwargs",
    [
        {"polarity": HIGHER, "goal": D(100), "amber": D(110)},
        {"polarity": LOWER, "goal": D(100), "amber": D(90)},
        {"polarity": BAND, "lower": D(10), "upper": D(5)},
        {"polarity": BAND, "lower": D(1), "upper": D(5), "amber": D(-1)},
        {"polarity": HIGHER, "goal": D(1), "tolerance": D("-0.1")},
        {"polarity": HIGHER, "goal": D("NaN")},
        {"polarity": HIGHER, "goal": D("Infinity")},
    ],
)
def test_an_inconsistent_target_is_refused(kwargs):
    with pytest.raises(ValueError, match=r"."):
        Target(**kwargs)


def test_a_non_finite_actual_is_refused():
    with pytest.raises(ValueError, match="finite"):
        measure_score(D("NaN"), Target(HIGHER, goal=D(1)))


# ---------------------------------------------------------------- roll-ups


def test_weighted_mean_of_four_of_five_with_data():
    rollup = weighted_mean([(D(8), D(1)), (D(6), D(2)), (None, D(1)), (D(4), D(1)), (D(10), D(0))])
    # (8*1 + 6*2 + 4*1 + 10*0) / (1 + 2 + 1 + 0) = 24 / 4
    assert rollup == RollUp(score=D(6), with_data=4, total=5)
    assert rollup.coverage_text == "4 of 5 with data"
    assert rollup.status is Status.NEAR_TARGET


def test_zero_weights_fall_back_to_the_plain_mean():
    rollup = weighted_mean([(D(8), D(0)), (D(6), D(0)), (None, D(3))])
    assert rollup.score == 7
    assert rollup.coverage_text == "2 of 3 with data"


def test_a_zero_score_counts_in_the_mean():
    assert weighted_mean([(D(0), D(1)), (D(10), D(1))]).score == 5


def test_no_items_with_data_give_no_score():
    rollup = weighted_mean([(None, D(1)), (None, D(2))])
    assert rollup.score is None
    assert rollup.coverage_text == "0 of 2 with data"
    assert rollup.status is Status.NO_DATA
    assert weighted_mean([]) == RollUp(score=None, with_data=0, total=0)


def test_a_mean_of_goals_met_stays_on_target():
    rollup = weighted_mean([(GREEN_FROM, D(1)), (GREEN_FROM, D(2)), (GREEN_FROM, D("0.7"))])
    assert rollup.score == GREEN_FROM
    assert rollup.status is Status.ON_TARGET


def test_a_negative_weight_is_refused():
    with pytest.raises(ValueError, match="negative"):
        weighted_mean([(D(5), D(-1))])


# ---------------------------------------------------------------- properties

values = st.decimals(
    min_value=-1_000_000, max_value=1_000_000, places=3, allow_nan=False, allow_infinity=False
)
tolerances = st.decimals(min_value=0, max_value=2, places=2)
gaps = st.decimals(min_value=0, max_value=10_000, places=3)
scores = st.decimals(min_value=0, max_value=10, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=0, max_value=1000, places=2)


@st.composite
def targets(draw: st.DrawFn, polarity: Polarity) -> Target:
    absolute = draw(st.one_of(st.none(), gaps))
    tolerance = draw(tolerances)
    if polarity is BAND:
        lower = draw(values)
        upper = lower + draw(gaps)
        return Target(BAND, lower=lower, upper=upper, amber=absolute, tolerance=tolerance)
    goal = draw(values)
    amber = None if absolute is None else goal + (-absolute if polarity is HIGHER else absolute)
    return Target(polarity, goal=goal, amber=amber, tolerance=tolerance)


any_target = st.sampled_from(list(Polarity)).flatmap(targets)


@given(any_target, values)
def test_scores_stay_within_0_and_10(target, actual):
    result = measure_score(actual, target)
    assert result is not None
    assert 0 <= result <= 10


@given(targets(HIGHER), values, values)
def test_higher_is_better_never_falls_as_the_actual_rises(target, a, b):
    low, high = sorted((a, b))
    assert measure_score(low, target) <= measure_score(high, target)


@given(targets(LOWER), values, values)
def test_lower_is_better_never_rises_as_the_actual_rises(target, a, b):
    low, high = sorted((a, b))
    assert measure_score(low, target) >= measure_score(high, target)


@given(targets(BAND), values)
def test_band_score_is_symmetric_about_the_midpoint(target, actual):
    mirrored = target.lower + target.upper - actual
    assert measure_score(actual, target) == measure_score(mirrored, target)


@given(scores)
def test_status_agrees_with_the_score_thresholds(value):
    status = status_for(value)
    assert (status is Status.ON_TARGET) == (value >= GREEN_FROM)
    assert (status is Status.OFF_TARGET) == (value < AMBER_FROM)


@given(any_target, values)
def test_measure_result_status_agrees_with_its_score(target, actual):
    result = measure_result(actual, target)
    assert result.status is status_for(result.score)


@given(st.lists(st.tuples(st.one_of(st.none(), scores), weights), max_size=12))
def test_weighted_mean_lies_between_the_scores_with_data(items):
    rollup = weighted_mean(items)
    present = [s for s, _ in items if s is not None]
    assert rollup.total == len(items)
    assert rollup.with_data == len(present)
    if not present:
        assert rollup.score is None
    else:
        assert min(present) <= rollup.score <= max(present)
