"""Mail for account recovery, sent straight through the SMTP channel after the commit: a reset link or an
address-verification link must not wait in the outbox or sit in the inbox."""

from __future__ import annotations

import logging
import secrets

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from timebank.notify.channels import DeliveryError, EmailChannel
from timebank.notify.texts import Rendered

log = logging.getLogger(__name__)


def can_mail() -> bool:
    return bool(current_app.config.get("TIMEBANK_SMTP_HOST"))


def _send(address: str, message: Rendered) -> bool:
    if not can_mail():
        return False
    try:
        EmailChannel(current_app.config).send(address, message, message_id=secrets.token_hex(16))
    except DeliveryError:
        log.warning("account mail to a user could not be sent", exc_info=True)
        return False
    return True


def send_reset_link(user, url: str) -> bool:
    with force_locale(user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):
        message = Rendered(_("时间银行：重设密码"),
                           _("有人（希望是您本人）申请重设时间银行的登录密码。请在30分钟内打开下面的链接设置新密码：\n%(url)s\n"
                             "如果不是您本人申请，请忽略这封邮件，您的密码不会改变。", url=url))
    return _send(user.email, message)


def send_verification(user, url: str) -> bool:
    with force_locale(user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):
        message = Rendered(_("时间银行：请验证您的电子邮箱"),
                           _("请在48小时内打开下面的链接，确认这是您的邮箱。验证后，忘记密码时可以通过这个邮箱重设：\n%(url)s"
                             , url=url))
    return _send(user.email, message)
