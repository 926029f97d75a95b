"""The roll-up inside PostgreSQL: the rows of strategy.rollup, computed set by set.

Everything happens in the caller's transaction, in temporary tables dropped at commit:
cells (measure × month), measure rows for every span, then objectives bottom-up by unit
depth, perspectives and units; finally one guarded upsert writes only rows that changed
and one delete removes rows that no longer exist. Readers see the old scores or the new.
The scoring rule is the SQL function scorecard_score (migration 0004), which the planner
inlines; statuses come from exact comparisons with the thresholds, as in scoring.py.
"""

from django.db import connection

from strategy.rollup.inputs import AMBER_ROUNDED, GREEN_ROUNDED, PeriodInfo, Structure

LOCK_NAMESPACE = 7301  # first key of the advisory locks taken per unit

TEMP_TABLES = "rollup_periods, rollup_units, rollup_calc, rollup_rows, rollup_cells, rollup_spans"
# ON COMMIT DROP alone is not enough inside an outer transaction (tests, nested atomics).
SETUP = f"""
DROP TABLE IF EXISTS {TEMP_TABLES};
CREATE TEMP TABLE rollup_periods (id bigint PRIMARY KEY, fy int, idx int) ON COMMIT DROP;
CREATE TEMP TABLE rollup_units (id bigint PRIMARY KEY, depth int) ON COMMIT DROP;
CREATE TEMP TABLE rollup_calc (
    measure_id bigint, period_id bigint, value numeric, reason text,
    PRIMARY KEY (measure_id, period_id)
) ON COMMIT DROP;
CREATE TEMP TABLE rollup_rows (
    level text, ref_id bigint, unit_id bigint, span_kind text, fy int, num int,
    value numeric, goal numeric, score numeric, status text, with_data int, total int,
    reason text
) ON COMMIT DROP;
"""

# One row per measure and existing month of the plan's years; `reports` marks the cells.
# Months a measure does not report in keep no value or target, but still count for the
# year-to-date spans that end in them.
CELLS = """
CREATE TEMP TABLE rollup_cells ON COMMIT DROP AS
SELECT g.measure_id, g.unit_id, g.fy, g.idx, g.polarity, g.aggregation, g.reports, g.value,
       g.na, g.reason, g.goal, g.lo, g.hi,
       g.reports AND CASE WHEN g.polarity = 'band'
           THEN g.lo IS NOT NULL AND g.hi IS NOT NULL AND (g.raw_amber IS NULL OR g.raw_amber >= 0)
           ELSE g.goal IS NOT NULL AND (g.raw_amber IS NULL
                OR (g.polarity = 'higher' AND g.raw_amber <= g.goal)
                OR (g.polarity = 'lower' AND g.raw_amber >= g.goal)) END AS usable,
       CASE g.polarity
           WHEN 'higher' THEN coalesce(g.raw_amber, g.goal - abs(g.goal) * g.tolerance)
           WHEN 'lower' THEN coalesce(g.raw_amber, g.goal + abs(g.goal) * g.tolerance)
       END AS amber,
       CASE WHEN g.polarity = 'band' THEN coalesce(g.raw_amber, CASE WHEN g.hi > g.lo
           THEN g.tolerance * (g.hi - g.lo) ELSE g.tolerance * abs(g.hi) END) END AS band_w
FROM (
    SELECT m.id AS measure_id, pl.unit_id, p.fy, p.idx, m.polarity, m.aggregation, m.tolerance,
           r.reports,
           CASE WHEN NOT r.reports THEN NULL WHEN m.formula <> '' THEN c.value
                WHEN a.not_applicable THEN NULL ELSE a.value END AS value,
           r.reports AND m.formula = '' AND coalesce(a.not_applicable, false) AS na,
           CASE WHEN r.reports THEN coalesce(c.reason, '') ELSE '' END AS reason,
           CASE WHEN r.reports THEN t.goal END AS goal,
           CASE WHEN r.reports THEN t.lower END AS lo,
           CASE WHEN r.reports THEN t.upper END AS hi,
           CASE WHEN r.reports THEN t.amber END AS raw_amber
    FROM strategy_measure m
    JOIN strategy_objective o ON o.id = m.objective_id
    JOIN strategy_perspective pe ON pe.id = o.perspective_id
    JOIN strategy_plan pl ON pl.id = pe.plan_id
    JOIN rollup_units u ON u.id = pl.unit_id
    JOIN rollup_periods p ON p.fy BETWEEN pl.first_year AND pl.last_year
    CROSS JOIN LATERAL (SELECT m.frequency = 'monthly'
        OR (m.frequency = 'quarterly' AND p.idx % 3 = 0)
        OR (m.frequency = 'annual' AND p.idx = 12) AS reports) r
    LEFT JOIN strategy_actual a ON a.measure_id = m.id AND a.period_id = p.id
    LEFT JOIN strategy_target t ON t.measure_id = m.id AND t.period_id = p.id
    LEFT JOIN rollup_calc c ON c.measure_id = m.id AND c.period_id = p.id
) g;
CREATE INDEX ON rollup_cells (measure_id, fy, idx);
ANALYZE rollup_cells;
"""

