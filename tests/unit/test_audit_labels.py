"""Every audit action the code records has a name in plain words on the audit log pages (a new action
without one would show its code to staff)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "timebank"


def test_every_recorded_action_has_a_label():
    recorded = set()
    for path in ROOT.rglob("*.py"):
        recorded |= set(re.findall(r'audit\.record\(\s*session,\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    labels = set(re.findall(r'"([a-z_]+)": _\(', (ROOT / "audit" / "views.py").read_text(encoding="utf-8")))
    assert len(recorded) > 40
    assert not sorted(recorded - labels)
