"""A charity test world on top of the visits world: an approved charity with a pool, donations and goods
requests made through the real services, and snapshots for "nothing changed" checks."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from tests.integration.visits.world import NOW, TODAY, VisitWorld
from timebank.accounts import service as accounts
from timebank.charity import allocation, domain, queries, service
from timebank.charity.models import Allocation, Donation, GoodsRequest, Item, StockMovement

__all__ = ["NOW", "TODAY", "CharityWorld", "credit_code"]
_serial = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    n = next(_serial) if n is None else n
    return domain.make_credit_code(f"53420100{n:09d}")


@dataclass
class CharityWorld(VisitWorld):
    def charity_user(self, username: str | None = None):
        user = accounts.create_user(self.session, password="Charity-pass-2026", roles=("charity",),
                                    username=username or f"charity{next(_serial)}", node_id=self.county["root"].id)
        self.session.commit()
        return user

    def charity(self, *, approved: bool = True, name: str | None = None):
        user = self.charity_user()
        charity = service.register_charity(self.session, user, service.CharityInput(
            name=name or f"爱心基金会{next(_serial)}", credit_code=credit_code(), registration="charity",
            contact_name="李主任", contact_phone="13800001111"), now=NOW)
        if approved:
            service.review_charity(self.session, self.admin, charity.id, approve=True, reason=None, now=NOW)
        self.session.commit()
        return user, charity

    def staff(self, township: int = 0):
        from timebank.accounts.models import User

        name = f"station{township}-{next(_serial)}"
        user = accounts.create_user(self.session, password="Station-pass-2026", roles=("station",), username=name,
                                    node_id=self.county[f"township{township}"].id,
                                    station_id=self.county[f"station{township}"].id)
        self.session.commit()
        return self.session.get(User, user.id)

    def item(self, code: str = "quilt") -> Item:
        return self.session.scalar(select(Item).where(Item.code == code))

    def donate(self, user, *, quantity=10, item="quilt", statuses=(), townships=(), use_by=None, min_age=None,
               max_age=None, delivery="both", station=0):
        donation = service.create_donation(self.session, user, service.DonationInput(
            item_id=self.item(item).id, quantity=quantity, station_id=self.county[f"station{station}"].id,
            statuses=tuple(statuses), township_ids=tuple(townships), use_by=use_by, min_age=min_age,
            max_age=max_age, delivery=delivery), now=NOW, today=TODAY)
        self.session.commit()
        return donation

    def goods_request(self, staff, resident, *, quantity=1, item="quilt"):
        request = allocation.post_request(self.session, staff, allocation.GoodsRequestInput(
            resident_id=resident.id, item_id=self.item(item).id, quantity=quantity, reason="冬季御寒"),
            now=NOW, today=TODAY)
        self.session.commit()
        return request

    def allocate(self, staff, request, donation, *, method="pickup", quantity=None, today: date = TODAY):
        result = allocation.allocate(self.session, staff, request.id, donation.id, method=method, quantity=quantity,
                                     now=NOW, today=today)
        self.session.commit()
        return result

    def stock(self, donation) -> tuple[int, int]:
        self.session.expire_all()
        row = self.session.get(Donation, donation.id)
        return row.stock, row.reserved

    def goods_snapshot(self):
        self.session.expire_all()
        donations = self.session.execute(select(Donation.id, Donation.stock, Donation.reserved)
                                         .order_by(Donation.id)).all()
        requests = self.session.execute(select(GoodsRequest.id, GoodsRequest.status).order_by(GoodsRequest.id)).all()
        allocations = self.session.execute(select(Allocation.id, Allocation.status).order_by(Allocation.id)).all()
        movements = self.session.scalar(select(func.count()).select_from(StockMovement))
        return [tuple(d) for d in donations], [tuple(r) for r in requests], [tuple(a) for a in allocations], movements

    def stock_ok(self):
        report = queries.check_stock(self.session)
        assert report.ok, report.mismatches
        return report
