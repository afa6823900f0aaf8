"""Command line: `python -m timebank.matching solve|verify` (see docs/matching.md)."""

from __future__ import annotations

import argparse
import json
import sys

from timebank.matching.problem import ProblemError, load_problem, read_json
from timebank.matching.solution import parse_solution, solution_to_dict


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, like every other input error
        sys.stderr.write(f"error: {message}\n")
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="python -m timebank.matching", description="Timebank matching solver")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Parser)
    s = sub.add_parser("solve", help="solve PROBLEM.json, print or write the solution")
    s.add_argument("problem")
    s.add_argument("-o", "--output")
    s.add_argument("--time-limit", type=float, default=10.0)
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--seed", type=int, default=0)
    v = sub.add_parser("verify", help="check SOLUTION.json against PROBLEM.json")
    v.add_argument("problem")
    v.add_argument("solution")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        problem = load_problem(args.problem)
        if args.command == "solve":
            from timebank.matching.solver import solve

            if args.time_limit <= 0 or args.workers < 1:
                raise ProblemError("--time-limit must be > 0 and --workers >= 1")
            solution = solve(problem, time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
            text = json.dumps(solution_to_dict(solution), ensure_ascii=False, indent=1)
            if args.output:
                with open(args.output, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
            else:
                sys.stdout.write(text + "\n")
            return 0
        from timebank.matching.verify import verify

        verdict = verify(problem, parse_solution(read_json(args.solution, "solution")))
    except ProblemError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    print(verdict.objective)
    for line in verdict.violations:
        print(line)
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
