"""Imports every area's tables so the metadata (and Alembic) sees the whole schema."""

from timebank.accounts.models import (  # noqa: F401  # noqa: F401  (password history, 2FA)
    ApiToken,
    OrgNode,
    PasswordHistory,
    Person,
    RecoveryCode,
    Station,
    User,
    UserRole,
)
from timebank.accounts.recovery_models import AccountToken  # noqa: F401
from timebank.audit.models import AuditEvent  # noqa: F401
from timebank.care.models import CareVisit, VisitReminder  # noqa: F401
from timebank.catalog.models import (
    ServiceCategory,  # noqa: F401, E402
    Skill,  # noqa: F401
)
from timebank.certificates.models import Certificate, CertificateRequest  # noqa: F401, E402
from timebank.charity.models import (  # noqa: F401
    Allocation,
    CashGiftNote,
    Charity,
    CharityMember,
    CharityPoolRule,
    Donation,
    GoodsRequest,
    Item,
    ItemCategory,
    StockMovement,
)
from timebank.dispatch.models import GoodsProposal, MatchRun, Proposal  # noqa: F401
from timebank.imports.models import ImportBatch  # noqa: F401, E402
from timebank.jobs.models import JobHeartbeat, JobIdleCount, JobRun, apscheduler_jobs  # noqa: F401
from timebank.ledger.models import CheckRun, GrantRequest, LedgerAccount, LedgerNotice, Transfer  # noqa: F401
from timebank.notify.models import Notification, NotificationPreference, OutboxMessage  # noqa: F401
from timebank.orgs.models import (  # noqa: F401
    ActivityBeneficiary,
    ActivitySignup,
    AttendanceEvent,
    GroupActivity,
    OrgMembership,
    VolunteerOrg,
)
from timebank.people.availability import AvailabilityException, SocialWorkerCertificate  # noqa: F401, E402
from timebank.people.estate_models import EstateDisposition  # noqa: F401
from timebank.people.models import (  # noqa: F401
    Availability,
    HardshipStatus,
    Relative,
    ResidentProfile,
    VolunteerProfile,
)
from timebank.people.record_models import (  # noqa: F401
    AwardRecord,
    EvaluationRecord,
    InsuranceRecord,
    SkillCertificate,
    TrainingRecord,
)
from timebank.policy.models import PolicyVersion  # noqa: F401
from timebank.privacy.models import ClosureRequest, CorrectionRequest  # noqa: F401
from timebank.reports.models import ForecastAssumptions, MonthlyReport, StatsSnapshot  # noqa: F401
from timebank.visits.models import (  # noqa: F401, E402
    Exclusion,
    Seat,
    ServiceRecord,
    ServiceRequest,
    VisitEvent,
    VisitRulesVersion,
)
