"""Attendance at a group activity and its confirmation.

Check-in and check-out: a volunteer who is signed up scans the activity's QR code (a signed URL) while
logged in, or the leader (or the station) ticks a list, in bulk; a per-person correction needs a reason.
Every step is an AttendanceEvent row. The station confirms: each attendee's minutes (time on site, capped
by the activity's length) are credited through the ledger with the key `activity:<id>:<person>`, all in
the caller's one transaction; group minutes go to the volunteer or the county donation pool by the
policy's `team_hours_donation_only`. A second confirmation is refused and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select

from timebank.accounts.domain import age_on
from timebank.accounts.models import User
from timebank.audit import service as audit
from timebank.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from timebank.ledger import domain as ledger_domain
from timebank.ledger import service as ledger
from timebank.orgs import activities, domain
from timebank.orgs import service as orgs
from timebank.orgs.models import ActivitySignup, AttendanceEvent, GroupActivity
from timebank.people.models import VolunteerProfile
from timebank.policy import service as policy_service

SALT = "timebank.activity-qr.v1"
MAX_TICKS = 1000


class NotSignedUp(ValidationFailed):
    code = "not_signed_up"
    message = _l("该志愿者没有报名此活动，不能记录签到")


class AlreadyCredited(InvalidTransition):
    code = "already_confirmed"
    message = _l("该活动已经确认并记入时长，不能重复确认")


# ---------------------------------------------------------------------------------------------------------
# the QR code: a signed URL naming the activity


def make_token(activity_id: int) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).dumps({"a": activity_id})


def read_token(token: str) -> int:
    try:
        data = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).loads(token)
    except BadData:
        raise NotFound(_l("二维码无效或已损坏，请重新扫描活动现场的二维码")) from None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        raise NotFound(_l("二维码无效或已损坏，请重新扫描活动现场的二维码"))
    return data["a"]


@dataclass(frozen=True)
class Scan:
    activity: GroupActivity
    signup: ActivitySignup
    action: str  # check_in or check_out


def scan(session, actor: User, token: str, *, now: datetime) -> Scan:
    """What scanning the activity's code does for the logged-in volunteer (nothing is written)."""
    activity_id = read_token(token)
    act = session.get(GroupActivity, activity_id)
    if act is None:
        raise NotFound(_l("二维码无效或已损坏，请重新扫描活动现场的二维码"))
    if act.status != "open":
        raise InvalidTransition(_l("该活动未开放或已确认，不能扫码签到"), reason="status")
    row = _signup(session, act.id, actor.person_id)
    if row is None:
        raise NotSignedUp(_l("您没有报名此活动，请先报名或联系负责人"), field="token")
    try:
        action = domain.next_scan_action(row.check_in_at, row.check_out_at)
        domain.check_scan_time(action, now, act.starts_at, act.ends_at)
    except domain.RuleBroken as error:
        raise orgs.rule_error(error, "token") from None
    return Scan(act, row, action)


def scan_record(session, actor: User, token: str, *, now: datetime) -> Scan:
    found = scan(session, actor, token, now=now)
    session.refresh(found.activity, with_for_update=True)
    _step(session, found.signup, found.action, at=now, method="qr", actor=actor)
    session.flush()
    return found


def _signup(session, activity_id: int, person_id: int | None) -> ActivitySignup | None:
    if person_id is None:
        return None
    return session.scalar(select(ActivitySignup).where(ActivitySignup.activity_id == activity_id,
                                                       ActivitySignup.person_id == person_id))


def _step(session, row: ActivitySignup, action: str, *, at: datetime, method: str, actor: User) -> None:
    if action == "check_in":
        row.check_in_at = at
    else:
        row.check_out_at = at
    session.add(AttendanceEvent(signup_id=row.id, action=action, method=method, at=at, actor_id=actor.id,
                                created_at=at))


# ---------------------------------------------------------------------------------------------------------
# the leader's list


def tick(session, actor: User, activity_id: int, person_ids, action: str, *, at: datetime | None,
         now: datetime) -> int:
    """Bulk check-in or check-out of the ticked people at `at` (default now). All or nothing: someone not
    signed up, a check-out before a check-in, or a second check-in refuses the whole list."""
    act = activities.load(session, actor, activity_id, lock=True)
    activities.require_runner(actor, act)
    if act.status != "open":
        raise InvalidTransition(_l("该活动未开放或已确认，不能再记录签到"), reason="status")
    if action not in ("check_in", "check_out"):
        raise ValidationFailed(_l("请选择签到或签退"), field="action")
    ids = list(dict.fromkeys(p for p in person_ids or () if isinstance(p, int)))
    if not ids or len(ids) > MAX_TICKS:
        raise ValidationFailed(_l("请勾选要签到或签退的人"), field="person_ids")
    when = at or now
    if when > now:
        raise ValidationFailed(_l("时间不能晚于现在"), field="at")
    rows = {r.person_id: r for r in session.scalars(select(ActivitySignup).where(
        ActivitySignup.activity_id == act.id, ActivitySignup.person_id.in_(ids)))}
    missing = [p for p in ids if p not in rows]
    if missing:
        raise NotSignedUp(field="person_ids", person_id=missing[0])
    for person_id in ids:
        row = rows[person_id]
        try:
            domain.check_attendance_step(action, row.check_in_at, row.check_out_at, when)
        except domain.RuleBroken as error:
            raise ValidationFailed(_l("%(name)s：%(problem)s", name=row.person.name,
                                      problem=orgs.MESSAGES.get(error.reason, "")),
                                   field="person_ids", reason=error.reason, person_id=person_id) from None
    for person_id in ids:
        _step(session, rows[person_id], action, at=when, method="list", actor=actor)
    session.flush()
    return len(ids)


