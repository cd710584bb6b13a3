"""Forms of the feed pages. They parse input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from rallypoint.feed.attachments import FILE_TYPES, allowed_types_text
from rallypoint.feed.models import COMMENT_MAX_LENGTH, POST_MAX_LENGTH, REACTIONS, PostSchedule
from rallypoint.spaces.models import Space

MARKDOWN_HELP = _(
    "Markdown: **bold**, *italic*, [link](https://example.com), `code`, "
    "- lists, > quotes, # headings."
)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Any number of files from one input; what they may be is decided by the service."""

    def __init__(self, **kwargs: Any) -> None:
        accept = ",".join(
            ["image/png", "image/jpeg", "image/gif", "image/webp"]
            + [f".{extension}" for extension in FILE_TYPES]
        )
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(AttachmentsField, self).clean(item, initial) for item in items if item]


class LocalDateTimeInput(forms.DateTimeInput):
    """A date and time picked in the person's own time zone (the active one)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


REPEAT_CHOICES = [("", _("Does not repeat")), *PostSchedule.Frequency.choices]


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
    attachments = AttachmentsField(
        label=_("Images and files"), help_text=lazy(allowed_types_text, str)()
    )
    # "Schedule…": when it goes out (in the author's time zone), and whether it repeats.
    publish_at = forms.DateTimeField(
        label=_("Publish at"), required=False, widget=LocalDateTimeInput()
    )
    repeat = forms.ChoiceField(label=_("Repeat"), required=False, choices=REPEAT_CHOICES)

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


# ---------------------------------------------------------------- drafts and recurring updates

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class DraftForm(forms.Form):
    """A draft or scheduled post being edited; the button pressed says what happens."""

    space = forms.ModelChoiceField(
        label=_("Space"),
        queryset=Space.objects.none(),
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": _("You cannot post in that space.")},
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
        error_messages={"required": _("Write something first.")},
    )
    publish_at = forms.DateTimeField(
        label=_("Publish at"), required=False, widget=LocalDateTimeInput()
    )

    def __init__(self, *args: Any, spaces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["space"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = spaces


class ScheduleForm(forms.Form):
    """A recurring update: its text and when it repeats, in its time zone."""

    body = forms.CharField(
        label=_("Text"),
        max_length=POST_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
        error_messages={"required": _("Write something first.")},
    )
    frequency = forms.ChoiceField(label=_("Repeats"), choices=PostSchedule.Frequency.choices)
    time_of_day = forms.TimeField(
        label=_("Time of day"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week (weekly)"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
    )
    day_of_month = forms.IntegerField(
        label=_("Day of the month (monthly)"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("A shorter month uses its last day."),
    )
    ends_at = forms.DateTimeField(label=_("Ends"), required=False, widget=LocalDateTimeInput())
