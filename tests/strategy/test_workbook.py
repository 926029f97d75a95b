"""strategy.workbook: the sheet table, strict cell parsing, the archive checks, the writer.

These tests need no database: existing data comes in as a `Known` built by hand.
"""

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from strategy import models, workbook
from strategy.workbook import CellError, Column, Kind, Known, parse_cell

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-format.md"
NUMBER = workbook.TARGETS.column("goal")
WEIGHT = workbook.PERSPECTIVES.column("weight")
POLARITY = workbook.MEASURES.column("polarity")
PERIOD = workbook.TARGETS.column("period")
NAME = workbook.UNITS.column("name")
CODE = workbook.UNITS.column("code")
MODELS = {
    "Units": models.OrgUnit, "Plans": models.Plan, "Perspectives": models.Perspective,
    "Objectives": models.Objective, "Measures": models.Measure,
    "Initiatives": models.Initiative, "Milestones": models.Milestone,
}  # fmt: skip
# Text columns that are fields of their sheet's own model (not references to other sheets).
TEXT_FIELDS = [
    pytest.param(
        column, MODELS[sheet.name]._meta.get_field(column.name), id=f"{sheet.name}.{column.name}"
    )
    for sheet in workbook.SHEETS
    for column in sheet.columns
    if column.kind in (Kind.TEXT, Kind.CODE)
    and sheet.name in MODELS
    and column.name in {f.name for f in MODELS[sheet.name]._meta.fields if not f.is_relation}
]


def xlsx(sheets: dict[str, list[list]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def problems_of(source, known: Known | None = None) -> list[str]:
    return [str(p) for p in workbook.validate(source, known or Known()).problems.items]


# ---------------------------------------------------------------- the one table


@pytest.mark.parametrize("sheet", workbook.SHEETS, ids=lambda sheet: sheet.name)
def test_each_sheets_columns_are_its_row_fields_in_order(sheet):
    assert [column.name for column in sheet.columns] == workbook.row_fields(sheet)


@pytest.mark.parametrize("sheet", workbook.SHEETS, ids=lambda sheet: sheet.name)
def test_the_import_guide_names_every_column_of_every_sheet(sheet):
    text = DOC.read_text()
    section = re.search(rf"^## {sheet.name}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, f"docs/import-format.md has no section for {sheet.name}"
    for column in sheet.columns:
        assert f"| `{column.header}` |" in section.group(1), f"{sheet.name}.{column.name}"


@pytest.mark.parametrize(("column", "field"), TEXT_FIELDS)
def test_text_limits_match_the_model_fields(column, field):
    assert column.max_length == field.max_length


def test_choices_match_the_models_choices():
    assert tuple(models.POLARITY_CHOICES) == workbook.POLARITIES
    assert tuple(models.AGGREGATION_CHOICES) == workbook.AGGREGATIONS
    assert tuple(models.Frequency.choices) == workbook.FREQUENCIES
    assert tuple(models.Actual.Status.choices) == workbook.ACTUAL_STATUSES
    assert tuple(models.Initiative.Status.choices) == workbook.INITIATIVE_STATUSES


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (12, Decimal(12)),
        (0, Decimal(0)),
        (0.1 + 0.2, Decimal("0.3")),
        (12.5, Decimal("12.5")),
        (1 / 3, Decimal("0.333333")),
        ("1234.5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        (" -3 ", Decimal(-3)),
        ("0.0000005", Decimal("0.000001")),
        (123456789012345678, Decimal("123456789012345678")),
    ],
)
def test_numbers_are_read_as_decimals(cell, expected):
    value = parse_cell(cell, NUMBER)
    assert value == expected
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("12..3", '"12..3" is not a number'),
        ("12,34", '"12,34" is not a number'),
        ("1e3", '"1e3" is not a number'),
        ("１２３", '"１２３" is not a number'),
        ("£5", '"£5" is not a number'),
        ("12 %", '"12 %" is not a number'),
        ("1_000", '"1_000" is not a number'),
        (True, '"Yes" is a yes or no, not a number'),
        (datetime(2025, 4, 1), '"2025-04-01" is a date, not a number'),
        (float("nan"), "This cell holds an error"),
        (10**18, "is too large"),
    ],
)
def test_anything_but_a_plain_number_is_refused_with_the_value_quoted(cell, message):
    with pytest.raises(CellError) as refused:
        parse_cell(cell, NUMBER)
    assert str(refused.value).startswith(message) or message in str(refused.value)


def test_a_weight_below_zero_is_refused():
    with pytest.raises(CellError, match=r'^"-0.5" is below zero: enter 0 or more$'):
        parse_cell("-0.5", WEIGHT)


def test_an_empty_weight_means_one():
    assert parse_cell(None, WEIGHT) == 1
    assert parse_cell("   ", WEIGHT) == 1


def test_an_empty_required_cell_says_what_is_needed():
    with pytest.raises(CellError, match="This cell is empty; every row needs a name"):
        parse_cell(None, NAME)


@pytest.mark.parametrize(("cell", "expected"), [(3, 3), (3.0, 3), ("4", 4)])
def test_whole_numbers(cell, expected):
    assert parse_cell(cell, workbook.MEASURES.column("decimals")) == expected


