"""Model rules that keep a scorecard sound: cycles, alignment, formulas, targets, constraints."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from strategy.models import Actual, Alignment, CauseEffectLink, Measure, OrgUnit, Target
from tests.strategy.scenarios import hand_checked_org

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def org():
    return hand_checked_org()


def test_a_cause_effect_link_that_closes_a_loop_is_refused(org):
    CauseEffectLink.objects.create(cause=org["o1"], effect=org["o2"])
    loop = CauseEffectLink(cause=org["o2"], effect=org["o1"])
    with pytest.raises(ValidationError, match="O2 cannot drive O1: O1 already drives O2"):
        loop.full_clean()


def test_a_link_to_itself_is_refused_by_the_database(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        CauseEffectLink.objects.create(cause=org["o1"], effect=org["o1"])


def test_an_objective_can_only_support_one_of_its_parent_units_objectives(org):
    sideways = Alignment(child=org["o1"], parent=org["o2"], weight=1)
    with pytest.raises(ValidationError, match="not directly under"):
        sideways.clean()


def test_a_unit_cannot_sit_under_its_own_child(org):
    root = org["root"]
    root.parent = org["child"]
    with pytest.raises(ValidationError, match="cannot sit under itself"):
        root.clean()


def test_a_formula_with_an_unknown_code_is_refused_with_its_position(org):
    measure = Measure(code="RATIO", objective=org["o1"], name="Ratio", formula="M1 / NOPE")
    with pytest.raises(ValidationError) as error:
        measure.clean()
    assert "Unknown measure code 'NOPE' at character 6" in str(error.value)


def test_formulas_that_read_each_other_in_a_loop_are_refused(org):
    Measure.objects.create(code="A", objective=org["o1"], name="A", formula="M1 + B")
    looping = Measure(code="B", objective=org["o1"], name="B", formula="A * 2")
    with pytest.raises(ValidationError, match="A → B → A|B → A → B"):
        looping.clean()


def test_a_band_target_needs_both_limits(org):
    target = Target(measure=org["m3"], period=org["months"][0], lower=Decimal(1))
    with pytest.raises(ValidationError, match="needs both a lower and an upper limit"):
        target.clean()


def test_an_amber_threshold_on_the_wrong_side_of_the_goal_is_refused(org):
    target = Target(
        measure=org["m1"], period=org["months"][0], goal=Decimal(100), amber=Decimal(110)
    )
    with pytest.raises(ValidationError, match="must be below the goal"):
        target.clean()


def test_one_actual_per_measure_and_period(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Actual.objects.create(measure=org["m1"], period=org["months"][0], value=Decimal(1))


def test_an_actual_has_a_value_or_is_not_applicable_never_both(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Actual.objects.create(
            measure=org["m1"], period=org["months"][0], value=None, not_applicable=False
        )


def test_weights_cannot_be_negative_in_the_database(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=org["m1"].pk).update(weight=Decimal(-1))


def test_a_real_zero_is_a_value(org):
    actual = Actual.objects.get(measure=org["m1"], period=org["months"][0])
    actual.value = Decimal(0)
    actual.save()
    assert Actual.objects.get(pk=actual.pk).value == 0


def test_quarterly_measures_report_in_the_last_month_of_each_quarter(org):
    measure = org["m1"]
    measure.frequency = "quarterly"
    june = org["months"][2]
    assert measure.reports_in(june)
    assert not measure.reports_in(org["months"][0])


def test_units_know_their_ancestors(org):
    assert org["child"].ancestors() == [org["root"]]
    assert OrgUnit.objects.get(code="RCC").ancestors() == []
