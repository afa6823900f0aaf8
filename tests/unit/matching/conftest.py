"""Small hand-made matching problems shared by the matching tests."""

from __future__ import annotations

import copy

import pytest


def base_document() -> dict:
    """Two volunteers, one social worker, three service requests, one goods request, two funds."""
    return {
        "format": "timebank-matching/1",
        "params": {},
        "volunteers": [
            {
                "id": "v1",
                "x_km": 0.0,
                "y_km": 0.0,
                "skills": ["companionship", "cleaning"],
                "social_worker": False,
                "availability": [[540, 720], [1980, 2160]],
                "capacity_minutes": 600,
                "max_travel_km": 5,
                "served_residents": ["p1"],
            },
            {
                "id": "v2",
                "x_km": 3.0,
                "y_km": 0.0,
                "skills": ["companionship"],
                "social_worker": False,
                "availability": [[540, 900]],
                "capacity_minutes": 120,
                "max_travel_km": 8,
                "served_residents": [],
            },
            {
                "id": "s1",
                "x_km": 1.0,
                "y_km": 1.0,
                "skills": [],
                "social_worker": True,
                "availability": [[480, 1080]],
                "capacity_minutes": 480,
                "max_travel_km": 15,
                "served_residents": [],
                "commitments": [{"start": 900, "end": 960, "x_km": 1.0, "y_km": 1.0}],
            },
        ],
        "requests": [
            {
                "id": "r1",
                "kind": "service",
                "resident": "p1",
                "x_km": 1.0,
                "y_km": 0.0,
                "window": [540, 720],
                "duration_minutes": 60,
                "fixed_start": None,
                "volunteers": 1,
                "social_workers": 0,
                "skills": ["companionship"],
                "priority": 40,
                "excluded": [],
                "funding": ["acct-p1", "pool"],
            },
            {
                "id": "r2",
                "kind": "service",
                "resident": "p2",
                "x_km": 2.0,
                "y_km": 0.0,
                "window": [600, 720],
                "duration_minutes": 60,
                "fixed_start": 600,
                "volunteers": 1,
                "social_workers": 1,
                "skills": ["companionship"],
                "priority": 80,
                "excluded": [],
                "funding": ["pool"],
            },
            {
                "id": "r3",
                "kind": "service",
                "resident": "p3",
                "x_km": 0.0,
                "y_km": 2.0,
                "window": [1980, 2100],
                "duration_minutes": 30,
                "fixed_start": None,
                "volunteers": 1,
                "social_workers": 0,
                "skills": ["cleaning"],
                "priority": 20,
                "excluded": ["v2"],
                "funding": ["pool"],
            },
            {
                "id": "g1",
                "kind": "goods",
                "resident": "p9",
                "item": "wheelchair",
                "quantity": 2,
                "priority": 60,
                "donations": ["d1", "d2"],
            },
        ],
        "donations": [
            {"id": "d1", "item": "wheelchair", "quantity": 1, "x_km": 0.0, "y_km": 0.0},
            {"id": "d2", "item": "wheelchair", "quantity": 1, "x_km": 0.0, "y_km": 0.0},
        ],
        "funds": [{"id": "acct-p1", "minutes": 60}, {"id": "pool", "minutes": 300}],
    }


@pytest.fixture
def document() -> dict:
    return copy.deepcopy(base_document())
