"""Attachments: what may be uploaded (decided by content), limits, the composer, who may
download what, the answer's headers, and cleaning up files nobody can reach any more."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from rallypoint.core.storage import private_storage
from rallypoint.feed import attachments, services
from rallypoint.feed.models import Attachment, Post
from rallypoint.feed.tests.conftest import READERS, VIEWERS
from rallypoint.spaces import services as space_services
from rallypoint.spaces.models import Space, SpaceMembership

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def image(fmt: str = "PNG", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored(attachment: Attachment) -> bool:
    return private_storage().exists(attachment.file.name)


# ---------------------------------------------------------------- what may be uploaded


@pytest.mark.parametrize(
    ("name", "content", "kind", "stored_name", "is_image"),
    [
        ("photo.png", image("PNG"), "image/png", "photo.png", True),
        ("photo.jpeg", image("JPEG"), "image/jpeg", "photo.jpeg", True),
        ("anim.gif", image("GIF"), "image/gif", "anim.gif", True),
        ("modern.webp", image("WEBP"), "image/webp", "modern.webp", True),
        # The content decides: a PNG named like a PDF is stored and shown as a PNG.
        ("report.pdf", image("PNG"), "image/png", "report.png", True),
        ("no-extension", image("JPEG"), "image/jpeg", "no-extension.jpg", True),
        ("minutes.pdf", PDF, "application/pdf", "minutes.pdf", False),
        ("notes.txt", "Café notes\nline two".encode(), "text/plain", "notes.txt", False),
        ("numbers.csv", b"a,b\n1,2\n", "text/csv", "numbers.csv", False),
        (
            "plan.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "plan.docx",
            False,
        ),
        ("../../etc/passwd.txt", b"root", "text/plain", "passwd.txt", False),
    ],
)
def test_uploads_are_recognised_by_content(name, content, kind, stored_name, is_image):
    checked = attachments.attachment_check(upload(name, content))
    assert (checked.content_type, checked.name, checked.is_image) == (kind, stored_name, is_image)
    if is_image:
        assert (checked.width, checked.height) == (8, 6)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("logo.svg", SVG, "not a kind of file you can attach"),
        ("logo.png", SVG, "not a kind of file you can attach"),
        ("page.html", HTML, "not a kind of file you can attach"),
        ("page.txt", HTML, "content does not match its name"),
        ("drawing.txt", SVG, "content does not match its name"),
        ("fake.pdf", b"just some text", "content does not match its name"),
        ("tool.zip", b"MZ\x90\x00\x03 a program", "content does not match its name"),
        ("binary.csv", b"\x00\x01\x02\x03", "content does not match its name"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "not a kind of file you can attach"),
        ("run.exe", b"MZ\x90\x00", "not a kind of file you can attach"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_scriptable_and_mislabelled_files_are_refused(name, content, reason):
    with pytest.raises(ValidationError) as refused:
        attachments.attachment_check(upload(name, content))
    assert reason in " ".join(refused.value.messages)


def test_size_and_count_limits_come_from_settings(settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = upload("big.txt", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="at most 1 MB"):
        attachments.attachment_check(big)
    settings.ATTACHMENT_MAX_COUNT = 2
    three = [upload(f"n{n}.txt", b"text") for n in range(3)]
    with pytest.raises(ValidationError, match="at most 2 attachments"):
        attachments.attachments_check(three)
    assert len(attachments.attachments_check(three[:2])) == 2


def test_every_bad_file_is_named_and_nothing_is_stored(world, settings):
    alice, group = world["alice"], world.groups["private"]
    before = Post.objects.count()
    files = [upload("ok.png", image()), upload("evil.svg", SVG), upload("fake.pdf", b"text")]
    with pytest.raises(ValidationError) as refused:
        services.post_create(author=alice, space=group, body="With files", uploads=files)
    text = " ".join(refused.value.messages)
    assert "evil.svg" in text and "fake.pdf" in text and "ok.png" not in text
    assert Post.objects.count() == before
    assert not Attachment.objects.exists()
    assert not [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]


def test_files_are_stored_privately(world):
    post = services.post_create(
        author=world["alice"],
        space=world.groups["private"],
        body="Files",
        uploads=[upload("a.png", image()), upload("b.pdf", PDF)],
    )
    files = list(post.attachments.order_by("id"))
    assert [f.name for f in files] == ["a.png", "b.pdf"]
    for attachment in files:
        path = Path(attachment.file.path).resolve()
        assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
        assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        assert attachment.uploaded_by == world["alice"] and attachment.size == path.stat().st_size


# ---------------------------------------------------------------- the composer


def test_composer_posts_text_with_files(client, world):
    alice, group = world["alice"], world.groups["private"]
    client.force_login(alice)
    response = client.post(
        reverse("feed_post_create"),
        {
            "space": group.slug,
            "body": "Our **plan**",
            "attachments": [upload("chart.png", image()), upload("plan.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(body="Our **plan**")
    chart, plan = post.attachments.order_by("-is_image", "id")
    page = client.get(reverse("feed_post", args=[post.pk])).content.decode()
    chart_url = reverse("feed_attachment", args=[chart.pk, "chart.png"])
    plan_url = reverse("feed_attachment", args=[plan.pk, "plan.pdf"])
    assert f'<img src="{chart_url}" alt="chart.png" width="8" height="6"' in page
    assert f'<a href="{plan_url}" download>plan.pdf</a>' in page
    feed = client.get(reverse("feed_space_posts", args=[group.slug])).content.decode()
    assert chart_url in feed and plan_url in feed


def test_composer_keeps_the_text_when_a_file_is_refused(client, world, settings):
    settings.ATTACHMENT_MAX_COUNT = 1
    alice, group = world["alice"], world.groups["private"]
    client.force_login(alice)
    typed = "A long update I do not want to type again"
    response = client.post(
        reverse("feed_post_create"),
        {"space": group.slug, "body": typed, "attachments": [upload("x.svg", SVG)]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert typed in html and "x.svg" in html and "not a kind of file you can attach" in html
    assert "choose the files to attach again" in html
    response = client.post(
        reverse("feed_post_create"),
        {
            "space": group.slug,
            "body": typed,
            "attachments": [upload("a.txt", b"a"), upload("b.txt", b"b")],
        },
    )
    assert typed in response.content.decode() and "at most 1 attachments" in (
        response.content.decode()
    )
    assert not Post.objects.filter(body=typed).exists()
    assert 'enctype="multipart/form-data"' in client.get(reverse("feed")).content.decode()


def test_drafts_refuse_files_instead_of_dropping_them(client, world):
    client.force_login(world["alice"])
    typed = "A draft with a chart"
    response = client.post(
        reverse("feed_post_create"),
        {
            "space": world.groups["private"].slug,
            "body": typed,
            "intent": "draft",
            "attachments": [upload("chart.png", image())],
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and typed in html
    assert "attached only when posting now" in html
    assert not Post.objects.filter(body=typed).exists() and not Attachment.objects.exists()


# ---------------------------------------------------------------- who may download


def _login(client, user):
    """Sign in; a deactivated person is signed in first and deactivated afterwards, as
    when the link was sent before the deactivation."""
    if user.is_active:
        client.force_login(user)
        return
    user.is_active = True
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])


def _open_group(world) -> Space:
    group = space_services.space_create(
        actor=world["olga"], kind=Space.Kind.OPEN, name="Open lunch", description="Lunch"
    )
    SpaceMembership.objects.create(space=group, user=world["alice"])
    return group


def _attach_everywhere(world) -> dict[str, list[Attachment]]:
    """A picture and a PDF on a post in every kind of space, written by a member."""
    spaces = {
        "private": world.groups["private"],
        "secret": world.groups["secret"],
        "company": world.company,
        "department": world.engineering,
        "open": _open_group(world),
    }
    found = {}
    for kind, space in spaces.items():
        author = world["olga"] if kind == "company" else world["alice"]
        post = services.post_create(
            author=author,
            space=space,
            body=f"Files of the {kind} space",
            uploads=[upload(f"{kind}.png", image()), upload(f"{kind}.pdf", PDF)],
        )
        found[kind] = list(post.attachments.order_by("id"))
    return found


def _expected(kind: str, key: str) -> bool:
    if key == "eve":
        return False
    if kind in {"private", "secret"}:
        return key in READERS
    return True


@pytest.mark.parametrize("key", VIEWERS)
def test_downloads_follow_who_may_read_the_post(client, world, key):
    everywhere = _attach_everywhere(world)
    viewer = world[key]
    _login(client, viewer)
    for kind, files in everywhere.items():
        for attachment in files:
            url = reverse("feed_attachment", args=[attachment.pk, attachment.name])
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if _expected(kind, key):
                assert response.status_code == 200, (kind, key)
                assert body == attachment.file.open("rb").read()
            else:
                # Deactivated people are signed out; everyone else gets the 404 of a file
                # that does not exist.
                assert response.status_code == (302 if key == "eve" else 404), (kind, key)
                assert b"%PDF" not in body and b"PNG" not in body
            readable = True
            try:
                attachments.attachment_get_readable(viewer, attachment.pk, attachment.name)
            except Http404:
                readable = False
            assert readable is _expected(kind, key), (kind, key)


def test_removed_member_loses_downloads_at_once(client, world):
    files = _attach_everywhere(world)["private"]
    alice, group = world["alice"], world.groups["private"]
    url = reverse("feed_attachment", args=[files[0].pk, files[0].name])
    client.force_login(alice)
    assert client.get(url).status_code == 200
    space_services.membership_remove(
        actor=world["olga"], membership=SpaceMembership.objects.get(space=group, user=alice)
    )
    assert client.get(url).status_code == 404


def test_missing_wrong_name_and_forbidden_answer_the_same(client, world):
    files = _attach_everywhere(world)["secret"]
    client.force_login(world["bob"])
    forbidden = client.get(reverse("feed_attachment", args=[files[0].pk, files[0].name]))
    client.force_login(world["alice"])
    missing = client.get(reverse("feed_attachment", args=[files[-1].pk + 1000, "x.png"]))
    wrong_name = client.get(reverse("feed_attachment", args=[files[0].pk, "other.png"]))
    huge = client.get(f"/attachments/{2**64}/x.png")
    assert forbidden.status_code == missing.status_code == wrong_name.status_code == 404
    assert huge.status_code == 404
    assert forbidden.content == missing.content
    client.logout()
    anonymous = client.get(reverse("feed_attachment", args=[files[0].pk, files[0].name]))
    assert anonymous.status_code == 302 and "/accounts/" in anonymous["Location"]


def test_deleted_and_unpublished_posts_hide_their_files(client, world):
    files = _attach_everywhere(world)["department"]
    client.force_login(world["bob"])
    url = reverse("feed_attachment", args=[files[0].pk, files[0].name])
    assert client.get(url).status_code == 200
    assert files[0].post is not None
    Post.objects.filter(pk=files[0].post.pk).update(status=Post.Status.DRAFT)
    assert client.get(url).status_code == 404


def test_download_headers(client, world):
    picture, pdf = _attach_everywhere(world)["private"]
    client.force_login(world["carol"])
    shown = client.get(reverse("feed_attachment", args=[picture.pk, picture.name]))
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    saved = client.get(reverse("feed_attachment", args=[pdf.pk, pdf.name]))
    assert saved["Content-Type"] == "application/pdf"
    assert saved["Content-Disposition"] == 'attachment; filename="private.pdf"'
    for response in (shown, saved):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert response["Cache-Control"].startswith("private")
        assert "Cookie" in response["Vary"]
    assert client.post(reverse("feed_attachment", args=[pdf.pk, pdf.name])).status_code == 405


# ---------------------------------------------------------------- cleaning up


def test_unattached_uploads_are_private_and_cleaned_after_a_day(client, world):
    alice = world["alice"]
    fresh = attachments.attachment_upload(uploader=alice, upload=upload("draft.png", image()))
    old = attachments.attachment_upload(uploader=alice, upload=upload("old.pdf", PDF))
    Attachment.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    url = reverse("feed_attachment", args=[fresh.pk, fresh.name])
    client.force_login(alice)
    assert client.get(url).status_code == 200
    client.force_login(world["carol"])
    assert client.get(url).status_code == 404
    assert stored(old) and stored(fresh)
    attachments.attachments_remove_orphans_hourly.call_local()
    assert not Attachment.objects.filter(pk=old.pk).exists() and not stored(old)
    assert Attachment.objects.filter(pk=fresh.pk).exists() and stored(fresh)
    assert attachments.attachments_remove_orphans() == 0


def test_unattached_uploads_are_claimed_only_by_their_uploader(world):
    alice, carol = world["alice"], world["carol"]
    mine = attachments.attachment_upload(uploader=alice, upload=upload("m.txt", b"mine"))
    post = services.post_create(author=carol, space=world.groups["private"], body="Carol's")
    with pytest.raises(ValidationError, match="upload them again"):
        attachments.attachments_claim(post=post, uploader=carol, ids=[mine.pk])
    own = services.post_create(author=alice, space=world.groups["private"], body="Alice's")
    assert attachments.attachments_claim(post=own, uploader=alice, ids=[mine.pk]) == 1
    mine.refresh_from_db()
    assert mine.post == own


def test_deleting_a_post_deletes_its_files(world, django_capture_on_commit_callbacks):
    files = _attach_everywhere(world)["private"]
    post = files[0].post
    assert post is not None
    assert all(stored(f) for f in files)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(actor=world["carol"], post=post)
    assert not Attachment.objects.filter(post=post).exists()
    assert not any(stored(f) for f in files)


# ---------------------------------------------------------------- in a browser


@pytest.mark.browser
def test_attach_in_the_composer_and_see_it_in_a_browser(page, world, tmp_path):
    from conftest import save_screenshot, sign_in
    from rallypoint.feed.models import LinkPreview
    from rallypoint.feed.tests.conftest import PASSWORD

    picture = tmp_path / "roadmap.png"
    Image.new("RGB", (480, 240), (40, 110, 200)).save(picture, "PNG")
    notes = tmp_path / "minutes.pdf"
    notes.write_bytes(PDF)
    group = world.groups["private"]
    sign_in(page, world["alice"].email, PASSWORD)
    page.goto(reverse("feed_space_posts", args=[group.slug]))
    page.get_by_label("Write a post").fill("The **roadmap** for the autumn, see the minutes.")
    page.get_by_label("Images and files").set_input_files([str(picture), str(notes)])
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("Posted in").wait_for()
    post = Post.objects.get(body__startswith="The **roadmap**")
    preview = LinkPreview.objects.create(
        url="https://intranet.example/roadmap",
        url_hash="0" * 64,
        status=LinkPreview.Status.READY,
        title="Autumn roadmap <draft>",
        description="Everything we plan to ship before the end of the year.",
        site_name="Northwind Wiki",
    )
    Post.objects.filter(pk=post.pk).update(link_preview=preview)
    page.goto(reverse("feed_post", args=[post.pk]))
    shown = page.locator(".attachment-images img")
    assert shown.evaluate("img => img.complete && img.naturalWidth") == 480
    assert page.get_by_role("link", name="minutes.pdf").get_attribute("download") is not None
    assert page.get_by_role("link", name="Autumn roadmap <draft>").get_attribute("rel") == (
        "noopener noreferrer nofollow"
    )
    save_screenshot(page, "post-attachments")
    page.goto(reverse("feed_space_posts", args=[group.slug]))
    assert (
        page.locator("article.post .attachment-images img").first.evaluate(
            "img => img.complete && img.naturalWidth"
        )
        == 480
    )
