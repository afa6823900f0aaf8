"""Record services: the daily certificate-expiry job tells each volunteer once (idempotent) and the skill stops
counting; station registration gives a volunteer number; the star level follows the policy in force."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.integration.visits.world import NOW, TODAY
from timebank.jobs.runner import run_job
from timebank.notify.models import Notification
from timebank.people import record_service, volunteer_record
from timebank.people.models import VolunteerProfile
from timebank.people.record_models import SkillCertificate
from timebank.people.skills import counted_skills
from timebank.policy import service as policy_service


def test_the_expiry_job_tells_the_volunteer_once_and_the_skill_stops_counting(vw):
    volunteer = vw.volunteer(skills=("nursing",))
    row = SkillCertificate(person_id=volunteer.person_id, skill_id=vw.skill("nursing").id, certificate_no="HS-3",
                           issuer="县卫健局", valid_until=TODAY - timedelta(days=1), status="verified",
                           verified_by_id=vw.admin.id, verified_at=NOW - timedelta(days=300))
    vw.session.add(row)
    vw.session.commit()
    assert counted_skills(vw.session, [volunteer.person_id], TODAY)[volunteer.person_id] == set()
    assert counted_skills(vw.session, [volunteer.person_id], TODAY - timedelta(days=1))[volunteer.person_id] \
        == {vw.skill("nursing").id}
    assert record_service.notify_expired_certificates(vw.session, now=NOW, today=TODAY) == 1
    assert record_service.notify_expired_certificates(vw.session, now=NOW, today=TODAY) == 0
    vw.session.commit()
    notes = list(vw.session.scalars(select(Notification).where(Notification.user_id == volunteer.id,
                                                               Notification.event == "certificate_expired")))
    assert len(notes) == 1 and notes[0].params["skill"] == "护理(有证)" and notes[0].link == "/me/record"
    record = volunteer_record.record_of(vw.session, vw.session.get(VolunteerProfile, volunteer.person_id),
                                        today=TODAY)
    assert [c.state for c in record.claims] == ["expired"]


def test_the_registered_job_runs_cleanly(vw):
    assert run_job("certificate_expiry", scheduled_for=NOW) is not None


def test_star_level_follows_the_thresholds_in_force(vw):
    volunteer = vw.volunteer()
    vw.backstop(1000)
    resident = vw.resident(kinds=("tekun",), birth=date(1940, 1, 1), living="alone")
    req = vw.post(vw.admin, resident, duration=120, hours=3, payer="backstop")
    vw.take(volunteer, req)
    vw.serve(volunteer, req, minutes=120)
    vw.confirm(vw.admin, req)
    profile = vw.session.get(VolunteerProfile, volunteer.person_id)
    record = volunteer_record.record_of(vw.session, profile, today=TODAY)
    assert (record.served_minutes, record.stars, record.services) == (120, 0, 1)
    policy_service.save(vw.session, vw.admin, {"star_thresholds_hours": (1, 2, 3, 4, 5)}, note="试点", now=NOW)
    vw.session.commit()
    record = volunteer_record.record_of(vw.session, profile, today=TODAY)
    assert (record.stars, record.to_next_star, record.rated) == (2, 60, 1)


def test_station_registration_and_backfill_give_numbers_once(vw):
    profile = vw.session.get(VolunteerProfile, vw.volunteer().person_id)
    number = profile.volunteer_no
    assert number and volunteer_record.assign_number(vw.session, profile, now=NOW + timedelta(days=400)) == number
    profile.volunteer_no = None
    vw.session.flush()
    assert volunteer_record.assign_missing_numbers(vw.session, now=NOW) == 1
    assert profile.volunteer_no == number
    assert volunteer_record.assign_missing_numbers(vw.session, now=NOW) == 0
    assert date(2026, 1, 1).year == int(number.split("-")[1])
