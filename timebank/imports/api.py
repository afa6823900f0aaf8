"""/api/v1 imports: check a file (the dry run) and commit it, through the same service as the pages."""

from __future__ import annotations

import base64
import binascii

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint

from timebank import clock, limits
from timebank.api_auth import BEARER, token_required
from timebank.errors import ValidationFailed
from timebank.extensions import db
from timebank.imports import service
from timebank.imports.schemas import ImportBatchSchema, ImportCheckSchema, ImportCommitSchema
from timebank.imports.views import max_rows

blp = Blueprint("api_imports", __name__, url_prefix="/api/v1", description="Excel imports of residents and volunteers")
DOC = {"security": [BEARER]}
STAFF = ("station", "admin")


def _out(batch) -> dict:
    report = service.report_of(batch)
    return {"id": batch.id, "kind": batch.kind, "status": batch.status, "filename": batch.filename,
            "rows": report.get("rows", 0), "errors": report.get("errors", 0),
            "duplicates": report.get("duplicates", 0), "created": batch.created_count, "linked": batch.linked_count,
            "lines": [{"row": line["row"], "name": line["name"], "messages": line["messages"],
                       "existing": line["existing"]} for line in report.get("lines", ())]}


@blp.post("/imports/check")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(ImportCheckSchema)
@blp.response(201, ImportBatchSchema)
def import_check(args):
    """The dry run: every row's problems and every duplicate of a registered person; nothing is imported."""
    try:
        content = base64.b64decode(args["content_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(_("文件内容不是有效的 base64 编码"), field="content_base64") from None
    batch = service.dry_run(db.session, g.api_user, args["kind"], filename=args["filename"], content=content,
                            today=clock.today(), max_bytes=limits.upload_max_bytes(), max_rows=max_rows())
    db.session.commit()
    return _out(batch)


@blp.get("/imports/<int:batch_id>")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.response(200, ImportBatchSchema)
def import_get(batch_id):
    """A checked or imported file of the caller."""
    return _out(service.load_batch(db.session, g.api_user, batch_id))


@blp.post("/imports/<int:batch_id>/commit")
@blp.doc(**DOC)
@token_required(*STAFF)
@blp.arguments(ImportCommitSchema)
@blp.response(200, ImportBatchSchema)
def import_commit(args, batch_id):
    """Import all rows or none (422 while any row has a problem); duplicates are linked or skipped per row."""
    choices = {choice["row"]: choice["action"] for choice in args["choices"]}
    batch = service.commit(db.session, g.api_user, batch_id, choices, today=clock.today(), now=clock.now(),
                           max_bytes=limits.upload_max_bytes(), max_rows=max_rows())
    db.session.commit()
    return _out(batch)
