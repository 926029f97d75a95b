"""One cell at a time: strict parsing of what a workbook holds, and values for writing.

Numbers: a numeric cell keeps at most 15 significant digits (Excel's own limit, which also
drops binary noise such as 0.30000000000000004); text numbers are plain ASCII digits, with
commas only between groups of three and at most one decimal point. Text loses control
characters (a vertical tab becomes a line break) and outer spaces. Exported text that a
spreadsheet would run as a formula gets an apostrophe in front; reading removes exactly it.
"""

import math
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from strategy.workbook.sheets import Column, Kind

INJECTION_STARTS = frozenset("=+-@\t\r")
# Decimal places kept, and the digits allowed before the point, by kind of number.
_PLACES = {Kind.NUMBER: (6, 18), Kind.WEIGHT: (3, 6), Kind.SHARE: (4, 2), Kind.MONEY: (2, 12)}
_NOT_NEGATIVE = {Kind.WEIGHT, Kind.SHARE, Kind.MONEY}


def month_text(month: tuple[int, int]) -> str:
    """A month as the workbook writes it: 2025-04."""
    return f"{month[0]:04d}-{month[1]:02d}"


def quote(value: Any) -> str:
    """A cell's value quoted for a message, shortened if long."""
    text = _text_of(value) if not isinstance(value, str) else value
    return f'"{text[:60]}…"' if len(text) > 60 else f'"{text}"'


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_NUMBER_TEXT = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_WHOLE_TEXT = re.compile(r"[0-9]{1,9}")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


class CellError(ValueError):
    """A cell that does not hold what its column needs; the message says what to do."""


def clean_text(text: str) -> str:
    """Text as stored: line breaks as \\n, no control characters, no outer spaces."""
    if text.isprintable():  # the usual case, and a fast one: nothing to replace or remove
        return text.strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n")
    return _CONTROL.sub("", text).strip()


def _float_text(value: float) -> str:
    # Excel keeps 15 significant digits; more is binary noise (0.1 + 0.2 = 0.30000000000000004).
    text = format(value, ".15g")
    return format(Decimal(text), "f") if "e" in text else text


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _needs_quote(text: str) -> bool:
    # Formula-like text, or text that already starts with the apostrophe the export adds.
    return text[:1] in INJECTION_STARTS or (text[:1] == "'" and text[1:2] in INJECTION_STARTS)


def read_text(value: Any) -> str:
    text = value if type(value) is str else _text_of(value)
    # Undo exactly the apostrophe the export adds in front of formula-like text.
    if text[:1] == "'" and _needs_quote(text[1:]):
        text = text[1:]
    return clean_text(text)


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if type(value) is not str:
        return False
    return not value.strip() or not clean_text(value)


def row_is_blank(values: Sequence[Any]) -> bool:
    # Most rows are decided by their first cell; look at it before building a generator.
    if values and not is_blank(values[0]):
        return False
    return all(is_blank(value) for value in values)


_LIMITS = {kind: Decimal(10) ** digits for kind, (_, digits) in _PLACES.items()}
_STEPS = {kind: Decimal(1).scaleb(-places) for kind, (places, _) in _PLACES.items()}


def _decimal_of(value: Any) -> Decimal:
    kind = type(value)
    if kind is float:
        if not math.isfinite(value):
            raise CellError("This cell holds an error or an endless number, not a number")
        return Decimal(_float_text(value))
    if kind is int:
        return Decimal(value)
    if kind is bool:
        raise CellError(f"{quote(value)} is a yes or no, not a number")
    if kind is not str:
        raise CellError(f"{quote(value)} is a date, not a number")
    text = read_text(value)
    if not _NUMBER_TEXT.fullmatch(text):
        raise CellError(
            f"{quote(text)} is not a number. Write digits with at most one decimal "
            "point, like 1234.5 or 1,234.5, with no units or symbols"
        )
    return Decimal(text.replace(",", ""))


def _parse_decimal(value: Any, column: Column) -> Decimal:
    kind = column.kind
    number = _decimal_of(value)
    if abs(number) >= _LIMITS[kind]:
        digits = _PLACES[kind][1]
        raise CellError(f"{quote(value)} is too large: at most {digits} digits before the point")
    if kind in _NOT_NEGATIVE and number < 0:
        raise CellError(f"{quote(value)} is below zero: enter 0 or more")
    if number.as_tuple().exponent < -_PLACES[kind][0]:
        number = number.quantize(_STEPS[kind], rounding=ROUND_HALF_UP)
    return number


