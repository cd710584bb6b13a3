"""People import from CSV: read the file, plan the changes, write them in one transaction.

Three steps, each usable on its own:

- ``people_csv_parse`` (``parse``) reads the bytes and checks every row on its own,
  without the database: header, email and date syntax, duplicates within the file,
  self-management.
- ``people_import_check`` (``plan``) plans against the database and writes nothing: it
  resolves departments, teams, locations and managers, finds manager cycles (also those
  closed by people already stored) and counts what would be created, updated or left
  unchanged.
- ``people_import`` (``write``) makes the same plan and writes it with bulk queries, in one
  transaction, with one audit entry.

``import_people_cli`` (``cli``) runs these from the command line and prints the report.
The format is documented for users in ``docs/people-import.md``.
"""

from rallypoint.people.importing.cli import import_people_cli, report_lines
from rallypoint.people.importing.parse import (
    COLUMNS,
    MAX_UPLOAD_BYTES,
    ImportRow,
    ParsedFile,
    RowError,
    people_csv_parse,
)
from rallypoint.people.importing.plan import ImportReport, people_import_check
from rallypoint.people.importing.write import people_import

__all__ = [
    "COLUMNS",
    "MAX_UPLOAD_BYTES",
    "ImportReport",
    "ImportRow",
    "ParsedFile",
    "RowError",
    "import_people_cli",
    "people_csv_parse",
    "people_import",
    "people_import_check",
    "report_lines",
]
