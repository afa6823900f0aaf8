"""Notifications through a real SMTP server: reminders in the recipient's language, retries with backoff
while the server is down, and exactly one delivery when it comes back."""

from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

from sqlalchemy import func, select

from timebank.notify import service
from timebank.notify.jobs import deliver_due
from timebank.notify.models import Notification, OutboxMessage

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
REMINDER = {"title": "陪伴聊天", "when": "2026-11-30 09:00", "place": "桃园社区"}


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def volunteer_with_email(session, make_volunteer, address, locale):
    user = make_volunteer(status="approved")
    user.email = address
    user.locale = locale
    session.commit()
    return user


def test_reminders_arrive_in_each_recipients_language(session, mail_config, make_volunteer):
    zh = volunteer_with_email(session, make_volunteer, "zh@example.org", "zh_CN")
    en = volunteer_with_email(session, make_volunteer, "en@example.org", "en")
    service.notify(session, zh.id, "visit_reminder", REMINDER, now=NOW)
    service.notify(session, en.id, "visit_reminder", REMINDER, now=NOW)
    session.commit()
    counts = deliver_due(session, now=NOW)
    assert counts == {"sent": 2, "failed": 0}
    by_to = {m["To"]: m for m in mail_config.messages}
    assert subject(by_to["zh@example.org"]) == "服务提醒：2026-11-30 09:00"
    assert "请按时到达并扫码签到" in by_to["zh@example.org"].get_content()
    assert subject(by_to["en@example.org"]) == "Visit reminder: 2026-11-30 09:00"
    assert "check in" in by_to["en@example.org"].get_content()
    assert by_to["en@example.org"]["Message-ID"].startswith("<timebank-outbox-")


def test_server_down_keeps_messages_queued_then_delivers_exactly_once(session, mail_config, make_volunteer):
    user = volunteer_with_email(session, make_volunteer, "v@example.org", "zh_CN")
    service.notify(session, user.id, "visit_reminder", REMINDER, now=NOW)
    session.commit()
    mail_config.stop()
    assert deliver_due(session, now=NOW) == {"sent": 0, "failed": 1}
    message = session.scalars(select(OutboxMessage)).one()
    assert message.status == "pending" and message.attempts == 1 and message.last_error
    assert message.next_attempt_at == NOW + timedelta(minutes=1)
    assert deliver_due(session, now=NOW + timedelta(seconds=30)) == {"sent": 0, "failed": 0}  # backing off
    assert deliver_due(session, now=NOW + timedelta(minutes=1)) == {"sent": 0, "failed": 1}
    session.refresh(message)
    assert message.attempts == 2 and message.next_attempt_at == NOW + timedelta(minutes=3)
    mail_config.start()
    later = NOW + timedelta(minutes=3)
    assert deliver_due(session, now=later) == {"sent": 1, "failed": 0}
    assert deliver_due(session, now=later + timedelta(hours=1)) == {"sent": 0, "failed": 0}
    assert len(mail_config.messages) == 1
    session.refresh(message)
    assert message.status == "sent" and message.sent_at == later


def test_gives_up_after_the_configured_attempts(app, session, mail_config, make_volunteer):
    user = volunteer_with_email(session, make_volunteer, "v@example.org", "zh_CN")
    service.notify(session, user.id, "message", {"title": "t", "body": "b"}, now=NOW)
    session.commit()
    mail_config.stop()
    app.config["TIMEBANK_NOTIFY_MAX_ATTEMPTS"], saved = 2, app.config["TIMEBANK_NOTIFY_MAX_ATTEMPTS"]
    try:
        deliver_due(session, now=NOW)
        deliver_due(session, now=NOW + timedelta(hours=1))
    finally:
        app.config["TIMEBANK_NOTIFY_MAX_ATTEMPTS"] = saved
    assert session.scalars(select(OutboxMessage)).one().status == "failed"


def test_opted_out_channel_gets_no_outbox_row_but_the_inbox_keeps_the_event(session, mail_config, make_volunteer):
    user = volunteer_with_email(session, make_volunteer, "v@example.org", "zh_CN")
    service.set_preferences(session, user, email="v@example.org", disabled={("visit_reminder", "email")})
    service.notify(session, user.id, "visit_reminder", REMINDER, now=NOW)
    session.commit()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.event == "visit_reminder")) == 1


def test_without_smtp_settings_only_the_inbox_is_written(session, make_volunteer):
    user = volunteer_with_email(session, make_volunteer, "v@example.org", "zh_CN")
    service.notify(session, user.id, "visit_reminder", REMINDER, now=NOW)
    session.commit()
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert service.unread_count(session, user.id) == 2  # the approval and the reminder


def test_a_rolled_back_event_leaves_no_notification(session, make_volunteer):
    user = volunteer_with_email(session, make_volunteer, None, "zh_CN")
    before = service.unread_count(session, user.id)
    nested = session.begin_nested()
    service.notify(session, user.id, "visit_reminder", REMINDER, now=NOW)
    nested.rollback()
    assert service.unread_count(session, user.id) == before
