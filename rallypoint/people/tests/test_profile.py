"""Profile pages, editing a profile, avatars and social handles."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from rallypoint.core.models import AuditEntry
from rallypoint.people.models import User
from rallypoint.people.services import (
    bluesky_normalize,
    linkedin_normalize,
    mastodon_normalize,
    profile_update,
    social_url,
    x_handle_normalize,
)
from rallypoint.people.tests.test_directory import Company, build_company


@pytest.fixture
def company(db) -> Company:
    return build_company()


def picture(
    *, size: tuple[int, int] = (800, 600), fmt: str = "PNG", mode: str = "RGB", exif: bool = False
) -> bytes:
    image = Image.new(mode, size, (40, 90, 200) if mode == "RGB" else (40, 90, 200, 128))
    buffer = io.BytesIO()
    options = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "Phone maker"  # Make
        data[0x0110] = "Phone model"  # Model
        options["exif"] = data.tobytes()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def personal_form(person: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "display_name": person.display_name,
        "pronouns": person.pronouns,
        "bio": person.bio,
        "birthday_month": person.birthday_month or "",
        "birthday_day": person.birthday_day or "",
        "time_zone": person.time_zone,
        "language": person.language,
        "linkedin": person.linkedin,
        "x_handle": person.x_handle,
        "mastodon": person.mastodon,
        "bluesky": person.bluesky,
    }
    if person.birthday_visible:
        data["birthday_visible"] = "on"
    data.update(changes)
    return data


# ---------------------------------------------------------------- profile page


def test_profile_shows_public_fields_manager_reports_and_team(client, company):
    client.force_login(company["dev2"])
    response = client.get(reverse("people_profile", args=[company["em1"].pk]))
    html = response.content.decode()
    assert "<h1>Priya Natarajan" in html
    assert "Engineering Manager" in html
    assert "Platform team" in html
    assert "Berlin" in html
    assert "Lukas Schneider" in html  # manager
    for name in ("Chen Wei", "Fatima Zahra", "Oliver Brooks", "Ravi Menon"):
        assert name in html
    assert ">Manager</span>" in html  # derived role badge
    assert "Change role" not in html  # only administrators see the role form


def test_profile_social_links_open_safely(client, company):
    person = company["mkt2"]
    User.objects.filter(pk=person.pk).update(
        linkedin="https://www.linkedin.com/in/tomas-silva",
        x_handle="@tomas",
        mastodon="@tomas@mastodon.social",
        bluesky="tomas.bsky.social",
    )
    client.force_login(company["dev1"])
    html = client.get(reverse("people_profile", args=[person.pk])).content.decode()
    for url in (
        "https://www.linkedin.com/in/tomas-silva",
        "https://x.com/tomas",
        "https://mastodon.social/@tomas",
        "https://bsky.app/profile/tomas.bsky.social",
    ):
        assert f'href="{url}" rel="noopener noreferrer external" target="_blank"' in html


def test_stored_junk_never_becomes_a_link(client, company):
    person = company["mkt2"]
    User.objects.filter(pk=person.pk).update(
        linkedin="javascript:alert(1)", x_handle='@x"onmouseover=alert(1)', mastodon="nobody"
    )
    client.force_login(company["dev1"])
    html = client.get(reverse("people_profile", args=[person.pk])).content.decode()
    assert "javascript:" not in html
    assert "onmouseover" not in html
    assert "No social profiles added." in html
    assert social_url("linkedin", "https://evil.example/in/ada") == ""


def test_birthday_shows_only_when_opted_in(client, company):
    person = company["mkt1"]
    User.objects.filter(pk=person.pk).update(birthday_month=3, birthday_day=14)
    client.force_login(company["dev1"])
    url = reverse("people_profile", args=[person.pk])
    assert "March 14" not in client.get(url).content.decode()
    User.objects.filter(pk=person.pk).update(birthday_visible=True)
    assert "March 14" in client.get(url).content.decode()


def test_my_own_hidden_birthday_is_shown_to_me_only(client, company):
    person = company["mkt1"]
    User.objects.filter(pk=person.pk).update(birthday_month=3, birthday_day=14)
    client.force_login(person)
    html = client.get(reverse("people_profile", args=[person.pk])).content.decode()
    assert "March 14" in html
    assert "(only you see this)" in html


def test_deactivated_people_are_404_except_for_administrators(client, company):
    User.objects.filter(pk=company["dev3"].pk).update(is_active=False)
    url = reverse("people_profile", args=[company["dev3"].pk])
    client.force_login(company["dev1"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("people_profile", args=[999999])).status_code == 404
    client.force_login(company["ceo"])
    response = client.get(url)
    assert response.status_code == 200
    assert "Deactivated" in response.content.decode()


def test_profile_query_count_does_not_grow_with_reports(
    client, company, django_assert_max_num_queries
):
    client.force_login(company["ceo"])
    url = reverse("people_profile", args=[company["em1"].pk])
    with django_assert_max_num_queries(6):
        client.get(url)
    for n in range(30):
        User.objects.create_user(
            f"r{n}@northwind.example",
            display_name=f"Report {n}",
            manager=company["em1"],
            team=company.teams["platform"],
            department=company.departments["Engineering"],
        )
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert len(response.context["reports"]) == 34


# ---------------------------------------------------------------- editing my profile


def test_edit_my_profile_saves_personal_fields(client, company):
    me = company["dev2"]
    client.force_login(me)
    response = client.post(
        reverse("people_profile_edit"),
        personal_form(
            me,
            display_name="Fatima Zahra El Idrissi",
            pronouns="she/her",
            bio="Backend, queues and coffee.",
            birthday_month="7",
            birthday_day="21",
            birthday_visible="on",
            time_zone="Africa/Casablanca",
            language="fr",
            linkedin="linkedin.com/in/fatima-zahra/",
            x_handle="fzahra",
            mastodon="@FZahra@Hachyderm.io",
            bluesky="@FZahra.bsky.social",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people_profile", args=[me.pk])
    assert response.cookies["django_language"].value == "fr"
    me.refresh_from_db()
    assert me.display_name == "Fatima Zahra El Idrissi"
    assert (me.birthday_month, me.birthday_day, me.birthday_visible) == (7, 21, True)
    assert me.time_zone == "Africa/Casablanca"
    assert me.linkedin == "https://www.linkedin.com/in/fatima-zahra"
    assert me.x_handle == "@fzahra"
    assert me.mastodon == "@FZahra@hachyderm.io"
    assert me.bluesky == "fzahra.bsky.social"
    # People editing themselves leave no audit entry; nothing of the organisation changed.
    assert not AuditEntry.objects.filter(action="people.profile_updated").exists()


def test_employees_cannot_change_their_organisational_fields(client, company):
    me = company["dev2"]
    client.force_login(me)
    form_html = client.get(reverse("people_profile_edit")).content.decode()
    assert 'name="job_title"' not in form_html
    assert "Your administrators keep these up to date." in form_html
    client.post(
        reverse("people_profile_edit"),
        personal_form(me, job_title="CEO", manager=str(company["dev1"].pk)),
    )
    me.refresh_from_db()
    assert me.job_title == "Software Engineer"
    assert me.manager == company["em1"]


def test_profile_update_service_refuses_organisational_fields_for_employees(company):
    with pytest.raises(PermissionDenied):
        profile_update(actor=company["dev2"], user=company["dev2"], data={"job_title": "CEO"})
    with pytest.raises(PermissionDenied):
        profile_update(actor=company["dev2"], user=company["dev1"], data={"pronouns": "he/him"})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("linkedin", "https://example.com/me", "Enter your LinkedIn profile address"),
        ("x_handle", "@this-is-not-valid", "Enter your X handle"),
        ("mastodon", "@someone", "Enter your Mastodon address with its server"),
        ("bluesky", "not a handle", "Enter your Bluesky handle"),
    ],
)
def test_bad_social_handles_get_a_clear_error(client, company, field, value, message):
    me = company["dev2"]
    client.force_login(me)
    response = client.post(reverse("people_profile_edit"), personal_form(me, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    me.refresh_from_db()
    assert getattr(me, field) == ""


def test_half_a_birthday_is_refused(client, company):
    me = company["dev2"]
    client.force_login(me)
    response = client.post(reverse("people_profile_edit"), personal_form(me, birthday_month="5"))
    assert response.status_code == 400
    assert "Give both the month and the day of your birthday, or neither." in (
        response.content.decode()
    )


def test_impossible_birthday_is_refused(client, company):
    me = company["dev2"]
    client.force_login(me)
    response = client.post(
        reverse("people_profile_edit"), personal_form(me, birthday_month="2", birthday_day="30")
    )
    assert response.status_code == 400
    assert "That month has no such day." in response.content.decode()


# ---------------------------------------------------------------- avatars


def test_avatar_upload_is_cropped_square_and_stripped_of_metadata(client, company):
    me = company["dev2"]
    client.force_login(me)
    upload = SimpleUploadedFile(
        "holiday.jpg", picture(size=(1600, 1200), fmt="JPEG", exif=True), "image/jpeg"
    )
    response = client.post(reverse("people_profile_edit"), {**personal_form(me), "avatar": upload})
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.avatar.name.startswith("avatars/")
    assert "holiday" not in me.avatar.name
    with me.avatar.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (512, 512)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
    html = client.get(reverse("people_profile", args=[me.pk])).content.decode()
    assert f'src="{me.avatar.url}"' in html


def test_small_transparent_avatar_stays_png_and_small(client, company):
    me = company["dev2"]
    client.force_login(me)
    upload = SimpleUploadedFile("logo.png", picture(size=(120, 200), mode="RGBA"), "image/png")
    client.post(reverse("people_profile_edit"), {**personal_form(me), "avatar": upload})
    me.refresh_from_db()
    with me.avatar.open("rb") as stored, Image.open(stored) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (120, 120), "RGBA")


def test_not_an_image_is_refused_and_the_old_avatar_kept(client, company):
    me = company["dev2"]
    client.force_login(me)
    good = SimpleUploadedFile("me.png", picture(), "image/png")
    client.post(reverse("people_profile_edit"), {**personal_form(me), "avatar": good})
    me.refresh_from_db()
    old_name = me.avatar.name
    bad = SimpleUploadedFile("evil.png", b"<?php system($_GET['c']); ?>", "image/png")
    response = client.post(
        reverse("people_profile_edit"),
        {**personal_form(me, pronouns="they/them"), "avatar": bad},
    )
    assert response.status_code == 400
    assert "This file is not a picture we can read." in response.content.decode()
    me.refresh_from_db()
    assert me.avatar.name == old_name
    assert me.avatar.storage.exists(old_name)
    assert me.pronouns == ""  # nothing half-saved


def test_truncated_image_is_refused(client, company):
    me = company["dev2"]
    client.force_login(me)
    broken = SimpleUploadedFile("cut.png", picture()[:200], "image/png")
    response = client.post(reverse("people_profile_edit"), {**personal_form(me), "avatar": broken})
    assert response.status_code == 400
    assert "This file is not a picture we can read." in response.content.decode()


def test_oversized_avatar_is_refused(client, company, settings):
    settings.AVATAR_MAX_BYTES = 1024
    me = company["dev2"]
    client.force_login(me)
    big = SimpleUploadedFile("big.png", picture(size=(400, 400)) + b"\0" * 2048, "image/png")
    response = client.post(reverse("people_profile_edit"), {**personal_form(me), "avatar": big})
    assert response.status_code == 400
    assert "pictures may be at most 1.0\xa0KB" in response.content.decode()
    me.refresh_from_db()
    assert not me.avatar


def test_replacing_then_removing_the_avatar_cleans_up_files(
    client, company, django_capture_on_commit_callbacks
):
    me = company["dev2"]
    client.force_login(me)
    url = reverse("people_profile_edit")
    client.post(url, {**personal_form(me), "avatar": SimpleUploadedFile("a.png", picture())})
    me.refresh_from_db()
    first = me.avatar.name
    storage = me.avatar.storage
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**personal_form(me), "avatar": SimpleUploadedFile("b.png", picture())})
    me.refresh_from_db()
    second = me.avatar.name
    assert second != first
    assert storage.exists(second)
    assert not storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**personal_form(me), "remove_avatar": "on"})
    me.refresh_from_db()
    assert not me.avatar
    assert not storage.exists(second)
    html = client.get(reverse("people_profile", args=[me.pk])).content.decode()
    assert 'avatar-initials" aria-hidden="true">FZ<' in html


# ---------------------------------------------------------------- administrators editing others


def test_admin_edits_someone_elses_organisation_and_it_is_audited(client, company):
    person = company["dev3"]
    client.force_login(company["ppl"])
    url = f"{reverse('people_profile_edit')}?person={person.pk}"
    page = client.get(url).content.decode()
    assert 'name="manager"' in page
    assert "Edit Oliver Brooks's profile" in page
    response = client.post(
        url,
        {
            **personal_form(person),
            "job_title": "Staff Site Reliability Engineer",
            "department": str(company.departments["Engineering"].pk),
            "team": str(company.teams["mobile"].pk),
            "location": str(company.locations["lisbon"].pk),
            "manager": str(company["em2"].pk),
            "hire_date": "2024-03-01",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.job_title == "Staff Site Reliability Engineer"
    assert person.manager == company["em2"]
    assert str(person.hire_date) == "2024-03-01"
    entry = AuditEntry.objects.get(action="people.profile_updated")
    assert entry.actor == company["ppl"]
    assert entry.target_id == str(person.pk)
    assert set(entry.details["fields"]) == {
        "job_title",
        "team",
        "location",
        "manager",
        "hire_date",
    }


def test_admin_cannot_make_a_loop_in_the_reporting_line(client, company):
    client.force_login(company["ceo"])
    cto = company["cto"]
    url = f"{reverse('people_profile_edit')}?person={cto.pk}"
    response = client.post(
        url,
        {
            **personal_form(cto),
            "job_title": cto.job_title,
            "department": str(cto.department_id),
            "location": str(cto.location_id),
            "manager": str(company["dev1"].pk),  # reports (indirectly) to the CTO
        },
    )
    assert response.status_code == 400
    assert "reports to Lukas Schneider already" in response.content.decode()
    cto.refresh_from_db()
    assert cto.manager == company["ceo"]


def test_team_must_belong_to_the_department(company):
    with pytest.raises(ValidationError) as caught:
        profile_update(
            actor=company["ceo"],
            user=company["dev1"],
            data={"team": company.teams["content"]},
        )
    assert caught.value.message_dict == {"team": ["This team belongs to another department."]}


def test_employees_cannot_open_someone_elses_edit_page(client, company):
    client.force_login(company["dev1"])
    response = client.get(f"{reverse('people_profile_edit')}?person={company['dev2'].pk}")
    assert response.status_code == 403
    assert client.get(f"{reverse('people_profile_edit')}?person=nope").status_code == 404


# ---------------------------------------------------------------- handle normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.linkedin.com/in/ada-lovelace/", "https://www.linkedin.com/in/ada-lovelace"),
        ("linkedin.com/in/ada?trk=x", "https://www.linkedin.com/in/ada"),
        ("https://de.linkedin.com/in/ada", "https://www.linkedin.com/in/ada"),
    ],
)
def test_linkedin_addresses(raw, expected):
    assert linkedin_normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ada", "@ada"),
        ("@ada_l", "@ada_l"),
        ("https://x.com/ada", "@ada"),
        ("twitter.com/ada", "@ada"),
    ],
)
def test_x_handles(raw, expected):
    assert x_handle_normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ada@mastodon.social", "@ada@mastodon.social"),
        ("https://Fosstodon.org/@ada", "@ada@fosstodon.org"),
    ],
)
def test_mastodon_addresses(raw, expected):
    assert mastodon_normalize(raw) == expected


@pytest.mark.parametrize(
    "raw", ["javascript:alert(1)", "https://evil.example/in/ada", "ada", "@ada@localhost"]
)
def test_unsafe_or_incomplete_handles_are_refused(raw):
    for normalize in (linkedin_normalize, mastodon_normalize, bluesky_normalize):
        with pytest.raises(ValidationError):
            normalize(raw)


HANDLES = st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True)
DOMAINS = st.from_regex(
    r"[a-z][a-z0-9]{0,10}(\.[a-z][a-z0-9]{0,10}){0,2}\.[a-z]{2,6}", fullmatch=True
)


@given(handle=HANDLES, domain=DOMAINS)
def test_normalised_handles_are_stable_and_give_https_links(handle, domain):
    for field_name, normalize, raw in (
        ("x_handle", x_handle_normalize, handle),
        ("mastodon", mastodon_normalize, f"{handle}@{domain}"),
        ("bluesky", bluesky_normalize, domain),
        ("linkedin", linkedin_normalize, f"linkedin.com/in/{handle}x"),
    ):
        once = normalize(raw)
        assert normalize(once) == once
        assert social_url(field_name, once).startswith("https://")


def test_bio_is_rendered_as_safe_markdown(client, db):
    person = User.objects.create_user(
        email="md@example.com",
        password="x",
        display_name="Mark Down",
        bio=(
            "I run the **data** team. [Our wiki](https://wiki.example.com) "
            "<script>alert(1)</script>"
        ),
    )
    client.force_login(person)
    html = client.get(reverse("people_profile", args=[person.pk])).content.decode()
    assert "<strong>data</strong>" in html
    assert (
        '<a href="https://wiki.example.com" rel="nofollow noopener noreferrer">Our wiki</a>' in html
    )
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
