"""Writes for charities, donations and stock, and charity hour pools. Services flush; the shell commits.

Every change of a donation's stock goes through `move`, which locks the donation row (SELECT ... FOR UPDATE
on PostgreSQL; SQLite already holds the write lock from BEGIN IMMEDIATE), applies the pure stock rule and
appends a StockMovement, so stored stock always equals the replay of its movements (`charity check`).
Goods requests, allocation and receipt live in allocation.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from timebank.accounts.domain import IdentityError, age_on, normalize_phone
from timebank.accounts.models import OrgNode, Person, Station, User
from timebank.audit import service as audit
from timebank.charity import domain
from timebank.charity.models import (
    CashGiftNote,
    Charity,
    CharityMember,
    CharityPoolRule,
    Donation,
    Item,
    ItemCategory,
    StockMovement,
)
from timebank.errors import Duplicate, Forbidden, InvalidTransition, NotFound, NotInScope, ValidationFailed
from timebank.ledger import service as ledger
from timebank.notify.service import notify
from timebank.people.domain import HARDSHIP_KINDS
from timebank.people.models import ResidentProfile

MESSAGES = {
    "credit_format": _l("统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）"),
    "credit_checksum": _l("统一社会信用代码校验位不正确，请核对"),
    "quantity": _l("数量应为1到100000之间的整数"),
    "stock": _l("库存不足"),
    "reserved": _l("预留数量不足"),
    "age_range": _l("年龄范围不正确"),
    "use_by_past": _l("该物资已过保质期，不能捐赠或分配"),
    "status": _l("服务对象不符合该捐赠的困难类型要求"),
    "age": _l("服务对象不符合年龄要求"),
    "township": _l("服务对象不在限定的乡镇"),
    "category": _l("该时间池不支付此类服务"),
    "movement_kind": _l("未知的库存变动类型"),
}


class NotEligible(ValidationFailed):
    code = "not_eligible"
    message = _l("服务对象不符合条件")


class StockShort(ValidationFailed):
    status = 409
    code = "insufficient_stock"
    message = _l("库存不足")


def rule_error(error: domain.CharityRuleBroken, field: str | None = None) -> ValidationFailed:
    message = MESSAGES.get(error.reason)
    if error.reason == "stock":
        return StockShort(field=field or "quantity", reason="stock", available=error.details.get("available", 0))
    if error.reason in ("status", "age", "township", "category"):
        return NotEligible(message, field=field, reason=error.reason)
    return ValidationFailed(message, field=field, reason=error.reason)


def quantity_of(value, field: str = "quantity") -> int:
    try:
        return domain.parse_quantity(value)
    except domain.CharityRuleBroken as error:
        raise rule_error(error, field) from None


# ---------------------------------------------------------------------------------------------------------
# charities


@dataclass(frozen=True)
class CharityInput:
    name: str
    credit_code: str
    registration: str
    contact_name: str
    contact_phone: str
    address: str | None = None
    description: str | None = None


def charity_of(session, user: User | None) -> Charity | None:
    """The charity this login acts for (None for anyone else)."""
    if user is None or not user.is_authenticated or not user.has_role("charity"):
        return None
    return session.scalar(select(Charity).join(CharityMember).where(CharityMember.user_id == user.id))


def _clean(data: CharityInput) -> dict:
    name = (data.name or "").strip()
    if not 2 <= len(name) <= 100:
        raise ValidationFailed(_l("请填写机构名称（2到100字）"), field="name")
    try:
        code = domain.parse_credit_code(data.credit_code)
    except domain.CharityRuleBroken as error:
        raise rule_error(error, "credit_code") from None
    if data.registration not in domain.REGISTRATIONS:
        raise ValidationFailed(_l("请选择登记类型"), field="registration")
    contact = (data.contact_name or "").strip()
    if not contact or len(contact) > 50:
        raise ValidationFailed(_l("请填写联系人"), field="contact_name")
    phone = (data.contact_phone or "").strip().replace(" ", "")
    try:
        phone = normalize_phone(phone)
    except IdentityError:
        if not (7 <= len(phone) <= 20 and phone.replace("-", "").isdigit()):
            raise ValidationFailed(_l("请填写正确的联系电话"), field="contact_phone") from None
    return dict(name=name, credit_code=code, registration=data.registration, contact_name=contact,
                contact_phone=phone, address=(data.address or "").strip()[:200] or None,
                description=(data.description or "").strip()[:500] or None)


def register_charity(session, actor: User, data: CharityInput, *, now: datetime) -> Charity:
    """A charity login registers its organisation; it waits for an admin's approval."""
    if not actor.has_role("charity"):
        raise Forbidden()
    if charity_of(session, actor) is not None:
        raise Duplicate(_l("该账号已登记过机构"))
    values = _clean(data)
    if session.scalar(select(Charity.id).where(Charity.credit_code == values["credit_code"])) is not None:
        raise Duplicate(_l("该统一社会信用代码已登记"), field="credit_code")
    if session.scalar(select(Charity.id).where(Charity.name == values["name"])) is not None:
        raise Duplicate(_l("该机构名称已登记"), field="name")
    root = session.scalar(select(OrgNode).where(OrgNode.parent_id.is_(None)).order_by(OrgNode.id))
    charity = Charity(**values, node_id=actor.node_id or root.id, status="pending", created_at=now)
    session.add(charity)
    session.flush()
    session.add(CharityMember(user_id=actor.id, charity_id=charity.id, created_at=now))
    audit.record(session, "charity_register", actor_id=actor.id, target=f"charity:{charity.id}")
    session.flush()
    return charity


