"""`flask charity open`: the county opens an approved charity with its owner login from the shell; bad input
is one line on stderr, exit 1, and nothing is written."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.integration.charity.world import credit_code
from timebank.charity.models import Charity

ARGS = ["charity", "open", "--name", "县慈善总会", "--registration-number", "53420100MJ0001234X",
        "--contact-name", "李主任", "--contact-phone", "13800001111", "--username", "xiancs",
        "--password", "Charity-pass-2026"]


def test_open_then_refuse_a_duplicate_and_a_bad_checksum(app, cw):
    runner = app.test_cli_runner()
    code = credit_code()
    result = runner.invoke(args=[*ARGS, "--credit-code", code])
    assert result.exit_code == 0, result.output
    assert "opened" in result.output
    charity = cw.session.scalar(select(Charity).where(Charity.credit_code == code))
    assert charity.status == "approved" and charity.pool_open and charity.members[0].user.must_change_password
    count = cw.session.scalar(select(func.count()).select_from(Charity))
    for args, expected in (([*ARGS, "--credit-code", code], "credit_code: "),
                           ([*ARGS, "--credit-code", "91350100M000100Y44"], "校验位不正确")):
        result = runner.invoke(args=args)
        assert result.exit_code == 1
        lines = [line for line in result.output.strip().splitlines() if line]
        assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0], result.output
    assert cw.session.scalar(select(func.count()).select_from(Charity)) == count
