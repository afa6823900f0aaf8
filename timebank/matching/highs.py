"""Sparse LP/MIP arrays solved by HiGHS through OR-Tools MathOpt, built as a proto straight from NumPy.

MathOpt, not `model_builder`: in OR-Tools 9.15 `model_builder` reports UNKNOWN and drops HiGHS's
incumbent when the time limit is hit (google/or-tools#5016); MathOpt returns FEASIBLE with the
incumbent (measured, see docs/matching.md). No hints are passed (a hint crashed HiGHS via model_builder).
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass

import numpy as np
from ortools.math_opt import callback_pb2, model_parameters_pb2, model_pb2, parameters_pb2, result_pb2
from ortools.math_opt.core.python import solver as core_solver

_REASON = result_pb2.TerminationReasonProto


@dataclass
class Arrays:
    """max obj.x  s.t.  row_lo <= A x <= row_hi,  lb <= x <= ub,  x integer where `integer`."""

    obj: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integer: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    a_row: np.ndarray
    a_col: np.ndarray
    a_val: np.ndarray


@dataclass
class Result:
    status: str  # OPTIMAL, FEASIBLE, NONE (no solution), ERROR
    x: np.ndarray | None
    duals: np.ndarray | None
    objective: float | None
    dual_bound: float | None


def _proto(a: Arrays, integer: bool) -> model_pb2.ModelProto:
    m = model_pb2.ModelProto()
    n = len(a.obj)
    m.variables.ids.extend(range(n))
    m.variables.lower_bounds.extend(a.lb.tolist())
    m.variables.upper_bounds.extend(a.ub.tolist())
    m.variables.integers.extend((a.integer if integer else np.zeros(n, dtype=bool)).tolist())
    m.objective.maximize = True
    nz = np.flatnonzero(a.obj)
    m.objective.linear_coefficients.ids.extend(nz.tolist())
    m.objective.linear_coefficients.values.extend(a.obj[nz].astype(float).tolist())
    k = len(a.row_lo)
    m.linear_constraints.ids.extend(range(k))
    m.linear_constraints.lower_bounds.extend(a.row_lo.astype(float).tolist())
    m.linear_constraints.upper_bounds.extend(a.row_hi.astype(float).tolist())
    order = np.lexsort((a.a_col, a.a_row))
    mat = m.linear_constraint_matrix
    mat.row_ids.extend(a.a_row[order].tolist())
    mat.column_ids.extend(a.a_col[order].tolist())
    mat.coefficients.extend(a.a_val[order].astype(float).tolist())
    return m


@contextlib.contextmanager
def _quiet_stdout():
    """HiGHS 1.12 prints debug lines on C stdout even with output off: keep them out of our JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def solve_arrays(
    a: Arrays,
    *,
    time_limit_s: float,
    seed: int = 0,
    integer: bool = True,
    rel_gap: float = 1e-4,
    abs_gap: float = 0.0,
    output: bool = False,
) -> Result:
    params = parameters_pb2.SolveParametersProto()
    params.time_limit.FromNanoseconds(int(max(time_limit_s, 0.01) * 1e9))
    params.enable_output = output
    params.random_seed = seed % (2**31)
    if integer:
        params.relative_gap_tolerance = rel_gap
        params.absolute_gap_tolerance = abs_gap
    else:
        params.lp_algorithm = parameters_pb2.LP_ALGORITHM_DUAL_SIMPLEX
    try:
        with _quiet_stdout():
            res = core_solver.solve(
                _proto(a, integer),
                parameters_pb2.SOLVER_TYPE_HIGHS,
                parameters_pb2.SolverInitializerProto(),
                params,
                model_parameters_pb2.ModelSolveParametersProto(),
                None,
                callback_pb2.CallbackRegistrationProto(),
                None,
                None,
            )
    except Exception as exc:  # the engine failed: callers fall back to the verified floor
        return Result(f"ERROR {type(exc).__name__}", None, None, None, None)
    reason = res.termination.reason
    bound = res.termination.objective_bounds.dual_bound
    dual_bound = float(bound) if np.isfinite(bound) else None
    x = duals = None
    objective = None
    for sol in res.solutions:
        if sol.HasField("primal_solution") and x is None:
            vec = sol.primal_solution.variable_values
            x = np.zeros(len(a.obj))
            x[np.array(vec.ids, dtype=np.int64)] = np.array(vec.values)
            objective = sol.primal_solution.objective_value
        if sol.HasField("dual_solution") and duals is None:
            vec = sol.dual_solution.dual_values
            duals = np.zeros(len(a.row_lo))
            duals[np.array(vec.ids, dtype=np.int64)] = np.array(vec.values)
    if reason == _REASON.TERMINATION_REASON_OPTIMAL and x is not None:
        status = "OPTIMAL"
    elif x is not None:
        status = "FEASIBLE"
    else:
        status = "NONE"
    return Result(status, x, duals, objective, dual_bound)
