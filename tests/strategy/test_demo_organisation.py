"""The demo organisation: Riverside City Council, loaded deterministically and idempotently."""

import contextlib
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from strategy import formulas, periods, scoring
from strategy.demo import DemoSummary, demo_organisation_load
from strategy.graphs import formula_check, link_would_cycle
from strategy.models import (
    Actual,
    Alignment,
    CauseEffectLink,
    Initiative,
    Measure,
    Milestone,
    Objective,
    OrgUnit,
    Period,
    Perspective,
    Plan,
    Target,
)

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 7, 9)  # FY 2025/26, month 4: the window is April 2023 to March 2026
DEMO_USERNAMES = ["performance", "executive", "hr", "manager", "employee"]


class Rollback(Exception):
    """Raised inside a savepoint to undo a load."""


def create_demo_users() -> dict:
    """The demo usernames, without the cost of hashing the demo password."""
    return {
        name: get_user_model().objects.create(username=name, email=f"{name}@example.org")
        for name in DEMO_USERNAMES
    }


@pytest.fixture
def demo_users(db):
    return create_demo_users()


@pytest.fixture(scope="class")
def shared_demo(django_db_setup, django_db_blocker):
    """One load for a whole class of read-only tests, rolled back after the class.

    Each test still runs in its own savepoint inside this transaction, as in Django's
    TestCase.setUpTestData, so a test that writes cannot leak into the next one.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        users = create_demo_users()
        summary = demo_organisation_load(as_of=AS_OF)
    yield summary, users
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def demo(shared_demo, db) -> DemoSummary:
    return shared_demo[0]


def scoring_target(row: Target | None) -> scoring.Target | None:
    if row is None:
        return None
    measure = row.measure
    return scoring.Target(
        measure.polarity, row.goal, row.lower, row.upper, row.amber, measure.tolerance
    )


def statuses(actuals) -> list[tuple[Actual, scoring.Status]]:
    """Each actual with its status against the target of its month."""
    targets = {(t.measure_id, t.period_id): t for t in Target.objects.select_related("measure")}
    return [
        (
            actual,
            scoring.measure_result(
                actual.value,
                scoring_target(targets.get((actual.measure_id, actual.period_id))),
                not_applicable=actual.not_applicable,
            ).status,
        )
        for actual in actuals.select_related("period")
    ]


def window_months(as_of: date = AS_OF, start_month: int = 4) -> list[tuple[int, int]]:
    fy = periods.fiscal_year_of(as_of.year, as_of.month, start_month)
    return [m for year in (fy - 2, fy - 1, fy) for m in periods.fiscal_months(year, start_month)]


def all_rows() -> dict[str, list[dict]]:
    """Every row of every strategy table, history and many-to-many tables included."""
    models = apps.get_app_config("strategy").get_models(include_auto_created=True)
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def natural_snapshot() -> dict[str, list[tuple]]:
    """The demo data by natural keys, without primary keys or history timestamps."""

    def rows(queryset, *fields):
        return sorted(queryset.values_list(*fields), key=repr)

    return {
        "units": rows(OrgUnit.objects, "code", "name", "parent__code", "order"),
        "plans": rows(
            Plan.objects, "unit__code", "name", "mission", "vision", "first_year", "last_year"
        ),
        "perspectives": rows(Perspective.objects, "plan__name", "name", "order", "weight"),
        "objectives": rows(
            Objective.objects,
            "code",
            "perspective__plan__name",
            "perspective__name",
            "name",
            "description",
            "owner__username",
            "weight",
            "order",
        ),
        "links": rows(CauseEffectLink.objects, "cause__code", "effect__code"),
        "alignments": rows(Alignment.objects, "child__code", "parent__code", "weight"),
        "measures": rows(
            Measure.objects,
            *(
                f.name
                for f in Measure._meta.concrete_fields
                if not (f.is_relation or f.primary_key)
            ),
            "objective__code",
            "owner__username",
            "stewards__username",
        ),
        "periods": rows(Period.objects, "year", "month", "state"),
        "targets": rows(
            Target.objects,
            "measure__code",
            "period__year",
            "period__month",
            "goal",
            "lower",
            "upper",
            "amber",
        ),
        "actuals": rows(
            Actual.objects,
            "measure__code",
            "period__year",
            "period__month",
            "value",
            "not_applicable",
            "analysis",
            "actions",
            "risks",
            "status",
            "entered_by__username",
            "entered_at",
            "version",
        ),
        "initiatives": rows(
            Initiative.objects,
            "code",
            "name",
            "description",
            "owner__username",
            "start_date",
            "end_date",
            "budget",
            "spend",
            "percent_complete",
            "status",
            "objectives__code",
        ),
        "milestones": rows(
            Milestone.objects, "initiative__code", "name", "due_date", "completed_on"
        ),
    }


@pytest.mark.smoke
def test_it_loads_a_council_of_the_size_the_issue_describes(demo_users):
    summary = demo_organisation_load(as_of=AS_OF)
    root = OrgUnit.objects.get(code="RCC")
    directorates = list(root.children.all())
    services = list(OrgUnit.objects.filter(parent__in=directorates))
    assert root.name == "Riverside City Council"
    assert len(directorates) == 3
    assert 4 <= len(services) <= 6
    corporate_plan = root.plans.get()
    assert corporate_plan.name == "Corporate Plan 2023–2027"
    assert (corporate_plan.first_year, corporate_plan.last_year) == (2023, 2026)
    assert corporate_plan.mission
    assert corporate_plan.vision
    perspectives = corporate_plan.perspectives.order_by("order")
    assert [p.name for p in perspectives] == Perspective.DEFAULT_NAMES
    corporate = Objective.objects.filter(perspective__plan=corporate_plan)
    assert 13 <= corporate.count() <= 17
    assert {o.perspective.name for o in corporate} == set(Perspective.DEFAULT_NAMES)
    for unit in [*directorates, *services]:
        assert 2 <= Objective.objects.filter(perspective__plan__unit=unit).count() <= 4, unit
    assert 35 <= summary.measures <= 45
    assert Measure.objects.filter(objective__in=corporate).count() > summary.measures / 2
    assert 6 <= summary.initiatives <= 10
    assert summary == DemoSummary(
        units=OrgUnit.objects.count(),
        objectives=Objective.objects.count(),
        measures=Measure.objects.count(),
        actuals=Actual.objects.count(),
        targets=Target.objects.count(),
        initiatives=Initiative.objects.count(),
    )
    assert summary.actuals > 800
    assert summary.targets > 800
    assert Actual.history.count() == summary.actuals  # the bulk writes kept their history
    assert Target.history.count() == summary.targets


def test_quarters_follow_the_fiscal_year_start_setting(demo_users, settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    demo_organisation_load(as_of=AS_OF)
    assert list(Period.objects.values_list("year", "month")) == window_months(AS_OF, 1)
    assert Plan.objects.get(unit__code="RCC").name == "Corporate Plan 2023–2027"
    quarterly = Actual.objects.filter(measure__frequency="quarterly")
    assert set(quarterly.values_list("period__month", flat=True)) == {3, 6, 9, 12}
    annual = Actual.objects.filter(measure__frequency="annual")
    assert set(annual.values_list("period__month", flat=True)) == {12}


def test_owners_are_left_empty_without_the_demo_users(db):
    demo_organisation_load(as_of=AS_OF)
    assert not Measure.objects.exclude(owner=None).exists()
    assert not Objective.objects.exclude(owner=None).exists()
    assert not Actual.objects.exclude(entered_by=None).exists()
    assert Actual.objects.exists()


def test_the_same_as_of_gives_identical_data_on_two_fresh_loads(demo_users, monkeypatch):
    def no_clock():
        raise AssertionError("the demo read the clock although it was given as_of")

    monkeypatch.setattr("strategy.demo.timezone.localdate", no_clock)
    snapshots = []
    for _ in range(2):
        with contextlib.suppress(Rollback), transaction.atomic():
            demo_organisation_load(as_of=AS_OF)
            snapshots.append(natural_snapshot())
            raise Rollback
    assert not Measure.objects.exists()  # each load was undone before the next
    assert snapshots[0]["actuals"]
    assert snapshots[0] == snapshots[1]


class TestTheLoadedCouncil:
    """Checks on one shared load as of AS_OF."""

    def test_measures_cover_every_polarity_aggregation_frequency_and_unit(self, demo):
        measures = Measure.objects.all()
        assert {m.polarity for m in measures} == {p.value for p in scoring.Polarity}
        assert {m.aggregation for m in measures} == {a.value for a in scoring.Aggregation}
        assert {m.frequency for m in measures} == {"monthly", "quarterly", "annual"}
        assert {"%", "£", "days", "cases", "people"} <= {m.unit for m in measures}
        assert {m.decimals for m in measures} >= {0, 1, 2}
        band = Measure.objects.get(code="BED_OCC")
        assert band.polarity == scoring.Polarity.WITHIN_BAND
        assert {(t.lower, t.upper) for t in band.targets.all()} == {(Decimal(85), Decimal(92))}

    def test_calculated_measures_pass_the_formula_check_and_have_no_actuals(self, demo):
        calculated = Measure.objects.exclude(formula="")
        assert calculated.count() >= 3
        assert Measure.objects.get(code="HOUS_COST_PER_CASE").formula == "HOUS_SPEND / HOUS_CASES"
        codes = set(Measure.objects.values_list("code", flat=True))
        functions = set()
        for measure in calculated:
            formula_check(measure.code, measure.formula)
            measure.full_clean()
            assert formulas.parse(measure.formula).codes <= codes
            assert not measure.actuals.exists(), measure.code
            assert measure.targets.exists(), measure.code
            functions |= {name for name in ("max", "round") if f"{name}(" in measure.formula}
        assert functions == {"max", "round"}

    def test_cause_effect_links_flow_up_the_map_without_cycles(self, demo):
        links = CauseEffectLink.objects.select_related("cause__perspective", "effect__perspective")
        assert 15 <= links.count() <= 20
        for link in links:
            link.full_clean()
            assert not link_would_cycle(link.cause_id, link.effect_id, link.pk)
            # Perspectives run from citizens (1) at the top to learning (4): effects sit higher.
            assert link.effect.perspective.order <= link.cause.perspective.order, link

    def test_every_unit_objective_supports_an_objective_of_its_parent_unit(self, demo):
        below_the_council = Objective.objects.exclude(perspective__plan__unit__code="RCC")
        for objective in below_the_council:
            assert objective.supports.exists(), objective
        for alignment in Alignment.objects.all():
            alignment.full_clean()
            assert alignment.child.unit.parent == alignment.parent.unit

    def test_periods_are_closed_except_the_last_two_complete_months(self, demo):
        months = window_months()
        assert list(Period.objects.values_list("year", "month")) == months
        states = {(p.year, p.month): p.state for p in Period.objects.all()}
        complete = [m for m in months if m < (AS_OF.year, AS_OF.month)]
        assert complete[-2:] == [(2025, 5), (2025, 6)]
        assert {states[m] for m in complete[:-2]} == {Period.State.CLOSED}
        assert {states[m] for m in months if m not in complete[:-2]} == {Period.State.OPEN}

    def test_actuals_stop_before_the_current_month_and_are_approved_when_closed(self, demo):
        assert not Actual.objects.filter(period__year=2025, period__month__gte=7).exists()
        assert not Actual.objects.filter(period__year=2026).exists()
        closed = Actual.objects.filter(period__state=Period.State.CLOSED)
        assert set(closed.values_list("status", flat=True)) == {Actual.Status.APPROVED}
        still_open = Actual.objects.filter(period__state=Period.State.OPEN)
        assert set(still_open.values_list("status", flat=True)) == {
            Actual.Status.SUBMITTED,
            Actual.Status.DRAFT,
        }
        assert not Actual.objects.filter(entered_at__date__gt=AS_OF).exists()
        assert not Actual.objects.filter(entered_by=None).exists()

    def test_quarterly_and_annual_measures_only_have_values_in_their_reporting_months(self, demo):
        for measure in Measure.objects.exclude(frequency="monthly"):
            expected = {3, 6, 9, 12} if measure.frequency == "quarterly" else {12}
            for row in (*measure.actuals.all(), *measure.targets.all()):
                assert row.period.fiscal_month_index in expected, (measure.code, row.period)
            assert measure.actuals.exists(), measure.code

    def test_targets_cover_every_reporting_month_and_tighten_year_on_year(self, demo):
        all_periods = list(Period.objects.all())
        for measure in Measure.objects.exclude(weight=0):
            reporting = [p for p in all_periods if measure.reports_in(p)]
            assert measure.targets.count() == len(reporting), measure.code
        with_absolute_amber = Target.objects.exclude(amber=None).values("measure").distinct()
        assert with_absolute_amber.count() >= 3
        for code, better in [("HOUS_TA", -1), ("DIGITAL_SHARE", 1), ("AGENCY_SPEND", -1)]:
            june = Target.objects.filter(measure__code=code, period__month=6)
            goals = [june.get(period__year=year).goal for year in (2023, 2024, 2025)]
            assert better * (goals[1] - goals[0]) > 0, code
            assert better * (goals[2] - goals[1]) > 0, code

    def test_context_measures_have_values_but_no_target_and_no_weight(self, demo):
        for code in ["BIN_MADE", "PLAN_DECIDED", "PLAN_IN_TIME", "STAFF_FTE"]:
            measure = Measure.objects.get(code=code)
            assert measure.weight == 0
            assert not measure.targets.exists()
            assert measure.actuals.exists()

    def test_there_are_a_few_gaps_and_a_couple_of_not_applicable_months(self, demo):
        closed = Period.objects.filter(state=Period.State.CLOSED)
        monthly = Measure.objects.filter(frequency="monthly", formula="")
        expected = monthly.count() * closed.count()
        present = Actual.objects.filter(measure__in=monthly, period__in=closed).count()
        assert 0 < expected - present <= 10
        not_applicable = Actual.objects.filter(not_applicable=True)
        assert {a.measure.code for a in not_applicable} == {"GRASS_CUT"}
        assert {a.period.month for a in not_applicable} == {12, 1}
        for actual in not_applicable:
            assert actual.value is None
            assert actual.analysis

    def test_every_red_actual_has_commentary(self, demo):
        by_status: dict[scoring.Status, list[Actual]] = {}
        for actual, status in statuses(Actual.objects.all()):
            by_status.setdefault(status, []).append(actual)
        red = by_status[scoring.Status.OFF_TARGET]
        assert len(red) >= 20
        for actual in red:
            assert actual.analysis, actual
            assert actual.actions, actual
            assert actual.risks, actual
            assert actual.analysis.startswith(actual.period.label)
        amber = by_status[scoring.Status.NEAR_TARGET]
        assert any(a.analysis for a in amber)
        assert any(not a.analysis for a in amber)
        assert not any(a.analysis for a in by_status[scoring.Status.ON_TARGET])

    def test_the_last_closed_month_has_green_amber_and_red_values(self, demo):
        last_closed = Period.objects.filter(state=Period.State.CLOSED).order_by("-year", "-month")
        counts = Counter(status for _, status in statuses(last_closed[0].actuals.all()))
        assert counts[scoring.Status.ON_TARGET] >= 5
        assert counts[scoring.Status.NEAR_TARGET] >= 3
        assert counts[scoring.Status.OFF_TARGET] >= 2

    def test_values_are_rounded_to_each_measures_decimals(self, demo):
        for actual in Actual.objects.exclude(value=None).select_related("measure"):
            assert actual.value == round(actual.value, actual.measure.decimals), actual
            if actual.measure.unit == "%":
                assert 0 <= actual.value <= 100, actual

    def test_owners_are_the_demo_users(self, demo, shared_demo):
        users = shared_demo[1]
        owners = Counter(m.owner.username for m in Measure.objects.select_related("owner"))
        assert set(owners) == {"manager", "performance"}
        assert owners["manager"] > owners.total() / 2
        assert owners["performance"] >= 5
        assert Measure.objects.exclude(stewards=None).distinct().count() >= 3
        assert Objective.objects.filter(owner=users["executive"]).count() >= 10
        assert not Objective.objects.filter(owner=None).exists()

    def test_initiatives_have_milestones_some_done_some_overdue_some_overspent(self, demo):
        initiatives = list(Initiative.objects.all())
        for initiative in initiatives:
            assert 2 <= initiative.milestones.count() <= 5, initiative
            assert initiative.objectives.exists(), initiative
            assert initiative.owner is not None, initiative
            initiative.full_clean()
        milestones = list(Milestone.objects.all())
        assert any(m.completed_on is not None for m in milestones)
        assert not any(m.completed_on and m.completed_on > AS_OF for m in milestones)
        assert any(m.is_overdue(AS_OF) for m in milestones)
        assert any(i.spend > i.budget for i in initiatives)
        assert any(i.spend < i.budget for i in initiatives)
        assert len({i.status for i in initiatives}) >= 4
        assert min(i.start_date for i in initiatives) < date(2024, 4, 1)
        assert max(i.end_date for i in initiatives) > date(2026, 4, 1)

    def test_loading_twice_changes_nothing(self, demo):
        before = all_rows()
        history = (Actual.history.count(), Target.history.count())
        assert demo_organisation_load(as_of=AS_OF) == demo
        assert (Actual.history.count(), Target.history.count()) == history
        assert all_rows() == before

    def test_a_load_a_month_later_adds_the_month_and_closes_the_oldest_open_one(self, demo):
        may = Period.objects.get(year=2025, month=5)
        assert may.is_open
        june_before = Actual.objects.filter(period__year=2025, period__month=6).count()
        summary = demo_organisation_load(as_of=date(2025, 8, 20))
        may.refresh_from_db()
        assert not may.is_open
        assert set(may.actuals.values_list("status", flat=True)) == {Actual.Status.APPROVED}
        assert Actual.objects.filter(period__year=2025, period__month=7).exists()
        assert Actual.objects.filter(period__year=2025, period__month=6).count() >= june_before
        assert summary.actuals > demo.actuals
        assert Period.objects.count() == 36