TARGET_COLUMNS = ("goal", "amber", "lo", "hi", "band_w")
SCORE = "round(scorecard_score(polarity, {v}, goal, amber, lo, hi, band_w), 15)"
COLOUR = "scorecard_colour(polarity, {v}, goal, amber, lo, hi, band_w)"

# A month is one cell: no aggregation at all.
MONTH_ROWS = f"""
INSERT INTO rollup_rows
SELECT 'measure', measure_id, unit_id, 'month', fy, idx, round(value, 12),
       CASE WHEN polarity <> 'band' AND usable THEN round(goal, 12) END,
       CASE WHEN usable THEN {SCORE.format(v="value")} END,
       CASE WHEN na THEN 'not_applicable' WHEN NOT usable THEN 'no_target'
            WHEN value IS NULL THEN 'no_data' ELSE {COLOUR.format(v="value")} END,
       (value IS NOT NULL)::int, 1, reason
FROM rollup_cells WHERE reports
"""


def _span_aggregates(window: str) -> str:
    """Counts, sums, minima and maxima of the value and of each target column."""
    parts = [
        f"count(value) {window} AS v_n",
        f"count(*) FILTER (WHERE usable) {window} AS t_n",
        f"count(*) FILTER (WHERE reports) {window} AS n_cells",
        f"coalesce(bool_or(na) {window}, false) AS any_na",
        f"sum(value) {window} AS v_sum",
        f"min(value) {window} AS v_min",
        f"max(value) {window} AS v_max",
        f"max(idx) FILTER (WHERE value IS NOT NULL) {window} AS v_last",
        f"max(idx) FILTER (WHERE usable) {window} AS t_last",
    ]
    for column in TARGET_COLUMNS:
        for function in ("sum", "min", "max"):
            parts.append(
                f"{function}({column}) FILTER (WHERE usable) {window} AS {column}_{function}"
            )
    return ",\n       ".join(parts)


KEYS = "measure_id, unit_id, polarity, aggregation, fy"
# Quarters and years group their cells; year-to-date runs a window from month 1.
SPANS = f"""
CREATE TEMP TABLE rollup_spans ON COMMIT DROP AS
SELECT {KEYS}, 'quarter' AS span_kind, (idx - 1) / 3 + 1 AS num, {_span_aggregates("")}
FROM rollup_cells WHERE reports GROUP BY {KEYS}, (idx - 1) / 3 + 1
UNION ALL
SELECT {KEYS}, 'year', 12, {_span_aggregates("")}
FROM rollup_cells WHERE reports GROUP BY {KEYS}
UNION ALL
SELECT * FROM (
    SELECT {KEYS}, 'ytd', idx, {_span_aggregates("OVER (PARTITION BY measure_id, fy ORDER BY idx)")}
    FROM rollup_cells
) ytd WHERE n_cells > 0;
ANALYZE rollup_spans;
"""


def _pick(column: str, last: str) -> str:
    """The span's value of a column by the measure's aggregation rule."""
    count = "s.v_n" if column == "v" else "s.t_n"
    return f"""CASE s.aggregation WHEN 'sum' THEN s.{column}_sum
        WHEN 'average' THEN s.{column}_sum / nullif({count}, 0) WHEN 'last' THEN {last}
        WHEN 'min' THEN s.{column}_min ELSE s.{column}_max END"""