@pytest.mark.parametrize("cell", [3.5, "7", "-1", "two"])
def test_whole_numbers_out_of_range_or_not_whole_are_refused(cell):
    with pytest.raises(CellError):
        parse_cell(cell, workbook.MEASURES.column("decimals"))


# ---------------------------------------------------------------- other kinds


@pytest.mark.parametrize("cell", ["Higher is better", "higher", "HIGHER", " higher is BETTER "])
def test_choices_are_accepted_by_value_or_label_in_any_case(cell):
    assert parse_cell(cell, POLARITY) == "higher"


def test_an_initiative_status_may_be_written_with_spaces():
    assert parse_cell("on track", workbook.INITIATIVES.column("status")) == "on_track"


def test_an_unknown_choice_lists_the_choices():
    with pytest.raises(CellError) as refused:
        parse_cell("up", POLARITY)
    assert str(refused.value) == (
        '"up" is not one of: Higher is better, Lower is better, Within a band'
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("2025-04", (2025, 4)), (datetime(2025, 4, 1), (2025, 4)), (date(2026, 3, 9), (2026, 3))],
)
def test_months(cell, expected):
    assert parse_cell(cell, PERIOD) == expected


@pytest.mark.parametrize("cell", ["2025-13", "April 2025", "2025/04", 45000])
def test_anything_but_a_month_is_refused(cell):
    with pytest.raises(CellError, match="is not a month: write it as YYYY-MM"):
        parse_cell(cell, PERIOD)


def test_dates():
    column = workbook.MILESTONES.column("due_date")
    assert parse_cell("2025-06-30", column) == date(2025, 6, 30)
    assert parse_cell(datetime(2025, 6, 30), column) == date(2025, 6, 30)
    with pytest.raises(CellError, match="is not a date"):
        parse_cell("2025-02-30", column)
    with pytest.raises(CellError, match="is not a date"):
        parse_cell("30/06/2025", column)


@pytest.mark.parametrize(
    ("cell", "expected"), [("Yes", True), ("n", False), (True, True), (0, False), (None, False)]
)
def test_yes_or_no(cell, expected):
    assert parse_cell(cell, workbook.ACTUALS.column("not_applicable")) is expected


def test_lists_are_split_on_commas_without_repeats():
    assert parse_cell("emma, marcus,,emma ", workbook.MEASURES.column("stewards")) == (
        "emma",
        "marcus",
    )


# ---------------------------------------------------------------- text


def test_text_loses_control_characters_and_keeps_line_breaks():
    assert parse_cell("Line one\x0bline two\x00\x07\r\nthree ", NAME) == (
        "Line one\nline two\nthree"
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("'=SUM(A1)", "=SUM(A1)"),
        ("'+44 20", "+44 20"),
        ("'-5% drop", "-5% drop"),
        ("'@risk", "@risk"),
        ("''=already", "'=already"),
        ("'hello", "'hello"),
        ("it's fine", "it's fine"),
    ],
)
def test_the_exports_apostrophe_is_removed_and_nothing_else(cell, expected):
    assert parse_cell(cell, NAME) == expected


@pytest.mark.parametrize("text", ["=SUM(A1)", "+44", "-5", "@risk", "'=x", "'hello", "plain"])
def test_neutralising_then_reading_gives_back_the_same_text(text):
    written = workbook.neutralise(text)
    assert written[:1] not in "=+-@"
    assert parse_cell(written, NAME) == text


def test_a_code_with_spaces_is_refused():
    with pytest.raises(CellError, match='"HOU 1" has spaces in it; codes have none'):
        parse_cell("HOU 1", CODE)


def test_text_over_its_limit_is_refused():
    with pytest.raises(CellError, match="is 201 characters long; the limit is 200"):
        parse_cell("x" * 201, NAME)


def test_a_number_in_a_text_column_is_read_as_it_shows():
    assert parse_cell(2025, NAME) == "2025"
    assert parse_cell(2025.0, NAME) == "2025"
    assert parse_cell(0.1 + 0.2, NAME) == "0.3"


# ---------------------------------------------------------------- the archive


def test_a_workbook_passes_the_archive_checks():
    assert workbook.check_archive(xlsx({"Units": [["code", "name"]]})) is None


def test_a_non_zip_is_not_a_workbook():
    assert "not an Excel workbook" in workbook.check_archive(io.BytesIO(b"code,name\n"))


def test_a_zip_without_a_workbook_inside_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert "not an Excel workbook" in workbook.check_archive(buffer)


def test_a_workbook_declaring_a_huge_unpacked_size_is_refused_before_opening():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 3_000_000)
    refusal = workbook.check_archive(buffer, max_uncompressed=2_000_000)
    assert refusal.startswith("The workbook unpacks to 3 MB, more than the 2 MB limit.")


def test_checking_the_archive_leaves_the_file_where_it_was():
    source = xlsx({"Units": [["code", "name"]]})
    source.seek(0)
    workbook.check_archive(source)
    assert source.tell() == 0


# ---------------------------------------------------------------- reading sheets


