"""Pure rules of a spreadsheet import: the two templates (the column layouts counties already export), cell
values to typed values, and the checks of one row that need no database. Errors are stable codes with
parameters; the shell translates them. No Flask, no ORM, no clock."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from timebank.accounts.domain import IdentityError, normalize_phone, parse_id_number

RESIDENT_HEADERS = (
    "姓名", "公民身份号码", "性别", "出生日期", "联系电话", "所属乡镇（街道）", "所属村（社区）", "详细住址",
    "居住情况", "残疾等级", "困难类型", "认定文书编号", "认定日期", "复核日期", "知情同意书编号", "备注",
)
VOLUNTEER_HEADERS = (
    "姓名", "公民身份号码", "性别", "出生日期", "联系电话", "所属乡镇（街道）", "所属村（社区）", "详细住址",
    "紧急联系人", "紧急联系人电话", "知情同意书编号",
)
HEADERS = {"residents": RESIDENT_HEADERS, "volunteers": VOLUNTEER_HEADERS}
REQUIRED = {
    "residents": ("姓名", "公民身份号码", "所属乡镇（街道）", "所属村（社区）", "知情同意书编号"),
    "volunteers": ("姓名", "公民身份号码", "所属乡镇（街道）", "所属村（社区）", "紧急联系人", "紧急联系人电话",
                   "知情同意书编号"),
}
# the names counties use for each status (the first is the one the template's drop-down offers)
HARDSHIP_NAMES = {
    "dibao": ("低保", "低保对象", "最低生活保障"),
    "dibao_edge": ("低保边缘", "低保边缘家庭"),
    "tekun": ("特困", "特困人员", "特困供养"),
    "expenditure": ("支出型困难", "支出型困难家庭"),
    "orphan": ("孤儿",),
    "de_facto_orphan": ("事实无人抚养儿童",),
    "left_behind_child": ("留守儿童", "农村留守儿童"),
    "child_in_difficulty": ("困境儿童",),
    "severe_disability": ("重度残疾", "重度残疾人"),
    "family_planning_special": ("计生特殊家庭", "计划生育特殊家庭"),
}
HARDSHIP_BY_NAME = {name: kind for kind, names in HARDSHIP_NAMES.items() for name in names}
LIVING_NAMES = {"独居": "alone", "空巢": "empty_nest", "与家人同住": "with_family", "与子女同住": "with_family"}
DISABILITY_NAMES = {"无": 0, "一级": 1, "二级": 2, "三级": 3, "四级": 4, "0": 0, "1": 1, "2": 2, "3": 3, "4": 4}
GENDER_NAMES = {"男": "male", "女": "female"}
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
TEXT_LIMITS = {"姓名": 50, "详细住址": 200, "认定文书编号": 60, "知情同意书编号": 60, "备注": 500, "紧急联系人": 50}


@dataclass(frozen=True)
class Problem:
    code: str
    column: str | None = None
    value: str | None = None


@dataclass
class Row:
    """One data row: its sheet row number, the raw text by header, and what the checks made of it."""

    number: int
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    id_number: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    hardship: str | None = None
    review_date: date | None = None
    living: str = "with_family"
    disability_grade: int = 0

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def ok(self) -> bool:
        return not self.problems


def cell_text(value) -> str:
    """A cell as text: dates as ISO dates, whole floats without '.0', everything stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(text: str) -> date | None:
    """2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日 or 20260105; None when it is none of them."""
    match = DATE_RE.match(text) or COMPACT_DATE_RE.match(text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def header_problem(kind: str, header: tuple[str, ...]) -> str | None:
    """None when the first row is the template's header row (trailing empty cells allowed)."""
    expected = HEADERS[kind]
    trimmed = tuple(header)
    while trimmed and not trimmed[-1]:
        trimmed = trimmed[:-1]
    if trimmed == expected:
        return None
    other = "volunteers" if kind == "residents" else "residents"
    return "other_template" if trimmed == HEADERS[other] else "wrong_template"


def check_row(kind: str, row: Row, today: date) -> Row:
    """Every check of one row that needs no database; problems are appended, typed values filled in."""
    for column in REQUIRED[kind]:
        if not row.get(column):
            row.problems.append(Problem("missing", column))
    for column, limit in TEXT_LIMITS.items():
        if len(row.get(column)) > limit:
            row.problems.append(Problem("too_long", column, str(limit)))
    name = row.get("姓名")
    if name and len(name) < 2:
        row.problems.append(Problem("name_short", "姓名"))
    _identity(row, today)
    if row.get("联系电话"):
        try:
            row.phone = normalize_phone(row.get("联系电话"))
        except IdentityError:
            row.problems.append(Problem("phone", "联系电话", row.get("联系电话")))
    if kind == "residents":
        _resident(row, today)
    else:
        _volunteer(row)
    return row


def _identity(row: Row, today: date) -> None:
    raw = row.get("公民身份号码")
    if not raw:
        return
    try:
        parsed = parse_id_number(raw, today=today)
    except IdentityError as error:
        row.problems.append(Problem(error.reason, "公民身份号码"))
        return
    row.id_number, row.gender, row.birth_date = parsed.value, parsed.gender, parsed.birth_date
    gender = row.get("性别")
    if gender and GENDER_NAMES.get(gender) != parsed.gender:
        row.problems.append(Problem("gender_mismatch", "性别", gender))
    birth = row.get("出生日期")
    if birth and parse_date(birth) != parsed.birth_date:
        row.problems.append(Problem("birth_mismatch", "出生日期", birth))


def _resident(row: Row, today: date) -> None:
    living = row.get("居住情况")
    if living:
        if living not in LIVING_NAMES:
            row.problems.append(Problem("living", "居住情况", living))
        else:
            row.living = LIVING_NAMES[living]
    grade = row.get("残疾等级")
    if grade:
        if grade not in DISABILITY_NAMES:
            row.problems.append(Problem("disability", "残疾等级", grade))
        else:
            row.disability_grade = DISABILITY_NAMES[grade]
    kind_name = row.get("困难类型")
    status_cells = (row.get("认定文书编号"), row.get("复核日期"))
    if not kind_name:
        if any(status_cells):
            row.problems.append(Problem("missing", "困难类型"))
        return
    row.hardship = HARDSHIP_BY_NAME.get(kind_name)
    if row.hardship is None:
        row.problems.append(Problem("hardship", "困难类型", kind_name))
    if not row.get("认定文书编号"):
        row.problems.append(Problem("missing", "认定文书编号"))
    decided = row.get("认定日期")
    if decided:
        decided_on = parse_date(decided)
        if decided_on is None:
            row.problems.append(Problem("date", "认定日期", decided))
        elif decided_on > today:
            row.problems.append(Problem("decided_future", "认定日期", decided))
    review = row.get("复核日期")
    if not review:
        row.problems.append(Problem("missing", "复核日期"))
        return
    row.review_date = parse_date(review)
    if row.review_date is None:
        row.problems.append(Problem("date", "复核日期", review))
    elif row.review_date <= today:
        row.problems.append(Problem("review_past", "复核日期", review))


def _volunteer(row: Row) -> None:
    phone = row.get("紧急联系人电话")
    if not phone:
        return
    try:
        emergency = normalize_phone(phone)
    except IdentityError:
        row.problems.append(Problem("phone", "紧急联系人电话", phone))
        return
    if row.phone and emergency == row.phone:
        row.problems.append(Problem("emergency_self", "紧急联系人电话"))


def check_repeats(kind: str, rows: list[Row]) -> None:
    """Inside one file: a resident may appear on several rows (one per status) with the same name; a status
    only once; a volunteer only once."""
    seen: dict[str, Row] = {}
    kinds: set[tuple[str, str]] = set()
    for row in rows:
        if row.id_number is None:
            continue
        first = seen.setdefault(row.id_number, row)
        if first is row:
            if row.hardship:
                kinds.add((row.id_number, row.hardship))
            continue
        if kind == "volunteers":
            row.problems.append(Problem("repeat", "公民身份号码", str(first.number)))
        elif first.get("姓名") != row.get("姓名"):
            row.problems.append(Problem("repeat_name", "姓名", str(first.number)))
        elif row.hardship and (row.id_number, row.hardship) in kinds:
            row.problems.append(Problem("repeat_status", "困难类型", str(first.number)))
        elif row.hardship:
            kinds.add((row.id_number, row.hardship))
