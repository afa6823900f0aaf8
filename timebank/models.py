"""Imports every area's tables so the metadata (and Alembic) sees the whole schema."""

from timebank.accounts.models import ApiToken, OrgNode, Person, Station, User, UserRole  # noqa: F401
from timebank.audit.models import AuditEvent  # noqa: F401
from timebank.catalog.models import Skill  # noqa: F401
from timebank.ledger.models import CheckRun, GrantRequest, LedgerAccount, LedgerNotice, Transfer  # noqa: F401
from timebank.people.models import (  # noqa: F401
    Availability,
    HardshipStatus,
    Relative,
    ResidentProfile,
    VolunteerProfile,
)
from timebank.policy.models import PolicyVersion  # noqa: F401
