"""Parsing and validation of the problem document."""

from __future__ import annotations

import json

import pytest

from timebank.matching.problem import ProblemError, load_problem, parse_problem, problem_to_dict


def test_parses_the_document_and_round_trips(document):
    p = parse_problem(document)
    assert [v.id for v in p.volunteers] == ["v1", "v2", "s1"]
    assert [r.id for r in p.services] == ["r1", "r2", "r3"]
    assert p.goods[0].donations == ("d1", "d2")
    assert p.params.slot_minutes == 15 and p.params.goods_value == 60
    assert p.volunteers[2].commitments[0].end == 960
    assert parse_problem(problem_to_dict(p)) == p


def _broken(document, change):
    change(document)
    with pytest.raises(ProblemError) as err:
        parse_problem(document)
    assert "\n" not in str(err.value)
    return str(err.value)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(format="timebank-matching/2"), "format"),
        (lambda d: d["volunteers"].append(dict(d["volunteers"][0])), "duplicate volunteer"),
        (lambda d: d["requests"].append(dict(d["requests"][0])), "duplicate request"),
        (lambda d: d["funds"].append(dict(d["funds"][0])), "duplicate fund"),
        (lambda d: d["requests"][0].update(excluded=["nobody"]), "unknown excluded"),
        (lambda d: d["requests"][0].update(funding=["nowhere"]), "unknown fund"),
        (lambda d: d["requests"][3].update(donations=["d9"]), "unknown donation"),
        (lambda d: d["requests"][0].update(window=[540, 570]), "shorter than duration"),
        (lambda d: d["requests"][0].update(duration_minutes=-5), ">= 1"),
        (lambda d: d["donations"][0].update(quantity=-1), ">= 0"),
        (lambda d: d["funds"][0].update(minutes=-1), ">= 0"),
        (lambda d: d["requests"][3].update(quantity=0), ">= 1"),
        (lambda d: d["volunteers"][0].update(capacity_minutes=-30), ">= 0"),
        (lambda d: d["volunteers"][0].update(availability=[]), "availability"),
        (lambda d: d["volunteers"][0].update(availability=[[600, 540]]), "empty interval"),
        (lambda d: d["volunteers"][0].update(availability=[[540, 720], [700, 800]]), "non-overlapping"),
        (lambda d: d["requests"][1].update(fixed_start=610), "multiple of slot_minutes"),
        (lambda d: d["requests"][1].update(fixed_start=700), "does not fit"),
        (lambda d: d["requests"][0].update(priority=0), ">= 1"),
        (lambda d: d["requests"][0].update(volunteers=0), "at least one seat"),
        (lambda d: d["requests"][0].update(kind="other"), "kind"),
        (lambda d: d["requests"][0].pop("window"), "missing field 'window'"),
        (lambda d: d["requests"][0].update(window=[540.5, 720]), "integer"),
        (lambda d: d["params"].update(slot_minutes=0), "slot_minutes"),
        (lambda d: d["params"].update(speed=3), "unknown key"),
        (lambda d: d["donations"][0].update(item="walker"), "holds 'walker'"),
    ],
)
def test_rejects_malformed_input_with_one_line(document, change, words):
    assert words in _broken(document, change)


def test_rejects_non_object():
    with pytest.raises(ProblemError):
        parse_problem([1, 2])


def test_bad_json_and_missing_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ProblemError, match="invalid JSON"):
        load_problem(str(bad))
    with pytest.raises(ProblemError, match="no such file"):
        load_problem(str(tmp_path / "missing.json"))


def test_loads_from_file(tmp_path, document):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(document))
    assert load_problem(str(f)).services[2].excluded == frozenset({"v2"})
