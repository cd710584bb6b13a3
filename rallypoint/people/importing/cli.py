"""The ``rallypoint import-people`` command: runs an import and prints its report."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from rallypoint.people.importing.parse import people_csv_parse
from rallypoint.people.importing.plan import ImportReport, people_import_check
from rallypoint.people.importing.write import people_import


def report_lines(report: ImportReport) -> list[str]:
    """The report as plain text lines, for the command line."""
    lines: list[str] = []
    if report.file_errors:
        lines.append(_("The file cannot be imported:"))
        lines += [f"  {message}" for message in report.file_errors]
        return lines
    counts = {
        "file": report.file_name,
        "rows": report.total_rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
    }
    if report.written:
        summary = _(
            "%(file)s: %(rows)s rows. Created %(created)s, updated %(updated)s, "
            "unchanged %(unchanged)s, not imported because of errors %(skipped)s."
        )
    else:
        summary = _(
            "%(file)s: %(rows)s rows. To create %(created)s, to update %(updated)s, "
            "unchanged %(unchanged)s, with errors %(skipped)s."
        )
    lines.append(summary % counts)
    if report.deactivated:
        lines.append(_("Deactivated: %(n)s.") % {"n": report.deactivated})
    for label, names in (
        (_("New departments"), report.new_departments),
        (_("New teams"), report.new_teams),
        (_("New locations"), report.new_locations),
    ):
        if names:
            lines.append(f"{label}: {', '.join(names)}")
    if report.errors:
        lines.append(_("Errors (%(n)s):") % {"n": len(report.errors)})
        lines += [
            _("  line %(line)s%(email)s: %(message)s")
            % {"line": e.line, "email": f" ({e.email})" if e.email else "", "message": e.message}
            for e in report.errors
        ]
    if report.dry_run:
        lines.append(_("Checked only: nothing was written."))
    elif not report.written:
        lines.append(
            _(
                "Nothing was written because of the errors above. Fix them, or import the "
                "valid rows with --skip-invalid."
            )
        )
    return lines


def import_people_cli(
    *,
    path: str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    create_missing: bool = False,
    out: IO[str],
) -> int:
    """``rallypoint import-people``: 0 when every row was fine, 1 with errors, 2 unreadable."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        out.write(_("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror})
        out.write("\n")
        return 2
    parsed = people_csv_parse(data=data, name=file.name)
    if dry_run:
        report = people_import_check(rows=parsed, create_missing=create_missing)
    else:
        report = people_import(
            actor=None, rows=parsed, skip_invalid=skip_invalid, create_missing=create_missing
        )
    out.write("\n".join(report_lines(report)) + "\n")
    return 1 if report.has_errors else 0
