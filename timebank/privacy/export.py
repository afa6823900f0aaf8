"""查阅/复制: everything the platform holds about one person, as one zip (data.json + statement.csv).

The ID number appears masked only; other people appear by name and relation, never with their details."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime

from sqlalchemy import or_, select

from timebank.accounts.models import Person, User
from timebank.ledger.models import LedgerAccount, Transfer
from timebank.notify.models import Notification
from timebank.people.models import Relative, ResidentProfile, VolunteerProfile
from timebank.privacy.models import ClosureRequest, CorrectionRequest
from timebank.visits.models import Seat, ServiceRequest

FORMAT_VERSION = 1


def _value(value):
    """Dates as they are; moments in the county's time zone with their offset (one clock, issue 13)."""
    if isinstance(value, datetime):
        from zoneinfo import ZoneInfo

        from flask import current_app

        zone = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
        return (value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))).astimezone(zone).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(obj, *names: str) -> dict:
    return {name: _value(getattr(obj, name)) for name in names}


def collect(session, user: User) -> dict:
    """The person's data as plain JSON-ready values."""
    person = session.get(Person, user.person_id)
    data: dict = {"format_version": FORMAT_VERSION,
                  "login": {"username": user.username, "phone": user.phone, "email": user.email,
                            "roles": sorted(user.roles), "created_at": _value(user.created_at),
                            "last_login_at": _value(user.last_login_at)}}
    data["person"] = {**_row(person, "id", "name", "id_number_masked", "birth_date", "gender", "phone", "address",
                             "status", "died_on", "created_at"), "village": person.node.name}
    volunteer = session.get(VolunteerProfile, person.id)
    if volunteer is not None:
        data["volunteer_profile"] = {
            **_row(volunteer, "status", "is_social_worker", "emergency_contact_name", "emergency_contact_phone",
                   "max_minutes_per_week", "travel_radius_km", "reviewed_at", "review_reason", "consent_form_ref",
                   "guardian_consent_ref", "created_at"),
            "skills": [s.name_zh for s in volunteer.skills],
            "availability": [_row(a, "weekday", "start_minute", "end_minute") for a in volunteer.availability]}
    resident = session.get(ResidentProfile, person.id)
    if resident is not None:
        data["resident_profile"] = {
            **_row(resident, "living_situation", "disability_grade", "disability_type", "adl_level", "adl_assessed_on",
                   "emergency_contact_name", "emergency_contact_phone", "consent_form_ref", "created_at"),
            "statuses": [_row(s, "kind", "evidence_no", "review_date") for s in resident.statuses]}
    links = session.scalars(select(Relative).where(or_(Relative.resident_id == person.id,
                                                       Relative.relative_id == person.id)).order_by(Relative.id))
    data["relatives"] = [{
        "role": "resident" if link.resident_id == person.id else "relative",
        "other": (link.relative if link.resident_id == person.id else link.resident).name,
        **_row(link, "kinship", "verified", "verified_at", "unlinked_at", "consent_form_ref", "consent_recorded_at",
               "created_at")} for link in links]
    requests = session.scalars(select(ServiceRequest).where(ServiceRequest.resident_id == person.id)
                               .order_by(ServiceRequest.id))
    data["requests"] = [{**_row(r, "id", "status", "earliest_start", "latest_end", "scheduled_start",
                                "duration_minutes", "description", "payer", "rating", "comment", "created_at"),
                         "category": r.category.name_zh} for r in requests]
    seats = session.execute(select(Seat, ServiceRequest).join(ServiceRequest, ServiceRequest.id == Seat.request_id)
                            .where(Seat.volunteer_id == person.id).order_by(Seat.id))
    data["seats"] = [{**_row(seat, "request_id", "role", "status", "check_in_at", "check_out_at",
                             "credited_minutes", "taken_at"),
                      "category": req.category.name_zh, "village": req.node.name} for seat, req in seats]
    account = session.scalar(select(LedgerAccount).where(LedgerAccount.person_id == person.id))
    data["account"] = _row(account, "balance", "pending_debits", "pending_credits") if account else None
    data["statement"] = _statement(session, account) if account else []
    data["notifications"] = [_row(n, "event", "params", "link", "created_at", "read_at") for n in session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]
    data["consent"] = {"privacy_notice_version": user.privacy_version,
                       "privacy_accepted_at": _value(user.privacy_accepted_at),
                       "resident_form": resident.consent_form_ref if resident else None,
                       "volunteer_form": volunteer.consent_form_ref if volunteer else None,
                       "relative_forms": [link["consent_form_ref"] for link in data["relatives"]
                                          if link["role"] == "relative" and link["consent_form_ref"]]}
    data["correction_requests"] = [_row(c, "field", "new_value", "note", "status", "decision_reason", "created_at",
                                        "decided_at") for c in session.scalars(
        select(CorrectionRequest).where(CorrectionRequest.person_id == person.id).order_by(CorrectionRequest.id))]
    data["closure_requests"] = [_row(c, "note", "status", "decision_reason", "created_at", "decided_at")
                                for c in session.scalars(select(ClosureRequest).where(
                                    ClosureRequest.person_id == person.id).order_by(ClosureRequest.id))]
    return data


def _statement(session, account: LedgerAccount) -> list[dict]:
    rows = session.scalars(select(Transfer).where(or_(Transfer.debit_account_id == account.id,
                                                      Transfer.credit_account_id == account.id))
                           .order_by(Transfer.created_at, Transfer.id))
    return [{"id": t.id, "at": _value(t.created_at), "kind": t.kind, "phase": t.phase,
             "minutes": t.minutes if t.credit_account_id == account.id else -t.minutes,
             "reference": t.reference, "memo": t.memo} for t in rows]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not text.lstrip("-").isdigit() else text


def as_zip(data: dict) -> bytes:
    """data.json plus statement.csv (UTF-8 with a BOM, so Excel shows Chinese correctly)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "at", "kind", "phase", "minutes", "reference", "memo"])
        for line in data["statement"]:
            writer.writerow([_cell(line[k]) for k in ("id", "at", "kind", "phase", "minutes", "reference", "memo")])
        archive.writestr("statement.csv", "\ufeff" + out.getvalue())
    return buffer.getvalue()
