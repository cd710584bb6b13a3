"""Pages of the feed: home, a space's posts, a post with its comments, and the small
endpoints behind the buttons (reactions, reads)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rallypoint.announce.feed import feed_announcements_attach
from rallypoint.core.feedback import refusal_text, service_attempt
from rallypoint.feed import attachments, live, mentions, scheduling, selectors, services
from rallypoint.feed.forms import (
    MARKDOWN_HELP,
    CommentForm,
    DraftForm,
    FeedFilterForm,
    PostEditForm,
    PostForm,
    ReactionForm,
    ScheduleForm,
)
from rallypoint.feed.models import Comment, Post, PostSchedule
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user
from rallypoint.people.views.directory import home_widgets
from rallypoint.spaces.models import Space
from rallypoint.spaces.selectors import space_content_visible_to, space_get_visible


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _cursor(request: HttpRequest) -> selectors.Cursor | None:
    token = request.GET.get("cursor", "").strip()
    if not token:
        return None
    try:
        return selectors.Cursor.decode(token)
    except ValueError:
        messages.error(request, _("That link to older posts is broken; here are the newest."))
        return None


def _feed_context(
    request: HttpRequest, viewer: User, *, space: Space | None = None
) -> dict[str, Any]:
    """The feed of ``space`` (its pinned posts first), or the viewer's home feed filtered
    by the ``space`` parameter."""
    cursor = _cursor(request)
    context: dict[str, Any] = {"markdown_help": MARKDOWN_HELP}
    if space is None:
        filter_form = FeedFilterForm(request.GET or None, spaces=selectors.spaces_of(viewer))
        chosen = filter_form.cleaned_data["space"] if filter_form.is_valid() else None
        if filter_form.errors:
            messages.error(request, _("You are not in that space; here is your whole feed."))
        if chosen is not None and not space_content_visible_to(viewer, chosen):
            chosen = None
        page = selectors.feed_page(viewer, space=chosen, cursor=cursor)
        context.update(filter_form=filter_form, filtered_space=chosen)
        composer_spaces = selectors.spaces_postable_by(viewer)
        context["composer"] = (
            PostForm(
                spaces=composer_spaces,
                initial={"space": chosen.slug if chosen is not None else None},
            )
            if composer_spaces.exists()
            else None
        )
        context["more_url"] = reverse("feed")
        context["more_params"] = f"space={chosen.slug}&" if chosen is not None else ""
        # The spaces whose new posts the "N new posts" prompt counts (feed.js).
        if cursor is None:
            context["live_space_ids"] = (
                [chosen.pk]
                if chosen is not None
                else list(selectors.spaces_of(viewer).values_list("pk", flat=True))
            )
        if chosen is None:
            # Announcements for the viewer, merged by time (see announce/feed.py).
            context["announcements"] = feed_announcements_attach(
                viewer,
                posts=page.posts,
                cursor_time=cursor.created_at if cursor else None,
                has_more=page.next_cursor is not None,
            )
    else:
        page = selectors.feed_page(viewer, space=space, cursor=cursor, exclude_pinned=True)
        context["space"] = space
        context["pinned"] = [] if cursor else selectors.pinned_posts(viewer, space)
        can_post = selectors.can_post_in(viewer, space)
        context["composer"] = (
            PostForm(spaces=Space.objects.filter(pk=space.pk), fixed_space=space)
            if can_post
            else None
        )
        # Loaded into the space's page: come back there after posting.
        if _is_htmx(request):
            context["composer_next"] = reverse("spaces_detail", args=[space.slug])
        context["more_url"] = reverse("feed_space_posts", args=[space.slug])
        context["more_params"] = ""
        context["live_space_ids"] = [space.pk]
    selectors.reactions_attach(viewer, posts=[*context.get("pinned", []), *page.posts])
    selectors.attachments_attach([*context.get("pinned", []), *page.posts])
    context.update(page=page, first_page=cursor is None)
    return context


def _render_feed(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    if _is_htmx(request) and not context["first_page"]:
        response = render(request, "feed/_posts.html", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page: the feed, with the people widgets beside it."""
    viewer = signed_in_user(request)
    context = _feed_context(request, viewer)
    if not (_is_htmx(request) and not context["first_page"]):
        context.update(home_widgets(viewer))
    context["more_url"] = reverse("home")
    return _render_feed(request, "people/home.html", context)


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    return _render_feed(request, "feed/feed.html", _feed_context(request, viewer))


@login_required
def space_posts(request: HttpRequest, slug: str) -> HttpResponse:
    """A space's posts with its composer; the space page loads it as ``_space_feed.html``."""
    viewer = signed_in_user(request)
    space = space_get_visible(viewer, slug)
    if not space_content_visible_to(viewer, space):
        raise Http404(_("No such space."))
    context = _feed_context(request, viewer, space=space)
    if _is_htmx(request) and context["first_page"]:
        response = render(request, "feed/_space_feed.html", context)
        patch_vary_headers(response, ["HX-Request"])
        return response
    return _render_feed(request, "feed/space_feed.html", context)


