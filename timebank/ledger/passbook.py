"""The time passbook (时间存折) and statement downloads of one person's account: the same rows for the print
page, the CSV and the .xlsx, with times in the county's time zone. Reads only, plus the access log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from timebank.accounts.models import Person, User
from timebank.accounts.scope import load_scoped
from timebank.audit import service as audit
from timebank.i18n import format_localtime
from timebank.ledger import queries
from timebank.ledger.models import LedgerAccount

FORMATS = ("csv", "xlsx")
# widths of the spreadsheet columns, in characters (Chinese characters count about two)
WIDTHS = (10, 18, 14, 12, 16, 10, 14, 30)


@dataclass(frozen=True)
class Passbook:
    person: Person
    account: LedgerAccount


def load(session, actor: User, person_id: int) -> Passbook:
    """Staff open the passbook of a person inside their subtree (outside it: 404)."""
    from timebank.ledger import service as ledger

    person = load_scoped(session, select(Person).where(Person.id == person_id), actor, Person.node_id)
    return Passbook(person=person, account=ledger.account_for_person(session, person.id))


def headers() -> list[str]:
    return [_("编号"), _("时间"), _("类型"), _("状态"), _("对方"), _("分钟"), _("收支（分钟）"), _("备注")]


def table_rows(session, account_id: int, filters: queries.Filters | None = None) -> Iterator[list]:
    """Every statement line as a spreadsheet row, newest first (the same order as the page)."""
    from timebank.ledger.views import kind_labels, phase_label

    labels = kind_labels()
    for row in queries.statement_all(session, account_id, filters or queries.Filters()):
        yield [row.id, format_localtime(row.created_at), labels.get(row.kind, row.kind), phase_label(row),
               row.counterparty or "", row.minutes, row.signed, row.memo or ""]


def log_access(session, actor: User, person_id: int, action: str, *, field: str, ip: str | None) -> None:
    """A print of the passbook or a download of the statement is a read of personal data: log it."""
    audit.record_access(session, action, actor_id=actor.id, person_id=person_id, field=field, ip=ip)


def with_running_balance(rows, balance: int) -> list[tuple]:
    """(row, balance after it) oldest first, from newest-first rows and the current posted balance."""
    lines = []
    for row in rows:
        lines.append((row, balance))
        balance -= row.signed
    return list(reversed(lines))
