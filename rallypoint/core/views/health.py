"""Placeholder during initial scaffolding; replaced by the real views."""
from django.http import HttpResponse


def healthz(request, *args, **kwargs):
    return HttpResponse("healthz")


def readyz(request, *args, **kwargs):
    return HttpResponse("readyz")
