"""Spreadsheet imports of residents (with hardship statuses) and volunteers: a dry run that reports every row's
problems and every duplicate of an existing person, then an all-or-nothing commit through the people services
(person creation, resident registration, hardship status, station volunteer registration). Flushes, never
commits: the shell commits once, or rolls everything back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts import crypto
from timebank.accounts import service as accounts
from timebank.accounts.domain import age_on
from timebank.accounts.models import OrgNode, Person, User
from timebank.accounts.scope import scope_path
from timebank.audit import service as audit
from timebank.errors import DomainError, Forbidden, InvalidTransition, NotFound, ValidationFailed
from timebank.imports import domain, reader
from timebank.imports.models import ImportBatch
from timebank.imports.texts import file_message, problem_message
from timebank.people import minors, station_volunteers
from timebank.people import service as people
from timebank.people.models import HardshipStatus, ResidentProfile, VolunteerProfile

KINDS = ("residents", "volunteers")
CHUNK = 500


class ImportHasErrors(DomainError):
    """The file still has rows with problems: nothing was written."""

    status = 422
    code = "import_has_errors"


@dataclass(frozen=True)
class Existing:
    person_id: int
    name: str
    village: str
    resident: bool
    volunteer: bool


@dataclass
class Checked:
    rows: list[domain.Row]
    villages: dict[int, int]  # row number -> village node id
    existing: dict[int, Existing]  # row number -> the registered person with that ID number


def _villages(session, actor: User) -> dict[tuple[str, str], int]:
    path = scope_path(actor)
    if path is None:
        raise Forbidden()
    township = OrgNode.__table__.alias("township")
    rows = session.execute(
        select(township.c.name, OrgNode.name, OrgNode.id)
        .join(township, township.c.id == OrgNode.parent_id)
        .where(OrgNode.kind == "village", OrgNode.path.startswith(path, autoescape=True)))
    return {(t, v): node_id for t, v, node_id in rows}


def _existing(session, rows: list[domain.Row]) -> dict[str, tuple]:
    hashes = {crypto.lookup_hash(row.id_number): row.id_number for row in rows if row.id_number}
    found: dict[str, tuple] = {}
    keys = list(hashes)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        stmt = (select(Person.id_number_hash, Person.id, Person.name, Person.status, OrgNode.name, OrgNode.path,
                       ResidentProfile.person_id, VolunteerProfile.person_id)
                .join(OrgNode, OrgNode.id == Person.node_id)
                .outerjoin(ResidentProfile, ResidentProfile.person_id == Person.id)
                .outerjoin(VolunteerProfile, VolunteerProfile.person_id == Person.id)
                .where(Person.id_number_hash.in_(chunk)))
        for digest, *rest in session.execute(stmt):
            found[hashes[digest]] = tuple(rest)
    return found


def check(session, actor: User, kind: str, rows: list[domain.Row], *, today: date) -> Checked:
    """Every row's problems (pure checks, villages in the actor's subtree, existing people, minors)."""
    for row in rows:
        domain.check_row(kind, row, today)
    domain.check_repeats(kind, rows)
    villages = _villages(session, actor)
    path = scope_path(actor) or ""
    min_age = minors.depositor_min_age(session) if kind == "volunteers" else 0
    found = _existing(session, rows)
    out = Checked(rows=rows, villages={}, existing={})
    for row in rows:
        place = (row.get("所属乡镇（街道）"), row.get("所属村（社区）"))
        if all(place):
            node_id = villages.get(place)
            if node_id is None:
                row.problems.append(domain.Problem("village", "所属村（社区）", "/".join(place)))
            else:
                out.villages[row.number] = node_id
        if row.id_number is None:
            continue
        if kind == "volunteers" and row.birth_date and age_on(row.birth_date, today) < min_age:
            row.problems.append(domain.Problem("minor", "公民身份号码", str(min_age)))
        match = found.get(row.id_number)
        if match is None:
            continue
        person_id, name, status, village, node_path, resident_id, volunteer_id = match
        if not node_path.startswith(path):
            row.problems.append(domain.Problem("elsewhere", "公民身份号码"))
        elif name != row.get("姓名"):
            row.problems.append(domain.Problem("name_differs", "姓名", name))
        elif status != "active":
            row.problems.append(domain.Problem("inactive", "公民身份号码"))
        else:
            out.existing[row.number] = Existing(person_id, name, village, resident_id is not None,
                                                volunteer_id is not None)
    return out


def _report(checked: Checked) -> dict:
    lines = []
    for row in checked.rows:
        existing = checked.existing.get(row.number)
        if row.ok and existing is None:
            continue
        lines.append({
            "row": row.number, "name": row.get("姓名"),
            "problems": [{"code": p.code, "column": p.column, "value": p.value} for p in row.problems],
            "existing": None if existing is None else {
                "person_id": existing.person_id, "village": existing.village, "resident": existing.resident,
                "volunteer": existing.volunteer},
        })
    return {"rows": len(checked.rows), "errors": sum(1 for row in checked.rows if not row.ok),
            "duplicates": len(checked.existing), "lines": lines}


def _read(kind: str, content: bytes, *, max_bytes: int, max_rows: int) -> list[domain.Row]:
    try:
        return reader.read_rows(kind, content, max_bytes=max_bytes, max_rows=max_rows)
    except reader.FileRefused as refused:
        raise ValidationFailed(file_message(refused.reason, refused.params), field="file",
                               reason=refused.reason) from None


def dry_run(session, actor: User, kind: str, *, filename: str, content: bytes, today: date,
            max_bytes: int, max_rows: int) -> ImportBatch:
    """Check a file without importing it; the batch keeps the bytes and the report for the commit."""
    if kind not in KINDS:
        raise NotFound()
    if not actor.has_role("station", "admin") or actor.node is None:
        raise Forbidden()
    rows = _read(kind, content, max_bytes=max_bytes, max_rows=max_rows)
    report = _report(check(session, actor, kind, rows, today=today))
    batch = ImportBatch(kind=kind, filename=(filename or "upload.xlsx")[:200],
                        sha256=hashlib.sha256(content).hexdigest(), content=content, actor_id=actor.id,
                        node_id=actor.node_id, status="checked", row_count=report["rows"],
                        error_count=report["errors"], report=json.dumps(report, ensure_ascii=False))
    session.add(batch)
    session.flush()
    audit.record(session, "import_check", actor_id=actor.id, target=f"import:{batch.id}",
                 detail=f"{kind} {batch.filename}: {report['rows']} rows, {report['errors']} with errors")
    return batch


def load_batch(session, actor: User, batch_id: int) -> ImportBatch:
    """Only the person who uploaded a file sees and commits it."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.actor_id != actor.id:
        raise NotFound()
    return batch


