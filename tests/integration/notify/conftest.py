"""A real SMTP server (aiosmtpd) on a free local port that records what it receives."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self.controller = None

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.recorder.messages


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_config(app, smtp_server):
    """Point the app at the test SMTP server for this test only."""
    saved = {k: app.config.get(k) for k in ("TIMEBANK_SMTP_HOST", "TIMEBANK_SMTP_PORT", "TIMEBANK_SMTP_TIMEOUT")}
    app.config.update(TIMEBANK_SMTP_HOST="127.0.0.1", TIMEBANK_SMTP_PORT=smtp_server.port, TIMEBANK_SMTP_TIMEOUT=3)
    yield smtp_server
    app.config.update(saved)
