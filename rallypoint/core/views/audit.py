"""Placeholder during initial scaffolding; replaced by the real views."""
from django.http import HttpResponse


def audit_log(request, *args, **kwargs):
    return HttpResponse("audit_log")