def _parse_whole(value: Any, column: Column) -> int:
    if type(value) is float and value.is_integer():
        value = int(value)
    if type(value) is int:
        number = value
    elif type(value) is str and _WHOLE_TEXT.fullmatch(read_text(value)):
        number = int(read_text(value))
    else:
        raise CellError(f"{quote(value)} is not a whole number")
    if not column.low <= number <= column.high:
        raise CellError(
            f"{quote(value)} is out of range: enter a whole number from "
            f"{column.low} to {column.high}"
        )
    return number


def _parse_yes_no(value: Any, column: Column) -> bool:
    if type(value) is bool:
        return value
    text = read_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"{quote(value)} is not yes or no: write Yes or No")


def _parse_date(value: Any, column: Column) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = read_text(value) if type(value) is str else ""
    if _DATE_TEXT.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise CellError(f"{quote(value)} is not a date: write it as YYYY-MM-DD, like 2026-03-31")


def _parse_month(value: Any, column: Column) -> tuple[int, int]:
    # Excel turns a typed "2025-04" into a date; take its year and month.
    if isinstance(value, datetime | date):
        return value.year, value.month
    match = _MONTH_TEXT.fullmatch(read_text(value)) if type(value) is str else None
    if match and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    raise CellError(f"{quote(value)} is not a month: write it as YYYY-MM, like 2025-04")


_LOOKUPS: dict[int, dict[str, str]] = {}


def _choice_lookup(column: Column) -> dict[str, str]:
    # Built once per list of choices: every row of a big sheet asks.
    lookup = _LOOKUPS.get(id(column.choices))
    if lookup is None:
        lookup = {}
        for value, label in column.choices:
            for name in (value, label, value.replace("_", " ")):
                lookup[name.lower()] = value
        _LOOKUPS[id(column.choices)] = lookup
    return lookup


def _parse_choice(value: Any, column: Column) -> str:
    found = _choice_lookup(column).get(read_text(value).lower())
    if found is None:
        labels = ", ".join(label for _, label in column.choices)
        raise CellError(f"{quote(value)} is not one of: {labels}")
    return found


def _parse_list(value: Any, column: Column) -> tuple[str, ...]:
    names = (clean_text(part) for part in read_text(value).split(","))
    return tuple(dict.fromkeys(name for name in names if name))


def _parse_text(value: Any, column: Column) -> str:
    text = read_text(value)
    if column.max_length and len(text) > column.max_length:
        raise CellError(f"is {len(text):,} characters long; the limit is {column.max_length:,}")
    if column.kind is Kind.CODE and _SPACE.search(text):
        raise CellError(f"{quote(text)} has spaces in it; codes have none")
    return text


_SPACE = re.compile(r"\s")
_PARSERS: dict[Kind, Callable[[Any, Column], Any]] = {
    **dict.fromkeys(_PLACES, _parse_decimal),
    Kind.WHOLE: _parse_whole,
    Kind.YES_NO: _parse_yes_no,
    Kind.DATE: _parse_date,
    Kind.MONTH: _parse_month,
    Kind.CHOICE: _parse_choice,
    Kind.USERS: _parse_list,
    Kind.CODES: _parse_list,
    Kind.TEXT: _parse_text,
    Kind.CODE: _parse_text,
    Kind.USER: _parse_text,
}


def parse_cell(value: Any, column: Column) -> Any:
    """The cell's value as its column needs it, or CellError with what to do."""
    if is_blank(value):
        if column.required:
            raise CellError(f"This cell is empty; every row needs a {column.name}")
        return empty_value(column)
    return _PARSERS[column.kind](value, column)


_EMPTY: dict[Kind, Any] = {
    Kind.TEXT: "",
    Kind.CODE: "",
    Kind.USER: "",
    Kind.USERS: (),
    Kind.CODES: (),
}


def empty_value(column: Column) -> Any:
    """What an empty cell (or a column left out) means for this column."""
    return column.default if column.default is not None else _EMPTY.get(column.kind)


def neutralise(text: str) -> str:
    """Text safe for a cell: cleaned, and never read as a formula by a spreadsheet."""
    text = clean_text(text)
    return "'" + text if _needs_quote(text) else text


def export_value(value: Any, column: Column) -> Any:
    """A row's value as its column writes it into a cell."""
    if value is None or value == "" or value == ():
        return None
    kind = column.kind
    if kind is Kind.CHOICE:
        return dict(column.choices).get(value, value)
    if kind is Kind.MONTH:
        return month_text(value)
    if kind is Kind.YES_NO:
        return bool(value)  # a TRUE/FALSE cell, which any spreadsheet reads as yes or no
    if kind in (Kind.USERS, Kind.CODES):
        return neutralise(", ".join(value))
    if kind in (Kind.TEXT, Kind.CODE, Kind.USER):
        return neutralise(str(value)) or None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
