"""Organisation fixtures: a station per township, an approved organisation with a leader, volunteers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import new_id_number, new_phone
from timebank.accounts import service as accounts
from timebank.orgs import activities, service
from timebank.people import station_volunteers as station

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 29)


class OrgWorld:
    def __init__(self, session, county, make_staff, make_volunteer):
        self.session, self.county = session, county
        self.station = make_staff("orgs-jia", 0)
        self.other_station = make_staff("orgs-yi", 1)
        self.make_volunteer = make_volunteer
        self.leader = make_volunteer(status="approved", name="李队长")
        self.org = service.register(session, self.station, service.OrgInput(
            name="阳光志愿服务队", kind="village_team", node_id=county["village00"].id,
            leader_person_id=self.leader.person_id), now=NOW, today=TODAY)
        session.commit()

    def volunteer(self, **kw):
        return self.make_volunteer(status="approved", **kw)

    def member(self, org=None, **kw):
        org = org or self.org
        user = self.volunteer(**kw)
        service.add_member(self.session, self.station, org.id, user.person_id, now=NOW, today=TODAY)
        self.session.commit()
        return user

    def activity(self, actor=None, *, org=True, capacity=50, start=NOW + timedelta(hours=1), hours=3, **kw):
        act = activities.post(self.session, actor or self.station, activities.ActivityInput(
            title="重阳节敬老院探访", place="县敬老院", starts_at=start, ends_at=start + timedelta(hours=hours),
            capacity=capacity, org_id=self.org.id if org else None, node_id=None if org else
            self.county["village00"].id, **kw), now=NOW)
        self.session.commit()
        return act

    def minor(self):
        data = station.StationVolunteerInput(
            person=accounts.PersonInput(name="少年志愿者", id_number=new_id_number(date(2011, 5, 5)), phone=None,
                                        address=None, node_id=self.county["village00"].id),
            skill_ids=(), weekly=(), emergency_contact_name="家长", emergency_contact_phone=new_phone(),
            consent_form_ref="ZY-1", guardian=station.GuardianInput(
                name="监护人", id_number=new_id_number(date(1980, 3, 3)), phone=None), guardian_consent_ref="JH-1")
        profile = station.register_volunteer(self.session, self.county["admin"], data, today=TODAY, now=NOW)
        self.session.commit()
        return profile


@pytest.fixture
def ow(session, county, make_staff, make_volunteer):
    return OrgWorld(session, county, make_staff, make_volunteer)
