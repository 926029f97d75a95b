"""scorecard_import: a clean workbook imports; any bad row leaves the database as it was.

The example workbook is built here with openpyxl directly (not with our writer), so the
reader is tested against a file made the way a person or another tool would make it.
Other test modules import `example`, `build_workbook` and `persona_users` from here.
"""

import copy
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from strategy import workbook
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
from strategy.services import transfer
from strategy.services.transfer import scorecard_import
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime(2025, 7, 10, 9, 30, tzinfo=ZoneInfo("Europe/London"))

EXAMPLE = {
    "Units": [
        {"code": "COUNCIL", "name": "Riverside Council", "parent_code": None},
        {"code": "HOUSING", "name": "Housing Services", "parent_code": "COUNCIL"},
    ],
    "Plans": [
        {
            "unit_code": "COUNCIL",
            "name": "Corporate Plan",
            "mission": "A fair and green Riverside.",
            "vision": "Everyone thrives.",
            "first_year": 2025,
            "last_year": 2027,
        },
        {
            "unit_code": "HOUSING",
            "name": "Housing Plan",
            "mission": "Everyone has a safe home.",
            "vision": "",
            "first_year": 2025,
            "last_year": 2027,
        },
    ],
    "Perspectives": [
        {
            "unit_code": "COUNCIL",
            "plan": "Corporate Plan",
            "name": "Citizens & Stakeholders",
            "order": 1,
            "weight": 2,
        },
        {
            "unit_code": "HOUSING",
            "plan": "Housing Plan",
            "name": "Citizens & Stakeholders",
            "order": 1,
            "weight": 1,
        },
        {
            "unit_code": "HOUSING",
            "plan": "Housing Plan",
            "name": "Internal Processes",
            "order": 2,
            "weight": 1,
        },
    ],  # fmt: skip
    "Objectives": [
        {
            "code": "CORP-1",
            "unit_code": "COUNCIL",
            "plan": "Corporate Plan",
            "perspective": "Citizens & Stakeholders",
            "name": "Residents live well",
            "description": "",
            "owner": "priya",
            "weight": 1,
        },
        {
            "code": "HOU-1",
            "unit_code": "HOUSING",
            "plan": None,
            "perspective": "Citizens & Stakeholders",
            "name": "Reduce homelessness",
            "description": "Fewer households in temporary accommodation.",
            "owner": "marcus",
            "weight": 2,
        },
        {
            "code": "HOU-2",
            "unit_code": "HOUSING",
            "plan": "Housing Plan",
            "perspective": "Internal Processes",
            "name": "Faster repairs",
            "description": "",
            "owner": None,
            "weight": 1,
        },
    ],  # fmt: skip
    "Links": [{"cause_code": "HOU-2", "effect_code": "HOU-1"}],
    "Alignments": [{"child_code": "HOU-1", "parent_code": "CORP-1", "weight": 2}],
    "Measures": [
        {
            "code": "HOMELESS",
            "objective_code": "HOU-1",
            "name": "Households in temporary accommodation",
            "description": "",
            "unit": "households",
            "decimals": 0,
            "frequency": "Monthly",
            "polarity": "Lower is better",
            "aggregation": "last",
            "tolerance": 0.1,
            "allow_negative": "No",
            "owner": "marcus",
            "stewards": "emma",
            "weight": 1,
            "formula": None,
            "missing_as_zero": None,
        },
        {
            "code": "REPAIRS_DONE",
            "objective_code": "HOU-2",
            "name": "Repairs done",
            "description": "",
            "unit": "repairs",
            "decimals": 0,
            "frequency": "monthly",
            "polarity": "higher",
            "aggregation": "Sum",
            "tolerance": None,
            "allow_negative": None,
            "owner": None,
            "stewards": None,
            "weight": 1,
            "formula": None,
            "missing_as_zero": None,
        },
        {
            "code": "REPAIR_COST",
            "objective_code": "HOU-2",
            "name": "Cost of repairs",
            "description": "",
            "unit": "£",
            "decimals": 2,
            "frequency": "MONTHLY",
            "polarity": "Lower is better",
            "aggregation": "sum",
            "tolerance": 0.05,
            "allow_negative": False,
            "owner": None,
            "stewards": None,
            "weight": 1,
            "formula": None,
            "missing_as_zero": None,
        },
        {
            "code": "COST_PER_REPAIR",
            "objective_code": "HOU-2",
            "name": "Cost per repair",
            "description": "",
            "unit": "£",
            "decimals": 2,
            "frequency": "Monthly",
            "polarity": "lower",
            "aggregation": "Average",
            "tolerance": 0.1,
            "allow_negative": "no",
            "owner": None,
            "stewards": None,
            "weight": 0.5,
            "formula": "REPAIR_COST / REPAIRS_DONE",
            "missing_as_zero": "Yes",
        },
        {
            "code": "SATISFACTION",
            "objective_code": "CORP-1",
            "name": "Residents satisfied",
            "description": "",
            "unit": "%",
            "decimals": 1,
            "frequency": "Quarterly",
            "polarity": "Within a band",
            "aggregation": "average",
            "tolerance": 0.1,
            "allow_negative": "No",
            "owner": "priya",
            "stewards": "marcus, emma",
            "weight": 1,
            "formula": None,
            "missing_as_zero": None,
        },
    ],  # fmt: skip
    "Targets": [
        {
            "measure_code": "HOMELESS",
            "period": "2025-04",
            "goal": 120,
            "lower": None,
            "upper": None,
            "amber": 140,
        },
        {
            "measure_code": "HOMELESS",
            "period": "2025-05",
            "goal": "118.5",
            "lower": None,
            "upper": None,
            "amber": None,
        },
        {
            "measure_code": "SATISFACTION",
            "period": "2025-06",
            "goal": None,
            "lower": 70,
            "upper": 90,
            "amber": None,
        },
    ],  # fmt: skip
    "Actuals": [
        {
            "measure_code": "HOMELESS",
            "period": "2025-04",
            "value": 131,
            "not_applicable": None,
            "analysis": "Up after two hostels closed.",
            "actions": "New leases signed.",
            "risks": "",
            "status": "Submitted",
        },
        {
            "measure_code": "HOMELESS",
            "period": "2025-05",
            "value": None,
            "not_applicable": "Yes",
            "analysis": "",
            "actions": "",
            "risks": "",
            "status": None,
        },
        {
            "measure_code": "SATISFACTION",
            "period": "2025-06",
            "value": 0.3,
            "not_applicable": None,
            "analysis": "",
            "actions": "",
            "risks": "",
            "status": "approved",
        },
    ],  # fmt: skip
    "Initiatives": [
        {
            "code": "INI-7",
            "name": "Hostel refurbishment",
            "description": "Two hostels reopened.",
            "owner": "marcus",
            "objective_codes": "HOU-1, HOU-2",
            "start_date": "2025-04-01",
            "end_date": "2026-03-31",
            "budget": 250000,
            "spend": "120,000.50",
            "percent_complete": 45,
            "status": "On track",
        },
    ],  # fmt: skip
    "Milestones": [
        {
            "initiative_code": "INI-7",
            "name": "Contractor appointed",
            "due_date": "2025-06-30",
            "completed_on": "2025-06-20",
        },
        {
            "initiative_code": "INI-7",
            "name": "First hostel reopened",
            "due_date": "2025-12-01",
            "completed_on": None,
        },
    ],  # fmt: skip
}


