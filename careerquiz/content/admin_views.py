"""Importing and exporting content files from the admin, as the commands do.

Upload a `careerquiz/1` file (JSON or YAML), see what an import would change,
field by field (a dry run: the same validation and messages as
`import_content`), then confirm to import it in one transaction. Published
quizzes whose content the import changed keep placing visitors by their live
version: the page after the import lists them with a "publish now" step, which
leads to the quiz list's bulk publish confirmation (its checks and permissions).
Any ladder or quiz downloads as a file from its page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from careerquiz.content import (
    ContentInvalid,
    dumps,
    export_content,
    import_content,
    loads,
    validate,
)
from careerquiz.content.files import YAML_SUFFIXES
from careerquiz.content.importer import ImportReport
from careerquiz.content.preview import ImportChanges, import_changes
from quiz.models import Quiz
from quiz.versions import published_behind_draft

MSG_TOO_BIG = (
    "The file is larger than {limit} KB, the most a confirmation can carry back; "
    "import it with `manage.py import_content` instead."
)
MSG_NOT_UTF8 = "The file is not UTF-8 text."
MSG_NOTHING_TO_CHANGE = "Nothing to change: the database already holds this content."
MSG_IMPORTED = "Imported {name}: {summary}."
MSG_NEW = "{kind} {slug} (new)"
MSG_CHANGES = "{kind} {slug} ({count} change{plural})"
MSG_REPUBLISH = (
    "Placements still use the live version of {quizzes}: publish again for visitors "
    "to get the imported content."
)
# The query parameter of the page after an import: the quizzes to offer publishing.
REPUBLISH_PARAMETER = "republish"

# Who may import: an import can create, change and delete ladders and quizzes.
IMPORT_PERMISSIONS = [
    f"{app}.{action}_{model}"
    for app, model in (("ladder", "ladder"), ("quiz", "quiz"))
    for action in ("add", "change", "delete")
]


class UploadForm(forms.Form):
    file = forms.FileField(help_text="A careerquiz/1 file: .json, or .yaml / .yml.")


def _read(upload: Any) -> tuple[str, bool]:
    # The confirmation posts the text back as a form field, so the field limit applies
    # (less room for the form's other fields).
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and upload.size > limit - 1024:
        raise forms.ValidationError(MSG_TOO_BIG.format(limit=(limit - 1024) // 1024))
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError as error:
        raise forms.ValidationError(MSG_NOT_UTF8) from error
    return text, upload.name.lower().endswith(YAML_SUFFIXES)


def _page(request: HttpRequest, context: dict[str, Any]) -> TemplateResponse:
    base = {**admin.site.each_context(request), "title": "Import a content file"}
    return TemplateResponse(request, "admin/content/import.html", base | context)


@require_http_methods(["GET", "HEAD", "POST"])
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload → a dry run shown as a list of changes → confirm → the import."""
    if not request.user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    if request.method in ("GET", "HEAD"):
        slugs = request.GET.get(REPUBLISH_PARAMETER, "").split(",")
        return _page(request, {"form": UploadForm(), "republish": _not_live(slugs)})
    if "confirm" in request.POST:
        return _confirm(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, {"form": form})
    upload = form.cleaned_data["file"]
    try:
        text, yaml = _read(upload)
        report = import_content(loads(text, yaml=yaml), dry_run=True)
    except forms.ValidationError as error:
        form.add_error("file", error)
        return _page(request, {"form": form})
    except ContentInvalid as invalid:
        return _page(request, {"form": form, "errors": invalid.errors, "name": upload.name})
    return _page(
        request,
        {
            "form": UploadForm(),
            "name": upload.name,
            "report": report,
            "changes": import_changes(loads(text, yaml=yaml)),
            "stale": _quizzes(report.stale),
            "content": text,
            "yaml": yaml,
        },
    )


def _confirm(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "the file")
    try:
        data = loads(request.POST.get("content", ""), yaml=request.POST.get("yaml") == "1")
        if errors := validate(data):  # the diff reads a valid file only
            raise ContentInvalid(errors)
        changes = import_changes(data)
        report = import_content(data, by=request.user.get_username())
    except ContentInvalid as invalid:
        # Something changed since the dry run: say what, having written nothing.
        return _page(request, {"form": UploadForm(), "errors": invalid.errors, "name": name})
    if not report.changed:
        messages.info(request, MSG_NOTHING_TO_CHANGE)
        return HttpResponseRedirect(reverse("admin:quiz_quiz_changelist"))
    messages.success(request, MSG_IMPORTED.format(name=name, summary=_summary(changes, report)))
    if not report.stale:
        return HttpResponseRedirect(reverse("admin:quiz_quiz_changelist"))
    titles = ", ".join(f"“{quiz}”" for quiz in _quizzes(report.stale))
    messages.warning(request, MSG_REPUBLISH.format(quizzes=titles))
    query = {REPUBLISH_PARAMETER: ",".join(report.stale)}
    return HttpResponseRedirect(f"{reverse('content-import')}?{urlencode(query)}")


def _summary(changes: list[ImportChanges], report: ImportReport) -> str:
    parts = [
        MSG_NEW.format(kind=group.kind, slug=group.slug)
        if group.new
        else MSG_CHANGES.format(
            kind=group.kind,
            slug=group.slug,
            count=len(group.lines),
            plural=pluralize(len(group.lines)),
        )
        for group in changes
        if group.lines
    ]
    return "; ".join(parts + report.publication) or str(report)


def _quizzes(slugs: list[str]) -> list[Quiz]:
    return list(Quiz.objects.filter(slug__in=slugs).order_by("title"))


def _not_live(slugs: list[str]) -> list[Quiz]:
    """Of these quizzes, the published ones whose draft is not what visitors get."""
    slugs = [slug for slug in slugs if "\x00" not in slug]  # PostgreSQL cannot compare one
    return published_behind_draft(Quiz.objects.filter(slug__in=slugs).order_by("title"))


@require_safe
def export_file(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    """A ladder or a quiz as a careerquiz/1 file, to keep in version control or move."""
    if kind not in ("ladder", "quiz") or not request.user.has_perm(f"{kind}.view_{kind}"):
        raise PermissionDenied
    try:
        data = export_content(**{"ladders" if kind == "ladder" else "quizzes": [slug]})
    except LookupError as error:
        raise Http404 from error
    response = HttpResponse(dumps(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{slug}.json"'
    return response
