"""@mentions and #hashtags in what people write, and the notifications mentions send.

Syntax
------
- A person: ``@[Display Name](42)``, where 42 is the person's id. The composer inserts it
  when someone picks a name from the suggestions after typing ``@``. The id keeps the
  mention pointing at the same person through edits and name changes; the page shows the
  person's current name (looked up when the text is rendered), linked to their profile.
  An id that names nobody shows the typed text.
- A whole space: ``@space`` (or ``@everyone``). It notifies every active member of the
  space, but only when its author moderates the space (``spaces.selectors.can_moderate``);
  from anybody else it is plain text.
- A hashtag: ``#tag`` — letters, digits, underscores and hyphens, with at least one
  letter, after a space or punctuation (``a#b`` and ``&#38;`` are not tags). It links to
  the search page (``/search/?q=%23tag``). A Markdown heading (``# Title``) is not a tag.

Neither a mention nor a hashtag is recognised inside code or inside a link's text.

The markdown-it rules are registered in ``core.markdown.PLUGINS`` by ``FeedConfig.ready``.
The rules collect what they find in ``env``: ``env["mentions"]`` (person ids, in order),
``env["space_mention"]`` (bool) and ``env["hashtags"]`` (tags, lower-cased).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from rallypoint.core.markdown import parser
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import User
from rallypoint.people.selectors import people_visible_to
from rallypoint.spaces.models import Space, SpaceMembership
from rallypoint.spaces.selectors import can_moderate

SEARCH_PATH = "/search/"
SUGGESTIONS_MAX = 8
SUGGESTION_QUERY_MAX = 60
MENTION_LABEL_MAX = 120
HASHTAG_MAX = 64
SPACE_WORDS = ("space", "everyone")
# Skips the database look-up of names: used when only the ids are wanted.
ENV_IDS_ONLY = "mentions_ids_only"

_MENTION = re.compile(rf"@\[([^\[\]\n]{{1,{MENTION_LABEL_MAX}}})\]\(([1-9][0-9]{{0,17}})\)")
_SPACE_MENTION = re.compile(rf"@({'|'.join(SPACE_WORDS)})(?![\w@-])")
_HASHTAG = re.compile(rf"#([^\W_][\w-]{{0,{HASHTAG_MAX - 1}}})")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _starts_word(state: StateInline) -> bool:
    """The character before ``state.pos`` cannot belong to a word, an email or an entity."""
    if state.pos == 0:
        return True
    before = state.src[state.pos - 1]
    return not (before.isalnum() or before in "_-@&#/.:")


# ---------------------------------------------------------------- markdown-it rules


def _mention_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "@" or not _starts_word(state):
        return False
    rest = state.src[state.pos : state.posMax]
    person = _MENTION.match(rest)
    if person is not None and state.linkLevel > 0:
        # Inside a link's text a mention stays text: no link in a link.
        if not silent:
            state.push("text", "", 0).content = "@" + person.group(1)
        state.pos += person.end()
        return True
    if state.linkLevel > 0:
        return False
    if person is not None:
        if not silent:
            token = state.push("mention", "", 0)
            token.meta = {"id": int(person.group(2)), "label": person.group(1).strip()}
            state.env.setdefault("mentions", [])
            if token.meta["id"] not in state.env["mentions"]:
                state.env["mentions"].append(token.meta["id"])
        state.pos += person.end()
        return True
    whole = _SPACE_MENTION.match(rest)
    if whole is not None:
        if not silent:
            token = state.push("text", "", 0)
            token.content = whole.group(0)
            state.env["space_mention"] = True
        state.pos += whole.end()
        return True
    return False


def _hashtag_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "#" or state.linkLevel > 0 or not _starts_word(state):
        return False
    found = _HASHTAG.match(state.src, state.pos, state.posMax)
    if found is None:
        return False
    tag = found.group(1).rstrip("-")
    if not _HAS_LETTER.search(tag):
        return False
    if not silent:
        token = state.push("hashtag", "", 0)
        token.meta = {"tag": tag}
        state.env.setdefault("hashtags", [])
        if tag.lower() not in state.env["hashtags"]:
            state.env["hashtags"].append(tag.lower())
    state.pos += 1 + len(tag)
    return True


def _mention_tokens(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        if token.type == "mention":
            yield token
        elif token.children:
            yield from _mention_tokens(token.children)


def _resolve_names(state: StateCore) -> None:
    """Give each mention the person's current name (one query per text), or none."""
    if state.env.get(ENV_IDS_ONLY):
        return
    found = list(_mention_tokens(state.tokens))
    if not found:
        return
    ids = {token.meta["id"] for token in found}
    people = {
        pk: (name, active)
        for pk, name, active in User.objects.filter(pk__in=ids).values_list(
            "pk", "display_name", "is_active"
        )
    }
    for token in found:
        name, active = people.get(token.meta["id"], (None, False))
        token.meta["name"] = name
        token.meta["active"] = active


