"""Benchmark: import a whole-scorecard workbook of 2,000 measures × 60 months.

Run: .venv/bin/python bench/import_workbook.py [--measures 2000] [--months 60] [--again] [--keep]

Generates bench/out/scorecard_<measures>x<months>.xlsx (1 unit, 1 plan, 4 perspectives, one
objective per 10 measures, a target and an actual per measure and month: 240,000 rows at the
defaults) in a child process, then imports it into a scratch PostgreSQL database
(scorecard_bench, dropped and created afresh) and times, separately:
  generate  writing the workbook with the export's writer (openpyxl write-only mode);
  validate  reading every sheet in read-only mode and checking every row (nothing written);
  write     the one transaction that writes it all, with history rows;
  --again   importing the same workbook a second time, when nothing changes.
The goal is validate + write under 60 s, with memory that does not grow with the row
count: compare the peak RSS at --measures 500 and at 2000.
"""

import argparse
import multiprocessing
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
BENCH_DB = "scorecard_bench"
GOAL_SECONDS = 60
PERSPECTIVES = ["Citizens & Stakeholders", "Financial Stewardship", "Internal Processes",
                "Learning & Growth"]  # fmt: skip


def admin_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://scorecard:scorecard@127.0.0.1:5432/scorecard")


def recreate_database() -> str:
    base = admin_url().rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return f"{base}/{BENCH_DB}"


def drop_database() -> None:
    base = admin_url().rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")


def setup_django(url: str) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DEBUG="true",
        REDIS_URL="",
        SECRET_KEY=os.environ.get(
            "SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
        ),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------- the workbook


