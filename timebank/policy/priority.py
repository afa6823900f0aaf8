"""Who is a priority person: the one definition every area uses (grants, tiers, pools, proactive care).

Pure: the priority groups are data (a table stored with each policy version), statuses count until their
review date plus the grace days, and `evaluate` turns one person's facts into every answer at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

STATUS_KINDS = ("dibao", "dibao_edge", "tekun", "expenditure", "orphan", "de_facto_orphan", "left_behind_child",
                "child_in_difficulty", "severe_disability", "family_planning_special")
LIVINGS = ("alone", "empty_nest", "with_family")
OTHER_TIER = 5
PAYERS = ("own", "backstop", "county_donation", "charity")


class TableInvalid(ValueError):
    """A setting of the priority table is out of range; `field` names it."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Rule:
    """Every condition given must hold (an empty rule matches nobody)."""

    min_age: int | None = None
    max_age: int | None = None
    living: tuple[str, ...] = ()  # one of these living situations
    statuses: tuple[str, ...] = ()  # holds at least one of these counting statuses
    all_statuses: tuple[str, ...] = ()  # holds every one of these counting statuses
    disability_grades: tuple[int, ...] = ()  # disability certificate grade is one of these
    min_adl: int | None = None  # 失能 assessment at least this level (0 able .. 4 fully dependent)


@dataclass(frozen=True)
class Group:
    """A priority group: a person belongs when any one of its rules matches."""

    key: str
    tier: int
    watch: bool  # a proactive-care watch group (主动关爱)
    grant: bool  # may receive hours granted by the county
    rules: tuple[Rule, ...]


ELDER_LIVING = ("alone", "empty_nest")
DEFAULT_GROUPS: tuple[Group, ...] = (
    Group("tekun", 1, True, True, (Rule(statuses=("tekun",)),)),
    Group("orphan", 1, True, True, (Rule(statuses=("orphan", "de_facto_orphan")),)),
    # 重点空巢独居 (Nanjing): 80+ 空巢独居, or 60-79 in a 低保 family, 失能/半失能 and 空巢独居
    Group("lone_elder", 2, True, True, (
        Rule(min_age=80, living=ELDER_LIVING),
        Rule(min_age=60, max_age=79, living=ELDER_LIVING, all_statuses=("dibao",), min_adl=1))),
    # 重度残疾 (certificate grade 1-2, or the status) or 重度失能 (assessment level 3+)
    Group("severe_disability", 2, True, True, (
        Rule(statuses=("severe_disability",)), Rule(disability_grades=(1, 2)), Rule(min_adl=3))),
    Group("family_planning_special", 2, False, True, (Rule(statuses=("family_planning_special",)),)),
    Group("left_behind_child", 2, True, False, (Rule(statuses=("left_behind_child",)),)),
    Group("child_in_difficulty", 2, False, False, (Rule(statuses=("child_in_difficulty",)),)),
    Group("dibao", 3, False, True, (Rule(statuses=("dibao",)),)),
    Group("dibao_edge", 4, False, False, (Rule(statuses=("dibao_edge",)),)),
    Group("expenditure", 4, False, False, (Rule(statuses=("expenditure",)),)),
)


@dataclass(frozen=True)
class Table:
    """The priority table of one policy version."""

    groups: tuple[Group, ...] = DEFAULT_GROUPS
    backstop_max_tier: int = 3  # the government backstop pays tiers 1..3
    county_pool_max_tier: int = 2  # donated hours go to the most vulnerable first (Nanjing)
    grace_days: int = 30  # a status still counts this many days after its review date
    notice_days: int = 30  # station staff are told this many days before a review date

    def group(self, key: str) -> Group:
        return next(g for g in self.groups if g.key == key)


DEFAULT_TABLE = Table()


@dataclass(frozen=True)
class Status:
    kind: str
    review_date: date


@dataclass(frozen=True)
class Facts:
    """What the rules read about one person."""

    age: int
    living: str | None = None
    statuses: tuple[Status, ...] = ()
    disability_grade: int = 0
    adl_level: int | None = None


@dataclass(frozen=True)
class Priority:
    groups: tuple[str, ...]
    tier: int
    backstop: bool
    county_pool: bool
    grant: bool
    watch_groups: tuple[str, ...]
    counting: tuple[str, ...]  # status kinds that count today
    lapsed: tuple[str, ...] = field(default=())  # status kinds past review date + grace: count for nothing


def status_state(review_date: date, today: date, table: Table = DEFAULT_TABLE) -> str:
    """'ok', 'due' (review within the notice days, or past it within the grace days) or 'lapsed'."""
    if today > review_date + timedelta(days=table.grace_days):
        return "lapsed"
    if today >= review_date - timedelta(days=table.notice_days):
        return "due"
    return "ok"


def lapses_on(review_date: date, table: Table = DEFAULT_TABLE) -> date:
    """The first day a status no longer counts."""
    return review_date + timedelta(days=table.grace_days + 1)