def example() -> dict[str, list[dict]]:
    """A fresh copy of the example workbook's rows, safe to edit in a test."""
    return copy.deepcopy(EXAMPLE)


def build_workbook(sheets: dict[str, list[dict]]) -> io.BytesIO:
    """An .xlsx in memory: one sheet per key, headers from the first row's keys."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        headers = list(rows[0]) if rows else []
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def persona_users(performance_team, manager, employee):
    """The usernames the example names: priya, marcus and emma."""
    return {"priya": performance_team, "marcus": manager, "emma": employee}


@pytest.fixture(params=["copy", "orm"])
def write_path(request, monkeypatch):
    """Run a test on PostgreSQL's COPY path and on the ORM path other databases use."""
    monkeypatch.setattr(transfer, "use_copy", lambda: request.param == "copy")
    return request.param


STRATEGY_MODELS = [
    OrgUnit, Plan, Perspective, Objective, CauseEffectLink, Alignment, Measure, Period, Target,
    Actual, Initiative, Milestone,
]  # fmt: skip


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in STRATEGY_MODELS}


def run(sheets, actor, **kwargs):
    return scorecard_import(workbook=build_workbook(sheets), actor=actor, as_of=AS_OF, **kwargs)


def messages(result) -> list[str]:
    return [str(problem) for problem in result.problems]