def _render_mention(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    name = meta.get("name")
    if not name or not meta.get("active"):
        return escapeHtml("@" + (name or meta["label"]))
    href = reverse("people_profile", args=[meta["id"]])
    return f'<a href="{href}">@{escapeHtml(name)}</a>'


def _render_hashtag(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tag = tokens[idx].meta["tag"]
    return f'<a href="{hashtag_url(tag)}">#{escapeHtml(tag)}</a>'


def hashtag_url(tag: str) -> str:
    """The search page for ``#tag``."""
    return f"{SEARCH_PATH}?q={quote('#' + tag, safe='')}"


def mentions_plugin(md: MarkdownIt) -> None:
    """``@[Name](id)`` links to the person's profile; ``@space`` is noted in ``env``."""
    md.inline.ruler.before("link", "rallypoint_mention", _mention_rule)
    md.core.ruler.push("rallypoint_mention_names", _resolve_names)
    md.add_render_rule("mention", _render_mention)


def hashtags_plugin(md: MarkdownIt) -> None:
    """``#tag`` links to the search for it."""
    md.inline.ruler.before("link", "rallypoint_hashtag", _hashtag_rule)
    md.add_render_rule("hashtag", _render_hashtag)


# ---------------------------------------------------------------- reading a text


@dataclass(frozen=True)
class Mentions:
    person_ids: tuple[int, ...]
    space: bool
    hashtags: tuple[str, ...]


def mentions_in(text: str) -> Mentions:
    """The people, whole-space mention and hashtags written in ``text`` (no query)."""
    env: dict[str, Any] = {ENV_IDS_ONLY: True}
    parser().parse(text or "", env)
    return Mentions(
        person_ids=tuple(env.get("mentions", ())),
        space=bool(env.get("space_mention")),
        hashtags=tuple(env.get("hashtags", ())),
    )


def mention_token(person: User) -> str:
    """What the composer inserts for ``person``."""
    label = " ".join(person.display_name.replace("[", "(").replace("]", ")").split())
    return f"@[{label[:MENTION_LABEL_MAX]}]({person.pk})"


def suggestions(viewer: User, query: str) -> list[dict[str, Any]]:
    """People ``viewer`` can see whose name, title or department match ``query``, for the
    composer: id, name, job title and the text to insert."""
    query = " ".join(query.replace("\x00", "").split())[:SUGGESTION_QUERY_MAX]
    if not query or not viewer.is_active:
        return []
    return [
        {
            "id": person.pk,
            "name": person.display_name,
            "title": person.job_title,
            "token": mention_token(person),
        }
        for person in people_visible_to(viewer, query=query)[:SUGGESTIONS_MAX]
    ]


# ---------------------------------------------------------------- notifications


def _space_members(space: Space) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=SpaceMembership.objects.filter(space=space).values("user_id"),
        )
    )


def mentions_notify(
    *,
    author: User,
    space: Space,
    target: Any,
    url: str,
    excerpt: str,
    text: str,
    previous_text: str = "",
) -> list[int]:
    """Notify the people ``text`` mentions (and the whole space for ``@space`` by a
    moderator), leaving out mentions that ``previous_text`` already had. Call inside the
    writing transaction. People who cannot read ``space`` are never notified (and so learn
    nothing of it). Returns the ids of the people notified."""
    now = mentions_in(text)
    before = mentions_in(previous_text) if previous_text else Mentions((), False, ())
    new_ids = [pk for pk in now.person_ids if pk not in before.person_ids]
    group_key = f"mention:{target._meta.model_name}:{target.pk}"
    on_comment = target._meta.model_name == "comment"
    notified: list[int] = []
    if new_ids:
        summary = (
            _("mentioned you in a comment on “%(post)s”")
            if on_comment
            else _("mentioned you in “%(post)s”")
        )
        notified += notification_notify(
            recipients=User.objects.filter(pk__in=new_ids),
            kind=Notification.Kind.MENTION,
            actor=author,
            space=space,
            target=target,
            url=url,
            summary=summary % {"post": excerpt},
            group_key=group_key,
        )
    if now.space and not before.space and can_moderate(author, space):
        summary = (
            _("mentioned everyone in %(space)s in a comment on “%(post)s”")
            if on_comment
            else _("mentioned everyone in %(space)s in “%(post)s”")
        )
        notified += notification_notify(
            recipients=[person for person in _space_members(space) if person.pk not in notified],
            kind=Notification.Kind.MENTION,
            actor=author,
            space=space,
            target=target,
            url=url,
            summary=summary % {"space": space.name, "post": excerpt},
            group_key=group_key,
        )
    return notified
