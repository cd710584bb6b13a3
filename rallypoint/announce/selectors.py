"""Who is in an announcement's audience, what each person may see, and the statistics.

The audience is decided here, at the time of each read, from the directory and the
space memberships as they are now: someone who moves department, leaves a group or is
deactivated stops seeing the announcement on their next request (page, list, feed and
API alike), whatever ``AnnouncementRecipient`` rows exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from rallypoint.announce.models import Announcement, AnnouncementRecipient
from rallypoint.people.models import Department, Location, User
from rallypoint.spaces.models import Space, SpaceMembership
from rallypoint.spaces.selectors import space_ids_readable_by, spaces_visible_to

# Departments with fewer recipients than this are pooled in the statistics.
SMALL_DEPARTMENT = 5

_Departments = Announcement.departments.through
_Locations = Announcement.locations.through
_Spaces = Announcement.spaces.through


def audience_filter(viewer: User) -> Q:
    """The announcements whose audience includes ``viewer`` (an active person)."""
    member_of = SpaceMembership.objects.filter(user_id=viewer.pk).values("space_id")
    audience = Q(to_everyone=True) | Q(
        Exists(_Spaces.objects.filter(announcement_id=OuterRef("pk"), space_id__in=member_of))
    )
    if viewer.department_id is not None:
        audience |= Q(
            Exists(
                _Departments.objects.filter(
                    announcement_id=OuterRef("pk"), department_id=viewer.department_id
                )
            )
        )
    if viewer.location_id is not None:
        audience |= Q(
            Exists(
                _Locations.objects.filter(
                    announcement_id=OuterRef("pk"), location_id=viewer.location_id
                )
            )
        )
    return audience


def audience_of(announcement: Announcement) -> QuerySet[User]:
    """The active people in ``announcement``'s audience now, as one query."""
    people = User.objects.filter(is_active=True)
    if announcement.to_everyone:
        return people
    spaces = _Spaces.objects.filter(announcement_id=announcement.pk).values("space_id")
    return people.filter(
        Q(
            department_id__in=_Departments.objects.filter(announcement_id=announcement.pk).values(
                "department_id"
            )
        )
        | Q(
            location_id__in=_Locations.objects.filter(announcement_id=announcement.pk).values(
                "location_id"
            )
        )
        | Q(Exists(SpaceMembership.objects.filter(user_id=OuterRef("pk"), space_id__in=spaces)))
    )


def _receipt(viewer: User, field_name: str) -> QuerySet[AnnouncementRecipient]:
    return AnnouncementRecipient.objects.filter(
        announcement_id=OuterRef("pk"), user_id=viewer.pk
    ).values(field_name)[:1]