# ---------------------------------------------------------------- a clean import


def test_the_example_workbook_imports_cleanly(persona_users, performance_team, write_path):
    result = run(example(), performance_team)

    assert result.ok, messages(result)
    assert {name: counts.created for name, counts in result.counts.items()} == {
        "Units": 2, "Plans": 2, "Perspectives": 3, "Objectives": 3, "Links": 1,
        "Alignments": 1, "Measures": 5, "Targets": 3, "Actuals": 3, "Initiatives": 1,
        "Milestones": 2,
    }  # fmt: skip
    housing = OrgUnit.objects.get(code="HOUSING")
    assert housing.parent.code == "COUNCIL"
    assert Objective.objects.get(code="HOU-1").perspective.plan.name == "Housing Plan"
    assert CauseEffectLink.objects.get().cause.code == "HOU-2"
    assert Alignment.objects.get().weight == 2


def test_values_are_read_as_typed_by_value_or_label(persona_users, performance_team):
    run(example(), performance_team)

    homeless = Measure.objects.get(code="HOMELESS")
    assert (homeless.polarity, homeless.frequency, homeless.aggregation) == (
        "lower",
        "monthly",
        "last",
    )
    stewards = Measure.objects.get(code="SATISFACTION").stewards.all()
    assert {user.username for user in stewards} == {"marcus", "emma"}
    assert Measure.objects.get(code="COST_PER_REPAIR").missing_as_zero is True
    assert Measure.objects.get(code="REPAIRS_DONE").tolerance == Decimal("0.1")
    assert Target.objects.get(measure__code="HOMELESS", period__month=5).goal == Decimal("118.5")
    assert Actual.objects.get(measure__code="SATISFACTION").value == Decimal("0.3")
    initiative = Initiative.objects.get(code="INI-7")
    assert initiative.spend == Decimal("120000.50")
    assert {o.code for o in initiative.objectives.all()} == {"HOU-1", "HOU-2"}


def test_imported_actuals_record_who_entered_them_and_when(persona_users, performance_team):
    run(example(), performance_team)

    actual = Actual.objects.get(measure__code="HOMELESS", period__month=4)
    assert (actual.entered_by, actual.entered_at, actual.version) == (performance_team, AS_OF, 1)
    assert actual.status == "submitted"
    not_applicable = Actual.objects.get(measure__code="HOMELESS", period__month=5)
    assert (not_applicable.value, not_applicable.not_applicable) == (None, True)


def test_missing_months_are_created_as_open_periods(persona_users, performance_team):
    run(example(), performance_team)

    assert list(Period.objects.values_list("year", "month", "state")) == [
        (2025, 4, "open"),
        (2025, 5, "open"),
        (2025, 6, "open"),
    ]


def test_a_dry_run_counts_what_would_change_and_writes_nothing(persona_users, performance_team):
    before = table_counts()

    result = run(example(), performance_team, dry_run=True)

    assert result.ok
    assert result.dry_run
    assert result.counts["Targets"].created == 3
    assert table_counts() == before


def test_the_history_of_imported_rows_says_import(persona_users, performance_team, write_path):
    run(example(), performance_team)

    record = Target.history.get(measure_id=Measure.objects.get(code="HOMELESS").pk, goal=120)
    assert (record.history_type, record.history_change_reason) == ("+", "import")
    assert (record.history_user, record.history_date) == (performance_team, AS_OF)
    assert Measure.history.filter(history_change_reason="import").count() == 5


# ---------------------------------------------------------------- importing again


