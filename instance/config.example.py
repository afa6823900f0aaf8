"""Every Timebank setting, with its default. Copy what you need into instance/config.py.

instance/config.py is written on first start with a random SECRET_KEY and TIMEBANK_DATA_KEY; it must
never be committed. Any TIMEBANK_* setting can also come from an environment variable of the same name
(lists comma-separated, booleans 1/0), which wins over this file.
"""

# Signs session cookies and CSRF tokens. Changing it logs everybody out.
SECRET_KEY = "generated on first start"

# 32 random bytes, urlsafe base64. Encrypts ID numbers at rest and keys their lookup hash.
# Losing it makes stored ID numbers unreadable: back it up apart from the database.
TIMEBANK_DATA_KEY = "generated on first start"

# Database. None = SQLite file instance/timebank.db. Production: PostgreSQL, e.g.
# "postgresql+psycopg://timebank:secret@db.example.internal:5432/timebank"
TIMEBANK_DATABASE_URL = None

# Languages: the first is the default; users switch in the header (remembered in a cookie).
TIMEBANK_DEFAULT_LOCALE = "zh_CN"
TIMEBANK_LOCALES = ["zh_CN", "en"]

# The county's time zone (ages, "today", visit times on pages).
TIMEBANK_TIMEZONE = "Asia/Shanghai"

# Version of the privacy notice volunteers accept at sign-up (stored with the time of consent).
TIMEBANK_PRIVACY_NOTICE_VERSION = "2026-11"

# Session limits: a login ends after TIMEBANK_SESSION_HOURS whatever happens, and earlier after this many
# idle minutes (shorter for admins and station staff). Set TIMEBANK_COOKIE_SECURE = True when served over
# HTTPS (the cookie then becomes __Host-timebank, Secure, HttpOnly, SameSite=Lax).
TIMEBANK_SESSION_HOURS = 12
TIMEBANK_SESSION_IDLE_MINUTES = 120
TIMEBANK_SESSION_IDLE_MINUTES_STAFF = 30
TIMEBANK_COOKIE_SECURE = False

# Admins and station staff sign in with a password AND a code from an authenticator app (TOTP); they set
# it up at their first sign-in. See docs/en/auth-security.md.
TIMEBANK_STAFF_TOTP_REQUIRED = True

# Personal API tokens expire after this many days.
TIMEBANK_API_TOKEN_DAYS = 90

# Sign-in back-off. One client that fails TIMEBANK_LOGIN_PAIR_FAILURES times for one login waits
# TIMEBANK_LOGIN_LOCK_MINUTES (only that client: the owner elsewhere can still sign in). An account that
# collects TIMEBANK_LOGIN_FAILURES_BEFORE_LOCK failures from all clients together waits too (staff can lift
# it on the accounts page).
TIMEBANK_LOGIN_PAIR_FAILURES = 5
TIMEBANK_LOGIN_FAILURES_BEFORE_LOCK = 50
TIMEBANK_LOGIN_LOCK_MINUTES = 15

# Abuse limits per client address (and per login tried), checked before any password is hashed. Storage:
# memory:// is right for one process (make run); with several gunicorn workers or hosts use Redis so they
# share the counts: TIMEBANK_RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0".
TIMEBANK_RATELIMIT_ENABLED = True
TIMEBANK_RATELIMIT_STORAGE_URI = "memory://"
TIMEBANK_RATELIMIT_KEY_PREFIX = "timebank"
# Mobile carriers put many phones behind one address, so the per-client limits are not tight.
TIMEBANK_RATELIMIT_LOGIN = "20 per minute;200 per hour"
TIMEBANK_RATELIMIT_LOGIN_ACCOUNT = "30 per minute"
TIMEBANK_RATELIMIT_SIGNUP = "10 per hour;50 per day"
TIMEBANK_RATELIMIT_PASSWORD = "10 per hour"
TIMEBANK_RATELIMIT_ANONYMOUS_POST = "60 per minute"

# Run the scheduler inside this process (make run sets it). Production runs
# `flask --app timebank scheduler run` as its own process and leaves this False.
TIMEBANK_RUN_SCHEDULER = False

# Reverse proxies in front of the app (nginx on the same host = 1). Client IPs in the audit log
# then come from X-Forwarded-For, and HTTPS from X-Forwarded-Proto.
TIMEBANK_PROXY_COUNT = 0

# Password hashing cost (argon2id); the defaults suit a server. Keys: time_cost, memory_cost, parallelism.
# TIMEBANK_ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}

# Excel imports (docs/en/import.md): the largest .xlsx accepted (a larger upload gets a 413 with a message,
# before it is read) and the most rows in one file.
# TIMEBANK_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# TIMEBANK_IMPORT_MAX_ROWS = 20000

# The public certificate verification page (the QR code's link), per client.
# TIMEBANK_RATELIMIT_CERTIFICATE_STATUS = "60 per minute;600 per hour"
