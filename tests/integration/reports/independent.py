"""The dashboard's figures recomputed with hand-written SQL (text, no ORM, no code from timebank.reports), so
the tests compare two independent computations of every figure."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import text

TZ = ZoneInfo("Asia/Shanghai")


def _bound(session, day: date):
    moment = datetime.combine(day, time(), tzinfo=TZ).astimezone(UTC)
    if session.get_bind().dialect.name == "sqlite":
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def _when(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _birth(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def figures(session, path: str, start: date, end: date) -> dict:
    p = {"path": path + "%", "s": _bound(session, start), "e": _bound(session, end + timedelta(days=1))}

    def rows(sql: str):
        return session.execute(text(sql), p).all()

    def one(sql: str):
        return session.execute(text(sql), p).scalar() or 0

    out = {}
    out["new"] = one("SELECT COUNT(*) FROM volunteer_profile v JOIN person p ON p.id = v.person_id "
                     "JOIN org_node n ON n.id = p.node_id WHERE n.path LIKE :path "
                     "AND v.created_at >= :s AND v.created_at < :e")
    out["active"] = one("SELECT COUNT(DISTINCT r.volunteer_id) FROM service_record r JOIN org_node n ON n.id = r.node_id "
                        "WHERE n.path LIKE :path AND r.started_at >= :s AND r.started_at < :e")
    births = [_birth(b) for (b,) in rows("SELECT p.birth_date FROM volunteer_profile v JOIN person p ON p.id = v.person_id "
                                         "JOIN org_node n ON n.id = p.node_id WHERE n.path LIKE :path "
                                         "AND v.status = 'approved'")]
    bands = {"under_18": 0, "18_29": 0, "30_44": 0, "45_59": 0, "60_69": 0, "70_plus": 0}
    for birth in births:
        age = _age(birth, end)
        key = ("under_18" if age < 18 else "18_29" if age < 30 else "30_44" if age < 45 else "45_59" if age < 60
               else "60_69" if age < 70 else "70_plus")
        bands[key] += 1
    out["by_age"] = bands
    out["volunteers_by_township"] = dict(rows(
        "SELECT t.id, COUNT(*) FROM volunteer_profile v JOIN person p ON p.id = v.person_id "
        "JOIN org_node n ON n.id = p.node_id JOIN org_node t ON t.kind = 'township' AND "
        "(t.id = n.id OR t.id = n.parent_id) WHERE n.path LIKE :path AND v.status = 'approved' GROUP BY t.id"))
    out["served_by_tier"] = dict(rows(
        "SELECT q.priority_tier, COUNT(DISTINCT q.resident_id) FROM service_record r "
        "JOIN visit_request q ON q.id = r.request_id JOIN org_node n ON n.id = r.node_id "
        "WHERE n.path LIKE :path AND r.started_at >= :s AND r.started_at < :e GROUP BY q.priority_tier"))
    statuses = dict(rows("SELECT q.status, COUNT(*) FROM visit_request q JOIN org_node n ON n.id = q.node_id "
                         "WHERE n.path LIKE :path AND q.created_at >= :s AND q.created_at < :e GROUP BY q.status"))
    out["posted"] = sum(statuses.values())
    out["matched"] = sum(statuses.get(s, 0) for s in ("matched", "in_service", "done", "confirmed", "settled",
                                                      "disputed", "resolved"))
    out["completed"] = sum(statuses.get(s, 0) for s in ("done", "confirmed", "settled", "resolved"))
    out["unmatched"] = sum(statuses.get(s, 0) for s in ("open", "review", "expired"))
    out["cancelled"] = statuses.get("cancelled", 0)
    waits = [(_when(first) - _when(posted)).total_seconds() / 3600 for posted, first in rows(
        "SELECT q.created_at, MIN(e.at) FROM visit_request q JOIN visit_event e ON e.request_id = q.id "
        "JOIN org_node n ON n.id = q.node_id WHERE e.to_status = 'matched' AND n.path LIKE :path "
        "AND q.created_at >= :s AND q.created_at < :e GROUP BY q.id, q.created_at")]
    out["median_hours"] = round(median(waits), 1) if waits else None
    out["by_category"] = dict(rows(
        "SELECT r.category_id, SUM(r.credited_minutes) FROM service_record r JOIN org_node n ON n.id = r.node_id "
        "WHERE n.path LIKE :path AND r.started_at >= :s AND r.started_at < :e GROUP BY r.category_id"))
    out["by_township"] = dict(rows(
        "SELECT t.id, SUM(r.credited_minutes) FROM service_record r JOIN org_node n ON n.id = r.node_id "
        "JOIN org_node t ON t.kind = 'township' AND (t.id = n.id OR t.id = n.parent_id) "
        "WHERE n.path LIKE :path AND r.started_at >= :s AND r.started_at < :e GROUP BY t.id"))
    out["by_village"] = dict(rows(
        "SELECT n.id, SUM(r.credited_minutes) FROM service_record r JOIN org_node n ON n.id = r.node_id "
        "WHERE n.kind = 'village' AND n.path LIKE :path AND r.started_at >= :s AND r.started_at < :e GROUP BY n.id"))
    out["minutes_total"] = one("SELECT SUM(r.credited_minutes) FROM service_record r JOIN org_node n ON n.id = r.node_id "
                               "WHERE n.path LIKE :path AND r.started_at >= :s AND r.started_at < :e")
    out["ratings"] = dict(rows("SELECT q.rating, COUNT(*) FROM visit_request q JOIN org_node n ON n.id = q.node_id "
                               "WHERE n.path LIKE :path AND q.rating IS NOT NULL AND q.done_at >= :s "
                               "AND q.done_at < :e GROUP BY q.rating"))
    out["disputes"] = one("SELECT COUNT(*) FROM visit_event e JOIN visit_request q ON q.id = e.request_id "
                          "JOIN org_node n ON n.id = q.node_id WHERE n.path LIKE :path AND e.action = 'dispute' "
                          "AND e.at >= :s AND e.at < :e")
    for side, column in (("pool_in", "credit_account_id"), ("pool_out", "debit_account_id")):
        out[side] = dict(rows(
            f"SELECT a.code, SUM(t.minutes) FROM ledger_transfer t JOIN ledger_account a ON a.id = t.{column} "
            "WHERE a.kind IN ('pool', 'charity') AND t.phase IN ('posted', 'post') AND t.created_at >= :s "
            "AND t.created_at < :e GROUP BY a.code"))
    out["paid_by_payer"] = dict(rows(
        "SELECT q.payer, SUM(r.credited_minutes) FROM service_record r JOIN visit_request q ON q.id = r.request_id "
        "JOIN org_node n ON n.id = r.node_id WHERE n.path LIKE :path AND q.payer <> 'own' "
        "AND r.started_at >= :s AND r.started_at < :e GROUP BY q.payer"))
    out["goods"] = dict(rows(
        "SELECT m.kind, SUM(m.quantity) FROM goods_movement m JOIN goods_donation d ON d.id = m.donation_id "
        "JOIN org_node n ON n.id = d.node_id WHERE n.path LIKE :path AND m.created_at >= :s AND m.created_at < :e "
        "GROUP BY m.kind"))
    return out