def test_importing_the_same_workbook_again_changes_nothing(
    persona_users, performance_team, write_path
):
    run(example(), performance_team)
    before = table_counts()
    history_before = Target.history.count() + Actual.history.count() + Measure.history.count()

    result = run(example(), performance_team)

    assert result.ok, messages(result)
    assert table_counts() == before
    assert all(c.created == c.updated == 0 for c in result.counts.values()), result.counts
    assert result.counts["Targets"].unchanged == 3
    after = Target.history.count() + Actual.history.count() + Measure.history.count()
    assert after == history_before


def test_a_changed_row_is_updated_in_place_with_history(
    persona_users, performance_team, manager, write_path
):
    run(example(), performance_team)
    sheets = example()
    sheets["Targets"][0]["goal"] = 115
    sheets["Actuals"][0]["value"] = 128
    sheets["Measures"][0]["name"] = "Households in temporary homes"

    result = run(sheets, manager)

    assert result.ok, messages(result)
    assert (result.counts["Targets"].updated, result.counts["Targets"].unchanged) == (1, 2)
    assert result.counts["Actuals"].updated == 1
    assert result.counts["Measures"].updated == 1
    target = Target.objects.get(measure__code="HOMELESS", period__month=4)
    assert (target.goal, Target.objects.count()) == (115, 3)
    latest = target.history.latest()
    assert (latest.history_type, latest.history_change_reason, latest.history_user) == (
        "~",
        "import",
        manager,
    )
    actual = Actual.objects.get(measure__code="HOMELESS", period__month=4)
    assert (actual.value, actual.version, actual.entered_by) == (128, 2, manager)


def test_a_changed_list_of_stewards_counts_as_an_update(persona_users, performance_team):
    run(example(), performance_team)
    sheets = example()
    sheets["Measures"][4]["stewards"] = "emma"

    result = run(sheets, performance_team)

    assert result.counts["Measures"].updated == 1
    stewards = Measure.objects.get(code="SATISFACTION").stewards.all()
    assert [u.username for u in stewards] == ["emma"]


def test_a_workbook_of_targets_alone_updates_an_existing_scorecard(persona_users, performance_team):
    run(example(), performance_team)
    sheets = {"Targets": [{"measure_code": "HOMELESS", "period": "2025-07", "goal": 110}]}

    result = run(sheets, performance_team)

    assert result.ok, messages(result)
    assert Target.objects.filter(measure__code="HOMELESS").count() == 3


# ---------------------------------------------------------------- bad rows


def assert_refused(result, expected: str, before: dict[str, int]) -> None:
    assert not result.ok
    assert expected in messages(result), messages(result)
    assert table_counts() == before


def test_an_unknown_unit_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Plans"][1]["unit_code"] = "HOUSNG"
    before = table_counts()

    result = run(sheets, performance_team)

    assert_refused(
        result,
        'Plans, row 3, unit_code: There is no unit "HOUSNG" on the Units sheet or in the scorecard',
        before,
    )


def test_a_duplicate_code_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Measures"].append({**sheets["Measures"][0], "name": "Again"})
    before = table_counts()

    result = run(sheets, performance_team)

    assert_refused(result, 'Measures, row 7, code: "HOMELESS" is already on row 2', before)


def test_a_target_that_is_not_a_number_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Targets"][1]["goal"] = "12..3"
    before = table_counts()

    result = run(sheets, performance_team)

    assert not result.ok
    assert messages(result)[0].startswith('Targets, row 3, goal: "12..3" is not a number')
    assert table_counts() == before


def test_an_unknown_polarity_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Measures"][1]["polarity"] = "Sideways"
    before = table_counts()

    result = run(sheets, performance_team)

    assert_refused(
        result,
        'Measures, row 3, polarity: "Sideways" is not one of: Higher is better, Lower is '
        "better, Within a band",
        before,
    )


def test_a_link_that_closes_a_circle_in_the_sheet_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Links"].append({"cause_code": "HOU-1", "effect_code": "HOU-2"})
    before = table_counts()

    result = run(sheets, performance_team)

    assert_refused(
        result,
        "Links, row 3, effect_code: HOU-1 driving HOU-2 would make a circle: HOU-2 already "
        "drives HOU-1, directly or through others",
        before,
    )


