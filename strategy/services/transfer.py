"""Import and export of a whole scorecard as one Excel workbook (docs/import-format.md).

`scorecard_import` checks every sheet first (`strategy.workbook.validate`) and writes only
a workbook with no problem at all, in one transaction. Rows are matched on their natural
keys (unit code, plan name within its unit, objective code, measure code and month, ...),
so importing the same workbook again updates in place; the import never deletes.

Targets and Actuals can run to 100,000s of rows. On PostgreSQL they are copied into a
temporary table and merged with one `INSERT ... ON CONFLICT DO UPDATE ... WHERE ... IS
DISTINCT FROM`, which writes (and records in history) only new or changed rows; the ORM
path does the same in batches on other databases. Both write history rows with the change
reason "import", the importing user and one timestamp.

Scores are not recomputed here: the roll-up request belongs after a successful import
and is left for the roll-up service to wire in.
"""

import calendar
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from strategy import workbook as wb
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
from strategy.workbook import Problem

CHANGE_REASON = "import"
ORM_BATCH = 2_000
# The big sheets' value columns, after measure_code and period: the same names as the models.
TARGET_FIELDS = wb.row_fields(wb.TARGETS)[2:]
ACTUAL_FIELDS = wb.row_fields(wb.ACTUALS)[2:]
ACTUAL_STAMP = ["entered_by_id", "entered_at", "version"]


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    """What an import found or did: every problem, or the rows created/updated per sheet."""

    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    counts: dict[str, SheetCounts] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.more_problems

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def scorecard_import(
    *, workbook: wb.Source, actor, as_of: datetime | None = None, dry_run: bool = False
) -> ImportResult:
    """Check a whole-scorecard workbook; only if it has no problem, write all of it at once."""
    refusal = wb.check_archive(workbook)
    if refusal:
        return ImportResult(problems=[Problem("", None, "", refusal)], dry_run=dry_run)
    with wb.Spool() as spool:
        validation = wb.validate(workbook, scorecard_known_facts(), spool)
        if validation.problems:
            problems = validation.problems
            return ImportResult(
                problems=problems.items, more_problems=problems.more, dry_run=dry_run
            )
        counts = scorecard_write_checked(
            validation=validation, spool=spool, actor=actor, as_of=as_of, dry_run=dry_run
        )
    return ImportResult(counts=counts, dry_run=dry_run)


def scorecard_write_checked(
    *,
    validation: wb.Validation,
    spool: wb.Spool,
    actor,
    as_of: datetime | None = None,
    dry_run: bool = False,
) -> dict[str, SheetCounts]:
    """Write a workbook that validate() passed, in one transaction (rolled back on a dry run)."""
    writer = _Writer(validation, spool, actor=actor, now=as_of or timezone.now())
    try:
        with transaction.atomic():
            writer.write()
            if dry_run:
                raise _DryRun
            if any(c.created or c.updated for c in writer.counts.values()):
                _roll_up_after_import(actor)
    except _DryRun:
        pass
    return writer.counts


def _roll_up_after_import(actor) -> None:
    """A workbook may touch any unit and year: ask for all of them, in one coalesced run."""
    from strategy.services.rollup import scores_request

    scores_request(
        unit_ids=OrgUnit.objects.values_list("pk", flat=True), fiscal_years=None, actor=actor
    )


