"""What the import pages and API say about a refused file or a row's problem (Chinese first, translated)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from timebank.accounts.service import MESSAGES as IDENTITY

FILE = {
    "too_large": lambda p: _l("文件超过%(mb)s MB，不能导入。请分成几个较小的文件分别导入。", mb=p.get("megabytes")),
    "empty": lambda p: _l("上传的文件是空的。"),
    "not_xlsx": lambda p: _l("只能导入 Excel 的 .xlsx 文件。请在 Excel 或 WPS 中“另存为”.xlsx 格式后再上传。"),
    "wrong_template": lambda p: _l("表头与导入模板不一致。请下载本页的模板，按模板的列填写后再上传。"),
    "other_template": lambda p: _l("这是另一种名单的模板（服务对象与志愿者的模板不同），请在对应的页面上传。"),
    "merged": lambda p: _l("表格中有合并单元格（%(cells)s），请取消合并、每行只填一个人后再上传。", cells=p.get("cells")),
    "formula": lambda p: _l("单元格%(cell)s是公式。请把公式转换为数值（复制后“选择性粘贴-数值”）后再上传。",
                            cell=p.get("cell")),
    "too_many_rows": lambda p: _l("一次最多导入%(n)s行，请分成几个文件。", n=p.get("rows")),
    "no_rows": lambda p: _l("表头下面没有数据。"),
}

ROW = {
    "missing": _l("“%(column)s”未填写"),
    "too_long": _l("“%(column)s”最多%(value)s个字"),
    "name_short": _l("姓名至少2个字"),
    "id_format": IDENTITY["id_format"],
    "id_birth_date": IDENTITY["id_birth_date"],
    "id_checksum": IDENTITY["id_checksum"],
    "gender_mismatch": _l("性别“%(value)s”与身份证号码不符"),
    "birth_mismatch": _l("出生日期“%(value)s”与身份证号码不符"),
    "phone": _l("“%(column)s”不是11位手机号码：%(value)s"),
    "living": _l("居住情况“%(value)s”无法识别，请填：独居、空巢或与家人同住"),
    "disability": _l("残疾等级“%(value)s”无法识别，请填：无、一级、二级、三级或四级"),
    "hardship": _l("困难类型“%(value)s”无法识别，请从模板的下拉列表中选择"),
    "date": _l("“%(column)s”不是日期：%(value)s"),
    "decided_future": _l("认定日期不能晚于今天"),
    "review_past": _l("复核日期“%(value)s”已过，请先复核后再导入"),
    "emergency_self": _l("紧急联系人不能是本人"),
    "repeat": _l("与第%(value)s行是同一人"),
    "repeat_name": _l("与第%(value)s行身份证号码相同但姓名不同"),
    "repeat_status": _l("与第%(value)s行重复登记了同一困难类型"),
    "village": _l("在您管辖的范围内找不到村（社区）“%(value)s”"),
    "minor": _l("未满%(value)s周岁，须由监护人陪同到社工站登记，不能批量导入"),
    "elsewhere": _l("该身份证号码已在其他乡镇登记，请联系对方社工站"),
    "name_differs": _l("该身份证号码已登记为“%(value)s”，与填写的姓名不一致"),
    "inactive": _l("该人员已登记为已故或已迁出"),
}


def file_message(reason: str, params: dict):
    return FILE[reason](params)


def problem_message(code: str, column: str | None, value: str | None) -> str:
    template = ROW.get(code)
    if template is None:
        return code
    return str(template) % {"column": column or "", "value": value or ""} if "%(" in str(template) else str(template)