def test_a_link_that_closes_a_circle_with_stored_links_is_refused(persona_users, performance_team):
    run(example(), performance_team)
    before = table_counts()
    sheets = {"Links": [{"cause_code": "HOU-1", "effect_code": "HOU-2"}]}

    result = run(sheets, performance_team)

    assert_refused(
        result,
        "Links, row 2, effect_code: HOU-1 driving HOU-2 would make a circle: HOU-2 already "
        "drives HOU-1, directly or through others",
        before,
    )


def test_a_negative_weight_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Objectives"][0]["weight"] = -1
    before = table_counts()

    result = run(sheets, performance_team)

    assert_refused(result, 'Objectives, row 2, weight: "-1" is below zero: enter 0 or more', before)


def test_a_period_outside_the_plan_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Targets"][0]["period"] = "2028-04"
    before = table_counts()

    result = run(sheets, performance_team)

    assert_refused(
        result,
        'Targets, row 2, period: "2028-04" is outside the plan "Housing Plan", which runs '
        "from 2025/26 to 2027/28",
        before,
    )


def test_every_problem_is_reported_at_once(persona_users, performance_team):
    sheets = example()
    sheets["Units"][1]["parent_code"] = "NOWHERE"
    sheets["Objectives"][1]["owner"] = "nobody"
    sheets["Measures"][3]["formula"] = "REPAIR_COST / REPAIRS"
    sheets["Targets"][2]["upper"] = None
    sheets["Actuals"][1]["not_applicable"] = None
    sheets["Initiatives"][0]["end_date"] = "2025-01-01"
    sheets["Milestones"][0]["initiative_code"] = "INI-8"
    before = table_counts()

    result = run(sheets, performance_team)

    assert [(p.sheet, p.row, p.column) for p in result.problems] == [
        ("Units", 3, "parent_code"),
        ("Objectives", 3, "owner"),
        ("Measures", 5, "formula"),
        ("Targets", 4, "upper"),
        ("Actuals", 3, "value"),
        ("Initiatives", 2, "end_date"),
        ("Milestones", 2, "initiative_code"),
    ]
    assert "Unknown measure code 'REPAIRS'" in result.problems[2].message
    assert table_counts() == before


def test_a_cell_that_fails_to_parse_is_reported_once(persona_users, performance_team):
    sheets = example()
    sheets["Targets"][0]["goal"] = "lots"

    result = run(sheets, performance_team)

    assert [(p.row, p.column) for p in result.problems] == [(2, "goal")]


def test_an_alignment_to_a_unit_not_directly_above_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Alignments"][0] = {"child_code": "HOU-1", "parent_code": "HOU-2", "weight": 1}

    result = run(sheets, performance_team)

    assert messages(result) == [
        'Alignments, row 2, parent_code: HOU-1 is in unit "HOUSING", which is not directly '
        'under unit "HOUSING" of HOU-2: an objective can only support an objective of the '
        "unit directly above its own"
    ]


def test_calculated_measures_that_depend_on_each_other_are_refused(persona_users, performance_team):
    sheets = example()
    sheets["Measures"][2]["formula"] = "COST_PER_REPAIR * REPAIRS_DONE"

    result = run(sheets, performance_team)

    assert [(p.row, p.column) for p in result.problems] == [(4, "formula"), (5, "formula")]
    assert "depend on each other in a circle" in result.problems[0].message


def test_a_band_measure_needs_both_limits(persona_users, performance_team):
    sheets = example()
    sheets["Targets"][2]["lower"] = None

    result = run(sheets, performance_team)

    assert messages(result) == [
        "Targets, row 4, lower: A band measure needs a lower limit: enter it"
    ]


def test_an_actual_needs_a_value_or_not_applicable(persona_users, performance_team):
    sheets = example()
    sheets["Actuals"][0]["value"] = None

    result = run(sheets, performance_team)

    assert messages(result) == [
        "Actuals, row 2, value: Enter a value, or write Yes under not_applicable"
    ]