def scorecard_known_facts() -> wb.Known:
    """What the scorecard holds now, by code, for checking a workbook against it."""
    return wb.Known(
        start_month=settings.FISCAL_YEAR_START_MONTH,
        unit_parents={
            code: parent or ""
            for code, parent in OrgUnit.objects.values_list("code", "parent__code")
        },
        plans={
            (unit, name): (first, last)
            for unit, name, first, last in Plan.objects.values_list(
                "unit__code", "name", "first_year", "last_year"
            )
        },
        perspectives=set(Perspective.objects.values_list("plan__unit__code", "plan__name", "name")),
        objectives={
            code: wb.ObjectiveFacts(*rest)
            for code, *rest in Objective.objects.values_list(
                "code",
                "perspective__plan__unit__code",
                "perspective__plan__name",
                "perspective__name",
            )
        },
        links=set(CauseEffectLink.objects.values_list("cause__code", "effect__code")),
        measures={
            code: wb.MeasureFacts(*rest)
            for code, *rest in Measure.objects.values_list(
                "code", "objective__code", "frequency", "polarity", "formula", "allow_negative"
            )
        },
        usernames=set(get_user_model().objects.values_list("username", flat=True)),
        initiatives=set(Initiative.objects.values_list("code", flat=True)),
        closed_months=set(
            Period.objects.filter(state=Period.State.CLOSED).values_list("year", "month")
        ),
        stored_actuals=_stored_actuals,
    )


def _stored_actuals(keys: Sequence[wb.MonthKey]) -> dict[wb.MonthKey, wb.StoredActual]:
    wanted = set(keys)
    rows = Actual.objects.filter(
        measure__code__in={code for code, _ in keys},
        period__year__in={year for _, (year, _) in keys},
    ).values_list("measure__code", "period__year", "period__month", *ACTUAL_FIELDS)
    stored = {}
    for code, year, month, *values in rows:
        if (code, (year, month)) in wanted:
            stored[(code, (year, month))] = tuple(values)
    return stored


# ---------------------------------------------------------------- writing


