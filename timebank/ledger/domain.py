"""Pure ledger rules: amounts, spendable minutes, the cap, eligibility, body hashes, reconciliation.

Integer minutes everywhere. No Flask, no ORM, no clock: callers pass `today` and plain values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ACCOUNT_KINDS = ("person", "pool", "charity", "issuance")
POOLS = ("county_donation", "backstop")
ISSUANCE_CODE = "issuance"
TRANSFER_KINDS = ("earn", "gift", "donate", "grant", "overflow", "redeem", "reversal")
# posted: a single-phase transfer; pending: a hold; post/void/expire: resolve a hold exactly once.
PHASES = ("posted", "pending", "post", "void", "expire")
POSTED_PHASES = ("posted", "post")
RESOLUTION_PHASES = ("post", "void", "expire")
MAX_TRANSFER_MINUTES = 1_000_000  # ~16,667 hours: anything larger is a typing mistake


def pool_code(pool: str) -> str:
    return f"pool:{pool}"


def charity_code(charity_id: int) -> str:
    return f"charity:{charity_id}"


class LedgerRuleBroken(Exception):
    """A pure rule failed; `reason` is a stable code the service turns into a translated error."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def parse_minutes(value: object, *, maximum: int = MAX_TRANSFER_MINUTES) -> int:
    """A whole positive number of minutes, at most `maximum`; anything else raises LedgerRuleBroken."""
    if isinstance(value, bool):
        raise LedgerRuleBroken("minutes_not_integer")
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit() and not (text.startswith("-") and text[1:].isdigit()):
            raise LedgerRuleBroken("minutes_not_integer")
        value = int(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise LedgerRuleBroken("minutes_not_integer")
        value = int(value)
    if not isinstance(value, int):
        raise LedgerRuleBroken("minutes_not_integer")
    if value <= 0:
        raise LedgerRuleBroken("minutes_not_positive")
    if value > maximum:
        raise LedgerRuleBroken("minutes_too_large", maximum=maximum)
    return value


def spendable(balance: int, pending_debits: int) -> int:
    """Credits − posted debits − pending debits."""
    return balance - pending_debits


def check_spend(kind: str, balance: int, pending_debits: int, minutes: int) -> None:
    """Every account but issuance must cover a debit from what it can still spend."""
    if kind != "issuance" and minutes > spendable(balance, pending_debits):
        raise LedgerRuleBroken("insufficient", spendable=spendable(balance, pending_debits), minutes=minutes)


def overflow(balance: int, pending_debits: int, cap: int) -> int:
    """Minutes above the cap to move to the county pool, never touching minutes reserved by holds."""
    if balance <= cap:
        return 0
    return max(0, min(balance - cap, balance - pending_debits))


RELATIONS = ("self", "spouse", "direct_relative", "none")
DIRECT_RELATIVES = frozenset({"parent", "child", "grandparent", "grandchild"})  # 直系亲属 (spouse apart)


@dataclass(frozen=True)
class RedeemRule:
    """The redemption settings of the policy in force, as plain values."""

    min_age: int = 60
    hardship_exception: bool = True
    hardship_min_age: int = 55
    spouse_counts: bool = True
    relative_direct_pay: bool = False


def relation_of(kinships: Iterable[str]) -> str:
    """The strongest verified, still-linked relation between a payer and the person served."""
    kinds = set(kinships)
    if "spouse" in kinds:
        return "spouse"
    if kinds & DIRECT_RELATIVES:
        return "direct_relative"
    return "none"


def redeem_refusal(*, relation: str, served_age: int, served_hardship: bool, rule: RedeemRule) -> str | None:
    """None when a depositor's hours may pay for a service to this person; else the reason why not.

    The person served decides the age: the depositor themselves, a verified spouse (when the spouse rule is
    on) or a verified direct relative (when direct pay is on) must have reached `min_age`; a person served
    holding a hardship status may redeem from `hardship_min_age` instead (when the exception is on).
    Reasons: "not_relative", "spouse_off", "relative_off", "age", "hardship_age".
    """
    if relation == "spouse" and not rule.spouse_counts:
        return "spouse_off"
    if relation == "direct_relative" and not rule.relative_direct_pay:
        return "relative_off"
    if relation not in ("self", "spouse", "direct_relative"):
        return "not_relative"
    if served_age >= rule.min_age:
        return None
    if rule.hardship_exception and served_hardship:
        return None if served_age >= rule.hardship_min_age else "hardship_age"
    return "age"


def may_redeem(*, age: int, has_hardship: bool, rule: RedeemRule, relation: str = "self") -> bool:
    """Hours pay for a service to a person of this age (see `redeem_refusal`)."""
    return redeem_refusal(relation=relation, served_age=age, served_hardship=has_hardship, rule=rule) is None


def may_gift(links: Iterable[tuple[str, bool]], allowed_kinships: Iterable[str]) -> str | None:
    """None if one verified link has an allowed kinship; else why not ("not_relative"/"unverified"/"kinship")."""
    links = list(links)
    if not links:
        return "not_relative"
    allowed = set(allowed_kinships)
    if any(verified and kinship in allowed for kinship, verified in links):
        return None
    if not any(verified for _kinship, verified in links):
        return "unverified"
    return "kinship"


def may_deposit(*, age: int, min_age: int, minor_mode: str, team: bool, guardian_consent: bool) -> bool:
    """Adults always; minors per policy: group activities and/or with a guardian's consent."""
    if age >= min_age:
        return True
    if minor_mode == "group_only":
        return team
    if minor_mode == "guardian_only":
        return guardian_consent
    return team or guardian_consent


def body_hash(operation: str, body: Mapping[str, object]) -> str:
    """A stable digest of what was asked, so a reused idempotency key with another body is caught."""
    text = json.dumps({"op": operation, **body}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------------
# reconciliation: the invariants `flask ledger check` verifies, over plain values


@dataclass(frozen=True)
class AccountFigures:
    id: int
    kind: str
    label: str
    balance: int  # cached
    pending_debits: int  # cached
    pending_credits: int  # cached


@dataclass(frozen=True)
class Recomputed:
    """Sums from the transfers themselves, per account id."""

    posted_credits: Mapping[int, int]
    posted_debits: Mapping[int, int]
    open_pending_debits: Mapping[int, int]
    open_pending_credits: Mapping[int, int]


@dataclass
class CheckReport:
    accounts: int = 0
    transfers: int = 0
    open_holds: int = 0
    liability: int = 0
    cached_total: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        head = "ledger ok" if self.ok else f"ledger BROKEN ({len(self.violations)} violations)"
        return (f"{head}: {self.accounts} accounts, {self.transfers} transfers, {self.open_holds} open holds, "
                f"sum of balances {self.cached_total}, outstanding liability {self.liability} min")


def reconcile(accounts: Iterable[AccountFigures], sums: Recomputed, *, transfers: int, open_holds: int,
              structural: Iterable[str] = ()) -> CheckReport:
    """Compare cached balances with recomputed ones and check the global invariants."""
    report = CheckReport(transfers=transfers, open_holds=open_holds)
    report.violations.extend(structural)
    total = cached = 0
    for acc in accounts:
        report.accounts += 1
        balance = sums.posted_credits.get(acc.id, 0) - sums.posted_debits.get(acc.id, 0)
        pending_d = sums.open_pending_debits.get(acc.id, 0)
        pending_c = sums.open_pending_credits.get(acc.id, 0)
        total += balance
        cached += acc.balance
        if balance != acc.balance:
            report.violations.append(
                f"cached balance differs: account {acc.id} ({acc.label}) cached {acc.balance}, recomputed {balance}")
        if pending_d != acc.pending_debits or pending_c != acc.pending_credits:
            report.violations.append(
                f"cached pending differs: account {acc.id} ({acc.label}) cached {acc.pending_debits}/"
                f"{acc.pending_credits}, recomputed {pending_d}/{pending_c}")
        if acc.kind == "issuance":
            report.liability = -balance
        elif balance - pending_d < 0:
            report.violations.append(
                f"negative spendable: account {acc.id} ({acc.label}) balance {balance}, pending {pending_d}")
    report.cached_total = cached
    if total != 0:
        report.violations.append(f"sum of recomputed balances is {total}, not 0")
    if cached != 0:
        report.violations.append(f"sum of cached balances is {cached}, not 0")
    return report
