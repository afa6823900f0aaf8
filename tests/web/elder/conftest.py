from tests.web.visits.conftest import at, vw  # noqa: F401  (the visit world and the clock, reused)