def _has_history(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def _differs(obj: models.Model, values: dict[str, Any]) -> bool:
    return any(getattr(obj, name) != value for name, value in values.items())


def _levels(rows: list[wb.UnitRow]) -> list[list[wb.UnitRow]]:
    """Units grouped so that each unit's parent from the sheet is in an earlier group."""
    by_code = {row.code: row for row in rows}
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        if code not in depth:
            parent = by_code[code].parent_code
            depth[code] = depth_of(parent) + 1 if parent in by_code else 0
        return depth[code]

    groups: dict[int, list[wb.UnitRow]] = defaultdict(list)
    for row in rows:
        groups[depth_of(row.code)].append(row)
    return [groups[level] for level in sorted(groups)]


Stamp = Callable[[models.Model, bool], None]


class _Writer:
    """Writes a checked workbook sheet by sheet, counting what it creates and changes."""

    def __init__(self, validation: wb.Validation, spool: wb.Spool, *, actor, now: datetime):
        self.rows = validation.rows
        self.months = validation.months
        self.spool = spool
        self.actor = actor
        self.actor_id = getattr(actor, "pk", None)
        self.now = now
        self.counts = {sheet.name: SheetCounts() for sheet in wb.SHEETS}
        self.history = {
            "default_user": actor,
            "default_change_reason": CHANGE_REASON,
            "default_date": now,
        }

    def write(self) -> None:
        self.users = dict(get_user_model().objects.values_list("username", "id"))
        self._units()
        self._plans()
        self._perspectives()
        self._objectives()
        self._links()
        self._alignments()
        self._measures()
        self._periods()
        self._targets()
        self._actuals()
        self._initiatives()
        self._milestones()

    # -- the generic upsert of a small sheet

    def upsert(
        self,
        model: type[models.Model],
        existing: dict,
        items: Iterable[tuple[Any, dict[str, Any]]],
        stamp: Stamp | None = None,
    ) -> tuple[dict, dict]:
        """Create missing rows and change differing ones; returns objects and statuses by key."""
        objects, statuses, new, changed, names = dict(existing), {}, [], [], set()
        for key, values in items:
            obj = existing.get(key)
            names.update(values)
            if obj is None:
                obj, statuses[key] = model(**values), "created"
                new.append(obj)
            elif _differs(obj, values):
                for name, value in values.items():
                    setattr(obj, name, value)
                changed.append(obj)
                statuses[key] = "updated"
            else:
                statuses[key] = "unchanged"
            objects[key] = obj
        if stamp is not None:
            for obj in new:
                stamp(obj, True)
            for obj in changed:
                stamp(obj, False)
        self._save(model, new, changed, sorted(names | set(ACTUAL_STAMP if stamp else ())))
        return objects, statuses

    def _save(self, model, new: list, changed: list, names: list[str]) -> None:
        history = _has_history(model)
        if new and history:
            bulk_create_with_history(new, model, batch_size=ORM_BATCH, **self.history)
        elif new:
            model.objects.bulk_create(new, batch_size=ORM_BATCH)
        if changed and history:
            bulk_update_with_history(changed, model, names, batch_size=ORM_BATCH, **self.history)
        elif changed:
            model.objects.bulk_update(changed, names, batch_size=ORM_BATCH)

    def tally(self, sheet: wb.Sheet, statuses: dict, also_changed: Iterable = ()) -> None:
        counts = self.counts[sheet.name]
        for key in also_changed:
            if statuses.get(key) == "unchanged":
                statuses[key] = "updated"
        for status in statuses.values():
            setattr(counts, status, getattr(counts, status) + 1)

    def user_id(self, username: str) -> int | None:
        return self.users[username] if username else None

    # -- units to milestones

    def _units(self) -> None:
        rows = self.rows.get(wb.UNITS.name, [])
        wanted = {row.code for row in rows} | {row.parent_code for row in rows}
        units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=wanted)}
        for level in _levels(rows):
            items = [
                (
                    row.code,
                    {
                        "code": row.code,
                        "name": row.name,
                        "parent_id": units[row.parent_code].pk if row.parent_code else None,
                    },
                )
                for row in level
            ]
            objects, statuses = self.upsert(OrgUnit, units, items)
            units.update(objects)
            self.tally(wb.UNITS, statuses)
        self.unit_ids = dict(OrgUnit.objects.values_list("code", "id"))

    def _plans(self) -> None:
        rows = self.rows.get(wb.PLANS.name, [])
        existing = {
            (plan.unit.code, plan.name): plan
            for plan in Plan.objects.filter(
                unit_id__in={self.unit_ids[row.unit_code] for row in rows}
            ).select_related("unit")
        }
        items = [
            (
                (row.unit_code, row.name),
                {
                    "unit_id": self.unit_ids[row.unit_code],
                    "name": row.name,
                    "mission": row.mission,
                    "vision": row.vision,
                    "first_year": row.first_year,
                    "last_year": row.last_year,
                },
            )
            for row in rows
        ]
        self.tally(wb.PLANS, self.upsert(Plan, existing, items)[1])
        self.plan_ids = {
            (unit, name): pk
            for unit, name, pk in Plan.objects.values_list("unit__code", "name", "id")
        }

    def _perspectives(self) -> None:
        rows = self.rows.get(wb.PERSPECTIVES.name, [])
        plan_ids = {self.plan_ids[(row.unit_code, row.plan)] for row in rows}
        existing = {
            (p.plan.unit.code, p.plan.name, p.name): p
            for p in Perspective.objects.filter(plan_id__in=plan_ids).select_related("plan__unit")
        }
        items = [
            (
                (row.unit_code, row.plan, row.name),
                {
                    "plan_id": self.plan_ids[(row.unit_code, row.plan)],
                    "name": row.name,
                    "order": row.order,
                    "weight": row.weight,
                },
            )
            for row in rows
        ]
        self.tally(wb.PERSPECTIVES, self.upsert(Perspective, existing, items)[1])
        self.perspective_ids = {
            key[:3]: key[3]
            for key in Perspective.objects.values_list(
                "plan__unit__code", "plan__name", "name", "id"
            )
        }

    def _objectives(self) -> None:
        rows = self.rows.get(wb.OBJECTIVES.name, [])
        existing = Objective.objects.in_bulk([row.code for row in rows], field_name="code")
        items = [
            (
                row.code,
                {
                    "code": row.code,
                    "perspective_id": self.perspective_ids[
                        (row.unit_code, row.plan, row.perspective)
                    ],
                    "name": row.name,
                    "description": row.description,
                    "owner_id": self.user_id(row.owner),
                    "weight": row.weight,
                },
            )
            for row in rows
        ]
        self.tally(wb.OBJECTIVES, self.upsert(Objective, existing, items)[1])
        self.objective_ids = dict(Objective.objects.values_list("code", "id"))

    def _links(self) -> None:
        rows = self.rows.get(wb.LINKS.name, [])
        ids = self.objective_ids
        wanted = {(ids[row.cause_code], ids[row.effect_code]) for row in rows}
        existing = set(
            CauseEffectLink.objects.filter(cause_id__in={cause for cause, _ in wanted}).values_list(
                "cause_id", "effect_id"
            )
        )
        new = [CauseEffectLink(cause_id=c, effect_id=e) for c, e in wanted - existing]
        CauseEffectLink.objects.bulk_create(new)
        counts = self.counts[wb.LINKS.name]
        counts.created, counts.unchanged = len(new), len(wanted) - len(new)

    def _alignments(self) -> None:
        rows = self.rows.get(wb.ALIGNMENTS.name, [])
        ids = self.objective_ids
        existing = {
            (a.child_id, a.parent_id): a
            for a in Alignment.objects.filter(child_id__in={ids[row.child_code] for row in rows})
        }
        items = [
            (
                (ids[row.child_code], ids[row.parent_code]),
                {
                    "child_id": ids[row.child_code],
                    "parent_id": ids[row.parent_code],
                    "weight": row.weight,
                },
            )
            for row in rows
        ]
        self.tally(wb.ALIGNMENTS, self.upsert(Alignment, existing, items)[1])

    def _measures(self) -> None:
        rows = self.rows.get(wb.MEASURES.name, [])
        existing = Measure.objects.in_bulk([row.code for row in rows], field_name="code")
        items = [(row.code, self._measure_values(row)) for row in rows]
        objects, statuses = self.upsert(Measure, existing, items)
        stewards = {
            objects[row.code].pk: {self.users[name] for name in row.stewards} for row in rows
        }
        changed = _sync_many(Measure.stewards.through, "measure_id", "user_id", stewards)
        self.tally(
            wb.MEASURES, statuses, [row.code for row in rows if objects[row.code].pk in changed]
        )
        self.measure_ids = dict(Measure.objects.values_list("code", "id"))

    def _measure_values(self, row: wb.MeasureRow) -> dict[str, Any]:
        return {
            "code": row.code,
            "objective_id": self.objective_ids[row.objective_code],
            "name": row.name,
            "description": row.description,
            "unit": row.unit,
            "decimals": row.decimals,
            "frequency": row.frequency,
            "polarity": row.polarity,
            "aggregation": row.aggregation,
            "tolerance": row.tolerance,
            "allow_negative": row.allow_negative,
            "owner_id": self.user_id(row.owner),
            "weight": row.weight,
            "formula": row.formula,
            "missing_as_zero": row.missing_as_zero,
        }

    def _periods(self) -> None:
        existing = set(Period.objects.values_list("year", "month"))
        new = [Period(year=y, month=m) for y, m in sorted(self.months - existing)]
        if new:
            bulk_create_with_history(new, Period, batch_size=ORM_BATCH, **self.history)
        self.period_ids = {
            (y, m): pk for y, m, pk in Period.objects.values_list("year", "month", "id")
        }

    def _initiatives(self) -> None:
        rows = self.rows.get(wb.INITIATIVES.name, [])
        existing = Initiative.objects.in_bulk([row.code for row in rows], field_name="code")
        items = [(row.code, self._initiative_values(row)) for row in rows]
        objects, statuses = self.upsert(Initiative, existing, items)
        wanted = {
            objects[row.code].pk: {self.objective_ids[code] for code in row.objective_codes}
            for row in rows
        }
        changed = _sync_many(Initiative.objectives.through, "initiative_id", "objective_id", wanted)
        self.tally(
            wb.INITIATIVES, statuses, [row.code for row in rows if objects[row.code].pk in changed]
        )
        self.initiative_ids = dict(Initiative.objects.values_list("code", "id"))

    def _initiative_values(self, row: wb.InitiativeRow) -> dict[str, Any]:
        return {
            "code": row.code,
            "name": row.name,
            "description": row.description,
            "owner_id": self.user_id(row.owner),
            "start_date": row.start_date,
            "end_date": row.end_date,
            "budget": row.budget,
            "spend": row.spend,
            "percent_complete": row.percent_complete,
            "status": row.status,
        }

    def _milestones(self) -> None:
        rows = self.rows.get(wb.MILESTONES.name, [])
        ids = self.initiative_ids
        existing = {
            (m.initiative_id, m.name): m
            for m in Milestone.objects.filter(
                initiative_id__in={ids[row.initiative_code] for row in rows}
            )
        }
        items = [
            (
                (ids[row.initiative_code], row.name),
                {
                    "initiative_id": ids[row.initiative_code],
                    "name": row.name,
                    "due_date": row.due_date,
                    "completed_on": row.completed_on,
                },
            )
            for row in rows
        ]
        self.tally(wb.MILESTONES, self.upsert(Milestone, existing, items)[1])

    # -- the big sheets

    def _targets(self) -> None:
        rows = self._month_rows(wb.TARGETS.name)
        self._merge(Target, TARGET_FIELDS, rows, self.counts[wb.TARGETS.name], stamped=False)

    def _actuals(self) -> None:
        rows = self._month_rows(wb.ACTUALS.name)
        self._merge(Actual, ACTUAL_FIELDS, rows, self.counts[wb.ACTUALS.name], stamped=True)

    def _month_rows(self, sheet: str) -> Iterator[tuple]:
        """Spooled rows (measure code, month, *values) as (measure id, period id, *values)."""
        measures, months = self.measure_ids, self.period_ids
        for batch in self.spool.batches(sheet):
            for code, month, *values in batch:
                yield (measures[code], months[month], *values)

    def _merge(self, model, names: list[str], rows: Iterator[tuple], counts, *, stamped: bool):
        if use_copy():
            merged = _copy_merge(model, names, rows, stamped, self.actor_id, self.now)
            counts.created, counts.updated, counts.unchanged = merged
            return
        stamp = self._stamp_actual if stamped else None
        for batch in _batched(rows, ORM_BATCH):
            statuses = self._merge_batch(model, names, batch, stamp)
            for status in statuses.values():
                setattr(counts, status, getattr(counts, status) + 1)

    def _merge_batch(self, model, names: list[str], batch: list[tuple], stamp) -> dict:
        existing = {
            (obj.measure_id, obj.period_id): obj
            for obj in model.objects.filter(
                measure_id__in={row[0] for row in batch}, period_id__in={row[1] for row in batch}
            )
        }
        items = [
            (
                (row[0], row[1]),
                {
                    "measure_id": row[0],
                    "period_id": row[1],
                    **dict(zip(names, row[2:], strict=True)),
                },
            )
            for row in batch
        ]
        return self.upsert(model, existing, items, stamp)[1]

    def _stamp_actual(self, actual: Actual, created: bool) -> None:
        actual.entered_by_id = self.actor_id
        actual.entered_at = self.now
        actual.version = 1 if created else actual.version + 1


