"""Grow a loaded demo county k times on PostgreSQL, set-based (INSERT ... SELECT over generate_series, the
speed of COPY): every volunteer and resident of the demo gets k-1 copies in the same village (a point
jittered up to ~1 km around it), with their profiles, skills, weekly availability, hardship statuses and time
account; every service request gets k-1 copies for the copied residents (seats remapped to the copied
volunteers), and every plain posted transfer into a copied person's account (earned, granted, gifted) is
copied, paid from the issuance account, with the balances moved by the same amounts (the ledger still sums
to zero and no account but issuance goes negative).

Copies are for load only: their ID-number hash is derived from the original's (so lookups by ID number do
not find them) and they have no login. Used by bench/web.py; never run it on a real county.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

PEOPLE_SQL = """
CREATE TEMP TABLE pmap ON COMMIT DROP AS
SELECT p.id AS old_id, c AS copy, nextval(pg_get_serial_sequence('person', 'id')) AS new_id
FROM person p CROSS JOIN generate_series(1, :copies) AS c
WHERE p.id IN (SELECT person_id FROM volunteer_profile UNION SELECT person_id FROM resident_profile);
CREATE INDEX ON pmap (old_id, copy);
INSERT INTO person (id, name, id_number_encrypted, id_number_hash, id_number_masked, birth_date, gender, phone,
                    address, node_id, latitude, longitude, status, died_on, created_at)
SELECT m.new_id, p.name, p.id_number_encrypted, md5(p.id_number_hash || ':' || m.copy || ':' || txid_current()), p.id_number_masked,
       p.birth_date, p.gender, NULL, p.address, p.node_id,
       p.latitude + (random() - 0.5) * 0.02, p.longitude + (random() - 0.5) * 0.02, p.status, p.died_on, p.created_at
FROM pmap m JOIN person p ON p.id = m.old_id;
INSERT INTO volunteer_profile (person_id, status, is_social_worker, emergency_contact_name, emergency_contact_phone,
                               max_minutes_per_week, travel_radius_km, reviewed_by_id, reviewed_at, review_reason,
                               registered_by_id, consent_form_ref, guardian_person_id, guardian_consent_ref,
                               created_at)
SELECT m.new_id, v.status, false, v.emergency_contact_name, v.emergency_contact_phone, v.max_minutes_per_week,
       v.travel_radius_km, v.reviewed_by_id, v.reviewed_at, v.review_reason, v.registered_by_id, v.consent_form_ref,
       NULL, NULL, v.created_at
FROM pmap m JOIN volunteer_profile v ON v.person_id = m.old_id;
INSERT INTO volunteer_skill (person_id, skill_id)
SELECT m.new_id, s.skill_id FROM pmap m JOIN volunteer_skill s ON s.person_id = m.old_id;
INSERT INTO availability (person_id, weekday, start_minute, end_minute)
SELECT m.new_id, a.weekday, a.start_minute, a.end_minute FROM pmap m JOIN availability a ON a.person_id = m.old_id;
INSERT INTO resident_profile (person_id, living_situation, disability_grade, disability_type, adl_level,
                              adl_assessed_on, emergency_contact_name, emergency_contact_phone, consent_form_ref,
                              registered_by_id, notes, created_at)
SELECT m.new_id, r.living_situation, r.disability_grade, r.disability_type, r.adl_level, r.adl_assessed_on,
       r.emergency_contact_name, r.emergency_contact_phone, r.consent_form_ref, r.registered_by_id, r.notes,
       r.created_at
FROM pmap m JOIN resident_profile r ON r.person_id = m.old_id;
INSERT INTO hardship_status (person_id, kind, evidence_no, review_date, verified_by_id, created_at)
SELECT m.new_id, h.kind, h.evidence_no, h.review_date, h.verified_by_id, h.created_at
FROM pmap m JOIN hardship_status h ON h.person_id = m.old_id;
INSERT INTO ledger_account (kind, person_id, code, name, balance, pending_debits, pending_credits, created_at)
SELECT 'person', m.new_id, NULL, NULL, 0, 0, 0, now() FROM pmap m;
"""

REQUESTS_SQL = """
CREATE TEMP TABLE rmap ON COMMIT DROP AS
SELECT r.id AS old_id, m.copy, m.new_id AS resident_id, nextval(pg_get_serial_sequence('visit_request', 'id')) AS new_id
FROM visit_request r JOIN pmap m ON m.old_id = r.resident_id;
INSERT INTO visit_request ({cols}, id, resident_id, paid_by_person_id, series_key)
SELECT {rcols}, q.new_id, q.resident_id, NULL, NULL
FROM rmap q JOIN visit_request r ON r.id = q.old_id;
UPDATE visit_request SET payer = 'county_donation' WHERE id IN (SELECT new_id FROM rmap) AND payer = 'own';
INSERT INTO visit_request_skill (request_id, skill_id)
SELECT q.new_id, s.skill_id FROM rmap q JOIN visit_request_skill s ON s.request_id = q.old_id;
INSERT INTO visit_seat (request_id, volunteer_id, role, status, source, taken_by_id, taken_at, check_in_at,
                        check_out_at, manual_reason, credited_minutes, hold_id, hold_generation, created_at)
