"""The roll-ups page: recent runs, freshness, and starting a full roll-up."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from strategy.models import RollupRequest, RollupRun, Score
from tests.strategy.scenarios import hand_checked_org

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_it_lists_runs_and_when_each_unit_was_computed(client, performance_team, in_process_tasks):
    hand_checked_org()
    call_command("rollup_scores")
    client.force_login(performance_team)
    page = client.get("/strategy/rollups/").content.decode()
    assert "Management command" in page
    assert "Succeeded" in page
    assert "Riverside City Council" in page
    assert "Up to date" in page


def test_a_unit_waiting_for_a_roll_up_says_recomputing(client, performance_team):
    org = hand_checked_org()
    RollupRequest.objects.create(
        unit=org["root"], fiscal_year=2025, requested_at="2025-05-01T00:00Z"
    )
    client.force_login(performance_team)
    assert "Recomputing…" in client.get("/strategy/rollups/").content.decode()


def test_starting_a_full_roll_up_queues_one(
    client, performance_team, django_capture_on_commit_callbacks, in_process_tasks
):
    hand_checked_org()
    client.force_login(performance_team)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/strategy/rollups/start/", follow=True)
    assert "Full roll-up queued" in response.content.decode()
    run = RollupRun.objects.get(trigger="manual")
    assert run.outcome == "succeeded"
    assert run.requested_by == performance_team
    assert Score.objects.filter(level="unit").exists()


def test_the_tables_partial_reads_a_fixed_number_of_queries(
    client, performance_team, django_assert_max_num_queries
):
    hand_checked_org()
    client.force_login(performance_team)
    with django_assert_max_num_queries(8):
        client.get("/strategy/rollups/tables/")


def test_the_command_prints_a_summary(capsys):
    hand_checked_org()
    call_command("rollup_scores")
    out = capsys.readouterr().out
    assert "succeeded" in out
    assert "on target" in out


def test_the_nightly_roll_up_is_scheduled_by_a_migration():
    task = PeriodicTask.objects.get(name="Nightly score roll-up")
    assert task.task == "strategy.scores_nightly"
    assert (task.crontab.hour, task.crontab.minute) == ("2", "0")