def _batched(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _sync_many(through, owner: str, other: str, wanted: dict[int, set[int]]) -> set[int]:
    """Make each owner's many-to-many set exactly as wanted; returns the owners changed."""
    current: dict[int, set[int]] = defaultdict(set)
    links = through.objects.filter(**{f"{owner}__in": list(wanted)}).values_list(owner, other)
    for owner_id, other_id in links:
        current[owner_id].add(other_id)
    changed = {owner_id for owner_id, others in wanted.items() if current[owner_id] != others}
    if changed:
        through.objects.filter(**{f"{owner}__in": changed}).delete()
        through.objects.bulk_create(
            [through(**{owner: o, other: x}) for o in changed for x in wanted[o]]
        )
    return changed


# ---------------------------------------------------------------- PostgreSQL's fast path


def use_copy() -> bool:
    """Whether the big sheets go through COPY and one merge statement (PostgreSQL only)."""
    return connection.vendor == "postgresql"


def _copy_merge(model, names, rows, stamped: bool, actor_id, now) -> tuple[int, int, int]:
    """COPY rows into a temporary table, then insert or update only what differs, with history."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    temp = quote(f"import_{table}")
    columns = ["measure_id", "period_id", *names]
    listed = ", ".join(quote(c) for c in columns)
    # Every name in this SQL comes from model metadata, never from the workbook.
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {listed} FROM {quote(table)} "  # noqa: S608
            "WITH NO DATA"
        )
        total = 0
        with cursor.copy(f"COPY {temp} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                total += 1
        cursor.execute(_merge_sql(model, names, temp, stamped), {"actor": actor_id, "now": now})
        created, updated = cursor.fetchone()
        cursor.execute(f"DROP TABLE {temp}")
    return created, updated, total - created - updated


def _merge_sql(model, names: list[str], temp: str, stamped: bool) -> str:
    quote = connection.ops.quote_name
    data = [quote(name) for name in names]
    stamp_columns = [quote(name) for name in ACTUAL_STAMP] if stamped else []
    stamp_values = ["%(actor)s", "%(now)s", "1"] if stamped else []
    updates = [f"{c} = EXCLUDED.{c}" for c in data]
    if stamped:
        updates += [
            f"{quote('entered_by_id')} = EXCLUDED.{quote('entered_by_id')}",
            f"{quote('entered_at')} = EXCLUDED.{quote('entered_at')}",
            f"{quote('version')} = t.{quote('version')} + 1",
        ]
    history = model.history.model
    tracked = ", ".join(quote(f.column) for f in history.tracked_fields)
    # Names from model metadata only; values travel as parameters.
    return f"""
        WITH written AS (
            INSERT INTO {quote(model._meta.db_table)} AS t
                ("measure_id", "period_id", {", ".join(data + stamp_columns)})
            SELECT "measure_id", "period_id", {", ".join(data + stamp_values)} FROM {temp}
            ON CONFLICT ("measure_id", "period_id") DO UPDATE SET {", ".join(updates)}
            WHERE ({", ".join(f"t.{c}" for c in data)})
                IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in data)})
            RETURNING t.*, (t.xmax = 0) AS created
        ), history AS (
            INSERT INTO {quote(history._meta.db_table)}
                ({tracked}, "history_date", "history_change_reason", "history_type",
                 "history_user_id")
            SELECT {tracked}, %(now)s, '{CHANGE_REASON}',
                CASE WHEN created THEN '+' ELSE '~' END, %(actor)s
            FROM written
        )
        SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM written
    """  # noqa: S608


# ---------------------------------------------------------------- export


def scorecard_export(
    *,
    unit: OrgUnit,
    destination: wb.Source,
    actor=None,
    include_children: bool = True,
    as_of: datetime | None = None,
) -> dict[str, int]:
    """Write a unit (and the units under it) with everything in it to one workbook."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            _consistent_snapshot()
        units = _units_below(unit) if include_children else [unit]
        sources = _export_sources([*reversed(unit.ancestors()), *units], units)
        sizes = {name: len(rows) if isinstance(rows, list) else rows.count()
                 for name, (rows, _) in sources.items()}  # fmt: skip
        rows = {name: make(rows) for name, (rows, make) in sources.items()}
        cover = _cover(unit, actor, include_children, as_of or timezone.now())
        return wb.write_workbook(destination, rows, cover, sizes)