def months(count: int) -> list[tuple[int, int]]:
    """Consecutive months from April 2025 (the start of fiscal year 2025 with an April start)."""
    return [(2025 + (3 + n) // 12, (3 + n) % 12 + 1) for n in range(count)]


def workbook_rows(measures: int, month_count: int) -> dict:
    from strategy import workbook as wb

    objectives = max(1, measures // 10)
    last_year = 2025 + (month_count - 1) // 12
    span = months(month_count)
    return {
        "Units": [wb.UnitRow(0, "BENCH", "Bench Council", "")],
        "Plans": [wb.PlanRow(0, "BENCH", "Bench Plan", "A mission.", "A vision.", 2025, last_year)],
        "Perspectives": [
            wb.PerspectiveRow(0, "BENCH", "Bench Plan", name, n + 1, Decimal(1))
            for n, name in enumerate(PERSPECTIVES)
        ],
        "Objectives": [
            wb.ObjectiveRow(
                0,
                f"OBJ-{n:04d}",
                "BENCH",
                "Bench Plan",
                PERSPECTIVES[n % 4],
                f"Objective {n}",
                "",
                "",
                Decimal(1),
            )
            for n in range(objectives)
        ],  # fmt: skip
        "Links": [wb.LinkRow(0, f"OBJ-{n:04d}", f"OBJ-{n + 4:04d}") for n in range(objectives - 4)],
        "Measures": (measure_row(n) for n in range(measures)),
        "Targets": (
            wb.TargetRow(
                0, f"M{m:05d}", month, Decimal(100 + m % 50) + Decimal(n) / 4, None, None, None
            )
            for m in range(measures)
            for n, month in enumerate(span)
        ),  # fmt: skip
        "Actuals": (
            wb.ActualRow(
                0,
                f"M{m:05d}",
                month,
                Decimal(95 + (m * 7 + n) % 20) / 2,
                False,
                "Seasonal rise." if n % 6 == 0 else "",
                "",
                "",
                "approved",
            )
            for m in range(measures)
            for n, month in enumerate(span)
        ),  # fmt: skip
    }


def measure_row(n: int):
    from strategy import workbook as wb

    return wb.MeasureRow(
        0, f"M{n:05d}", f"OBJ-{n // 10:04d}", f"Measure {n}", "", "cases", 1, "monthly",
        "higher" if n % 2 else "lower", "sum", Decimal("0.1"), False, "", (), Decimal(1), "",
        False,
    )  # fmt: skip


def generate(path: Path, measures: int, month_count: int) -> None:
    from strategy import workbook as wb

    cover = [("What this is", f"Benchmark: {measures:,} measures × {month_count} months.")]
    objectives = max(1, measures // 10)
    sizes = {
        "Units": 1, "Plans": 1, "Perspectives": len(PERSPECTIVES), "Objectives": objectives,
        "Links": max(0, objectives - 4), "Measures": measures,
        "Targets": measures * month_count, "Actuals": measures * month_count,
    }  # fmt: skip
    wb.write_workbook(str(path), workbook_rows(measures, month_count), cover, sizes)


def generate_in_child(path: Path, measures: int, month_count: int) -> float:
    """Generate in a forked child, so its memory does not count in the import's peak."""
    from django.db import connections

    connections.close_all()
    started = time.perf_counter()
    child = multiprocessing.get_context("fork").Process(
        target=generate, args=(path, measures, month_count)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        sys.exit("Generating the workbook failed.")
    return time.perf_counter() - started


# ---------------------------------------------------------------- the import


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_once(path: Path, actor) -> tuple[float, float, dict]:
    from strategy import workbook as wb
    from strategy.services import transfer

    started = time.perf_counter()
    with wb.Spool() as spool:
        validation = wb.validate(str(path), transfer.scorecard_known_facts(), spool)
        if validation.problems:
            sys.exit("The generated workbook has problems:\n" + "\n".join(
                str(p) for p in validation.problems.items[:20]))  # fmt: skip
        checked = time.perf_counter()
        counts = transfer.scorecard_write_checked(validation=validation, spool=spool, actor=actor)
    return checked - started, time.perf_counter() - checked, counts


def report(args, path: Path, generate_s: float, runs: list, rss_before: float) -> None:
    rows = args.measures * args.months * 2
    size = path.stat().st_size / 1024 / 1024
    print()
    print(f"Import of one workbook: {args.measures:,} measures × {args.months} months "
          f"= {rows:,} target and actual rows ({size:,.1f} MB .xlsx)")  # fmt: skip
    print(f"{'step':<36}{'seconds':>10}{'goal':>12}{'':>8}")
    print(f"{'generate the workbook':<36}{generate_s:>10.1f}{'-':>12}")
    for label, (validate_s, write_s, counts) in runs:
        total = validate_s + write_s
        verdict = "ok" if total < GOAL_SECONDS else "OVER"
        print(f"{label + ': validate':<36}{validate_s:>10.1f}")
        print(f"{label + ': write':<36}{write_s:>10.1f}")
        goal = f"< {GOAL_SECONDS} s"
        print(f"{label + ': total':<36}{total:>10.1f}{goal:>12}{verdict:>8}")
        changed = {sheet: (c.created, c.updated, c.unchanged) for sheet, c in counts.items()
                   if sheet in ("Measures", "Targets", "Actuals")}  # fmt: skip
        print(f"{'':<4}rows (new, changed, unchanged): {changed}")
    print(f"{'memory: RSS before the import':<36}{rss_before:>10.0f} MB")
    print(f"{'memory: peak RSS of the import':<36}{peak_rss_mb():>10.0f} MB")
    print(f"{'rows per second (first import)':<36}{rows / sum(runs[0][1][:2]):>10,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=2000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--again", action="store_true", help="time a second, unchanged import")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    setup_django(recreate_database())
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"scorecard_{args.measures}x{args.months}.xlsx"
    generate_s = generate_in_child(path, args.measures, args.months)

    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.create(username="bench")
    rss_before = rss_mb()
    runs = [("first import", import_once(path, actor))]
    if args.again:
        runs.append(("same again", import_once(path, actor)))
    report(args, path, generate_s, runs, rss_before)

    from django.db import connections

    connections.close_all()
    if not args.keep:
        drop_database()


if __name__ == "__main__":
    main()
