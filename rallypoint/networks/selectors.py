"""Reads of connected accounts: each person sees and uses only their own."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from rallypoint.networks.models import ConnectedAccount, Network
from rallypoint.networks.registry import API_NETWORKS
from rallypoint.people.models import User

# Networks an employee can connect (those with an API connector), in page order.
CONNECTABLE: tuple[str, ...] = API_NETWORKS


def accounts_of(*, user: User) -> QuerySet[ConnectedAccount]:
    """``user``'s connected accounts, in network order of the connections page."""
    return ConnectedAccount.objects.filter(user=user).order_by("network")


def account_for(*, user: User, network: str) -> ConnectedAccount | None:
    """``user``'s connection to ``network``, or None."""
    return ConnectedAccount.objects.filter(user=user, network=network).first()


def network_configured(network: str) -> bool:
    """Whether an administrator set Rallypoint up to connect accounts on ``network``.

    LinkedIn and X need an application registered with the network (a client id and a
    secret in the settings); Rallypoint registers itself on each Mastodon instance, and
    Bluesky needs nothing.
    """
    if network == Network.LINKEDIN:
        return bool(settings.LINKEDIN_CLIENT_ID and settings.LINKEDIN_CLIENT_SECRET)
    if network == Network.X:
        return bool(settings.X_CLIENT_ID)
    return network in CONNECTABLE


@dataclass(frozen=True)
class Connection:
    """One line of the connections page: a network, and the viewer's account there."""

    network: str
    label: str
    configured: bool
    account: ConnectedAccount | None


def connections_of(*, user: User) -> list[Connection]:
    """One ``Connection`` per connectable network for ``user`` (one query)."""
    accounts = {account.network: account for account in accounts_of(user=user)}
    return [
        Connection(
            network=network,
            label=str(Network(network).label),
            configured=network_configured(network),
            account=accounts.get(network),
        )
        for network in CONNECTABLE
    ]
