"""Placeholder during initial scaffolding; replaced by the real views."""
from django.http import HttpResponse


def import_upload(request, *args, **kwargs):
    return HttpResponse("import_upload")
