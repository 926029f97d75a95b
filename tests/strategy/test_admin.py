"""The admin a performance team works in: every model's pages load, saves ask for roll-ups."""

import pytest
from django.urls import reverse

from strategy.models import Actual, Period, RollupRequest, RollupRun
from tests.strategy.scenarios import hand_checked_org

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

MODELS = [
    "orgunit",
    "plan",
    "perspective",
    "objective",
    "causeeffectlink",
    "alignment",
    "measure",
    "period",
    "target",
    "actual",
    "initiative",
]


@pytest.fixture
def org():
    return hand_checked_org()


@pytest.mark.parametrize("model", MODELS)
def test_each_models_list_and_add_pages_load_for_the_performance_team(
    client, performance_team, org, model
):
    client.force_login(performance_team)
    assert client.get(reverse(f"admin:strategy_{model}_changelist"), {"q": "M1"}).status_code == 200
    assert client.get(reverse(f"admin:strategy_{model}_add")).status_code == 200


def test_a_measures_page_shows_its_targets_inline(client, performance_team, org):
    client.force_login(performance_team)
    page = client.get(reverse("admin:strategy_measure_change", args=[org["m1"].pk]))
    assert "Targets" in page.content.decode()


def test_saving_an_actual_in_the_admin_asks_for_a_roll_up_of_its_chain(
    client, performance_team, org
):
    actual = Actual.objects.get(measure=org["cm1"], period=org["months"][0])
    client.force_login(performance_team)
    response = client.post(
        reverse("admin:strategy_actual_change", args=[actual.pk]),
        {
            "measure": actual.measure_id,
            "period": actual.period_id,
            "value": "48",
            "status": "draft",
            "analysis": "",
            "actions": "",
            "risks": "",
        },
    )
    assert response.status_code == 302
    requested = set(RollupRequest.objects.values_list("unit__code", "fiscal_year"))
    assert requested == {("CHD", 2025), ("RCC", 2025)}  # the unit and the one above it
    actual.refresh_from_db()
    assert (actual.entered_by, actual.version) == (performance_team, 2)
    assert actual.history.first().history_change_reason == "admin"


def test_closing_a_period_queues_a_full_roll_up_of_its_year(client, performance_team, org):
    client.force_login(performance_team)
    april = org["months"][0]
    client.post(
        reverse("admin:strategy_period_changelist"),
        {"action": "close_periods", "_selected_action": [april.pk]},
    )
    april.refresh_from_db()
    assert april.state == Period.State.CLOSED
    run = RollupRun.objects.get(trigger="period_close")
    assert (run.full, run.fiscal_years) == (True, [2025])


def test_other_roles_cannot_use_the_strategy_admin(client, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    assert client.get(reverse("admin:strategy_measure_changelist")).status_code == 403