def _compose_later(viewer: User, data: dict[str, Any], intent: str) -> str:
    """Save the composer's post as a draft or schedule it; returns what to tell the author."""
    common = {"author": viewer, "space": data["space"], "body": data["body"]}
    if intent == "draft":
        scheduling.draft_create(**common, uploads=data["attachments"])
        return _("Draft saved. Only you can see it.")
    saved = scheduling.compose_later(
        **common, publish_at=data["publish_at"], repeat=data["repeat"], uploads=data["attachments"]
    )
    when = saved.next_run_at if isinstance(saved, PostSchedule) else saved.publish_at
    return _("Scheduled for %(when)s.") % {
        "when": scheduling.show_local(when, viewer.time_zone)  # type: ignore[arg-type]
    }


@login_required
def post_create(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    form = PostForm(
        request.POST or None, request.FILES or None, spaces=selectors.spaces_postable_by(viewer)
    )
    intent = request.POST.get("intent", "publish")
    if request.method == "POST" and form.is_valid() and intent in ("draft", "schedule"):
        try:
            if form.cleaned_data["attachments"]:
                raise ValidationError(_("Images and files can be attached only when posting now."))
            saved = _compose_later(viewer, form.cleaned_data, intent)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, saved)
            return redirect("feed_drafts")
    elif request.method == "POST" and form.is_valid():
        try:
            post = services.post_create(
                author=viewer,
                space=form.cleaned_data["space"],
                body=form.cleaned_data["body"],
                uploads=form.cleaned_data["attachments"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("Posted in %(space)s.") % {"space": post.space})
            return redirect(_next_url(request, reverse("feed_post", args=[post.pk])))
    if form.errors and request.FILES:
        form.add_error(None, _("Your text is kept; choose the files to attach again."))
    return render(request, "feed/post_new.html", {"form": form, "next": _next_url(request, "")})


@login_required
@require_safe
def attachment_download(request: HttpRequest, pk: int, name: str) -> FileResponse:
    """An attachment, for whoever may read its post (404 for anyone else). Images show
    in the page; other files always download. Nothing served here can run in the page."""
    attachment = attachments.attachment_get_readable(signed_in_user(request), pk, name)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("No such file.")) from error
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_vary_headers(response, ["Cookie"])
    return response


@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, pk)
    permissions = selectors.post_permissions(viewer, post)
    comments = selectors.comments_for(viewer, post)
    every_comment = [c for top in comments for c in (top, *top.reply_list)]
    selectors.reactions_attach(viewer, posts=[post], comments=every_comment)
    selectors.attachments_attach([post])
    return render(
        request,
        "feed/post_detail.html",
        {
            "post": post,
            "can": permissions,
            "comments": comments,
            "comment_form": CommentForm(),
            "read_rates": selectors.read_rates_by_department(viewer, post)
            if permissions.read_rates
            else None,
            "markdown_help": MARKDOWN_HELP,
        },
    )


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, pk)
    if not selectors.post_permissions(viewer, post).edit:
        raise Http404(_("No such post."))
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(actor=viewer, post=post, body=form.cleaned_data["body"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("Post updated."))
            return redirect("feed_post", pk=post.pk)
    return render(request, "feed/post_edit.html", {"post": post, "form": form})


@login_required
def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, pk)
    try:
        revisions = selectors.post_revisions(viewer, post)
    except PermissionDenied as error:
        raise Http404(_("No such post.")) from error
    return render(request, "feed/post_history.html", {"post": post, "revisions": revisions})


@login_required
@require_POST
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, pk)
    done = service_attempt(
        request,
        lambda: services.post_delete(actor=viewer, post=post, request=request),
        _("Post deleted."),
    )
    if not done:
        return redirect("feed_post", pk=post.pk)
    return redirect("feed_space_posts", slug=post.space.slug)


@login_required
@require_POST
def post_pin(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, pk)
    if request.POST.get("action") == "unpin":
        service_attempt(
            request,
            lambda: services.post_unpin(actor=viewer, post=post, request=request),
            _("Post unpinned."),
        )
    else:
        service_attempt(
            request,
            lambda: services.post_pin(actor=viewer, post=post, request=request),
            _("Post pinned to the top of %(space)s.") % {"space": post.space},
        )
    return redirect(_next_url(request, reverse("feed_post", args=[post.pk])))


