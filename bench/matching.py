"""Matching benchmark: seeded county-like problems, greedy baseline, LP bound, solver in a subprocess.

    python bench/matching.py [--sizes S,M,L,XL] [--seed N]

Every solution is re-verified here with timebank.matching.verify before its objective is reported.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from timebank.matching.candidates import build_candidates  # noqa: E402
from timebank.matching.greedy import greedy  # noqa: E402
from timebank.matching.incremental import resolve  # noqa: E402
from timebank.matching.lp import lp_bound  # noqa: E402
from timebank.matching.plan import to_solution  # noqa: E402
from timebank.matching.problem import parse_problem  # noqa: E402
from timebank.matching.solution import parse_solution  # noqa: E402
from timebank.matching.solver import TOP_K, sparsify  # noqa: E402
from timebank.matching.verify import verify  # noqa: E402

SIZES = {
    "S": (500, 300, 2.0),
    "M": (5_000, 3_000, 10.0),
    "L": (20_000, 10_000, 45.0),
    "XL": (50_000, 25_000, 120.0),
}
SKILLS = [
    ("companionship", 20, 60),
    ("cleaning", 14, 120),
    ("meal_delivery", 14, 30),
    ("medical_escort", 8, 180),
    ("shopping", 12, 60),
    ("home_repair", 6, 120),
    ("haircut", 6, 30),
    ("tutoring", 7, 90),
    ("psych_support", 3, 60),
    ("legal_aid", 1.5, 60),
    ("it_help", 4, 45),
    ("rehab", 4, 60),
]
ITEMS = ["wheelchair", "walker", "rice_10kg", "quilt", "heater", "cooking_oil"]
DAY = 1440
BLOCKS = [(480, 720), (810, 1050), (1110, 1260)]  # 08:00-12:00, 13:30-17:30, 18:30-21:00


# ------------------------------------------------------------------ generator


def _county(rng: random.Random):
    towns = [(32.0, 27.0, 0)]  # county seat
    while len(towns) < 20:
        x, y = rng.uniform(4, 61), rng.uniform(4, 51)
        if all(math.hypot(x - a, y - b) > 9 for a, b, _ in towns):
            towns.append((x, y, len(towns)))
    places = []  # (x, y, town, weight)
    for tx, ty, t in towns:
        n = rng.randint(15, 25) if t == 0 else rng.randint(10, 30)
        spread = 3.0 if t == 0 else 6.0
        for _ in range(n):
            places.append(
                (
                    tx + rng.gauss(0, spread / 2),
                    ty + rng.gauss(0, spread / 2),
                    t,
                    rng.uniform(2, 5) if t == 0 else rng.uniform(0.5, 1.5),
                )
            )
    return towns, places


def generate(n_vol: int, n_req: int, seed: int) -> dict:
    rng = random.Random(seed)
    towns, places = _county(rng)
    order = sorted(range(20), key=lambda t: math.hypot(towns[t][0] - 32, towns[t][1] - 27))
    covered = set(order[: max(1, min(20, round(20 * n_vol / 20_000)))])
    here = [p for p in places if p[2] in covered]
    weights = [p[3] for p in here]

    def spot():
        x, y, t, _ = rng.choices(here, weights)[0]
        return round(x + rng.gauss(0, 0.4), 3), round(y + rng.gauss(0, 0.4), 3), t

    skill_w = [w for _, w, _ in SKILLS]
    volunteers = []
    for i in range(n_vol):
        x, y, t = spot()
        kind = rng.choices(["retired", "working", "student", "other"], [47, 36, 10, 7])[0]
        days, blocks = {
            "retired": ([0, 1, 2, 3, 4], [0, 1]),
            "working": ([0, 1, 2, 3, 4, 5, 6], [2]),
            "student": ([5, 6], [0, 1]),
            "other": (list(range(7)), [0, 1, 2]),
        }[kind]
        if kind == "working":
            slots = [(d, 2) for d in range(5)] + [(d, b) for d in (5, 6) for b in (0, 1)]
        else:
            slots = [(d, b) for d in days for b in blocks]
        chosen = sorted(rng.sample(slots, min(len(slots), rng.randint(2, 6))))
        avail = [[d * DAY + BLOCKS[b][0], d * DAY + BLOCKS[b][1]] for d, b in chosen]
        sw = rng.random() < 0.025
        skills = sorted(
            {s for (s,) in [(rng.choices(SKILLS, skill_w)[0][0],) for _ in range(rng.randint(1, 3))]}
        )
        v = {
            "id": f"v{i:05d}",
            "x_km": x,
            "y_km": y,
            "skills": skills,
            "social_worker": sw,
            "availability": avail,
            "capacity_minutes": rng.choice([240, 360, 480]) if sw else rng.choice([60, 120, 180, 240]),
            "max_travel_km": 15 if sw else rng.choices([3, 6, 12, 25], [45, 35, 15, 5])[0],
            "served_residents": [],
        }
        if rng.random() < 0.05:
            d0, d1 = avail[0]
            v["commitments"] = [{"start": d0, "end": d0 + 60, "x_km": x + 1, "y_km": y}]
        volunteers.append((v, t))
    funds = [{"id": "pool-county", "minutes": n_req * 25}]
    funds += [
        {"id": f"pool-t{t:02d}", "minutes": rng.randint(60, 600) * max(1, n_req // 300)}
        for t in sorted(covered)
    ]
    donations = []
    for t in sorted(covered):
        for item in ITEMS:
            if rng.random() < 0.5:
                donations.append(
                    {
                        "id": f"d{t:02d}-{item}",
                        "item": item,
                        "quantity": rng.randint(1, 6) * max(1, n_req // 1000),
                        "x_km": towns[t][0],
                        "y_km": towns[t][1],
                    }
                )
    requests = []
    vols_by_town: dict[int, list[str]] = {}
    for v, t in volunteers:
        vols_by_town.setdefault(t, []).append(v["id"])
    for j in range(n_req):
        x, y, t = spot()
        res = f"p{j:05d}"
        prio = rng.choices([10, 25, 40, 60, 80, 100], [15, 25, 25, 18, 12, 5])[0]
        if rng.random() < 0.10:
            item = rng.choice(ITEMS)
            dons = [
                d["id"]
                for d in donations
                if d["item"] == item and (d["id"].startswith(f"d{t:02d}") or rng.random() < 0.3)
            ]
            requests.append(
                {
                    "id": f"g{j:05d}",
                    "kind": "goods",
                    "resident": res,
                    "item": item,
                    "quantity": rng.randint(1, 3),
                    "priority": prio,
                    "donations": dons,
                }
            )
            continue
        sk, _, dur = rng.choices(SKILLS, skill_w)[0]
        skills = [sk]
        if rng.random() < 0.12:
            skills = sorted({sk, rng.choices(SKILLS, skill_w)[0][0]})
        team = rng.random() < 0.08
        day = rng.choices(range(7), [18, 18, 18, 18, 18, 5, 5])[0]
        b = rng.choices(range(3), [55, 35, 10])[0]
        lo, hi = day * DAY + BLOCKS[b][0], day * DAY + BLOCKS[b][1]
        dur = min(dur, hi - lo)
        if rng.random() < 0.55:
            start = lo + 15 * rng.randint(0, (hi - lo - dur) // 15)
            window, fixed = [start, start + dur], start
        else:
            slack = rng.choice([30, 60, 90, 120])
            start = lo + 15 * rng.randint(0, max(0, (hi - lo - dur - slack) // 15))
            window, fixed = [start, min(hi, start + dur + slack)], None
        funding = []
        if rng.random() < 0.5:
            funding.append(f"acct-{res}")
            funds.append({"id": f"acct-{res}", "minutes": rng.choice([0, 60, 120, 240])})
        funding += [f"pool-t{t:02d}", "pool-county"]
        excluded = []
        if rng.random() < 0.03 and vols_by_town.get(t):
            excluded = [rng.choice(vols_by_town[t])]
        requests.append(
            {
                "id": f"r{j:05d}",
                "kind": "service",
                "resident": res,
                "x_km": x,
                "y_km": y,
                "window": window,
                "duration_minutes": dur,
                "fixed_start": fixed,
                "volunteers": rng.choice([1, 2, 2]) if team else 1,
                "social_workers": 1 if team else 0,
                "skills": skills,
                "priority": prio,
                "excluded": excluded,
                "funding": funding,
            }
        )
    # continuity: some volunteers served a nearby resident before
    residents = [(r["resident"], r["x_km"], r["y_km"]) for r in requests if r["kind"] == "service"]
    for v, _ in volunteers:
        if rng.random() < 0.15:
            near = [
                res
                for res, x, y in rng.sample(residents, min(40, len(residents)))
                if math.hypot(x - v["x_km"], y - v["y_km"]) < 6
            ]
            v["served_residents"] = near[:2]
    return {
        "format": "timebank-matching/1",
        "params": {},
        "volunteers": [v for v, _ in volunteers],
        "requests": requests,
        "donations": donations,
        "funds": funds,
    }


# ------------------------------------------------------------------ measurements


def _child(problem_path: str, out_path: str, time_limit: float, seed: int) -> None:
    from timebank.matching.problem import load_problem
    from timebank.matching.solution import solution_to_dict
    from timebank.matching.solver import solve

    p = load_problem(problem_path)
    t = time.monotonic()
    s = solve(p, time_limit_s=time_limit, workers=1, seed=seed)
    wall = time.monotonic() - t
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump(solution_to_dict(s), fh)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": wall, "rss_mb": rss_mb, "engine": s.engine}))


def _solve_in_child(path: str, time_limit: float, seed: int, tmp: str) -> tuple[dict, dict]:
    out = os.path.join(tmp, "solution.json")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", path, out, str(time_limit), str(seed)],
        capture_output=True,
        text=True,
        check=True,
    )
    with open(out, encoding="utf-8") as fh:
        return json.loads(proc.stdout.strip().splitlines()[-1]), json.load(fh)


def _ratio(a, b) -> str:
    return f"{a / b:.4f}" if a is not None and b else "–"


def run_size(name: str, seed: int, tmp: str) -> dict:
    n_vol, n_req, limit = SIZES[name]
    doc = generate(n_vol, n_req, seed)
    path = os.path.join(tmp, f"{name}.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    p = parse_problem(doc)
    t = time.monotonic()
    c = build_candidates(p)
    g = greedy(c)
    greedy_s = time.monotonic() - t
    gsol = to_solution(p, g, status="FEASIBLE", bound=None, wall=greedy_s)
    gv = verify(p, gsol)
    assert gv.ok, gv.violations[:3]
    t = time.monotonic()
    bound, stats = lp_bound(c, sparsify(c, TOP_K, g), time_limit_s=900)
    bound_s = time.monotonic() - t
    info, sol_doc = _solve_in_child(path, limit, seed, tmp)
    sol = parse_solution(sol_doc)
    v = verify(p, sol)
    assert v.ok, v.violations[:3]
    best = min(x for x in (bound, sol.bound) if x is not None)
    return {
        "size": name,
        "V": n_vol,
        "R": n_req,
        "limit": limit,
        "edges": c.n_edges,
        "triples": len(c.t_e),
        "greedy": gv.objective,
        "greedy_s": greedy_s,
        "lp": bound,
        "lp_s": bound_s,
        "best_bound": best,
        "objective": v.objective,
        "status": sol.status,
        "wall": info["wall"],
        "rss_mb": info["rss_mb"],
        "engine": info["engine"],
        "served": len(sol.assignments),
        "problem": p,
        "solution": sol,
    }


def incremental_rows(row: dict, seed: int) -> list[dict]:
    p, sol, bound = row["problem"], row["solution"], row["best_bound"]
    rng = random.Random(seed)
    out = []
    accepted = {a.request for a in sol.assignments} | {g.request for g in sol.allocations}
    # one decline: a volunteer of an accepted team leaves that request
    victim = sorted(sol.assignments, key=lambda a: (-(len(a.volunteers) + len(a.social_workers)), a.request))[
        0
    ]
    who = (victim.volunteers + victim.social_workers)[0]
    declined = replace(
        p,
        services=tuple(
            replace(r, excluded=r.excluded | {who}) if r.id == victim.request else r for r in p.services
        ),
    )
    # one new request next to a served one (the decline bound stays valid: the problem only shrank)
    base = rng.choice(sorted(p.services, key=lambda r: r.id))
    new = replace(base, id="r-new", resident="p-new", excluded=frozenset())
    grown = replace(p, services=p.services + (new,))
    grown_bound = bound + 1000 * (
        new.priority * new.duration_minutes * new.seats + p.params.continuity_bonus * new.seats
    )
    for label, prob, keep, b, changed in (
        ("M decline", declined, accepted - {victim.request}, bound, {victim.request}),
        ("M new request", grown, accepted, grown_bound, {new.id}),
    ):
        t = time.monotonic()
        s = resolve(prob, sol, keep, time_limit_s=1.0, seed=seed, changed=changed)
        wall = time.monotonic() - t
        v = verify(prob, s)
        assert v.ok, v.violations[:3]
        before = {a.request: a for a in sol.assignments if a.request in keep}
        after = {a.request: a for a in s.assignments}
        moved = sum(1 for rid, a in before.items() if after.get(rid) != a)
        out.append({"label": label, "objective": v.objective, "bound": b, "wall": wall, "moved": moved})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="S,M,L,XL")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    rows, extra = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name in sizes:
            row = run_size(name, args.seed, tmp)
            rows.append(row)
            print(
                f"# {name}: done ({row['wall']:.1f} s solve, LP bound {row['lp_s']:.1f} s)", file=sys.stderr
            )
            if name == "M":
                extra += incremental_rows(row, args.seed)
            if name == "L":
                extra.append(
                    {
                        "label": "L heuristic floor",
                        "objective": row["greedy"],
                        "bound": row["best_bound"],
                        "wall": row["greedy_s"],
                        "moved": None,
                    }
                )
    print(
        f"seed {args.seed}; machine: {os.cpu_count()} cores; "
        "solve in a fresh process (peak RSS of that process)"
    )
    print()
    print(
        "| size | V × R | triples | limit s | greedy | LP bound | objective | status | wall s | peak RSS MB "
        "| obj/greedy | obj/bound | greedy/bound |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['size']} | {r['V']:,} × {r['R']:,} | {r['triples']:,} | {r['limit']:.0f} "
            f"| {r['greedy']:,} "
            f"| {r['best_bound']:,} | {r['objective']:,} | {r['status']} ({r['engine']}) | {r['wall']:.2f} "
            f"| {r['rss_mb']:.0f} | {_ratio(r['objective'], r['greedy'])} "
            f"| {_ratio(r['objective'], r['best_bound'])} "
            f"| {_ratio(r['greedy'], r['best_bound'])} |"
        )
    if extra:
        print()
        print("| run | objective | bound | wall s | obj/bound | accepted assignments moved |")
        print("|---|---|---|---|---|---|")
        for e in extra:
            moved = "–" if e["moved"] is None else e["moved"]
            print(
                f"| {e['label']} | {e['objective']:,} | {e['bound']:,} | {e['wall']:.2f} "
                f"| {_ratio(e['objective'], e['bound'])} | {moved} |"
            )
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(main())
