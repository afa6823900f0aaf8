"""Writes for identities: persons, users, sign-in state, passwords, API tokens. Never commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from timebank.accounts import crypto, domain, throttle
from timebank.accounts.models import ApiToken, OrgNode, PasswordHistory, Person, Station, User, UserRole
from timebank.accounts.passwords import hash_password, verify_password
from timebank.accounts.scope import require_node
from timebank.audit import service as audit
from timebank.errors import AuthenticationFailed, Duplicate, Forbidden, NotFound, ValidationFailed
from timebank.ledger import service as ledger

MESSAGES = {
    "id_format": _l("身份证号码应为18位，最后一位可以是数字或X"),
    "id_birth_date": _l("身份证号码中的出生日期无效"),
    "id_checksum": _l("身份证号码校验位不正确，请核对"),
    "phone_format": _l("请输入11位手机号码"),
    "password_short": _l("密码至少8位"),
    "password_long": _l("密码最多128位"),
    "password_common": _l("密码太常见，容易被猜到，请换一个"),
    "password_personal": _l("密码不能包含手机号、用户名、身份证号或出生日期"),
    "password_weak": _l("密码需同时包含字母和数字"),
    "password_reused": _l("新密码不能与最近使用过的5个密码相同"),
    "duplicate_id": _l("该身份证号码已登记"),
    "duplicate_phone": _l("该手机号已注册"),
    "duplicate_username": _l("该用户名已被使用"),
    # one answer for an unknown login, a wrong password and a locked account, so none can be told apart
    "bad_credentials": _l("账号或密码错误。多次输错后需等15分钟再试，或请社工站解锁。"),
    "inactive": _l("该账号已停用，请联系社工站"),
    "wrong_password": _l("当前密码不正确"),
    "node_kind": _l("请选择村或社区"),
}


def identity_error(reason: str, field: str) -> ValidationFailed:
    return ValidationFailed(MESSAGES[reason], field=field)


@dataclass(frozen=True)
class PersonInput:
    name: str
    id_number: str
    phone: str | None
    address: str | None
    node_id: int


def parse_person(data: PersonInput, today: date) -> tuple[domain.IdNumber, str | None]:
    name = (data.name or "").strip()
    if not 2 <= len(name) <= 50:
        raise ValidationFailed(_l("请填写2到50个字的真实姓名"), field="name")
    try:
        id_number = domain.parse_id_number(data.id_number, today=today)
    except domain.IdentityError as error:
        raise identity_error(error.reason, "id_number") from None
    phone = None
    if data.phone:
        try:
            phone = domain.normalize_phone(data.phone)
        except domain.IdentityError as error:
            raise identity_error(error.reason, "phone") from None
    return id_number, phone


def create_person(session, data: PersonInput, today: date) -> Person:
    """Validate and add a person; the node must be a village. Duplicate ID numbers are refused."""
    id_number, phone = parse_person(data, today)
    node = session.get(OrgNode, data.node_id)
    if node is None or node.kind != "village":
        raise identity_error("node_kind", "node_id")
    digest = crypto.lookup_hash(id_number.value)
    if session.scalar(select(Person.id).where(Person.id_number_hash == digest)) is not None:
        raise Duplicate(MESSAGES["duplicate_id"], field="id_number")
    person = Person(
        name=data.name.strip(),
        id_number_encrypted=crypto.encrypt(id_number.value),
        id_number_hash=digest,
        id_number_masked=domain.mask_id_number(id_number.value),
        birth_date=id_number.birth_date,
        gender=id_number.gender,
        phone=phone,
        address=(data.address or "").strip() or None,
        node_id=node.id,
        latitude=node.latitude,
        longitude=node.longitude,
    )
    session.add(person)
    session.flush()
    ledger.open_account(session, person)
    return person


def find_person_by_id_number(session, raw: str, today: date) -> Person | None:
    try:
        value = domain.parse_id_number(raw, today=today).value
    except domain.IdentityError as error:
        raise identity_error(error.reason, "id_number") from None
    return session.scalar(select(Person).where(Person.id_number_hash == crypto.lookup_hash(value)))


def handle_duplicate_signup(session, id_number: str, phone: str, password: str, *, now: datetime,
                            ip: str | None = None) -> bool:
    """True when the ID number or phone is already registered: nothing is created, the registered person
    is told in their inbox and the attempt is audited for the station. The password is hashed anyway so
    the answer takes as long as a real sign-up."""
    from timebank.notify.service import notify

    person = session.scalar(select(Person).where(Person.id_number_hash == crypto.lookup_hash(id_number)))
    by_phone = session.scalar(select(User).where(User.phone == phone))
    if person is None and by_phone is None:
        return False
    hash_password(password)
    told = {user.id for user in (person.user if person is not None else None, by_phone) if user is not None}
    for user_id in sorted(told):
        notify(session, user_id, "signup_attempt", {}, link="/me", now=now)
    target = f"person:{person.id}" if person is not None else f"user:{by_phone.id}"
    audit.record(session, "signup_duplicate", target=target, result="refused", ip=ip,
                 detail="ID number already registered" if person is not None else "phone already registered")
    return True


def check_password(password: str, *values: str | None) -> None:
    problem = domain.password_problem(password, user_values=tuple(v for v in values if v))
    if problem:
        raise identity_error(problem, "password")


def create_user(session, *, password: str, roles: tuple[str, ...], phone: str | None = None,
                username: str | None = None, person: Person | None = None, node_id: int | None = None,
                station_id: int | None = None, password_hash: str | None = None,
                must_change_password: bool = False) -> User:
    """Add a login. Phone and username must be free. `password_hash` lets bulk loaders reuse one hash."""
    if phone:
        try:
            phone = domain.normalize_phone(phone)
        except domain.IdentityError as error:
            raise identity_error(error.reason, "phone") from None
        if session.scalar(select(User.id).where(User.phone == phone)) is not None:
            raise Duplicate(MESSAGES["duplicate_phone"], field="phone")
    if username:
        username = username.strip()
        if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
            raise Duplicate(MESSAGES["duplicate_username"], field="username")
    if password_hash is None:
        check_password(password, phone, username)
        password_hash = hash_password(password)
    user = User(phone=phone or None, username=username or None, password_hash=password_hash, person=person,
                node_id=node_id, station_id=station_id, active=True, session_version=1, failed_logins=0,
                must_change_password=must_change_password)
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    session.add(user)
    session.flush()
    session.add(PasswordHistory(user_id=user.id, password_hash=password_hash))
    return user


def find_login(session, login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    try:
        phone = domain.normalize_phone(login)
    except domain.IdentityError:
        return session.scalar(select(User).where(func.lower(User.username) == login.lower()))
    return session.scalar(select(User).where(User.phone == phone))


def authenticate(session, login: str, password: str, *, now: datetime, ip: str | None = None) -> User:
    """Check a login. Raises AuthenticationFailed with one message for every refusal before the password
    is known to be right (unknown login, wrong password, too many failures), so they cannot be told apart.

    Back-off is checked BEFORE the password is hashed: a client that failed too often for this login waits
    (others are not affected), and an account with very many failures from all clients waits too.
    Failure bookkeeping is flushed before raising; the caller commits it even on failure.
    """
    user = find_login(session, login)
    refused = AuthenticationFailed(MESSAGES["bad_credentials"])
    if throttle.pair_blocked(ip, login):
        audit.record(session, "login", actor_id=user.id if user else None, result="throttled", ip=ip)
        raise refused
    if user is not None and user.locked_until is not None and user.locked_until > now:
        audit.record(session, "login", actor_id=user.id, result="locked", ip=ip)
        raise refused
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok:
        throttle.pair_failed(ip, login)
    if user is None:
        audit.record(session, "login", target=None, result="failed", ip=ip, detail="unknown login")
        raise refused
    if not ok:
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["TIMEBANK_LOGIN_FAILURES_BEFORE_LOCK"]:
            user.locked_until = now + timedelta(minutes=current_app.config["TIMEBANK_LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            audit.record(session, "login_lock", target=f"user:{user.id}", ip=ip)
        audit.record(session, "login", actor_id=user.id, result="failed", ip=ip)
        raise refused
    if not user.active:
        audit.record(session, "login", actor_id=user.id, result="inactive", ip=ip)
        raise AuthenticationFailed(MESSAGES["inactive"])
    if user.has_role("charity"):  # a deactivated charity's members cannot sign in (charity onboarding)
        from timebank.charity.onboarding import login_refusal

        refusal = login_refusal(session, user)
        if refusal is not None:
            audit.record(session, "login", actor_id=user.id, result="inactive", ip=ip, detail="charity deactivated")
            raise AuthenticationFailed(refusal)
    throttle.pair_reset(ip, login)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session, "login", actor_id=user.id, ip=ip)
    return user


def end_all_sessions(user: User) -> None:
    """Every cookie issued so far stops working."""
    user.session_version += 1


def revoke_all_tokens(session, user: User, *, now: datetime) -> int:
    """Every API token of the user stops working for good (a later reactivation does not revive them)."""
    tokens = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                         ApiToken.revoked_at.is_(None))))
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def logout_everywhere(session, user: User, *, now: datetime, ip: str | None = None) -> None:
    """Sign out every browser and revoke every API token (a lost phone, a shared computer)."""
    end_all_sessions(user)
    count = revoke_all_tokens(session, user, now=now)
    audit.record(session, "logout_everywhere", actor_id=user.id, target=f"user:{user.id}", ip=ip,
                 detail=f"tokens revoked: {count}")


PASSWORD_HISTORY = 5


def _recent_hashes(session, user: User) -> list[str]:
    rows = session.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
                           .order_by(PasswordHistory.id.desc()).limit(PASSWORD_HISTORY))
    return [user.password_hash, *rows]


def set_password(session, user: User, new: str, *, now: datetime) -> None:
    """Replace the password: policy, not one of the last five, then every session and token ends."""
    values = [user.phone, user.username]
    if user.person is not None:
        values.append(crypto.decrypt(user.person.id_number_encrypted))
    check_password(new, *values)
    if any(verify_password(old, new) for old in dict.fromkeys(_recent_hashes(session, user))):
        raise identity_error("password_reused", "new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    session.flush()
    old = list(session.scalars(select(PasswordHistory).where(PasswordHistory.user_id == user.id)
                               .order_by(PasswordHistory.id.desc()).offset(PASSWORD_HISTORY)))
    for row in old:
        session.delete(row)
    end_all_sessions(user)
    revoke_all_tokens(session, user, now=now)


def change_password(session, user: User, current: str, new: str, *, now: datetime) -> None:
    if not verify_password(user.password_hash, current):
        raise ValidationFailed(MESSAGES["wrong_password"], field="current_password")
    set_password(session, user, new, now=now)
    audit.record(session, "password_change", actor_id=user.id, target=f"user:{user.id}")


def _load_user_in_scope(session, actor: User, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.username == SYSTEM_USERNAME:
        raise NotFound()
    home = user.node if user.node is not None else (user.person.node if user.person is not None else None)
    if home is not None:
        require_node(actor, home)
    elif not (actor.node is not None and actor.node.parent_id is None):
        raise NotFound()  # a login with no place: only the county's own admins reach it
    return user


def set_active(session, actor: User, user_id: int, active: bool, *, now: datetime) -> User:
    user = _load_user_in_scope(session, actor, user_id)
    user.active = active
    if not active:
        end_all_sessions(user)
        revoke_all_tokens(session, user, now=now)
    audit.record(session, "user_activate" if active else "user_deactivate", actor_id=actor.id,
                 target=f"user:{user.id}")
    return user


def reset_second_factor(session, actor: User, user_id: int) -> User:
    from timebank.accounts import totp

    user = _load_user_in_scope(session, actor, user_id)
    totp.reset(session, actor, user)
    end_all_sessions(user)
    return user


def unlock_user(session, actor: User, user_id: int) -> User:
    """Staff in scope lift a sign-in lock (the account's failure count starts again)."""
    user = _load_user_in_scope(session, actor, user_id)
    user.locked_until = None
    user.failed_logins = 0
    audit.record(session, "user_unlock", actor_id=actor.id, target=f"user:{user.id}")
    return user


def issue_api_token(session, user: User, name: str, *, now: datetime) -> tuple[str, ApiToken]:
    """Return the plain token once; only its hash is stored."""
    plain = "tb_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=(name or "api")[:60], token_hash=crypto.token_hash(plain),
                     prefix=plain[:10],
                     expires_at=now + timedelta(days=current_app.config["TIMEBANK_API_TOKEN_DAYS"]))
    session.add(token)
    session.flush()
    audit.record(session, "api_token_issue", actor_id=user.id, target=f"api_token:{token.id}")
    return plain, token


