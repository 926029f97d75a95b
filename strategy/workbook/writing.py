"""Writing a workbook: a cover sheet, then one table per sheet from A1 (write-only mode)."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from strategy.workbook.cells import export_value, neutralise
from strategy.workbook.reading import Source
from strategy.workbook.sheets import COVER_SHEET, SHEETS, Sheet


def _bold(worksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=neutralise(text))
    cell.font = Font(bold=True)
    return cell


def _table_sheet(book, title: str, headers: Sequence[str], widths: Sequence[int], size=None):
    worksheet = book.create_sheet(title)
    worksheet.freeze_panes = "A2"
    if size is not None:
        # Write-only sheets declare no <dimension>, so every reader (openpyxl too) must scan
        # a whole sheet just to size it. openpyxl's writer asks the sheet for
        # calculate_dimension when it has one; give it the size we know.
        ref = f"A1:{get_column_letter(len(headers))}{size + 1}"
        worksheet.calculate_dimension = lambda: ref
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.append([_bold(worksheet, header) for header in headers])
    return worksheet


def write_workbook(
    destination: Source,
    rows: Mapping[str, Iterable[Any]],
    cover: Sequence[tuple[str, str]],
    sizes: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Write the cover, then every sheet as one table from A1; returns the rows per sheet.

    `sizes`, when given, must be each sheet's exact number of rows: it is declared in the
    file so that readers need not scan the sheet, and a sheet that differs is an error.
    """
    book = openpyxl.Workbook(write_only=True)
    cover_size = len(cover) + len(SHEETS) + len(_NOTES) if sizes is not None else None
    cover_sheet = _table_sheet(book, COVER_SHEET, ("Item", "Detail"), (28, 100), cover_size)
    counts = {}
    try:
        for sheet in SHEETS:
            size = sizes.get(sheet.name, 0) if sizes is not None else None
            counts[sheet.name] = _write_rows(book, sheet, rows.get(sheet.name, ()), size)
    except Exception:
        for worksheet in book.worksheets:  # release their temporary files now
            worksheet.close()
        raise
    for item, detail in [*cover, *_cover_sheets(counts)]:
        cover_sheet.append([neutralise(item), neutralise(detail)])
    book.save(destination)
    return counts


def _write_rows(book, sheet: Sheet, rows: Iterable[Any], size: int | None) -> int:
    widths = [max(14, len(column.header) + 4) for column in sheet.columns]
    worksheet = _table_sheet(book, sheet.name, [c.header for c in sheet.columns], widths, size)
    count = 0
    for row in rows:
        worksheet.append([export_value(getattr(row, c.name), c) for c in sheet.columns])
        count += 1
    if size is not None and count != size:
        raise ValueError(f"{sheet.name} has {count} rows, not the {size} declared")
    return count


_NOTES = [
    ("Empty cells", "An empty cell means there is no data for it."),
    (
        "Text starting with = + - or @",
        "Has an apostrophe (') put in front so that spreadsheets show it as text instead "
        "of running it as a formula. The import takes that apostrophe off again.",
    ),
    ("Columns", "Each column is described in docs/import-format.md."),
]


def _cover_sheets(counts: Mapping[str, int]) -> list[tuple[str, str]]:
    lines = [
        (f"Sheet {sheet.name}", f"{sheet.meaning} {counts[sheet.name]:,} rows.") for sheet in SHEETS
    ]
    return [*lines, *_NOTES]
