"""Pure rules of the volunteer record: star level, volunteer number, when a certificate or an insurance counts."""

from __future__ import annotations

from datetime import date

DEFAULT_STAR_HOURS = (100, 300, 600, 1000, 1500)  # 一星 .. 五星, cumulative service hours
AWARD_LEVELS = ("national", "province", "city", "county", "township", "other")
KINDS = ("training", "award", "evaluation", "insurance")


def star_level(served_minutes: int, thresholds_hours: tuple[int, ...]) -> int:
    """Stars earned by `served_minutes` of service: one per threshold (in hours) reached, 0 below the first."""
    return sum(1 for hours in thresholds_hours if served_minutes >= hours * 60)


def next_star_minutes(served_minutes: int, thresholds_hours: tuple[int, ...]) -> int | None:
    """Minutes still to serve for the next star; None at the top level."""
    for hours in thresholds_hours:
        if served_minutes < hours * 60:
            return hours * 60 - served_minutes
    return None


def thresholds_problem(thresholds_hours) -> str | None:
    """None when the thresholds are 5 whole hour counts, each larger than the one before, within 1..100000."""
    values = tuple(thresholds_hours)
    if len(values) != 5 or any(isinstance(v, bool) or not isinstance(v, int) for v in values):
        return "count"
    if not all(1 <= v <= 100_000 for v in values):
        return "range"
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        return "order"
    return None


def volunteer_number(county_code: str, year: int, person_id: int) -> str:
    """志愿者编号: never the ID number; unique because the person id is, stable once given."""
    return f"{county_code}-{year}-{person_id:06d}"


def certificate_counts(status: str, valid_until: date, retired: bool, today: date) -> bool:
    """A certificate makes its skill count when verified, not retired, and valid today (inclusive)."""
    return status == "verified" and not retired and today <= valid_until


def insurance_covers(valid_from: date, valid_to: date, retired: bool, on: date) -> bool:
    return not retired and valid_from <= on <= valid_to


def span_problem(valid_from: date | None, valid_to: date | None) -> str | None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        return "span"
    return None


# what each kind of entry holds: field -> (type, required, bound); text bound = max length, int = (low, high)
FIELDS: dict[str, dict[str, tuple]] = {
    "training": {"course": ("text", True, 100), "held_on": ("past_date", True, None),
                 "minutes": ("int", True, (1, 60000)), "issuer": ("text", True, 100)},
    "award": {"title": ("text", True, 100), "level": ("choice", True, AWARD_LEVELS),
              "awarded_on": ("past_date", True, None), "issuer": ("text", True, 100)},
    "evaluation": {"evaluated_on": ("past_date", True, None), "rating": ("int", True, (1, 5)),
                   "comment": ("text", False, 300)},
    "insurance": {"insurer": ("text", True, 100), "policy_no": ("text", True, 60),
                  "valid_from": ("date", True, None), "valid_to": ("date", True, None)},
    "certificate": {"skill_id": ("id", True, None), "certificate_no": ("text", True, 60),
                    "issuer": ("text", True, 100), "valid_until": ("date", True, None)},
}


def clean_entry(kind: str, data: dict, today: date) -> tuple[dict, tuple[str, str] | None]:
    """(cleaned values, None) or ({}, (field, reason)) for one entry's complete set of values."""
    out = {}
    for name, (kind_of, required, bound) in FIELDS[kind].items():
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            if required:
                return {}, (name, "required")
            out[name] = None
            continue
        if kind_of == "text" and (not isinstance(value, str) or len(value) > bound or "\x00" in value):
            return {}, (name, "length")
        if kind_of == "int" and (isinstance(value, bool) or not isinstance(value, int)
                                 or not bound[0] <= value <= bound[1]):
            return {}, (name, "range")
        if kind_of == "choice" and value not in bound:
            return {}, (name, "choice")
        if kind_of in ("date", "past_date") and not isinstance(value, date):
            return {}, (name, "date")
        if kind_of == "past_date" and value > today:
            return {}, (name, "future")
        out[name] = value
    if kind == "insurance" and span_problem(out["valid_from"], out["valid_to"]):
        return {}, ("valid_to", "span")
    return out, None
