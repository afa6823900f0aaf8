"""Parse and validate a `timebank-matching/1` problem into frozen dataclasses (see docs/matching.md)."""

from __future__ import annotations

import json
import math

from timebank.matching.entities import (  # noqa: F401 (re-exported: the public names stay here)
    DEFAULT_PARAMS,
    FORMAT,
    Commitment,
    Donation,
    Fund,
    GoodsRequest,
    Params,
    Problem,
    ProblemError,
    ServiceRequest,
    Volunteer,
)

# ---------------------------------------------------------------- field readers


def _fail(where: str, msg: str) -> ProblemError:
    return ProblemError(f"{where}: {msg}")


def _get(obj: dict, key: str, where: str, default=...):
    if key not in obj:
        if default is ...:
            raise _fail(where, f"missing field {key!r}")
        return default
    return obj[key]


def _int(value, where: str, *, lo: int | None = 0, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"expected an integer, got {json.dumps(value)[:40]}")
    if lo is not None and value < lo:
        raise _fail(where, f"must be >= {lo}, got {value}")
    if hi is not None and value > hi:
        raise _fail(where, f"must be <= {hi}, got {value}")
    return value


def _num(value, where: str, *, lo: float | None = None, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(where, f"expected a number, got {json.dumps(value)[:40]}")
    if positive and value <= 0:
        raise _fail(where, f"must be > 0, got {value}")
    if lo is not None and value < lo:
        raise _fail(where, f"must be >= {lo}, got {value}")
    return float(value)


def _str(value, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(where, "expected a non-empty string")
    return value


def _str_list(value, where: str) -> list[str]:
    if not isinstance(value, list):
        raise _fail(where, "expected a list of strings")
    return [_str(v, f"{where}[{i}]") for i, v in enumerate(value)]


def _obj(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(where, "expected an object")
    return value


def _interval(value, where: str) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise _fail(where, "expected [start, end]")
    start, end = _int(value[0], where), _int(value[1], where)
    if end <= start:
        raise _fail(where, f"empty interval [{start}, {end})")
    return start, end


# ---------------------------------------------------------------- sections


def _params(raw) -> Params:
    raw = _obj(raw if raw is not None else {}, "params")
    unknown = sorted(set(raw) - set(DEFAULT_PARAMS))
    if unknown:
        raise _fail("params", f"unknown key {unknown[0]!r}")
    v = {**DEFAULT_PARAMS, **raw}
    return Params(
        slot_minutes=_int(v["slot_minutes"], "params.slot_minutes", lo=1),
        travel_speed_kmh=_num(v["travel_speed_kmh"], "params.travel_speed_kmh", positive=True),
        max_travel_km=_num(v["max_travel_km"], "params.max_travel_km", lo=0),
        continuity_bonus=_int(v["continuity_bonus"], "params.continuity_bonus"),
        travel_penalty_per_km=_int(v["travel_penalty_per_km"], "params.travel_penalty_per_km"),
        goods_value=_int(v["goods_value"], "params.goods_value"),
    )


def _volunteer(raw, i: int) -> Volunteer:
    raw = _obj(raw, f"volunteers[{i}]")
    vid = _str(_get(raw, "id", f"volunteers[{i}]"), f"volunteers[{i}].id")
    w = f"volunteer {vid}"
    avail_raw = _get(raw, "availability", w)
    if not isinstance(avail_raw, list) or not avail_raw:
        raise _fail(w, "availability must be a non-empty list of [start, end]")
    avail = tuple(_interval(a, f"{w} availability[{k}]") for k, a in enumerate(avail_raw))
    for (_, e1), (s2, _) in zip(avail, avail[1:], strict=False):
        if s2 < e1:
            raise _fail(w, "availability intervals must be sorted and non-overlapping")
    commitments = []
    for k, c in enumerate(_get(raw, "commitments", w, []) or []):
        cw = f"{w} commitments[{k}]"
        c = _obj(c, cw)
        start, end = _interval([_get(c, "start", cw), _get(c, "end", cw)], cw)
        commitments.append(
            Commitment(start, end, _num(_get(c, "x_km", cw), cw), _num(_get(c, "y_km", cw), cw))
        )
    social = _get(raw, "social_worker", w, False)
    if not isinstance(social, bool):
        raise _fail(w, "social_worker must be true or false")
    return Volunteer(
        id=vid,
        x_km=_num(_get(raw, "x_km", w), f"{w} x_km"),
        y_km=_num(_get(raw, "y_km", w), f"{w} y_km"),
        skills=frozenset(_str_list(_get(raw, "skills", w, []), f"{w} skills")),
        social_worker=social,
        availability=avail,
        capacity_minutes=_int(_get(raw, "capacity_minutes", w), f"{w} capacity_minutes"),
        max_travel_km=_num(_get(raw, "max_travel_km", w), f"{w} max_travel_km", lo=0),
        served_residents=frozenset(_str_list(_get(raw, "served_residents", w, []), f"{w} served_residents")),
        commitments=tuple(sorted(commitments, key=lambda c: (c.start, c.end))),
    )


def _service(raw: dict, rid: str, params: Params) -> ServiceRequest:
    w = f"request {rid}"
    window = _interval(_get(raw, "window", w), f"{w} window")
    duration = _int(_get(raw, "duration_minutes", w), f"{w} duration_minutes", lo=1)
    if window[1] - window[0] < duration:
        raise _fail(w, f"window {list(window)} is shorter than duration {duration}")
    fixed = _get(raw, "fixed_start", w, None)
    if fixed is not None:
        fixed = _int(fixed, f"{w} fixed_start")
        if fixed < window[0] or fixed + duration > window[1]:
            raise _fail(w, f"fixed_start {fixed} does not fit the window {list(window)}")
        if fixed % params.slot_minutes:
            raise _fail(w, f"fixed_start {fixed} is not a multiple of slot_minutes {params.slot_minutes}")
    else:
        first = -(-window[0] // params.slot_minutes) * params.slot_minutes
        if first + duration > window[1]:
            raise _fail(w, "no start on a slot boundary fits the window")
    vols = _int(_get(raw, "volunteers", w, 0), f"{w} volunteers")
    sws = _int(_get(raw, "social_workers", w, 0), f"{w} social_workers")
    if vols + sws < 1:
        raise _fail(w, "needs at least one seat")
    return ServiceRequest(
        id=rid,
        resident=_str(_get(raw, "resident", w), f"{w} resident"),
        x_km=_num(_get(raw, "x_km", w), f"{w} x_km"),
        y_km=_num(_get(raw, "y_km", w), f"{w} y_km"),
        window=window,
        duration_minutes=duration,
        fixed_start=fixed,
        volunteers=vols,
        social_workers=sws,
        skills=frozenset(_str_list(_get(raw, "skills", w, []), f"{w} skills")),
        priority=_int(_get(raw, "priority", w), f"{w} priority", lo=1, hi=100),
        excluded=frozenset(_str_list(_get(raw, "excluded", w, []), f"{w} excluded")),
        funding=tuple(_str_list(_get(raw, "funding", w, []), f"{w} funding")),
    )


def _goods(raw: dict, rid: str) -> GoodsRequest:
    w = f"request {rid}"
    return GoodsRequest(
        id=rid,
        resident=_str(_get(raw, "resident", w), f"{w} resident"),
        item=_str(_get(raw, "item", w), f"{w} item"),
        quantity=_int(_get(raw, "quantity", w), f"{w} quantity", lo=1),
        priority=_int(_get(raw, "priority", w), f"{w} priority", lo=1, hi=100),
        donations=tuple(_str_list(_get(raw, "donations", w, []), f"{w} donations")),
    )


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ProblemError(f"duplicate {what} id {i!r}")
        seen.add(i)


def _list(raw: dict, key: str) -> list:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ProblemError(f"{key}: expected a list")
    return value


def parse_problem(raw) -> Problem:
    """Validate a decoded JSON document and build a Problem; raise ProblemError on the first defect."""
    if not isinstance(raw, dict):
        raise ProblemError("problem: expected a JSON object")
    if raw.get("format") != FORMAT:
        raise ProblemError(f"format: expected {FORMAT!r}, got {json.dumps(raw.get('format'))[:40]}")
    params = _params(raw.get("params"))
    volunteers = [_volunteer(v, i) for i, v in enumerate(_list(raw, "volunteers"))]
    _unique([v.id for v in volunteers], "volunteer")
    donations = []
    for i, d in enumerate(_list(raw, "donations")):
        d = _obj(d, f"donations[{i}]")
        did = _str(_get(d, "id", f"donations[{i}]"), f"donations[{i}].id")
        w = f"donation {did}"
        donations.append(
            Donation(
                id=did,
                item=_str(_get(d, "item", w), f"{w} item"),
                quantity=_int(_get(d, "quantity", w), f"{w} quantity"),
                x_km=_num(_get(d, "x_km", w, 0.0), f"{w} x_km"),
                y_km=_num(_get(d, "y_km", w, 0.0), f"{w} y_km"),
            )
        )
    _unique([d.id for d in donations], "donation")
    funds = []
    for i, f in enumerate(_list(raw, "funds")):
        f = _obj(f, f"funds[{i}]")
        fid = _str(_get(f, "id", f"funds[{i}]"), f"funds[{i}].id")
        funds.append(Fund(fid, _int(_get(f, "minutes", f"fund {fid}"), f"fund {fid} minutes")))
    _unique([f.id for f in funds], "fund")
    services, goods = [], []
    for i, r in enumerate(_list(raw, "requests")):
        r = _obj(r, f"requests[{i}]")
        rid = _str(_get(r, "id", f"requests[{i}]"), f"requests[{i}].id")
        kind = _get(r, "kind", f"request {rid}")
        if kind == "service":
            services.append(_service(r, rid, params))
        elif kind == "goods":
            goods.append(_goods(r, rid))
        else:
            raise ProblemError(
                f"request {rid}: kind must be 'service' or 'goods', got {json.dumps(kind)[:40]}"
            )
    _unique([r.id for r in services] + [g.id for g in goods], "request")
    vindex = {v.id: i for i, v in enumerate(volunteers)}
    fund_ids = {f.id for f in funds}
    don = {d.id: d for d in donations}
    for r in services:
        for vid in sorted(r.excluded):
            if vid not in vindex:
                raise ProblemError(f"request {r.id}: unknown excluded volunteer {vid!r}")
        for fid in r.funding:
            if fid not in fund_ids:
                raise ProblemError(f"request {r.id}: unknown fund {fid!r}")
        if len(set(r.funding)) != len(r.funding):
            raise ProblemError(f"request {r.id}: fund listed twice")
    for g in goods:
        for did in g.donations:
            if did not in don:
                raise ProblemError(f"request {g.id}: unknown donation {did!r}")
            if don[did].item != g.item:
                raise ProblemError(
                    f"request {g.id}: donation {did!r} holds {don[did].item!r}, not {g.item!r}"
                )
        if len(set(g.donations)) != len(g.donations):
            raise ProblemError(f"request {g.id}: donation listed twice")
    return Problem(
        params=params,
        volunteers=tuple(volunteers),
        services=tuple(services),
        goods=tuple(goods),
        donations=tuple(donations),
        funds=tuple(funds),
        volunteer_index=vindex,
    )


def read_json(path: str, what: str):
    """Read a JSON file, turning I/O and syntax errors into a one-line ProblemError."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise ProblemError(f"{what}: no such file {path!r}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemError(f"{what}: cannot read {path!r}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ProblemError(
            f"{what}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ProblemError(f"{what}: JSON nested too deeply") from None


def load_problem(path: str) -> Problem:
    return parse_problem(read_json(path, "problem"))


def problem_to_dict(p: Problem) -> dict:
    """The exchange-format document for a Problem (used by the bench and the incremental re-solve)."""
    vols = []
    for v in p.volunteers:
        d = {
            "id": v.id,
            "x_km": v.x_km,
            "y_km": v.y_km,
            "skills": sorted(v.skills),
            "social_worker": v.social_worker,
            "availability": [list(a) for a in v.availability],
            "capacity_minutes": v.capacity_minutes,
            "max_travel_km": v.max_travel_km,
            "served_residents": sorted(v.served_residents),
        }
        if v.commitments:
            d["commitments"] = [
                {"start": c.start, "end": c.end, "x_km": c.x_km, "y_km": c.y_km} for c in v.commitments
            ]
        vols.append(d)
    reqs: list[dict] = [
        {
            "id": r.id,
            "kind": "service",
            "resident": r.resident,
            "x_km": r.x_km,
            "y_km": r.y_km,
            "window": list(r.window),
            "duration_minutes": r.duration_minutes,
            "fixed_start": r.fixed_start,
            "volunteers": r.volunteers,
            "social_workers": r.social_workers,
            "skills": sorted(r.skills),
            "priority": r.priority,
            "excluded": sorted(r.excluded),
            "funding": list(r.funding),
        }
        for r in p.services
    ]
    reqs += [
        {
            "id": g.id,
            "kind": "goods",
            "resident": g.resident,
            "item": g.item,
            "quantity": g.quantity,
            "priority": g.priority,
            "donations": list(g.donations),
        }
        for g in p.goods
    ]
    pr = p.params
    return {
        "format": FORMAT,
        "params": {
            "slot_minutes": pr.slot_minutes,
            "travel_speed_kmh": pr.travel_speed_kmh,
            "max_travel_km": pr.max_travel_km,
            "continuity_bonus": pr.continuity_bonus,
            "travel_penalty_per_km": pr.travel_penalty_per_km,
            "goods_value": pr.goods_value,
        },
        "volunteers": vols,
        "requests": reqs,
        "donations": [
            {"id": d.id, "item": d.item, "quantity": d.quantity, "x_km": d.x_km, "y_km": d.y_km}
            for d in p.donations
        ],
        "funds": [{"id": f.id, "minutes": f.minutes} for f in p.funds],
    }
