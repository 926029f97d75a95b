"""The demo organisation: Riverside City Council, a fictional council with a full scorecard.

Loaded by `manage.py load_demo` after the demo users. It builds a corporate plan and one plan
per directorate and service, objectives with cause-effect links and alignments, measures of
every polarity, aggregation and frequency, three fiscal years of monthly actuals and targets,
commentary where a value is off target, and initiatives with milestones.

Two promises:

* Deterministic. Every number comes from a `random.Random` seeded with a fixed string per
  measure (or initiative), and the only date read is `as_of`. A month's value depends on the
  measure and the month's place in the three-year window, not on the day of `as_of`, so a
  later load in the same fiscal year only adds months and moves statuses on (a load in a new
  fiscal year moves the window, and so redraws its months).
* Idempotent. Rows are found by their natural keys (codes; measure and period) and written
  only when a value differs, so a second load writes nothing and adds no history rows.
"""

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from strategy import periods, scoring
from strategy.graphs import formula_check, link_would_cycle
from strategy.models import (
    Actual,
    Alignment,
    CauseEffectLink,
    Frequency,
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
from strategy.scoring import Aggregation, Polarity

SEED = "riverside-2024"
CHANGE_REASON = "demo"
YEARS = 3  # the fiscal year holding as_of and the two before it
WINDOW_MONTHS = 12 * YEARS
HIGHER, LOWER, BAND = Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER, Polarity.WITHIN_BAND
SUM, AVERAGE, LAST = Aggregation.SUM, Aggregation.AVERAGE, Aggregation.LAST
MONTHLY, QUARTERLY, ANNUAL = Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.ANNUAL

# Share of the year-end council tax collection rate reached by each fiscal month (ten
# instalments from April), so the in-year rate climbs towards its target, as councils report it.
CTAX_PROFILE = (
    0.109, 0.203, 0.297, 0.391, 0.485, 0.579, 0.673, 0.767, 0.861, 0.955, 0.980, 1.0,
)  # fmt: skip
# Forecast overspends start high and come down as recovery plans bite.
OVERSPEND_PROFILE = (1.35, 1.3, 1.25, 1.2, 1.1, 1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.65)


@dataclass(frozen=True)
class DemoSummary:
    """How many of each thing the demo organisation holds after a load."""

    units: int
    objectives: int
    measures: int
    actuals: int
    targets: int
    initiatives: int

    def __str__(self) -> str:
        return (
            f"{self.units:,} units, {self.objectives:,} objectives, {self.measures:,} measures, "
            f"{self.actuals:,} actuals, {self.targets:,} targets, "
            f"{self.initiatives:,} initiatives"
        )


# ---------------------------------------------------------------- the organisation


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    parent: str | None
    plan_kind: str  # "Corporate Plan", "Directorate Plan" or "Service Plan"
    mission: str
    vision: str


# fmt: off
UNITS = [
    UnitSpec("RCC", "Riverside City Council", None, "Corporate Plan",
             "We work with residents, partners and businesses to make Riverside a fair, safe and "
             "thriving city where everyone can live well.",
             "A city where no one has to sleep rough, children grow up safe, older people live "
             "independently and every pound of public money is spent well."),
    UnitSpec("ADH", "Adults & Health", "RCC", "Directorate Plan",
             "Help adults live independent, healthy lives close to home.",
             "More people supported at home, and fewer in hospital or care homes."),
    UnitSpec("CHF", "Children & Families", "RCC", "Directorate Plan",
             "Keep children safe and help families stay together.",
             "Every child in Riverside grows up safe, healthy and ready to learn."),
    UnitSpec("PLE", "Place & Environment", "RCC", "Directorate Plan",
             "Keep Riverside clean, green, well housed and well run.",
             "Clean streets, high recycling, no one homeless and decisions made on time."),
    UnitSpec("REA", "Reablement & Intermediate Care", "ADH", "Service Plan",
             "Get people home from hospital and back on their feet.",
             "Most people need no ongoing care after a short spell of reablement."),
    UnitSpec("CSC", "Children's Social Care", "CHF", "Service Plan",
             "Protect children at risk of harm and support their families.",
             "Children are seen quickly, plans are reviewed on time and social workers stay."),
    UnitSpec("HOU", "Housing Options", "PLE", "Service Plan",
             "Prevent homelessness and find people a settled home.",
             "Fewer families in temporary accommodation and no one in bed and breakfast."),
    UnitSpec("WST", "Waste & Recycling", "PLE", "Service Plan",
             "Collect every bin on time and recycle as much as we can.",
             "Reliable collections and a recycling rate among the best of our neighbours."),
    UnitSpec("LIB", "Libraries", "PLE", "Service Plan",
             "Give everyone free access to books, learning and digital help.",
             "Busy, welcoming libraries open when residents need them."),
]
# fmt: on

PERSPECTIVE_WEIGHTS = [Decimal(40), Decimal(20), Decimal(25), Decimal(15)]
C, F, P, L = range(4)  # indexes into Perspective.DEFAULT_NAMES


@dataclass(frozen=True)
class ObjectiveSpec:
    code: str
    perspective: int
    name: str
    owner: str
    supports: tuple[str, ...] = ()
    weight: Decimal = Decimal(1)
    description: str = ""

    @property
    def unit(self) -> str:
        return self.code.split("-")[0]


# fmt: off
OBJECTIVES = [
    ObjectiveSpec("RCC-C1", C, "Reduce homelessness and rough sleeping", "executive",
        weight=Decimal(2),
        description="Fewer households in temporary accommodation and no one sleeping rough."),
    ObjectiveSpec("RCC-C2", C, "Keep children safe and families together", "executive",
        weight=Decimal(2),
        description="Children at risk are protected, and fewer need to come into care."),
    ObjectiveSpec("RCC-C3", C, "Help older and disabled residents live independently", "executive",
        description="People stay in their own homes with the right support for longer."),
    ObjectiveSpec("RCC-C4", C, "Keep neighbourhoods clean, green and good places to live",
        "executive",
        description="Clean streets, cut grass and residents who are proud of their area."),
    ObjectiveSpec("RCC-F1", F, "Deliver a balanced budget", "performance", weight=Decimal(2),
        description="Spend within the net revenue budget and keep reserves at a safe level."),
    ObjectiveSpec("RCC-F2", F, "Collect the income we are due", "performance",
        description="Council tax and sundry debts collected promptly and fairly."),
    ObjectiveSpec("RCC-F3", F, "Get value for money from every pound", "performance",
        description="Lower unit costs and less reliance on expensive agency staff."),
    ObjectiveSpec("RCC-P1", P, "Process claims and applications on time", "executive",
        description="Benefit claims and planning applications decided within the deadlines."),
    ObjectiveSpec("RCC-P2", P, "Collect waste right first time", "executive",
        description="Bins collected on the scheduled day, with few missed collections."),
    ObjectiveSpec("RCC-P3", P, "Get people home from hospital quickly and safely", "executive",
        description="No one waits in a hospital bed for care the council arranges."),
    ObjectiveSpec("RCC-P4", P, "Answer residents quickly and put things right", "executive",
        description="Calls answered quickly and complaints resolved within ten working days."),
    ObjectiveSpec("RCC-P5", P, "Help families early, before problems grow", "executive",
        description="Early help reaches families before they need social care."),
    ObjectiveSpec("RCC-L1", L, "Keep our workforce healthy and engaged", "hr",
        description="Lower sickness absence and staff who would recommend us as an employer."),
    ObjectiveSpec("RCC-L2", L, "Recruit and keep skilled social workers", "executive",
        description="Fill social work posts with permanent staff, not agency cover."),
    ObjectiveSpec("RCC-L3", L, "Make better use of digital tools and data", "performance",
        description="More transactions online so staff can spend time where it matters."),
    ObjectiveSpec("ADH-C1", C, "Support people to stay independent at home", "executive",
        ("RCC-C3",)),
    ObjectiveSpec("ADH-P1", P, "Speed up safe discharge from hospital", "executive", ("RCC-P3",)),
    ObjectiveSpec("REA-C1", C, "Get people home and independent after a hospital stay", "manager",
        ("ADH-C1",)),
    ObjectiveSpec("REA-P1", P, "Use intermediate care beds well", "manager", ("ADH-P1",)),
    ObjectiveSpec("CHF-C1", C, "Help children live safely with their families", "executive",
        ("RCC-C2",)),
    ObjectiveSpec("CHF-P1", P, "Offer help early", "executive", ("RCC-P5",)),
    ObjectiveSpec("CHF-L1", L, "Build a stable social work workforce", "executive", ("RCC-L2",)),
    ObjectiveSpec("CSC-C1", C, "Protect children at risk of significant harm", "manager",
        ("CHF-C1",)),
    ObjectiveSpec("CSC-L1", L, "Keep social work caseloads manageable", "manager", ("CHF-L1",)),
    ObjectiveSpec("PLE-C1", C, "Make neighbourhoods clean, green and welcoming", "executive",
        ("RCC-C4",)),
    ObjectiveSpec("PLE-C2", C, "Prevent homelessness", "executive", ("RCC-C1",)),
    ObjectiveSpec("PLE-P1", P, "Run reliable, timely frontline services", "executive",
        ("RCC-P2", "RCC-P1")),
    ObjectiveSpec("PLE-F1", F, "Deliver services within budget", "performance", ("RCC-F3",)),
    ObjectiveSpec("HOU-C1", C, "Prevent homelessness early", "manager", ("PLE-C2",)),
    ObjectiveSpec("HOU-F1", F, "Keep the cost of each case down", "manager", ("PLE-F1",)),
    ObjectiveSpec("WST-P1", P, "Collect every bin on the scheduled day", "manager", ("PLE-P1",)),
    ObjectiveSpec("WST-C1", C, "Recycle more household waste", "manager", ("PLE-C1",)),
    ObjectiveSpec("LIB-C1", C, "Get more people using libraries", "manager", ("PLE-C1",)),
    ObjectiveSpec("LIB-P1", P, "Keep libraries open as planned", "manager", ("PLE-P1",)),
]
# fmt: on

# Cause -> effect, flowing up the map: learning drives processes, processes drive finances
# and citizens, finances drive citizens.
LINKS = [
    ("RCC-L1", "RCC-P1"),
    ("RCC-L1", "RCC-P4"),
    ("RCC-L2", "RCC-P5"),
    ("RCC-L2", "RCC-P3"),
    ("RCC-L3", "RCC-P1"),
    ("RCC-L3", "RCC-P2"),
    ("RCC-P1", "RCC-F2"),
    ("RCC-P1", "RCC-C1"),
    ("RCC-P2", "RCC-C4"),
    ("RCC-P2", "RCC-F3"),
    ("RCC-P3", "RCC-C3"),
    ("RCC-P4", "RCC-C4"),
    ("RCC-P5", "RCC-C2"),
    ("RCC-F2", "RCC-F1"),
    ("RCC-F3", "RCC-F1"),
    ("RCC-F1", "RCC-C3"),
    ("REA-P1", "REA-C1"),
    ("CSC-L1", "CSC-C1"),
    ("WST-P1", "WST-C1"),
    ("CHF-L1", "CHF-C1"),
]


# ---------------------------------------------------------------- measures


@dataclass(frozen=True)
class Story:
    """Why a measure is off target, what is being done, and what could go wrong."""

    why: str
    action: str
    risk: str


GENERIC_STORY = Story(
    "The shortfall is spread across teams rather than down to one cause.",
    "Team leaders are reviewing the figures every week until the measure is back on target.",
    "If the trend continues, the year-end target will be missed.",
)


@dataclass(frozen=True)
class MeasureSpec:
    """A demo measure: its definition, its targets and the shape of its actuals.

    Targets: `goal` in the first fiscal year of the window, moved by `step` each year (the
    direction that tightens it), or a fixed `band`. Actuals: either `gap`, how far better (+)
    or worse (-) than the goal they run, as a share of it, from the window's start to its
    end, or an explicit `level` from start to end; then seasonality, a per-fiscal-month
    `shape` and noise. `context` measures are inputs to formulas: no target, weight 0.
    """

    code: str
    objective: str
    name: str
    unit: str
    decimals: int
    frequency: Frequency
    polarity: Polarity
    aggregation: Aggregation
    owner: str = "manager"
    goal: float | None = None
    step: float = 0.0
    band: tuple[float, float] | None = None
    amber: float | None = None
    tolerance: str = "0.10"
    gap: tuple[float, float] | None = None
    level: tuple[float, float] | None = None
    season: tuple[float, int] | None = None  # (amplitude, calendar month of the peak)
    profiled: bool = False  # targets follow the seasonality too
    shape: tuple[float, ...] | None = None  # per fiscal month, for actuals and targets
    noise: float = 0.02
    share_of: tuple[str, float, float] | None = None  # a share of another measure's value
    formula: str = ""
    context: bool = False
    weight: Decimal = Decimal(1)
    allow_negative: bool = False
    stewards: tuple[str, ...] = ()
    gaps: tuple[int, ...] = ()  # window positions (0-35) with no actual
    not_applicable_months: tuple[int, ...] = ()  # calendar months marked N/A
    not_applicable_note: str = ""
    description: str = ""
    story: Story = GENERIC_STORY

    @property
    def has_targets(self) -> bool:
        return not self.context


def _m(*args, **kwargs) -> MeasureSpec:
    """MeasureSpec under a short name, so each row of the table below stays compact."""
    return MeasureSpec(*args, **kwargs)


# fmt: off
MEASURES = [
    # Citizens & Stakeholders
    _m("HOUS_TA", "RCC-C1", "Households in temporary accommodation", "households", 0, MONTHLY,
       LOWER, LAST, goal=380, step=-10, gap=(-0.06, -0.25), season=(0.02, 1), noise=0.01,
       stewards=("performance",),
       description="Households placed by the council at the end of the month.",
       story=Story(
           "More households are arriving after private landlords served eviction notices, and "
           "moves into settled homes have slowed.",
           "Housing Options is leasing 40 more homes and has asked two housing associations for a "
           "larger share of their lets.",
           "Bed and breakfast use may return if the rise continues, adding about £60,000 a month "
           "to costs.",
       )),
    _m("ROUGH_SLEEP", "RCC-C1", "People sleeping rough (highest weekly count)", "people", 0,
       MONTHLY, LOWER, Aggregation.MAX, goal=20, step=-2, gap=(0.05, -0.05), season=(0.3, 1),
       noise=0.1, gaps=(17,),
       description="The highest of the weekly street counts in the month.",
       story=Story(
           "The count rose in the cold weather while two night shelters were closed for "
           "refurbishment.",
           "The outreach team has added an evening shift and the cold-weather shelter opens "
           "whenever the forecast is below zero.",
           "Numbers may stay high until both shelters reopen in the spring.",
       )),
    _m("CSC_REREF", "RCC-C2", "Re-referrals to children's social care within 12 months", "%", 1,
       MONTHLY, LOWER, AVERAGE, goal=22, step=-0.5, gap=(-0.05, -0.05), noise=0.012,
       story=Story(
           "Most re-referrals are families whose cases closed without an early help plan.",
           "Every case closure now needs a step-down plan agreed with early help.",
           "High agency staff turnover makes closure plans harder to keep consistent.",
       )),
    _m("CLA_RATE", "RCC-C2", "Children looked after per 10,000 children", "per 10,000 children",
       1, QUARTERLY, LOWER, LAST, goal=70, step=-2, gap=(0.0, 0.03), noise=0.015, gaps=(8,),
       story=Story(
           "Admissions rose among teenagers at risk of exploitation.",
           "The adolescent support team is working with 20 families on the edge of care.",
           "Each extra placement adds to a placements budget that is already overspent.",
       )),
    _m("ASC_CARE_HOME", "RCC-C3", "Permanent admissions to care homes, aged 65 and over",
       "people", 0, MONTHLY, LOWER, SUM, goal=42, step=-2, gap=(0.0, -0.05), season=(0.12, 1),
       noise=0.08,
       story=Story(
           "Winter discharges from hospital led to more people going straight into care homes.",
           "Every permanent admission now goes to the weekly panel, and reablement is offered "
           "first.",
           "Care home fees are rising faster than the budget allows.",
       )),
    _m("ASC_DIRECT_PAY", "RCC-C3", "Adults receiving direct payments", "%", 1, MONTHLY, HIGHER,
       LAST, goal=28, step=1, gap=(0.03, -0.04), noise=0.01,
       story=Story(
           "Fewer personal assistants are available, so some people have moved back to care the "
           "council arranges.",
           "The council is funding a personal assistant recruitment campaign with the local "
           "college.",
           "People lose choice and control over their care if the trend continues.",
       )),
    _m("RES_SATISF", "RCC-C4", "Residents satisfied with their local area as a place to live",
       "%", 0, ANNUAL, HIGHER, AVERAGE, owner="performance", goal=62, step=2, gap=(0.02, -0.08),
       noise=0.01,
       description="From the annual residents' survey.",
       story=Story(
           "Satisfaction fell most in wards with long road works and missed collections.",
           "Ward results have gone to each neighbourhood board with a local action plan.",
           "Further cuts to visible services could lower satisfaction again next year.",
       )),
    _m("FLYTIP_DAYS", "RCC-C4", "Average days to clear fly-tipping", "days", 1, MONTHLY, LOWER,
       AVERAGE, goal=3.0, step=-0.25, gap=(0.1, 0.12), noise=0.04, gaps=(9,),
       story=Story(
           "Two crew vacancies meant reports waited longer, especially at weekends.",
           "Both posts are being recruited and weekend cover comes from the street cleansing "
           "rota.",
           "Uncleared dumping attracts more dumping nearby.",
       )),
    # Financial Stewardship
    _m("REV_OVERSPEND", "RCC-F1", "Forecast revenue overspend", "£m", 1, MONTHLY, LOWER, LAST,
       owner="performance", goal=0, amber=2.0, level=(2.4, 1.6), shape=OVERSPEND_PROFILE,
       noise=0.05, allow_negative=True,
       description="Forecast outturn less net revenue budget; below zero is an underspend.",
       story=Story(
           "Demand for children's placements and adult home care is above budget.",
           "A spending panel reviews all non-essential spending over £5,000 and each directorate "
           "has a recovery plan.",
           "Without recovery the overspend would take general reserves below the agreed minimum.",
       )),
    _m("RESERVES_PCT", "RCC-F1", "General fund reserves as a share of the net budget", "%", 1,
       QUARTERLY, BAND, LAST, owner="performance", band=(5, 10), amber=1.0, level=(8.5, 5.5),
       noise=0.03,
       story=Story(
           "Reserves were drawn down to cover last year's overspend.",
           "The medium-term financial plan rebuilds reserves by £2m a year.",
           "Reserves below 5% would leave little cover for an unexpected cost.",
       )),
    _m("CASH_MIN", "RCC-F1", "Lowest daily cash balance", "£m", 1, MONTHLY, HIGHER,
       Aggregation.MIN, owner="performance", goal=20, amber=15, level=(34, 24), season=(0.15, 5),
       noise=0.08,
       story=Story(
           "Cash fell after grant income arrived later than planned.",
           "Treasury management has moved the next loan repayment and holds a standby facility.",
           "Short-term borrowing would add interest costs.",
       )),
    _m("CTAX_COLL", "RCC-F2", "Council tax collected in year", "%", 1, MONTHLY, HIGHER, LAST,
       owner="performance", goal=96.0, step=0.2, tolerance="0.01", gap=(0.0, -0.004),
       shape=CTAX_PROFILE, noise=0.002, stewards=("manager",),
       description="Cumulative share of the year's council tax collected so far.",
       story=Story(
           "More households are paying over 12 instalments instead of 10, which delays "
           "collection.",
           "Reminder notices now go out five days earlier, with text message reminders.",
           "Cost-of-living pressures may increase arrears later in the year.",
       )),
    _m("DEBT_90", "RCC-F2", "Sundry debt older than 90 days", "£k", 0, MONTHLY, LOWER, LAST,
       owner="performance", goal=1800, step=-100, gap=(0.02, -0.15), gaps=(14,),
       story=Story(
           "Older adult care charges make up most of the balance.",
           "The income team is contacting the 50 largest debtors and offering payment plans.",
           "Some of this debt may have to be written off, costing about £150,000.",
       )),
    _m("AGENCY_SPEND", "RCC-F3", "Spending on agency staff", "£k", 0, MONTHLY, LOWER, SUM,
       owner="performance", goal=1100, step=-75, gap=(-0.22, -0.18), noise=0.03,
       story=Story(
           "Agency social workers cover 18 vacant posts at a premium of about 40%.",
           "Agency posts are reviewed monthly and six permanent social workers start next "
           "quarter.",
           "The year-end overspend grows by about £45,000 for each month this continues.",
       )),
    # Internal Processes
    _m("HB_DAYS", "RCC-P1", "Days to process new housing benefit claims", "days", 1, MONTHLY,
       LOWER, AVERAGE, goal=20, step=-1, gap=(0.02, 0.08), season=(0.12, 5), noise=0.03,
       story=Story(
           "Claims rose after annual billing and the team lost two experienced assessors.",
           "Overtime is agreed to clear the backlog and new claims are triaged daily.",
           "Delays push more tenants into rent arrears.",
       )),
    _m("BIN_MISSED_RATE", "RCC-P2", "Missed bin collections per 100,000",
       "per 100,000 collections", 1, MONTHLY, LOWER, AVERAGE, goal=68, step=-4,
       formula="round(BIN_MISSED / max(BIN_MADE, 1) * 100000, 1)"),
    _m("DTOC", "RCC-P3", "Delayed transfers of care (average per day)", "people", 1, MONTHLY,
       LOWER, AVERAGE, goal=12, step=-0.5, gap=(0.05, 0.05), season=(0.18, 1), noise=0.05,
       story=Story(
           "Winter admissions rose and home care capacity did not keep up.",
           "Ten more discharge-to-assess beds are open and the brokerage team now works weekends.",
           "Long hospital stays reduce people's mobility and independence.",
       )),
    _m("COMPLAINTS_ON_TIME", "RCC-P4", "Complaints answered within 10 working days", "%", 0,
       MONTHLY, HIGHER, AVERAGE, goal=85, step=2, gap=(-0.05, -0.05), noise=0.012,
       story=Story(
           "Complaints about waste collections doubled after the round changes.",
           "A temporary officer is handling waste complaints, using agreed reply templates.",
           "Late replies lead to more escalations to the Ombudsman.",
       )),
    _m("CALL_WAIT", "RCC-P4", "Average wait to answer a call", "seconds", 0, MONTHLY, LOWER,
       AVERAGE, goal=150, step=-15, gap=(0.1, 0.0), season=(0.3, 4), noise=0.06,
       story=Story(
           "Calls peaked after council tax bills and garden waste renewals went out.",
           "Staff from other teams answer calls at peak times and more renewals are online.",
           "Callers who give up often call back, adding to the queue.",
       )),
    # Learning & Growth
    _m("SICK_DAYS", "RCC-L1", "Sickness absence per full-time employee (rolling 12 months)",
       "days per FTE", 2, MONTHLY, LOWER, LAST, owner="performance", goal=9.5, step=-0.25,
       gap=(-0.04, -0.04), season=(0.02, 1), noise=0.008, stewards=("hr",),
       story=Story(
           "Stress-related absence rose in children's services and in waste crews.",
           "Managers hold return-to-work meetings within three days and the wellbeing offer has "
           "been promoted.",
           "Absence adds to agency costs and to pressure on the staff who remain.",
       )),
    _m("ENGAGEMENT", "RCC-L1", "Staff engagement index", "%", 0, ANNUAL, HIGHER, AVERAGE,
       owner="performance", goal=64, step=2, gap=(0.0, 0.02), noise=0.01, stewards=("hr",),
       description="From the annual staff survey."),
    _m("STAFF_FTE", "RCC-L1", "Staff in post (full-time equivalent)", "FTE", 1, MONTHLY, HIGHER,
       LAST, owner="performance", level=(3180, 3120), noise=0.003, context=True,
       weight=Decimal(0),
       description="Context for workforce measures; not scored."),
    _m("SW_VACANCY", "RCC-L2", "Social worker vacancy rate", "%", 1, MONTHLY, LOWER, AVERAGE,
       goal=15, step=-1.5, gap=(-0.25, -0.2), noise=0.03,
       story=Story(
           "Neighbouring councils pay more, and three experienced social workers left for them "
           "this quarter.",
           "A market supplement for hard-to-fill posts has been agreed and the social work "
           "academy takes 12 newly qualified staff in September.",
           "Vacancies keep caseloads high, which drives more staff to leave.",
       )),
    _m("DIGITAL_SHARE", "RCC-L3", "Transactions completed online", "%", 1, MONTHLY, HIGHER,
       AVERAGE, owner="performance", goal=52, step=5, gap=(0.02, 0.06), noise=0.015),
    # Directorates and services
    _m("ASC_REABLE", "REA-C1", "Older people still at home 91 days after reablement", "%", 1,
       QUARTERLY, HIGHER, AVERAGE, goal=82, step=1, gap=(0.01, 0.02), noise=0.01),
    _m("BED_OCC", "REA-P1", "Intermediate care bed occupancy", "%", 1, MONTHLY, BAND, AVERAGE,
       band=(85, 92), amber=3.0, level=(88, 90), season=(0.035, 1), noise=0.01,
       description=(
           "Best between 85% and 92%: lower wastes beds, higher leaves patients waiting in "
           "hospital."
       ),
       story=Story(
           "Occupancy moved outside the planned band, so beds were either idle or patients waited "
           "in hospital for one.",
           "Referrals are reviewed daily with the hospital discharge team.",
           "Patients who wait in hospital lose mobility and need more care later.",
       )),
    _m("EARLY_HELP", "CHF-P1", "Families supported by early help", "families", 0, MONTHLY, HIGHER,
       LAST, goal=600, step=30, gap=(0.04, 0.06),
       description="Families with an open early help plan at the end of the month."),
    _m("CP_REVIEW", "CSC-C1", "Child protection plans reviewed on time", "%", 1, MONTHLY, HIGHER,
       AVERAGE, goal=95, step=0.5, tolerance="0.05", gap=(0.02, 0.01), noise=0.01),
    _m("SW_CASELOAD", "CSC-L1", "Average caseload per social worker", "cases", 1, MONTHLY, BAND,
       AVERAGE, band=(14, 18), amber=2.0, level=(18.5, 17.0), noise=0.03,
       description="Best between 14 and 18 children per social worker.",
       story=Story(
           "Caseloads rose above the band while vacant posts were covered.",
           "Newly qualified social workers take protected caseloads and cases are reallocated "
           "weekly.",
           "High caseloads make visits late and add to staff turnover.",
       )),
    _m("GRASS_CUT", "PLE-C1", "Grass-cutting rounds completed to schedule", "%", 0, MONTHLY,
       HIGHER, AVERAGE, goal=90, step=1, gap=(0.03, 0.05), not_applicable_months=(12, 1),
       not_applicable_note="No grass-cutting rounds are scheduled in December and January."),
    _m("PLAN_DECIDED", "PLE-P1", "Planning applications decided", "applications", 0, MONTHLY,
       HIGHER, SUM, level=(180, 170), season=(0.12, 7), noise=0.06, context=True,
       weight=Decimal(0),
       description="Context for the share decided in time; not scored."),
    _m("PLAN_IN_TIME", "PLE-P1", "Planning applications decided in time", "applications", 0,
       MONTHLY, HIGHER, SUM, share_of=("PLAN_DECIDED", 0.84, 0.9), context=True,
       weight=Decimal(0),
       description="Within 8 weeks, 13 for major schemes, or an agreed extension."),
    _m("PLAN_IN_TIME_PCT", "PLE-P1", "Planning applications decided in time", "%", 1, MONTHLY,
       HIGHER, AVERAGE, goal=85, step=2, formula="round(PLAN_IN_TIME / PLAN_DECIDED * 100, 1)"),
    _m("HOUS_PREVENT", "HOU-C1", "Households prevented from becoming homeless", "households", 0,
       MONTHLY, HIGHER, SUM, goal=90, step=5, gap=(0.0, 0.08), noise=0.08,
       story=Story(
           "Fewer households approached us early enough for prevention to work.",
           "Landlords and GPs now refer households as soon as a notice is served.",
           "Late approaches end up in temporary accommodation, at a higher cost.",
       )),
    _m("HOUS_SPEND", "HOU-F1", "Housing Options spending", "£", 0, MONTHLY, LOWER, SUM,
       goal=400000, step=-5000, gap=(-0.02, 0.01), noise=0.03),
    _m("HOUS_CASES", "HOU-F1", "Housing Options cases closed", "cases", 0, MONTHLY, HIGHER, SUM,
       goal=300, step=10, gap=(0.0, 0.05), noise=0.05),
    _m("HOUS_COST_PER_CASE", "HOU-F1", "Cost per housing case closed", "£", 0, MONTHLY, LOWER,
       AVERAGE, goal=1350, step=-50, formula="HOUS_SPEND / HOUS_CASES"),
    _m("BIN_MISSED", "WST-P1", "Missed bin collections", "collections", 0, MONTHLY, LOWER, SUM,
       goal=850, step=-50, gap=(-0.04, 0.06), season=(0.2, 12), noise=0.06,
       story=Story(
           "Two older vehicles broke down and the new rounds confused some crews.",
           "Hire vehicles cover the breakdowns and crews have new in-cab route sheets.",
           "Missed collections drive complaints and calls to the contact centre.",
       )),
    _m("BIN_MADE", "WST-P1", "Bin collections made", "collections", 0, MONTHLY, HIGHER, SUM,
       level=(1250000, 1262000), noise=0.004, context=True, weight=Decimal(0),
       description="Context for the missed-collection rate; not scored."),
    _m("RECYCLING", "WST-C1", "Household waste reused, recycled or composted", "%", 1, QUARTERLY,
       HIGHER, AVERAGE, goal=46, step=1.5, gap=(-0.03, -0.07), season=(0.08, 7), noise=0.015,
       story=Story(
           "Garden waste tonnages fell in the dry weather and contamination rose in blue bins.",
           "Crews tag contaminated bins and the food waste roll-out reaches all homes next year.",
           "Disposal costs rise for every tonne that is not recycled.",
       )),
    _m("LIB_VISITS", "LIB-C1", "Library visits", "visits", 0, MONTHLY, HIGHER, SUM, goal=52000,
       step=1500, gap=(-0.04, 0.03), season=(0.18, 8), profiled=True, noise=0.03,
       story=Story(
           "Visits dipped while the central library's ground floor was closed for repairs.",
           "Events moved to branch libraries and the ground floor reopens next month.",
           "Some users may not come back once their habits change.",
       )),
    _m("LIB_HOURS", "LIB-P1", "Planned library opening hours delivered", "%", 1, MONTHLY, HIGHER,
       AVERAGE, goal=98, step=0.5, tolerance="0.05", gap=(-0.01, 0.0), noise=0.006, gaps=(5,),
       story=Story(
           "Two branches closed at short notice because of staff sickness.",
           "A relief pool of six library assistants now covers short-notice absence.",
           "Unplanned closures put off regular users.",
       )),

]
# fmt: on


# ---------------------------------------------------------------- initiatives


@dataclass(frozen=True)
class MilestoneSpec:
    name: str
    due: tuple[int, int, int]  # (fiscal year offset from as_of's, fiscal month, day)
    kind: str  # "done", "slipped" (never completed) or "auto" (completed once past)


@dataclass(frozen=True)
class InitiativeSpec:
    code: str
    name: str
    owner: str
    description: str
    objectives: tuple[str, ...]
    start: tuple[int, int]  # (fiscal year offset, fiscal month), from the first of the month
    end: tuple[int, int]  # to the last day of the month
    budget: int
    status: Initiative.Status
    milestones: tuple[MilestoneSpec, ...]
    spend_share: float | None = None  # spend as a share of budget, when not from progress


S = Initiative.Status
# fmt: off
INITIATIVES = [
    InitiativeSpec(
        "INI-01", "Homelessness prevention hub", "manager",
        "One place where anyone at risk of losing their home gets advice the same day.",
        ("RCC-C1", "PLE-C2", "HOU-C1"), (-2, 1), (0, 12), 850000, S.ON_TRACK,
        milestones=(
            MilestoneSpec("Hub premises leased", (-2, 3, 15), "done"),
            MilestoneSpec("Triage and advice service opens", (-2, 10, 1), "done"),
            MilestoneSpec("Landlord incentive scheme launched", (-1, 9, 30), "slipped"),
            MilestoneSpec("Independent evaluation published", (1, 3, 31), "auto"),
        ),
    ),
    InitiativeSpec(
        "INI-02", "Weekly food waste collections", "manager",
        "Separate weekly food waste collections for every household.",
        ("RCC-C4", "RCC-P2", "WST-C1"), (-2, 7), (1, 6), 2400000, S.AT_RISK,
        milestones=(
            MilestoneSpec("Collection vehicles ordered", (-2, 9, 30), "done"),
            MilestoneSpec("Kitchen caddies delivered to every home", (-1, 6, 30), "done"),
            MilestoneSpec("Southern rounds live", (-1, 12, 1), "slipped"),
            MilestoneSpec("All rounds live and reviewed", (1, 3, 31), "auto"),
        ),
    ),
    InitiativeSpec(
        "INI-03", "Digital front door", "performance",
        "Resident accounts and online forms for the council's most common requests.",
        ("RCC-L3", "RCC-P4"), (-2, 1), (1, 12), 1200000, S.ON_TRACK,
        milestones=(
            MilestoneSpec("Resident accounts launched", (-2, 10, 1), "done"),
            MilestoneSpec("Council tax and benefit forms online", (-1, 4, 30), "done"),
            MilestoneSpec("Housing register online", (0, 1, 30), "auto"),
            MilestoneSpec("Old web forms switched off", (1, 9, 30), "auto"),
        ),
    ),
    InitiativeSpec(
        "INI-04", "Social work recruitment and retention", "executive",
        "Market supplements, an academy for newly qualified staff and overseas recruitment.",
        ("RCC-L2", "CHF-L1", "CSC-L1"), (-1, 1), (0, 12), 600000, S.OFF_TRACK, spend_share=1.14,
        milestones=(
            MilestoneSpec("Market supplement agreed", (-1, 2, 28), "done"),
            MilestoneSpec("Overseas recruitment cohort starts", (-1, 8, 1), "slipped"),
            MilestoneSpec("Social work academy opens", (-1, 11, 1), "done"),
            MilestoneSpec("Agency posts reduced to ten", (0, 12, 31), "slipped"),
        ),
    ),
    InitiativeSpec(
        "INI-05", "Home first: discharge to assess", "manager",
        "People leave hospital as soon as they are well and are assessed at home.",
        ("RCC-P3", "ADH-P1", "REA-P1"), (-2, 1), (-1, 6), 1500000, S.COMPLETE, spend_share=1.08,
        milestones=(
            MilestoneSpec("Discharge hub staffed seven days a week", (-2, 3, 31), "done"),
            MilestoneSpec("Ten step-down beds commissioned", (-2, 8, 31), "done"),
            MilestoneSpec("Evaluation signed off by the health partnership", (-1, 6, 30), "done"),
        ),
    ),
    InitiativeSpec(
        "INI-06", "Central library refurbishment", "manager",
        "A new children's library, study space and a digital skills hub.",
        ("LIB-C1",), (1, 2), (2, 6), 900000, S.NOT_STARTED,
        milestones=(
            MilestoneSpec("Design approved", (1, 4, 30), "auto"),
            MilestoneSpec("Contractor appointed", (1, 8, 31), "auto"),
            MilestoneSpec("Library reopens", (2, 6, 30), "auto"),
        ),
    ),
    InitiativeSpec(
        "INI-07", "Council tax recovery improvement", "performance",
        "Earlier reminders, text messages and automated attachment of earnings.",
        ("RCC-F2",), (-1, 4), (1, 3), 150000, S.ON_TRACK,
        milestones=(
            MilestoneSpec("Text message reminders live", (-1, 7, 31), "done"),
            MilestoneSpec("Single person discount review complete", (-1, 12, 31), "done"),
            MilestoneSpec("Attachment of earnings automated", (0, 12, 31), "auto"),
        ),
    ),
    InitiativeSpec(
        "INI-08", "Staff wellbeing programme", "hr",
        "Mental health first aiders, faster occupational health and absence training.",
        ("RCC-L1",), (-2, 2), (1, 12), 120000, S.ON_TRACK,
        milestones=(
            MilestoneSpec("Mental health first aiders trained", (-2, 9, 30), "done"),
            MilestoneSpec("Occupational health contract renewed", (-1, 1, 31), "done"),
            MilestoneSpec("Absence training for every manager", (-1, 10, 31), "slipped"),
            MilestoneSpec("Wellbeing survey repeated", (1, 6, 30), "auto"),
            MilestoneSpec("Programme reviewed by the staff forum", (1, 12, 15), "auto"),
        ),
    ),
]
# fmt: on
PACE = {S.ON_TRACK: 1.0, S.AT_RISK: 0.85, S.OFF_TRACK: 0.7}
BURN = {S.ON_TRACK: 0.95, S.AT_RISK: 1.2, S.OFF_TRACK: 1.1}


# ---------------------------------------------------------------- the load


@dataclass(frozen=True)
class Window:
    """The three fiscal years shown: which months, which are past, which are still open."""

    as_of: date
    fiscal_year: int
    start_month: int
    months: tuple[tuple[int, int], ...] = field(repr=False)

    @classmethod
    def around(cls, as_of: date, start_month: int) -> "Window":
        fy = periods.fiscal_year_of(as_of.year, as_of.month, start_month)
        months = [
            month
            for year in range(fy - YEARS + 1, fy + 1)
            for month in periods.fiscal_months(year, start_month)
        ]
        return cls(as_of, fy, start_month, tuple(months))

    @property
    def first_year(self) -> int:
        return self.fiscal_year - YEARS + 1

    @property
    def complete(self) -> list[tuple[int, int]]:
        """Months that ended before as_of's month began."""
        return [month for month in self.months if month < (self.as_of.year, self.as_of.month)]

    @property
    def open_complete(self) -> list[tuple[int, int]]:
        """The last two complete months: still open so managers have data to enter."""
        return self.complete[-2:]

    def state(self, month: tuple[int, int]) -> str:
        """Closed for past months except the last two complete ones; open from then on."""
        closed = month in self.complete and month not in self.open_complete
        return Period.State.CLOSED if closed else Period.State.OPEN

    def fiscal_date(self, offset: int, fiscal_month: int, day: int | None = None) -> date:
        """A day in a fiscal month `offset` years from as_of's; None means the last day."""
        year, month = periods.fiscal_months(self.fiscal_year + offset, self.start_month)[
            fiscal_month - 1
        ]
        if day is None:
            return _month_end(year, month)
        return date(year, month, min(day, _month_end(year, month).day))


@dataclass
class _Draws:
    """Random numbers for one measure-month, drawn in a fixed order whether used or not."""

    noise: float
    entry_lag: int
    entry_minute: int
    not_yet: float
    draft: float
    comment: float


def demo_organisation_load(*, as_of: date | None = None) -> DemoSummary:
    """Load Riverside City Council with three fiscal years of data up to as_of (default today)."""
    as_of = as_of or timezone.localdate()
    window = Window.around(as_of, settings.FISCAL_YEAR_START_MONTH)
    with transaction.atomic():
        users = _demo_users()
        units = _units_load(window)
        perspectives = _perspectives_load(window, units)
        objectives = _objectives_load(perspectives, users)
        _links_load(objectives)
        _alignments_load(objectives)
        measures = _measures_load(objectives, users)
        period_rows = _periods_load(window)
        targets = _targets_load(window, measures, period_rows)
        _actuals_load(window, measures, period_rows, targets, users)
        _initiatives_load(window, objectives, users)
        return _summary()


def _demo_users() -> dict[str, models.Model]:
    names = {spec.owner for spec in [*OBJECTIVES, *MEASURES, *INITIATIVES]}
    names |= {name for spec in MEASURES for name in spec.stewards}
    return {user.username: user for user in get_user_model().objects.filter(username__in=names)}


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Find one row by its natural key; create it, or save only the fields that differ."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**(values | lookup))
        row._change_reason = CHANGE_REASON
        row.save()
        return row
    _save_changes(row, values)
    return row


def _bulk_upsert(
    model: type[models.Model],
    key: tuple[str, ...],
    wanted: Iterable[dict],
    existing: Iterable[models.Model],
) -> dict[tuple, models.Model]:
    """Upsert many rows by a natural key: missing ones in bulk, with their history rows."""
    rows = {_key_of(row, key): row for row in existing}
    new = []
    for values in wanted:
        row = rows.get(_key_of(values, key))
        if row is None:
            row = model(**values)
            rows[_key_of(values, key)] = row
            new.append(row)
        else:
            _save_changes(row, values)
    if new and hasattr(model, "history"):
        bulk_create_with_history(new, model, batch_size=500, default_change_reason=CHANGE_REASON)
    elif new:
        model.objects.bulk_create(new, batch_size=500)
    return rows


def _save_changes(row: models.Model, values: dict) -> None:
    """Save the fields whose values differ, and nothing when none do (so no history row)."""
    changed = [name for name, value in values.items() if _differs(row, name, value)]
    if not changed:
        return
    for name in changed:
        setattr(row, name, values[name])
    if isinstance(row, Actual):
        row.version += 1
        changed.append("version")
    row._change_reason = CHANGE_REASON
    row.save(update_fields=changed)


def _key_of(row: models.Model | dict, key: tuple[str, ...]) -> tuple:
    if isinstance(row, dict):
        return tuple(_plain(row[name]) for name in key)
    return tuple(getattr(row, row._meta.get_field(name).attname) for name in key)


def _plain(value: object) -> object:
    return value.pk if isinstance(value, models.Model) else value


def _differs(row: models.Model, name: str, value: object) -> bool:
    model_field = row._meta.get_field(name)
    if model_field.is_relation:
        return getattr(row, model_field.attname) != _plain(value)
    return getattr(row, name) != value


def _set_m2m(manager, wanted: Iterable[models.Model]) -> None:
    wanted = list(wanted)
    if set(manager.values_list("pk", flat=True)) != {row.pk for row in wanted}:
        manager.set(wanted)


def _units_load(window: Window) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for order, spec in enumerate(UNITS):
        parent = units[spec.parent] if spec.parent else None
        units[spec.code] = _upsert(
            OrgUnit, {"code": spec.code}, {"name": spec.name, "parent": parent, "order": order}
        )
    return units


def _plan_name(spec: UnitSpec, window: Window) -> str:
    years = f"{window.first_year}–{window.fiscal_year + 2}"
    if spec.parent is None:
        return f"{spec.plan_kind} {years}"
    return f"{spec.name} {spec.plan_kind} {years}"


def _perspectives_load(
    window: Window, units: dict[str, OrgUnit]
) -> dict[tuple[str, int], Perspective]:
    plans: dict[str, Plan] = {}
    for spec in UNITS:
        unit = units[spec.code]
        name = _plan_name(spec, window)
        # A load in a later fiscal year renames the earlier demo plan instead of adding one.
        plan = (
            unit.plans.filter(name=name).first()
            or unit.plans.filter(name__contains=spec.plan_kind).order_by("pk").first()
        )
        values = {
            "unit": unit,
            "name": name,
            "mission": spec.mission,
            "vision": spec.vision,
            "first_year": window.first_year,
            "last_year": window.fiscal_year + 1,
        }
        plans[spec.code] = _upsert(
            Plan, {"pk": plan.pk} if plan else {"name": name, "unit": unit}, values
        )
    wanted = {
        (code, index): {"plan": plan, "name": title, "order": index + 1, "weight": weight}
        for code, plan in plans.items()
        for index, (title, weight) in enumerate(
            zip(Perspective.DEFAULT_NAMES, PERSPECTIVE_WEIGHTS, strict=True)
        )
    }
    rows = _bulk_upsert(
        Perspective,
        ("plan", "name"),
        wanted.values(),
        Perspective.objects.filter(plan__in=plans.values()),
    )
    return {where: rows[_key_of(values, ("plan", "name"))] for where, values in wanted.items()}


def _objectives_load(
    perspectives: dict[tuple[str, int], Perspective], users: dict
) -> dict[str, Objective]:
    wanted = [
        {
            "code": spec.code,
            "perspective": perspectives[spec.unit, spec.perspective],
            "name": spec.name,
            "description": spec.description,
            "owner": users.get(spec.owner),
            "weight": spec.weight,
            "order": order,
        }
        for order, spec in enumerate(OBJECTIVES)
    ]
    codes = [spec.code for spec in OBJECTIVES]
    rows = _bulk_upsert(Objective, ("code",), wanted, Objective.objects.filter(code__in=codes))
    return {code: rows[(code,)] for code in codes}


def _links_load(objectives: dict[str, Objective]) -> None:
    existing = set(CauseEffectLink.objects.values_list("cause_id", "effect_id"))
    for cause_code, effect_code in LINKS:
        cause, effect = objectives[cause_code], objectives[effect_code]
        if (cause.pk, effect.pk) in existing:
            continue
        if link_would_cycle(cause.pk, effect.pk):
            raise ValueError(f"Demo link {cause_code} -> {effect_code} would close a loop.")
        CauseEffectLink.objects.create(cause=cause, effect=effect)


def _alignments_load(objectives: dict[str, Objective]) -> None:
    existing = set(Alignment.objects.values_list("child_id", "parent_id"))
    for spec in OBJECTIVES:
        for parent_code in spec.supports:
            child, parent = objectives[spec.code], objectives[parent_code]
            if (child.pk, parent.pk) in existing:
                continue
            alignment = Alignment(child=child, parent=parent)
            alignment.full_clean()
            alignment._change_reason = CHANGE_REASON
            alignment.save()


def _measures_load(objectives: dict[str, Objective], users: dict) -> dict[str, Measure]:
    codes = [spec.code for spec in MEASURES]
    existing = list(Measure.objects.filter(code__in=codes))
    rows: dict[tuple, Measure] = {}
    # Inputs first, so each formula is checked against measures that already exist.
    for calculated in (False, True):
        batch = [
            (order, spec) for order, spec in enumerate(MEASURES) if bool(spec.formula) is calculated
        ]
        for _, spec in batch:
            if spec.formula:
                formula_check(spec.code, spec.formula)
        wanted = [_measure_fields(spec, order, objectives, users) for order, spec in batch]
        rows |= _bulk_upsert(Measure, ("code",), wanted, existing)
    measures = {code: rows[(code,)] for code in codes}
    through = Measure.stewards.through
    stewards: dict[int, set[int]] = {}
    for measure_id, user_id in through.objects.filter(measure__code__in=codes).values_list(
        "measure_id", "user_id"
    ):
        stewards.setdefault(measure_id, set()).add(user_id)
    for spec in MEASURES:
        wanted_users = [users[name] for name in spec.stewards if name in users]
        measure = measures[spec.code]
        if stewards.get(measure.pk, set()) != {user.pk for user in wanted_users}:
            measure.stewards.set(wanted_users)
    return measures


def _measure_fields(spec: MeasureSpec, order: int, objectives: dict, users: dict) -> dict:
    return {
        "code": spec.code,
        "objective": objectives[spec.objective],
        "name": spec.name,
        "description": spec.description,
        "unit": spec.unit,
        "decimals": spec.decimals,
        "frequency": spec.frequency,
        "polarity": spec.polarity.value,
        "aggregation": spec.aggregation.value,
        "tolerance": Decimal(spec.tolerance),
        "allow_negative": spec.allow_negative,
        "owner": users.get(spec.owner),
        "weight": spec.weight,
        "formula": spec.formula,
        "missing_as_zero": False,
        "order": order,
    }


def _periods_load(window: Window) -> list[Period]:
    wanted = [
        {"year": year, "month": month, "state": window.state((year, month))}
        for year, month in window.months
    ]
    years = {year for year, _ in window.months}
    rows = _bulk_upsert(Period, ("year", "month"), wanted, Period.objects.filter(year__in=years))
    return [rows[month] for month in window.months]


# ---------------------------------------------------------------- targets and actuals


def _targets_load(
    window: Window, measures: dict[str, Measure], period_rows: list[Period]
) -> dict[tuple[str, int], scoring.Target]:
    """Write every reporting month's target; return them as scoring targets by (code, t)."""
    wanted: list[dict] = []
    targets: dict[tuple[str, int], scoring.Target] = {}
    for spec in MEASURES:
        if not spec.has_targets:
            continue
        measure = measures[spec.code]
        for t, period in enumerate(period_rows):
            if not measure.reports_in(period):
                continue
            fields = _target_fields(spec, t, period)
            wanted.append({"measure": measure, "period": period, **fields})
            targets[spec.code, t] = scoring.Target(
                spec.polarity, tolerance=Decimal(spec.tolerance), **fields
            )
    _measure_rows_write(Target, wanted, measures, period_rows)
    return targets


def _target_fields(spec: MeasureSpec, t: int, period: Period) -> dict[str, Decimal | None]:
    amber = _decimal(spec.amber, spec.decimals) if spec.amber is not None else None
    if spec.band is not None:
        lower, upper = (_decimal(limit, spec.decimals) for limit in spec.band)
        return {"goal": None, "lower": lower, "upper": upper, "amber": amber}
    goal = spec.goal + spec.step * (t // 12)
    goal *= _profile(spec, period, targets=True)
    return {"goal": _decimal(goal, spec.decimals), "lower": None, "upper": None, "amber": amber}


def _actuals_load(
    window: Window,
    measures: dict[str, Measure],
    period_rows: list[Period],
    targets: dict[tuple[str, int], scoring.Target],
    users: dict,
) -> None:
    """Write the actuals of every complete month, with commentary where they are off target."""
    values: dict[str, list[float | None]] = {}
    wanted: list[dict] = []
    for spec in MEASURES:
        if spec.formula:
            continue  # calculated from other measures, never entered
        series, draws = _series(spec, period_rows, values)
        values[spec.code] = series
        measure = measures[spec.code]
        for t, period in enumerate(period_rows):
            if not _is_entered(window, spec, measure, t, period, draws[t]):
                continue
            fields = {
                "measure": measure,
                "period": period,
                "value": None,
                "not_applicable": False,
                "analysis": "",
                "actions": "",
                "risks": "",
                "status": _actual_status(window, period, draws[t]),
                "entered_by": users.get(spec.owner),
                "entered_at": _entered_at(period, draws[t]),
            }
            if period.month in spec.not_applicable_months:
                fields |= {"not_applicable": True, "analysis": spec.not_applicable_note}
            else:
                value = _decimal(series[t], spec.decimals)
                target = targets.get((spec.code, t))
                fields |= {"value": value, **_commentary(spec, period, value, target, draws[t])}
            wanted.append(fields)
    _measure_rows_write(Actual, wanted, measures, period_rows)


def _is_entered(
    window: Window, spec: MeasureSpec, measure: Measure, t: int, period: Period, draw: _Draws
) -> bool:
    """Whether an actual exists: a complete reporting month, entered by as_of, not a gap."""
    month = (period.year, period.month)
    if month not in window.complete or t in spec.gaps or not measure.reports_in(period):
        return False
    if month == window.complete[-1] and draw.not_yet < 0.15:
        return False  # still to be entered: something for the manager to do
    return _entered_at(period, draw).date() <= window.as_of


def _actual_status(window: Window, period: Period, draw: _Draws) -> str:
    """Approved once closed; in the two open months, submitted or still a draft."""
    month = (period.year, period.month)
    if window.state(month) == Period.State.CLOSED:
        return Actual.Status.APPROVED
    if month == window.open_complete[0] or draw.draft >= 0.5:
        return Actual.Status.SUBMITTED
    return Actual.Status.DRAFT


def _series(
    spec: MeasureSpec, period_rows: Sequence[Period], values: dict[str, list[float | None]]
) -> tuple[list[float | None], list[_Draws]]:
    """The measure's value in each month of the window, and the draws that go with them."""
    rng = random.Random(f"{SEED}:{spec.code}")
    series: list[float | None] = []
    draws: list[_Draws] = []
    for t, period in enumerate(period_rows):
        draw = _Draws(
            noise=rng.gauss(0, 1),
            entry_lag=rng.randint(2, 9),
            entry_minute=rng.randrange(0, 420),
            not_yet=rng.random(),
            draft=rng.random(),
            comment=rng.random(),
        )
        draws.append(draw)
        series.append(_value(spec, t, period, draw.noise, values))
    return series, draws


def _value(
    spec: MeasureSpec,
    t: int,
    period: Period,
    noise: float,
    values: dict[str, list[float | None]],
) -> float | None:
    progress = t / (WINDOW_MONTHS - 1)
    if spec.share_of is not None:
        source, first, last = spec.share_of
        whole = values[source][t]
        if whole is None:
            return None
        share = (first + (last - first) * progress) * (1 + spec.noise * noise)
        return min(whole, whole * share)
    if spec.gap is not None:
        # The goal moves smoothly here, so values trend instead of jumping each April.
        goal = spec.goal + spec.step * (t - 5.5) / 12
        gap = spec.gap[0] + (spec.gap[1] - spec.gap[0]) * progress
        level = goal * (1 + gap) if spec.polarity is HIGHER else goal * (1 - gap)
    else:
        level = spec.level[0] + (spec.level[1] - spec.level[0]) * progress
    value = level * _profile(spec, period, targets=False) * (1 + spec.noise * noise)
    if spec.unit == "%":
        value = min(value, 100.0)
    return value if spec.allow_negative else max(value, 0.0)


def _profile(spec: MeasureSpec, period: Period, *, targets: bool) -> float:
    factor = 1.0
    if spec.shape is not None:
        factor *= spec.shape[period.fiscal_month_index - 1]
    if spec.season is not None and (spec.profiled or not targets):
        amplitude, peak = spec.season
        factor *= 1 + amplitude * math.cos(2 * math.pi * (period.month - peak) / 12)
    return factor


def _entered_at(period: Period, draw: _Draws) -> datetime:
    day = periods.working_day_after(period.year, period.month, draw.entry_lag)
    moment = datetime.combine(day, time(9, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment + timedelta(minutes=draw.entry_minute)


def _commentary(
    spec: MeasureSpec,
    period: Period,
    value: Decimal,
    target: scoring.Target | None,
    draw: _Draws,
) -> dict[str, str]:
    """Analysis, actions and risks on every red value, and on some amber ones."""
    status = scoring.measure_result(value, target).status
    if status not in (scoring.Status.OFF_TARGET, scoring.Status.NEAR_TARGET):
        return {}
    shown = _format(value, spec)
    if target.polarity is BAND:
        aim = f"the band of {_format(target.lower, spec)} to {_format(target.upper, spec)}"
    else:
        aim = f"the goal of {_format(target.goal, spec)}"
    story = spec.story
    if status is scoring.Status.OFF_TARGET:
        return {
            "analysis": f"{period.label}: {shown}, well short of {aim}. {story.why}",
            "actions": story.action,
            "risks": story.risk,
        }
    if draw.comment < 0.5:
        return {
            "analysis": f"{period.label}: {shown}, close to {aim}. {story.why}",
            "actions": story.action,
        }
    return {}


def _format(value: Decimal | None, spec: MeasureSpec) -> str:
    number = f"{value:,.{spec.decimals}f}"
    if spec.unit == "%":
        return f"{number}%"
    if spec.unit.startswith("£"):
        suffix = spec.unit[1:]
        return f"-£{number[1:]}{suffix}" if number.startswith("-") else f"£{number}{suffix}"
    return f"{number} {spec.unit}"


def _measure_rows_write(
    model: type[Actual] | type[Target],
    wanted: list[dict],
    measures: dict[str, Measure],
    period_rows: list[Period],
) -> None:
    existing = model.objects.filter(measure__in=measures.values(), period__in=period_rows)
    _bulk_upsert(model, ("measure", "period"), wanted, existing)


# ---------------------------------------------------------------- initiatives


def _initiatives_load(window: Window, objectives: dict[str, Objective], users: dict) -> None:
    initiatives: list[Initiative] = []
    milestones: list[dict] = []
    for spec in INITIATIVES:
        start = window.fiscal_date(spec.start[0], spec.start[1], 1)
        end = window.fiscal_date(*spec.end)
        elapsed = min(max((window.as_of - start).days / (end - start).days, 0.0), 1.0)
        if spec.status is S.COMPLETE:
            percent = 100
        elif spec.status is S.NOT_STARTED:
            percent = 0
        else:
            percent = min(round(100 * elapsed * PACE[spec.status]), 99)
        if spec.spend_share is not None:
            spend = spec.budget * spec.spend_share
        elif spec.status is S.NOT_STARTED:
            spend = 0.0
        else:
            spend = spec.budget * elapsed * BURN[spec.status]
        initiative = _upsert(
            Initiative,
            {"code": spec.code},
            {
                "name": spec.name,
                "description": spec.description,
                "owner": users.get(spec.owner),
                "start_date": start,
                "end_date": end,
                "budget": Decimal(spec.budget).quantize(Decimal("0.01")),
                "spend": _decimal(spend, 2),
                "percent_complete": percent,
                "status": spec.status,
            },
        )
        _set_m2m(initiative.objectives, [objectives[code] for code in spec.objectives])
        milestones.extend(_milestone_fields(window, spec, initiative))
        initiatives.append(initiative)
    existing = Milestone.objects.filter(initiative__in=initiatives)
    _bulk_upsert(Milestone, ("initiative", "name"), milestones, existing)


def _milestone_fields(window: Window, spec: InitiativeSpec, initiative: Initiative) -> list[dict]:
    rng = random.Random(f"{SEED}:{spec.code}")
    rows = []
    for milestone in spec.milestones:
        due = window.fiscal_date(*milestone.due)
        completed = due + timedelta(days=rng.randint(-10, 12))
        if milestone.kind == "slipped" or (milestone.kind == "auto" and completed > window.as_of):
            completed = None
        elif completed > window.as_of:
            completed = window.as_of  # done, and reported done no later than today
        rows.append(
            {
                "initiative": initiative,
                "name": milestone.name,
                "due_date": due,
                "completed_on": completed,
            }
        )
    return rows


# ---------------------------------------------------------------- small helpers


def _summary() -> DemoSummary:
    measure_codes = [spec.code for spec in MEASURES]
    return DemoSummary(
        units=OrgUnit.objects.filter(code__in=[spec.code for spec in UNITS]).count(),
        objectives=Objective.objects.filter(code__in=[spec.code for spec in OBJECTIVES]).count(),
        measures=Measure.objects.filter(code__in=measure_codes).count(),
        actuals=Actual.objects.filter(measure__code__in=measure_codes).count(),
        targets=Target.objects.filter(measure__code__in=measure_codes).count(),
        initiatives=Initiative.objects.filter(code__in=[spec.code for spec in INITIATIVES]).count(),
    )


def _decimal(value: float, decimals: int) -> Decimal:
    # Adding 0.0 turns -0.0 into 0.0, so a rounded zero never prints as "-0".
    return Decimal(f"{round(value, decimals) + 0.0:.{decimals}f}")


def _month_end(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
