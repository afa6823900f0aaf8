"""A believable half year of the demo county's time bank, written through the real ledger services:
the county funds the backstop pool, volunteers earn by serving elders (paid by the pool or by elders'
own hours), the demo relative 王丽 gives hours to her mother 王秀英, volunteers donate, a lone 特困 elder
receives a grant, one redemption is reserved and waiting. Deterministic; the result passes `ledger check`."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from timebank.accounts.models import Person, User
from timebank.ledger import domain, grants, holds
from timebank.ledger import service as ledger
from timebank.people.models import Relative, VolunteerProfile


def seed_history(session, admin: User, *, today: date, days: int = 180) -> int:
    """Write the history; returns the number of operations. Flushes; the caller commits."""
    rng = random.Random(3)
    start = datetime.combine(today - timedelta(days=days), time(1, 30), tzinfo=UTC)
    volunteers = list(session.scalars(select(VolunteerProfile.person_id).where(VolunteerProfile.status == "approved")
                                      .order_by(VolunteerProfile.person_id)))
    daughter = session.scalar(select(User).where(User.phone == "13900000002"))
    mother_id = session.scalar(select(Relative.resident_id).where(Relative.relative_id == daughter.person_id))
    backstop = ledger.system_account(session, domain.pool_code("backstop")).id
    ops = 0

    def at(day: int) -> datetime:
        return start + timedelta(days=day, minutes=rng.randint(0, 600))

    for month in range(6):  # the bureau funds the backstop pool every month
        grants.grant(session, admin, to="backstop", minutes=6000, reason="县财政兜底时长月度拨付",
                     key=f"demo-grant-{month}", now=at(month * 30), today=today)
        ops += 1
    for day in range(days):
        for visit in range(rng.randint(1, 3)):
            person_id = rng.choice(volunteers[:120])
            ledger.earn(session, payer_account_id=backstop, person_id=person_id,
                        minutes=rng.choice((60, 90, 120, 45, 30)), key=f"demo-earn-{day}-{visit}",
                        reference=f"visit:demo-{day}-{visit}", memo="上门服务", actor_id=admin.id, now=at(day),
                        today=today)
            ops += 1
    # 王丽 helps at the village elder canteen, then gives the hours to her mother
    for week in range(8):
        ledger.earn(session, payer_account_id=backstop, person_id=daughter.person_id, minutes=120,
                    key=f"demo-daughter-{week}", reference=f"visit:demo-canteen-{week}", memo="老年食堂助餐",
                    actor_id=admin.id, now=at(60 + week * 7), today=today)
    ledger.gift(session, daughter, to_person_id=mother_id, minutes=600, memo="给妈妈用", key="demo-gift-1",
                now=at(125))
    ops += 9
    donors = session.scalars(select(User).where(User.person_id.in_(volunteers[:120]))
                             .order_by(User.id).limit(40)).all()
    for index, donor in enumerate(donors[::4]):
        account = ledger.account_for_person(session, donor.person_id)
        if account.spendable >= 60:
            ledger.donate(session, donor, pool="county_donation", minutes=60, memo="捐给困难老人",
                          key=f"demo-donate-{index}", now=at(150 + index))
            ops += 1
    grants.grant(session, admin, to=mother_id, minutes=600, reason="特困独居老人兜底时长", key="demo-grant-elder",
                 now=at(160), today=today)
    mother = session.get(Person, mother_id)
    helper = volunteers[0]
    holds.reserve(session, payer_account_id=ledger.account_for_person(session, mother.id).id, person_id=helper,
                  minutes=120, key="demo-hold-1", reference="request:demo-1", memo="陪同就医(已接单)",
                  now=at(days - 1), today=today)
    return ops + 2
