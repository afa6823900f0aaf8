"""Inbox texts for personal-data requests (registered with notify's event table at app creation)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from timebank.notify.texts import event


def _field(p) -> str:
    from timebank.privacy.service import field_labels

    return str(field_labels().get(p.get("field", ""), p.get("field", "")))


event("privacy_correction_done", _l("个人信息更正"),
      lambda p: _("您的更正申请已处理"),
      lambda p: _("社工站已按您的申请更正了“%(field)s”。", field=_field(p)))
event("privacy_correction_rejected", _l("个人信息更正"),
      lambda p: _("您的更正申请未通过"),
      lambda p: _("社工站没有更正“%(field)s”，原因：%(reason)s", field=_field(p), reason=p.get("reason", "")))
event("privacy_closure_rejected", _l("注销账号"),
      lambda p: _("您的注销申请未通过"),
      lambda p: _("社工站没有注销您的账号，原因：%(reason)s", reason=p.get("reason", "")))
