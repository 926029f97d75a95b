"""Named personas, one per role, plus an outsider with no role (house style: hc/test.py)."""

import pytest

from strategy.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def performance_team(db):
    return UserFactory(
        username="priya",
        first_name="Priya",
        last_name="Shah",
        roles=[Role.PERFORMANCE_TEAM],
        is_staff=True,
    )


@pytest.fixture
def executive(db):
    return UserFactory(
        username="edward", first_name="Edward", last_name="Clarke", roles=[Role.EXECUTIVE]
    )


@pytest.fixture
def hr(db):
    return UserFactory(username="hannah", first_name="Hannah", last_name="Reid", roles=[Role.HR])


@pytest.fixture
def manager(db):
    return UserFactory(
        username="marcus", first_name="Marcus", last_name="Bell", roles=[Role.MANAGER]
    )


@pytest.fixture
def employee(db):
    return UserFactory(username="emma", first_name="Emma", last_name="Lowe", roles=[Role.EMPLOYEE])


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role at all."""
    return UserFactory(username="oscar", first_name="Oscar", last_name="Nobody")


PERSONAS = ["performance_team", "executive", "hr", "manager", "employee", "outsider"]


@pytest.fixture
def persona(request):
    """Indirect fixture: parametrise with a persona's name, get the user."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def in_process_tasks():
    """Tasks run in-process, as on the embedded default with no broker."""
    from scorecard.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def celery_worker_on_redis(transactional_db):
    """A real Celery worker, in a thread, consuming from Redis: fails loudly if Redis is down."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from scorecard.celery import app

    if not settings.CELERY_BROKER_URL:
        pytest.fail("REDIS_URL is not set: the worker tests need Redis (bin/test starts it).")
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
    app.control.purge()  # tasks left by tests that had no worker would run against this one
    with start_worker(
        app,
        perform_ping_check=False,
        pool="solo",
        loglevel="WARNING",
        hostname="test-worker@localhost",
    ) as worker:
        yield worker
    app.conf.task_always_eager = saved