def user_for_token(session, plain: str, *, now: datetime) -> User | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == crypto.token_hash(plain)))
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.active:
        return None
    return token.user


def revoke_api_token(session, user: User, token_id: int, *, now: datetime) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record(session, "api_token_revoke", actor_id=user.id, target=f"api_token:{token.id}")


def add_org_node(session, actor: User, parent_id: int, *, name: str, code: str,
                 latitude: float | None, longitude: float | None) -> OrgNode:
    parent = session.get(OrgNode, parent_id)
    require_node(actor, parent)
    kind = domain.CHILD_KIND.get(parent.kind)
    if kind is None:
        raise ValidationFailed(_l("村/社区下不能再建下级"), field="parent_id")
    _check_node_fields(session, name, code, latitude, longitude, exclude_id=None)
    node = OrgNode(parent_id=parent.id, kind=kind, name=name.strip(), code=code.strip(),
                   latitude=latitude, longitude=longitude)
    session.add(node)
    session.flush()
    node.path = domain.node_path(parent.path, node.id)
    audit.record(session, "org_node_add", actor_id=actor.id, target=f"org_node:{node.id}")
    return node


def update_org_node(session, actor: User, node_id: int, *, name: str, code: str,
                    latitude: float | None, longitude: float | None) -> OrgNode:
    node = session.get(OrgNode, node_id)
    require_node(actor, node)
    _check_node_fields(session, name, code, latitude, longitude, exclude_id=node.id)
    node.name, node.code, node.latitude, node.longitude = name.strip(), code.strip(), latitude, longitude
    audit.record(session, "org_node_edit", actor_id=actor.id, target=f"org_node:{node.id}")
    return node