SPAN_ROWS = f"""
INSERT INTO rollup_rows
SELECT 'measure', measure_id, unit_id, span_kind, fy, num, round(val, 12),
       CASE WHEN polarity <> 'band' AND t_n > 0 THEN round(goal, 12) END,
       CASE WHEN t_n > 0 AND NOT na_all THEN {SCORE.format(v="val")} END,
       CASE WHEN na_all THEN 'not_applicable' WHEN t_n = 0 THEN 'no_target'
            WHEN val IS NULL THEN 'no_data' ELSE {COLOUR.format(v="val")} END,
       v_n, n_cells, ''
FROM (
    SELECT s.measure_id, s.unit_id, s.polarity, s.span_kind, s.fy, s.num, s.v_n, s.t_n,
           s.n_cells, (s.v_n = 0 AND s.any_na) AS na_all,
           {_pick("v", "lv.value")} AS val,
           {", ".join(f"{_pick(c, 'lt.' + c)} AS {c}" for c in TARGET_COLUMNS)}
    FROM rollup_spans s
    LEFT JOIN rollup_cells lv ON lv.measure_id = s.measure_id AND lv.fy = s.fy AND lv.idx = s.v_last
    LEFT JOIN rollup_cells lt ON lt.measure_id = s.measure_id AND lt.fy = s.fy AND lt.idx = s.t_last
) spans
"""


# Objectives of one unit depth, from their measures and supporting child objectives.
GROUP_SCORE = """
round(least(greatest(
    CASE WHEN coalesce(sum(i.weight) FILTER (WHERE i.score IS NOT NULL), 0) = 0
         THEN avg(i.score)
         ELSE sum(i.score * i.weight) FILTER (WHERE i.score IS NOT NULL)
              / sum(i.weight) FILTER (WHERE i.score IS NOT NULL) END,
    min(i.score)), max(i.score)), 15)
"""
GROUP_INSERT = f"""
INSERT INTO rollup_rows
SELECT '{{level}}', g.ref_id, g.unit_id, g.span_kind, g.fy, g.num, NULL, NULL, g.score,
       CASE WHEN g.score IS NULL THEN 'no_data' WHEN g.score >= {GREEN_ROUNDED}
            THEN 'on_target' WHEN g.score >= {AMBER_ROUNDED} THEN 'near_target'
            ELSE 'off_target' END,
       g.with_data, g.total, ''
FROM (
    SELECT i.parent_id AS ref_id, i.parent_unit AS unit_id, i.span_kind, i.fy, i.num,
           {GROUP_SCORE} AS score, count(i.score) AS with_data, count(*) AS total
    FROM ({{items}}) i
    GROUP BY i.parent_id, i.parent_unit, i.span_kind, i.fy, i.num
) g
"""

OBJECTIVE_ITEMS = """
SELECT m.objective_id AS parent_id, r.unit_id AS parent_unit, m.weight, r.span_kind, r.fy,
       r.num, r.score
FROM rollup_rows r JOIN strategy_measure m ON r.level = 'measure' AND m.id = r.ref_id
JOIN rollup_units u ON u.id = r.unit_id AND u.depth = %(depth)s
UNION ALL
SELECT al.parent_id, pu.id, al.weight, child.span_kind, child.fy, child.num, child.score
FROM strategy_alignment al
JOIN strategy_objective po ON po.id = al.parent_id
JOIN strategy_perspective pp ON pp.id = po.perspective_id
JOIN strategy_plan ppl ON ppl.id = pp.plan_id
JOIN rollup_units pu ON pu.id = ppl.unit_id AND pu.depth = %(depth)s
JOIN (
    SELECT ref_id, span_kind, fy, num, score FROM rollup_rows WHERE level = 'objective'
    UNION ALL
    -- Supporting objectives of units outside this run keep their stored scores.
    SELECT s.ref_id, s.span_kind, s.fiscal_year, s.span_number, s.score
    FROM strategy_alignment a2
    JOIN strategy_score s ON s.level = 'objective' AND s.ref_id = a2.child_id
    WHERE s.fiscal_year IN (SELECT fy FROM rollup_periods)
      AND NOT EXISTS (SELECT 1 FROM rollup_units ru WHERE ru.id = s.unit_id)
) child ON child.ref_id = al.child_id
"""

PERSPECTIVE_ITEMS = """
SELECT o.perspective_id AS parent_id, r.unit_id AS parent_unit, o.weight, r.span_kind, r.fy,
       r.num, r.score
FROM rollup_rows r JOIN strategy_objective o ON r.level = 'objective' AND o.id = r.ref_id
"""

UNIT_ITEMS = """
SELECT r.unit_id AS parent_id, r.unit_id AS parent_unit, pe.weight, r.span_kind, r.fy, r.num,
       r.score
FROM rollup_rows r JOIN strategy_perspective pe ON r.level = 'perspective' AND pe.id = r.ref_id
"""

