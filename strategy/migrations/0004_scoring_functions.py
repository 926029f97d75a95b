"""The scoring rule as SQL functions for the PostgreSQL roll-up (see strategy/rollup/sql.py).

They mirror strategy/scoring.py exactly: scorecard_score is the 0-10 score, and
scorecard_colour the status by exact comparison with the thresholds (never via a rounded
score). IMMUTABLE single-CASE SQL functions, so the planner inlines them.
SQLite has no such functions; there the roll-up runs in Python (strategy/rollup/reference.py).
"""

from django.db import migrations

SCORE = """
CREATE OR REPLACE FUNCTION scorecard_score(
    polarity text, x numeric, goal numeric, amber numeric, lo numeric, hi numeric, w numeric
) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN x IS NULL THEN NULL
    WHEN polarity = 'band' THEN CASE
        WHEN lo IS NULL OR hi IS NULL OR w IS NULL THEN NULL
        WHEN x BETWEEN lo AND hi THEN CASE WHEN lo = hi THEN 10::numeric
            ELSE (30 * (hi - lo) - 10 * abs(2 * x - lo - hi)) / (3 * (hi - lo)) END
        WHEN w = 0 THEN 0::numeric
        ELSE greatest(0, least(10,
            (20 * w - 10 * (CASE WHEN x < lo THEN lo - x ELSE x - hi END)) / (3 * w)))
    END
    WHEN goal IS NULL OR amber IS NULL THEN NULL
    WHEN amber = goal THEN CASE
        WHEN (polarity = 'higher' AND x >= goal) OR (polarity = 'lower' AND x <= goal)
        THEN 10::numeric ELSE 0::numeric END
    ELSE greatest(0, least(10, 10 * (x - amber + (goal - amber)) / (3 * (goal - amber))))
END
$$;
"""

COLOUR = """
CREATE OR REPLACE FUNCTION scorecard_colour(
    polarity text, x numeric, goal numeric, amber numeric, lo numeric, hi numeric, w numeric
) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
    WHEN polarity = 'band' THEN CASE
        WHEN x BETWEEN lo AND hi THEN 'on_target'
        WHEN w = 0 THEN 'off_target'
        WHEN (CASE WHEN x < lo THEN lo - x ELSE x - hi END) <= w THEN 'near_target'
        ELSE 'off_target' END
    WHEN amber = goal THEN CASE
        WHEN (polarity = 'higher' AND x >= goal) OR (polarity = 'lower' AND x <= goal)
        THEN 'on_target' ELSE 'off_target' END
    WHEN (x - goal) * (goal - amber) >= 0 THEN 'on_target'
    WHEN (x - amber) * (goal - amber) >= 0 THEN 'near_target'
    ELSE 'off_target'
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SCORE)
        schema_editor.execute(COLOUR)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS scorecard_score")
        schema_editor.execute("DROP FUNCTION IF EXISTS scorecard_colour")


class Migration(migrations.Migration):
    dependencies = [("strategy", "0003_scores")]
    operations = [migrations.RunPython(create, drop)]
