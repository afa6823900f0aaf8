"""Import pages: download a template, upload a file (a dry run), read every row's problems, choose link or skip
for duplicates, then import all or nothing. Station staff import into their own subtree only."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select

from timebank import clock, exports, limits
from timebank.errors import DomainError
from timebank.extensions import db
from timebank.imports import service
from timebank.imports.models import ImportBatch
from timebank.imports.template import template_bytes
from timebank.web import attach_error, roles_required

bp = Blueprint("imports", __name__, url_prefix="/imports")
STAFF = ("station", "admin")
KINDS = "any(residents, volunteers)"
limits.UPLOAD_ENDPOINTS.update({"imports.upload", "api_imports.import_check"})


class UploadForm(FlaskForm):
    file = FileField(_l("选择 Excel 文件（.xlsx）"), validators=[FileRequired(_l("请选择要上传的文件"))])


class CommitForm(FlaskForm):
    pass


def max_rows() -> int:
    return int(current_app.config.get("TIMEBANK_IMPORT_MAX_ROWS", 20000))


def titles() -> dict[str, str]:
    return {"residents": _("服务对象（含困难类型）"), "volunteers": _("志愿者")}


def _index(forms: dict, status: int = 200):
    batches = list(db.session.scalars(select(ImportBatch).where(ImportBatch.actor_id == current_user.id)
                                      .order_by(ImportBatch.id.desc()).limit(20)))
    return render_template("imports/index.html", forms=forms, titles=titles(), batches=batches,
                           max_mb=limits.upload_max_bytes() // (1024 * 1024)), status


@bp.get("/")
@roles_required(*STAFF)
def index():
    return _index({kind: UploadForm(prefix=kind, formdata=None) for kind in service.KINDS})


@bp.get(f"/template/<{KINDS}:kind>.xlsx")
@roles_required(*STAFF)
def template(kind: str):
    villages = [(t, v) for (t, v) in sorted(service._villages(db.session, current_user))]
    body = template_bytes(kind, villages)
    name = {"residents": "服务对象导入模板.xlsx", "volunteers": "志愿者导入模板.xlsx"}[kind]
    return Response(body, mimetype=exports.XLSX_MIMETYPE,
                    headers={"Content-Disposition": exports._disposition(name)})


@bp.post(f"/<{KINDS}:kind>")
@roles_required(*STAFF)
def upload(kind: str):
    forms = {k: UploadForm(prefix=k, formdata=None) for k in service.KINDS}
    form = forms[kind] = UploadForm(prefix=kind)
    if not form.validate_on_submit():
        return _index(forms, 422)
    upload_file = form.file.data
    content = upload_file.read(limits.upload_max_bytes() + 1)
    try:
        batch = service.dry_run(db.session, current_user, kind, filename=upload_file.filename or "", content=content,
                                today=clock.today(), max_bytes=limits.upload_max_bytes(), max_rows=max_rows())
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _index(forms, error.status)
    db.session.commit()
    return redirect(url_for("imports.batch", batch_id=batch.id))


def _batch_page(batch, form, status: int = 200):
    return render_template("imports/batch.html", batch=batch, report=service.report_of(batch), form=form,
                           titles=titles()), status


@bp.get("/batch/<int:batch_id>")
@roles_required(*STAFF)
def batch(batch_id: int):
    return _batch_page(service.load_batch(db.session, current_user, batch_id), CommitForm(formdata=None))


def _choices() -> dict[int, str]:
    out = {}
    for key, value in request.form.items():
        if key.startswith("row-") and key[4:].isdigit() and value in ("link", "skip") and len(key) < 12:
            out[int(key[4:])] = value
    return out


@bp.post("/batch/<int:batch_id>/commit")
@roles_required(*STAFF)
def commit(batch_id: int):
    form = CommitForm()
    if form.validate_on_submit():
        try:
            done = service.commit(db.session, current_user, batch_id, _choices(), today=clock.today(),
                                  now=clock.now(), max_bytes=limits.upload_max_bytes(), max_rows=max_rows())
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("导入完成：新登记%(created)s人，关联已有人员%(linked)s人。", created=done.created_count,
                    linked=done.linked_count))
            return redirect(url_for("imports.batch", batch_id=batch_id))
    return _batch_page(service.load_batch(db.session, current_user, batch_id), form, 422)
