"""Every write to connected accounts, and the calls the share queue makes through them.

An employee has at most one connected account per network. Its tokens are stored
encrypted (``ConnectedAccount.access_token``/``refresh_token`` go through ``core.crypto``);
no token, app password or client secret ever reaches the audit log, a message or a log line.

Publishing and reading metrics renew the access token when it is about to expire and a
refresh token exists, and once more when the network answers "401" (the token may have
been revoked early, or another worker holds a newer one). When no renewal helps, the
account turns to *needs reconnecting*, the employee is told once, and ``AuthExpired``
reaches the caller. Renewals of one account run one at a time, for the length of the
network call, so that two workers never spend the same refresh token: X hands out a new
refresh token on every renewal and forgets the old one, so a lost update would
disconnect the account.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rallypoint.core.audit import audit_record
from rallypoint.core.crypto import SecretUnreadable
from rallypoint.networks import registry
from rallypoint.networks.base import (
    AuthExpired,
    Forbidden,
    Metrics,
    Published,
    ShareContent,
    TokenSet,
)
from rallypoint.networks.models import ConnectedAccount, MastodonApp, Network
from rallypoint.networks.selectors import CONNECTABLE
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import User

T = TypeVar("T")

# Renew a token that expires within this margin before using it.
EXPIRY_MARGIN = datetime.timedelta(seconds=60)


def _locked(*, user: User, network: str) -> ConnectedAccount | None:
    return ConnectedAccount.objects.select_for_update().filter(user=user, network=network).first()


def network_label(network: str) -> str:
    return str(Network(network).label) if network in Network.values else network


@transaction.atomic
def account_connect(
    *, user: User, network: str, tokens: TokenSet, instance: str = ""
) -> ConnectedAccount:
    """Store the account ``tokens`` belong to as ``user``'s ``network`` connection.

    Connecting again (a reconnect, or another account on the same network) replaces the
    previous tokens in the same row and makes the connection active again.
    """
    if network not in CONNECTABLE:
        raise ValidationError(_("Accounts on this network cannot be connected."))
    if not tokens.access_token or not tokens.remote_id:
        raise ValidationError(_("The network did not say which account was connected."))
    account = (
        ConnectedAccount.objects.select_for_update().filter(user=user, network=network).first()
    )
    reconnected = account is not None
    if account is None:
        try:
            with transaction.atomic():
                account = ConnectedAccount.objects.create(
                    user=user, network=network, remote_id=tokens.remote_id
                )
        except IntegrityError:
            # A connection finished in another tab at the same moment: update that row.
            account = ConnectedAccount.objects.select_for_update().get(user=user, network=network)
            reconnected = True
    previous_remote_id = account.remote_id
    account.instance = instance
    account.remote_id = tokens.remote_id
    account.handle = tokens.handle
    account.access_token = tokens.access_token
    account.refresh_token = tokens.refresh_token
    account.token_expires_at = tokens.expires_at
    account.scopes = tokens.scopes
    account.status = ConnectedAccount.Status.ACTIVE
    account.status_reason = ""
    account.full_clean()
    account.save()
    audit_record(
        action="networks.account_connected",
        actor=user,
        target=account,
        details={
            "network": network,
            "handle": account.handle,
            "instance": instance,
            "scopes": tokens.scopes,
            "reconnected": reconnected,
            "account_changed": reconnected and previous_remote_id != tokens.remote_id,
        },
    )
    return account


@transaction.atomic
def account_disconnect(*, user: User, network: str) -> bool:
    """Delete ``user``'s connection to ``network`` and its tokens; False if there was none.

    Shares already published stay as they are; shares scheduled through this account can
    no longer be posted by Rallypoint.
    """
    account = (
        ConnectedAccount.objects.select_for_update().filter(user=user, network=network).first()
    )
    if account is None:
        return False
    audit_record(
        action="networks.account_disconnected",
        actor=user,
        target=account,
        details={"network": network, "handle": account.handle, "instance": account.instance},
    )
    account.delete()
    return True


def account_mark_needs_reconnect(*, account: ConnectedAccount, reason: str) -> ConnectedAccount:
    """Turn ``account`` to *needs reconnecting* with ``reason``; tell the employee once.

    The employee is notified when the account changes from active to needs reconnecting,
    not again while it stays so (a later reason only replaces the text).
    """
    with transaction.atomic():
        locked = ConnectedAccount.objects.select_for_update().filter(pk=account.pk).first()
        if locked is None:
            return account
        changed = locked.status != ConnectedAccount.Status.NEEDS_RECONNECT
        locked.status = ConnectedAccount.Status.NEEDS_RECONNECT
        locked.status_reason = reason[:1000]
        locked.save(update_fields=["status", "status_reason", "updated_at"])
        account.status, account.status_reason = locked.status, locked.status_reason
        if changed:
            audit_record(
                action="networks.account_needs_reconnect",
                target=locked,
                details={"network": locked.network, "reason": locked.status_reason},
            )
            summary = _("Your %(network)s connection needs reconnecting: %(reason)s") % {
                "network": network_label(locked.network),
                "reason": locked.status_reason,
            }
            transaction.on_commit(
                lambda: notification_notify(
                    recipients=[locked.user],
                    kind=Notification.Kind.ADVOCACY,
                    actor=None,
                    space=None,
                    target=locked,
                    url=reverse("networks_accounts"),
                    summary=summary,
                )
            )
    return account


def _adopt(account: ConnectedAccount, source: ConnectedAccount) -> None:
    for name in (
        "access_token_encrypted",
        "refresh_token_encrypted",
        "token_expires_at",
        "scopes",
        "remote_id",
        "handle",
        "status",
        "status_reason",
    ):
        setattr(account, name, getattr(source, name))


def _tokens_changed(locked: ConnectedAccount, seen: ConnectedAccount) -> bool:
    # Every encryption gives a new ciphertext, so any renewal shows as a change.
    return (
        locked.access_token_encrypted != seen.access_token_encrypted
        or locked.refresh_token_encrypted != seen.refresh_token_encrypted
    )


_renewals: dict[int, threading.Lock] = {}
_renewals_guard = threading.Lock()


@contextmanager
def _renewal_lock(account_id: int) -> Iterator[None]:
    """Let one renewal of an account run at a time.

    On PostgreSQL: a transaction in which the caller locks the row, which holds across
    processes and hosts. On SQLite a transaction would hold the database's single write
    lock (``BEGIN IMMEDIATE``) for the whole network call and stall every other write
    for up to ``OUTBOUND_TIMEOUT_SECONDS``; the embedded mode runs in one process, so a
    lock per account in this process serialises renewals instead.
    """
    if connection.features.has_select_for_update:
        with transaction.atomic():
            yield
        return
    with _renewals_guard:
        lock = _renewals.setdefault(account_id, threading.Lock())
    with lock:
        yield


def account_tokens_refresh(*, account: ConnectedAccount) -> ConnectedAccount:
    """Renew ``account``'s access token with its refresh token and store what comes back.

    Call outside a transaction. Renewals of one account run one at a time
    (``_renewal_lock``) for the length of the network call, so a second worker waits,
    then finds the tokens already renewed and takes them instead of spending the (now
    forgotten) refresh token again. A new refresh token replaces the old one in the
    same write. If the network refuses the refresh token, or there is
    none, the account turns to *needs reconnecting* and ``AuthExpired`` is raised;
    other errors (``Unavailable``, ``RateLimited``) pass through and change nothing.
    ``account`` is updated in place and returned.
    """
    connector = registry.connector(account.network)
    failure: AuthExpired
    with _renewal_lock(account.pk):
        locked = ConnectedAccount.objects.select_for_update().filter(pk=account.pk).first()
        if locked is None:
            raise AuthExpired(_("This account is no longer connected."))
        if locked.status == ConnectedAccount.Status.NEEDS_RECONNECT:
            # Another worker already found the connection dead.
            _adopt(account, locked)
            _refuse_if_needs_reconnect(account)
        if _tokens_changed(locked, account):
            _adopt(account, locked)
            return account
        try:
            tokens = connector.refresh(locked)
        except SecretUnreadable:
            failure = AuthExpired(_("The stored connection can no longer be read."))
        except AuthExpired as error:
            failure = error
        else:
            locked.access_token = tokens.access_token
            if tokens.refresh_token:
                locked.refresh_token = tokens.refresh_token
            locked.token_expires_at = tokens.expires_at
            locked.scopes = tokens.scopes or locked.scopes
            locked.handle = tokens.handle or locked.handle
            locked.save(
                update_fields=[
                    "access_token_encrypted",
                    "refresh_token_encrypted",
                    "token_expires_at",
                    "scopes",
                    "handle",
                    "updated_at",
                ]
            )
            _adopt(account, locked)
            return account
    account_mark_needs_reconnect(account=account, reason=str(failure))
    raise failure


def _expiring(account: ConnectedAccount) -> bool:
    expires = account.token_expires_at
    return expires is not None and expires <= timezone.now() + EXPIRY_MARGIN


def _refuse_if_needs_reconnect(account: ConnectedAccount) -> None:
    if account.status == ConnectedAccount.Status.NEEDS_RECONNECT:
        raise AuthExpired(
            _("Your %(network)s connection needs reconnecting: %(reason)s")
            % {"network": network_label(account.network), "reason": account.status_reason}
        )


def _with_valid_token(account: ConnectedAccount, call: Callable[[], T]) -> T:
    """``call()`` with a token renewed first if it is expiring, and renewed once more and
    retried once on ``AuthExpired``; when that fails the account needs reconnecting."""
    refreshed = False
    if _expiring(account) and account.refresh_token_encrypted:
        account_tokens_refresh(account=account)
        refreshed = True
    try:
        return call()
    except SecretUnreadable:
        failure = AuthExpired(_("The stored connection can no longer be read."))
    except AuthExpired as error:
        failure = error
        if not refreshed and account.refresh_token_encrypted:
            account_tokens_refresh(account=account)
            try:
                return call()
            except AuthExpired as second:
                failure = second
    account_mark_needs_reconnect(account=account, reason=str(failure))
    raise failure


def account_publish(*, account: ConnectedAccount, content: ShareContent) -> Published:
    """Post ``content`` through ``account``; call outside a transaction.

    Refuses an account that needs reconnecting (``AuthExpired``). Other network errors
    (``Forbidden``, ``Rejected``, ``RateLimited``, ``Unavailable``) reach the caller
    unchanged: the share queue decides between retrying and giving up.
    """
    _refuse_if_needs_reconnect(account)
    connector = registry.connector(account.network)
    published = _with_valid_token(account, lambda: connector.publish(account, content))
    account.last_used_at = timezone.now()
    ConnectedAccount.objects.filter(pk=account.pk).update(last_used_at=account.last_used_at)
    return published


def account_metrics(*, account: ConnectedAccount, remote_id: str) -> Metrics | None:
    """Engagement of the post ``remote_id`` made through ``account``, or None when the
    network gives none to this account.

    A 403 (``Forbidden``: a scope the employee did not grant, an API tier without
    metrics) means "no figures here", never "reconnect": it returns None and leaves the
    account alone. A token that cannot be renewed is treated as in ``account_publish``.
    """
    _refuse_if_needs_reconnect(account)
    connector = registry.connector(account.network)
    try:
        return _with_valid_token(account, lambda: connector.metrics(account, remote_id))
    except Forbidden:
        return None


def mastodon_app_for(*, instance: str, redirect_uri: str) -> MastodonApp:
    """Rallypoint's application on the Mastodon ``instance``, registered on first use.

    Call outside a transaction (it registers over the network). Two people connecting to a
    new instance at once may both register; the first row stored wins and both use it.
    When the callback address (``BASE_URL``) or the scopes Rallypoint asks for changed,
    the application is registered again.
    """
    from rallypoint.networks import mastodon

    app = MastodonApp.objects.filter(instance=instance).first()
    if app is not None and app.redirect_uri == redirect_uri and app.scopes == mastodon.SCOPES:
        return app
    client_id, client_secret = mastodon.register_app(instance=instance, redirect_uri=redirect_uri)
    if app is not None:
        app.client_id, app.client_secret = client_id, client_secret
        app.redirect_uri, app.scopes = redirect_uri, mastodon.SCOPES
        app.save(
            update_fields=[
                "client_id",
                "client_secret_encrypted",
                "redirect_uri",
                "scopes",
                "updated_at",
            ]
        )
        return app
    fresh = MastodonApp(
        instance=instance, client_id=client_id, redirect_uri=redirect_uri, scopes=mastodon.SCOPES
    )
    fresh.client_secret = client_secret
    try:
        with transaction.atomic():
            fresh.save()
    except IntegrityError:
        return MastodonApp.objects.get(instance=instance)
    return fresh
