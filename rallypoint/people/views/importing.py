"""The administrators' page for importing people from a CSV file."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rallypoint.people.importing import (
    MAX_UPLOAD_BYTES,
    ImportReport,
    people_csv_parse,
    people_import,
    people_import_check,
)


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 CSV with a header line; commas or semicolons."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    create_missing = forms.BooleanField(
        label=gettext_lazy("Create departments, teams and locations the file names but we lack"),
        required=False,
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Import the valid rows even if other rows have errors"),
        required=False,
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s. Split it into smaller files.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if not request.user.is_administrator:  # type: ignore[union-attr]
        raise Http404
    report: ImportReport | None = None
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            rows = people_csv_parse(data=upload.read(), name=upload.name or "")
            if request.POST.get("action") == "import":
                report = people_import(
                    actor=request.user,  # type: ignore[arg-type]
                    rows=rows,
                    skip_invalid=form.cleaned_data["skip_invalid"],
                    create_missing=form.cleaned_data["create_missing"],
                    request=request,
                )
            else:
                report = people_import_check(
                    rows=rows, create_missing=form.cleaned_data["create_missing"]
                )
    else:
        form = PeopleImportForm()
    context = {"form": form, "report": report, "max_bytes": MAX_UPLOAD_BYTES}
    if request.headers.get("HX-Request"):
        return render(request, "people/_import_report.html", context)
    return render(request, "people/import.html", context)
