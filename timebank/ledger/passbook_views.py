"""时间存折: the print layout of a person's account, and statement downloads (.xlsx and CSV) for staff. Every
print and download is written to the access log."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user

from timebank import clock, exports
from timebank.extensions import db
from timebank.ledger import passbook, queries
from timebank.web import client_ip, roles_required

bp = Blueprint("passbook", __name__)
STAFF = ("station", "admin")
PRINT_LINES = 500  # a passbook prints the most recent lines; the download holds every line


@bp.get("/station/accounts/<int:person_id>/passbook")
@roles_required(*STAFF)
def passbook_print(person_id: int):
    book = passbook.load(db.session, current_user, person_id)
    rows, more = queries.statement(db.session, book.account.id, per_page=PRINT_LINES)
    passbook.log_access(db.session, current_user, book.person.id, "print", field="passbook", ip=client_ip())
    db.session.commit()
    lines = passbook.with_running_balance(rows, book.account.balance)
    return render_template("ledger/passbook.html", person=book.person, account=book.account, lines=lines,
                           more=more, printed_at=clock.now())


@bp.get("/station/accounts/<int:person_id>/statement.<any(xlsx, csv):fmt>")
@roles_required(*STAFF)
def statement_download(person_id: int, fmt: str):
    book = passbook.load(db.session, current_user, person_id)
    response = download(book, fmt)
    passbook.log_access(db.session, current_user, book.person.id, "export", field=f"statement_{fmt}",
                        ip=client_ip())
    db.session.commit()
    return response


def download(book: passbook.Passbook, fmt: str):
    """The statement of one account as a file (the same rows for the page, the API and both formats)."""
    headers = passbook.headers()
    rows = list(passbook.table_rows(db.session, book.account.id))
    name = f"statement-{book.person.id}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(headers, rows, name)
    preamble = [[_("时间存折"), book.person.name, book.person.id_number_masked, book.person.node.name],
                [_("当前余额（分钟）"), book.account.balance]]
    return exports.xlsx_response(headers, rows, name, title=_("收支明细"), widths=passbook.WIDTHS,
                                 preamble=preamble)
