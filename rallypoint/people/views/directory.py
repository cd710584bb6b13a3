"""Placeholder during initial scaffolding; replaced by the real views."""
from django.http import HttpResponse


def home(request, *args, **kwargs):
    return HttpResponse("home")


def directory(request, *args, **kwargs):
    return HttpResponse("directory")


def org_chart(request, *args, **kwargs):
    return HttpResponse("org_chart")


def profile_edit(request, *args, **kwargs):
    return HttpResponse("profile_edit")


def profile(request, pk):
    return HttpResponse("profile")