def _check_node_fields(session, name, code, latitude, longitude, *, exclude_id) -> None:
    if not (name or "").strip() or not (code or "").strip():
        raise ValidationFailed(_l("名称和编码都必须填写"), field="name")
    if (latitude is None) != (longitude is None):
        raise ValidationFailed(_l("经度和纬度要么都填，要么都不填"), field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationFailed(_l("经纬度超出范围"), field="latitude")
    stmt = select(OrgNode.id).where(OrgNode.code == code.strip())
    if exclude_id is not None:
        stmt = stmt.where(OrgNode.id != exclude_id)
    if session.scalar(stmt) is not None:
        raise Duplicate(_l("该编码已被其他节点使用"), field="code")


def create_root(session, *, name: str, code: str, latitude=None, longitude=None) -> OrgNode:
    node = OrgNode(parent_id=None, kind="county", name=name, code=code, latitude=latitude, longitude=longitude)
    session.add(node)
    session.flush()
    node.path = domain.node_path(None, node.id)
    return node


def add_station(session, *, node_id: int, name: str, kind: str = "social_work", phone=None, address=None):
    station = Station(node_id=node_id, name=name, kind=kind, phone=phone, address=address)
    session.add(station)
    session.flush()
    return station


def create_station(session, actor: User, *, node_id: int, name: str, kind: str, phone: str | None,
                   address: str | None) -> Station:
    """An admin opens a station at a township (社工站) or village (村/居委会) inside their scope."""
    node = session.get(OrgNode, node_id)
    require_node(actor, node)
    if node.kind == "county":
        raise ValidationFailed(_l("工作站应设在乡镇/街道或村/社区"), field="node_id")
    if kind not in ("social_work", "committee"):
        raise ValidationFailed(_l("请选择工作站类型"), field="kind")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_l("请填写名称"), field="name")
    if session.scalar(select(Station.id).where(Station.name == name)) is not None:
        raise Duplicate(_l("已有同名的工作站"), field="name")
    if phone:
        phone = phone.strip()[:20]
    station = add_station(session, node_id=node.id, name=name, kind=kind, phone=phone or None,
                          address=(address or "").strip() or None)
    audit.record(session, "station_add", actor_id=actor.id, target=f"station:{station.id}")
    return station