def _consistent_snapshot() -> None:
    # The export declares each sheet's size before writing it, so counts and rows must come
    # from one snapshot of the database. SQLite's transactions are snapshots already.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def export_filename(unit: OrgUnit, as_of: datetime | None = None) -> str:
    """A download name safe on every system: scorecard-<code>-<date>.xlsx."""
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", unit.code).strip("-") or "unit"
    day = timezone.localdate(as_of or timezone.now())
    return f"scorecard-{code[:40]}-{day.isoformat()}.xlsx"


def _units_below(unit: OrgUnit) -> list[OrgUnit]:
    """The unit and every unit under it, parents before children."""
    children: dict[int | None, list[OrgUnit]] = defaultdict(list)
    for other in OrgUnit.objects.order_by("order", "code"):
        children[other.parent_id].append(other)
    found, queue, seen = [], [unit], set()
    while queue:
        current = queue.pop(0)
        if current.pk not in seen:
            seen.add(current.pk)
            found.append(current)
            queue.extend(children[current.pk])
    return found


def _export_sources(listed: list[OrgUnit], units: list[OrgUnit]) -> dict[str, tuple]:
    """For each sheet, the rows to export (a queryset or list) and what makes them rows."""
    unit_ids = [u.pk for u in units]
    objectives = Objective.objects.filter(perspective__plan__unit_id__in=unit_ids)
    initiatives = Initiative.objects.filter(objectives__in=objectives).distinct()
    return {
        wb.UNITS.name: (listed, _unit_rows),
        wb.PLANS.name: (Plan.objects.filter(unit_id__in=unit_ids), _plan_rows),
        wb.PERSPECTIVES.name: (
            Perspective.objects.filter(plan__unit_id__in=unit_ids),
            _perspective_rows,
        ),
        wb.OBJECTIVES.name: (objectives, _objective_rows),
        wb.LINKS.name: (
            CauseEffectLink.objects.filter(cause__in=objectives, effect__in=objectives),
            _link_rows,
        ),
        wb.ALIGNMENTS.name: (
            Alignment.objects.filter(child__in=objectives, parent__in=objectives),
            _alignment_rows,
        ),
        wb.MEASURES.name: (Measure.objects.filter(objective__in=objectives), _measure_rows),
        wb.TARGETS.name: (Target.objects.filter(measure__objective__in=objectives), _target_rows),
        wb.ACTUALS.name: (Actual.objects.filter(measure__objective__in=objectives), _actual_rows),
        wb.INITIATIVES.name: (initiatives, _initiative_rows),
        wb.MILESTONES.name: (
            Milestone.objects.filter(initiative__in=initiatives.values("pk")),
            _milestone_rows,
        ),
    }