def matches(rule: Rule, facts: Facts, counting: frozenset[str]) -> bool:
    checks = (
        rule.min_age is not None or rule.max_age is not None or rule.living or rule.statuses or rule.all_statuses
        or rule.disability_grades or rule.min_adl is not None)
    if not checks:
        return False
    if rule.min_age is not None and facts.age < rule.min_age:
        return False
    if rule.max_age is not None and facts.age > rule.max_age:
        return False
    if rule.living and facts.living not in rule.living:
        return False
    if rule.statuses and not counting & set(rule.statuses):
        return False
    if rule.all_statuses and not set(rule.all_statuses) <= counting:
        return False
    if rule.disability_grades and facts.disability_grade not in rule.disability_grades:
        return False
    return rule.min_adl is None or (facts.adl_level is not None and facts.adl_level >= rule.min_adl)


def evaluate(facts: Facts, table: Table, today: date) -> Priority:
    """Every priority answer for one person today, from the one table."""
    counting = tuple(sorted({s.kind for s in facts.statuses if status_state(s.review_date, today, table) != "lapsed"}))
    lapsed = tuple(sorted({s.kind for s in facts.statuses} - set(counting)))
    held = frozenset(counting)
    groups = [g for g in table.groups if any(matches(r, facts, held) for r in g.rules)]
    tier = min((g.tier for g in groups), default=OTHER_TIER)
    return Priority(
        groups=tuple(g.key for g in groups), tier=tier, backstop=tier <= table.backstop_max_tier,
        county_pool=tier <= table.county_pool_max_tier, grant=any(g.grant for g in groups),
        watch_groups=tuple(g.key for g in groups if g.watch), counting=counting, lapsed=lapsed)


def public_payer(priority: Priority) -> str | None:
    """The public pool that pays for a visit the station posts (backstop first), or None."""
    if priority.backstop:
        return "backstop"
    return "county_donation" if priority.county_pool else None


def payer_allowed(payer: str, priority: Priority) -> bool:
    """Own hours and a charity's pool (by its own rule) are open to anyone; the public pools by tier."""
    if payer == "backstop":
        return priority.backstop
    if payer == "county_donation":
        return priority.county_pool
    return payer in PAYERS


# ---------------------------------------------------------------------------------------------------------
# storage and validation


def _int(value, low: int, high: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise TableInvalid(name)
    return value


def validate(table: Table) -> Table:
    keys = [g.key for g in table.groups]
    if not keys or len(keys) != len(set(keys)):
        raise TableInvalid("groups")
    for group in table.groups:
        _int(group.tier, 1, OTHER_TIER, "tiers")
        if not group.rules:
            raise TableInvalid("groups")
        for rule in group.rules:
            if not set(rule.statuses) | set(rule.all_statuses) <= set(STATUS_KINDS) or not set(rule.living) <= set(LIVINGS):
                raise TableInvalid("groups")
            if rule.min_adl is not None:
                _int(rule.min_adl, 0, 4, "groups")
    _int(table.backstop_max_tier, 1, OTHER_TIER, "backstop_max_tier")
    _int(table.county_pool_max_tier, 1, OTHER_TIER, "county_pool_max_tier")
    _int(table.grace_days, 0, 365, "grace_days")
    _int(table.notice_days, 1, 180, "notice_days")
    return table


def to_dict(table: Table) -> dict:
    def rule(r: Rule) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in r.__dict__.items()
                if v not in ((), None)}

    return {"groups": [{"key": g.key, "tier": g.tier, "watch": g.watch, "grant": g.grant,
                        "rules": [rule(r) for r in g.rules]} for g in table.groups],
            "backstop_max_tier": table.backstop_max_tier, "county_pool_max_tier": table.county_pool_max_tier,
            "grace_days": table.grace_days, "notice_days": table.notice_days}


def from_dict(data: dict | None) -> Table:
    """A stored table; missing settings take today's defaults."""
    if not data:
        return DEFAULT_TABLE
    try:
        groups = DEFAULT_GROUPS
        if "groups" in data:
            groups = tuple(Group(key=g["key"], tier=g["tier"], watch=bool(g["watch"]), grant=bool(g["grant"]),
                                 rules=tuple(Rule(**{k: (tuple(v) if isinstance(v, list) else v)
                                                     for k, v in r.items()}) for r in g["rules"]))
                           for g in data["groups"])
        settings = {k: data[k] for k in ("backstop_max_tier", "county_pool_max_tier", "grace_days", "notice_days")
                    if k in data}
    except (KeyError, TypeError) as error:
        raise TableInvalid("groups") from error
    return validate(Table(groups=groups, **settings))


def with_settings(table: Table, *, tiers: dict[str, int] | None = None, watch: dict[str, bool] | None = None,
                  grant: dict[str, bool] | None = None, **settings) -> Table:
    """The table with some groups' tier, watch or grant flags and some settings changed (validated)."""
    keys = {g.key for g in table.groups}
    for changes in (tiers or {}, watch or {}, grant or {}):
        if set(changes) - keys:
            raise TableInvalid("groups")
    groups = tuple(replace(g, tier=(tiers or {}).get(g.key, g.tier), watch=bool((watch or {}).get(g.key, g.watch)),
                           grant=bool((grant or {}).get(g.key, g.grant))) for g in table.groups)
    try:
        return validate(replace(table, groups=groups, **settings))
    except TypeError as error:
        raise TableInvalid("groups") from error