def create_staff_user(session, actor: User, *, username: str, password: str, role: str,
                      station_id: int | None, node_id: int | None) -> User:
    """An admin opens a staff login: station staff act in their station's subtree, admins in theirs."""
    if role not in ("station", "admin"):
        raise ValidationFailed(_l("请选择角色"), field="role")
    if not (username or "").strip() or len(username.strip()) < 3:
        raise ValidationFailed(_l("用户名至少3个字符"), field="username")
    if role == "station":
        station = session.get(Station, station_id) if station_id else None
        if station is None:
            raise ValidationFailed(_l("请选择所属工作站"), field="station_id")
        require_node(actor, station.node)
        node = station.node
    else:
        node = session.get(OrgNode, node_id) if node_id else actor.node
        require_node(actor, node)
        station = None
    user = create_user(session, password=password, roles=(role,), username=username.strip(), node_id=node.id,
                       station_id=station.id if station else None, must_change_password=True)
    audit.record(session, "staff_user_add", actor_id=actor.id, target=f"user:{user.id}", detail=role)
    return user


SYSTEM_USERNAME = "system"


def system_user(session) -> User:
    """The actor of automatic work (jobs): an admin at the county root that can never log in."""
    user = session.scalar(select(User).where(User.username == SYSTEM_USERNAME))
    if user is None:
        root = session.scalar(select(OrgNode).where(OrgNode.parent_id.is_(None)))
        user = User(username=SYSTEM_USERNAME, password_hash="!" + secrets.token_hex(16), node_id=root.id if root
                    else None, active=False, session_version=1, failed_logins=0)
        user.role_rows = [UserRole(role="admin")]
        session.add(user)
        session.flush()
    return user


