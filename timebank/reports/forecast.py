"""The liability forecast: a pure model of the next years' redemption demand against expected deposits.

Inputs are plain numbers: the minutes each age holds today (positive balances of personal accounts, by the
depositor's age in the current year), the minutes each age deposited over the last 12 months, and the
assumptions below. Each year of the forecast:

1. everyone is one year older (the balances of an age move to the next age; beyond MAX_AGE they lapse);
2. each age deposits what that age deposited last year, times (1 + deposit growth) per year since today;
3. a share of every balance lapses (deaths, moves, donations to the pool: the lapse rate);
4. depositors at or above the redemption age redeem the redemption rate of their balance: the demand.

The county is solvent in a year when the deposits of the year (the minutes volunteers serve) cover the
demand of the year: every redeemed minute must be served by someone. Minutes are integers throughout.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

HORIZON = 20
MAX_AGE = 100
COHORTS: tuple[tuple[str, int, int | None], ...] = (
    ("under_30", 0, 29), ("30_39", 30, 39), ("40_49", 40, 49), ("50_59", 50, 59), ("60_69", 60, 69),
    ("70_79", 70, 79), ("80_plus", 80, None))


class AssumptionInvalid(ValueError):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Assumptions:
    redemption_age: int = 60  # from the policy in force unless the admin sets another
    redemption_rate_pct: int = 15  # share of a redeeming-age depositor's balance redeemed each year
    lapse_rate_pct: int = 2  # share of every balance that lapses each year
    deposit_growth_pct: int = 3  # yearly growth of deposits (negative: shrinking)


LIMITS = {"redemption_age": (50, 80), "redemption_rate_pct": (1, 100), "lapse_rate_pct": (0, 50),
          "deposit_growth_pct": (-50, 100)}


def validate(assumptions: Assumptions) -> Assumptions:
    for name, (low, high) in LIMITS.items():
        value = getattr(assumptions, name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise AssumptionInvalid(name)
    return assumptions


def from_dict(data: dict | None, *, redemption_age: int = 60) -> Assumptions:
    """Stored settings over the defaults (unknown keys ignored); the policy's redemption age by default."""
    base = asdict(Assumptions(redemption_age=redemption_age))
    for item in fields(Assumptions):
        if data and item.name in data:
            base[item.name] = data[item.name]
    return validate(Assumptions(**base))


def to_dict(assumptions: Assumptions) -> dict:
    return asdict(assumptions)


@dataclass(frozen=True)
class Year:
    year: int  # 1 = the coming twelve months
    deposits: int
    demand: int
    lapsed: int
    liability: int  # minutes owed at the end of the year

    @property
    def covered(self) -> bool:
        return self.deposits >= self.demand


def cohort_of(age: int) -> str:
    for key, low, high in COHORTS:
        if age >= low and (high is None or age <= high):
            return key
    return COHORTS[0][0]


def by_cohort(values: dict[int, int]) -> list[tuple[str, int]]:
    totals = {key: 0 for key, _low, _high in COHORTS}
    for age, minutes in values.items():
        totals[cohort_of(age)] += minutes
    return list(totals.items())


def project(balances: dict[int, int], deposits: dict[int, int], assumptions: Assumptions,
            horizon: int = HORIZON) -> list[Year]:
    """Balances and last year's deposits by age -> one Year per year of the horizon."""
    validate(assumptions)
    held = {age: minutes for age, minutes in balances.items() if minutes > 0}
    growth = 1 + assumptions.deposit_growth_pct / 100
    years = []
    for year in range(1, horizon + 1):
        aged: dict[int, int] = {}
        lapsed = 0
        for age, minutes in held.items():
            if age + 1 > MAX_AGE:
                lapsed += minutes
            else:
                aged[age + 1] = aged.get(age + 1, 0) + minutes
        factor = growth ** year
        deposited = 0
        for age, minutes in deposits.items():
            added = round(minutes * factor)
            if added > 0:
                aged[age] = aged.get(age, 0) + added
                deposited += added
        demand = 0
        for age in list(aged):
            lost = aged[age] * assumptions.lapse_rate_pct // 100
            aged[age] -= lost
            lapsed += lost
            if age >= assumptions.redemption_age:
                redeemed = aged[age] * assumptions.redemption_rate_pct // 100
                aged[age] -= redeemed
                demand += redeemed
        held = {age: minutes for age, minutes in aged.items() if minutes > 0}
        years.append(Year(year, deposited, demand, lapsed, sum(held.values())))
    return years


def first_shortfall(years: list[Year]) -> int | None:
    """The first year whose demand exceeds its deposits, or None."""
    return next((y.year for y in years if not y.covered), None)
