"""The problem's data types (frozen dataclasses) and ProblemError; parsing lives in problem.py."""

from __future__ import annotations

from dataclasses import dataclass, field

FORMAT = "timebank-matching/1"

DEFAULT_PARAMS = {
    "slot_minutes": 15,
    "travel_speed_kmh": 15,
    "max_travel_km": 10,
    "continuity_bonus": 30,
    "travel_penalty_per_km": 2,
    "goods_value": 60,
}


class ProblemError(ValueError):
    """Input that does not follow the exchange format; the message is one line."""


@dataclass(frozen=True)
class Params:
    slot_minutes: int = 15
    travel_speed_kmh: float = 15
    max_travel_km: float = 10
    continuity_bonus: int = 30
    travel_penalty_per_km: int = 2
    goods_value: int = 60


@dataclass(frozen=True)
class Commitment:
    start: int
    end: int
    x_km: float
    y_km: float


@dataclass(frozen=True)
class Volunteer:
    id: str
    x_km: float
    y_km: float
    skills: frozenset[str]
    social_worker: bool
    availability: tuple[tuple[int, int], ...]
    capacity_minutes: int
    max_travel_km: float
    served_residents: frozenset[str]
    commitments: tuple[Commitment, ...] = ()


@dataclass(frozen=True)
class ServiceRequest:
    id: str
    resident: str
    x_km: float
    y_km: float
    window: tuple[int, int]
    duration_minutes: int
    fixed_start: int | None
    volunteers: int
    social_workers: int
    skills: frozenset[str]
    priority: int
    excluded: frozenset[str]
    funding: tuple[str, ...]
    kind: str = "service"

    @property
    def seats(self) -> int:
        return self.volunteers + self.social_workers


@dataclass(frozen=True)
class GoodsRequest:
    id: str
    resident: str
    item: str
    quantity: int
    priority: int
    donations: tuple[str, ...]
    kind: str = "goods"


@dataclass(frozen=True)
class Donation:
    id: str
    item: str
    quantity: int
    x_km: float
    y_km: float


@dataclass(frozen=True)
class Fund:
    id: str
    minutes: int


@dataclass(frozen=True)
class Problem:
    params: Params
    volunteers: tuple[Volunteer, ...]
    services: tuple[ServiceRequest, ...]
    goods: tuple[GoodsRequest, ...]
    donations: tuple[Donation, ...]
    funds: tuple[Fund, ...]
    volunteer_index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def volunteer(self, vid: str) -> Volunteer:
        return self.volunteers[self.volunteer_index[vid]]
