"""Forms of the spaces pages. They parse input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rallypoint.people.models import User
from rallypoint.spaces.models import Space, SpaceMembership


class SpaceCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the group is for, in a sentence or two."),
    )
    kind = forms.ChoiceField(label=_("Who can see and join"), widget=forms.RadioSelect)

    KIND_HELP: dict[str, Any] = {
        Space.Kind.OPEN: _("Open: everyone sees it and its posts, and anyone can join."),
        Space.Kind.PRIVATE: _(
            "Private: everyone sees its name; only members see its posts and members. "
            "People ask to join and a moderator approves."
        ),
        Space.Kind.SECRET: _("Secret: only members know it exists. Moderators invite people in."),
    }

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(kind, self.KIND_HELP[kind]) for kind in kinds]
        field.initial = Space.Kind.OPEN

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the group a name."))
        return name


class SpaceUpdateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, space: Space, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if space.is_directory:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = _("The name follows the company directory.")


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=SpaceMembership.Role.choices)


class SpaceInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email of the person to invite"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip().lower()
        person = User.objects.filter(email=email, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("Nobody active in the company has this email."))
        return person


class SpaceSettingsForm(forms.Form):
    members_can_create_groups = forms.BooleanField(
        label=_("Everyone can create open and private groups"),
        required=False,
        help_text=_("When off, only administrators create groups."),
    )