def report_of(batch: ImportBatch) -> dict:
    report = json.loads(batch.report or "{}")
    for line in report.get("lines", ()):
        line["messages"] = [problem_message(p["code"], p["column"], p["value"]) for p in line["problems"]]
    return report


def commit(session, actor: User, batch_id: int, choices: dict[int, str], *, today: date, now: datetime,
           max_bytes: int, max_rows: int) -> ImportBatch:
    """Import every row or none: the file is checked again; any problem, or a service refusing a row, raises
    (the shell rolls back). Duplicates are linked or skipped as chosen per row (skipped when not chosen)."""
    batch = load_batch(session, actor, batch_id)
    if batch.status != "checked" or batch.content is None:
        raise InvalidTransition(_l("这个文件已经导入或已放弃，请重新上传。"))
    rows = _read(batch.kind, batch.content, max_bytes=max_bytes, max_rows=max_rows)
    checked = check(session, actor, batch.kind, rows, today=today)
    bad = [row for row in checked.rows if not row.ok]
    if bad:
        raise ImportHasErrors(_l("还有%(n)s行有错误，没有导入任何数据。请修改文件后重新上传。", n=len(bad)),
                              field="file")
    with session.no_autoflush:  # the services flush what they write; no extra flush before every read
        created, linked, skipped = _apply_rows(session, actor, batch, checked, choices, today=today, now=now)
    batch.status, batch.content, batch.committed_at = "committed", None, now
    batch.created_count, batch.linked_count = created, linked
    session.flush()
    audit.record(session, "import_commit", actor_id=actor.id, target=f"import:{batch.id}",
                 detail=f"{batch.kind} {batch.filename}: {created} new, {linked} linked, {skipped} skipped")
    return batch


