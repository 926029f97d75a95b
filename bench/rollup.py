"""Benchmark: the score roll-up on PostgreSQL at 10,000 measures × 60 months across 50 units.

Run: .venv/bin/python bench/rollup.py [--measures 10000] [--units 50] [--months 60]

Creates a scratch database (scorecard_bench_rollup), generates the organisation with
set-based SQL, then times in one run:
  (c) the floor: one INSERT … SELECT joining every actual with its target, one row per
      measure and month, into a scratch table: reading and writing no more than a roll-up must;
  (a) the full roll-up (every unit, level and span) into an empty score table;
  (a2) the same full roll-up again, when nothing changed (idempotent: writes nothing);
  (b) the incremental roll-up after one changed actual (its unit, fiscal year and ancestors).
Prints each figure beside its goal: (a) within 5× of (c) and under 60 s; (b) under 200 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "scorecard_bench_rollup"


def admin_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://scorecard:scorecard@127.0.0.1:5432/scorecard")


def recreate_database() -> str:
    base = admin_url().rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return f"{base}/{BENCH_DB}"


def setup_django(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="true",
        REDIS_URL="",
        SECRET_KEY=os.environ.get(
            "SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnop"
        ),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


GENERATE = """
INSERT INTO strategy_orgunit (code, name, parent_id, "order")
SELECT 'U' || n, 'Unit ' || n, NULL, n FROM generate_series(1, {units}) n;
UPDATE strategy_orgunit c SET parent_id = p.id
FROM strategy_orgunit p
WHERE p.code = 'U1' AND c.code <> 'U1';
INSERT INTO strategy_plan (unit_id, name, mission, vision, first_year, last_year)
SELECT id, 'Plan', '', '', {first_year}, {last_year} FROM strategy_orgunit;
INSERT INTO strategy_perspective (plan_id, name, "order", weight)
SELECT pl.id, 'P' || n, n, 1 FROM strategy_plan pl, generate_series(1, 4) n;
INSERT INTO strategy_objective (code, perspective_id, name, description, weight, "order")
SELECT 'O' || pe.id || '_' || n, pe.id, 'Objective', '', 1 + n % 3, n
FROM strategy_perspective pe, generate_series(1, {objectives_per_perspective}) n;
INSERT INTO strategy_alignment (child_id, parent_id, weight)
SELECT c.id, (SELECT min(o.id) FROM strategy_objective o JOIN strategy_perspective pe
              ON pe.id = o.perspective_id JOIN strategy_plan pl ON pl.id = pe.plan_id
              JOIN strategy_orgunit u ON u.id = pl.unit_id WHERE u.code = 'U1'), 1
FROM strategy_objective c JOIN strategy_perspective pe ON pe.id = c.perspective_id
JOIN strategy_plan pl ON pl.id = pe.plan_id JOIN strategy_orgunit u ON u.id = pl.unit_id
WHERE u.code <> 'U1' AND c.code LIKE '%\\_1' AND pe."order" = 1;
INSERT INTO strategy_measure (code, objective_id, name, description, unit, decimals, frequency,
    polarity, aggregation, tolerance, allow_negative, weight, formula, missing_as_zero, "order")
SELECT 'M' || o.id || '_' || n, o.id, 'Measure', '', '', 1,
       'monthly', (ARRAY['higher', 'lower', 'band'])[1 + n % 3],
       (ARRAY['sum', 'average', 'last', 'min', 'max'])[1 + n % 5], 0.1, false, 1, '', false, n
FROM strategy_objective o, generate_series(1, {measures_per_objective}) n;
INSERT INTO strategy_period (year, month, state)
SELECT extract(year FROM d)::int, extract(month FROM d)::int, 'open'
FROM generate_series(make_date({first_year}, 4, 1), make_date({first_year}, 4, 1)
     + make_interval(months => {months} - 1), interval '1 month') d;
INSERT INTO strategy_target (measure_id, period_id, goal, lower, upper, amber)
SELECT m.id, p.id, CASE WHEN m.polarity <> 'band' THEN 100 END,
       CASE WHEN m.polarity = 'band' THEN 95 END, CASE WHEN m.polarity = 'band' THEN 105 END, NULL
FROM strategy_measure m, strategy_period p;
INSERT INTO strategy_actual (measure_id, period_id, value, not_applicable, analysis, actions,
    risks, status, version)
