"""Images and files attached to posts: checking uploads, storing them, reading them back.

What an upload is gets decided by its content, never by its name alone. Images (PNG,
JPEG, GIF, WebP) must open with Pillow as one of those formats; anything else must have
an extension of ``FILE_TYPES`` *and* start the way that kind of file starts. SVG, HTML
and anything else a browser could run are refused. Files live in the private storage and
are downloaded only through ``attachment_get_readable``, which answers 404 for whatever
the viewer may not read.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task
from PIL import Image, UnidentifiedImageError

from rallypoint.core.storage import private_storage
from rallypoint.feed import selectors
from rallypoint.feed.models import Attachment, Post
from rallypoint.people.models import User

# Pillow format name: (content type, extension).
IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
# Larger images are refused rather than decoded (a small file can hold a huge picture).
IMAGE_MAX_PIXELS = 50_000_000

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
_TEXT = ()  # checked by decoding, see _looks_like_text


@dataclass(frozen=True)
class FileType:
    content_type: str
    # The first bytes a file of this kind starts with; empty for plain text.
    magic: tuple[bytes, ...]


# The files people may attach besides images, by extension.
FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",)),
    "txt": FileType("text/plain", _TEXT),
    "csv": FileType("text/csv", _TEXT),
    "md": FileType("text/markdown", _TEXT),
    "zip": FileType("application/zip", _ZIP),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP
    ),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP
    ),
    "odt": FileType("application/vnd.oasis.opendocument.text", _ZIP),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "odp": FileType("application/vnd.oasis.opendocument.presentation", _ZIP),
    "doc": FileType("application/msword", _OLE),
    "xls": FileType("application/vnd.ms-excel", _OLE),
    "ppt": FileType("application/vnd.ms-powerpoint", _OLE),
}

# Text that a browser would take for a page or a picture it can run scripts in.
_MARKUP = re.compile(rb"^\s*(<!doctype|<html|<head|<body|<script|<svg|<\?xml|<iframe)", re.I)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
NAME_MAX = 150


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every check, with what will be stored about it."""

    upload: UploadedFile
    name: str
    content_type: str
    size: int
    is_image: bool
    width: int | None = None
    height: int | None = None


def allowed_types_text() -> str:
    """The accepted kinds of files, for help texts and error messages."""
    files = ", ".join(sorted(ext.upper() for ext in FILE_TYPES))
    return _("Images (PNG, JPEG, GIF, WebP) and files (%(files)s).") % {"files": files}


def _clean_name(raw: str) -> str:
    name = unicodedata.normalize("NFC", PurePosixPath((raw or "").replace("\\", "/")).name)
    name = _UNSAFE_NAME.sub("_", name).strip(" .") or "file"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 else name
        name = name[:NAME_MAX]
    return name


def _with_extension(name: str, extension: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in {extension, "jpeg" if extension == "jpg" else extension}:
        return name
    return f"{stem if dot and stem else name}.{extension}"


def _head(upload: UploadedFile, size: int = 4096) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _as_image(upload: UploadedFile) -> tuple[str, int, int] | None:
    """(Pillow format, width, height) when the upload is an allowed image, else None."""
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            if fmt not in IMAGE_FORMATS:
                return None
            if width * height > IMAGE_MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” is too large a picture (%(w)d by %(h)d pixels).")
                    % {"name": _clean_name(upload.name or ""), "w": width, "h": height}
                )
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
    return fmt, width, height


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head or _MARKUP.match(head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the sample is still text.
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


def attachment_check(upload: UploadedFile) -> CheckedUpload:
    """Decide what ``upload`` is from its content; ``ValidationError`` with the reason."""
    name = _clean_name(upload.name or "")
    size = upload.size or 0
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is too large: files can be at most %(mb)d MB.")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    image = _as_image(upload)
    if image is not None:
        fmt, width, height = image
        content_type, extension = IMAGE_FORMATS[fmt]
        return CheckedUpload(
            upload=upload,
            name=_with_extension(name, extension),
            content_type=content_type,
            size=size,
            is_image=True,
            width=width,
            height=height,
        )
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    kind = FILE_TYPES.get(extension)
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not a kind of file you can attach. Allowed: %(types)s")
            % {"name": name, "types": allowed_types_text()}
        )
    head = _head(upload)
    matches = head.startswith(kind.magic) if kind.magic else _looks_like_text(head)
    if not matches:
        raise ValidationError(
            _("“%(name)s” is not really a %(ext)s file: its content does not match its name.")
            % {"name": name, "ext": extension.upper()}
        )
    return CheckedUpload(
        upload=upload, name=name, content_type=kind.content_type, size=size, is_image=False
    )


