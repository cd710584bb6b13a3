from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main navigation: only pages that exist and that this person may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "admin_nav_items": []}
    items = [
        (_("Home"), reverse("home")),
        (_("Spaces"), reverse("spaces_list")),
        (_("Announcements"), reverse("announce_list")),
        (_("People"), reverse("people_directory")),
        (_("Org chart"), reverse("people_org_chart")),
        (_("Share"), reverse("advocacy_library")),
        (_("Campaigns"), reverse("advocacy_campaigns")),
    ]
    admin_items: list[tuple[str, str]] = []
    if user.is_communications:
        # People named curators reach the same pages from the library itself; asking
        # here would cost every page a query.
        admin_items = [
            (_("Content review"), reverse("advocacy_review")),
            (_("Manage the library"), reverse("advocacy_manage")),
            (_("Manage campaigns"), reverse("advocacy_campaign_manage")),
            (_("Policy acknowledgements"), reverse("governance_policy_report")),
        ]
    if user.is_administrator:
        admin_items += [
            (_("Social media policy"), reverse("governance_policy_manage")),
            (_("Share rules"), reverse("governance_rules")),
            (_("Invitations"), reverse("people_invitations")),
            (_("Import people"), reverse("people_import")),
            (_("Spaces settings"), reverse("spaces_admin_settings")),
            (_("Audit log"), reverse("audit_log")),
            (_("Django admin"), reverse("admin:index")),
        ]
    current = _current_url(request.path, [url for _, url in items + admin_items])
    return {
        "nav_items": [
            {"label": label, "url": url, "current": url == current} for label, url in items
        ],
        "admin_nav_items": [
            {"label": label, "url": url, "current": url == current} for label, url in admin_items
        ],
    }


def _current_url(path: str, urls: list[str]) -> str | None:
    """The navigation entry for ``path``: the longest URL it starts with ("/" only exactly)."""
    matches = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matches, key=len, default=None)