def _cover(unit: OrgUnit, actor, include_children: bool, when: datetime) -> list[tuple[str, str]]:
    below = " and the units under it" if include_children else ""
    made_by = "A command run on the server"
    if actor is not None:
        made_by = f"{actor.get_full_name() or actor.get_username()} ({actor.get_username()})"
    return [
        ("What this is", f"The scorecard of {unit.name} ({unit.code}){below}, as data."),
        ("Made on", timezone.localtime(when).strftime("%-d %B %Y at %H:%M")),
        ("Made by", made_by),
        (
            "Fiscal year",
            f"Starts in {calendar.month_name[settings.FISCAL_YEAR_START_MONTH]}; "
            "a fiscal year is named by the calendar year it starts in.",
        ),
        (
            "Importing it",
            "Upload it on the Import and export page, or run manage.py import_scorecard. "
            "Rows are matched by their codes and names, so the same rows are updated, not "
            "copied. The Units sheet also lists the units above this one.",
        ),
    ]


def _username(user) -> str:
    return user.get_username() if user is not None else ""


def _unit_rows(units: list[OrgUnit]) -> Iterator[wb.UnitRow]:
    codes = dict(OrgUnit.objects.values_list("id", "code"))
    for unit in units:
        yield wb.UnitRow(0, unit.code, unit.name, codes.get(unit.parent_id, ""))


