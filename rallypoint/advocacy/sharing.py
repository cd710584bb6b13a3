"""Sharing an item of the content library: the checks before a share, the share itself,
the queue of scheduled shares and the job that publishes them exactly once.

A share is a ``Share`` row with a state machine (``Share.Status``):

- ``intent`` and ``copy`` shares are ``opened`` at once: Rallypoint records them, opens the
  network's share page (or gives the text and link to paste), and cannot know whether the
  employee then posted;
- ``api`` shares are ``scheduled`` (for now or later) and the publishing job moves each one
  to ``publishing`` (the claim), then ``published``, back to ``scheduled`` for a retry, or
  ``failed`` with ``last_error`` told to the employee. ``cancelled`` ends a scheduled share.

Before any share the social media policy must be acknowledged (``PolicyNotAcknowledged``
names the policy page), the item must be visible to the employee and not internal only,
and the text passes the compliance rules (``governance.compliance``): a block is refused
with its reason, a missing disclosure is added, and the text as corrected is stored.

Exactly once: the job claims each due share with a conditional UPDATE (``scheduled`` →
``publishing``) in its own short transaction, calls the network outside any transaction,
and records the outcome only if its claim still holds. A worker killed after the claim
leaves the share ``publishing``; once its lease (``SHARE_PUBLISH_LEASE_SECONDS``) has run
out the share is recovered and tried again at once, with ``ShareContent.retry`` set so
that the connector never posts twice: Mastodon answers a repeated ``Idempotency-Key``
with the first post, Bluesky finds the record under the key derived from the share's
``idempotency_key``, X looks for the account's recent post carrying the share's own
tracked link before posting, and LinkedIn refuses the repeat as "a duplicate of <urn>",
which the connector takes as the post.
"""

from __future__ import annotations

import datetime
import logging
import random
import time
import zoneinfo
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rallypoint.advocacy.models import Campaign, ContentItem, Share, ShareMetric
from rallypoint.advocacy.selectors import campaigns_visible_to, item_for
from rallypoint.core.audit import audit_record
from rallypoint.governance.compliance import share_text_check
from rallypoint.governance.selectors import policy_acknowledged
from rallypoint.links.services import CODE_LENGTH, tracked_link_create
from rallypoint.networks import limits, mastodon
from rallypoint.networks.base import (
    AuthExpired,
    Forbidden,
    NetworkError,
    RateLimited,
    Rejected,
    ShareContent,
    Unavailable,
)
from rallypoint.networks.intents import intent_url
from rallypoint.networks.models import ConnectedAccount, Network
from rallypoint.networks.registry import API_NETWORKS
from rallypoint.networks.selectors import account_for
from rallypoint.networks.services import account_metrics, account_publish
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import User

logger = logging.getLogger(__name__)

UTC = datetime.UTC
Status = Share.Status
Method = Share.Method

# Networks with a share page (intent); the others take the text and link by copy.
INTENT_NETWORKS = (
    Network.LINKEDIN,
    Network.X,
    Network.FACEBOOK,
    Network.MASTODON,
    Network.BLUESKY,
)
COPY_NETWORKS = (Network.INSTAGRAM, Network.XING, Network.WHATSAPP)
# How far ahead a share can be scheduled.
SCHEDULE_HORIZON = datetime.timedelta(days=366)
# Shares one run of the job publishes at most; the next run (a minute later) takes the rest.
RUN_LIMIT = 500
BACKOFF_BASE_SECONDS = 60
SETTLE_ATTEMPTS = 5
BACKOFF_MAX_SECONDS = 6 * 3600
# Engagement is fetched for this long after publishing, less often as the post ages.
METRICS_WINDOW = datetime.timedelta(days=30)


def max_attempts() -> int:
    """Attempts at publishing one share before it is failed for good."""
    return settings.SHARE_MAX_ATTEMPTS


def publish_lease() -> datetime.timedelta:
    """How long a claim holds: a share still ``publishing`` after it was abandoned."""
    return datetime.timedelta(seconds=settings.SHARE_PUBLISH_LEASE_SECONDS)


# ---------------------------------------------------------------- refusals


