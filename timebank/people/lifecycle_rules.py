"""Pure rules for a person over time: corrections, moves, death and the balance left behind. No Flask, no ORM."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

PERSON_STATUSES = ("active", "moved", "deceased")
ADL_LEVELS = (0, 1, 2, 3, 4)  # GB/T 42195-2022: 0 能力完好 … 4 完全失能
DISABILITY_TYPES = ("visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple")
DEATH_BALANCE_CHOICES = ("county_pool", "heirs", "frozen")
# requests that have not started yet: a move, a move away or a death cancels them
UNSTARTED_REQUEST_STATUSES = ("review", "open", "matched")


class RuleBroken(ValueError):
    """A rule failed; `reason` is a stable code the service turns into a translated error."""

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field


def check_adl(level: int | None, assessed_on: date | None, today: date) -> None:
    """失能 level and its assessment date come together (both or neither); the date is not in the future."""
    if (level is None) != (assessed_on is None):
        raise RuleBroken("adl_pair", "adl_level" if level is None else "adl_assessed_on")
    if level is not None and level not in ADL_LEVELS:
        raise RuleBroken("adl_level", "adl_level")
    if assessed_on is not None and assessed_on > today:
        raise RuleBroken("adl_future", "adl_assessed_on")


def check_death(status: str, died_on: date | None, birth: date, today: date) -> None:
    """A death is recorded once, with a date that is neither in the future nor before the birth."""
    if status == "deceased":
        raise RuleBroken("already_deceased")
    if died_on is None:
        raise RuleBroken("died_on_missing", "died_on")
    if died_on > today:
        raise RuleBroken("died_on_future", "died_on")
    if died_on < birth:
        raise RuleBroken("died_on_before_birth", "died_on")


def check_active(status: str) -> None:
    """Only a person living in the county can be moved, registered again or given new work."""
    if status == "deceased":
        raise RuleBroken("deceased")
    if status == "moved":
        raise RuleBroken("moved_away")


def is_other_township(current_village_path: str, target_village_path: str) -> bool:
    """A move goes to a village under another township (paths are /county/township/village/)."""
    return _township(current_village_path) != _township(target_village_path)


def _township(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[:2])


def heir_problem(links: Iterable[tuple[str, bool, bool]], direct_kinships: Sequence[str]) -> str | None:
    """None when one of the (kinship, verified, unlinked) links makes the person a verified direct relative."""
    links = list(links)
    if not links:
        return "not_relative"
    live = [(k, v) for k, v, unlinked in links if not unlinked]
    if not any(v for _k, v in live):
        return "not_verified"
    if not any(v and k in direct_kinships for k, v in live):
        return "not_direct"
    return None


def split_equally(minutes: int, heirs: Sequence[int]) -> list[tuple[int, int]]:
    """Whole minutes shared equally in the given order; the first heirs take the remainder, one each.

    Heirs whose share would be zero are left out (a transfer moves at least one minute).
    """
    if minutes < 0 or not heirs or len(set(heirs)) != len(heirs):
        raise RuleBroken("heirs", "heirs")
    base, rest = divmod(minutes, len(heirs))
    shares = [(heir, base + (1 if i < rest else 0)) for i, heir in enumerate(heirs)]
    return [(heir, share) for heir, share in shares if share > 0]


def may_approve(proposer_id: int, approver_id: int) -> bool:
    """Four eyes: the approval is by a different person than the proposer."""
    return proposer_id != approver_id