def _react(
    request: HttpRequest, *, post: Post | None = None, comment: Comment | None = None
) -> HttpResponse:
    viewer = signed_in_user(request)
    form = ReactionForm(request.POST)
    target = post if post is not None else comment
    assert target is not None
    error = ""
    if not form.is_valid():
        error = " ".join(str(e) for e in form.errors.get("emoji") or [])
        error = error or _("That reaction is not available.")
    else:
        try:
            services.reaction_toggle(
                user=viewer, emoji=form.cleaned_data["emoji"], post=post, comment=comment
            )
        except (ValidationError, PermissionDenied) as refusal:
            error = refusal_text(refusal)
    if _is_htmx(request):
        if post is not None:
            selectors.reactions_attach(viewer, posts=[post])
        else:
            selectors.reactions_attach(viewer, comments=[target])  # type: ignore[list-item]
        return render(
            request,
            "feed/_reactions.html",
            {"target": target, "kind": "post" if post is not None else "comment", "error": error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    post_pk = post.pk if post is not None else comment.post_id  # type: ignore[union-attr]
    return redirect(_next_url(request, reverse("feed_post", args=[post_pk])))


@login_required
@require_POST
def post_react(request: HttpRequest, pk: int) -> HttpResponse:
    return _react(request, post=selectors.post_get_visible(signed_in_user(request), pk))


@login_required
@require_POST
def comment_react(request: HttpRequest, pk: int) -> HttpResponse:
    return _react(request, comment=selectors.comment_get_visible(signed_in_user(request), pk))


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, pk)
    form = CommentForm(request.POST)
    anchor = "comments"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        parent_pk = form.cleaned_data.get("parent")

        def create() -> None:
            nonlocal anchor
            parent = None
            if parent_pk:
                parent = selectors.comment_get_visible(viewer, parent_pk)
            comment = services.comment_create(
                author=viewer, post=post, body=form.cleaned_data["body"], parent=parent
            )
            anchor = f"comment-{comment.pk}"

        try:
            service_attempt(request, create, None)
        except Http404:
            messages.error(request, _("The comment you replied to is gone."))
    return redirect(reverse("feed_post", args=[post.pk]) + f"#{anchor}")


@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    comment = selectors.comment_get_visible(viewer, pk)
    if comment.author_id != viewer.pk:
        raise Http404(_("No such comment."))
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(actor=viewer, comment=comment, body=form.cleaned_data["body"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("Comment updated."))
            return redirect(reverse("feed_post", args=[comment.post_id]) + f"#comment-{pk}")
    return render(request, "feed/comment_edit.html", {"comment": comment, "form": form})


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    comment = selectors.comment_get_visible(viewer, pk)
    service_attempt(
        request,
        lambda: services.comment_delete(actor=viewer, comment=comment, request=request),
        _("Comment deleted."),
    )
    return redirect(reverse("feed_post", args=[comment.post_id]) + "#comments")


@login_required
@require_POST
def posts_read(request: HttpRequest) -> JsonResponse:
    """Record posts that were on screen: ``{"posts": [ids]}`` (feed.js sends it)."""
    viewer = signed_in_user(request)
    try:
        data = json.loads(request.body or b"{}")
        ids = data["posts"] if isinstance(data, dict) else None
        if not isinstance(ids, list) or not all(
            isinstance(pk, int) and not isinstance(pk, bool) for pk in ids
        ):
            raise ValueError
    except (ValueError, KeyError, UnicodeDecodeError):
        return JsonResponse({"detail": _('Send {"posts": [post ids]} as JSON.')}, status=400)
    try:
        recorded = services.posts_mark_read(viewer=viewer, post_ids=ids)
    except ValidationError as error:
        return JsonResponse({"detail": refusal_text(error)}, status=400)
    return JsonResponse({"recorded": recorded})


# ---------------------------------------------------------------- drafts and scheduled posts


@login_required
@require_safe
def drafts(request: HttpRequest) -> HttpResponse:
    """The author's drafts, scheduled posts and recurring updates (only theirs)."""
    viewer = signed_in_user(request)
    posts = list(scheduling.drafts_of(viewer))
    schedules = list(scheduling.schedules_of(viewer))
    space_ids = {post.space_id for post in posts} | {s.space_id for s in schedules}
    return render(
        request,
        "feed/drafts.html",
        {
            "listed": scheduling.spaces_still_listed(viewer, space_ids),
            "drafts": [post for post in posts if post.status == Post.Status.DRAFT],
            "scheduled": [post for post in posts if post.status == Post.Status.SCHEDULED],
            "schedules": schedules,
            "time_zone": scheduling.author_zone(viewer).key,
        },
    )


@login_required
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft or scheduled post; the button pressed saves, schedules or publishes."""
    viewer = signed_in_user(request)
    post = scheduling.draft_get(viewer, pk)
    form = DraftForm(
        request.POST or None,
        spaces=selectors.spaces_postable_by(viewer),
        initial={"space": post.space.slug, "body": post.body, "publish_at": post.publish_at},
    )
    if request.method == "POST" and form.is_valid():
        intent = request.POST.get("intent", "draft")
        data = form.cleaned_data
        try:
            post = scheduling.draft_update(
                actor=viewer, post=post, body=data["body"], space=data["space"]
            )
            if intent == "publish":
                scheduling.draft_publish(actor=viewer, post=post)
            elif intent == "schedule":
                scheduling.draft_schedule(actor=viewer, post=post, publish_at=data["publish_at"])
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            if intent == "publish":
                messages.success(request, _("Posted in %(space)s.") % {"space": post.space})
                return redirect("feed_post", pk=post.pk)
            messages.success(request, _("Saved."))
            return redirect("feed_drafts")
    return render(request, "feed/drafts_edit.html", {"post": post, "form": form})


@login_required
@require_POST
def draft_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish now, cancel the schedule (back to drafts) or delete."""
    viewer = signed_in_user(request)
    post = scheduling.draft_get(viewer, pk)
    action = request.POST.get("action")
    if action == "publish":
        if service_attempt(
            request,
            lambda: scheduling.draft_publish(actor=viewer, post=post),
            _("Posted in %(space)s.") % {"space": post.space},
        ):
            return redirect("feed_post", pk=post.pk)
    elif action == "unschedule":
        service_attempt(
            request,
            lambda: scheduling.draft_unschedule(actor=viewer, post=post),
            _("No longer scheduled: it is back in your drafts."),
        )
    elif action == "delete":
        service_attempt(
            request, lambda: scheduling.draft_delete(actor=viewer, post=post), _("Draft deleted.")
        )
    else:
        messages.error(request, _("Choose what to do with the draft."))
    return redirect("feed_drafts")


@login_required
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    schedule = scheduling.schedule_get(viewer, pk)
    form = ScheduleForm(
        request.POST or None,
        initial={
            "body": schedule.body,
            "frequency": schedule.frequency,
            "time_of_day": schedule.time_of_day,
            "weekday": schedule.weekday,
            "day_of_month": schedule.day_of_month,
            "ends_at": schedule.ends_at,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.schedule_update(actor=viewer, schedule=schedule, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("Recurring update saved."))
            return redirect("feed_drafts")
    return render(request, "feed/scheduled_edit.html", {"schedule": schedule, "form": form})


@login_required
@require_POST
def schedule_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Pause, resume or delete a recurring update."""
    viewer = signed_in_user(request)
    schedule = scheduling.schedule_get(viewer, pk)
    action = request.POST.get("action")
    if action == "pause":
        service_attempt(
            request,
            lambda: scheduling.schedule_pause(actor=viewer, schedule=schedule),
            _("Recurring update paused."),
        )
    elif action == "resume":
        service_attempt(
            request,
            lambda: scheduling.schedule_resume(actor=viewer, schedule=schedule),
            _("Recurring update resumed."),
        )
    elif action == "delete":
        service_attempt(
            request,
            lambda: scheduling.schedule_delete(actor=viewer, schedule=schedule),
            _("Recurring update deleted; what it already published stays."),
        )
    else:
        messages.error(request, _("Choose what to do with the recurring update."))
    return redirect("feed_drafts")


# ---------------------------------------------------------------- live updates (feed.js)


@login_required
@require_safe
def live_posts(request: HttpRequest) -> HttpResponse:
    """The feed cards of new posts named in ``?ids=1,2``, newest first: only those the
    viewer may read (the others are left out without a word)."""
    viewer = signed_in_user(request)
    ids = live.ids_param(request.GET.get("ids", ""))
    posts = list(selectors.posts_visible_to(viewer).filter(pk__in=ids)) if ids else []
    selectors.reactions_attach(viewer, posts=posts)
    selectors.attachments_attach(posts)
    return render(request, "feed/_live_posts.html", {"posts": posts})


@login_required
@require_safe
def live_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """One comment as it appears on its post's page (404 unless the viewer may read it)."""
    viewer = signed_in_user(request)
    comment = selectors.comment_get_visible(viewer, pk)
    post = selectors.post_get_visible(viewer, comment.post_id)
    selectors.reactions_attach(viewer, comments=[comment])
    comment.reply_list = []
    return render(
        request,
        "feed/_live_comment.html",
        {
            "comment": comment,
            "post": post,
            "reply": comment.parent_id is not None,
            "can": selectors.post_permissions(viewer, post),
        },
    )


@login_required
@require_safe
def mention_suggestions(request: HttpRequest) -> JsonResponse:
    """People matching ``?q=`` for the composer's @ suggestions."""
    viewer = signed_in_user(request)
    return JsonResponse({"people": mentions.suggestions(viewer, request.GET.get("q", ""))})
