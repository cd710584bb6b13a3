"""Placeholder during initial scaffolding; replaced by the real views."""
from django.http import HttpResponse


def invitation_list(request, *args, **kwargs):
    return HttpResponse("invitation_list")


def invitation_accept(request, *args, **kwargs):
    return HttpResponse("invitation_accept")
