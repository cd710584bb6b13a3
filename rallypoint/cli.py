"""The ``rallypoint`` command.

rallypoint serve [--host H] [--port P] [--workers N]
rallypoint worker [--workers N]
rallypoint demo [--people N] [--no-serve]
rallypoint import-people FILE.csv [--skip-invalid] [--dry-run] [--create-missing]
rallypoint bench [NAME ...] [--scale S] [--json FILE]
rallypoint search-reindex
rallypoint manage COMMAND [ARGS ...]      (any Django management command)
"""

from __future__ import annotations

import argparse
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rallypoint.config.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rallypoint", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the web app (and jobs, without REDIS_URL)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
    serve.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")

    worker = sub.add_parser("worker", help="run background jobs")
    worker.add_argument("--workers", type=int, help="consumer threads (default: JOB_WORKERS)")

    demo = sub.add_parser("demo", help="migrate, seed the Northwind demo company once, serve")
    demo.add_argument("--people", type=int, default=260, help="employees to create (min 250)")
    demo.add_argument("--no-serve", action="store_true", help="seed only")
    demo.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    demo.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    imp = sub.add_parser("import-people", help="create or update people from a CSV file")
    imp.add_argument("file")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid rows anyway")
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp.add_argument(
        "--create-missing",
        action="store_true",
        help="create the departments, teams and locations the file names but that do not exist",
    )

    bench = sub.add_parser("bench", help="run benchmarks from bench/")
    bench.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    bench.add_argument("--json", dest="json_file", help="write the figures to this file")
    bench.add_argument("--scale", help="passed to each benchmark (e.g. small, full)")

    sub.add_parser("search-reindex", help="rebuild the search index")

    manage = sub.add_parser("manage", help="a Django management command", add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)

    if args.command == "manage":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rallypoint.config.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["rallypoint manage", *args.args])
        return 0

    if args.command == "bench":
        from rallypoint.core.bench import run_benchmarks

        extra = ["--scale", args.scale] if args.scale else []
        return run_benchmarks(names=args.names, json_file=args.json_file, extra=extra)

    if args.command in {"serve", "demo"}:
        # Settings derive the default BASE_URL (links in emails, the demo's sign-in
        # line) from the port actually served.
        os.environ["PORT"] = str(args.port)
    _setup_django()

    if args.command == "serve":
        from rallypoint.core.runner import serve

        if not args.no_migrate:
            _migrate()
        return serve(host=args.host, port=args.port, workers=args.workers)

    if args.command == "worker":
        from django.conf import settings

        from rallypoint.core.runner import worker

        return worker(workers=args.workers or settings.JOB_WORKERS)

    if args.command == "demo":
        from rallypoint.core.runner import serve
        from rallypoint.people.seed import seed_demo_company

        _migrate()
        seed_demo_company(people=args.people, out=sys.stdout)
        if args.no_serve:
            return 0
        return serve(host=args.host, port=args.port, workers=1)

    if args.command == "search-reindex":
        from django.core.management import call_command

        call_command("search_reindex")
        return 0

    if args.command == "import-people":
        from rallypoint.people.importing import import_people_cli

        return import_people_cli(
            path=args.file,
            skip_invalid=args.skip_invalid,
            dry_run=args.dry_run,
            create_missing=args.create_missing,
            out=sys.stdout,
        )

    return 2


if __name__ == "__main__":
    sys.exit(main())