def test_a_quarterly_measure_has_no_actual_in_the_first_month_of_a_quarter(
    persona_users, performance_team
):
    sheets = example()
    sheets["Actuals"][2]["period"] = "2025-04"

    result = run(sheets, performance_team)

    assert len(result.problems) == 1
    assert result.problems[0].message.startswith(
        "SATISFACTION is reported quarterly, so it has no actual for Apr 2025"
    )


def test_a_changed_actual_in_a_closed_month_is_refused(persona_users, performance_team):
    run(example(), performance_team)
    Period.objects.filter(year=2025, month=4).update(state=Period.State.CLOSED)
    sheets = example()
    sheets["Actuals"][0]["value"] = 99
    before = table_counts()

    result = run(sheets, performance_team)

    assert_refused(
        result,
        "Actuals, row 2, period: Apr 2025 is closed, so its actuals cannot be changed. "
        "Reopen the month first, or remove this row",
        before,
    )


def test_an_unchanged_actual_in_a_closed_month_is_accepted(persona_users, performance_team):
    run(example(), performance_team)
    Period.objects.filter(year=2025, month=4).update(state=Period.State.CLOSED)

    result = run(example(), performance_team)

    assert result.ok, messages(result)


def test_an_unknown_username_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Measures"][4]["stewards"] = "marcus, zoe"

    result = run(sheets, performance_team)

    assert messages(result) == [
        'Measures, row 6, stewards: There is no user with the username "zoe". Ask for their '
        "login to be made first, or leave the cell empty"
    ]


def test_a_missing_column_and_an_unknown_sheet_are_refused(persona_users, performance_team):
    sheets = example()
    for row in sheets["Plans"]:
        del row["first_year"]
    sheets["Notes"] = [{"text": "hello"}]

    result = run(sheets, performance_team)

    assert "Plans, row 1, first_year: This column is missing from row 1" in messages(result)
    assert any(p.sheet == "Notes" for p in result.problems)


def test_something_that_is_not_a_spreadsheet_is_refused_with_a_reason(performance_team):
    result = scorecard_import(workbook=io.BytesIO(b"name,code\nHousing,H"), actor=performance_team)

    assert messages(result) == [
        'This file is not an Excel workbook (.xlsx). Open it in Excel, save it as "Excel '
        'Workbook (.xlsx)" and upload that.'
    ]


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_opened(
    persona_users, performance_team, monkeypatch
):
    monkeypatch.setattr(workbook.reading, "MAX_UNCOMPRESSED", 2_000)
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))

    result = run(example(), performance_team)

    assert "more than the 2 KB limit" in messages(result)[0]
    assert opened == []


def test_problems_beyond_the_limit_are_counted_not_listed(
    persona_users, performance_team, monkeypatch
):
    monkeypatch.setattr(workbook.reading, "MAX_PROBLEMS", 2)
    sheets = {"Targets": [{"measure_code": f"NOPE{n}", "period": "2025-04"} for n in range(5)]}

    result = run(sheets, performance_team)

    assert (len(result.problems), result.more_problems, result.problem_count) == (2, 3, 5)


def test_a_real_zero_is_a_value_not_missing(persona_users, performance_team):
    sheets = example()
    sheets["Actuals"][0]["value"] = 0

    result = run(sheets, performance_team)

    assert result.ok, messages(result)
    assert Actual.objects.get(measure__code="HOMELESS", period__month=4).value == 0


def test_users_made_after_the_personas_can_own_things(persona_users, performance_team):
    UserFactory(username="zoe")
    sheets = example()
    sheets["Measures"][4]["stewards"] = "zoe"

    assert run(sheets, performance_team).ok


# ---------------------------------------------------------------- export and the round trip