def correct(session, actor: User, activity_id: int, signup_id: int, *, check_in_at: datetime | None,
            check_out_at: datetime | None, reason: str | None, now: datetime) -> ActivitySignup:
    """Set one attendee's times (or clear them) with a reason; the times before stay in the history."""
    act = activities.load(session, actor, activity_id, lock=True)
    activities.require_runner(actor, act)
    if act.status != "open":
        raise InvalidTransition(_l("该活动未开放或已确认，不能再更正"), reason="status")
    row = session.get(ActivitySignup, signup_id) if isinstance(signup_id, int) else None
    if row is None or row.activity_id != act.id:
        raise NotFound(field="signup_id")
    try:
        text = domain.check_correction(check_in_at, check_out_at, reason)
    except domain.RuleBroken as error:
        raise orgs.rule_error(error, "reason" if error.reason == "reason" else "check_out_at") from None
    if (check_in_at and check_in_at > now) or (check_out_at and check_out_at > now):
        raise ValidationFailed(_l("时间不能晚于现在"), field="check_in_at")
    session.add(AttendanceEvent(signup_id=row.id, action="correct", method="correction", at=now,
                                before_in=row.check_in_at, before_out=row.check_out_at, after_in=check_in_at,
                                after_out=check_out_at, reason=text, actor_id=actor.id, created_at=now))
    row.check_in_at, row.check_out_at = check_in_at, check_out_at
    session.flush()
    return row


# ---------------------------------------------------------------------------------------------------------
# confirmation: every attendee credited in one transaction


@dataclass(frozen=True)
class Confirmed:
    activity: GroupActivity
    attendees: int
    minutes: int
    credited_to: str


def confirm(session, actor: User, activity_id: int, *, now: datetime, today: date) -> Confirmed:
    """The station confirms a finished activity and credits each attendee (checked in and out)."""
    act = activities.load(session, actor, activity_id, lock=True)
    if not orgs.is_staff_for(actor, act.node):
        raise Forbidden(_l("只有本辖区社工站可以确认活动并记入时长"))
    if act.status == "confirmed":
        raise AlreadyCredited(reason="confirmed")
    if act.status != "open":
        raise InvalidTransition(_l("该活动未开放或已取消，不能确认"), reason="status")
    if now < act.ends_at:
        raise InvalidTransition(_l("活动结束后才能确认"), reason="not_ended")
    rows = list(session.scalars(select(ActivitySignup).where(ActivitySignup.activity_id == act.id)
                                .order_by(ActivitySignup.person_id)))
    still_in = [r for r in rows if r.check_in_at is not None and r.check_out_at is None]
    if still_in:
        raise InvalidTransition(_l("还有%(n)s人已签到未签退，请先签退或更正", n=len(still_in)), reason="still_in",
                                count=len(still_in))
    policy = policy_service.current(session)[1]
    issuance = ledger.system_account(session, ledger_domain.ISSUANCE_CODE)
    profiles = {p.person_id: p for p in session.scalars(select(VolunteerProfile).where(
        VolunteerProfile.person_id.in_([r.person_id for r in rows])))}
    total = attendees = 0
    for row in rows:
        if row.check_in_at is None:
            continue
        minutes = domain.credited_minutes(row.check_in_at, row.check_out_at, act.starts_at, act.ends_at)
        profile = profiles.get(row.person_id)
        consent = profile is not None and bool(profile.guardian_consent_ref)
        age_ok = ledger_domain.may_deposit(
            age=age_on(row.person.birth_date, today), min_age=policy.depositor_min_age,
            minor_mode=policy.minor_mode, team=True, guardian_consent=consent)
        if not age_ok:
            minutes = 0  # the minor policy in force gives this attendee no minutes; the attendance stays
        row.credited_minutes = minutes
        attendees += 1
        if minutes <= 0:
            continue
        outcome = ledger.earn(session, payer_account_id=issuance.id, person_id=row.person_id, minutes=minutes,
                              key=f"activity:{act.id}:{row.person_id}", reference=f"activity:{act.id}",
                              memo=act.title, team=True, guardian_consent=consent, actor_id=actor.id,
                              now=now, today=today)
        row.transfer_id = outcome.transfer.id
        total += minutes
    act.status, act.confirmed_by_id, act.confirmed_at = "confirmed", actor.id, now
    act.credited_to = domain.credit_destination(policy.team_hours_donation_only)
    audit.record(session, "activity_confirm", actor_id=actor.id, target=f"activity:{act.id}",
                 detail=f"{attendees} attendees, {total} minutes, {act.credited_to}")
    session.flush()
    return Confirmed(act, attendees, total, act.credited_to)
