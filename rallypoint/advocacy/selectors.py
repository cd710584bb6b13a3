"""What each person sees of the content library and of campaigns.

Who an item or a campaign is meant for is decided here, at the time of each read, from
the directory as it is now (as ``announce.selectors`` does): someone who moves
department sees what is meant for the new one on their next request, and a deactivated
person sees nothing. Pages, the API and the other parts of advocacy read through these
functions; a lookup of something the viewer may not see answers 404.

Curators are communications managers and administrators (by role) and the people they
name (``Curator`` rows); they also see items waiting for review, rejected, archived and
outside their publication window.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from rallypoint.advocacy.models import Campaign, ContentItem, ContentRating, Curator, Share, Topic
from rallypoint.people.models import User

# A share of these states counts as "you shared this" (a failed or cancelled one does not).
SHARED_STATUSES = (
    Share.Status.PUBLISHED,
    Share.Status.OPENED,
    Share.Status.SCHEDULED,
    Share.Status.PUBLISHING,
)
# Shares that reached the network, for curators' counts.
DONE_STATUSES = (Share.Status.PUBLISHED, Share.Status.OPENED)
NEW_DAYS = 7
REASONS_SHOWN = 5

Viewer = User | AnonymousUser


def _active(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_active)


def is_curator(user: Viewer) -> bool:
    """Communications managers, administrators, and the people they named curators."""
    if not _active(user):
        return False
    assert isinstance(user, User)
    if user.is_communications:
        return True
    cached = getattr(user, "_is_content_curator", None)
    if cached is None:
        cached = Curator.objects.filter(user_id=user.pk).exists()
        user._is_content_curator = cached  # type: ignore[attr-defined]
    return bool(cached)


def can_name_curators(user: Viewer) -> bool:
    """Only communications managers and administrators name other curators."""
    return _active(user) and bool(getattr(user, "is_communications", False))


def curators_named() -> QuerySet[Curator]:
    """The people named curators (besides the communications roles), by name."""
    return Curator.objects.select_related("user", "added_by").order_by(
        "user__display_name", "user_id"
    )


def curator_people() -> QuerySet[User]:
    """Every active curator: communications roles and named curators (for notifications)."""
    return User.objects.filter(is_active=True).filter(
        Q(role__in=[User.Role.ADMINISTRATOR, User.Role.COMMUNICATIONS])
        | Q(Exists(Curator.objects.filter(user_id=OuterRef("pk"))))
    )


# ---------------------------------------------------------------- audience and window


def _audience(model: type[ContentItem] | type[Campaign], viewer: User) -> Q:
    """The rows of ``model`` (an ``Audience``) meant for ``viewer``."""
    departments = model.departments.through
    locations = model.locations.through
    owner = f"{model._meta.model_name}_id"
    audience = Q(audience_everyone=True)
    if viewer.department_id is not None:
        audience |= Q(
            Exists(
                departments.objects.filter(
                    **{owner: OuterRef("pk")}, department_id=viewer.department_id
                )
            )
        )
    if viewer.location_id is not None:
        audience |= Q(
            Exists(
                locations.objects.filter(**{owner: OuterRef("pk")}, location_id=viewer.location_id)
            )
        )
    return audience


def in_window(now: datetime.datetime) -> Q:
    """Items shown at ``now``: started (or no start) and not expired (or no expiry)."""
    return (Q(starts_at__isnull=True) | Q(starts_at__lte=now)) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


# ---------------------------------------------------------------- campaigns


def campaigns_visible_to(
    viewer: Viewer,
    *,
    include_upcoming: bool = False,
    include_ended: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[Campaign]:
    """Campaigns meant for ``viewer`` (everyone, their department or their location),
    running now unless ``include_upcoming``/``include_ended``. Newest first."""
    if not _active(viewer):
        return Campaign.objects.none()
    assert isinstance(viewer, User)
    now = now or timezone.now()
    rows = Campaign.objects.filter(_audience(Campaign, viewer))
    if not include_upcoming:
        rows = rows.filter(starts_at__lte=now)
    if not include_ended:
        rows = rows.filter(ends_at__gt=now)
    return rows.order_by("-starts_at", "-id")


def campaign_visible_for(viewer: Viewer, slug: str) -> Campaign:
    """A running campaign meant for ``viewer`` by its slug; 404 otherwise."""
    campaign = campaigns_visible_to(viewer).filter(slug=slug).first()
    if campaign is None:
        raise Http404(_("No such campaign."))
    return campaign


# ---------------------------------------------------------------- items


def _viewer_annotations(rows: QuerySet[ContentItem], viewer: User) -> QuerySet[ContentItem]:
    """``shared_by_me``, ``my_verdict`` and ``my_reason``, the topics, and the running
    campaigns meant for the viewer (``my_campaigns``), without a query per item."""
    mine = ContentRating.objects.filter(item_id=OuterRef("pk"), user_id=viewer.pk)
    return rows.annotate(
        shared_by_me=Exists(
            Share.objects.filter(
                item_id=OuterRef("pk"), user_id=viewer.pk, status__in=SHARED_STATUSES
            )
        ),
        my_verdict=Subquery(mine.values("verdict")[:1]),
        my_reason=Subquery(mine.values("reason")[:1]),
    ).prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
        Prefetch(
            "campaigns",
            queryset=campaigns_visible_to(viewer).only("pk", "name", "slug"),
            to_attr="my_campaigns",
        ),
    )


def _as_topic_slug(topic: Topic | str | None) -> str | None:
    if topic is None or topic == "":
        return None
    return topic.slug if isinstance(topic, Topic) else str(topic)


def items_visible_to(
    viewer: Viewer,
    *,
    topic: Topic | str | None = None,
    featured: bool | None = None,
    campaign: Campaign | int | None = None,
    new_since: datetime.datetime | None = None,
    search: str | None = None,
) -> QuerySet[ContentItem]:
    """Published items within their window and meant for ``viewer``, newest first.

    Filters: ``topic`` (a Topic or its slug), ``featured``, ``campaign`` (items of that
    campaign; callers resolve it through ``campaigns_visible_to``), ``new_since``
    (published since), ``search`` (title, description, site). Each item carries
    ``shared_by_me``, ``my_verdict``, ``my_reason``, its topics and ``my_campaigns``.
    Internal-only items are listed: they are internal content, only never shared.
    """
    if not _active(viewer):
        return ContentItem.objects.none()
    assert isinstance(viewer, User)
    now = timezone.now()
    rows = ContentItem.objects.filter(status=ContentItem.Status.PUBLISHED).filter(
        in_window(now), _audience(ContentItem, viewer)
    )
    slug = _as_topic_slug(topic)
    if slug is not None:
        rows = rows.filter(
            Exists(
                ContentItem.topics.through.objects.filter(
                    contentitem_id=OuterRef("pk"), topic__slug=slug
                )
            )
        )
    if featured is not None:
        rows = rows.filter(featured=featured)
    if campaign is not None:
        campaign_id = campaign.pk if isinstance(campaign, Campaign) else int(campaign)
        rows = rows.filter(
            Exists(
                Campaign.items.through.objects.filter(
                    contentitem_id=OuterRef("pk"), campaign_id=campaign_id
                )
            )
        )
    if new_since is not None:
        rows = rows.filter(published_at__gte=new_since)
    if search:
        words = search.split()[:8]
        for word in words:
            rows = rows.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(site_name__icontains=word)
            )
    return (
        _viewer_annotations(rows, viewer)
        .select_related("submitted_by")
        .order_by("-featured", "-published_at", "-id")
    )


def new_since_default(now: datetime.datetime | None = None) -> datetime.datetime:
    """The start of "new": ``NEW_DAYS`` days ago."""
    return (now or timezone.now()) - datetime.timedelta(days=NEW_DAYS)


def item_for(viewer: Viewer, pk: int) -> ContentItem:
    """One item for ``viewer``: one of ``items_visible_to``, any item for a curator, or
    the viewer's own submission; 404 for anything else. ``in_library`` tells whether the
    viewer sees it as a library item (may rate and share it)."""
    if not _active(viewer):
        raise Http404(_("No such item."))
    assert isinstance(viewer, User)
    item = items_visible_to(viewer).filter(pk=pk).first()
    if item is not None:
        item.in_library = True  # type: ignore[attr-defined]
        return item
    item = (
        _viewer_annotations(ContentItem.objects.filter(pk=pk), viewer)
        .select_related("submitted_by", "reviewed_by")
        .first()
    )
    if item is None or not (is_curator(viewer) or item.submitted_by_id == viewer.pk):
        raise Http404(_("No such item."))
    item.in_library = False  # type: ignore[attr-defined]
    return item


def item_for_curator(viewer: Viewer, pk: int) -> ContentItem:
    """Any item, for a curator to edit or review; 404 for everyone else."""
    if not is_curator(viewer):
        raise Http404(_("No such item."))
    item = (
        ContentItem.objects.select_related("submitted_by", "reviewed_by")
        .prefetch_related("topics", "departments", "locations")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404(_("No such item."))
    return item


def _count_of(queryset: QuerySet[Any]) -> Any:
    """A per-item count as a subquery (several Counts over joins would multiply)."""
    counted = queryset.values("item_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def curator_items(viewer: Viewer, *, status: str | None = None) -> QuerySet[ContentItem]:
    """Every item of ``status`` (all when None) for a curator, newest first, with
    ``would_share``, ``not_for_me``, ``share_count``, ``sharers`` and the latest reasons
    given for "not for me" (``reasons``). Nothing for anyone else."""
    if not is_curator(viewer):
        return ContentItem.objects.none()
    rows = ContentItem.objects.all()
    if status:
        rows = rows.filter(status=status)
    ratings = ContentRating.objects.filter(item_id=OuterRef("pk"))
    shares = Share.objects.filter(item_id=OuterRef("pk"), status__in=DONE_STATUSES)
    return (
        rows.annotate(
            would_share=_count_of(ratings.filter(verdict=ContentRating.Verdict.WOULD_SHARE)),
            not_for_me=_count_of(ratings.filter(verdict=ContentRating.Verdict.NOT_FOR_ME)),
            share_count=_count_of(shares),
        )
        .select_related("submitted_by", "reviewed_by")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            Prefetch(
                "ratings",
                queryset=ContentRating.objects.filter(verdict=ContentRating.Verdict.NOT_FOR_ME)
                .exclude(reason="")
                .order_by("-at", "-pk"),
                to_attr="reasons",
            ),
        )
        .order_by("-created_at", "-id")
    )


def curator_status_counts(viewer: Viewer) -> dict[str, int]:
    """How many items each status has, for the curator's tabs (one query)."""
    if not is_curator(viewer):
        return {}
    counts = dict.fromkeys(ContentItem.Status.values, 0)
    for row in ContentItem.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def items_pending_review(viewer: Viewer) -> QuerySet[ContentItem]:
    """Submissions waiting for a curator, oldest first."""
    return curator_items(viewer, status=ContentItem.Status.PENDING).order_by("created_at", "id")


def submissions_of(viewer: Viewer) -> QuerySet[ContentItem]:
    """What ``viewer`` suggested for the library, newest first, in every status."""
    if not _active(viewer):
        return ContentItem.objects.none()
    return ContentItem.objects.filter(submitted_by_id=viewer.pk).order_by("-created_at", "-id")


# ---------------------------------------------------------------- topics


def topics_all() -> QuerySet[Topic]:
    return Topic.objects.order_by("name")


def topics_for(viewer: Viewer) -> QuerySet[Topic]:
    """Topics that have at least one item ``viewer`` sees, for the library's filters."""
    visible = items_visible_to(viewer).values("pk")
    return (
        Topic.objects.filter(
            Exists(
                ContentItem.topics.through.objects.filter(
                    topic_id=OuterRef("pk"), contentitem_id__in=visible
                )
            )
        )
        .order_by("name")
        .only("pk", "name", "slug")
    )
