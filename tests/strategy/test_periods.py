"""Fiscal years, spans, aggregation over time and entry deadlines."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategy.periods import (
    Span,
    SpanKind,
    aggregate,
    aggregate_targets,
    fiscal_month_index,
    fiscal_months,
    fiscal_year_label,
    fiscal_year_of,
    month_span,
    quarter_of,
    quarter_span,
    working_day_after,
    year_span,
    ytd_span,
)
from strategy.scoring import (
    GREEN_FROM,
    Aggregation,
    Polarity,
    Target,
    measure_score,
)

D = Decimal
APRIL = 4
JANUARY = 1


# ---------------------------------------------------------------- fiscal years


def test_january_2026_is_month_10_and_q4_of_fy_2025_with_an_april_start():
    assert fiscal_year_of(2026, 1, APRIL) == 2025
    assert fiscal_month_index(2026, 1, APRIL) == 10
    assert quarter_of(2026, 1, APRIL) == 4


def test_april_opens_the_fiscal_year_and_march_closes_it():
    assert fiscal_year_of(2025, 4, APRIL) == 2025
    assert fiscal_month_index(2025, 4, APRIL) == 1
    assert quarter_of(2025, 4, APRIL) == 1
    assert fiscal_year_of(2026, 3, APRIL) == 2025
    assert fiscal_month_index(2026, 3, APRIL) == 12


def test_a_january_start_follows_the_calendar():
    assert fiscal_year_of(2026, 1, JANUARY) == 2026
    assert fiscal_month_index(2026, 1, JANUARY) == 1
    assert quarter_of(2026, 12, JANUARY) == 4
    assert fiscal_year_label(2026, JANUARY) == "2026"


def test_fiscal_year_labels_span_two_calendar_years():
    assert fiscal_year_label(2025, APRIL) == "2025/26"
    assert fiscal_year_label(2099, APRIL) == "2099/00"


def test_fiscal_months_run_from_the_start_month():
    months = fiscal_months(2025, APRIL)
    assert months[0] == (2025, 4)
    assert months[8:10] == [(2025, 12), (2026, 1)]
    assert months[-1] == (2026, 3)
    assert len(months) == 12
    assert fiscal_months(2025, JANUARY) == [(2025, m) for m in range(1, 13)]


def test_a_month_outside_1_to_12_is_refused():
    with pytest.raises(ValueError, match="month"):
        fiscal_year_of(2025, 13, APRIL)
    with pytest.raises(ValueError, match="start_month"):
        fiscal_months(2025, 0)


@given(st.integers(1900, 2200), st.integers(1, 12), st.integers(1, 12))
def test_every_month_sits_at_its_index_in_its_fiscal_year(year, month, start_month):
    fy = fiscal_year_of(year, month, start_month)
    index = fiscal_month_index(year, month, start_month)
    assert fiscal_months(fy, start_month)[index - 1] == (year, month)
    assert quarter_of(year, month, start_month) == (index + 2) // 3


# ---------------------------------------------------------------- spans


def test_a_month_span():
    span = month_span(2025, 10, APRIL)
    assert span == Span(SpanKind.MONTH, 2025, 7, APRIL)
    assert span.months == [(2025, 10)]
    assert span.label() == "Oct 2025"
    assert month_span(2026, 1, APRIL).label() == "Jan 2026"


def test_a_quarter_span():
    span = quarter_span(2025, 3, APRIL)
    assert span.months == [(2025, 10), (2025, 11), (2025, 12)]
    assert span.label() == "Q3 2025/26"
    assert quarter_span(2025, 4, APRIL).months == [(2026, 1), (2026, 2), (2026, 3)]
    assert quarter_span(2025, 1, JANUARY).label() == "Q1 2025"


def test_a_year_to_date_span():
    span = ytd_span(2025, 10, APRIL)
    assert span.number == 7
    assert span.months == [(2025, m) for m in range(4, 11)]
    assert span.label() == "2025/26 to Oct"
    assert ytd_span(2026, 2, APRIL).months[-2:] == [(2026, 1), (2026, 2)]


def test_a_year_span():
    span = year_span(2025, APRIL)
    assert span.months == fiscal_months(2025, APRIL)
    assert span.label() == "2025/26"
    assert span.label(APRIL) == "2025/26"


def test_a_label_asked_for_another_start_month_is_refused():
    with pytest.raises(ValueError, match="start_month"):
        year_span(2025, APRIL).label(JANUARY)


@pytest.mark.parametrize(
    ("kind", "number"),
    [(SpanKind.MONTH, 0), (SpanKind.MONTH, 13), (SpanKind.QUARTER, 5), (SpanKind.YEAR, 3)],
)
def test_a_span_number_out_of_range_is_refused(kind, number):
    with pytest.raises(ValueError, match="number"):
        Span(kind, 2025, number, APRIL)


# ---------------------------------------------------------------- aggregation

GAPPY = [D(3), None, D(5), D("0"), None]


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (Aggregation.SUM, D(8)),
        (Aggregation.AVERAGE, D(8) / 3),
        (Aggregation.LAST, D(0)),
        (Aggregation.MIN, D(0)),
        (Aggregation.MAX, D(5)),
    ],
)
def test_aggregation_skips_gaps_and_keeps_real_zeros(how, expected):
    assert aggregate(GAPPY, how) == expected


def test_last_is_the_last_value_present_not_the_last_month():
    assert aggregate([D(1), D(2), None], Aggregation.LAST) == 2


def test_an_average_is_over_the_months_with_data():
    assert aggregate([D(10), None, None], Aggregation.AVERAGE) == 10


@pytest.mark.parametrize("how", list(Aggregation))
def test_all_missing_aggregates_to_none(how):
    assert aggregate([None, None, None], how) is None
    assert aggregate([], how) is None


def test_aggregation_accepts_a_stored_string():
    assert aggregate([D(1), D(2)], "sum") == 3


def test_quarter_targets_sum_goals_and_thresholds():
    monthly = Target(Polarity.HIGHER_IS_BETTER, goal=D(100), tolerance=D("0.10"))
    quarter = aggregate_targets([monthly, monthly, monthly], Aggregation.SUM)
    assert quarter.goal == 300
    assert quarter.amber_threshold() == 270
    assert measure_score(D(300), quarter) == GREEN_FROM


def test_span_targets_mix_relative_and_absolute_thresholds():
    relative = Target(Polarity.LOWER_IS_BETTER, goal=D(10), tolerance=D("0.10"))
    absolute = Target(Polarity.LOWER_IS_BETTER, goal=D(20), amber=D(25))
    span = aggregate_targets([relative, None, absolute], Aggregation.AVERAGE)
    assert span.goal == 15
    assert span.amber_threshold() == 18  # (11 + 25) / 2


def test_band_targets_aggregate_edges_and_tolerance():
    month = Target(Polarity.WITHIN_BAND, lower=D(95), upper=D(105), amber=D(5))
    quarter = aggregate_targets([month, month, month], Aggregation.SUM)
    assert (quarter.lower, quarter.upper, quarter.band_tolerance()) == (285, 315, 15)
    last = aggregate_targets([month, None], Aggregation.LAST)
    assert (last.lower, last.upper, last.band_tolerance()) == (95, 105, 5)


def test_min_and_max_targets_take_the_extreme_month():
    targets = [Target(Polarity.HIGHER_IS_BETTER, goal=D(g)) for g in (5, 9, 7)]
    assert aggregate_targets(targets, Aggregation.MIN).goal == 5
    assert aggregate_targets(targets, Aggregation.MAX).goal == 9


def test_no_month_with_a_target_gives_no_target():
    assert aggregate_targets([None, None], Aggregation.SUM) is None
    assert aggregate_targets([Target(Polarity.HIGHER_IS_BETTER)], Aggregation.SUM) is None


def test_targets_of_different_polarities_are_refused():
    higher = Target(Polarity.HIGHER_IS_BETTER, goal=D(1))
    lower = Target(Polarity.LOWER_IS_BETTER, goal=D(1))
    with pytest.raises(ValueError, match="polarities"):
        aggregate_targets([higher, lower], Aggregation.SUM)


@given(st.lists(st.one_of(st.none(), st.decimals(-1000, 1000, places=2)), max_size=12))
def test_an_average_lies_between_the_min_and_the_max(values):
    average = aggregate(values, Aggregation.AVERAGE)
    if average is None:
        assert all(v is None for v in values)
    else:
        assert aggregate(values, Aggregation.MIN) <= average <= aggregate(values, Aggregation.MAX)


# ---------------------------------------------------------------- deadlines


def test_working_days_skip_the_weekend():
    # October 2025 ends on a Friday; Saturday 1 and Sunday 2 November do not count.
    assert working_day_after(2025, 10, 1) == date(2025, 11, 3)
    assert working_day_after(2025, 10, 5) == date(2025, 11, 7)
    assert working_day_after(2025, 10, 6) == date(2025, 11, 10)


def test_working_days_skip_holidays():
    # December 2025 ends on a Wednesday; Thursday 1 and Friday 2 January are holidays here.
    assert working_day_after(2025, 12, 1) == date(2026, 1, 1)
    holidays = frozenset({date(2026, 1, 1), date(2026, 1, 2)})
    assert working_day_after(2025, 12, 1, holidays) == date(2026, 1, 5)
    assert working_day_after(2025, 12, 3, holidays) == date(2026, 1, 7)


def test_working_day_zero_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        working_day_after(2025, 1, 0)