def _plan_rows(plans) -> Iterator[wb.PlanRow]:
    for plan in plans.select_related("unit").order_by("unit__code", "first_year", "name"):
        yield wb.PlanRow(
            0, plan.unit.code, plan.name, plan.mission, plan.vision, plan.first_year, plan.last_year
        )


def _perspective_rows(perspectives) -> Iterator[wb.PerspectiveRow]:
    ordered = perspectives.select_related("plan__unit").order_by(
        "plan__unit__code", "plan__name", "order", "name"
    )
    for p in ordered:
        yield wb.PerspectiveRow(0, p.plan.unit.code, p.plan.name, p.name, p.order, p.weight)


def _objective_rows(objectives) -> Iterator[wb.ObjectiveRow]:
    rows = objectives.select_related("perspective__plan__unit", "owner").order_by(
        "perspective__plan__unit__code", "perspective__order", "order", "code"
    )
    for o in rows:
        plan = o.perspective.plan
        yield wb.ObjectiveRow(
            0, o.code, plan.unit.code, plan.name, o.perspective.name, o.name, o.description,
            _username(o.owner), o.weight,
        )  # fmt: skip


def _link_rows(links) -> Iterator[wb.LinkRow]:
    ordered = links.order_by("cause__code", "effect__code")
    for cause, effect in ordered.values_list("cause__code", "effect__code"):
        yield wb.LinkRow(0, cause, effect)


