"""`python -m timebank.matching solve|verify` as a subprocess: exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "timebank.matching", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def files(tmp_path, document):
    prob = tmp_path / "problem.json"
    prob.write_text(json.dumps(document))
    return prob, tmp_path / "solution.json"


def test_solve_then_verify(files):
    prob, sol = files
    out = _run("solve", str(prob), "-o", str(sol), "--time-limit", "5", "--workers", "1", "--seed", "1")
    assert out.returncode == 0, out.stderr
    doc = json.loads(sol.read_text())
    assert doc["format"] == "timebank-matching-solution/1" and doc["status"] == "OPTIMAL"
    check = _run("verify", str(prob), str(sol))
    assert check.returncode == 0 and check.stdout.strip() == str(doc["objective"])


def test_solve_prints_json_to_stdout(files):
    prob, _ = files
    out = _run("solve", str(prob), "--time-limit", "5")
    assert out.returncode == 0 and json.loads(out.stdout)["objective"] == 16_219_172


def test_verify_lists_violations_and_exits_1(files):
    prob, sol = files
    _run("solve", str(prob), "-o", str(sol), "--time-limit", "5")
    doc = json.loads(sol.read_text())
    doc["assignments"][0]["start"] += 5
    sol.write_text(json.dumps(doc))
    out = _run("verify", str(prob), str(sol))
    assert out.returncode == 1 and "rule 5" in out.stdout


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["requests"][0].update(excluded=["ghost"]),
        lambda d: d["requests"][0].update(window=[540, 560]),
        lambda d: d["donations"][0].update(quantity=-2),
        lambda d: d["volunteers"].append(d["volunteers"][0]),
        lambda d: d.update(format="nope"),
        lambda d: d["volunteers"][0].update(availability=[]),
        lambda d: d["requests"][1].update(fixed_start=605),
    ],
)
def test_malformed_problem_exits_2_with_one_line(files, document, change):
    prob, _ = files
    change(document)
    prob.write_text(json.dumps(document))
    for args in (("solve", str(prob)), ("verify", str(prob), str(prob))):
        out = _run(*args)
        assert out.returncode == 2 and out.stdout == ""
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_bad_json_missing_file_and_bad_solution(files, tmp_path):
    prob, sol = files
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    for args in (
        ("solve", str(bad)),
        ("solve", str(tmp_path / "nope.json")),
        ("verify", str(prob), str(bad)),
        ("verify", str(prob), str(prob)),
        ("frobnicate",),
    ):
        out = _run(*args)
        assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, (args, out.stderr)
