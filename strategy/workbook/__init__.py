"""A whole scorecard as one Excel workbook: the sheets, reading, checking and writing.

- `sheets`: the one table of sheets and columns (`SHEETS`) and a dataclass per row. It
  drives the reader, the writer and the test that keeps docs/import-format.md complete.
- `cells`: strict parsing of one cell, and the values written for export.
- `reading`: the zip checks made before opening anything, the streaming sheet reader,
  `Problem`s, and the `Spool` that keeps the big sheets' rows on disk.
- `checks`: `validate`, every rule across sheets and against what the scorecard holds.
- `writing`: `write_workbook`, the cover sheet and one table per sheet.

The service `strategy.services.transfer` reads the database and writes to it; nothing in
this package writes to the database.
"""

from strategy.workbook.cells import (
    INJECTION_STARTS,
    CellError,
    clean_text,
    empty_value,
    export_value,
    neutralise,
    parse_cell,
)
from strategy.workbook.checks import (
    Known,
    MeasureFacts,
    MonthKey,
    ObjectiveFacts,
    StoredActual,
    Validation,
    reports_in,
    validate,
)
from strategy.workbook.reading import (
    MAX_PROBLEMS,
    MAX_ROWS,
    MAX_UNCOMPRESSED,
    Problem,
    Problems,
    Source,
    Spool,
    check_archive,
)
from strategy.workbook.sheets import (
    ACTUAL_STATUSES,
    ACTUALS,
    AGGREGATIONS,
    ALIGNMENTS,
    BIG_SHEETS,
    COVER_SHEET,
    FREQUENCIES,
    INITIATIVE_STATUSES,
    INITIATIVES,
    LINKS,
    MEASURES,
    MILESTONES,
    OBJECTIVES,
    PERSPECTIVES,
    PLANS,
    POLARITIES,
    SHEETS,
    SHEETS_BY_NAME,
    TARGETS,
    UNITS,
    ActualRow,
    AlignmentRow,
    Column,
    InitiativeRow,
    Kind,
    LinkRow,
    MeasureRow,
    MilestoneRow,
    ObjectiveRow,
    PerspectiveRow,
    PlanRow,
    Sheet,
    TargetRow,
    UnitRow,
    row_fields,
)
from strategy.workbook.writing import write_workbook

__all__ = [
    "ACTUALS", "ACTUAL_STATUSES", "AGGREGATIONS", "ALIGNMENTS", "BIG_SHEETS", "COVER_SHEET",
    "FREQUENCIES", "INITIATIVES", "INITIATIVE_STATUSES", "INJECTION_STARTS", "LINKS",
    "MAX_PROBLEMS", "MAX_ROWS", "MAX_UNCOMPRESSED", "MEASURES", "MILESTONES", "OBJECTIVES",
    "PERSPECTIVES", "PLANS", "POLARITIES", "SHEETS", "SHEETS_BY_NAME", "TARGETS", "UNITS",
    "ActualRow", "AlignmentRow", "CellError", "Column", "InitiativeRow", "Kind", "Known",
    "LinkRow", "MeasureFacts", "MeasureRow", "MilestoneRow", "MonthKey", "ObjectiveFacts",
    "ObjectiveRow", "PerspectiveRow", "PlanRow", "Problem", "Problems", "Sheet", "Source",
    "Spool", "StoredActual", "TargetRow", "UnitRow", "Validation", "check_archive",
    "clean_text", "empty_value", "export_value", "neutralise", "parse_cell", "reports_in",
    "row_fields", "validate", "write_workbook",
]  # fmt: skip
