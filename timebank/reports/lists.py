"""Every staff list as an .xlsx (residents, volunteers, requests, service records, goods requests), scoped to
the user's subtree, each one statement; statements have their own download on each account
(ledger/passbook_views.py). Each download is written to the access log."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import aliased

from timebank import clock, exports
from timebank.accounts.models import OrgNode, Person
from timebank.accounts.scope import in_scope
from timebank.catalog.models import ServiceCategory
from timebank.charity.models import GoodsRequest, Item
from timebank.extensions import db
from timebank.i18n import is_english, labels
from timebank.people.models import ResidentProfile, VolunteerProfile
from timebank.reports.views import STAFF, bp
from timebank.visits.models import ServiceRecord, ServiceRequest
from timebank.web import roles_required

KINDS = ("residents", "volunteers", "requests", "records", "goods")


def _name(zh, en):
    return en if is_english() and en else zh


def residents():
    rows = db.session.execute(
        select(Person.id, Person.name, Person.id_number_masked, Person.birth_date, OrgNode.name,
               ResidentProfile.living_situation, ResidentProfile.disability_grade, ResidentProfile.created_at)
        .join(ResidentProfile, ResidentProfile.person_id == Person.id).join(OrgNode, OrgNode.id == Person.node_id)
        .where(in_scope(Person.node_id, current_user)).order_by(Person.id))
    living = labels()["living"]
    return ([_("编号"), _("姓名"), _("身份证号（部分隐藏）"), _("出生日期"), _("村（社区）"), _("居住情况"),
             _("残疾等级"), _("登记时间")],
            ([pid, name, masked, birth, node, living.get(situation, situation), grade, at]
             for pid, name, masked, birth, node, situation, grade, at in rows),
            [8, 12, 22, 12, 16, 12, 10, 18])


def volunteers():
    rows = db.session.execute(
        select(Person.id, Person.name, Person.id_number_masked, Person.birth_date, OrgNode.name,
               VolunteerProfile.status, VolunteerProfile.is_social_worker, VolunteerProfile.created_at)
        .join(VolunteerProfile, VolunteerProfile.person_id == Person.id).join(OrgNode, OrgNode.id == Person.node_id)
        .where(in_scope(Person.node_id, current_user)).order_by(Person.id))
    statuses = {"pending": _("待审核"), "approved": _("已通过"), "rejected": _("未通过"), "suspended": _("已暂停")}
    return ([_("编号"), _("姓名"), _("身份证号（部分隐藏）"), _("出生日期"), _("村（社区）"), _("状态"),
             _("社工"), _("注册时间")],
            ([pid, name, masked, birth, node, statuses.get(status, status), _("是") if sw else _("否"), at]
             for pid, name, masked, birth, node, status, sw, at in rows),
            [8, 12, 22, 12, 16, 10, 8, 18])


def requests():
    from timebank.visits.views import payer_labels, status_labels

    rows = db.session.execute(
        select(ServiceRequest.id, Person.name, OrgNode.name, ServiceCategory.name_zh, ServiceCategory.name_en,
               ServiceRequest.status, ServiceRequest.earliest_start, ServiceRequest.duration_minutes,
               ServiceRequest.payer, ServiceRequest.priority_tier, ServiceRequest.created_at)
        .join(Person, Person.id == ServiceRequest.resident_id).join(OrgNode, OrgNode.id == ServiceRequest.node_id)
        .join(ServiceCategory, ServiceCategory.id == ServiceRequest.category_id)
        .where(in_scope(ServiceRequest.node_id, current_user)).order_by(ServiceRequest.id))
    statuses, payers = status_labels(), payer_labels()
    return ([_("编号"), _("服务对象"), _("村（社区）"), _("类别"), _("状态"), _("最早开始"), _("时长（分钟）"),
             _("支付方"), _("优先级"), _("发布时间")],
            ([rid, name, node, _name(zh, en), statuses.get(status, status), start, minutes,
              payers.get(payer, payer), tier, at]
             for rid, name, node, zh, en, status, start, minutes, payer, tier, at in rows),
            [8, 12, 16, 14, 10, 18, 12, 16, 8, 18])


def records():
    volunteer = aliased(Person)
    rows = db.session.execute(
        select(ServiceRecord.id, ServiceRecord.request_id, volunteer.name, OrgNode.name, ServiceCategory.name_zh,
               ServiceCategory.name_en, ServiceRecord.started_at, ServiceRecord.ended_at,
               ServiceRecord.credited_minutes, ServiceRecord.rating)
        .join(volunteer, volunteer.id == ServiceRecord.volunteer_id).join(OrgNode, OrgNode.id == ServiceRecord.node_id)
        .join(ServiceCategory, ServiceCategory.id == ServiceRecord.category_id)
        .where(in_scope(ServiceRecord.node_id, current_user)).order_by(ServiceRecord.id))
    return ([_("编号"), _("服务需求"), _("志愿者"), _("村（社区）"), _("类别"), _("开始"), _("结束"),
             _("计入时长（分钟）"), _("评分")],
            ([rid, req, name, node, _name(zh, en), start, end, minutes, rating]
             for rid, req, name, node, zh, en, start, end, minutes, rating in rows),
            [8, 10, 12, 16, 14, 18, 18, 14, 8])


def goods():
    rows = db.session.execute(
        select(GoodsRequest.id, Person.name, OrgNode.name, Item.name_zh, Item.name_en, GoodsRequest.quantity,
               GoodsRequest.status, GoodsRequest.priority_tier, GoodsRequest.created_at)
        .join(Person, Person.id == GoodsRequest.resident_id).join(OrgNode, OrgNode.id == GoodsRequest.node_id)
        .join(Item, Item.id == GoodsRequest.item_id)
        .where(in_scope(GoodsRequest.node_id, current_user)).order_by(GoodsRequest.id))
    statuses = {"open": _("待分配"), "allocated": _("已分配"), "delivered": _("已送达"), "cancelled": _("已取消")}
    return ([_("编号"), _("服务对象"), _("村（社区）"), _("物资"), _("数量"), _("状态"), _("优先级"), _("申请时间")],
            ([gid, name, node, _name(zh, en), quantity, statuses.get(status, status), tier, at]
             for gid, name, node, zh, en, quantity, status, tier, at in rows),
            [8, 12, 16, 14, 8, 10, 8, 18])


TITLES = {"residents": lambda: _("服务对象"), "volunteers": lambda: _("志愿者"), "requests": lambda: _("服务需求"),
          "records": lambda: _("服务记录"), "goods": lambda: _("物资申请")}


@bp.get("/lists/<any(residents, volunteers, requests, records, goods):kind>.xlsx")
@roles_required(*STAFF)
def list_xlsx(kind: str):
    build = {"residents": residents, "volunteers": volunteers, "requests": requests, "records": records,
             "goods": goods}.get(kind)
    if build is None:
        abort(404)
    headers, rows, widths = build()
    return exports.xlsx_download(headers, rows, f"{kind}-{clock.today().isoformat()}.xlsx", personal=kind,
                                 title=TITLES[kind](), widths=widths)