def require_charity(session, actor: User, *, approved: bool = True) -> Charity:
    charity = charity_of(session, actor)
    if charity is None:
        raise Forbidden(_l("请先登记机构信息"))
    if approved and charity.status != "approved":
        raise Forbidden(_l("机构审核通过后才能进行此操作"))
    if not charity.active:
        raise Forbidden(_l("该机构已被县民政局停用"))
    return charity


def review_charity(session, actor: User, charity_id: int, *, approve: bool, reason: str | None,
                   now: datetime) -> Charity:
    """An admin approves (opening the charity's hour pool) or rejects with a reason."""
    if not actor.has_role("admin"):
        raise Forbidden()
    charity = session.get(Charity, charity_id) if isinstance(charity_id, int) else None
    if charity is None:
        raise NotFound()
    from timebank.accounts.scope import require_node

    require_node(actor, charity.node)
    if charity.status != "pending" and not (charity.status == "rejected" and approve):
        raise InvalidTransition(_l("该机构已审核"))
    if not approve and not (reason or "").strip():
        raise ValidationFailed(_l("请填写不通过的原因"), field="reason")
    charity.status = "approved" if approve else "rejected"
    charity.review_reason = None if approve else reason.strip()[:300]
    charity.reviewed_by_id, charity.reviewed_at = actor.id, now
    if approve:
        charity.account_id = ledger.open_charity_account(session, charity.id, charity.name).id
        if session.get(CharityPoolRule, charity.id) is None:
            session.add(CharityPoolRule(charity_id=charity.id, updated_at=now))
    audit.record(session, "charity_review", actor_id=actor.id, target=f"charity:{charity.id}",
                 detail=charity.status)
    for member in charity.members:
        notify(session, member.user_id, "charity_reviewed",
               {"name": charity.name, "approved": approve, "reason": charity.review_reason or ""},
               link="/charity/", now=now)
    session.flush()
    return charity


def add_cash_note(session, actor: User, *, receipt_ref: str, note: str, now: datetime) -> CashGiftNote:
    """A cash gift is recorded only as a pointer to the charity's own receipt; no amount moves here."""
    charity = require_charity(session, actor)
    receipt_ref, note = (receipt_ref or "").strip(), (note or "").strip()
    if not receipt_ref or len(receipt_ref) > 60:
        raise ValidationFailed(_l("请填写机构自己开具的收据编号"), field="receipt_ref")
    if not note or len(note) > 300:
        raise ValidationFailed(_l("请填写说明（300字以内）"), field="note")
    row = CashGiftNote(charity_id=charity.id, receipt_ref=receipt_ref, note=note, created_by_id=actor.id,
                       created_at=now)
    session.add(row)
    session.flush()
    return row


# ---------------------------------------------------------------------------------------------------------
# item catalog (admin)


