"""Charity onboarding: a charity applies on the public page (its first login is the owner), the county
approves or rejects (charity.service.review_charity), or an admin opens one directly; owners add and remove
member logins; the county deactivates and reactivates a charity. Services flush; the shell commits.

Who may act: the county admin whose subtree holds the charity (others: 404); for members, an owner of the
same charity (a member of another charity: 404; a plain member: 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from timebank.accounts import service as accounts
from timebank.accounts.models import OrgNode, User
from timebank.accounts.scope import require_node
from timebank.audit import service as audit
from timebank.charity import domain
from timebank.charity.models import Charity, CharityMember, CharityPoolRule
from timebank.charity.service import CharityInput, _clean, charity_of, require_charity, rule_error
from timebank.errors import Duplicate, Forbidden, InvalidTransition, NotFound, ValidationFailed
from timebank.ledger import service as ledger
from timebank.notify.service import notify, notify_role

MESSAGES = {
    "registration_number_missing": _l("已登记的慈善组织请填写登记证书编号"),
    "registration_number_format": _l("登记证书编号应为4到40位的字母、数字或汉字"),
    "last_owner": _l("不能移除机构最后一名负责人，请先添加另一名负责人"),
    "member_removed": _l("该成员已被移除"),
    "duplicate_code": _l("该统一社会信用代码已登记。如是贵机构此前提交的申请，请用当时设置的账号登录查看审核结果。"),
    "duplicate_name": _l("已有同名机构登记，请核对机构名称"),
    "deactivated": _l("该机构已被县民政局停用，机构账号暂不能登录。如有疑问请联系县民政局。"),
}


@dataclass(frozen=True)
class LoginInput:
    username: str
    password: str
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ApplicationInput:
    charity: CharityInput
    registration_number: str | None
    contact_email: str | None
    login: LoginInput


def _email(raw: str | None, field: str = "contact_email") -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    local, _at, host = value.partition("@")
    if len(value) > 200 or not local or "." not in host or " " in value or host.startswith(".") or \
            host.endswith("."):
        raise ValidationFailed(_l("请填写正确的电子邮箱"), field=field)
    return value


def _username(raw: str | None) -> str:
    value = (raw or "").strip()
    if not 3 <= len(value) <= 40 or not all(c.isalnum() or c in "._-" for c in value) or value.isdigit():
        raise ValidationFailed(_l("用户名应为3到40位字母、数字、点、下划线或横线，不能全是数字"), field="username")
    return value


def _member_name(raw: str | None) -> str:
    value = (raw or "").strip()
    if not 2 <= len(value) <= 50:
        raise ValidationFailed(_l("请填写成员姓名（2到50字）"), field="name")
    return value


def _values(session, data: ApplicationInput) -> dict:
    values = _clean(data.charity)
    try:
        values["registration_number"] = domain.parse_registration_number(data.registration_number,
                                                                          values["registration"])
    except domain.CharityRuleBroken as error:
        raise ValidationFailed(MESSAGES[error.reason], field="registration_number") from None
    values["contact_email"] = _email(data.contact_email)
    if session.scalar(select(Charity.id).where(Charity.credit_code == values["credit_code"])) is not None:
        raise Duplicate(MESSAGES["duplicate_code"], field="credit_code")
    if session.scalar(select(Charity.id).where(func.lower(Charity.name) == values["name"].lower())) is not None:
        raise Duplicate(MESSAGES["duplicate_name"], field="name")
    return values


def _root(session) -> OrgNode:
    return session.scalar(select(OrgNode).where(OrgNode.parent_id.is_(None)).order_by(OrgNode.id))


def _owner_login(session, charity_values: dict, login: LoginInput, *, must_change: bool) -> User:
    username = _username(login.username)
    user = accounts.create_user(session, password=login.password, roles=("charity",), username=username,
                                node_id=_root(session).id, must_change_password=must_change)
    user.email = _email(login.email) if login.email is not None else charity_values.get("contact_email")
    return user


def apply(session, data: ApplicationInput, *, now: datetime, ip: str | None = None) -> Charity:
    """A charity registers itself with its first login (the owner); it waits for the county's approval.
    A duplicate (same credit code or same name) is refused and nothing is written."""
    values = _values(session, data)
    user = _owner_login(session, values, data.login, must_change=False)
    charity = Charity(**values, node_id=user.node_id, status="pending", created_at=now)
    session.add(charity)
    session.flush()
    session.add(CharityMember(user_id=user.id, charity_id=charity.id, role="owner",
                              name=(data.login.name or "").strip()[:50] or values["contact_name"], created_at=now))
    audit.record(session, "charity_apply", actor_id=user.id, target=f"charity:{charity.id}", ip=ip)
    notify_role(session, "admin", "charity_applied", {"name": charity.name}, link="/charity/admin", now=now)
    session.flush()
    return charity


def open_charity(session, actor: User, data: ApplicationInput, *, now: datetime) -> Charity:
    """An admin opens a charity directly: approved at once (its hour pool opened), with an owner login whose
    initial password must be changed at the first sign-in."""
    if not actor.has_role("admin"):
        raise Forbidden()
    root = _root(session)
    require_node(actor, root)
    values = _values(session, data)
    user = _owner_login(session, values, data.login, must_change=True)
    charity = Charity(**values, node_id=root.id, status="approved", reviewed_by_id=actor.id, reviewed_at=now,
                      created_at=now)
    session.add(charity)
    session.flush()
    charity.account_id = ledger.open_charity_account(session, charity.id, charity.name).id
    session.add(CharityPoolRule(charity_id=charity.id, updated_at=now))
    session.add(CharityMember(user_id=user.id, charity_id=charity.id, role="owner", added_by_id=actor.id,
                              name=(data.login.name or "").strip()[:50] or values["contact_name"], created_at=now))
    audit.record(session, "charity_open", actor_id=actor.id, target=f"charity:{charity.id}")
    session.flush()
    return charity


def load_for_admin(session, actor: User, charity_id: int) -> Charity:
    """A charity for a county admin whose subtree holds it; anyone else: 404 (or 403 without the role)."""
    if not actor.has_role("admin"):
        raise Forbidden()
    charity = session.get(Charity, charity_id) if isinstance(charity_id, int) else None
    if charity is None:
        raise NotFound()
    require_node(actor, charity.node)
    return charity


def load_visible(session, actor: User, charity_id: int) -> Charity:
    """An admin in scope, or a member of this very charity; for anyone else the charity does not exist."""
    if actor.has_role("admin"):
        return load_for_admin(session, actor, charity_id)
    mine = charity_of(session, actor)
    if mine is None or mine.id != charity_id:
        raise NotFound()
    return mine


def update_profile(session, actor: User, data: CharityInput, *, registration_number: str | None = None,
                   contact_email: str | None = None, now: datetime | None = None) -> Charity:
    """An owner corrects the charity's details; a rejected application so corrected goes back to the county
    for review (pending again)."""
    charity = require_charity(session, actor, approved=False)
    member = session.get(CharityMember, actor.id)
    if member is not None and member.role != "owner":
        raise Forbidden(_l("只有机构负责人可以修改机构信息"))
    values = _clean(data)
    if values["credit_code"] != charity.credit_code and charity.status == "approved":
        raise InvalidTransition(_l("审核通过后不能修改统一社会信用代码"), field="credit_code")
    for key, column in (("credit_code", Charity.credit_code), ("name", Charity.name)):
        if session.scalar(select(Charity.id).where(column == values[key], Charity.id != charity.id)) is not None:
            raise Duplicate(_l("该统一社会信用代码已登记") if key == "credit_code" else _l("该机构名称已登记"),
                            field=key)
    if registration_number is not None or contact_email is not None:
        try:
            values["registration_number"] = domain.parse_registration_number(registration_number,
                                                                              values["registration"])
        except domain.CharityRuleBroken as error:
            raise ValidationFailed(MESSAGES[error.reason], field="registration_number") from None
        values["contact_email"] = _email(contact_email)
    for key, value in values.items():
        setattr(charity, key, value)
    if charity.status == "rejected":
        charity.status, charity.review_reason = "pending", None
        if now is not None:
            notify_role(session, "admin", "charity_applied", {"name": charity.name}, link="/charity/admin", now=now)
        audit.record(session, "charity_resubmit", actor_id=actor.id, target=f"charity:{charity.id}")
    session.flush()
    return charity


# ---------------------------------------------------------------------------------------------------------
# members


def membership(session, user: User) -> CharityMember | None:
    return session.get(CharityMember, user.id) if user is not None and user.is_authenticated else None


def _require_owner(session, actor: User, charity_id: int) -> Charity:
    charity = load_visible(session, actor, charity_id)
    if actor.has_role("admin"):
        return charity
    own = membership(session, actor)
    if own is None or own.removed_at is not None or not own.is_owner:
        raise Forbidden(_l("只有机构负责人可以管理成员"))
    if not charity.active:
        raise Forbidden(MESSAGES["deactivated"])
    return charity


def members(session, actor: User, charity_id: int) -> list[CharityMember]:
    load_visible(session, actor, charity_id)
    return list(session.scalars(select(CharityMember).where(CharityMember.charity_id == charity_id)
                                .order_by(CharityMember.removed_at.is_not(None), CharityMember.role != "owner",
                                          CharityMember.created_at, CharityMember.user_id)))


def add_member(session, actor: User, charity_id: int, login: LoginInput, *, role: str = "member",
               now: datetime) -> CharityMember:
    """An owner (or the county admin) adds a login: the password given is an initial one, changed by the
    member at the first sign-in."""
    charity = _require_owner(session, actor, charity_id)
    if role not in domain.MEMBER_ROLES:
        raise ValidationFailed(_l("请选择成员角色"), field="role")
    name = _member_name(login.name)
    username = _username(login.username)
    user = accounts.create_user(session, password=login.password, roles=("charity",), username=username,
                                node_id=charity.node_id, must_change_password=True)
    user.email = _email(login.email, "email")
    member = CharityMember(user_id=user.id, charity_id=charity.id, role=role, name=name, added_by_id=actor.id,
                           created_at=now)
    session.add(member)
    audit.record(session, "charity_member_add", actor_id=actor.id, target=f"charity:{charity.id}",
                 detail=f"user:{user.id} {role}")
    session.flush()
    return member


def remove_member(session, actor: User, charity_id: int, user_id: int, *, now: datetime) -> CharityMember:
    """An owner removes a member: the login is deactivated at once (every session and token ends); the row
    stays for history. The last owner cannot be removed."""
    charity = _require_owner(session, actor, charity_id)
    member = session.get(CharityMember, user_id) if isinstance(user_id, int) else None
    if member is None or member.charity_id != charity.id:
        raise NotFound()
    owners = session.scalar(select(func.count()).select_from(CharityMember).where(
        CharityMember.charity_id == charity.id, CharityMember.role == "owner", CharityMember.removed_at.is_(None)))
    problem = domain.removal_problem(removing_owner=member.is_owner, active_owners=owners or 0,
                                     already_removed=member.removed_at is not None)
    if problem is not None:
        raise InvalidTransition(MESSAGES[problem], reason=problem)
    member.removed_at, member.removed_by_id = now, actor.id
    _end_login(session, member.user, now=now, deactivate=True)
    audit.record(session, "charity_member_remove", actor_id=actor.id, target=f"charity:{charity.id}",
                 detail=f"user:{member.user_id}")
    session.flush()
    return member


def _end_login(session, user: User, *, now: datetime, deactivate: bool) -> None:
    if deactivate:
        user.active = False
    accounts.end_all_sessions(user)
    accounts.revoke_all_tokens(session, user, now=now)


# ---------------------------------------------------------------------------------------------------------
# deactivation


def deactivate(session, actor: User, charity_id: int, *, reason: str, now: datetime) -> Charity:
    """The county stops a charity: every member's sessions and tokens end and no member may sign in; its
    pool pays no new request. Donations, transfers and the public numbers stay."""
    charity = load_for_admin(session, actor, charity_id)
    if charity.status != "approved":
        raise InvalidTransition(_l("只有审核通过的机构可以停用"))
    if not charity.active:
        raise InvalidTransition(_l("该机构已停用"))
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationFailed(_l("请填写停用原因（300字以内）"), field="reason")
    charity.deactivated_at, charity.deactivation_reason = now, reason
    for member in charity.members:
        _end_login(session, member.user, now=now, deactivate=False)
        if member.removed_at is None:
            notify(session, member.user_id, "charity_deactivated", {"name": charity.name, "reason": reason},
                   now=now)
    audit.record(session, "charity_deactivate", actor_id=actor.id, target=f"charity:{charity.id}", detail=reason)
    session.flush()
    return charity


def reactivate(session, actor: User, charity_id: int, *, now: datetime) -> Charity:
    charity = load_for_admin(session, actor, charity_id)
    if charity.active:
        raise InvalidTransition(_l("该机构未停用"))
    charity.deactivated_at, charity.deactivation_reason = None, None
    for member in charity.members:
        if member.removed_at is None:
            notify(session, member.user_id, "charity_reactivated", {"name": charity.name}, link="/charity/",
                   now=now)
    audit.record(session, "charity_reactivate", actor_id=actor.id, target=f"charity:{charity.id}")
    session.flush()
    return charity


def login_refusal(session, user: User) -> str | None:
    """Why a charity login may not sign in now (its charity was deactivated), else None. A pending or
    rejected applicant signs in and sees its status page."""
    member = session.get(CharityMember, user.id)
    if member is None:
        return None
    charity = session.get(Charity, member.charity_id)
    if charity is not None and not charity.active:
        return str(MESSAGES["deactivated"])
    return None


__all__ = ["ApplicationInput", "CharityInput", "LoginInput", "add_member", "apply", "deactivate", "login_refusal",
           "members", "open_charity", "reactivate", "remove_member", "rule_error", "update_profile"]
