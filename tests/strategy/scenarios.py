"""A small hand-checked organisation for roll-up tests (fiscal year from April).

Root unit RCC (plan 2025/26) with two perspectives and a child unit CHD whose objective
supports RCC's first objective. Three months, Apr–Jun 2025. Expected scores are worked
out by hand in tests/strategy/test_rollup.py.
"""

from decimal import Decimal

from strategy.models import (
    Actual,
    Alignment,
    Measure,
    Objective,
    OrgUnit,
    Period,
    Perspective,
    Plan,
    Target,
)

D = Decimal


def _measure(code, objective, polarity, aggregation, tolerance="0.10", **extra):
    return Measure.objects.create(
        code=code,
        name=code,
        objective=objective,
        polarity=polarity,
        aggregation=aggregation,
        tolerance=D(tolerance),
        **extra,
    )


def _monthly(measure, months, *, goals=None, values=None, **target):
    for index, period in enumerate(months):
        if goals is not None or target:
            goal = None if goals is None else goals[index]
            Target.objects.create(measure=measure, period=period, goal=goal, **target)
        if values is not None and values[index] is not None:
            Actual.objects.create(measure=measure, period=period, value=values[index])


def hand_checked_org() -> dict:
    """Build the organisation; returns its objects by name."""
    months = [Period.objects.get_or_create(year=2025, month=m)[0] for m in (4, 5, 6)]
    root = OrgUnit.objects.create(code="RCC", name="Riverside City Council")
    child = OrgUnit.objects.create(code="CHD", name="Children's Services", parent=root)
    plan = Plan.objects.create(unit=root, name="Corporate plan", first_year=2025, last_year=2025)
    child_plan = Plan.objects.create(
        unit=child, name="Service plan", first_year=2025, last_year=2025
    )
    p1 = Perspective.objects.create(plan=plan, name="Citizens", order=1, weight=D(2))
    p2 = Perspective.objects.create(plan=plan, name="Finance", order=2, weight=D(1))
    pc = Perspective.objects.create(plan=child_plan, name="Citizens", order=1, weight=D(1))
    o1 = Objective.objects.create(code="O1", perspective=p1, name="Reduce homelessness")
    o2 = Objective.objects.create(code="O2", perspective=p2, name="Balance the budget")
    c1 = Objective.objects.create(code="C1", perspective=pc, name="Prevent evictions")
    Alignment.objects.create(child=c1, parent=o1, weight=D(2))
    m1 = _measure("M1", o1, "higher", "sum")
    m2 = _measure("M2", o1, "lower", "average")
    m3 = _measure("M3", o2, "band", "last")
    cm1 = _measure("CM1", c1, "higher", "sum", tolerance="0")
    _monthly(m1, months, goals=[D(100)] * 3, values=[D(100), D(95), D(80)])
    _monthly(m2, months, goals=[D(10)] * 3, values=[D(10), D(9), None])
    _monthly(m3, months, values=[D(100), D(110), D(120)], lower=D(95), upper=D(105), amber=D(5))
    _monthly(cm1, months, goals=[D(50)] * 3, values=[D(50), D(49), D(60)])
    return {
        "root": root,
        "child": child,
        "months": months,
        "p1": p1,
        "p2": p2,
        "o1": o1,
        "o2": o2,
        "c1": c1,
        "m1": m1,
        "m2": m2,
        "m3": m3,
        "cm1": cm1,
    }