def save_item(session, actor: User, *, item_id: int | None, category_id: int, code: str, name_zh: str,
              name_en: str, unit: str, active: bool) -> Item:
    if not actor.has_role("admin"):
        raise Forbidden()
    if session.get(ItemCategory, category_id) is None:
        raise ValidationFailed(_l("请选择物资类别"), field="category_id")
    name_zh, name_en, code, unit = (name_zh or "").strip(), (name_en or "").strip(), (code or "").strip(), \
        (unit or "").strip()
    if not name_zh or not name_en or len(name_zh) > 40 or len(name_en) > 60:
        raise ValidationFailed(_l("请填写中英文名称"), field="name_zh")
    if not code or len(code) > 40:
        raise ValidationFailed(_l("请填写物资代码"), field="code")
    if not unit or len(unit) > 8:
        raise ValidationFailed(_l("请填写单位"), field="unit")
    item = session.get(Item, item_id) if item_id else Item()
    if item is None:
        raise NotFound()
    clash = session.scalar(select(Item.id).where(Item.code == code, Item.id != (item.id or 0)))
    if clash is not None:
        raise Duplicate(_l("物资代码已存在"), field="code")
    item.category_id, item.code, item.name_zh, item.name_en, item.unit, item.active = \
        category_id, code, name_zh, name_en, unit, bool(active)
    session.add(item)
    session.flush()
    return item


# ---------------------------------------------------------------------------------------------------------
# donations and stock


@dataclass(frozen=True)
class DonationInput:
    item_id: int
    quantity: object
    node_id: int | None = None
    station_id: int | None = None
    statuses: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    township_ids: tuple[int, ...] = ()
    use_by: date | None = None
    delivery: str = "both"
    note: str | None = None


def _townships(session, ids) -> list[int]:
    ids = sorted({int(i) for i in ids})
    if not ids:
        return []
    found = set(session.scalars(select(OrgNode.id).where(OrgNode.id.in_(ids), OrgNode.kind == "township")))
    if found != set(ids):
        raise ValidationFailed(_l("所选乡镇不存在"), field="township_ids")
    return ids


def _statuses(values) -> list[str]:
    values = sorted(set(values))
    if any(v not in HARDSHIP_KINDS for v in values):
        raise ValidationFailed(_l("所选困难类型不存在"), field="statuses")
    return values


def _ages(min_age, max_age) -> None:
    try:
        domain.check_age_range(min_age, max_age)
    except domain.CharityRuleBroken as error:
        raise rule_error(error, "min_age") from None


def create_donation(session, actor: User, data: DonationInput, *, now: datetime, today: date) -> Donation:
    """An approved charity donates goods: the stock starts with one `received` movement."""
    charity = require_charity(session, actor)
    item = session.get(Item, data.item_id) if isinstance(data.item_id, int) else None
    if item is None or not item.active:
        raise ValidationFailed(_l("请选择物资"), field="item_id")
    quantity = quantity_of(data.quantity)
    station = session.get(Station, data.station_id) if data.station_id else None
    if data.station_id and station is None:
        raise ValidationFailed(_l("所选社工站不存在"), field="station_id")
    node_id = station.node_id if station else data.node_id
    if node_id is None or session.get(OrgNode, node_id) is None:
        raise ValidationFailed(_l("请选择存放地点（社工站或村/社区）"), field="node_id")
    statuses = _statuses(data.statuses)
    townships = _townships(session, data.township_ids)
    _ages(data.min_age, data.max_age)
    if data.use_by is not None and not domain.usable(data.use_by, today):
        raise ValidationFailed(MESSAGES["use_by_past"], field="use_by")
    if data.delivery not in domain.DELIVERY_OPTIONS:
        raise ValidationFailed(_l("请选择领取方式"), field="delivery")
    donation = Donation(
        charity_id=charity.id, item_id=item.id, quantity=quantity, stock=0, reserved=0, node_id=node_id,
        station_id=station.id if station else None, statuses=",".join(statuses), min_age=data.min_age,
        max_age=data.max_age, townships=",".join(str(t) for t in townships), use_by=data.use_by,
        delivery=data.delivery, note=(data.note or "").strip()[:300] or None, created_by_id=actor.id,
        created_at=now)
    session.add(donation)
    session.flush()
    move(session, donation.id, "received", quantity, actor_id=actor.id, now=now)
    audit.record(session, "charity_donation", actor_id=actor.id, target=f"donation:{donation.id}")
    return donation


