"""Roll-ups on a real Celery worker through Redis: on change, coalesced, locked, crash-safe."""

import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.db import connection, transaction

from strategy.models import Actual, RollupRun, Score
from strategy.rollup import sql
from strategy.services import rollup
from strategy.tasks import scores_run
from tests.strategy.scenarios import hand_checked_org

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def wait_until(predicate, seconds: float = 30, what: str = "the condition"):
    """Poll (never a fixed sleep) until predicate() is truthy."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {seconds} s waiting for {what}")


def full_run() -> RollupRun:
    run = RollupRun.objects.create(trigger="command", full=True, requested_at=rollup.timezone.now())
    return rollup.scores_recompute(run=run)


def objective_score(objective, number: int = 1) -> Decimal | None:
    row = Score.objects.filter(
        level="objective",
        ref_id=objective.pk,
        span_kind="month",
        fiscal_year=2025,
        span_number=number,
    ).first()
    return None if row is None else row.score


def unit_score(unit, number: int = 1) -> Decimal | None:
    row = Score.objects.filter(
        level="unit", ref_id=unit.pk, span_kind="month", fiscal_year=2025, span_number=number
    ).first()
    return None if row is None else row.score


@pytest.fixture
def org(settings):
    settings.ROLLUP_COALESCE_SECONDS = 1
    built = hand_checked_org()
    full_run()
    return built


def test_an_actual_saved_in_the_admin_changes_objective_and_unit_scores(
    org, celery_worker_on_redis, client, performance_team
):
    before = (objective_score(org["o1"]), unit_score(org["root"]))
    actual = Actual.objects.get(measure=org["m1"], period=org["months"][0])
    client.force_login(performance_team)
    response = client.post(
        f"/admin/strategy/actual/{actual.pk}/change/",
        {
            "measure": actual.measure_id,
            "period": actual.period_id,
            "value": "80",
            "status": "draft",
            "analysis": "",
            "actions": "",
            "risks": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    wait_until(lambda: objective_score(org["o1"]) != before[0], what="the objective score")
    assert objective_score(org["o1"]) == Decimal("6.666666666666667")  # (0 + 20/3 + 2 × 10) / 4
    assert unit_score(org["root"]) != before[1]
    assert RollupRun.objects.filter(trigger="change", outcome="succeeded").exists()


def test_a_burst_of_500_saves_shares_a_few_roll_ups(org, celery_worker_on_redis, settings):
    settings.ROLLUP_COALESCE_SECONDS = 2
    actual = Actual.objects.get(measure=org["m1"], period=org["months"][1])
    for n in range(500):
        with transaction.atomic():
            Actual.objects.filter(pk=actual.pk).update(value=Decimal(n))
            actual.refresh_from_db()
            rollup.scores_request_for([actual])
    wait_until(
        lambda: not RollupRun.objects.filter(outcome__in=["queued", "running"]).exists(),
        what="the queued roll-ups to finish",
    )
    runs = RollupRun.objects.filter(trigger="change").count()
    assert 1 <= runs <= 5
    row = Score.objects.get(level="measure", ref_id=org["m1"].pk, span_kind="month", span_number=2)
    assert row.value == 499


def test_concurrent_roll_ups_of_one_unit_wait_for_each_other(org):
    """A second roll-up of a unit blocks on the first one's lock until it commits."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    Actual.objects.filter(measure=org["m1"], period=org["months"][0]).update(value=Decimal(80))
    url = _database_url()
    with psycopg.connect(url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", [sql.LOCK_NAMESPACE, org["root"].pk])
        worker = threading.Thread(target=_run_in_thread)
        worker.start()
        wait_until(lambda: _waiting_on("advisory"), what="the roll-up to wait for the lock")
        # While the lock is held nothing was written: readers see the old scores.
        assert abs(objective_score(org["o1"]) - Decimal(25) / 3) < Decimal("1e-12")
        holder.rollback()
    worker.join(30)
    assert objective_score(org["o1"]) == Decimal("6.666666666666667")


def _run_in_thread():
    from django.db import connections

    try:
        full_run()
    finally:
        connections.close_all()


def test_a_worker_killed_mid_roll_up_leaves_old_scores_and_the_task_runs_again(org):
    """Kill the pool process while its roll-up waits on a row it must update."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    Actual.objects.filter(measure=org["m1"], period=org["months"][0]).update(value=Decimal(80))
    target = Score.objects.get(
        level="objective", ref_id=org["o1"].pk, span_kind="month", span_number=1
    )
    worker = _start_worker_process()
    try:
        with psycopg.connect(_database_url()) as holder:
            holder.execute("SELECT 1 FROM strategy_score WHERE id = %s FOR UPDATE", [target.pk])
            run = RollupRun.objects.create(
                trigger="manual", full=True, requested_at=rollup.timezone.now()
            )
            scores_run.delay(run.pk)
            wait_until(
                lambda: _waiting_on("transactionid"), what="the roll-up to reach the locked row"
            )
            child = _pool_child(worker.pid)
            os.kill(child, signal.SIGKILL)
            wait_until(
                lambda: _pool_child(worker.pid) not in (None, child), what="a new pool process"
            )
            # The killed roll-up wrote nothing that anyone can see.
            assert abs(objective_score(org["o1"]) - Decimal(25) / 3) < Decimal("1e-12")
            wait_until(lambda: _waiting_on("transactionid"), what="the redelivered roll-up")
            holder.rollback()
        wait_until(
            lambda: objective_score(org["o1"]) == Decimal("6.666666666666667"),
            what="the redelivered roll-up to finish",
        )
    finally:
        worker.terminate()
        worker.wait(20)


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _waiting_on(lock_type: str) -> bool:
    with psycopg.connect(_database_url(), autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = %s", [lock_type]
        ).fetchone()
    return row[0] > 0


def _start_worker_process() -> subprocess.Popen:
    from scorecard.celery import app

    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "scorecard",
            "worker",
            "-P",
            "prefork",
            "-c",
            "1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "killable@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    wait_until(lambda: _pool_child(worker.pid), what="the worker's pool process")
    return worker


def _pool_child(pid: int) -> int | None:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    children = [int(p) for p in result.stdout.split()]
    return children[0] if children else None


def test_an_actual_changed_by_an_import_changes_the_stored_scores(
    org, celery_worker_on_redis, performance_team, tmp_path
):
    from openpyxl import load_workbook

    from strategy.services import scorecard_export, scorecard_import

    path = tmp_path / "scorecard.xlsx"
    scorecard_export(unit=org["root"], destination=path, actor=performance_team)
    book = load_workbook(path)
    sheet = book["Actuals"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        values = dict(zip(header, (cell.value for cell in row), strict=False))
        if values["measure_code"] == "M1" and values["period"] == "2025-04":
            row[header.index("value")].value = 80
    book.save(path)
    result = scorecard_import(workbook=path, actor=performance_team)
    assert result.ok, result.problems
    wait_until(
        lambda: abs(objective_score(org["o1"]) - Decimal(20) / 3) < Decimal("1e-12"),
        what="the objective score after the import",
    )
