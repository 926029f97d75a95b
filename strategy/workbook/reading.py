"""Reading a workbook safely: the zip checks, the sheet reader, problems, and the spool.

Nothing here trusts the file. `check_archive` judges the zip directory before openpyxl opens
anything; sheets are streamed in read-only mode with their dimensions reset and their rows
counted here; the big sheets' parsed rows wait on disk in a `Spool`, so memory does not grow
with their length.
"""

import pickle
import re
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl.utils import get_column_letter

from strategy.workbook.cells import (
    CellError,
    empty_value,
    is_blank,
    parse_cell,
    quote,
    read_text,
    row_is_blank,
)
from strategy.workbook.sheets import Column, Kind, Sheet

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_ROWS = 1_000_000
MAX_PROBLEMS = 1_000

Source = str | Path | IO[bytes]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the workbook, where it is and what to do about it."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        row = f"row {self.row}" if self.row else ""
        place = ", ".join(part for part in (self.sheet, row, self.column) if part)
        return f"{place}: {self.message}" if place else self.message


class Problems:
    """Problems in the order found; past the limit only counted, to keep memory flat."""

    def __init__(self, limit: int | None = None) -> None:
        self.items: list[Problem] = []
        self.more = 0
        self.limit = limit or MAX_PROBLEMS

    def add(self, sheet: str, row: int | None, column: str, message: str) -> None:
        """Note a problem; past the limit it is only counted."""
        if len(self.items) < self.limit:
            self.items.append(Problem(sheet, row, column, message))
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items) + self.more


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.0f} KB"


def check_archive(source: Source, *, max_uncompressed: int | None = None) -> str | None:
    """Why the file cannot be read as a workbook, judged from its zip directory; None if fine."""
    max_uncompressed = max_uncompressed or MAX_UNCOMPRESSED
    not_xlsx = (
        "This file is not an Excel workbook (.xlsx). Open it in Excel, save it as "
        '"Excel Workbook (.xlsx)" and upload that.'
    )
    start = source.tell() if hasattr(source, "tell") else None
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return not_xlsx
    finally:
        if start is not None:
            source.seek(start)
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return not_xlsx
    if len(entries) > MAX_ZIP_ENTRIES:
        return (
            f"The workbook holds {len(entries):,} parts, more than the {MAX_ZIP_ENTRIES:,} allowed."
        )
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > max_uncompressed:
        return (
            f"The workbook unpacks to {_size(unpacked)}, more than the {_size(max_uncompressed)} "
            "limit. Split it into smaller workbooks, for example a few units at a time."
        )
    return None


# ---------------------------------------------------------------- rows


def _header_name(value: Any) -> str:
    text = re.sub(r"\s*\(.*\)\s*$", "", read_text(value)) if not is_blank(value) else ""
    return re.sub(r"[\s-]+", "_", text.strip().lower())