def _alignment_rows(alignments) -> Iterator[wb.AlignmentRow]:
    ordered = alignments.order_by("child__code", "parent__code")
    for child, parent, weight in ordered.values_list("child__code", "parent__code", "weight"):
        yield wb.AlignmentRow(0, child, parent, weight)


def _measure_rows(measures) -> Iterator[wb.MeasureRow]:
    ordered = (
        measures.select_related("objective", "owner").prefetch_related("stewards").order_by("code")
    )
    for m in ordered:
        stewards = tuple(sorted(user.get_username() for user in m.stewards.all()))
        yield wb.MeasureRow(
            0, m.code, m.objective.code, m.name, m.description, m.unit, m.decimals,
            m.frequency, m.polarity, m.aggregation, m.tolerance, m.allow_negative,
            _username(m.owner), stewards, m.weight, m.formula, m.missing_as_zero,
        )  # fmt: skip


def _month_values(rows, names: list[str]) -> Iterator[tuple]:
    ordered = rows.order_by("measure__code", "period__year", "period__month").values_list(
        "measure__code", "period__year", "period__month", *names
    )
    yield from ordered.iterator(chunk_size=5_000)


def _target_rows(targets) -> Iterator[wb.TargetRow]:
    for code, year, month, *values in _month_values(targets, TARGET_FIELDS):
        yield wb.TargetRow(0, code, (year, month), *values)


def _actual_rows(actuals) -> Iterator[wb.ActualRow]:
    for code, year, month, *values in _month_values(actuals, ACTUAL_FIELDS):
        yield wb.ActualRow(0, code, (year, month), *values)


def _initiative_rows(initiatives) -> Iterator[wb.InitiativeRow]:
    ordered = initiatives.select_related("owner").prefetch_related("objectives").order_by("code")
    for i in ordered:
        codes = tuple(sorted(o.code for o in i.objectives.all()))
        yield wb.InitiativeRow(
            0, i.code, i.name, i.description, _username(i.owner), codes, i.start_date,
            i.end_date, i.budget, i.spend, i.percent_complete, i.status,
        )  # fmt: skip


def _milestone_rows(milestones) -> Iterator[wb.MilestoneRow]:
    ordered = milestones.order_by("initiative__code", "due_date", "name").values_list(
        "initiative__code", "name", "due_date", "completed_on"
    )
    for code, name, due, done in ordered:
        yield wb.MilestoneRow(0, code, name, due, done)
