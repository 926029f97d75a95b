"""The background jobs page: schedule, heartbeats, and sending a ping."""

import pytest

from scorecard.models import Heartbeat

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_it_lists_the_schedule_created_by_the_migration(client, performance_team):
    client.force_login(performance_team)
    html = client.get("/background-jobs/").content.decode()
    assert "Worker heartbeat" in html
    assert "every 5 minutes" in html


def test_sending_a_heartbeat_records_who_sent_it(client, performance_team, in_process_tasks):
    client.force_login(performance_team)
    response = client.post("/background-jobs/heartbeat/", follow=True)
    assert "Heartbeat sent" in response.content.decode()
    heartbeat = Heartbeat.objects.get()
    assert heartbeat.sent_by == performance_team


def test_the_rows_partial_is_what_htmx_refreshes(
    client, performance_team, django_assert_max_num_queries
):
    client.force_login(performance_team)
    with django_assert_max_num_queries(4):
        html = client.get("/background-jobs/heartbeats/").content.decode()
    assert html.startswith('<table class="table" id="heartbeats">')