class SheetReader:
    """Rows of one sheet as dataclasses, with a problem for each cell that does not parse."""

    def __init__(self, worksheet, sheet: Sheet, problems: Problems) -> None:
        self.worksheet = worksheet
        self.sheet = sheet
        self.problems = problems
        self.positions: list[tuple[int, Column]] = []
        self.silent: set[int] = set()  # columns read, or already reported
        self.covered = 0  # every column before this one is silent
        self.defaults = {column.name: empty_value(column) for column in sheet.columns}
        self.memos: dict[int, dict[str, Any]] = defaultdict(dict)
        self.count = 0

    def rows(self) -> Iterator[Any]:
        """Each non-blank row, parsed; rows are counted here, not taken from <dimension>."""
        self.worksheet.reset_dimensions()
        cells = self.worksheet.iter_rows(values_only=True)
        self._read_header(next(cells, ()))
        for number, values in enumerate(cells, start=2):
            if row_is_blank(values):
                continue
            self.count += 1
            if self.count > MAX_ROWS:
                self.problems.add(self.sheet.name, number, "", _too_many_rows())
                return
            yield self._parse(number, values)

    def _read_header(self, header: Sequence[Any]) -> None:
        by_name = {column.name: column for column in self.sheet.columns}
        seen: set[str] = set()
        for index, value in enumerate(header):
            name = _header_name(value)
            if not name:
                continue
            self._silence(index)
            if name in by_name and name not in seen:
                self.positions.append((index, by_name[name]))
                seen.add(name)
            else:
                self._header_problem(index, value, name in seen)
        for column in self.sheet.columns:
            if column.required and column.name not in seen:
                self.problems.add(
                    self.sheet.name, 1, column.name, "This column is missing from row 1"
                )

    def _header_problem(self, index: int, value: Any, repeated: bool) -> None:
        letter = get_column_letter(index + 1)
        if repeated:
            message = f"{quote(value)} is a second column with the same heading; remove one"
        else:
            message = f"{quote(value)} is not a column this sheet uses; check the spelling"
        self.problems.add(self.sheet.name, 1, f"column {letter}", message)

    def _parse(self, number: int, values: Sequence[Any]) -> Any:
        parsed = dict(self.defaults)
        for index, column in self.positions:
            value = values[index] if index < len(values) else None
            if value is None and not column.required:
                continue  # the default is already in place
            try:
                parsed[column.name] = self._parse_cell(index, value, column)
            except CellError as error:
                parsed[column.name] = None
                self.problems.add(self.sheet.name, number, column.name, str(error))
        if len(values) > self.covered:
            self._check_unheaded(number, values)
        return self.sheet.row_type(row=number, **parsed)

    def _parse_cell(self, index: int, value: Any, column: Column) -> Any:
        # Big sheets repeat the same codes, months and choices on every row: parse each once.
        if type(value) is not str or column.kind not in _MEMO_KINDS:
            return parse_cell(value, column)
        memo = self.memos[index]
        if value not in memo:
            parsed = parse_cell(value, column)
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[value] = parsed
        return memo[value]

    def _silence(self, index: int) -> None:
        self.silent.add(index)
        while self.covered in self.silent:
            self.covered += 1

    def _check_unheaded(self, number: int, values: Sequence[Any]) -> None:
        for index, value in enumerate(values):
            if index in self.silent or is_blank(value):
                continue
            self._silence(index)  # report once per column, not on every row
            self.problems.add(
                self.sheet.name,
                number,
                f"column {get_column_letter(index + 1)}",
                "There is a value here but no heading in row 1; add one or clear the column",
            )


_MEMO_KINDS = frozenset({Kind.CODE, Kind.MONTH, Kind.CHOICE, Kind.USER})
_MEMO_SIZE = 20_000


def _too_many_rows() -> str:
    return f"The sheet has more than {MAX_ROWS:,} rows; split the workbook into smaller ones"


# ---------------------------------------------------------------- the spool


class Spool:
    """Parsed rows of the big sheets, pickled in batches to a private temporary file.

    Each row is kept as a plain tuple of its fields in `row_fields` order (without the row
    number): tuples pickle several times faster than dataclasses.
    """

    BATCH = 5_000

    def __init__(self) -> None:
        self._files: dict[str, IO[bytes]] = {}
        self._pending: dict[str, list] = defaultdict(list)

    def add(self, sheet: str, row: Any) -> None:
        pending = self._pending[sheet]
        pending.append(row)
        if len(pending) >= self.BATCH:
            self._flush(sheet)

    def _flush(self, sheet: str) -> None:
        if not self._pending[sheet]:
            return
        if sheet not in self._files:
            # Closed in close(); the spool outlives any one method.
            self._files[sheet] = tempfile.TemporaryFile(prefix="scorecard-import-")  # noqa: SIM115
        pickle.dump(self._pending[sheet], self._files[sheet], pickle.HIGHEST_PROTOCOL)
        self._pending[sheet] = []

    def batches(self, sheet: str) -> Iterator[list]:
        """The sheet's rows in the order they were added, a batch at a time."""
        self._flush(sheet)
        spooled = self._files.get(sheet)
        if spooled is None:
            return
        spooled.seek(0)
        while True:
            try:
                # Safe: the file is our own private temporary file, written just above.
                yield pickle.load(spooled)  # noqa: S301
            except EOFError:
                return

    def close(self) -> None:
        for spooled in self._files.values():
            spooled.close()
        self._files.clear()

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
