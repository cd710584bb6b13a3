"""What a person may see of their notifications.

Visibility is decided when the list is read, not only when a notification is created: a
notification about a space is shown only while its recipient may read that space
(``spaces.selectors.space_ids_readable_by``), so leaving or being removed from a private
group hides its notifications from the list and the counter at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from rallypoint.notify.models import Notification, NotificationPreference
from rallypoint.people.models import User
from rallypoint.spaces.models import SpaceMembership
from rallypoint.spaces.selectors import READABLE_KINDS, space_ids_readable_by


def notifications_visible_to(viewer: User | AnonymousUser) -> QuerySet[Notification]:
    """``viewer``'s own notifications that they may still see, newest first."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Notification.objects.none()
    return (
        Notification.objects.filter(recipient_id=viewer.pk)
        .filter(Q(space__isnull=True) | Q(space_id__in=space_ids_readable_by(viewer)))
        .order_by("-updated_at", "-id")
    )


def notifications_unread_count(viewer: User | AnonymousUser) -> int:
    """How many of ``notifications_visible_to(viewer)`` are unread, in one query."""
    if not viewer.is_authenticated or not viewer.is_active:
        return 0
    return notifications_visible_to(viewer).filter(read_at__isnull=True).count()


def notification_get_visible(viewer: User, notification_id: int) -> Notification:
    """One of ``viewer``'s visible notifications; 404 for anything else."""
    notification = notifications_visible_to(viewer).filter(pk=notification_id).first()
    if notification is None:
        raise Http404(_("No such notification."))
    return notification


def notifications_unread_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Unread counts of many people in one grouped query, with the same visibility rule
    as ``notifications_unread_count``: a notification about a space counts only while its
    recipient may read that space (a space readable by everyone, or one they belong to).
    Inactive people count 0."""
    readable = (
        Q(space__isnull=True)
        | Q(space__kind__in=READABLE_KINDS)
        | Q(
            Exists(
                SpaceMembership.objects.filter(
                    space_id=OuterRef("space_id"), user_id=OuterRef("recipient_id")
                )
            )
        )
    )
    rows = (
        Notification.objects.filter(
            recipient_id__in=set(user_ids), recipient__is_active=True, read_at__isnull=True
        )
        .filter(readable)
        .values("recipient_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["recipient_id"]: row["n"] for row in rows}


def notification_preferences_of(user: User) -> dict[str, bool]:
    """Each optional kind of notification and whether ``user`` gets it in the app."""
    stored = dict(
        NotificationPreference.objects.filter(user_id=user.pk).values_list("kind", "in_app")
    )
    return {kind: stored.get(kind, True) for kind in NotificationPreference.OPTIONAL_KINDS}
