"""Reading a people CSV file and checking each row on its own, without the database.

``people_csv_parse`` decodes the bytes, finds the delimiter, checks the header and then
every cell: email and date syntax, text lengths, time zones, languages, duplicate emails
within the file and people named as their own manager.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import difflib
import io
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

COLUMNS = (
    "email",
    "display_name",
    "job_title",
    "department",
    "team",
    "location",
    "manager_email",
    "hire_date",
    "birthday",
    "pronouns",
    "time_zone",
    "language",
    "active",
)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_TIME_ZONES = {tz.lower(): tz for tz in zoneinfo.available_timezones()}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BIRTHDAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_YES = {"yes", "y", "true", "1", "active"}
_NO = {"no", "n", "false", "0", "inactive", "left"}
_TEXT_LIMITS = {"display_name": 120, "job_title": 120, "pronouns": 40}


@dataclass(frozen=True)
class RowError:
    """One problem with one row. ``line`` is the line in the file (the header is line 1)."""

    line: int
    email: str
    message: str


@dataclass
class ImportRow:
    """A row with a usable email; ``values`` holds the cells that passed their checks."""

    line: int
    email: str
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)


@dataclass
class ParsedFile:
    name: str
    columns: tuple[str, ...] = ()
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return len(self.rows) + len({e.line for e in self.errors})


class _CellError(Exception):
    pass


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _CellError(
            _(
                "This is a spreadsheet workbook, not a CSV file. In your spreadsheet "
                "program, save it as “CSV UTF-8 (comma delimited)” and upload that file."
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _CellError(
            _(
                "The file is not UTF-8 text (the first unreadable character is on line "
                "%(line)s). Save it as “CSV UTF-8” and try again."
            )
            % {"line": line}
        ) from exc
    if "\x00" in text:
        raise _CellError(_("The file holds binary data; it is not a CSV file."))
    return text


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _check_header(header: list[str]) -> tuple[tuple[str, ...], list[str]]:
    names = [_header_name(cell) for cell in header]
    while names and not names[-1]:
        names.pop()
    errors: list[str] = []
    if any("@" in n for n in names):
        errors.append(
            _(
                "The first line looks like a person, not a header. The first line must name "
                "the columns, for example: email,display_name,manager_email"
            )
        )
        return (), errors
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            errors.append(_("Column %(n)s has no name in the header.") % {"n": position})
        elif name in seen:
            errors.append(_("The column “%(name)s” appears twice.") % {"name": name})
        elif name == "role":
            errors.append(
                _(
                    "The “role” column is not imported: roles are given on each person's "
                    "page, where the change is recorded. Remove the column."
                )
            )
        elif name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = _(" Did you mean “%(name)s”?") % {"name": close[0]} if close else ""
            errors.append(
                _("Unknown column “%(name)s”.%(hint)s The columns are: %(columns)s.")
                % {"name": name, "hint": hint, "columns": ", ".join(COLUMNS)}
            )
        seen.add(name)
    if "email" not in names:
        errors.append(_("The header has no “email” column; every row needs one."))
    return tuple(names), errors


def _clean_email(value: str) -> str:
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise _CellError(_("invalid email “%(value)s”") % {"value": value}) from exc
    return email


def _clean_cell(column: str, value: str) -> Any:
    if column in _TEXT_LIMITS:
        if len(value) > _TEXT_LIMITS[column]:
            raise _CellError(
                _("%(column)s is longer than %(max)s characters")
                % {"column": column, "max": _TEXT_LIMITS[column]}
            )
        return value
    if column in ("department", "team", "location"):
        if len(value) > 120:
            raise _CellError(_("%(column)s is longer than 120 characters") % {"column": column})
        return value
    if not value:
        return None
    if column == "manager_email":
        return _clean_email(value)
    if column == "hire_date":
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            day = datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise _CellError(
                _("bad hire_date “%(value)s”: use YYYY-MM-DD, like 2024-03-18") % {"value": value}
            ) from exc
        if day.year < 1900:
            raise _CellError(
                _("bad hire_date “%(value)s”: the year is too early") % {"value": value}
            )
        return day
    if column == "birthday":
        match = _BIRTHDAY.match(value)
        try:
            if not match:
                raise ValueError(value)
            month, mday = int(match.group(1)), int(match.group(2))
            datetime.date(2000, month, mday)  # 2000 is a leap year: 02-29 is a birthday
        except ValueError as exc:
            raise _CellError(
                _("bad birthday “%(value)s”: use MM-DD, like 07-14 (no year)") % {"value": value}
            ) from exc
        return (month, mday)
    if column == "time_zone":
        zone = _TIME_ZONES.get(value.lower())
        if zone is None:
            raise _CellError(
                _("unknown time_zone “%(value)s”: use a name like Europe/Berlin") % {"value": value}
            )
        return zone
    if column == "language":
        codes = {code for code, _name in settings.LANGUAGES}
        if value.lower() not in codes:
            raise _CellError(
                _("unknown language “%(value)s”: use one of %(codes)s")
                % {"value": value, "codes": ", ".join(sorted(codes))}
            )
        return value.lower()
    if column == "active":
        if value.lower() in _YES:
            return True
        if value.lower() in _NO:
            return False
        raise _CellError(_("bad active “%(value)s”: use yes or no") % {"value": value})
    raise AssertionError(column)


def people_csv_parse(*, data: bytes, name: str = "") -> ParsedFile:
    """Read a people CSV file and check each row on its own. Touches no database."""
    parsed = ParsedFile(name=name)
    try:
        text = _decode(data)
    except _CellError as exc:
        parsed.file_errors.append(str(exc))
        return parsed
    if not text.strip():
        parsed.file_errors.append(_("The file is empty."))
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
        columns, header_errors = _check_header(header)
        if header_errors:
            parsed.file_errors.extend(header_errors)
            return parsed
        parsed.columns = columns
        first_seen: dict[str, int] = {}
        duplicates: set[str] = set()
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in cells):
                continue
            row = _parse_row(line, columns, cells)
            if row is None:
                email_cell = cells[0] if cells else ""
                if "email" in columns and columns.index("email") < len(cells):
                    email_cell = cells[columns.index("email")].strip()
                message = (
                    _("missing email")
                    if not email_cell
                    else _("invalid email “%(value)s”") % {"value": email_cell}
                )
                parsed.errors.append(RowError(line, email_cell, message))
                continue
            if row.email in first_seen:
                duplicates.add(row.email)
            else:
                first_seen[row.email] = line
            parsed.rows.append(row)
    except csv.Error as exc:
        parsed.file_errors.append(
            _("Line %(line)s is not valid CSV (%(reason)s). Check the quotes on that line.")
            % {"line": reader.line_num, "reason": exc}
        )
        return parsed
    except StopIteration:
        parsed.file_errors.append(_("The file is empty."))
        return parsed
    for row in parsed.rows:
        if row.email in duplicates:
            lines = [str(r.line) for r in parsed.rows if r.email == row.email]
            row.errors.append(
                _("duplicate email in the file (lines %(lines)s)") % {"lines": ", ".join(lines)}
            )
    if not parsed.rows and not parsed.errors:
        parsed.file_errors.append(_("The file has a header but no people."))
    return parsed


def _parse_row(line: int, columns: tuple[str, ...], cells: list[str]) -> ImportRow | None:
    """A row with a valid email, or None when the email is missing or invalid."""
    extra = [c for c in cells[len(columns) :] if c.strip()]
    cells = [c.strip() for c in cells[: len(columns)]]
    cells += [""] * (len(columns) - len(cells))
    values = dict(zip(columns, cells, strict=True))
    try:
        email = _clean_email(values.pop("email"))
    except _CellError:
        return None
    row = ImportRow(line=line, email=email, values={})
    if extra:
        row.errors.append(
            _("the row has %(count)s more values than the header has columns")
            % {"count": len(extra)}
        )
    for column, value in values.items():
        try:
            row.values[column] = _clean_cell(column, value)
        except _CellError as exc:
            row.errors.append(str(exc))
            row.failed.add(column)
    if row.values.get("manager_email") == email:
        row.errors.append(_("a person cannot be their own manager"))
    return row