class PolicyNotAcknowledged(PermissionDenied):
    """The employee has not acknowledged the current social media policy; ``policy_url``
    leads to it and back to where they were."""

    def __init__(self, next_url: str = "") -> None:
        self.policy_url = policy_url(next_url)
        super().__init__(
            _("Read and acknowledge the social media policy before sharing: %(url)s")
            % {"url": self.policy_url}
        )


def policy_url(next_url: str = "") -> str:
    """The policy page, coming back to ``next_url`` (a path) once acknowledged."""
    url = reverse("governance_policy")
    if next_url.startswith("/") and not next_url.startswith("//"):
        url += "?next=" + quote(next_url, safe="/")
    return url


def share_page_path(item_id: int) -> str:
    return f"/library/{item_id}/share/"


def require_policy(user: User, *, next_url: str = "") -> None:
    """Refuse with ``PolicyNotAcknowledged`` unless ``user`` may share under the policy.

    When no policy was ever published, sharing is allowed."""
    if not policy_acknowledged(user=user):
        raise PolicyNotAcknowledged(next_url)


def require_shareable(item: ContentItem) -> None:
    if item.internal_only:
        raise ValidationError(
            _("This item is internal only: it cannot be shared outside the company.")
        )
    if item.status != ContentItem.Status.PUBLISHED:
        raise ValidationError(_("This item is not in the library any more."))
    now = timezone.now()
    if item.expires_at is not None and item.expires_at <= now:
        raise ValidationError(_("This item has expired: it can no longer be shared."))


def _require_network(network: str) -> None:
    if network not in Network.values:
        raise ValidationError(_("Unknown network “%(network)s”.") % {"network": network})


def network_label(network: str) -> str:
    return str(dict(Network.choices).get(network, network))


# ---------------------------------------------------------------- the check before a share


@dataclass(frozen=True)
class ShareCheck:
    """The compliance result for a text about to be shared, as the panel shows it."""

    text: str
    blocked: bool
    findings: list[dict[str, str]]
    length: int
    limit: int
    reasons: list[str] = field(default_factory=list)

    @property
    def too_long(self) -> bool:
        return self.length > self.limit

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "blocked": self.blocked or self.too_long,
            "findings": self.findings,
            "length": self.length,
            "limit": self.limit,
        }


def link_placeholder() -> str:
    """A stand-in of the tracked link's length, to count a text before the link exists."""
    return f"{settings.BASE_URL}/r/{'x' * CODE_LENGTH}"


def share_check(*, user: User, item: ContentItem | None, network: str, text: str) -> ShareCheck:
    """Check ``text`` for a share of ``item`` on ``network``: the policy gate first, then
    the compliance rules and the network's length limit (with the link as posted; with no
    item, as if it had a link)."""
    require_policy(user, next_url=share_page_path(item.pk) if item is not None else "")
    _require_network(network)
    has_link = item is None or bool(item.url)
    return _compliance(network=network, text=text, url=link_placeholder() if has_link else "")


def _compliance(*, network: str, text: str, url: str) -> ShareCheck:
    result = share_text_check(text=text.strip(), network=network, url=url)
    findings = [
        {"rule": str(f.rule), "action": str(f.action), "message": str(f.message)}
        for f in result.findings
    ]
    reasons = [f["message"] for f in findings if f["action"] == "block"]
    length = result.length
    if not length.ok and not any(f["rule"] == "length" for f in findings):
        reasons.append(
            _("The text is %(over)d characters over %(network)s's limit of %(limit)d.")
            % {"over": length.over_by, "network": network_label(network), "limit": length.limit}
        )
    return ShareCheck(
        text=result.text,
        blocked=bool(result.blocked),
        findings=findings,
        length=length.length,
        limit=length.limit,
        reasons=reasons,
    )


def _require_passes(check: ShareCheck) -> None:
    if check.blocked or check.too_long:
        raise ValidationError(
            _("This text cannot be shared: %(reasons)s")
            % {"reasons": " ".join(check.reasons) or _("a compliance rule blocks it.")}
        )


# ---------------------------------------------------------------- campaigns


def campaign_named(slug: str) -> Campaign | None:
    """The campaign a share form or API call names by slug (None when it names none);
    ``campaign_for_share`` then checks it is running, for the employee, and holds the item."""
    if not slug:
        return None
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        raise ValidationError(_("This item is not part of that campaign, or it is over."))
    return campaign


