"""Pure rules of the equity view: how long since a village was last served, which villages stand out, the
sort orders of the table. No Flask, no ORM, no clock."""

from __future__ import annotations

from dataclasses import dataclass, field

PERIODS = (30, 90, 180, 365)
DEFAULT_PERIOD = 365
# buckets of days since the last service: (upper bound inclusive, key); None = never served
BUCKETS = ((30, "recent"), (90, "month"), (180, "quarter"))
SORTS = ("gap", "village", "township", "need", "requests", "visits", "minutes", "days")


@dataclass
class Village:
    id: int
    name: str
    township_id: int
    township: str
    need_by_group: dict[str, int] = field(default_factory=dict)
    in_need: int = 0  # residents in at least one priority group
    tier_top: int = 0  # of them, in tier 1 or 2
    requests: int = 0  # posted in the period
    open_requests: int = 0  # waiting now
    served_minutes: int = 0  # settled (credited) service in the period
    visits: int = 0  # visits (a volunteer checked out) in the period
    days_since: int | None = None  # since the last visit (any time); None = never
    has_station: bool = False

    @property
    def bucket(self) -> str:
        return bucket(self.days_since)

    @property
    def gap(self) -> bool:
        """Need and no visit in the period: the villages the county must look at first."""
        return self.in_need > 0 and self.visits == 0


def bucket(days_since: int | None) -> str:
    if days_since is None:
        return "never"
    for bound, key in BUCKETS:
        if days_since <= bound:
            return key
    return "long"


def sort_key(name: str):
    """Key functions for the table; every order is stable on the village name last."""
    never = 10**9
    keys = {
        "gap": lambda v: (not v.gap, -(v.days_since if v.days_since is not None else never), -v.in_need, v.name),
        "village": lambda v: (v.name,),
        "township": lambda v: (v.township, v.name),
        "need": lambda v: (-v.in_need, v.name),
        "requests": lambda v: (-v.requests, v.name),
        "visits": lambda v: (v.visits, v.name),
        "minutes": lambda v: (v.served_minutes, v.name),
        "days": lambda v: (-(v.days_since if v.days_since is not None else never), v.name),
    }
    return keys.get(name, keys["gap"])


def sort_villages(villages: list[Village], order: str) -> list[Village]:
    return sorted(villages, key=sort_key(order))


def group_by_township(villages: list[Village]) -> list[tuple[str, list[Village]]]:
    """Townships in name order, each with its villages in name order (the SVG grid's rows)."""
    townships: dict[tuple[str, int], list[Village]] = {}
    for village in villages:
        townships.setdefault((village.township, village.township_id), []).append(village)
    return [(name, sorted(rows, key=lambda v: v.name)) for (name, _id), rows in sorted(townships.items())]


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    village: Village


@dataclass(frozen=True)
class Grid:
    width: int
    height: int
    labels: tuple[tuple[int, int, str], ...]
    cells: tuple[Cell, ...]


CELL_W, CELL_H, GAP, LABEL_H, PER_ROW, PAD = 128, 66, 6, 30, 6, 4


def grid(townships: list[tuple[str, list[Village]]], per_row: int = PER_ROW) -> Grid:
    """The SVG grid's geometry: per township a label line, then its villages in rows of `per_row` cells."""
    labels, cells = [], []
    y = 0
    for name, villages in townships:
        labels.append((PAD, y + LABEL_H - 9, name))
        y += LABEL_H
        for index, village in enumerate(villages):
            column, row = index % per_row, index // per_row
            cells.append(Cell(PAD + column * (CELL_W + GAP), y + row * (CELL_H + GAP), village))
        rows = (len(villages) + per_row - 1) // per_row
        y += rows * (CELL_H + GAP) + GAP
    return Grid(2 * PAD + per_row * (CELL_W + GAP), max(y, 1) + PAD, tuple(labels), tuple(cells))
