"""Language choice (cookie, then user, then browser, default zh_CN) and display filters."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

LANG_COOKIE = "timebank_lang"
ELDER_COOKIE = "timebank_elder"
ONE_YEAR = 365 * 24 * 3600


def select_locale() -> str:
    supported = current_app.config["TIMEBANK_LOCALES"]
    if not has_request_context():  # jobs and commands speak the default language
        return current_app.config["TIMEBANK_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in supported:
        return chosen
    if request.path.startswith("/api/"):
        # API clients say what they want; otherwise the token owner's saved language applies.
        if request.headers.get("Accept-Language"):
            best = request.accept_languages.best_match([s.replace("_", "-") for s in supported])
            if best:
                return best.replace("-", "_")
        user = g.get("api_user")
    else:
        user = current_user if current_user else None
    user_locale = getattr(user, "locale", None)
    if user_locale in supported:
        return user_locale
    return current_app.config["TIMEBANK_DEFAULT_LOCALE"]


def is_english() -> bool:
    return str(get_locale()).startswith("en")


def format_minutes(minutes: int | None) -> str:
    """Integer minutes for display: 210 -> 3小时30分 / 3 h 30 min."""
    if minutes is None:
        return ""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(int(minutes)), 60)
    if is_english():
        parts = ([f"{hours} h"] if hours else []) + ([f"{rest} min"] if rest or not hours else [])
    else:
        parts = ([f"{hours}小时"] if hours else []) + ([f"{rest}分"] if rest or not hours else [])
    return sign + " ".join(parts) if is_english() else sign + "".join(parts)


def account_name(name: str | None) -> str:
    """System accounts carry Chinese names in the database; show them in the page's language."""
    known = {"县捐赠时间池": _("县捐赠时间池"), "政府兜底时间池": _("政府兜底时间池"), "系统发行账户": _("系统发行账户")}
    return known.get(name or "", name or "")


def unit_name(unit: str | None) -> str:
    """Goods units are stored in Chinese (件, 袋 ...); in English they follow the number after a space."""
    if not is_english():
        return unit or ""
    names = {"件": "pcs", "床": "quilt(s)", "袋": "bag(s)", "桶": "drum(s)", "箱": "box(es)", "台": "unit(s)",
             "个": "pcs", "套": "set(s)", "盒": "box(es)", "瓶": "bottle(s)", "双": "pair(s)", "辆": "vehicle(s)"}
    return " " + names.get(unit or "", unit or "")


def format_localtime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp shown in the county's time zone."""
    if value is None:
        return ""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(current_app.config["TIMEBANK_TIMEZONE"])).strftime(fmt)


T = TypeVar("T")


def once_per_request(build: Callable[[], T]) -> Callable[[], T]:
    """A translated label table built once per request and language (kept on flask.g), however many rows
    of a page look a name up in it. Callers must not change the table they get."""
    key = f"_timebank_labels_{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def cached() -> T:
        if not has_app_context():
            return build()
        locale = str(get_locale())
        hit = g.get(key)
        if hit is None or hit[0] != locale:
            hit = (locale, build())
            setattr(g, key, hit)
        return hit[1]

    return cached


def labels() -> dict[str, dict[str, str]]:
    """Translated names of the enumerations used on pages, built once per request and language."""
    locale = str(get_locale())
    cached = g.get("_timebank_labels")
    if cached is None or cached[0] != locale:
        cached = (locale, _build_labels())
        g._timebank_labels = cached
    return cached[1]


def _build_labels() -> dict[str, dict[str, str]]:
    return {
        "role": {
            "admin": _("县民政局管理员"), "station": _("社工站工作人员"), "social_worker": _("社工"),
            "volunteer": _("志愿者"), "resident": _("服务对象"), "relative": _("家属"),
            "charity": _("慈善组织"),
        },
        "volunteer_status": {"pending": _("待审核"), "approved": _("已通过"), "rejected": _("未通过")},
        "node_kind": {"county": _("县"), "township": _("乡镇/街道"), "village": _("村/社区")},
        "living": {"alone": _("独居"), "empty_nest": _("空巢"), "with_family": _("与家人同住")},
        "hardship": {
            "dibao": _("低保"), "dibao_edge": _("低保边缘"), "tekun": _("特困"),
            "expenditure": _("支出型困难"), "orphan": _("孤儿"), "de_facto_orphan": _("事实无人抚养儿童"),
            "left_behind_child": _("留守儿童"), "child_in_difficulty": _("困境儿童"),
            "severe_disability": _("重度残疾"), "family_planning_special": _("计生特殊家庭"),
        },
        "person_status": {"active": _("在册"), "moved": _("已迁出"), "deceased": _("已故")},
        "disability_type": {
            "visual": _("视力残疾"), "hearing": _("听力残疾"), "speech": _("言语残疾"), "physical": _("肢体残疾"),
            "intellectual": _("智力残疾"), "mental": _("精神残疾"), "multiple": _("多重残疾"),
        },
        "adl_level": {0: _("能力完好"), 1: _("轻度失能"), 2: _("中度失能"), 3: _("重度失能"), 4: _("完全失能")},
        "kinship": {
            "spouse": _("配偶"), "child": _("子女"), "parent": _("父母"), "grandchild": _("孙子女/外孙子女"),
            "grandparent": _("祖父母/外祖父母"), "sibling": _("兄弟姐妹"), "other": _("其他"),
        },
        "gender": {"male": _("男"), "female": _("女")},
        "disability": {0: _("无"), 1: _("一级"), 2: _("二级"), 3: _("三级"), 4: _("四级")},
        "station_kind": {"social_work": _("社工站"), "committee": _("村/居委会")},
        "proposal": {
            "offered": _("待答复"), "accepted": _("已接受"), "declined": _("已婉拒"), "expired": _("已过期"),
            "withdrawn": _("已撤回"), "failed": _("未成功"),
        },
        "goods_proposal": {"offered": _("待审核"), "accepted": _("已分配"), "rejected": _("已拒绝")},
        "priority_group": {
            "tekun": _("特困人员"), "orphan": _("孤儿或事实无人抚养儿童"), "lone_elder": _("重点空巢独居老人"),
            "severe_disability": _("重度残疾或失能"), "family_planning_special": _("计生特殊家庭"),
            "left_behind_child": _("留守儿童"), "child_in_difficulty": _("困境儿童"), "dibao": _("低保"),
            "dibao_edge": _("低保边缘"), "expenditure": _("支出型困难"),
        },
    }


def init_app(app) -> None:
    from timebank.accounts.domain import mask_phone

    app.jinja_env.filters["minutes"] = format_minutes
    app.jinja_env.filters["localtime"] = format_localtime
    app.jinja_env.filters["account_name"] = account_name
    app.jinja_env.filters["unit"] = unit_name
    app.jinja_env.filters["mask_phone"] = lambda value: mask_phone(value) if value else ""
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.globals["is_english"] = is_english
    app.jinja_env.globals["age_of"] = age_of


def age_of(birth) -> int:
    from timebank import clock
    from timebank.accounts.domain import age_on

    return age_on(birth, clock.today())
