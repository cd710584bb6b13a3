"""Background jobs of the people app."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from rallypoint.people.invitations import invitation_email_deliver


@db_task(retries=3, retry_delay=60)
def invitation_email_task(invitation_id: int, token: str) -> bool:
    """Send one invitation email (retried if the mail server is unreachable)."""
    return invitation_email_deliver(invitation_id=invitation_id, token=token)
