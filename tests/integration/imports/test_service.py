"""Import dry runs and commits through the people services: every row's problems, duplicates linked or skipped,
all or nothing, station scope, refused files (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import new_id_number
from tests.integration.imports.files import resident_row, residents, volunteer_row, xlsx
from timebank.accounts.models import Person
from timebank.audit.models import AuditEvent
from timebank.errors import ValidationFailed
from timebank.imports import service
from timebank.people.models import HardshipStatus, ResidentProfile, VolunteerProfile

TODAY = date(2026, 12, 2)
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_rows": 20000}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def check(session, actor, kind, content):
    batch = service.dry_run(session, actor, kind, filename="名单.xlsx", content=content, today=TODAY, **LIMITS)
    session.commit()
    return batch, service.report_of(batch)


def commit(session, actor, batch, choices=None):
    done = service.commit(session, actor, batch.id, choices or {}, today=TODAY, now=NOW, **LIMITS)
    session.commit()
    return done


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_every_row_problem_is_reported_and_nothing_is_written(ctx, session, county):
    good = new_id_number(date(1940, 1, 1))
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [resident_row("张大爷", good),
            resident_row("李奶奶", bad_checksum),
            resident_row("王奶奶", new_id_number(date(1941, 1, 1)), village="不存在村"),
            resident_row("", new_id_number(date(1942, 1, 1))),
            resident_row("赵大爷", new_id_number(date(1943, 1, 1)), kind="穷"),
            resident_row("钱大爷", new_id_number(date(1944, 1, 1)), review="2026-01-01"),
            resident_row("孙大爷", new_id_number(date(1945, 1, 1)), 性别="女")]
    people_before = count(session, Person)
    batch, report = check(session, county["admin"], "residents", xlsx("residents", rows))
    assert (report["rows"], report["errors"]) == (7, 6)
    messages = {line["row"]: " ".join(line["messages"]) for line in report["lines"]}
    assert "校验位" in messages[3]
    assert "不存在村" in messages[4]
    assert "姓名" in messages[5] and "未填写" in messages[5]
    assert "穷" in messages[6]
    assert "复核日期" in messages[7]
    assert "性别" in messages[8]
    with pytest.raises(service.ImportHasErrors):
        commit(session, county["admin"], batch)
    session.rollback()
    assert count(session, Person) == people_before


def test_a_clean_file_imports_people_with_statuses_in_one_go(ctx, session, county):
    same = new_id_number(date(1938, 2, 2))
    rows = residents(20) + [resident_row("周奶奶", same), resident_row("周奶奶", same, kind="低保")]
    batch, report = check(session, county["admin"], "residents", xlsx("residents", rows))
    assert report["errors"] == 0
    done = commit(session, county["admin"], batch)
    assert (done.status, done.created_count, done.content) == ("committed", 21, None)
    assert count(session, ResidentProfile) == 21
    person = session.scalar(select(Person).where(Person.name == "周奶奶"))
    kinds = set(session.scalars(select(HardshipStatus.kind).where(HardshipStatus.person_id == person.id)))
    assert kinds == {"tekun", "dibao"}
    detail = session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "import_commit"))
    assert "21 new" in detail
    with pytest.raises(Exception):  # noqa: B017  (a committed batch cannot be committed again)
        commit(session, county["admin"], batch)


def test_duplicates_are_linked_or_skipped_per_row(ctx, session, county, make_volunteer, make_resident):
    volunteer = make_volunteer(status="approved", name="吴芳")
    from timebank.accounts import crypto
    id_of = {}
    for person in session.scalars(select(Person)):
        id_of[person.id] = crypto.decrypt(person.id_number_encrypted)
    resident = make_resident(name="郑奶奶")
    rows = [resident_row("吴芳", id_of[volunteer.person_id], kind="低保"),
            resident_row("郑奶奶", crypto.decrypt(resident.person.id_number_encrypted))]
    batch, report = check(session, county["admin"], "residents", xlsx("residents", rows))
    assert report["duplicates"] == 2 and report["errors"] == 0
    done = commit(session, county["admin"], batch, {2: "link", 3: "skip"})
    assert (done.created_count, done.linked_count) == (0, 1)
    assert session.get(ResidentProfile, volunteer.person_id) is not None
    assert session.scalar(select(HardshipStatus.kind).where(HardshipStatus.person_id == volunteer.person_id)) == "dibao"
    assert session.scalar(select(func.count()).select_from(HardshipStatus)
                          .where(HardshipStatus.person_id == resident.person_id)) == 0


def test_a_station_imports_into_its_own_subtree_only(ctx, session, county, make_staff):
    staff = make_staff("zhenA")
    rows = [resident_row("外镇人", new_id_number(date(1950, 1, 1)), township="乙镇", village="乙镇0村"),
            resident_row("本镇人", new_id_number(date(1950, 1, 1)))]
    _batch, report = check(session, staff, "residents", xlsx("residents", rows))
    assert report["errors"] == 1
    assert "乙镇0村" in report["lines"][0]["messages"][0]


def test_volunteers_import_through_the_station_registration(ctx, session, county):
    rows = [volunteer_row("冯军", new_id_number(date(1985, 1, 1))),
            volunteer_row("少年", new_id_number(date(2015, 1, 1)))]
    batch, report = check(session, county["admin"], "volunteers", xlsx("volunteers", rows))
    assert report["errors"] == 1 and "监护人" in report["lines"][0]["messages"][0]
    batch, report = check(session, county["admin"], "volunteers", xlsx("volunteers", rows[:1]))
    commit(session, county["admin"], batch)
    profile = session.scalar(select(VolunteerProfile).join(Person, Person.id == VolunteerProfile.person_id)
                           .where(Person.name == "冯军"))
    assert profile.status == "approved" and profile.consent_form_ref == "ZQ-9"


@pytest.mark.parametrize(("content", "reason"), [
    (b"not a spreadsheet", "not_xlsx"),
    (b"PK\x03\x04broken zip", "not_xlsx"),
    (xlsx("residents", residents(1), header=["名字", "身份证"]), "wrong_template"),
    (xlsx("volunteers", [volunteer_row("冯军", "110101198501010010")]), "other_template"),
    (xlsx("residents", residents(2), merge="A2:A3"), "merged"),
    (xlsx("residents", residents(2), formula="H2"), "formula"),
    (xlsx("residents", []), "no_rows"),
], ids=["text", "broken_zip", "wrong_template", "other_template", "merged", "formula", "no_rows"])
def test_files_that_cannot_be_trusted_are_refused_whole(ctx, session, county, content, reason):
    with pytest.raises(ValidationFailed) as refused:
        service.dry_run(session, county["admin"], "residents", filename="x.xlsx", content=content, today=TODAY,
                        **LIMITS)
    assert refused.value.details["reason"] == reason
    assert refused.value.field == "file"


def test_a_file_over_the_limit_is_refused(ctx, session, county):
    with pytest.raises(ValidationFailed) as refused:
        service.dry_run(session, county["admin"], "residents", filename="x.xlsx", content=b"PK\x03\x04" + b"0" * 2000,
                        today=TODAY, max_bytes=1000, max_rows=10)
    assert refused.value.details["reason"] == "too_large"


def test_the_cli_commits_a_checked_file(app, ctx, session, county):
    batch, _report = check(session, county["admin"], "residents", xlsx("residents", residents(4)))
    result = app.test_cli_runner().invoke(args=["imports", "commit", str(batch.id)])
    assert result.exit_code == 0, result.output
    assert "4 new" in result.output
    again = app.test_cli_runner().invoke(args=["imports", "commit", str(batch.id)])
    assert again.exit_code != 0