def snapshot() -> dict[str, list]:
    """Every imported field of every strategy row, by natural keys rather than ids."""
    queries = {
        "units": OrgUnit.objects.values_list("code", "name", "parent__code"),
        "plans": Plan.objects.values_list(
            "unit__code", "name", "mission", "vision", "first_year", "last_year"
        ),
        "perspectives": Perspective.objects.values_list(
            "plan__unit__code", "plan__name", "name", "order", "weight"
        ),
        "objectives": Objective.objects.values_list(
            "code", "perspective__plan__name", "perspective__name", "name", "description",
            "owner__username", "weight",
        ),
        "links": CauseEffectLink.objects.values_list("cause__code", "effect__code"),
        "alignments": Alignment.objects.values_list("child__code", "parent__code", "weight"),
        "measures": Measure.objects.values_list(
            "code", "objective__code", "name", "description", "unit", "decimals", "frequency",
            "polarity", "aggregation", "tolerance", "allow_negative", "owner__username",
            "weight", "formula", "missing_as_zero",
        ),
        "stewards": Measure.stewards.through.objects.values_list(
            "measure__code", "user__username"
        ),
        "targets": Target.objects.values_list(
            "measure__code", "period__year", "period__month", "goal", "lower", "upper", "amber"
        ),
        "actuals": Actual.objects.values_list(
            "measure__code", "period__year", "period__month", "value", "not_applicable",
            "analysis", "actions", "risks", "status",
        ),
        "initiatives": Initiative.objects.values_list(
            "code", "name", "description", "owner__username", "start_date", "end_date",
            "budget", "spend", "percent_complete", "status",
        ),
        "initiative objectives": Initiative.objectives.through.objects.values_list(
            "initiative__code", "objective__code"
        ),
        "milestones": Milestone.objects.values_list(
            "initiative__code", "name", "due_date", "completed_on"
        ),
        "periods": Period.objects.values_list("year", "month"),
    }  # fmt: skip
    return {name: sorted(query, key=repr) for name, query in queries.items()}


def wipe_strategy() -> None:
    """Delete every strategy row, leaving users in place, as if importing into a new site."""
    for model in (Milestone, Initiative, Actual, Target, Measure, Alignment, CauseEffectLink):
        model.objects.all().delete()
    for model in (Objective, Perspective, Plan):
        model.objects.all().delete()
    while OrgUnit.objects.exists():
        OrgUnit.objects.filter(children__isnull=True).delete()
    Period.objects.all().delete()


def tricky_values() -> None:
    """Text and numbers that are easy to lose on the way through a spreadsheet."""
    Objective.objects.filter(code="CORP-1").update(description='=HYPERLINK("http://x.test")')
    Objective.objects.filter(code="HOU-2").update(description="'=already quoted")
    Measure.objects.filter(code="HOMELESS").update(description="-5% drop\nsecond line")
    Actual.objects.filter(measure__code="HOMELESS", period__month=4).update(
        analysis="@risk: winter", value=Decimal("1234567.123456")
    )
    Target.objects.filter(measure__code="HOMELESS", period__month=5).update(
        goal=Decimal("0.000001")
    )


def export(unit_code: str = "COUNCIL", actor=None) -> io.BytesIO:
    buffer = io.BytesIO()
    unit = OrgUnit.objects.get(code=unit_code)
    transfer.scorecard_export(unit=unit, destination=buffer, actor=actor, as_of=AS_OF)
    buffer.seek(0)
    return buffer


def test_export_then_import_into_an_empty_database_gives_the_same_scorecard(
    persona_users, performance_team, write_path
):
    run(example(), performance_team)
    tricky_values()
    before = snapshot()
    exported = export(actor=performance_team)
    wipe_strategy()

    result = scorecard_import(workbook=exported, actor=performance_team, as_of=AS_OF)

    assert result.ok, messages(result)
    assert snapshot() == before


def test_importing_an_export_of_the_same_database_changes_nothing(persona_users, performance_team):
    run(example(), performance_team)
    tricky_values()

    result = scorecard_import(workbook=export(), actor=performance_team, as_of=AS_OF)

    assert result.ok, messages(result)
    assert all(c.created == c.updated == 0 for c in result.counts.values()), result.counts


def test_exported_text_that_looks_like_a_formula_is_neutralised(persona_users, performance_team):
    run(example(), performance_team)
    tricky_values()

    book = openpyxl.load_workbook(export())
    descriptions = {row[0]: row[5] for row in book["Objectives"].iter_rows(values_only=True)}

    assert descriptions["CORP-1"] == '\'=HYPERLINK("http://x.test")'
    assert descriptions["HOU-2"] == "''=already quoted"
    assert book["Objectives"]["F2"].data_type == "s"