def lie_about_dimensions(source: io.BytesIO, ref: str) -> io.BytesIO:
    """Rewrite every sheet's <dimension> to claim a different size."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)
            new.writestr(item, data)
    out.seek(0)
    return out


def test_rows_are_counted_not_taken_from_the_declared_dimension():
    rows = [["code", "name"], *([f"U{n}", f"Unit {n}"] for n in range(5))]
    source = lie_about_dimensions(xlsx({"Units": rows}), "A1:A1")

    validation = workbook.validate(source, Known())

    assert validation.counts["Units"] == 5
    assert [row.code for row in validation.rows["Units"]] == ["U0", "U1", "U2", "U3", "U4"]


def test_headings_are_matched_loosely_but_unknown_ones_are_problems():
    source = xlsx(
        {"Units": [["Code", "Name", "Parent code", "colour"], ["U1", "One", None, "red"]]}
    )

    assert problems_of(source) == [
        'Units, row 1, column D: "colour" is not a column this sheet uses; check the spelling'
    ]


def test_a_value_without_a_heading_is_a_problem_once_per_column():
    source = xlsx({"Units": [["code", "name"], ["U1", "One", "stray"], ["U2", "Two", "more"]]})

    assert problems_of(source) == [
        "Units, row 2, column C: There is a value here but no heading in row 1; add one or "
        "clear the column"
    ]


def test_blank_rows_are_skipped_and_row_numbers_stay_the_spreadsheets():
    source = xlsx({"Units": [["code", "name"], ["U1", "One"], [None, "  "], ["U1", "Again"]]})

    assert problems_of(source) == ['Units, row 4, code: "U1" is already on row 2']


def test_the_cover_sheet_is_ignored_and_unknown_sheets_are_problems():
    source = xlsx({"Cover": [["Item", "Detail"]], "Unit": [["code", "name"]]})

    assert problems_of(source) == [
        'Unit: The import does not read a sheet called "Unit". Rename it to one of Units, '
        "Plans, Perspectives, Objectives, Links, Alignments, Measures, Targets, Actuals, "
        "Initiatives, Milestones, or delete it"
    ]


def test_existing_data_is_taken_into_account():
    known = Known(unit_parents={"COUNCIL": ""}, usernames={"priya"})
    source = xlsx({"Units": [["code", "name", "parent_code"], ["HOUSING", "Housing", "COUNCIL"]]})

    assert problems_of(source, known) == []


def test_a_damaged_file_is_refused_with_a_plain_message():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("xl/workbook.xml", "<workbook")
    buffer.seek(0)

    assert problems_of(buffer) == [workbook.checks.UNREADABLE]


# ---------------------------------------------------------------- writing


def test_export_values_follow_their_columns():
    assert workbook.export_value("higher", POLARITY) == "Higher is better"
    assert workbook.export_value((2025, 4), PERIOD) == "2025-04"
    assert workbook.export_value(Decimal("120.000000"), NUMBER) == 120
    assert workbook.export_value(Decimal("0.300000"), NUMBER) == 0.3
    assert workbook.export_value(None, NUMBER) is None
    assert workbook.export_value("", NAME) is None
    assert workbook.export_value(("emma", "marcus"), workbook.MEASURES.column("stewards")) == (
        "emma, marcus"
    )
    assert workbook.export_value("=1+1", NAME) == "'=1+1"
    assert workbook.export_value("a\x0bb", NAME) == "a\nb"


def test_the_writer_puts_every_sheet_as_one_table_from_a1():
    buffer = io.BytesIO()
    rows = {"Units": [workbook.UnitRow(0, "U1", "=cmd", "")]}

    counts = workbook.write_workbook(buffer, rows, [("What this is", "A test")])

    book = openpyxl.load_workbook(buffer)
    assert counts["Units"] == 1
    assert list(book["Units"].iter_rows(values_only=True)) == [
        ("code", "name", "parent_code"),
        ("U1", "'=cmd", None),
    ]
    assert book["Targets"].max_row == 1
    assert book["Units"].freeze_panes == "A2"
    assert Column("x", Kind.TEXT, "").header == "x"


def test_declared_sizes_let_readers_skip_scanning_each_sheet():
    buffer = io.BytesIO()
    rows = {"Units": [workbook.UnitRow(0, "U1", "One", ""), workbook.UnitRow(0, "U2", "Two", "")]}

    workbook.write_workbook(buffer, rows, [], sizes={"Units": 2})

    with zipfile.ZipFile(buffer) as archive:
        names = dict(zip(workbook.SHEETS_BY_NAME, range(2, 13), strict=False))
        sheet = archive.read(f"xl/worksheets/sheet{names['Units']}.xml").decode()
    assert '<dimension ref="A1:C3"' in sheet
    assert openpyxl.load_workbook(buffer, read_only=True)["Units"].max_row == 3


def test_a_sheet_that_does_not_match_its_declared_size_is_an_error():
    rows = {"Units": [workbook.UnitRow(0, "U1", "One", "")]}

    with pytest.raises(ValueError, match="Units has 1 rows, not the 2 declared"):
        workbook.write_workbook(io.BytesIO(), rows, [], sizes={"Units": 2})
