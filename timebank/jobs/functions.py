"""Each job is a one-line shell around a service call: (session, now) -> counts. The runner commits."""

from __future__ import annotations

import time
from zoneinfo import ZoneInfo

from flask import current_app


def deliver_notifications(session, now):
    from timebank.notify.jobs import deliver_due

    return deliver_due(session, now=now)


def ledger_check(session, now):
    from timebank.ledger.jobs import nightly_check

    return nightly_check(session, now=now)


def expire_holds(session, now):
    from timebank.ledger.jobs import expire_due_holds

    return expire_due_holds(session, now=now)


def monthly_stats(session, now):
    from timebank.reports.service import snapshot_month

    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    return snapshot_month(session, today=now.astimezone(tz).date(), tz=tz)


def monthly_reports(session, now):
    from timebank.reports.service import freeze_monthly_reports

    tz = ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])
    return freeze_monthly_reports(session, today=now.astimezone(tz).date(), tz=tz)


def _today(now):
    return now.astimezone(ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])).date()


def auto_confirm_visits(session, now):
    from timebank.visits.settle import auto_confirm_due

    return {"confirmed": len(auto_confirm_due(session, now=now, today=_today(now)))}


def expire_visit_requests(session, now):
    from timebank.visits.service import expire_due

    return {"expired": len(expire_due(session, now=now))}


def visit_reminders(session, now):
    from timebank.care.service import send_reminders

    return send_reminders(session, now=now)


def proactive_care(session, now):
    from timebank.care.service import generate_care_visits

    return generate_care_visits(session, now=now, today=_today(now))


def hardship_review(session, now):
    from timebank.people.review_service import daily_review

    return daily_review(session, now=now, today=_today(now))


def certificate_expiry(session, now):
    from timebank.people.record_service import notify_expired_certificates

    return {"notified": notify_expired_certificates(session, now=now, today=_today(now))}


def match_townships(session, now):
    from timebank.dispatch.service import match_all_townships

    return match_all_townships(session, now=now)


def expire_proposals(session, now):
    from timebank.dispatch.service import expire_due

    return {"expired": expire_due(session, now=now)}


def expire_goods(session, now):
    from timebank.charity.service import expire_due

    return {"expired": len(expire_due(session, today=_today(now), now=now))}


def sync_goods_deliveries(session, now):
    from timebank.charity.allocation import sync_delivery_visits

    delivered, returned = sync_delivery_visits(session, now=now)
    return {"delivered": delivered, "returned": returned}


def scheduler_selftest(session, now, *, slot=None, owner="?"):
    """Writes a few heartbeat rows, pausing between them: proves a run is once and all-or-nothing."""
    from timebank.jobs.models import JobHeartbeat

    steps = current_app.config["TIMEBANK_SELFTEST_STEPS"]
    for step in range(steps):
        session.add(JobHeartbeat(scheduled_for=slot or now, step=step, owner=owner))
        session.flush()
        time.sleep(current_app.config["TIMEBANK_SELFTEST_PAUSE_MS"] / 1000)
    return {"steps": steps}
