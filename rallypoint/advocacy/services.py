"""Every write to the content library: items, submissions and their review, ratings,
topics and the people named curators.

Curators (``selectors.is_curator``) add and edit items, which are in the library at once;
any employee suggests one (``item_submit``), which waits for a curator to approve it
(possibly editing it in the same step) or reject it with a reason. The submitter is told
either way. Suggested share texts are checked against each network's limit, counted the
way the network counts (``networks.limits``), so nobody is handed a text that will not fit.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from rallypoint.advocacy import selectors
from rallypoint.advocacy.models import ContentItem, ContentRating, Curator, Topic
from rallypoint.advocacy.opengraph import OpenGraphError, is_web_address, og_fetch
from rallypoint.core.audit import audit_record
from rallypoint.feed.attachments import IMAGE_FORMATS, IMAGE_MAX_PIXELS
from rallypoint.networks import limits
from rallypoint.networks.models import Network
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import Department, Location, User

# The networks a curator writes a suggested text for, in the order the form shows them.
SUGGESTED_NETWORKS: tuple[str, ...] = (
    Network.LINKEDIN,
    Network.X,
    Network.FACEBOOK,
    Network.MASTODON,
    Network.BLUESKY,
)
TOPICS_MAX = 10
TOPIC_NAME_MAX = Topic._meta.get_field("name").max_length or 80
TITLE_MAX = ContentItem._meta.get_field("title").max_length or 300
DESCRIPTION_MAX = 5000
WHY_MAX = 2000
REASON_MAX = ContentRating._meta.get_field("reason").max_length or 300
REJECTION_MAX = 1000


def image_max_bytes() -> int:
    """Uploaded pictures may be as large as post attachments (``ATTACHMENT_MAX_MB``)."""
    return int(settings.ATTACHMENT_MAX_BYTES)


@dataclass
class ItemData:
    """What a curator sets on an item (the form and the API build one)."""

    title: str
    kind: str = ContentItem.Kind.LINK
    description: str = ""
    url: str = ""
    site_name: str = ""
    image_url: str = ""
    image: UploadedFile | None = None
    topics: list[str] = field(default_factory=list)
    audience_everyone: bool = True
    departments: list[Department] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    starts_at: Any = None
    expires_at: Any = None
    featured: bool = False
    why_share: str = ""
    suggested_texts: dict[str, str] = field(default_factory=dict)
    internal_only: bool = False

    @classmethod
    def from_item(cls, item: ContentItem) -> ItemData:
        return cls(
            title=item.title,
            kind=item.kind,
            description=item.description,
            url=item.url,
            site_name=item.site_name,
            image_url=item.image_url,
            topics=[topic.name for topic in item.topics.all()],
            audience_everyone=item.audience_everyone,
            departments=list(item.departments.all()),
            locations=list(item.locations.all()),
            starts_at=item.starts_at,
            expires_at=item.expires_at,
            featured=item.featured,
            why_share=item.why_share,
            suggested_texts=dict(item.suggested_texts or {}),
            internal_only=item.internal_only,
        )


# ---------------------------------------------------------------- checks


def _require_curator(actor: User) -> None:
    if not selectors.is_curator(actor):
        raise PermissionDenied(_("Only curators of the content library may do this."))


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def suggested_text_errors(texts: dict[str, str], url: str = "") -> dict[str, str]:
    """``{network: message}`` for each suggested text over its network's limit, or
    for a network that is not one of ``SUGGESTED_NETWORKS``."""
    errors: dict[str, str] = {}
    labels = dict(Network.choices)
    for network, text in texts.items():
        if network not in SUGGESTED_NETWORKS:
            errors[network] = _("%(network)s is not a network with suggested texts.") % {
                "network": network
            }
            continue
        result = limits.check(network, text, url)
        if not result.ok:
            errors[network] = _(
                "Too long for %(network)s: %(length)d / %(limit)d, %(over)d over "
                "(the link counts as the network counts it)."
            ) % {
                "network": labels.get(network, network),
                "length": result.length,
                "limit": result.limit,
                "over": result.over_by,
            }
    return errors


def _clean_texts(texts: dict[str, str]) -> dict[str, str]:
    return {
        str(network): str(text).strip()
        for network, text in (texts or {}).items()
        if str(text or "").strip()
    }


def check_image(upload: UploadedFile) -> None:
    """Refuse an upload that is not a PNG, JPEG, GIF or WebP picture within the limits,
    judged by its content (Pillow), never by its name."""
    size = upload.size or 0
    limit = image_max_bytes()
    if size > limit:
        raise ValidationError(
            {"image": _("The picture is too large: at most %(mb)d MB.") % {"mb": limit // 2**20}}
        )
    if size == 0:
        raise ValidationError({"image": _("The picture is empty.")})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = str(probe.format or "")
            if fmt not in IMAGE_FORMATS:
                raise ValidationError({"image": _("Send a PNG, JPEG, GIF or WebP picture.")})
            width, height = probe.size
            if width * height > IMAGE_MAX_PIXELS:
                raise ValidationError({"image": _("The picture has too many pixels.")})
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"image": _("This file is not a picture we can read.")}) from None
    finally:
        upload.seek(0)
    upload.name = f"{uuid.uuid4().hex}.{IMAGE_FORMATS[fmt][1]}"


def _validate(data: ItemData, *, has_image: bool = False) -> None:
    """Every problem of ``data`` at once, keyed by field (``text_<network>`` for texts)."""
    errors: dict[str, Any] = {}
    data.title = _one_line(data.title)
    data.url = (data.url or "").strip()
    data.image_url = (data.image_url or "").strip()
    data.site_name = _one_line(data.site_name)[:200]
    data.description = (data.description or "").strip()
    data.why_share = (data.why_share or "").strip()
    data.suggested_texts = _clean_texts(data.suggested_texts)
    if data.kind not in ContentItem.Kind.values:
        errors["kind"] = _("Choose what kind of item this is.")
    if not data.title:
        errors["title"] = _("Give the item a title.")
    elif len(data.title) > TITLE_MAX:
        errors["title"] = _("A title has at most %(n)d characters.") % {"n": TITLE_MAX}
    if data.url and not is_web_address(data.url):
        errors["url"] = _("Enter a web address starting with http:// or https://.")
    elif not data.url and data.kind in {ContentItem.Kind.LINK, ContentItem.Kind.VIDEO}:
        errors["url"] = _("A link or a video needs its web address.")
    if data.image_url and not is_web_address(data.image_url):
        errors["image_url"] = _("Enter an image address starting with http:// or https://.")
    if data.kind == ContentItem.Kind.IMAGE and not (data.image or has_image or data.image_url):
        errors["image"] = _("An image item needs a picture.")
    if data.kind == ContentItem.Kind.TEXT and not data.description:
        errors["description"] = _("Write the text of the item.")
    if len(data.description) > DESCRIPTION_MAX:
        errors["description"] = _("At most %(n)d characters.") % {"n": DESCRIPTION_MAX}
    if len(data.why_share) > WHY_MAX:
        errors["why_share"] = _("At most %(n)d characters.") % {"n": WHY_MAX}
    if data.starts_at and data.expires_at and data.expires_at <= data.starts_at:
        errors["expires_at"] = _("The item must expire after it starts being shown.")
    if not data.audience_everyone and not (data.departments or data.locations):
        errors["audience_everyone"] = _(
            "Choose who the item is for: everyone, or departments or locations."
        )
    names = [_one_line(name) for name in data.topics if _one_line(name)]
    if len(names) > TOPICS_MAX:
        errors["topics"] = _("At most %(n)d topics.") % {"n": TOPICS_MAX}
    elif any(len(name) > TOPIC_NAME_MAX for name in names):
        errors["topics"] = _("A topic name has at most %(n)d characters.") % {"n": TOPIC_NAME_MAX}
    data.topics = names
    for network, message in suggested_text_errors(data.suggested_texts, data.url).items():
        errors[f"text_{network}"] = message
    if data.image is not None:
        try:
            check_image(data.image)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def topics_ensure(*, names: Iterable[str]) -> list[Topic]:
    """The topics of these names, created when new (matched by slug, so "AI" and "ai"
    are one topic)."""
    topics: list[Topic] = []
    for raw in names:
        name = _one_line(raw)[:TOPIC_NAME_MAX]
        if not name:
            continue
        slug = slugify(name)[:80] or "t-" + hashlib.sha256(name.encode()).hexdigest()[:12]
        topic, _created = Topic.objects.get_or_create(slug=slug, defaults={"name": name})
        if topic not in topics:
            topics.append(topic)
    return topics


def _apply(item: ContentItem, data: ItemData) -> None:
    item.kind = data.kind
    item.title = data.title
    item.description = data.description
    item.url = data.url
    item.site_name = data.site_name
    item.image_url = data.image_url
    if data.image is not None:
        item.image = data.image  # type: ignore[assignment]
    item.audience_everyone = data.audience_everyone
    item.starts_at = data.starts_at
    item.expires_at = data.expires_at
    item.featured = data.featured
    item.why_share = data.why_share
    item.suggested_texts = data.suggested_texts
    item.internal_only = data.internal_only


def _save_relations(item: ContentItem, data: ItemData) -> None:
    item.topics.set(topics_ensure(names=data.topics))
    item.departments.set([] if data.audience_everyone else data.departments)
    item.locations.set([] if data.audience_everyone else data.locations)


def _full_save(item: ContentItem) -> None:
    try:
        item.full_clean()
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    item.save()


# ---------------------------------------------------------------- curators' items


@transaction.atomic
def item_create(*, actor: User, data: ItemData, request: Any = None) -> ContentItem:
    """A curator adds an item; it is in the library at once (within its window)."""
    _require_curator(actor)
    _validate(data)
    item = ContentItem(
        status=ContentItem.Status.PUBLISHED, created_by=actor, published_at=timezone.now()
    )
    _apply(item, data)
    _full_save(item)
    _save_relations(item, data)
    audit_record(
        action="advocacy.item_created",
        actor=actor,
        target=item,
        request=request,
        details={"internal_only": item.internal_only, "featured": item.featured},
    )
    return item


@transaction.atomic
def item_update(
    *, actor: User, item: ContentItem, data: ItemData, request: Any = None
) -> ContentItem:
    """A curator edits an item in any status (a pending one stays pending)."""
    _require_curator(actor)
    locked = ContentItem.objects.select_for_update().get(pk=item.pk)
    _validate(data, has_image=bool(locked.image))
    _apply(locked, data)
    _full_save(locked)
    _save_relations(locked, data)
    audit_record(action="advocacy.item_updated", actor=actor, target=locked, request=request)
    return locked


def _item_status_move(
    *,
    actor: User,
    item: ContentItem,
    request: Any,
    source: str,
    target: str,
    refusal: str,
    action: str,
) -> ContentItem:
    _require_curator(actor)
    locked = ContentItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != source:
        raise ValidationError(refusal)
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    audit_record(action=action, actor=actor, target=locked, request=request)
    return locked


@transaction.atomic
def item_archive(*, actor: User, item: ContentItem, request: Any = None) -> ContentItem:
    """Take a published item out of the library (shares already made stay as they are)."""
    return _item_status_move(
        actor=actor,
        item=item,
        request=request,
        source=ContentItem.Status.PUBLISHED,
        target=ContentItem.Status.ARCHIVED,
        refusal=_("Only items in the library can be archived."),
        action="advocacy.item_archived",
    )


@transaction.atomic
def item_restore(*, actor: User, item: ContentItem, request: Any = None) -> ContentItem:
    """Put an archived item back in the library."""
    return _item_status_move(
        actor=actor,
        item=item,
        request=request,
        source=ContentItem.Status.ARCHIVED,
        target=ContentItem.Status.PUBLISHED,
        refusal=_("Only archived items can be put back."),
        action="advocacy.item_restored",
    )


# ---------------------------------------------------------------- employees' suggestions


class SubmissionKind:
    LINK = "link"
    STORY = "story"
    PHOTO = "photo"
    choices = ((LINK, _("A link")), (STORY, _("A story")), (PHOTO, _("A photo")))


def _suggested_for_every_network(text: str, url: str) -> dict[str, str]:
    """One suggested text, kept for each network whose limit it fits."""
    text = (text or "").strip()
    if not text:
        return {}
    fitting = {n: text for n in SUGGESTED_NETWORKS if limits.check(n, text, url).ok}
    if not fitting:
        raise ValidationError(
            {"suggested_text": _("The suggested text is too long for every network.")}
        )
    return fitting


@transaction.atomic
def item_submit(
    *,
    user: User,
    kind: str,
    title: str = "",
    url: str = "",
    text: str = "",
    photo: UploadedFile | None = None,
    suggested_text: str = "",
    request: Any = None,
) -> ContentItem:
    """An employee suggests a link, a story (``text``) or a photo for the library, with
    a suggested share text; it waits for a curator, who is notified.

    A link without a title takes the page's OpenGraph title (and description and
    picture) when the page can be read. The suggested text is kept for each network it
    fits; the curator can change it on review.
    """
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Sign in to suggest content."))
    url = (url or "").strip()
    title = _one_line(title)
    found = None
    if kind == SubmissionKind.LINK and url and not title and is_web_address(url):
        try:
            found = og_fetch(url)
        except OpenGraphError:
            found = None
    item_kind = {
        SubmissionKind.LINK: ContentItem.Kind.LINK,
        SubmissionKind.STORY: ContentItem.Kind.TEXT,
        SubmissionKind.PHOTO: ContentItem.Kind.IMAGE,
    }.get(kind)
    if item_kind is None:
        raise ValidationError({"kind": _("Choose a link, a story or a photo.")})
    if item_kind == ContentItem.Kind.IMAGE and photo is None:
        raise ValidationError({"image": _("Choose the photo to send.")})
    data = ItemData(
        title=title or (found.title if found else ""),
        kind=item_kind,
        description=text or (found.description if found else ""),
        url=url,
        site_name=found.site_name if found else "",
        image_url=found.image_url if found else "",
        image=photo,
        suggested_texts=_suggested_for_every_network(suggested_text, url),
    )
    if not data.title and item_kind == ContentItem.Kind.LINK and url:
        raise ValidationError({"title": _("The page could not be read: give the link a title.")})
    _validate(data)
    item = ContentItem(
        status=ContentItem.Status.PENDING, created_by=user, submitted_by=user, published_at=None
    )
    _apply(item, data)
    _full_save(item)
    audit_record(action="advocacy.item_submitted", actor=user, target=item, request=request)
    notification_notify(
        recipients=list(selectors.curator_people()),
        kind=Notification.Kind.ADVOCACY,
        actor=user,
        space=None,
        target=item,
        url=reverse("advocacy_review"),
        summary=_("New suggestion for the content library: “%(title)s”") % {"title": item.title},
    )
    return item


def _locked_pending(item: ContentItem) -> ContentItem:
    locked = ContentItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != ContentItem.Status.PENDING:
        raise ValidationError(_("This suggestion was already reviewed."))
    return locked


@transaction.atomic
def item_approve(
    *, actor: User, item: ContentItem, data: ItemData | None = None, request: Any = None
) -> ContentItem:
    """A curator puts a suggestion in the library, with ``data`` when they edited it;
    the submitter is credited and notified."""
    _require_curator(actor)
    locked = _locked_pending(item)
    if data is not None:
        _validate(data, has_image=bool(locked.image))
        _apply(locked, data)
    now = timezone.now()
    locked.status = ContentItem.Status.PUBLISHED
    locked.published_at = now
    locked.reviewed_by = actor
    locked.reviewed_at = now
    locked.rejection_reason = ""
    _full_save(locked)
    if data is not None:
        _save_relations(locked, data)
    audit_record(
        action="advocacy.item_approved",
        actor=actor,
        target=locked,
        request=request,
        details={"edited": data is not None},
    )
    if locked.submitted_by_id is not None:
        notification_notify(
            recipients=[User(pk=locked.submitted_by_id)],
            kind=Notification.Kind.ADVOCACY,
            actor=actor,
            space=None,
            target=locked,
            url=reverse("advocacy_item", args=[locked.pk]),
            summary=_("Your suggestion “%(title)s” is in the library.") % {"title": locked.title},
        )
    return locked


@transaction.atomic
def item_reject(*, actor: User, item: ContentItem, reason: str, request: Any = None) -> ContentItem:
    """A curator turns a suggestion down; the reason is required and told to the submitter."""
    _require_curator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the colleague why.")})
    if len(reason) > REJECTION_MAX:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": REJECTION_MAX}})
    locked = _locked_pending(item)
    now = timezone.now()
    locked.status = ContentItem.Status.REJECTED
    locked.reviewed_by = actor
    locked.reviewed_at = now
    locked.rejection_reason = reason
    locked.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason", "updated_at"]
    )
    audit_record(
        action="advocacy.item_rejected",
        actor=actor,
        target=locked,
        request=request,
        details={"reason": reason},
    )
    if locked.submitted_by_id is not None:
        notification_notify(
            recipients=[User(pk=locked.submitted_by_id)],
            kind=Notification.Kind.ADVOCACY,
            actor=actor,
            space=None,
            target=locked,
            url=reverse("advocacy_item", args=[locked.pk]),
            summary=_("Your suggestion “%(title)s” was not added to the library: %(reason)s")
            % {"title": locked.title, "reason": reason},
        )
    return locked


# ---------------------------------------------------------------- ratings


@transaction.atomic
def item_rate(*, user: User, item: ContentItem, verdict: str, reason: str = "") -> ContentRating:
    """``user``'s verdict on an item of the library they see: one per person, changed by
    rating again. A reason is kept for "not for me" only (optional)."""
    visible = selectors.items_visible_to(user).filter(pk=item.pk).exists()
    if not visible:
        raise PermissionDenied(_("You can rate items of your library only."))
    if verdict not in ContentRating.Verdict.values:
        raise ValidationError({"verdict": _("Choose “would share” or “not for me”.")})
    reason = _one_line(reason) if verdict == ContentRating.Verdict.NOT_FOR_ME else ""
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("At most %(n)d characters.") % {"n": REASON_MAX}})
    rating, _created = ContentRating.objects.update_or_create(
        item=item, user=user, defaults={"verdict": verdict, "reason": reason}
    )
    return rating


# ---------------------------------------------------------------- curators


@transaction.atomic
def curator_add(*, actor: User, user: User, request: Any = None) -> Curator:
    """A communications manager or administrator names ``user`` a curator."""
    if not selectors.can_name_curators(actor):
        raise PermissionDenied(_("Only communications managers and administrators name curators."))
    if not user.is_active:
        raise ValidationError(_("This person's account is deactivated."))
    if user.is_communications:
        raise ValidationError(_("%(name)s curates already, by their role.") % {"name": user})
    curator, created = Curator.objects.get_or_create(user=user, defaults={"added_by": actor})
    if not created:
        raise ValidationError(_("%(name)s is a curator already.") % {"name": user})
    audit_record(action="advocacy.curator_added", actor=actor, target=user, request=request)
    return curator


@transaction.atomic
def curator_remove(*, actor: User, user: User, request: Any = None) -> None:
    """Take back the curator role a communications manager gave ``user``."""
    if not selectors.can_name_curators(actor):
        raise PermissionDenied(_("Only communications managers and administrators name curators."))
    deleted, _rows = Curator.objects.filter(user=user).delete()
    if not deleted:
        raise ValidationError(_("%(name)s is not a named curator.") % {"name": user})
    audit_record(action="advocacy.curator_removed", actor=actor, target=user, request=request)
