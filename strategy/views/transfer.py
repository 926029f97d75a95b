"""Import and export of a whole scorecard as one workbook (performance team).

An upload is checked, kept in a private temporary folder under a random token held in the
session, and previewed: every problem, or what the import would change. Nothing is written
until the performance team confirms, and the file is checked again then.
"""

import re
import secrets
import tempfile
import time
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from strategy import workbook
from strategy.forms import ExportForm, ImportUploadForm
from strategy.permissions import role_required
from strategy.roles import Role
from strategy.services import transfer

SESSION_KEY = "strategy_pending_import"
KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _upload_dir() -> Path:
    folder = Path(tempfile.gettempdir()) / "scorecard-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _keep_upload(request, upload) -> str:
    """Store the upload under a new token for this session; drop stale ones."""
    _forget_upload(request)
    folder = _upload_dir()
    for old in folder.glob("*.xlsx"):
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    with (folder / f"{token}.xlsx").open("wb") as kept:
        for chunk in upload.chunks():
            kept.write(chunk)
    request.session[SESSION_KEY] = {"token": token, "name": upload.name[:200]}
    return token


def _pending(request, token: str) -> tuple[Path, str] | None:
    """The kept file and its original name, if the token is this session's own."""
    pending = request.session.get(SESSION_KEY) or {}
    path = _upload_dir() / f"{token}.xlsx"
    if not _TOKEN.fullmatch(token) or pending.get("token") != token or not path.is_file():
        return None
    return path, pending.get("name", "")


def _forget_upload(request) -> None:
    pending = request.session.pop(SESSION_KEY, None) or {}
    if _TOKEN.fullmatch(pending.get("token", "")):
        (_upload_dir() / f"{pending['token']}.xlsx").unlink(missing_ok=True)


def _page(request, upload_form, export_form, status: int = 200):
    context = {"upload_form": upload_form, "export_form": export_form, "sheets": workbook.SHEETS}
    return render(request, "strategy/transfer/index.html", context, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.PERFORMANCE_TEAM)
def transfer_index(request):
    """The upload and export forms; a sound upload goes on to its preview."""
    if request.method == "GET":
        return _page(request, ImportUploadForm(), ExportForm())
    form = ImportUploadForm(request.POST, request.FILES)
    if form.is_valid():
        token = _keep_upload(request, form.cleaned_data["workbook"])
        return redirect("strategy:transfer-preview", token=token)
    return _page(request, form, ExportForm())


@require_http_methods(["GET", "POST"])
@role_required(Role.PERFORMANCE_TEAM)
def transfer_preview(request, token: str):
    """Every problem in the upload, or what it would change; POST imports it for real."""
    pending = _pending(request, token)
    if pending is None:
        messages.error(request, "That upload is no longer here. Upload the workbook again.")
        return redirect("strategy:transfer")
    path, name = pending
    confirm = request.method == "POST"
    result = transfer.scorecard_import(workbook=str(path), actor=request.user, dry_run=not confirm)
    if confirm and result.ok:
        _forget_upload(request)
        messages.success(request, f"Imported {name}. {_summary(result)}")
        return redirect("strategy:transfer")
    context = {"result": result, "name": name, "token": token}
    return render(request, "strategy/transfer/preview.html", context)


def _summary(result: transfer.ImportResult) -> str:
    created = sum(counts.created for counts in result.counts.values())
    updated = sum(counts.updated for counts in result.counts.values())
    return f"{created:,} rows added and {updated:,} changed."


@require_GET
@role_required(Role.PERFORMANCE_TEAM)
def transfer_export(request):
    """Download a unit's scorecard as a workbook."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _page(request, ImportUploadForm(), form)
    unit = form.cleaned_data["unit"]
    download = tempfile.TemporaryFile(prefix="scorecard-export-")  # noqa: SIM115 - FileResponse closes it
    transfer.scorecard_export(unit=unit, destination=download, actor=request.user)
    download.seek(0)
    return FileResponse(download, as_attachment=True, filename=transfer.export_filename(unit))
