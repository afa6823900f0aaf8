"""Per-county time-bank rules as one frozen value with defaults (DESIGN.md §4 Policy). Pure."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from timebank.people.record_domain import thresholds_problem
from timebank.policy import priority as priority_rules

KINSHIPS = ("spouse", "parent", "child", "grandparent", "grandchild", "sibling")
DIRECT_KINSHIPS = ("spouse", "parent", "child", "grandparent", "grandchild")  # 直系亲属 and spouse
MINOR_MODES = ("group_or_guardian", "group_only", "guardian_only")
DEATH_BALANCES = ("county_pool", "heirs", "frozen")
MAX_CAP_MINUTES = 10_000 * 60


class PolicyInvalid(ValueError):
    """A setting is out of range; `field` names it."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Policy:
    """The rules the ledger enforces. Minutes are integers; ages are whole years."""

    credit_percent: int = 100  # 1 minute served = 1 minute banked
    depositor_min_age: int = 18
    minor_mode: str = "group_or_guardian"  # minors earn only in group activities or with guardian consent
    redeem_min_age: int = 60  # the person served: the depositor, a spouse or a direct relative
    redeem_spouse_counts: bool = True  # a depositor's hours pay for a verified spouse of the redemption age
    hardship_exception: bool = True  # a registered hardship status may redeem earlier, from the floor below
    hardship_redeem_min_age: int = 55  # the earlier floor (Shanghai: 65, or 60 for special hardship)
    relative_direct_pay: bool = False  # Nanjing Gulou: hours pay directly for a verified 60+ direct relative
    gift_kinships: tuple[str, ...] = DIRECT_KINSHIPS  # verified links only
    balance_cap_minutes: int = 1500 * 60  # overflow goes to the county donation pool
    team_hours_donation_only: bool = True
    grant_approval_minutes: int = 100 * 60  # larger grants need a second admin
    hold_expiry_days: int = 30
    hours_expire: bool = False  # no expiry by default; shown, not yet configurable
    cash_allowed: bool = False  # services only, never cash or goods; fixed by law, shown for clarity
    # who is a priority person: groups, tiers, which pools pay, status grace and notice (policy/priority.py)
    priority: priority_rules.Table = priority_rules.DEFAULT_TABLE
    # a deceased person's balance: to the county donation pool (default: no national inheritance rule,
    # and donated hours serve the most vulnerable), to verified direct relatives on approval, or frozen
    death_balance: str = "county_pool"
    # 星级: cumulative service hours for one to five stars (people/record_domain.star_level)
    star_thresholds_hours: tuple[int, ...] = (100, 300, 600, 1000, 1500)

    def to_json(self) -> str:
        data = asdict(self)
        data["gift_kinships"] = list(self.gift_kinships)
        data["star_thresholds_hours"] = list(self.star_thresholds_hours)
        data["priority"] = priority_rules.to_dict(self.priority)
        return json.dumps(data, sort_keys=True, ensure_ascii=False)


DEFAULT_POLICY = Policy()
EDITABLE = tuple(f.name for f in fields(Policy)
                 if f.name not in ("hours_expire", "cash_allowed", "credit_percent", "priority"))


def from_json(text: str | None) -> Policy:
    """A stored version; unknown keys are ignored and missing ones take today's defaults."""
    data = json.loads(text) if text else {}
    known = {f.name for f in fields(Policy)}
    clean = {k: v for k, v in data.items() if k in known}
    if "gift_kinships" in clean:
        clean["gift_kinships"] = tuple(clean["gift_kinships"])
    if isinstance(clean.get("star_thresholds_hours"), list):
        clean["star_thresholds_hours"] = tuple(clean["star_thresholds_hours"])
    if "priority" in clean:
        try:
            clean["priority"] = priority_rules.from_dict(clean["priority"])
        except priority_rules.TableInvalid as error:
            raise PolicyInvalid("priority", error.field) from None
    return validate(Policy(**clean))


def _int_range(policy: Policy, name: str, low: int, high: int) -> None:
    value = getattr(policy, name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PolicyInvalid(name, "range")


def validate(policy: Policy) -> Policy:
    """Return the policy if every setting is sensible, else raise PolicyInvalid."""
    _int_range(policy, "credit_percent", 100, 100)
    _int_range(policy, "depositor_min_age", 14, 25)
    _int_range(policy, "redeem_min_age", 50, 80)
    _int_range(policy, "hardship_redeem_min_age", 50, policy.redeem_min_age)
    _int_range(policy, "balance_cap_minutes", 60, MAX_CAP_MINUTES)
    _int_range(policy, "grant_approval_minutes", 60, MAX_CAP_MINUTES)
    _int_range(policy, "hold_expiry_days", 1, 365)
    if policy.minor_mode not in MINOR_MODES:
        raise PolicyInvalid("minor_mode", "choice")
    if policy.death_balance not in DEATH_BALANCES:
        raise PolicyInvalid("death_balance", "choice")
    if not set(policy.gift_kinships) <= set(KINSHIPS):
        raise PolicyInvalid("gift_kinships", "choice")
    if not isinstance(policy.star_thresholds_hours, tuple) or thresholds_problem(policy.star_thresholds_hours):
        raise PolicyInvalid("star_thresholds_hours", "order")
    if policy.cash_allowed or policy.hours_expire:
        raise PolicyInvalid("cash_allowed", "fixed")
    if not isinstance(policy.priority, priority_rules.Table):
        raise PolicyInvalid("priority", "groups")
    try:
        priority_rules.validate(policy.priority)
    except priority_rules.TableInvalid as error:
        raise PolicyInvalid(error.field, "range") from None
    return policy


def changed_fields(old: Policy, new: Policy) -> list[str]:
    return [f.name for f in fields(Policy) if getattr(old, f.name) != getattr(new, f.name)]
