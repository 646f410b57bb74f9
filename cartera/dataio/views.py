"""The import page (upload, preview, dry run, background commit with progress) and the export view."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cartera.core.errors import PermissionDeniedError
from cartera.dataio.export import EXPORT_KINDS, FORMATS, csv_chunks, export_rows, write_json, write_xlsx
from cartera.dataio.forms import ImportUploadForm
from cartera.dataio.kinds import KINDS
from cartera.dataio.models import ImportJob
from cartera.dataio.readers import FileRefused
from cartera.dataio.services import (
    import_job_create,
    import_job_progress,
    import_job_report_path,
    import_job_start,
    preview_file,
)


def _ensure_may_import(user: Any) -> None:
    if user.is_read_only:
        raise PermissionDenied


def _job(request: HttpRequest, pk: int) -> ImportJob:
    """The job, if the user started it (managers see every job)."""
    _ensure_may_import(request.user)
    job = get_object_or_404(ImportJob, pk=pk)
    if job.created_by_id != request.user.pk and not request.user.manages_everything:  # type: ignore[union-attr]
        raise Http404
    return job


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    _ensure_may_import(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                mode=form.cleaned_data["mode"],
                decimal_comma=form.cleaned_data["decimal_comma"],
                sheet=form.cleaned_data["sheet"],
            )
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("dataio:import_detail", pk=job.pk)
    recent = ImportJob.objects.filter(created_by_id=request.user.pk)[:10]
    context = {"form": form, "kinds": KINDS.values(), "recent": recent, "section": "import"}
    return render(request, "dataio/import_start.html", context)


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        preview = preview_file(job.kind, job.stored_path, sheet=job.sheet or None)
        refused = ""
    except FileRefused as error:
        preview, refused = {}, str(error)
    context = {
        "job": job,
        "kind": KINDS[job.kind],
        "preview": preview,
        "refused": refused,
        "progress": import_job_progress(job),
        "section": "import",
    }
    return render(request, "dataio/import_detail.html", context)


@login_required
@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        import_job_start(actor=request.user, job=job, dry_run=request.POST.get("action") != "commit")
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError:
        pass  # already running or already imported: the status panel says so
    job.refresh_from_db()
    if getattr(request, "htmx", False):
        return _status(request, job)
    return redirect("dataio:import_detail", pk=job.pk)


@login_required
@require_GET
def import_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _status(request, _job(request, pk))


def _status(request: HttpRequest, job: ImportJob) -> HttpResponse:
    context = {"job": job, "progress": import_job_progress(job)}
    return render(request, "dataio/partials/import_status.html", context)


@login_required
@require_GET
def import_problems(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    path = import_job_report_path(job)
    if path is None:
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"problems-{job.pk}.csv")


@login_required
@require_GET
def export(request: HttpRequest, kind: str) -> HttpResponseBase:
    """Export what the list shows: the same filters, through what the user may see."""
    if kind not in EXPORT_KINDS:
        raise Http404
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        fmt = "csv"
    filters = {key: value for key, value in request.GET.items() if key not in {"format", "page"}}
    if kind == "insights" and filters.get("as_of"):
        # A past date recomputes every account's snapshot (minutes on a large company, holding the
        # write lock): that belongs to `cartera insights export --as-of`, not to a page request.
        return HttpResponseBadRequest(
            _(
                "Insights as of a past date are exported with the command: cartera insights export --as-of DATE."
            )
        )
    rows = export_rows(kind, user=request.user, filters=filters)
    stamp = timezone.localdate().isoformat()
    filename = f"{kind}-{stamp}.{fmt}"
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            csv_chunks(kind, rows), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "json":
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+", encoding="utf-8")  # noqa: SIM115
        write_json(kind, rows, spool)  # type: ignore[arg-type]
        spool.seek(0)
        response = HttpResponse(spool.read(), content_type="application/json")
    else:
        spool_bytes = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        write_xlsx(kind, rows, spool_bytes)
        spool_bytes.seek(0)
        return FileResponse(
            spool_bytes,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
