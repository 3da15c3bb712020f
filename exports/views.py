"""Thin views: the audit-record PDF of one decision, the verify page, and bulk exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisions import pdf, signing
from decisions.permissions import Can, ensure
from decisions.selectors import get_decision_for_user, version_of

from . import selectors, services
from .forms import BulkExportForm, VerifyForm
from .models import BulkExport
from .verification import verify_attached_record, verify_code


def _verify_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("exports:verify"))


@require_GET
@never_cache
def decision_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    """The audit record of the current version, or of `?version=N`."""
    ensure(request.user, Can.EXPORT_PDF)
    decision = get_decision_for_user(request.user, reference)
    requested = request.GET.get("version")
    if requested is not None:
        if not requested.isdigit():
            raise Http404("No such version")
        version = version_of(decision, int(requested))
    elif decision.current_version is not None:
        version = decision.current_version
    else:
        raise Http404("This decision has not been submitted")
    version.decision = decision
    rendered = pdf.render_pdf(version, generated_by=request.user, verify_url=_verify_url(request))
    assert rendered is not None  # no target given: the bytes come back
    try:
        data = signing.sign_pdf(rendered)
    except signing.SigningNotConfigured:
        # Never an unsigned record: the service is not set up to sign (manage.py check --deploy says so).
        return render(request, "exports/signing_unavailable.html", status=503)
    services.pdf_exported(by=request.user, version=version, request=request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename_for(version)}"'
    return response


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    ensure(request.user, Can.VERIFY_PDF)
    verdict = None
    if request.method == "POST":
        form = VerifyForm(data=request.POST, files=request.FILES)
        if form.is_valid():
            if form.attached_record is not None:
                verdict = verify_attached_record(request.user, form.attached_record, form.signature)
                method = "upload"
            else:
                verdict = verify_code(request.user, form.cleaned_data["code"])
                method = "code"
            services.verification_recorded(by=request.user, verdict=verdict, method=method, request=request)
            form = VerifyForm()  # ready for the next check
    else:
        # A code in the address (from the record) is filled in, but only checked when the user asks.
        form = VerifyForm(initial={"code": request.GET.get("code", "")[:200]})
    return render(request, "exports/verify.html", {"form": form, "verdict": verdict})


@require_http_methods(["GET", "POST"])
def export_start(request: HttpRequest) -> HttpResponse:
    ensure(request.user, Can.BULK_EXPORT)
    teams = selectors.teams_for_user(request.user)
    form = BulkExportForm(data=request.POST if request.method == "POST" else None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = services.bulk_export_start(
                by=request.user,
                submitted_from=data["submitted_from"],
                submitted_to=data["submitted_to"],
                team=data["team"],
                outcome=data["outcome"],
                verify_url=_verify_url(request),
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            return redirect("exports:detail", pk=export.pk)
    exports = list(selectors.exports_for_user(request.user)[:20])
    return render(request, "exports/start.html", {"form": form, "exports": exports})


def _progress_text(export: BulkExport) -> str:
    return f"{number_format(export.done, force_grouping=True)} of {number_format(export.total, force_grouping=True)}"


@require_GET
@never_cache
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ensure(request.user, Can.BULK_EXPORT)
    export = selectors.get_export_for_user(request.user, pk)
    return render(request, "exports/detail.html", {"export": export, "progress_text": _progress_text(export)})


@require_GET
@never_cache
def export_progress(request: HttpRequest, pk: int) -> JsonResponse:
    ensure(request.user, Can.BULK_EXPORT)
    export = selectors.get_export_for_user(request.user, pk)
    return JsonResponse(
        {
            "status": export.status,
            "active": export.is_active,
            "done": export.done,
            "total": export.total,
            "percent": export.percent,
            "text": _progress_text(export),
        }
    )


@require_POST
def export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    ensure(request.user, Can.BULK_EXPORT)
    export = selectors.get_export_for_user(request.user, pk)
    try:
        services.bulk_export_retry(by=request.user, export=export, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Export {export.pk} has started again.")
    return redirect("exports:detail", pk=export.pk)


@require_GET
@never_cache
def export_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    ensure(request.user, Can.BULK_EXPORT)
    export = selectors.get_export_for_user(request.user, pk)
    if export.is_expired:
        return render(request, "exports/expired.html", {"export": export}, status=410)
    if not export.is_downloadable:
        raise Http404("This export is not ready")
    services.bulk_export_downloaded(by=request.user, export=export, request=request)
    return FileResponse(
        open(export.path, "rb"),  # noqa: SIM115  (FileResponse closes it)
        as_attachment=True,
        filename=export.download_name,
        content_type="application/zip",
    )