def test_the_export_has_a_cover_and_one_table_per_sheet(persona_users, performance_team):
    run(example(), performance_team)

    book = openpyxl.load_workbook(export(actor=performance_team))

    assert book.sheetnames == ["Cover", *(sheet.name for sheet in workbook.SHEETS)]
    cover = dict(book["Cover"].iter_rows(min_row=2, values_only=True))
    assert cover["Made by"] == "Priya Shah (priya)"
    assert cover["Made on"] == "10 July 2025 at 09:30"
    assert cover["Sheet Targets"].endswith("3 rows.")
    headers = next(book["Initiatives"].iter_rows(values_only=True))
    assert headers[7:9] == ("budget (£)", "spend (£)")
    declared = openpyxl.load_workbook(export(), read_only=True)
    assert [declared[name].max_row for name in ("Targets", "Actuals", "Cover")] == [4, 4, 20]


def test_exporting_a_unit_leaves_out_its_parents_data_but_names_its_parents(
    persona_users, performance_team
):
    run(example(), performance_team)

    book = openpyxl.load_workbook(export("HOUSING"))

    units = list(book["Units"].iter_rows(min_row=2, values_only=True))
    assert units == [
        ("COUNCIL", "Riverside Council", None),
        ("HOUSING", "Housing Services", "COUNCIL"),
    ]
    objectives = [row[0] for row in book["Objectives"].iter_rows(min_row=2, values_only=True)]
    assert objectives == ["HOU-1", "HOU-2"]
    assert list(book["Alignments"].iter_rows(min_row=2, values_only=True)) == []


# ---------------------------------------------------------------- the commands


def test_the_import_command_prints_every_problem_and_fails(persona_users, tmp_path):
    sheets = example()
    sheets["Targets"][1]["goal"] = "12..3"
    sheets["Measures"][1]["polarity"] = "sideways"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(build_workbook(sheets).getvalue())
    errors = io.StringIO()

    with pytest.raises(CommandError, match="The workbook has 2 problems, so nothing was imported"):
        call_command("import_scorecard", str(path), stderr=errors)

    assert errors.getvalue().splitlines() == [
        'Measures, row 3, polarity: "sideways" is not one of: Higher is better, Lower is '
        "better, Within a band",
        'Targets, row 3, goal: "12..3" is not a number. Write digits with at most one '
        "decimal point, like 1234.5 or 1,234.5, with no units or symbols",
    ]


def test_a_dry_run_of_the_import_command_prints_the_changes_and_writes_nothing(
    persona_users, tmp_path
):
    path = tmp_path / "scorecard.xlsx"
    path.write_bytes(build_workbook(example()).getvalue())
    output = io.StringIO()

    call_command("import_scorecard", str(path), "--dry-run", "--user", "priya", stdout=output)

    lines = output.getvalue().splitlines()
    assert lines[0].split() == ["Sheet", "New", "Changed", "Unchanged"]
    assert lines[8].split() == ["Targets", "3", "0", "0"]
    assert lines[-1] == "Dry run: nothing was written."
    assert Measure.objects.count() == 0


def test_the_export_command_writes_a_workbook_the_import_command_reads(
    persona_users, performance_team, tmp_path
):
    run(example(), performance_team)
    path = tmp_path / "council.xlsx"

    call_command("export_scorecard", "COUNCIL", str(path), stdout=io.StringIO())
    output = io.StringIO()
    call_command("import_scorecard", str(path), stdout=output)

    assert output.getvalue().splitlines()[-1] == "Imported."
    assert Target.objects.count() == 3


def test_the_export_command_names_a_unit_it_cannot_find(persona_users, tmp_path):
    with pytest.raises(CommandError, match='There is no unit with the code "NOPE".'):
        call_command("export_scorecard", "NOPE", str(tmp_path / "x.xlsx"))


def test_a_second_target_for_the_same_month_is_refused(persona_users, performance_team):
    sheets = example()
    sheets["Targets"].append({**sheets["Targets"][0], "goal": 99})

    result = run(sheets, performance_team)

    assert messages(result) == [
        "Targets, row 5, period: HOMELESS already has a row for 2025-04, on row 2"
    ]
