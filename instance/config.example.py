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

# Session cookie lifetime in hours. Set TIMEBANK_COOKIE_SECURE = True when served over HTTPS
# (the cookie then becomes __Host-timebank, Secure, HttpOnly, SameSite=Lax).
TIMEBANK_SESSION_HOURS = 12
TIMEBANK_COOKIE_SECURE = False

# Personal API tokens expire after this many days.
TIMEBANK_API_TOKEN_DAYS = 90

# Failed logins before an account is locked, and for how long.
TIMEBANK_LOGIN_FAILURES_BEFORE_LOCK = 5
TIMEBANK_LOGIN_LOCK_MINUTES = 15

# Run the scheduler inside this process (make run sets it). Production runs
# `flask --app timebank scheduler run` as its own process and leaves this False.
TIMEBANK_RUN_SCHEDULER = False

# Reverse proxies in front of the app (nginx on the same host = 1). Client IPs in the audit log
# then come from X-Forwarded-For, and HTTPS from X-Forwarded-Proto.
TIMEBANK_PROXY_COUNT = 0

# Password hashing cost (argon2id); the defaults suit a server. Keys: time_cost, memory_cost, parallelism.
# TIMEBANK_ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
