"""`flask charity check`: stored stock equals the replay of the movements, on a working county and on the
demo county; a tampered donation is named and the command exits non-zero."""

from __future__ import annotations

from sqlalchemy import update

from tests.integration.charity.world import NOW
from timebank.charity.models import Donation


def test_check_passes_then_names_a_mismatch(app, cw):
    user, _charity = cw.charity()
    donation = cw.donate(user, quantity=5)
    staff = cw.staff(0)
    cw.allocate(staff, cw.goods_request(staff, cw.resident()), donation)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["charity", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == ["charity stock OK: 1 donations, 2 movements"]
    cw.session.execute(update(Donation).where(Donation.id == donation.id).values(stock=3))
    cw.session.commit()
    result = runner.invoke(args=["charity", "check"])
    assert result.exit_code == 1
    assert f"donation {donation.id}: stored stock=3 reserved=1, movements give stock=4 reserved=1" in result.output


def test_demo_county_passes_the_stock_and_ledger_checks(app, session):
    from timebank.charity import queries
    from timebank.charity.models import Charity
    from timebank.demo.seed import seed_demo
    from timebank.ledger import reconcile

    with app.test_request_context():
        seed_demo(session, today=NOW.date(), volunteers=12, residents=12)
        session.commit()
    assert session.query(Charity).filter_by(status="approved").count() == 3
    report = queries.check_stock(session)
    assert report.ok and report.donations == 3 and report.movements > 3
    assert app.test_cli_runner().invoke(args=["charity", "check"]).exit_code == 0
    assert reconcile.run_check(session, now=NOW, record=False).ok
