"""The dashboard's figures as titled sections (a chart and a table each) and as an .xlsx: one place that names
every figure in the reader's language, so the page, the monthly report and the download agree."""

from __future__ import annotations

from flask_babel import gettext as _

from timebank import exports


def age_label(key: str) -> str:
    return {"under_18": _("18岁以下"), "18_29": _("18至29岁"), "30_44": _("30至44岁"), "45_59": _("45至59岁"),
            "60_69": _("60至69岁"), "70_plus": _("70岁及以上")}.get(key, key)


def cohort_label(key: str) -> str:
    return {"under_30": _("30岁以下"), "30_39": _("30至39岁"), "40_49": _("40至49岁"), "50_59": _("50至59岁"),
            "60_69": _("60至69岁"), "70_79": _("70至79岁"), "80_plus": _("80岁及以上")}.get(key, key)


def tier_label(tier: int) -> str:
    from timebank.visits.views import tier_labels

    return tier_labels().get(tier, str(tier))


def pool_label(row: dict) -> str:
    from timebank.i18n import account_name
    from timebank.visits.views import payer_labels

    if row.get("label") is None:
        return payer_labels().get(row["key"], row["key"])
    return account_name(row["label"])


def _place(row: dict) -> str:
    return row["label"] if row.get("label") else _("县级（未分到乡镇或村）")


def sections(figures: dict, charts) -> list[dict]:
    """[{id, title, chart, headers, rows}] in the page's order."""
    v, r, s, g = figures["volunteers"], figures["requests"], figures["satisfaction"], figures["goods"]
    median = r["median_hours_to_match"]
    out = [
        _table("volunteers", _("志愿者"), [_("项目"), _("人数")],
               [(_("新注册"), v["new"]), (_("有服务记录"), v["active"]), (_("已审核通过"), v["approved"])]),
        _table("volunteers-age", _("已审核志愿者：按年龄段"), [_("年龄段"), _("人数")],
               [(age_label(x["key"]), x["value"]) for x in figures["volunteers_by_age"]], chart=True),
        _table("volunteers-township", _("已审核志愿者：按乡镇"), [_("乡镇"), _("人数")],
               [(_place(x), x["value"]) for x in figures["volunteers_by_township"]], chart=True),
        _table("served", _("受服务人数：按优先级"), [_("优先级"), _("人数")],
               [(tier_label(x["key"]), x["value"]) for x in figures["served_by_tier"]], chart=True),
        _table("requests", _("服务需求"), [_("项目"), _("数量")],
               [(_("发布"), r["posted"]), (_("已匹配"), r["matched"]), (_("已完成"), r["completed"]),
                (_("未匹配"), r["unmatched"]), (_("已取消"), r["cancelled"]),
                (_("匹配用时中位数（小时）"), median if median is not None else "—")]),
        _table("minutes-category", _("服务时长：按类别（分钟）"), [_("类别"), _("分钟")],
               [(x["label"], x["value"]) for x in figures["minutes_by_category"]], chart=True),
        _table("minutes-township", _("服务时长：按乡镇（分钟）"), [_("乡镇"), _("分钟")],
               [(_place(x), x["value"]) for x in figures["minutes_by_township"]], chart=True),
        _table("minutes-village", _("服务时长：按村（社区）（分钟）"), [_("村（社区）"), _("分钟")],
               [(_place(x), x["value"]) for x in figures["minutes_by_village"]], chart=True),
        _table("satisfaction", _("满意度"), [_("项目"), _("数量")],
               [(_("评价次数"), s["ratings"]), (_("平均评分"), s["average"] if s["average"] is not None else "—"),
                (_("提出异议"), s["disputes"])]),
        _table("ratings", _("评分分布"), [_("评分"), _("次数")],
               [(_("%(n)s星", n=x["key"]), x["value"]) for x in figures["ratings"]], chart=True),
        _table("pools", _("时间池收支（分钟）"), [_("时间池"), _("存入"), _("支出")],
               [(pool_label(x), "—" if x["in"] is None else x["in"], x["out"]) for x in figures["pools"]]),
        _table("goods", _("捐赠物资（件）"), [_("项目"), _("数量")],
               [(_("入库"), g["received"]), (_("已分配"), g["allocated"]), (_("已送达"), g["delivered"])],
               chart=True),
    ]
    for section in out:
        if section.pop("chart"):
            section["svg"] = charts.bars(section["title"], [(label, value) for label, value in section["rows"]])
    return out


def _table(ident: str, title: str, headers: list[str], rows: list[tuple], *, chart: bool = False) -> dict:
    return {"id": ident, "title": title, "headers": headers, "rows": rows, "chart": chart, "svg": None}


def xlsx(figures: dict, filename: str, *, title: str):
    """Every section as lines of one sheet: section, item, value (and a second value for the pools)."""

    class _NoCharts:
        @staticmethod
        def bars(*_args, **_kwargs):
            return None

    rows = []
    for section in sections(figures, _NoCharts):
        for line in section["rows"]:
            rows.append([section["title"], *line])
    preamble = [[title], [_("统计期间"), figures["period"]["from"], figures["period"]["to"]]]
    return exports.xlsx_download([_("分类"), _("项目"), _("数值"), _("支出")], rows, filename,
                                 title=_("统计报表"), widths=[30, 30, 14, 14], preamble=preamble)