def campaign_for_share(
    *, user: User, item: ContentItem, chosen: Campaign | None = None
) -> Campaign | None:
    """The campaign a share of ``item`` counts for: ``chosen`` when it is active for
    ``user`` and holds the item, else the first such campaign, else none."""
    active = campaigns_visible_to(user).filter(items=item).order_by("starts_at", "id")
    if chosen is not None:
        found = active.filter(pk=chosen.pk).first()
        if found is None:
            raise ValidationError(_("This item is not part of that campaign, or it is over."))
        return found
    return active.first()


# ---------------------------------------------------------------- the share


def short_url(share: Share) -> str:
    """The share's tracked link as posted, or "" when the item has no link."""
    if share.link_id is None or share.link is None:
        return ""
    return f"{settings.BASE_URL}/r/{share.link.code}"


def posted_text(share: Share) -> str:
    """The text as it goes out: the stored (corrected) text with the tracked link."""
    return limits.compose(share.text, short_url(share))


def clean_instance(value: str) -> str:
    """A Mastodon server typed by the employee ("mastodon.social"), or refuse."""
    try:
        return mastodon.normalise_instance(value)
    except ValueError as error:
        raise ValidationError(str(error)) from error


def _require_future(user: User, at: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(at):
        raise ValidationError(_("Give the time with its time zone."))
    if at <= now:
        raise ValidationError(_("Choose a time in the future."))
    if at > now + SCHEDULE_HORIZON:
        raise ValidationError(_("Choose a time within the next year."))
    return at.astimezone(UTC)


def _active_account(user: User, network: str) -> ConnectedAccount:
    account = account_for(user=user, network=network)
    if account is None:
        raise ValidationError(
            _("Connect your %(network)s account to post from Rallypoint.")
            % {"network": network_label(network)}
        )
    if account.status != ConnectedAccount.Status.ACTIVE:
        raise ValidationError(
            _("Your %(network)s account needs reconnecting: %(reason)s")
            % {"network": network_label(network), "reason": account.status_reason or ""}
        )
    return account


def share_create(
    *,
    user: User,
    item: ContentItem,
    network: str,
    text: str,
    method: str,
    campaign: Campaign | None = None,
    scheduled_for: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Share:
    """Share ``item`` on ``network`` with ``text``.

    ``method`` intent or copy: the share is ``opened`` (see ``share_intent_url`` and
    ``posted_text``). ``method`` api: posted by the employee's connected account now, or
    at ``scheduled_for``. Raises ``PolicyNotAcknowledged``, ``Http404`` for an item the
    employee may not see, and ``ValidationError`` with the reason for anything else.
    """
    require_policy(user, next_url=share_page_path(item.pk))
    item = item_for(user, item.pk)
    if not getattr(item, "in_library", True):
        raise ValidationError(_("This item is not in the library now: it cannot be shared."))
    require_shareable(item)
    _require_network(network)
    if method not in Method.values:
        raise ValidationError(_("Choose how to share: post, share page or copy."))
    if method == Method.API and network not in API_NETWORKS:
        raise ValidationError(
            _("Rallypoint cannot post to %(network)s: use its share page or copy the text.")
            % {"network": network_label(network)}
        )
    if method == Method.INTENT and network not in INTENT_NETWORKS:
        raise ValidationError(
            _("%(network)s has no share page: copy the text and link instead.")
            % {"network": network_label(network)}
        )
    now = now or timezone.now()
    account = _active_account(user, network) if method == Method.API else None
    if method == Method.API and scheduled_for is not None:
        scheduled_for = _require_future(user, scheduled_for, now)
    elif method != Method.API and scheduled_for is not None:
        raise ValidationError(_("Only posts by a connected account can be scheduled."))
    check = _compliance(network=network, text=text, url=link_placeholder() if item.url else "")
    _require_passes(check)
    if not check.text.strip():
        raise ValidationError(_("Write something to share."))
    campaign = campaign_for_share(user=user, item=item, chosen=campaign)
    with transaction.atomic():
        link = None
        if item.url:
            link = tracked_link_create(
                user=user,
                network=network,
                destination=item.url,
                campaign_slug=campaign.slug if campaign else "",
            )
        share = Share(
            user=user,
            item=item,
            campaign=campaign,
            network=network,
            method=method,
            text=check.text.strip(),
            account=account,
            link=link,
        )
        if method == Method.API:
            share.status = Status.SCHEDULED
            share.scheduled_for = scheduled_for or now
            share.next_attempt_at = share.scheduled_for
        else:
            share.status = Status.OPENED
            share.published_at = now
        share.full_clean(exclude=["link", "account"])
        share.save()
        audit_record(
            action="advocacy.share_created",
            actor=user,
            target=share,
            details={"network": network, "method": method, "item": item.pk},
        )
        if method == Method.API and scheduled_for is None:
            transaction.on_commit(lambda: _enqueue_now(share.pk))
    return share


def _enqueue_now(share_id: int) -> None:
    from rallypoint.advocacy.tasks import share_publish_now

    share_publish_now(share_id)


def share_intent_url(*, share: Share, instance: str = "") -> str | None:
    """The network's share page for ``share`` (None for copy-only networks). Mastodon
    needs the employee's ``instance``."""
    try:
        return intent_url(share.network, text=share.text, url=short_url(share), instance=instance)
    except ValueError as error:
        raise ValidationError(str(error)) from error


def mastodon_instance_of(user: User, remembered: str = "") -> str:
    """The employee's Mastodon server: their connected account's, or the one they gave."""
    account = account_for(user=user, network=Network.MASTODON)
    if account is not None and account.instance:
        return account.instance
    return remembered


def _lock_own(user: User, share: Share, statuses: tuple[str, ...]) -> Share:
    locked = (
        Share.objects.select_for_update(of=("self",))
        .filter(pk=share.pk, user_id=user.pk, status__in=statuses)
        .select_related("item", "link")
        .first()
    )
    if locked is None:
        raise ValidationError(
            _("This share is no longer waiting: it was published, failed or cancelled.")
        )
    return locked


@transaction.atomic
def share_cancel(*, user: User, share: Share) -> Share:
    """Cancel a scheduled share, or dismiss a failed one; a share being published right
    now can no longer be stopped."""
    locked = _lock_own(user, share, (Status.SCHEDULED, Status.FAILED))
    locked.status = Status.CANCELLED
    locked.next_attempt_at = None
    locked.save(update_fields=["status", "next_attempt_at", "updated_at"])
    audit_record(action="advocacy.share_cancelled", actor=user, target=locked)
    return locked


@transaction.atomic
def share_reschedule(
    *,
    user: User,
    share: Share,
    text: str | None = None,
    scheduled_for: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> Share:
    """Change the text and/or time of a scheduled share, checked again as a new share is.
    A failed share given a new time (or none: now) is tried again, with the same
    idempotency key."""
    now = now or timezone.now()
    require_policy(user, next_url=reverse("advocacy_queue"))
    locked = _lock_own(user, share, (Status.SCHEDULED, Status.FAILED))
    require_shareable(locked.item)
    if text is not None:
        check = _compliance(
            network=locked.network,
            text=text,
            url=short_url(locked) or (link_placeholder() if locked.item.url else ""),
        )
        _require_passes(check)
        locked.text = check.text.strip()
    if scheduled_for is not None:
        locked.scheduled_for = _require_future(user, scheduled_for, now)
    elif locked.status == Status.FAILED:
        locked.scheduled_for = now
    if locked.status == Status.FAILED:
        account = _active_account(user, locked.network)
        locked.account = account
        locked.attempts = 0
        locked.last_error = ""
        locked.claimed_at = None
    locked.status = Status.SCHEDULED
    locked.next_attempt_at = locked.scheduled_for
    locked.full_clean(exclude=["link", "account"])
    locked.save()
    audit_record(action="advocacy.share_rescheduled", actor=user, target=locked)
    if locked.scheduled_for is not None and locked.scheduled_for <= now:
        share_id = locked.pk
        transaction.on_commit(lambda: _enqueue_now(share_id))
    return locked


def share_retry(*, user: User, share: Share) -> Share:
    """Try a failed share again now."""
    return share_reschedule(user=user, share=share)


# ---------------------------------------------------------------- suggested times

# Times of day that tend to reach people on each network (widely published guidance on
# professional audiences), in the employee's own time zone. Monday is 0.
SUGGESTED_SLOTS: dict[str, tuple[tuple[int, ...], tuple[datetime.time, ...]]] = {
    Network.LINKEDIN: ((1, 2, 3), (datetime.time(8), datetime.time(12))),
    Network.X: ((0, 1, 2, 3, 4), (datetime.time(9), datetime.time(12), datetime.time(17))),
    Network.MASTODON: ((0, 1, 2, 3, 4), (datetime.time(10), datetime.time(15))),
    Network.BLUESKY: ((0, 1, 2, 3, 4), (datetime.time(10), datetime.time(15))),
}
SLOT_LEAD = datetime.timedelta(minutes=5)


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def next_suggested_slot(
    network: str, now: datetime.datetime, tz: str | zoneinfo.ZoneInfo
) -> datetime.datetime:
    """The next good time to post on ``network`` after ``now`` (at least a few minutes
    ahead), on the wall clock of ``tz``; a UTC instant."""
    zone = tz if isinstance(tz, zoneinfo.ZoneInfo) else zone_of(tz)
    days, times = SUGGESTED_SLOTS.get(network, SUGGESTED_SLOTS[Network.X])
    earliest = now + SLOT_LEAD
    day = earliest.astimezone(zone).date()
    for offset in range(15):
        candidate_day = day + datetime.timedelta(days=offset)
        if candidate_day.weekday() not in days:
            continue
        for time_of_day in times:
            instant = datetime.datetime.combine(candidate_day, time_of_day, tzinfo=zone)
            if instant.astimezone(UTC) >= earliest:
                return instant.astimezone(UTC)
    raise AssertionError("every network has a slot each week")  # pragma: no cover


# ---------------------------------------------------------------- the publishing job


@dataclass
class PublishReport:
    published: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0


def _skip_locked(queryset: QuerySet[Share]) -> QuerySet[Share]:
    """Lock the rows read, skipping those another worker holds (PostgreSQL). SQLite takes
    the database's write lock at the start of each write, which serialises workers."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def _due(now: datetime.datetime) -> QuerySet[Share]:
    return Share.objects.filter(status=Status.SCHEDULED, method=Method.API).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at=None, scheduled_for__lte=now)
    )


def _claim(share_id: int | None, now: datetime.datetime) -> Share | None:
    """Claim one due share (``share_id``, or the earliest due): ``scheduled`` →
    ``publishing`` in a transaction of its own. None when there is nothing to claim."""
    with transaction.atomic():
        due = _due(now)
        if share_id is not None:
            due = due.filter(pk=share_id)
        candidate = _skip_locked(due.order_by("next_attempt_at", "id")).values("pk").first()
        if candidate is None:
            return None
        claimed = Share.objects.filter(pk=candidate["pk"], status=Status.SCHEDULED).update(
            status=Status.PUBLISHING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
        )
        if not claimed:
            return None
    return (
        Share.objects.select_related("item", "link", "account", "user")
        .filter(pk=candidate["pk"])
        .first()
    )


def _settle(share: Share, **fields: Any) -> bool:
    """Record the outcome of an attempt, if the claim still holds (no one recovered the
    share in between).

    The post may already be on the network: a database that is busy for a moment (SQLite
    under load) is tried again rather than leaving the outcome to the lease recovery."""
    fields.setdefault("updated_at", timezone.now())
    for attempt in range(SETTLE_ATTEMPTS):
        try:
            with transaction.atomic():
                updated = Share.objects.filter(
                    pk=share.pk, status=Status.PUBLISHING, claimed_at=share.claimed_at
                ).update(**fields)
            break
        except OperationalError:
            if attempt == SETTLE_ATTEMPTS - 1:
                raise
            logger.warning("share %s: the database is busy; recording the outcome again", share.pk)
            time.sleep(0.2 * (attempt + 1))
    for name, value in fields.items():
        setattr(share, name, value)
    return bool(updated)


def backoff_delay(attempt: int) -> datetime.timedelta:
    """The wait before attempt ``attempt + 1`` after a server error: 1, 2, 4, 8… minutes
    (up to six hours), plus up to a quarter more at random so that retries spread out."""
    base = min(BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1), BACKOFF_MAX_SECONDS)
    return datetime.timedelta(seconds=base * (1 + random.uniform(0, 0.25)))


def _refusal_before_publishing(share: Share) -> str:
    """Why a claimed share may not go out any more, or ""."""
    if share.item.internal_only:
        return _("The item became internal only: it cannot be shared outside the company.")
    if share.item.status != ContentItem.Status.PUBLISHED:
        return _("The item was removed from the library.")
    if not policy_acknowledged(user=share.user):
        return _(
            "A new social media policy was published: acknowledge it on %(url)s, then try again."
        ) % {"url": policy_url(reverse("advocacy_queue"))}
    if share.account is None or share.account.network != share.network:
        return _("Your %(network)s account was disconnected: connect it again, then retry.") % {
            "network": network_label(share.network)
        }
    if share.account.status != ConnectedAccount.Status.ACTIVE:
        return _("Your %(network)s account needs reconnecting: %(reason)s") % {
            "network": network_label(share.network),
            "reason": share.account.status_reason or "",
        }
    return ""


def _content(share: Share) -> ShareContent:
    return ShareContent(
        text=posted_text(share),
        url=short_url(share),
        title=share.item.title,
        description=share.item.description,
        idempotency_key=str(share.idempotency_key),
        # Any attempt after the first may follow one that reached the network.
        retry=share.attempts > 1,
    )


def _fail(share: Share, reason: str, report: PublishReport) -> None:
    if _settle(share, status=Status.FAILED, last_error=reason, next_attempt_at=None):
        report.failed += 1
        _tell_failed(share, reason)


def _tell_failed(share: Share, reason: str) -> None:
    notification_notify(
        recipients=[share.user],
        kind=Notification.Kind.ADVOCACY,
        actor=None,
        space=None,
        target=share,
        url=reverse("advocacy_my_shares"),
        summary=_("Your share of “%(title)s” on %(network)s was not posted: %(reason)s")
        % {
            "title": share.item.title[:80],
            "network": network_label(share.network),
            "reason": reason,
        },
    )


def _publish_claimed(share: Share, now: datetime.datetime, report: PublishReport) -> None:
    refusal = _refusal_before_publishing(share)
    if refusal:
        _fail(share, refusal, report)
        return
    assert share.account is not None
    try:
        published = account_publish(account=share.account, content=_content(share))
    except RateLimited as error:
        _retry_or_fail(share, error, now, report, wait=max(1.0, float(error.retry_after or 0)))
    except Unavailable as error:
        _retry_or_fail(share, error, now, report, wait=None)
    except (AuthExpired, Forbidden, Rejected) as error:
        _fail(share, str(error), report)
    except NetworkError as error:
        if error.retryable:
            _retry_or_fail(share, error, now, report, wait=None)
        else:
            _fail(share, str(error), report)
    else:
        if _settle(
            share,
            status=Status.PUBLISHED,
            published_at=timezone.now(),
            remote_id=published.remote_id[:255],
            remote_url=published.remote_url[:2048],
            last_error="",
            next_attempt_at=None,
        ):
            report.published += 1
            logger.info("share %s published on %s", share.pk, share.network)


def _retry_or_fail(
    share: Share,
    error: NetworkError,
    now: datetime.datetime,
    report: PublishReport,
    *,
    wait: float | None,
) -> None:
    if share.attempts >= max_attempts():
        _fail(
            share,
            _("%(reason)s (gave up after %(count)d attempts)")
            % {"reason": str(error), "count": share.attempts},
            report,
        )
        return
    delay = datetime.timedelta(seconds=wait) if wait is not None else backoff_delay(share.attempts)
    if _settle(
        share,
        status=Status.SCHEDULED,
        next_attempt_at=now + delay,
        last_error=str(error),
        claimed_at=None,
    ):
        report.retried += 1


def _recover_abandoned(
    now: datetime.datetime, lease: datetime.timedelta, report: PublishReport
) -> None:
    """Shares left ``publishing`` by a worker that died: tried again at once. The next
    attempt carries ``retry``, so the connector finds a post the dead worker made instead
    of posting twice (see the module's docstring)."""
    stale = Share.objects.filter(status=Status.PUBLISHING, claimed_at__lt=now - lease)
    for share in stale.order_by("claimed_at", "id")[:RUN_LIMIT]:
        updated = Share.objects.filter(
            pk=share.pk, status=Status.PUBLISHING, claimed_at=share.claimed_at
        ).update(status=Status.SCHEDULED, next_attempt_at=now, claimed_at=None, updated_at=now)
        if updated:
            report.recovered += 1
            logger.warning("share %s was abandoned while publishing; retrying", share.pk)


def share_publish_due(
    *,
    now: datetime.datetime | None = None,
    lease: datetime.timedelta | None = None,
    limit: int = RUN_LIMIT,
) -> PublishReport:
    """Publish every api share due at ``now``, one claim at a time, after recovering
    shares abandoned by a dead worker. Safe to run in any number of workers at once."""
    now = now or timezone.now()
    report = PublishReport()
    _recover_abandoned(now, lease or publish_lease(), report)
    for _index in range(limit):
        share = _claim(None, now)
        if share is None:
            break
        _publish_claimed(share, now, report)
    return report


def share_publish_one(*, share_id: int, now: datetime.datetime | None = None) -> PublishReport:
    """Publish one share now if it is due and nobody claimed it (the "Post now" path;
    the periodic job catches it otherwise)."""
    now = now or timezone.now()
    report = PublishReport()
    share = _claim(share_id, now)
    if share is not None:
        _publish_claimed(share, now, report)
    return report


# ---------------------------------------------------------------- engagement


def metrics_interval(age: datetime.timedelta) -> datetime.timedelta:
    """How often to fetch a post's engagement at ``age``: hourly on its first day, every
    six hours in its first week, then daily until ``METRICS_WINDOW``."""
    if age < datetime.timedelta(days=1):
        return datetime.timedelta(hours=1)
    if age < datetime.timedelta(days=7):
        return datetime.timedelta(hours=6)
    return datetime.timedelta(days=1)


@dataclass
class MetricsReport:
    fetched: int = 0
    unavailable: int = 0
    skipped: int = 0


def _metrics_due(now: datetime.datetime) -> list[Share]:
    from django.db.models import Max

    candidates = (
        Share.objects.filter(
            method=Method.API,
            status=Status.PUBLISHED,
            published_at__gte=now - METRICS_WINDOW,
            account__status=ConnectedAccount.Status.ACTIVE,
        )
        .exclude(remote_id="")
        .annotate(last_fetched=Max("metrics__fetched_at"))
        .select_related("account")
        .order_by("published_at", "id")
    )
    due: list[Share] = []
    for share in candidates:
        assert share.published_at is not None
        last = getattr(share, "last_fetched", None)
        if last is None or now - last >= metrics_interval(
            now - share.published_at
        ) - datetime.timedelta(minutes=1):
            due.append(share)
    return due


def share_metrics_fetch_due(*, now: datetime.datetime | None = None) -> MetricsReport:
    """Fetch the engagement of every api share due for a fetch and store one
    ``ShareMetric`` per fetch. A network that gives nothing gets a row of nulls ("not
    available"); a network that is down or limiting is asked again next run."""
    now = now or timezone.now()
    report = MetricsReport()
    for share in _metrics_due(now):
        assert share.account is not None
        try:
            metrics = account_metrics(account=share.account, remote_id=share.remote_id)
        except (RateLimited, Unavailable, AuthExpired) as error:
            logger.info("engagement of share %s not fetched: %s", share.pk, error)
            report.skipped += 1
            continue
        except NetworkError as error:
            logger.info("engagement of share %s not given: %s", share.pk, error)
            metrics = None
        row = ShareMetric(share=share, fetched_at=now)
        if metrics is None:
            report.unavailable += 1
        else:
            for name in ("likes", "reposts", "replies", "quotes", "impressions", "clicks"):
                value = getattr(metrics, name)
                setattr(row, name, None if value is None else max(0, int(value)))
            report.fetched += 1
        row.save()
    return report


ENGAGEMENT_FIELDS = (
    ("likes", gettext_lazy("likes")),
    ("reposts", gettext_lazy("reposts")),
    ("replies", gettext_lazy("replies")),
    ("quotes", gettext_lazy("quotes")),
    ("impressions", gettext_lazy("impressions")),
    ("clicks", gettext_lazy("clicks")),
)
