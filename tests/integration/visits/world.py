"""A visits test world: a county with categories, approved volunteers available all week, residents,
pools funded through the real ledger operations, and shortcuts through the real services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from tests.integration.ledger.world import LedgerWorld
from timebank.catalog.models import ServiceCategory, Skill
from timebank.ledger import reconcile
from timebank.ledger.models import LedgerAccount, Transfer
from timebank.people.models import Availability, HardshipStatus, Relative, VolunteerProfile
from timebank.visits import onsite, settle
from timebank.visits import service as visits

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)  # 10:00 in the county (Asia/Shanghai), a Sunday
TODAY = date(2026, 11, 29)
_names = itertools.count(1)


@dataclass
class VisitWorld(LedgerWorld):
    def category(self, code: str = "companionship") -> ServiceCategory:
        return self.session.scalar(select(ServiceCategory).where(ServiceCategory.code == code))

    def skill(self, code: str) -> Skill:
        return self.session.scalar(select(Skill).where(Skill.code == code))

    def volunteer(self, *, skills=("companionship",), village="village00", cap=600, social_worker=False,
                  township=0, **kwargs):
        """An approved volunteer, available every day from 00:00 to 24:00 local time."""
        user = self.make_volunteer(status="approved", village=village, name=kwargs.pop("name", f"志愿者{next(_names)}"),
                                   **kwargs)
        profile = self.session.get(VolunteerProfile, user.person_id)
        profile.skills = [self.skill(code) for code in skills]
        profile.max_minutes_per_week = cap
        profile.availability = [Availability(weekday=d, start_minute=0, end_minute=1440) for d in range(7)]
        if social_worker:
            profile.is_social_worker = True
            user.station_id = self.county[f"station{township}"].id
        self.session.commit()
        return user

    def resident(self, *, kinds=(), **kwargs):
        profile = self.make_resident(**kwargs)
        for kind in kinds:
            self.session.add(HardshipStatus(person_id=profile.person_id, kind=kind, evidence_no="MZ1",
                                            review_date=date(2027, 6, 1)))
        self.session.commit()
        return profile.person

    def relative_user(self, resident_id: int, verified: bool = True):
        from timebank.accounts.models import UserRole

        user = self.make_volunteer(status="approved", name="家属")
        user.role_rows.append(UserRole(role="relative"))
        self.session.add(Relative(resident_id=resident_id, relative_id=user.person_id, kinship="child",
                                  verified=verified, verified_by_id=self.admin.id if verified else None))
        self.session.commit()
        return user

    def post(self, actor, resident, *, start=None, hours=2, duration=60, **kwargs):
        start = start or NOW + timedelta(days=1)
        kwargs.setdefault("payer", "county_donation")
        data = visits.RequestInput(resident_id=resident.id, category_id=kwargs.pop("category_id", None)
                                   or self.category().id, earliest_start=start,
                                   latest_end=start + timedelta(hours=hours), duration_minutes=duration, **kwargs)
        created = visits.post_request(self.session, actor, data, now=NOW, today=TODAY)
        self.session.commit()
        return created[0] if len(created) == 1 else created

    def take(self, actor, req, **kwargs):
        seat = visits.take_seat(self.session, actor, req.id, now=kwargs.pop("now", NOW), today=TODAY, **kwargs)
        self.session.commit()
        return seat

    def serve(self, volunteer, req, minutes: int = 60):
        """Check in at the scheduled start and out `minutes` later (as station staff recording by hand)."""
        staff = self.admin
        start = req.scheduled_start
        onsite.record(self.session, staff, req.id, volunteer.person_id, "check_in", at=start, reason="测试",
                      now=start + timedelta(minutes=minutes + 1))
        onsite.record(self.session, staff, req.id, volunteer.person_id, "check_out",
                      at=start + timedelta(minutes=minutes), reason="测试", now=start + timedelta(minutes=minutes + 1))
        self.session.commit()

    def confirm(self, actor, req, rating=5, now=None):
        settle.confirm(self.session, actor, req.id, rating=rating, comment="很好", now=now or NOW + timedelta(days=2),
                       today=TODAY)
        self.session.commit()

    def balance(self, person_id: int) -> int:
        return self.account(person_id).balance

    def rows(self, model) -> int:
        return self.session.scalar(select(func.count()).select_from(model))

    def snapshot(self):
        from timebank.visits.models import Seat, ServiceRecord, ServiceRequest, VisitEvent

        transfers = self.rows(Transfer)
        balances = self.session.execute(select(LedgerAccount.id, LedgerAccount.balance, LedgerAccount.pending_debits)
                                        .order_by(LedgerAccount.id)).all()
        requests = self.session.execute(select(ServiceRequest.id, ServiceRequest.status,
                                               ServiceRequest.scheduled_start).order_by(ServiceRequest.id)).all()
        seats = self.session.execute(select(Seat.id, Seat.status, Seat.check_in_at, Seat.check_out_at)
                                     .order_by(Seat.id)).all()
        return (transfers, [tuple(b) for b in balances], [tuple(r) for r in requests], [tuple(s) for s in seats],
                self.rows(VisitEvent), self.rows(ServiceRecord))

    def check(self):
        report = reconcile.run_check(self.session, now=NOW, record=False)
        assert report.ok, report.violations
        return report
