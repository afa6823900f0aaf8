"""Delivery channels. Email over SMTP is built in; SMS and WeChat are real channels in Chinese practice
and plug in through the same small interface once a provider's credentials exist (none is shipped)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from timebank.notify.texts import Rendered


class DeliveryError(Exception):
    """The channel could not deliver now; the outbox keeps the message and retries later."""


class Channel(Protocol):
    name: str

    def address_for(self, user) -> str | None:
        """Where this user receives messages on this channel (None: the user has no address)."""

    def send(self, address: str, message: Rendered, *, message_id: str) -> None:
        """Deliver or raise DeliveryError. `message_id` is stable per outbox row, so a receiver can
        drop a duplicate if a crash after sending made the outbox send it again."""


class EmailChannel:
    name = "email"

    def __init__(self, config: dict):
        self.host = config["TIMEBANK_SMTP_HOST"]
        self.port = int(config.get("TIMEBANK_SMTP_PORT") or 25)
        self.username = config.get("TIMEBANK_SMTP_USERNAME") or None
        self.password = config.get("TIMEBANK_SMTP_PASSWORD") or None
        self.starttls = bool(config.get("TIMEBANK_SMTP_STARTTLS"))
        self.use_ssl = bool(config.get("TIMEBANK_SMTP_SSL"))
        self.sender = config.get("TIMEBANK_MAIL_FROM") or "timebank@localhost"
        self.timeout = float(config.get("TIMEBANK_SMTP_TIMEOUT") or 10)

    def address_for(self, user) -> str | None:
        return getattr(user, "email", None) or None

    def send(self, address: str, message: Rendered, *, message_id: str) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = address
        email["Subject"] = message.title
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = f"<{message_id}@{self.sender.split('@')[-1]}>"
        email.set_content(message.body)
        try:
            if self.use_ssl:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.starttls:
                    client.starttls(context=ssl.create_default_context())
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(email)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"{type(error).__name__}: {error}"[:500]) from error


def configured_channels(config) -> dict[str, Channel]:
    """The external channels this deployment has settings for (the inbox is always on)."""
    channels: dict[str, Channel] = {}
    if config.get("TIMEBANK_SMTP_HOST"):
        channels["email"] = EmailChannel(config)
    return channels
