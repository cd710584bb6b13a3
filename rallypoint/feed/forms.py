"""Forms of the feed pages. They parse input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rallypoint.feed.models import COMMENT_MAX_LENGTH, POST_MAX_LENGTH, REACTIONS
from rallypoint.spaces.models import Space

MARKDOWN_HELP = _(
    "Markdown: **bold**, *italic*, [link](https://example.com), `code`, "
    "- lists, > quotes, # headings."
)


class PostForm(forms.Form):
    space = forms.ModelChoiceField(
        label=_("Space"),
        queryset=Space.objects.none(),
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": _("You cannot post in that space.")},
    )
    body = forms.CharField(
        label=_("Write a post"),
        max_length=POST_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Share something…")}),
        help_text=MARKDOWN_HELP,
        error_messages={"required": _("Write something first.")},
    )

    def __init__(self, *args: Any, spaces: Any, fixed_space: Space | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["space"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = spaces
        if fixed_space is not None:
            field.widget = forms.HiddenInput()
            field.initial = fixed_space.slug


class PostEditForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
        error_messages={"required": _("Write something first.")},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Write a comment…")}),
        help_text=MARKDOWN_HELP,
        error_messages={"required": _("Write something first.")},
    )
    parent = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput()
    )


class ReactionForm(forms.Form):
    emoji = forms.ChoiceField(
        choices=list(REACTIONS.items()),
        error_messages={"invalid_choice": _("That reaction is not available.")},
    )


class FeedFilterForm(forms.Form):
    space = forms.ModelChoiceField(
        label=_("Show posts from"),
        queryset=Space.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All my spaces"),
    )

    def __init__(self, *args: Any, spaces: Any, **kwargs: Any) -> None:
        # Its own ids: the composer on the same page has a "space" field too.
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["space"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = spaces
