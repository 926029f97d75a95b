"""The roll-up: hand-checked numbers at every level, and SQL equal to the Python engine."""

from decimal import Decimal

import pytest
from django.db import connection

from strategy.models import RollupRun, Score
from strategy.rollup import inputs, reference
from strategy.services import rollup
from tests.strategy.scenarios import hand_checked_org

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
D = Decimal
THIRD = D(10) / 3


def full_run(**extra) -> RollupRun:
    run = RollupRun.objects.create(
        trigger=RollupRun.Trigger.COMMAND, full=True, requested_at=rollup.timezone.now(), **extra
    )
    return rollup.scores_recompute(run=run)


def score(level, obj, kind="month", number=1, year=2025) -> Score:
    return Score.objects.get(
        level=level, ref_id=obj.pk, span_kind=kind, fiscal_year=year, span_number=number
    )


def close(actual, expected) -> bool:
    return actual is not None and abs(actual - expected) < D("1e-12")


@pytest.fixture
def org():
    built = hand_checked_org()
    full_run()
    return built


def test_measure_scores_follow_the_domain_arithmetic(org):
    assert close(score("measure", org["m1"]).score, 2 * THIRD)  # at goal
    assert close(score("measure", org["m1"], number=2).score, D(5))  # halfway up the band
    assert score("measure", org["m1"], number=3).score == 0  # one band below amber
    assert close(score("measure", org["m2"], number=2).score, D(10))  # lower is better
    assert score("measure", org["m2"], number=3).status == "no_data"
    assert score("measure", org["m3"]).score == 10  # band midpoint
    assert close(score("measure", org["m3"], number=2).score, THIRD)  # one w outside
    assert score("measure", org["cm1"], number=2).score == 0  # degenerate thresholds


def test_statuses_are_words_from_the_thresholds(org):
    statuses = [score("measure", org["m1"], number=n).status for n in (1, 2, 3)]
    assert statuses == ["on_target", "near_target", "off_target"]


def test_an_objective_weights_its_measures_and_its_supporting_child_objectives(org):
    april = score("objective", org["o1"])
    assert close(april.score, D(25) / 3)  # (20/3 + 20/3 + 2 × 10) / 4
    assert (april.with_data, april.total) == (3, 3)
    june = score("objective", org["o1"], number=3)
    assert close(june.score, D(20) / 3)  # (0 + 2 × 10) / 3: M2 has no data
    assert (june.with_data, june.total) == (2, 3)
    assert june.status == "on_target"  # exactly 20/3 stays green after rounding


def test_perspectives_and_units_are_weighted_means_of_the_level_below(org):
    assert close(score("perspective", org["p1"]).score, D(25) / 3)
    assert close(score("unit", org["root"]).score, D(80) / 9)  # (2 × 25/3 + 10) / 3
    may = score("unit", org["root"], number=2)
    assert close(may.score, (2 * D("3.75") + THIRD) / 3)
    assert may.status == "near_target"


def test_quarters_aggregate_months_by_each_measures_rule(org):
    m1 = score("measure", org["m1"], kind="quarter", number=1)
    assert m1.value == 275
    assert m1.goal == 300
    assert close(m1.score, D(10) * 35 / 90)  # sum 275 against 300, amber 270
    m2 = score("measure", org["m2"], kind="quarter", number=1)
    assert m2.value == D("9.5")
    assert (m2.with_data, m2.total) == (2, 3)
    m3 = score("measure", org["m3"], kind="quarter", number=1)
    assert m3.value == 120  # last value
    assert m3.status == "off_target"


def test_year_to_date_runs_from_the_first_fiscal_month(org):
    ytd = [score("measure", org["m1"], kind="ytd", number=n).value for n in (1, 2, 3)]
    assert ytd == [100, 195, 275]
    last = [score("measure", org["m3"], kind="ytd", number=n).value for n in (1, 2, 3)]
    assert last == [100, 110, 120]


def test_the_sql_roll_up_matches_the_python_engine_row_for_row(org):
    structure = inputs.load_structure()
    expected = {
        (r.level, r.ref_id, *r.span): (r.value, r.goal, r.score, r.status, r.with_data, r.total)
        for r in reference.compute(structure, inputs.load_periods([2025]))
    }
    stored = {
        (s.level, s.ref_id, s.span_kind, s.fiscal_year, s.span_number): (
            s.value,
            s.goal,
            s.score,
            s.status,
            s.with_data,
            s.total,
        )
        for s in Score.objects.all()
    }
    assert stored.keys() == expected.keys()
    for key, row in expected.items():
        got = stored[key]
        assert got[3:] == row[3:], key
        for mine, theirs in zip(got[:3], row[:3], strict=True):
            assert (mine is None) == (theirs is None), key
            assert mine is None or abs(mine - theirs) < D("1e-12"), key


def test_running_twice_leaves_identical_rows(org):
    before = list(Score.objects.order_by("pk").values())
    run = full_run()
    assert list(Score.objects.order_by("pk").values()) == before
    assert run.rows_written == 0 if connection.vendor == "postgresql" else True


def test_a_run_records_its_outcome_and_the_units_it_covered(org):
    run = RollupRun.objects.latest("requested_at")
    assert run.outcome == "succeeded"
    assert run.rows_written > 0
    org["root"].refresh_from_db()
    assert org["root"].scores_computed_at is not None


def test_roll_up_tasks_retry_with_back_off_on_database_errors():
    from django.db import InterfaceError, OperationalError

    from strategy.tasks import scores_drain, scores_nightly, scores_run

    for task in (scores_drain, scores_run, scores_nightly):
        assert set(task.autoretry_for) == {OperationalError, InterfaceError}
        assert task.retry_backoff is True
        assert task.max_retries == 5


def test_a_drain_serves_the_requests_and_removes_them_only_when_it_succeeds(org):
    from strategy.models import RollupRequest

    RollupRequest.objects.create(
        unit=org["child"], fiscal_year=2025, requested_at=rollup.timezone.now()
    )
    run = RollupRun.objects.create(trigger="change", requested_at=rollup.timezone.now())
    rollup.scores_drain(run=run)
    run.refresh_from_db()
    assert run.outcome == "succeeded"
    assert run.unit_ids == [org["child"].pk]
    assert not RollupRequest.objects.exists()


def test_a_change_during_a_run_keeps_its_request_for_the_next_run(org, monkeypatch):
    from strategy.models import RollupRequest

    rollup.scores_request(unit_ids=[org["child"].pk], fiscal_years=[2025])
    run = RollupRun.objects.get(trigger="change", outcome="queued")
    original = rollup.scores_recompute

    def change_arrives_meanwhile(**kwargs):
        rollup.scores_request(unit_ids=[org["child"].pk], fiscal_years=[2025])
        return original(**kwargs)

    monkeypatch.setattr(rollup, "scores_recompute", change_arrives_meanwhile)
    rollup.scores_drain(run=run)
    assert RollupRequest.objects.filter(unit=org["child"], fiscal_year=2025).exists()
    assert RollupRun.objects.filter(trigger="change", outcome="queued").exists()
