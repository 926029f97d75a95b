"""The roll-up: stored scores for every measure, objective, perspective and unit.

What a roll-up stores (both engines below produce exactly these rows):

* **Cells.** A measure has a cell in each existing period of the fiscal years being
  computed that its plan covers and in which it reports (by frequency). A cell's value is
  the actual (none when missing or N/A); a calculated measure's value comes from its
  formula over the same month's inputs (formulas.evaluate, in dependency order).
* **Measure rows.** One per cell (span "month"); one per quarter and per fiscal year with
  at least one cell; one per existing month k of the year ("ytd", months 1..k) with at
  least one cell up to k. The value aggregates the cells' values by the measure's rule;
  the target aggregates the usable months' targets by the same rule
  (periods.aggregate_targets). Status: N/A when nothing has a value and some month is N/A,
  then no target, no data, and the colour by exact comparison with the thresholds.
  `with_data` counts cells with a value, `total` counts cells.
* **Objective rows.** For each span in which any of its items has a row: the weighted mean
  of its measures' scores and of the scores of child-unit objectives that support it
  (alignment weight); `with_data` of `total` items. Likewise perspectives over their
  objectives, and units over the perspectives of their plans.
* Scores are rounded to 15 decimal places, values and goals to 12, before anything is
  rolled further up; statuses of objectives and above come from the rounded score.

`sql.py` computes these rows inside PostgreSQL (fast, the production path); `reference.py`
computes them in Python with the scoring engine (the embedded SQLite default, and the
oracle the tests hold the SQL to).
"""
