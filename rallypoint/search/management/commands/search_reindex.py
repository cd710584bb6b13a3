from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rallypoint.search.indexing import search_reindex


class Command(BaseCommand):
    help = "Rebuild the search index from every post, comment, person and space."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = search_reindex()
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(f"Search index rebuilt: {summary}.")
