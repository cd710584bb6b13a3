"""Small query pieces shared by the selectors of several apps."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def count_subquery(rows: QuerySet[Any], *, per: str) -> Coalesce:
    """How many of ``rows`` each outer row has, 0 when none: one subquery, no N+1.

    ``rows`` is filtered on ``OuterRef``; ``per`` is the field that points at the outer row.
    """
    counts = rows.order_by().values(per).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))
