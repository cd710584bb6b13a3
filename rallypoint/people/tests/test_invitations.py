"""Administrators invite people; invitees choose a password and are signed in."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from rallypoint.core.models import AuditEntry
from rallypoint.people import invitations
from rallypoint.people.models import Invitation, User
from rallypoint.people.tests.mail import link_in

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LIST = "/admin-tools/invitations/"


@pytest.fixture
def admin() -> User:
    return User.objects.create_superuser("root@example.com", PASSWORD, display_name="Rita Root")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def imported() -> User:
    """A person from the CSV import: in the directory, no password yet."""
    return User.objects.create_user("ivy@example.com", None, display_name="Ivy Imported")


@pytest.fixture
def sending(django_capture_on_commit_callbacks):
    """Run the on-commit email jobs of whatever happens inside ``with sending():``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def link_from(message) -> str:
    return link_in(message, r"http://127\.0\.0\.1:8000(/invite/[^/\s]+/)")


def signed_in_user(client):
    user = client.get(reverse("people_profile_edit")).wsgi_request.user
    return user if user.is_authenticated else None


def test_only_administrators_see_the_invitations_page(client, admin):
    assert client.get(LIST).status_code == 302  # anonymous: to sign in
    employee = User.objects.create_user("emp@example.com", PASSWORD, display_name="Emp")
    comms = User.objects.create_user(
        "comms@example.com", PASSWORD, display_name="Cam", role=User.Role.COMMUNICATIONS
    )
    for user in (employee, comms):
        client.force_login(user)
        assert client.get(LIST).status_code == 404
        assert client.post(LIST, {"email": "x@example.com", "display_name": "X"}).status_code == 404
    assert not User.objects.filter(email="x@example.com").exists()
    client.force_login(admin)
    assert client.get(LIST).status_code == 200


def test_inviting_a_new_person_creates_them_and_emails_a_link(admin_client, admin, sending):
    with sending():
        response = admin_client.post(
            LIST, {"email": "New.Person@Example.com", "display_name": "Nia"}
        )
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.com")
    assert person.display_name == "Nia"
    assert not person.has_usable_password()

    invitation = Invitation.objects.get(user=person)
    assert invitation.invited_by == admin
    assert invitation.sent_at is not None
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert message.subject == "[Rallypoint] You are invited to Rallypoint"
    assert "Rita Root invited you" in message.body
    path = link_from(message)
    token = path.split("/")[2]
    # Only the token's SHA-256 is stored.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives and path in str(message.alternatives[0][0])

    entry = AuditEntry.objects.get(action="people.invitation_sent")
    assert entry.actor == admin
    assert entry.target_id == str(person.pk)
    assert entry.details["new_person"] is True

    page = admin_client.get(LIST).content.decode()
    assert "Invitation sent to new.person@example.com." in page
    assert "Nia" in page and "Pending" in page