def lock_donation(session, donation_id: int) -> Donation:
    """The donation row, locked for this transaction and re-read (another writer may have moved stock)."""
    donation = session.scalar(select(Donation).where(Donation.id == donation_id).with_for_update()
                              .execution_options(populate_existing=True))
    if donation is None:
        raise NotFound(field="donation_id")
    return donation


def move(session, donation_id: int, kind: str, quantity: int, *, allocation_id: int | None = None,
         reason: str | None = None, actor_id: int | None = None, now: datetime) -> Donation:
    """The one way stock changes: lock, apply the rule, store the new stock, append the movement."""
    donation = lock_donation(session, donation_id)
    if kind in domain.NEEDS_REASON and not (reason or "").strip():
        raise ValidationFailed(_l("请填写报损原因"), field="reason")
    try:
        after = domain.Stock(available=donation.stock, reserved=donation.reserved).move(kind, quantity)
    except domain.CharityRuleBroken as error:
        raise rule_error(error) from None
    donation.stock, donation.reserved = after.available, after.reserved
    session.add(StockMovement(donation_id=donation.id, kind=kind, quantity=quantity, allocation_id=allocation_id,
                              reason=(reason or "").strip()[:300] or None, actor_id=actor_id, created_at=now))
    session.flush()
    return donation


def load_donation(session, actor: User, donation_id: int) -> Donation:
    """The donating charity, an admin, or station staff whose subtree holds the donation; else 404."""
    donation = session.get(Donation, donation_id) if isinstance(donation_id, int) else None
    if donation is None:
        raise NotFound()
    if actor.has_role("admin"):
        return donation
    charity = charity_of(session, actor)
    if charity is not None and charity.id == donation.charity_id:
        return donation
    if actor.has_role("station") and actor.node is not None and donation.node.path.startswith(actor.node.path):
        return donation
    raise NotInScope()


def write_off(session, actor: User, donation_id: int, *, quantity, reason: str, now: datetime) -> Donation:
    """The donating charity (or an admin) writes off free stock, with a reason (damaged, lost ...)."""
    donation = load_donation(session, actor, donation_id)
    if not actor.has_role("admin") and (charity_of(session, actor) is None
                                        or charity_of(session, actor).id != donation.charity_id):
        raise NotInScope()
    quantity = quantity_of(quantity)
    donation = move(session, donation.id, "written_off", quantity, reason=reason, actor_id=actor.id, now=now)
    audit.record(session, "charity_write_off", actor_id=actor.id, target=f"donation:{donation.id}",
                 detail=(reason or "").strip()[:200])
    return donation


def expire_due(session, *, today: date, now: datetime) -> list[int]:
    """Free stock of donations past their use-by date becomes `expired` (reserved units stay promised).
    Idempotent: a second run finds no free stock left."""
    ids = list(session.scalars(select(Donation.id).where(Donation.use_by < today, Donation.stock > 0)
                               .order_by(Donation.id)))
    done = []
    for donation_id in ids:
        donation = lock_donation(session, donation_id)
        if donation.stock > 0 and not domain.usable(donation.use_by, today):
            move(session, donation.id, "expired", donation.stock, now=now)
            done.append(donation_id)
    return done


# ---------------------------------------------------------------------------------------------------------
# eligibility


def restriction_of(row: Donation | CharityPoolRule) -> domain.Restriction:
    categories = frozenset(row.category_ids) if isinstance(row, CharityPoolRule) else frozenset()
    return domain.Restriction(statuses=frozenset(row.status_codes), min_age=row.min_age, max_age=row.max_age,
                              townships=frozenset(row.township_ids), categories=categories)


def township_of(node: OrgNode) -> int | None:
    """The township id on a node's path (/county/township/village/)."""
    parts = [int(p) for p in node.path.strip("/").split("/") if p]
    return parts[1] if len(parts) >= 2 else None