SELECT q.new_id, coalesce(m.new_id, s.volunteer_id), s.role, s.status, s.source, s.taken_by_id, s.taken_at,
       s.check_in_at, s.check_out_at, s.manual_reason, s.credited_minutes, NULL, 0, s.created_at
FROM rmap q JOIN visit_seat s ON s.request_id = q.old_id
LEFT JOIN pmap m ON m.old_id = s.volunteer_id AND m.copy = q.copy;
"""

TRANSFERS_SQL = """
CREATE TEMP TABLE amap ON COMMIT DROP AS
SELECT a.id AS old_id, m.copy, b.id AS new_id
FROM pmap m JOIN ledger_account a ON a.person_id = m.old_id JOIN ledger_account b ON b.person_id = m.new_id;
CREATE INDEX ON amap (old_id, copy);
CREATE TEMP TABLE tnew ON COMMIT DROP AS
SELECT (SELECT id FROM ledger_account WHERE kind = 'issuance') AS debit, c.new_id AS credit,
       t.minutes, t.kind, t.reference, t.memo, t.actor_id, t.policy_version_id, t.created_at,
       'bench-grow:' || t.id || ':' || k || ':' || txid_current() AS key, t.body_hash
FROM ledger_transfer t
CROSS JOIN generate_series(1, :copies) AS k
JOIN amap c ON c.old_id = t.credit_account_id AND c.copy = k
WHERE t.phase = 'posted' AND t.pending_id IS NULL AND t.reverses_id IS NULL AND t.parent_id IS NULL
  AND t.kind IN ('earn', 'grant', 'gift');
INSERT INTO ledger_transfer (debit_account_id, credit_account_id, minutes, kind, phase, reference, memo, actor_id,
                             policy_version_id, created_at, idempotency_key, body_hash)
SELECT debit, credit, minutes, kind, 'posted', reference, memo, actor_id, policy_version_id, created_at, key, body_hash
FROM tnew;
UPDATE ledger_account a SET balance = a.balance + s.delta
FROM (SELECT account, sum(delta) AS delta FROM (
        SELECT credit AS account, minutes AS delta FROM tnew UNION ALL SELECT debit, -minutes FROM tnew) x
      GROUP BY account) s
WHERE a.id = s.account;
"""

SKIP_REQUEST_COLUMNS = {"id", "resident_id", "paid_by_person_id", "series_key"}


def grow(engine: sa.Engine, factor: int) -> dict[str, float]:
    """Make the county `factor` times its size (copies = factor - 1); returns seconds per phase."""
    copies = factor - 1
    times: dict[str, float] = {}
    if copies <= 0:
        return times
    with engine.connect() as conn:
        cols = [c["name"] for c in sa.inspect(conn).get_columns("visit_request") if c["name"] not in SKIP_REQUEST_COLUMNS]
    rsql = REQUESTS_SQL.format(cols=", ".join(cols), rcols=", ".join(f"r.{c}" for c in cols))
    with engine.begin() as conn:
        for name, sql in (("people", PEOPLE_SQL), ("requests", rsql), ("transfers", TRANSFERS_SQL)):
            started = time.perf_counter()
            for statement in filter(str.strip, sql.split(";\n")):
                conn.execute(sa.text(statement), {"copies": copies} if ":copies" in statement else {})
            times[name] = time.perf_counter() - started
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        started = time.perf_counter()
        conn.exec_driver_sql("ANALYZE")
        times["analyze"] = time.perf_counter() - started
    return times


def counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(sa.text(sql)).scalar_one() for name, sql in (
            ("residents", "SELECT count(*) FROM resident_profile"),
            ("volunteers", "SELECT count(*) FROM volunteer_profile"),
            ("requests", "SELECT count(*) FROM visit_request"),
            ("open requests", "SELECT count(*) FROM visit_request WHERE status = 'open'"),
            ("transfers", "SELECT count(*) FROM ledger_transfer"))}
