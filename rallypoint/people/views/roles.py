"""Placeholder during initial scaffolding; replaced by the real views."""
from django.http import HttpResponse


def role_set(request, *args, **kwargs):
    return HttpResponse("role_set")