def test_inviting_an_imported_person_reuses_their_account(admin_client, imported):
    admin_client.post(LIST, {"email": "ivy@example.com"})
    assert User.objects.filter(email="ivy@example.com").count() == 1
    assert Invitation.objects.get().user == imported
    assert AuditEntry.objects.get(action="people.invitation_sent").details["new_person"] is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "display_name": "X"}, "Enter a valid email address."),
        ({"email": "fresh@example.com"}, "Give the new person&#x27;s name."),
        ({"email": "root@example.com"}, "Rita Root can already sign in."),
    ],
)
def test_invite_form_explains_what_is_wrong(admin_client, data, message):
    response = admin_client.post(LIST, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_cannot_invite_deactivated_or_already_invited_people(admin_client, imported):
    admin_client.post(LIST, {"email": imported.email})
    response = admin_client.post(LIST, {"email": imported.email})
    assert "already has a pending invitation" in response.content.decode()
    imported.is_active = False
    imported.save()
    Invitation.objects.update(revoked_at=timezone.now())
    response = admin_client.post(LIST, {"email": imported.email})
    assert "is deactivated" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_service_refuses_non_administrators(imported):
    employee = User.objects.create_user("emp@example.com", PASSWORD, display_name="Emp")
    with pytest.raises(PermissionDenied):
        invitations.invitation_send(actor=employee, email="z@example.com", display_name="Z")
    assert not User.objects.filter(email="z@example.com").exists()


def test_accepting_sets_the_password_and_signs_in(client, admin_client, imported, sending):
    with sending():
        admin_client.post(LIST, {"email": imported.email})
    path = link_from(mail.outbox[0])
    client.logout()

    page = client.get(path).content.decode()
    assert "Ivy Imported" in page and "ivy@example.com" in page
    assert '<label for="id_password1">Password</label>' in page

    response = client.post(path, {"password1": "password", "password2": "password"})
    assert response.status_code == 400
    assert "This password is too common." in response.content.decode()
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert "The two passwords are different." in response.content.decode()

    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert signed_in_user(client) == imported
    imported.refresh_from_db()
    assert imported.check_password(PASSWORD)
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None
    assert AuditEntry.objects.filter(action="people.invitation_accepted").count() == 1
    assert AuditEntry.objects.get(action="people.signed_in").actor == imported

    # The link works once.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "This invitation has already been used." in again.content.decode()
    assert client.post(path, {"password1": "x" * 20, "password2": "x" * 20}).status_code == 410
    imported.refresh_from_db()
    assert imported.check_password(PASSWORD)

    # The new password signs in through the normal form.
    client.post("/accounts/login/", {"login": imported.email, "password": PASSWORD})
    assert signed_in_user(client) == imported


def test_unknown_expired_and_revoked_links_get_a_clear_message(client, admin, imported, sending):
    response = client.get("/invite/not-a-real-token/")
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()

    with sending():
        invitations.invitation_send(actor=admin, email=imported.email)
    path = link_from(mail.outbox[-1])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 410
    assert "This invitation has expired." in response.content.decode()

    Invitation.objects.update(
        expires_at=timezone.now() + timedelta(days=1), revoked_at=timezone.now()
    )
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert "This invitation was withdrawn." in response.content.decode()
    imported.refresh_from_db()
    assert not imported.has_usable_password()

    too_long = client.get("/invite/" + "a" * 5000 + "/")
    assert too_long.status_code == 404


def test_deactivated_person_cannot_accept(client, admin, imported, sending):
    with sending():
        invitations.invitation_send(actor=admin, email=imported.email)
    path = link_from(mail.outbox[-1])
    User.objects.filter(pk=imported.pk).update(is_active=False)
    response = client.post(path, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert "This account is deactivated." in response.content.decode()
    assert signed_in_user(client) is None


def test_resend_replaces_the_link(admin_client, admin, imported, sending):
    with sending():
        admin_client.post(LIST, {"email": imported.email})
    old_path = link_from(mail.outbox[0])
    invitation = Invitation.objects.get()
    with sending():
        response = admin_client.post(LIST, {"action": "resend", "invitation": invitation.pk})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    new_path = link_from(mail.outbox[1])
    assert new_path != old_path
    assert admin_client.get(old_path).status_code == 404
    assert admin_client.get(new_path).status_code == 200
    assert AuditEntry.objects.filter(action="people.invitation_resent").count() == 1


def test_expired_invitation_can_be_resent(admin_client, admin, imported):
    invitation = invitations.invitation_send(actor=admin, email=imported.email)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(days=1))
    assert "Expired" in admin_client.get(LIST).content.decode()
    admin_client.post(LIST, {"action": "resend", "invitation": invitation.pk})
    invitation.refresh_from_db()
    assert invitations.invitation_status(invitation) == "pending"


def test_revoke_stops_the_link(client, admin, admin_client, imported, sending):
    with sending():
        admin_client.post(LIST, {"email": imported.email})
    path = link_from(mail.outbox[0])
    invitation = Invitation.objects.get()
    admin_client.post(LIST, {"action": "revoke", "invitation": invitation.pk})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEntry.objects.filter(action="people.invitation_revoked").count() == 1
    page = admin_client.get(LIST).content.decode()
    assert "The invitation for ivy@example.com was revoked." in page
    assert "Revoked" in page
    assert client.get(path).status_code == 410

    # Revoking twice or resending a revoked invitation explains itself.
    admin_client.post(LIST, {"action": "revoke", "invitation": invitation.pk})
    assert "already revoked" in admin_client.get(LIST).content.decode()
    admin_client.post(LIST, {"action": "resend", "invitation": invitation.pk})
    assert "was revoked. Send a new invitation instead." in admin_client.get(LIST).content.decode()
    with pytest.raises(ValidationError):
        invitations.invitation_revoke(actor=admin, invitation=invitation)


def test_actions_on_missing_invitations_are_explained(admin_client):
    for raw in ("999999", "abc", ""):
        response = admin_client.post(LIST, {"action": "revoke", "invitation": raw}, follow=True)
        assert response.status_code == 200
        assert "That invitation does not exist any more." in response.content.decode()


def test_list_shows_every_status_without_a_query_per_row(
    admin_client, admin, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(12):
        invitations.invitation_send(actor=admin, email=f"p{n}@example.com", display_name=f"P{n}")
    Invitation.objects.filter(user__email="p0@example.com").update(accepted_at=now)
    Invitation.objects.filter(user__email="p1@example.com").update(revoked_at=now)
    Invitation.objects.filter(user__email="p2@example.com").update(
        expires_at=now - timedelta(days=1)
    )
    with django_assert_max_num_queries(12):
        page = admin_client.get(LIST).content.decode()
    for label in ("Pending", "Accepted", "Revoked", "Expired"):
        assert f'">{label}</span>' in page
    assert "p11@example.com" in page
    searched = admin_client.get(LIST, {"q": "p11@"}).content.decode()
    assert "p11@example.com" in searched and "p10@example.com" not in searched