SELECT m.id, p.id, round((80 + random() * 40)::numeric, 1), false, '', '', '', 'approved', 1
FROM strategy_measure m, strategy_period p;
ANALYZE;
"""

FLOOR = """
DROP TABLE IF EXISTS bench_floor;
CREATE TABLE bench_floor (measure_id bigint, period_id bigint, value numeric, goal numeric,
    score numeric, PRIMARY KEY (measure_id, period_id));
INSERT INTO bench_floor
SELECT a.measure_id, a.period_id, a.value, t.goal,
       scorecard_score(m.polarity, a.value, t.goal, t.goal - abs(t.goal) * m.tolerance,
                       t.lower, t.upper, m.tolerance * (t.upper - t.lower))
FROM strategy_actual a
JOIN strategy_measure m ON m.id = a.measure_id
LEFT JOIN strategy_target t ON t.measure_id = a.measure_id AND t.period_id = a.period_id;
"""


def generate(url: str, args) -> dict:
    objectives = max(1, args.measures // args.units // 4 // 20)
    per_objective = max(1, args.measures // (args.units * 4 * objectives))
    params = {
        "units": args.units,
        "objectives_per_perspective": objectives,
        "measures_per_objective": per_objective,
        "first_year": 2021,
        "last_year": 2021 + (args.months + 11) // 12 - 1,
        "months": args.months,
    }
    with psycopg.connect(url, autocommit=True) as conn:
        # Whole numbers of our own making only: formatted in, so the script runs as one batch.
        conn.execute(GENERATE.format(**params))
        counts = {
            table: conn.execute(f"SELECT count(*) FROM strategy_{table}").fetchone()[0]
            for table in ("orgunit", "measure", "period", "actual", "target")
        }
    return counts


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def floor(url: str) -> float:
    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        conn.execute(FLOOR)
        conn.commit()
        return time.perf_counter() - start


def full_rollup() -> int:
    from django.utils import timezone

    from strategy.models import RollupRun
    from strategy.services import rollup

    run = RollupRun.objects.create(trigger="command", full=True, requested_at=timezone.now())
    return rollup.scores_recompute(run=run).rows_written


def incremental_rollup(step: int) -> None:
    from django.utils import timezone

    from strategy.models import Actual, RollupRun
    from strategy.services import rollup

    actual = Actual.objects.select_related("measure", "period").order_by("pk")[step * 7919]
    Actual.objects.filter(pk=actual.pk).update(value=actual.value + 1)
    units, years = rollup.affected_by([actual])
    run = RollupRun.objects.create(
        trigger="change",
        unit_ids=sorted(units),
        fiscal_years=sorted(years),
        requested_at=timezone.now(),
    )
    rollup.scores_recompute(run=run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5, help="incremental runs (median taken)")
    args = parser.parse_args()

    url = recreate_database()
    setup_django(url)
    generate_s = timed(lambda: print("generated:", generate(url, args)))
    print(f"generation took {generate_s:.1f} s")

    from strategy.models import Score

    floor_s = floor(url)
    written: list[int] = []
    full_s = timed(lambda: written.append(full_rollup()))
    rows = Score.objects.count()
    again_s = timed(lambda: written.append(full_rollup()))
    incremental = [timed(lambda n=n: incremental_rollup(n)) for n in range(args.repeats)]
    incr_s = statistics.median(incremental)

    print()
    rows_out = [
        ("figure", "seconds", "goal"),
        ("(c) floor: INSERT … SELECT, one row per measure-month", f"{floor_s:.2f}", "baseline"),
        ("(a) full roll-up, empty score table", f"{full_s:.2f}", f"< {5 * floor_s:.2f} and < 60"),
        ("(a2) full roll-up again, nothing changed", f"{again_s:.2f}", f"writes {written[1]}"),
        ("(b) incremental after one changed actual (median)", f"{incr_s:.3f}", "< 0.200"),
    ]
    for name, seconds, goal in rows_out:
        print(f"{name:<52} {seconds:>9}  {goal}")
    print()
    print(f"score rows stored: {rows:,}; (a) / (c) = {full_s / floor_s:.1f}×")
    ok = full_s <= 5 * floor_s and full_s < 60 and incr_s < 0.2
    print("result:", "all goals met" if ok else "GOAL MISSED")


if __name__ == "__main__":
    main()
