"""Station staff correct a person's record: contact, village, living situation, disability, 失能 level,
emergency contacts. Every change is audited with before and after (phones masked)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from timebank.accounts import domain as id_domain
from timebank.accounts.models import OrgNode, User
from timebank.accounts.scope import require_node
from timebank.audit import service as audit
from timebank.errors import NotInScope, ValidationFailed
from timebank.people import domain
from timebank.people import lifecycle_rules as rules
from timebank.people.lifecycle import load_person
from timebank.people.models import ResidentProfile, VolunteerProfile

PERSON_FIELDS = ("phone", "address", "village_id")
RESIDENT_FIELDS = ("living_situation", "disability_grade", "disability_type", "adl_level", "adl_assessed_on",
                   "emergency_contact_name", "emergency_contact_phone")
VOLUNTEER_FIELDS = ("volunteer_emergency_contact_name", "volunteer_emergency_contact_phone")
EDITABLE = PERSON_FIELDS + RESIDENT_FIELDS + VOLUNTEER_FIELDS
_PHONES = ("phone", "emergency_contact_phone", "volunteer_emergency_contact_phone")

MESSAGES = {
    "adl_pair": _l("失能等级和评估日期要么都填，要么都不填"),
    "adl_level": _l("失能等级应为0到4级"),
    "adl_future": _l("评估日期不能晚于今天"),
}


def _phone(value, field: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return id_domain.normalize_phone(value)
    except id_domain.IdentityError:
        raise ValidationFailed(_l("请输入11位手机号码"), field=field) from None


def _text(value, limit: int) -> str | None:
    return (value or "").strip()[:limit] or None


def _shown(field: str, value):
    """What the audit keeps: phones masked, dates as ISO text."""
    if value is None:
        return None
    if field in _PHONES:
        return id_domain.mask_phone(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def edit_person(session, actor: User, person_id: int, changes: dict, *, today: date) -> dict[str, tuple]:
    """Apply the given fields (only those present); returns {field: (before, after)} of what changed.

    Resident fields need a resident profile, volunteer fields a volunteer profile. A village outside the
    actor's subtree is a 404; a village in another township is a move (lifecycle.move_person).
    """
    person = load_person(session, actor, person_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(field=sorted(unknown)[0])
    resident = session.get(ResidentProfile, person.id)
    volunteer = session.get(VolunteerProfile, person.id)
    if resident is None and set(changes) & set(RESIDENT_FIELDS):
        raise ValidationFailed(_l("此人不是服务对象，不能修改这些资料"), field=sorted(set(changes) & set(RESIDENT_FIELDS))[0])
    if volunteer is None and set(changes) & set(VOLUNTEER_FIELDS):
        raise ValidationFailed(_l("此人不是志愿者，不能修改这些资料"), field=sorted(set(changes) & set(VOLUNTEER_FIELDS))[0])
    new: dict[str, object] = {}
    if "phone" in changes:
        new["phone"] = _phone(changes["phone"], "phone")
    if "address" in changes:
        new["address"] = _text(changes["address"], 200)
    node = None
    if "village_id" in changes and changes["village_id"] is not None:
        node = session.get(OrgNode, changes["village_id"]) if isinstance(changes["village_id"], int) else None
        if node is None:
            raise NotInScope(field="village_id")
        require_node(actor, node)
        if node.kind != "village":
            raise ValidationFailed(_l("请选择村或社区"), field="village_id")
        if rules.is_other_township(person.node.path, node.path):
            raise ValidationFailed(_l("迁往其他乡镇请使用“迁往其他乡镇”，以便移交给当地社工站。"), field="village_id")
    if resident is not None:
        if "living_situation" in changes:
            if changes["living_situation"] not in domain.LIVING_SITUATIONS:
                raise ValidationFailed(_l("请选择居住情况"), field="living_situation")
            new["living_situation"] = changes["living_situation"]
        if "disability_grade" in changes:
            if changes["disability_grade"] not in domain.DISABILITY_GRADES:
                raise ValidationFailed(_l("残疾等级无效"), field="disability_grade")
            new["disability_grade"] = changes["disability_grade"]
        if "disability_type" in changes:
            value = changes["disability_type"] or None
            if value is not None and value not in rules.DISABILITY_TYPES:
                raise ValidationFailed(_l("请选择残疾类别"), field="disability_type")
            new["disability_type"] = value
        if "adl_level" in changes or "adl_assessed_on" in changes:
            level = changes.get("adl_level", resident.adl_level)
            assessed = changes.get("adl_assessed_on", resident.adl_assessed_on)
            if isinstance(level, bool) or (level is not None and not isinstance(level, int)):
                raise ValidationFailed(MESSAGES["adl_level"], field="adl_level")
            if assessed is not None and not isinstance(assessed, date):
                raise ValidationFailed(MESSAGES["adl_pair"], field="adl_assessed_on")
            try:
                rules.check_adl(level, assessed, today)
            except rules.RuleBroken as broken:
                raise ValidationFailed(MESSAGES[broken.reason], field=broken.field) from None
            new["adl_level"], new["adl_assessed_on"] = level, assessed
        if "emergency_contact_name" in changes:
            new["emergency_contact_name"] = _text(changes["emergency_contact_name"], 50)
        if "emergency_contact_phone" in changes:
            new["emergency_contact_phone"] = _phone(changes["emergency_contact_phone"], "emergency_contact_phone")
    if volunteer is not None:
        if "volunteer_emergency_contact_name" in changes:
            new["volunteer_emergency_contact_name"] = _text(changes["volunteer_emergency_contact_name"], 50)
        if "volunteer_emergency_contact_phone" in changes:
            new["volunteer_emergency_contact_phone"] = _phone(changes["volunteer_emergency_contact_phone"],
                                                              "volunteer_emergency_contact_phone")
        phone = new.get("volunteer_emergency_contact_phone", volunteer.emergency_contact_phone)
        if phone and phone == new.get("phone", person.phone):
            raise ValidationFailed(_l("紧急联系人不能是本人"), field="volunteer_emergency_contact_phone")

    done: dict[str, tuple] = {}

    def put(obj, attr: str, field: str, value) -> None:
        before = getattr(obj, attr)
        if before != value:
            setattr(obj, attr, value)
            done[field] = (_shown(field, before), _shown(field, value))

    for field in ("phone", "address"):
        if field in new:
            put(person, field, field, new[field])
    if node is not None and node.id != person.node_id:
        done["village"] = (person.node.name, node.name)
        person.node_id, person.node = node.id, node
        person.latitude, person.longitude = node.latitude, node.longitude
    for field in RESIDENT_FIELDS:
        if field in new:
            put(resident, field, field, new[field])
    for field in VOLUNTEER_FIELDS:
        if field in new:
            put(volunteer, field.removeprefix("volunteer_"), field, new[field])
    if done:
        session.flush()
        audit.record(session, "person_edit", actor_id=actor.id, target=f"person:{person.id}", changes=done)
    return done
