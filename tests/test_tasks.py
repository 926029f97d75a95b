"""The heartbeat task: on a real worker through Redis, and in-process without a broker."""

import pytest
from django.conf import settings

from scorecard import services
from scorecard.celery import app
from scorecard.models import Heartbeat


def wait_for_answer(heartbeat: Heartbeat, seconds: float = 20) -> Heartbeat:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        heartbeat.refresh_from_db()
        if heartbeat.answered:
            return heartbeat
        time.sleep(0.1)
    raise AssertionError(f"No worker answered heartbeat {heartbeat.pk} within {seconds} s")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_answers_through_redis(celery_worker_on_redis, performance_team):
    heartbeat = services.heartbeat_send(actor=performance_team)
    answered = wait_for_answer(heartbeat)
    assert answered.worker  # the worker's node name, not the in-process marker
    assert not answered.worker.startswith("in-process")
    assert answered.answered_at >= answered.sent_at


@pytest.mark.smoke
@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_task_runs_in_process(in_process_tasks):
    heartbeat = services.heartbeat_send()
    heartbeat.refresh_from_db()
    assert heartbeat.answered
    assert heartbeat.worker.startswith("in-process on ")


@pytest.mark.smoke
@pytest.mark.django_db(transaction=True)
def test_answering_twice_changes_nothing(in_process_tasks):
    from scorecard.tasks import heartbeat_answer

    heartbeat = services.heartbeat_send()
    heartbeat.refresh_from_db()
    first = (heartbeat.answered_at, heartbeat.worker)
    heartbeat_answer(heartbeat.pk)
    heartbeat.refresh_from_db()
    assert (heartbeat.answered_at, heartbeat.worker) == first


@pytest.mark.smoke
@pytest.mark.django_db
def test_only_the_latest_heartbeats_are_kept(in_process_tasks):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(days=1)
    Heartbeat.objects.bulk_create(
        Heartbeat(sent_at=start + timedelta(minutes=n)) for n in range(services.KEEP_HEARTBEATS + 5)
    )
    newest = Heartbeat.objects.first()
    services.heartbeat_answer(heartbeat=newest, worker="test")
    assert Heartbeat.objects.count() == services.KEEP_HEARTBEATS


@pytest.mark.smoke
def test_the_embedded_default_runs_tasks_in_process_only_without_a_broker():
    assert settings.CELERY_TASK_ALWAYS_EAGER is (settings.CELERY_BROKER_URL is None)
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
