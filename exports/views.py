"""Thin views: the audit-record PDF of one decision, the verify page, and bulk exports."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisions import pdf, signing
from decisions.permissions import Can, ensure
from decisions.selectors import get_decision_for_user, get_person_for_user, search_people, version_of

from . import selectors, services, throttle
from .forms import BulkExportForm, PersonSearchForm, SubjectAccessStartForm, VerifyForm
from .models import BulkExport, SubjectAccessRequest
from .storage import export_storage
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


@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Open to anyone: the PDF tells its reader to come here. Checks are limited per address (throttle.py)."""
    verdict = None
    if request.method == "POST":
        wait = throttle.verify_check_allowed(request)
        if wait is not None:
            return render(request, "exports/verify_too_many.html", {"minutes": wait}, status=429)
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


def _progress_text(export: BulkExport | SubjectAccessRequest) -> str:
    return f"{number_format(export.done, force_grouping=True)} of {number_format(export.total, force_grouping=True)}"


def _progress_json(export: BulkExport | SubjectAccessRequest) -> JsonResponse:
    """For the detail page's script, which follows the job without reloading."""
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


def _download(
    request: HttpRequest,
    export: BulkExport | SubjectAccessRequest,
    *,
    expired_template: str,
    what: str,
    downloaded: Callable[[], object],
) -> HttpResponse | FileResponse:
    """The zip, streamed from the export storage (a folder, or a bucket every node shares), once it is ready and
    until it expires; each download audited by `downloaded`."""
    if export.is_expired:
        return render(request, expired_template, {"export": export}, status=410)
    if not export.is_downloadable:
        raise Http404(f"This {what} is not ready")
    try:
        content = export_storage().open(export.file_name, "rb")
    except FileNotFoundError:
        raise Http404(f"This {what}'s file is missing") from None
    downloaded()
    return FileResponse(content, as_attachment=True, filename=export.download_name, content_type="application/zip")


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
    return _progress_json(export)


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
    return _download(
        request,
        export,
        expired_template="exports/expired.html",
        what="export",
        downloaded=lambda: services.bulk_export_downloaded(by=request.user, export=export, request=request),
    )


# Subject access requests ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def subject_access_start(request: HttpRequest) -> HttpResponse:
    """Find the person (GET), then start a bundle of every record about them (POST)."""
    ensure(request.user, Can.SUBJECT_ACCESS)
    searching = "name" in request.GET or any(k.startswith("date_of_birth") for k in request.GET)
    search_form = PersonSearchForm(data=request.GET if searching else None)
    start_error = ""
    if request.method == "POST":
        start_form = SubjectAccessStartForm(data=request.POST)
        if start_form.is_valid():
            person = get_person_for_user(request.user, start_form.cleaned_data["person"])
            try:
                found = services.subject_access_start(
                    by=request.user, person=person, verify_url=_verify_url(request), request=request
                )
            except ValidationError as exc:
                start_error = exc.messages[0]
            else:
                return redirect("exports:subject_access_detail", pk=found.pk)
        else:
            start_error = str(start_form.errors["person"][0])
    people = None
    if searching and search_form.is_valid():
        data = search_form.cleaned_data
        matches = search_people(request.user, name=data["name"], date_of_birth=data["date_of_birth"], limit=50)
        people = selectors.people_with_decision_counts(request.user, matches)
    return render(
        request,
        "exports/subject_access_start.html",
        {
            "search_form": search_form,
            "people": people,
            "start_error": start_error,
            "requests": list(selectors.subject_access_for_user(request.user)[:20]),
        },
        status=400 if start_error else 200,
    )


@require_GET
@never_cache
def subject_access_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ensure(request.user, Can.SUBJECT_ACCESS)
    found = selectors.get_subject_access_for_user(request.user, pk)
    return render(
        request, "exports/subject_access_detail.html", {"export": found, "progress_text": _progress_text(found)}
    )


@require_GET
@never_cache
def subject_access_progress(request: HttpRequest, pk: int) -> JsonResponse:
    ensure(request.user, Can.SUBJECT_ACCESS)
    found = selectors.get_subject_access_for_user(request.user, pk)
    return _progress_json(found)


@require_POST
def subject_access_retry(request: HttpRequest, pk: int) -> HttpResponse:
    ensure(request.user, Can.SUBJECT_ACCESS)
    found = selectors.get_subject_access_for_user(request.user, pk)
    try:
        services.subject_access_retry(by=request.user, subject_access=found, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Subject access bundle {found.pk} has started again.")
    return redirect("exports:subject_access_detail", pk=found.pk)


@require_GET
@never_cache
def subject_access_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    ensure(request.user, Can.SUBJECT_ACCESS)
    found = selectors.get_subject_access_for_user(request.user, pk)
    return _download(
        request,
        found,
        expired_template="exports/subject_access_expired.html",
        what="bundle",
        downloaded=lambda: services.subject_access_downloaded(by=request.user, subject_access=found, request=request),
    )