def _apply_rows(session, actor, batch, checked: Checked, choices, *, today: date, now: datetime):
    apply = _apply_resident if batch.kind == "residents" else _apply_volunteer
    created = linked = skipped = 0
    persons: dict[str, int] = {}
    for row in checked.rows:
        existing = checked.existing.get(row.number)
        action = "new" if existing is None else choices.get(row.number, "skip")
        if action == "skip":
            skipped += 1
            continue
        if action == "link" and batch.kind == "volunteers":
            raise ValidationFailed(_l("第%(row)s行：已登记的人员不能通过导入成为志愿者，请选择跳过。", row=row.number),
                                   field="file")
        try:
            outcome = apply(session, actor, row, checked, existing, persons, today=today, now=now)
        except DomainError as error:
            raise ValidationFailed(_l("第%(row)s行：%(message)s（没有导入任何数据）", row=row.number,
                                      message=error.message), field="file") from None
        created += outcome == "created"
        linked += outcome == "linked"
    return created, linked, skipped


def _person_input(row: domain.Row, node_id: int) -> accounts.PersonInput:
    return accounts.PersonInput(name=row.get("姓名"), id_number=row.id_number, phone=row.phone,
                                address=row.get("详细住址") or None, node_id=node_id)


def _apply_resident(session, actor, row, checked: Checked, existing: Existing | None, persons: dict[str, int],
                    *, today: date, now: datetime) -> str:
    outcome = "linked" if existing is not None else "created"
    person_id = persons.get(row.id_number) or (existing.person_id if existing else None)
    has_profile = person_id is not None and session.get(ResidentProfile, person_id) is not None
    if not has_profile:
        data = people.ResidentInput(person=_person_input(row, checked.villages[row.number]),
                                    living_situation=row.living, disability_grade=row.disability_grade,
                                    consent_form_ref=row.get("知情同意书编号"), notes=row.get("备注") or None)
        profile = people.register_resident(session, actor, data, today=today, confirm_person_id=person_id)
        person_id = profile.person_id
    elif row.id_number in persons:
        outcome = "more"  # a second status row of a person this file created
    first_row = row.id_number not in persons and existing is None  # a new person: no status yet to look up
    persons[row.id_number] = person_id
    if row.hardship:
        present = None if first_row else session.scalar(
            select(HardshipStatus.id).where(HardshipStatus.person_id == person_id, HardshipStatus.kind == row.hardship))
        if present is None:
            # a new person has no open request to re-tier; a linked one does (today re-tiers them at once)
            people.add_hardship_status(session, actor, person_id, kind=row.hardship,
                                       evidence_no=row.get("认定文书编号"), review_date=row.review_date,
                                       today=today if existing is not None else None)
    return outcome


def _apply_volunteer(session, actor, row, checked: Checked, existing, persons, *, today: date,
                     now: datetime) -> str:
    data = station_volunteers.StationVolunteerInput(
        person=_person_input(row, checked.villages[row.number]), skill_ids=(), weekly=(),
        emergency_contact_name=row.get("紧急联系人"), emergency_contact_phone=row.get("紧急联系人电话"),
        consent_form_ref=row.get("知情同意书编号"))
    station_volunteers.register_volunteer(session, actor, data, today=today, now=now)
    return "created"