def correct_identity(session, actor: User, person_id: int, *, name: str | None, id_number: str | None,
                     reason: str, today: date) -> dict[str, tuple]:
    """The county admin corrects a person's name or ID number, with a reason. A new ID number must pass
    GB 11643 and belong to nobody else; birth date and gender follow it. Audited with masked values only."""
    if not actor.has_role("admin"):
        raise Forbidden(_l("姓名和身份证号码只能由县民政局管理员更正"))
    person = session.get(Person, person_id) if isinstance(person_id, int) else None
    if person is None:
        raise NotFound()
    require_node(actor, person.node)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("请填写更正原因"), field="reason")
    changes: dict[str, tuple] = {}
    new_name = (name or "").strip()
    if name is not None and new_name != person.name:
        if not 2 <= len(new_name) <= 50:
            raise ValidationFailed(_l("请填写2到50个字的真实姓名"), field="name")
        changes["name"] = (person.name, new_name)
    parsed = None
    if id_number:
        try:
            parsed = domain.parse_id_number(id_number, today=today)
        except domain.IdentityError as error:
            raise identity_error(error.reason, "id_number") from None
        digest = crypto.lookup_hash(parsed.value)
        if digest == person.id_number_hash:
            parsed = None
        elif session.scalar(select(Person.id).where(Person.id_number_hash == digest)) is not None:
            raise Duplicate(_l("该身份证号码已属于另一人"), field="id_number")
    if parsed is not None:
        masked = domain.mask_id_number(parsed.value)
        changes["id_number"] = (person.id_number_masked, masked)
        if parsed.birth_date != person.birth_date:
            changes["birth_date"] = (person.birth_date.isoformat(), parsed.birth_date.isoformat())
        if parsed.gender != person.gender:
            changes["gender"] = (person.gender, parsed.gender)
        person.id_number_encrypted = crypto.encrypt(parsed.value)
        person.id_number_hash = digest
        person.id_number_masked = masked
        person.birth_date, person.gender = parsed.birth_date, parsed.gender
    if "name" in changes:
        person.name = new_name
    if not changes:
        raise ValidationFailed(_l("没有需要更正的内容"), field="name")
    session.flush()
    audit.record(session, "person_identity_correct", actor_id=actor.id, target=f"person:{person.id}",
                 detail=reason, changes=changes)
    return changes
