"""Forms of the connections page: a Mastodon instance, a Bluesky handle and app password."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Bluesky app passwords look like "abcd-efgh-ijkl-mnop".
APP_PASSWORD = re.compile(r"^[a-z0-9]{4}(-[a-z0-9]{4}){3}$")
HANDLE = re.compile(r"^(did:[a-z]+:[A-Za-z0-9._:%-]+|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")


class MastodonInstanceForm(forms.Form):
    instance = forms.CharField(
        label=_("Your Mastodon server"),
        max_length=253,
        help_text=_("The address of the server your account lives on, such as mastodon.social."),
        widget=forms.TextInput(attrs={"placeholder": "mastodon.social", "autocomplete": "url"}),
    )

    def clean_instance(self) -> str:
        from rallypoint.networks import mastodon

        try:
            return mastodon.normalise_instance(self.cleaned_data["instance"])
        except ValueError as error:
            raise ValidationError(str(error)) from error


class BlueskyForm(forms.Form):
    handle = forms.CharField(
        label=_("Your Bluesky handle"),
        max_length=253,
        help_text=_("Such as alex.bsky.social (without the @)."),
        widget=forms.TextInput(
            attrs={"placeholder": "alex.bsky.social", "autocomplete": "username"}
        ),
    )
    app_password = forms.CharField(
        label=_("App password"),
        max_length=64,
        strip=True,
        help_text=_(
            "Create one in Bluesky under Settings → Privacy and security → App passwords. "
            "It looks like abcd-efgh-ijkl-mnop. Rallypoint uses it once to sign in and "
            "does not store it; you can revoke it in Bluesky at any time."
        ),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip().lstrip("@")
        if not HANDLE.match(handle):
            raise ValidationError(_("Enter your Bluesky handle, such as alex.bsky.social."))
        return handle.lower() if not handle.startswith("did:") else handle

    def clean_app_password(self) -> str:
        password = self.cleaned_data["app_password"].lower()
        if not APP_PASSWORD.match(password):
            raise ValidationError(
                _(
                    "This is not an app password. Do not use your Bluesky password here: "
                    "create an app password (four groups of four letters or digits)."
                )
            )
        return password