def resident_facts(session, person_id: int, today: date) -> domain.ResidentFacts:
    person = session.get(Person, person_id)
    if person is None or session.get(ResidentProfile, person_id) is None:
        raise NotFound(field="resident_id")
    from timebank.people import priority_facts

    kinds = frozenset(priority_facts.priority_of(session, person_id, today).counting)  # lapsed ones do not count
    return domain.ResidentFacts(age=age_on(person.birth_date, today), statuses=kinds,
                                township_id=township_of(person.node))


# ---------------------------------------------------------------------------------------------------------
# charity hour pools


@dataclass(frozen=True)
class PoolRuleInput:
    statuses: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    township_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = field(default_factory=tuple)


def set_pool_rule(session, actor: User, data: PoolRuleInput, *, now: datetime) -> CharityPoolRule:
    """The charity decides which residents its pool may pay for."""
    from timebank.catalog.models import ServiceCategory

    charity = require_charity(session, actor)
    statuses = _statuses(data.statuses)
    townships = _townships(session, data.township_ids)
    _ages(data.min_age, data.max_age)
    categories = sorted({int(c) for c in data.category_ids})
    if categories and len(list(session.scalars(select(ServiceCategory.id).where(
            ServiceCategory.id.in_(categories))))) != len(categories):
        raise ValidationFailed(_l("所选服务类别不存在"), field="category_ids")
    rule = session.get(CharityPoolRule, charity.id) or CharityPoolRule(charity_id=charity.id)
    rule.statuses, rule.min_age, rule.max_age = ",".join(statuses), data.min_age, data.max_age
    rule.townships = ",".join(str(t) for t in townships)
    rule.categories = ",".join(str(c) for c in categories)
    rule.updated_at = now
    session.add(rule)
    session.flush()
    return rule


def _approved_charity(session, charity_id: int) -> Charity:
    charity = session.get(Charity, charity_id) if isinstance(charity_id, int) else None
    if charity is None or not charity.pool_open:  # a deactivated charity's pool pays no new request
        raise NotFound(field="charity_id")
    return charity


def pool_ineligibility(session, charity_id: int, resident_id: int, category_id: int | None,
                       today: date) -> str | None:
    """None when the charity's pool may pay for this resident (and service category); else the reason."""
    _approved_charity(session, charity_id)
    rule = session.get(CharityPoolRule, charity_id) or CharityPoolRule(charity_id=charity_id)
    return domain.ineligibility(restriction_of(rule), resident_facts(session, resident_id, today),
                                category_id=category_id)


def pay_from_pool(session, *, charity_id: int, resident_id: int, category_id: int | None, volunteer_id: int,
                  minutes: int, key: str, reference: str, memo: str | None = None, actor_id: int | None = None,
                  now: datetime, today: date) -> ledger.Outcome:
    """The charity's pool pays a volunteer for serving `resident_id` (the ledger's earn with the pool as
    payer), only when its rule admits the resident and category; an ineligible visit changes nothing."""
    charity = _approved_charity(session, charity_id)
    reason = pool_ineligibility(session, charity_id, resident_id, category_id, today)
    if reason is not None:
        raise NotEligible(MESSAGES[reason], field="charity_id", reason=reason)
    return ledger.earn(session, payer_account_id=charity.account_id, person_id=volunteer_id, minutes=minutes,
                       key=key, reference=reference, memo=memo, actor_id=actor_id, now=now, today=today)


def bank_team_hours(session, *, charity_id: int, payer_account_id: int, volunteer_id: int, minutes: int,
                    key: str, reference: str, actor_id: int | None = None, now: datetime,
                    today: date) -> ledger.Outcome:
    """A charity team volunteer's served minutes: credited (so the record shows the service), then, team
    hours being donation-only, donated at once to the charity's own pool (not the county pool)."""
    charity = _approved_charity(session, charity_id)
    donor = session.scalar(select(User).where(User.person_id == volunteer_id))
    if donor is None:
        raise NotFound(field="volunteer_id")
    earned = ledger.earn(session, payer_account_id=payer_account_id, person_id=volunteer_id, minutes=minutes,
                         key=key, reference=reference, memo="团体服务", actor_id=actor_id, now=now, today=today)
    return ledger.donate(session, donor, pool=f"charity:{charity.id}", minutes=earned.transfer.minutes,
                         key=f"{key}:team", memo="团体服务时长仅可捐赠", now=now)