def attachments_check(uploads: Sequence[UploadedFile], *, already: int = 0) -> list[CheckedUpload]:
    """Check every upload and the number of files; every reason in one ValidationError."""
    limit = settings.ATTACHMENT_MAX_COUNT
    if already + len(uploads) > limit:
        raise ValidationError(
            _("A post can have at most %(limit)d attachments.") % {"limit": limit}
        )
    checked: list[CheckedUpload] = []
    errors: list[str] = []
    for upload in uploads:
        try:
            checked.append(attachment_check(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def _store(
    checked: Iterable[CheckedUpload], *, uploader: User, post: Post | None
) -> list[Attachment]:
    """Write the files, then the rows; files already written go again if anything fails."""
    stored: list[Attachment] = []
    try:
        for item in checked:
            attachment = Attachment(
                post=post,
                uploaded_by=uploader,
                name=item.name,
                content_type=item.content_type,
                size=item.size,
                is_image=item.is_image,
                width=item.width,
                height=item.height,
            )
            item.upload.seek(0)
            attachment.file.save(item.name, item.upload, save=False)
            stored.append(attachment)
            attachment.full_clean()
            attachment.save()
    except BaseException:
        _delete_files([a.file.name for a in stored if a.file.name])
        raise
    return stored


def attachments_add(
    *, post: Post, uploader: User, uploads: Sequence[UploadedFile]
) -> list[Attachment]:
    """Check and store ``uploads`` as attachments of ``post``. Call inside the post's
    transaction: a refusal raises ``ValidationError`` before anything is written."""
    if not uploads:
        return []
    checked = attachments_check(uploads, already=post.attachments.count() if post.pk else 0)
    return _store(checked, uploader=uploader, post=post)


@transaction.atomic
def attachment_upload(*, uploader: User, upload: UploadedFile) -> Attachment:
    """Store one upload not yet attached to a post (readable only by ``uploader`` until
    ``attachments_claim`` attaches it; removed by ``attachments_remove_orphans``)."""
    if not uploader.is_active:
        raise ValidationError(_("Your account is deactivated."))
    checked = attachments_check([upload])
    return _store(checked, uploader=uploader, post=None)[0]


def attachments_claim(*, post: Post, uploader: User, ids: Sequence[int]) -> int:
    """Attach ``uploader``'s own unattached uploads ``ids`` to ``post``."""
    if not ids:
        return 0
    limit = settings.ATTACHMENT_MAX_COUNT
    if post.attachments.count() + len(set(ids)) > limit:
        raise ValidationError(
            _("A post can have at most %(limit)d attachments.") % {"limit": limit}
        )
    claimed = Attachment.objects.filter(pk__in=ids, post=None, uploaded_by=uploader).update(
        post=post
    )
    if claimed != len(set(ids)):
        raise ValidationError(_("Some of the files are gone; upload them again."))
    return claimed


def _delete_files(names: Iterable[str]) -> None:
    storage = private_storage()
    for name in names:
        if name:
            storage.delete(name)


def attachments_delete_for_post(post: Post) -> int:
    """Remove the attachments of a deleted post: rows now, files once the deletion commits."""
    rows = list(Attachment.objects.filter(post=post).values_list("pk", "file"))
    if not rows:
        return 0
    Attachment.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
    names = [name for _pk, name in rows]
    transaction.on_commit(lambda: _delete_files(names))
    return len(rows)


def attachments_remove_orphans(*, now: datetime.datetime | None = None) -> int:
    """Delete uploads that were never attached to a post and are older than
    ``ATTACHMENT_ORPHAN_HOURS``. Safe to run any number of times, on several workers."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.ATTACHMENT_ORPHAN_HOURS)
    removed = 0
    while True:
        with transaction.atomic():
            batch = list(
                Attachment.objects.filter(post=None, created_at__lt=cutoff)
                .order_by("pk")
                .values_list("pk", "file")[:500]
            )
            if not batch:
                return removed
            deleted, _kinds = Attachment.objects.filter(
                pk__in=[pk for pk, _name in batch], post=None
            ).delete()
            removed += deleted
        _delete_files(name for _pk, name in batch)


# ---------------------------------------------------------------- reading


def attachment_get_readable(viewer: User, pk: int, name: str) -> Attachment:
    """The attachment ``pk`` named ``name`` when ``viewer`` may read it: its post is
    published, not deleted and readable by them (``feed.selectors``), or it is their own
    upload not attached yet. 404 otherwise, the same as for one that does not exist."""
    missing = Http404(_("No such file."))
    if not (0 < pk < 2**63) or not viewer.is_active:
        raise missing
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None or attachment.name != name:
        raise missing
    if attachment.post_id is None:
        if attachment.uploaded_by_id != viewer.pk:
            raise missing
        return attachment
    if not selectors.posts_visible_to(viewer).filter(pk=attachment.post_id).exists():
        raise missing
    return attachment


@db_periodic_task(crontab(minute="23"))
def attachments_remove_orphans_hourly() -> None:
    attachments_remove_orphans()
