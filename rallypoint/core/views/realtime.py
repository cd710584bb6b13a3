"""Placeholder during initial scaffolding; replaced by the real views."""
from django.http import HttpResponse


def event_stream(request, *args, **kwargs):
    return HttpResponse("event_stream")
