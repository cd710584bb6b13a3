"""Benchmark: the people pages and the CSV import at company scale.

Seeds a Northwind of ``--scale`` size (small: 1,000 people; full: 10,000) in the
benchmark's own database, then measures, per page, the server time (p50/p95 over
``--repeat`` requests through Django's test client, so without network) and the SQL
queries of one request; then times a CSV import of every person (unchanged, then with a
changed job title for each).

    rallypoint bench people [--scale small|full] [--json FILE]
"""

from __future__ import annotations

import csv
import io
import time

from _common import measure, parser, report, setup_django

SCALES = {"small": 1_000, "full": 10_000}


def main() -> None:
    args = parser(__doc__.split("\n")[0]).parse_args()
    people = SCALES.get(args.scale)
    if people is None:
        raise SystemExit(f"--scale must be one of {', '.join(SCALES)}")
    setup_django(f"people-{args.scale}")

    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from rallypoint.people.importing import people_csv_parse, people_import
    from rallypoint.people.models import Department, User
    from rallypoint.people.seed import demo_company_seed

    result: dict = {"scale": {"people": people}, "pages": {}, "import": {}}
    if User.objects.count() != people:
        User.objects.all().delete()
        Department.objects.all().delete()
        started = time.perf_counter()
        demo_company_seed(people=people)
        result["seed_seconds"] = round(time.perf_counter() - started, 2)

    admin = User.objects.get(email="admin@northwind.example")
    busiest = User.objects.annotate(n=Count("direct_reports")).order_by("-n", "pk").first()
    department = Department.objects.order_by("-pk").first()
    assert busiest is not None and department is not None
    client = Client()
    client.force_login(admin)

    def page(url: str):
        def fetch() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return fetch

    pages = {
        "home": reverse("home"),
        "directory": reverse("people_directory"),
        "directory_search": reverse("people_directory") + "?q=engineer",
        "directory_department": reverse("people_directory") + f"?department={department.pk}",
        "profile_busiest_manager": reverse("people_profile", args=[busiest.pk]),
        "org_chart_busiest_manager": reverse("people_org_chart") + f"?person={busiest.pk}",
    }
    for name, url in pages.items():
        result["pages"][name] = measure(page(url), args.repeat)

    columns = ["email", "display_name", "job_title", "manager_email"]
    rows = User.objects.select_related("manager").order_by("pk")

    def csv_bytes(title_suffix: str) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for person in rows:
            manager = person.manager.email if person.manager else ""
            writer.writerow(
                [person.email, person.display_name, person.job_title + title_suffix, manager]
            )
        return out.getvalue().encode()

    for label, suffix in (("unchanged", ""), ("all_titles_changed", " (bench)")):
        data = csv_bytes(suffix)
        started = time.perf_counter()
        parsed = people_csv_parse(data=data, name="bench.csv")
        outcome = people_import(actor=admin, rows=parsed)
        result["import"][label] = {
            "rows": people,
            "seconds": round(time.perf_counter() - started, 2),
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
        }
    # Put the titles back so a second run measures the same data.
    people_import(actor=admin, rows=people_csv_parse(data=csv_bytes(""), name="bench.csv"))
    report(result, args.json_file)


if __name__ == "__main__":
    main()