# Writes: change the rows whose content differs, add the new, drop those no longer computed.
# Every writer of a unit's rows holds that unit's lock, so no two runs race on a key.
ROW_KEY = (
    "s.level = r.level AND s.ref_id = r.ref_id AND s.span_kind = r.span_kind "
    "AND s.fiscal_year = r.fy AND s.span_number = r.num"
)
CONTENT = "unit_id, value, goal, score, status, with_data, total, reason"
INDEX_ROWS = """
UPDATE rollup_rows SET reason = left(reason, 200) WHERE length(reason) > 200;
CREATE INDEX ON rollup_rows (level, ref_id, span_kind, fy, num);
ANALYZE rollup_rows;
"""
UPDATE_CHANGED = f"""
UPDATE strategy_score s SET unit_id = r.unit_id, value = r.value, goal = r.goal,
    score = r.score, status = r.status, with_data = r.with_data, total = r.total,
    reason = r.reason, computed_at = %(now)s
FROM rollup_rows r
WHERE {ROW_KEY}
  AND (s.unit_id, s.value, s.goal, s.score, s.status, s.with_data, s.total, s.reason)
      IS DISTINCT FROM (r.unit_id, r.value, r.goal, r.score, r.status, r.with_data, r.total,
                        r.reason)
"""
INSERT_NEW = f"""
INSERT INTO strategy_score (level, ref_id, span_kind, fiscal_year, span_number, {CONTENT},
    computed_at)
SELECT r.level, r.ref_id, r.span_kind, r.fy, r.num, r.unit_id, r.value, r.goal, r.score,
       r.status, r.with_data, r.total, r.reason, %(now)s
FROM rollup_rows r
ON CONFLICT ON CONSTRAINT score_unique_per_item_and_span DO NOTHING
"""
PRUNE_DELETED_UNITS = """
DELETE FROM strategy_score s
WHERE NOT EXISTS (SELECT 1 FROM strategy_orgunit u WHERE u.id = s.unit_id)
"""
PRUNE = f"""
DELETE FROM strategy_score s
WHERE s.unit_id IN (SELECT id FROM rollup_units)
  AND s.fiscal_year IN (SELECT DISTINCT fy FROM rollup_periods)
  AND NOT EXISTS (SELECT 1 FROM rollup_rows r WHERE {ROW_KEY})
"""


def lock_units(unit_ids: list[int]) -> None:
    """Wait for, then hold until commit, one advisory lock per unit, in id order."""
    with connection.cursor() as cursor:
        for unit_id in sorted(unit_ids):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, unit_id])


def run(
    structure: Structure,
    period_list: list[PeriodInfo],
    unit_ids: set[int],
    calculated: dict,
    now,
    *,
    full: bool = False,
    on_step=lambda step: None,
) -> int:
    """Compute and store the rows for these units and periods; the number of rows written."""
    with connection.cursor() as cursor:
        cursor.execute(SETUP)
        _fill(cursor, structure, period_list, unit_ids, calculated)
        cursor.execute(CELLS)
        on_step("gathered actuals and targets")
        cursor.execute(MONTH_ROWS)
        cursor.execute(SPANS)
        cursor.execute(SPAN_ROWS)
        on_step("scored every measure")
        depths = sorted({structure.unit_depth(u) for u in unit_ids}, reverse=True)
        for depth in depths:
            objectives = GROUP_INSERT.format(level="objective", items=OBJECTIVE_ITEMS)
            cursor.execute(objectives, {"depth": depth})
        cursor.execute(GROUP_INSERT.format(level="perspective", items=PERSPECTIVE_ITEMS))
        cursor.execute(GROUP_INSERT.format(level="unit", items=UNIT_ITEMS))
        on_step("rolled up objectives, perspectives and units")
        cursor.execute(INDEX_ROWS)
        written = 0
        statements = [UPDATE_CHANGED, INSERT_NEW, PRUNE]
        if full:
            statements.append(PRUNE_DELETED_UNITS)
        for statement in statements:
            cursor.execute(statement, {"now": now})
            written += cursor.rowcount
        on_step("stored the scores")
        cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLES}")
        return written


def _fill(cursor, structure, period_list, unit_ids, calculated) -> None:
    cursor.executemany(
        "INSERT INTO rollup_periods VALUES (%s, %s, %s)",
        [(p.id, p.fiscal_year, p.index) for p in period_list],
    )
    cursor.executemany(
        "INSERT INTO rollup_units VALUES (%s, %s)",
        [(u, structure.unit_depth(u)) for u in unit_ids],
    )
    cursor.executemany(
        "INSERT INTO rollup_calc VALUES (%s, %s, %s, %s)",
        [(m, p, value, reason) for (m, p), (value, reason) in calculated.items()],
    )