def announcements_for(viewer: User | AnonymousUser) -> QuerySet[Announcement]:
    """Published announcements whose audience includes ``viewer``, newest first, with
    ``my_opened_at`` and ``my_acknowledged_at``."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Announcement.objects.none()
    return (
        Announcement.objects.filter(status=Announcement.Status.PUBLISHED)
        .filter(audience_filter(viewer))
        .annotate(
            my_opened_at=Subquery(_receipt(viewer, "opened_at")),
            my_acknowledged_at=Subquery(_receipt(viewer, "acknowledged_at")),
        )
        .select_related("author")
        .order_by("-published_at", "-id")
    )


def announcements_urgent_unacknowledged(viewer: User) -> QuerySet[Announcement]:
    """Urgent announcements for ``viewer`` that they have not acknowledged yet."""
    acknowledged = AnnouncementRecipient.objects.filter(
        announcement_id=OuterRef("pk"), user_id=viewer.pk, acknowledged_at__isnull=False
    )
    return announcements_for(viewer).filter(urgent=True).exclude(Exists(acknowledged))


def announcements_for_feed(viewer: User) -> QuerySet[Announcement]:
    """``announcements_for`` without the urgent ones not yet acknowledged (those are
    shown above the feed instead)."""
    acknowledged = AnnouncementRecipient.objects.filter(
        announcement_id=OuterRef("pk"), user_id=viewer.pk, acknowledged_at__isnull=False
    )
    return announcements_for(viewer).filter(Q(urgent=False) | Q(Exists(acknowledged)))


def announcements_sent_by(viewer: User) -> QuerySet[Announcement]:
    """What ``viewer`` wrote (drafts too), newest first."""
    if not viewer.is_active:
        return Announcement.objects.none()
    return Announcement.objects.filter(author_id=viewer.pk).order_by(
        "-published_at", "-created_at", "-id"
    )


def can_see_stats(viewer: User, announcement: Announcement) -> bool:
    """The author, and communications managers and administrators who may read every
    space of the audience (a list of names must not reveal a secret group's members)."""
    if not viewer.is_active:
        return False
    if announcement.author_id == viewer.pk:
        return True
    if not viewer.is_communications:
        return False
    hidden = _Spaces.objects.filter(announcement_id=announcement.pk).exclude(
        space_id__in=space_ids_readable_by(viewer)
    )
    return not hidden.exists()


def announcement_get_visible(viewer: User, pk: int) -> Announcement:
    """One announcement for ``viewer``: in its audience, or its author, or one whose
    statistics they may see; 404 for anything else."""
    announcement = announcements_for(viewer).filter(pk=pk).first()
    if announcement is not None:
        announcement.in_audience = True
        return announcement
    announcement = Announcement.objects.select_related("author").filter(pk=pk).first()
    if announcement is None or not viewer.is_active:
        raise Http404(_("No such announcement."))
    if announcement.author_id == viewer.pk or (
        announcement.is_published and can_see_stats(viewer, announcement)
    ):
        announcement.in_audience = False
        return announcement
    raise Http404(_("No such announcement."))


def announcement_get_for_stats(viewer: User, pk: int) -> Announcement:
    """A published announcement whose statistics ``viewer`` may see; 404 otherwise."""
    announcement = (
        Announcement.objects.select_related("author")
        .filter(pk=pk, status=Announcement.Status.PUBLISHED)
        .first()
    )
    if announcement is None or not can_see_stats(viewer, announcement):
        raise Http404(_("No such announcement."))
    return announcement


@dataclass
class Counts:
    delivered: int = 0
    opened: int = 0
    acknowledged: int = 0

    def add(self, other: Counts) -> None:
        self.delivered += other.delivered
        self.opened += other.opened
        self.acknowledged += other.acknowledged

    def percent(self, part: int) -> int:
        return round(100 * part / self.delivered) if self.delivered else 0

    @property
    def opened_percent(self) -> int:
        return self.percent(self.opened)

    @property
    def acknowledged_percent(self) -> int:
        return self.percent(self.acknowledged)


@dataclass
class DepartmentRow:
    name: str
    counts: Counts


@dataclass
class Stats:
    total: Counts
    departments: list[DepartmentRow] = field(default_factory=list)


def announcement_stats(announcement: Announcement) -> Stats:
    """Delivered, opened and acknowledged, overall and by the department each recipient
    was in at delivery; departments under ``SMALL_DEPARTMENT`` recipients are pooled.
    One query. Callers check ``can_see_stats`` first."""
    rows = (
        AnnouncementRecipient.objects.filter(announcement=announcement)
        .values("department__name")
        .annotate(
            delivered=Count("pk"),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        )
        .order_by("department__name")
    )
    total = Counts()
    departments: list[DepartmentRow] = []
    pooled = Counts()
    no_department = Counts()
    for row in rows:
        counts = Counts(row["delivered"], row["opened"], row["acknowledged"])
        total.add(counts)
        if row["department__name"] is None:
            no_department.add(counts)
        elif counts.delivered < SMALL_DEPARTMENT:
            pooled.add(counts)
        else:
            departments.append(DepartmentRow(row["department__name"], counts))
    if pooled.delivered:
        departments.append(DepartmentRow(_("Smaller departments together"), pooled))
    if no_department.delivered:
        departments.append(DepartmentRow(_("No department"), no_department))
    return Stats(total=total, departments=departments)


def announcement_not_acknowledged(announcement: Announcement) -> QuerySet[AnnouncementRecipient]:
    """Recipients still in the audience who have not acknowledged, by name. Callers check
    ``can_see_stats`` first."""
    return (
        AnnouncementRecipient.objects.filter(
            announcement=announcement,
            acknowledged_at__isnull=True,
            user__in=audience_of(announcement),
        )
        .select_related("user", "department")
        .order_by("user__display_name", "user_id")
    )


@dataclass
class AudienceChoices:
    departments: QuerySet[Department]
    locations: QuerySet[Location]
    spaces: QuerySet[Space]


def audience_choices(author: User) -> AudienceChoices:
    """What ``author`` may address: departments, locations, and the teams and groups they
    can see listed (department and location spaces are the departments and locations)."""
    return AudienceChoices(
        departments=Department.objects.order_by("name"),
        locations=Location.objects.order_by("name"),
        spaces=spaces_visible_to(author)
        .filter(kind__in=[Space.Kind.TEAM, *Space.GROUP_KINDS], archived_at=None)
        .order_by("name", "pk"),
    )
