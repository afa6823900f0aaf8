"""A service that waits for confirmation tells the people who may confirm it: verified relatives with a login
(inbox, and email where set), never an unverified or unlinked one, never the volunteer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from timebank.notify.models import Notification


def notes(vw, user_id):
    return list(vw.session.scalars(select(Notification).where(Notification.user_id == user_id,
                                                              Notification.event == "visit_awaiting_confirmation")))


def test_the_verified_relative_hears_when_the_last_volunteer_checks_out(vw):
    vw.backstop(10_000)
    resident = vw.resident(kinds=("tekun",), birth=date(1940, 1, 1), living="alone")
    relative = vw.relative_user(resident.id)
    unverified = vw.relative_user(resident.id, verified=False)
    volunteer = vw.volunteer()
    req = vw.post(vw.admin, resident, payer="backstop")
    vw.take(volunteer, req)
    assert notes(vw, relative.id) == []
    vw.serve(volunteer, req)
    told = notes(vw, relative.id)
    assert len(told) == 1 and told[0].link == f"/visits/{req.id}"
    assert told[0].params["resident"] == resident.name and told[0].params["days"] >= 1
    assert notes(vw, unverified.id) == [] and notes(vw, volunteer.id) == []
