"""Timebank: the county time bank and volunteer-matching platform."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

__all__ = ["create_app"]

ROOT = Path(__file__).resolve().parent.parent  # the checkout: templates/, migrations/, instance/


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, extensions, areas, CLI, error handlers. Nothing runs at import time."""
    instance = os.environ.get("TIMEBANK_INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(__name__, instance_path=instance, instance_relative_config=True, template_folder=str(ROOT / "templates"))
    register_config(app, test_config)
    register_extensions(app)
    register_areas(app)
    register_cli(app)
    register_errors(app)
    return app


def register_config(app: Flask, test_config: dict | None) -> None:
    from timebank import config

    config.load(app, test_config)
    if app.config["TIMEBANK_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TIMEBANK_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from timebank import i18n, limits, openapi, web
    from timebank.accounts import throttle
    from timebank.extensions import api, babel, csrf, db, login_manager, migrate

    app.url_map.converters["int"] = limits.IdConverter  # before any route: every <int:...> id is 1..2^31-1
    limits.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    throttle.init_app(app)
    openapi.init_app(app, api)
    web.init_app(app)
    i18n.init_app(app)


def register_areas(app: Flask) -> None:
    from timebank.accounts import admin_views, recovery_views
    from timebank.accounts import api as accounts_api
    from timebank.accounts import views as accounts_views
    from timebank.care import views as care_views
    from timebank.catalog import views as catalog_views
    from timebank.core import views as core_views
    from timebank.dispatch import api as dispatch_api
    from timebank.dispatch import views as dispatch_views
    from timebank.extensions import api
    from timebank.jobs import views as jobs_views
    from timebank.ledger import api as ledger_api
    from timebank.ledger import views as ledger_views
    from timebank.notify import api as notify_api
    from timebank.notify import views as notify_views
    from timebank.people import person_views, priority_api, profile_views, review_views
    from timebank.people import views as people_views
    from timebank.policy import views as policy_views
    from timebank.visits import api as visits_api
    from timebank.visits import views as visits_views

    app.register_blueprint(core_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(recovery_views.bp)
    app.register_blueprint(people_views.bp)
    app.register_blueprint(ledger_views.bp)
    app.register_blueprint(policy_views.bp)
    app.register_blueprint(visits_views.bp)
    app.register_blueprint(visits_views.scan_bp)
    app.register_blueprint(catalog_views.bp)
    app.register_blueprint(profile_views.bp)
    app.register_blueprint(notify_views.bp)
    app.register_blueprint(jobs_views.bp)
    app.register_blueprint(care_views.bp)
    app.register_blueprint(review_views.bp)
    app.register_blueprint(dispatch_views.bp)
    from timebank.ledger import passbook_views
    from timebank.people import station_views

    app.register_blueprint(station_views.bp)
    app.register_blueprint(passbook_views.bp)
    app.register_blueprint(person_views.bp)
    from timebank.people import record_views

    app.register_blueprint(record_views.bp)
    from timebank.elder import views as elder_views

    app.register_blueprint(elder_views.bp)
    from timebank import models  # noqa: F401  (every table registered before the first query)
    from timebank.extensions import csrf

    for blueprint in (accounts_api.blp, ledger_api.blp, notify_api.blp, dispatch_api.blp, priority_api.blp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    csrf.exempt(visits_api.blp)
    api.register_blueprint(visits_api.blp)
    from timebank.people import api as people_api

    csrf.exempt(people_api.blp)
    api.register_blueprint(people_api.blp)
    from timebank.charity import api as charity_api
    from timebank.charity import goods_views, onboarding_api, onboarding_views, public_views
    from timebank.charity import views as charity_views

    for charity_bp in (charity_views.bp, goods_views.bp, public_views.bp, onboarding_views.bp):
        app.register_blueprint(charity_bp)
    for charity_blp in (charity_api.blp, onboarding_api.blp):
        csrf.exempt(charity_blp)
        api.register_blueprint(charity_blp)
    from timebank.people import person_api

    csrf.exempt(person_api.blp)
    api.register_blueprint(person_api.blp)
    from timebank.people import record_api

    csrf.exempt(record_api.blp)
    api.register_blueprint(record_api.blp)
    register_privacy(app)
    register_orgs(app)
    register_paperwork(app)
    register_reports(app)


def register_orgs(app: Flask) -> None:
    """Volunteer organisations and group activities (docs/en/orgs.md)."""
    from timebank.extensions import api, csrf
    from timebank.orgs import activity_views  # noqa: F401  (adds the activity routes to the orgs blueprint)
    from timebank.orgs import api as orgs_api
    from timebank.orgs import views as orgs_views

    app.register_blueprint(orgs_views.bp)
    csrf.exempt(orgs_api.blp)
    api.register_blueprint(orgs_api.blp)


def register_paperwork(app: Flask) -> None:
    """Certificates (志愿服务记录证明), spreadsheet imports and the equity view (issue 14, points 4-6)."""
    from timebank.certificates import api as certificates_api
    from timebank.certificates import public_views as certificate_public
    from timebank.certificates import views as certificates_views
    from timebank.equity import api as equity_api
    from timebank.equity import views as equity_views
    from timebank.extensions import api, csrf
    from timebank.imports import api as imports_api
    from timebank.imports import views as imports_views

    for blueprint in (certificates_views.bp, certificate_public.bp, imports_views.bp, equity_views.bp):
        app.register_blueprint(blueprint)
    for api_blueprint in (certificates_api.blp, imports_api.blp, equity_api.blp):
        csrf.exempt(api_blueprint)
        api.register_blueprint(api_blueprint)


def register_reports(app: Flask) -> None:
    """Dashboards, monthly reports, list downloads and the liability forecast (reports.md)."""
    from timebank.extensions import api, csrf
    from timebank.reports import api as reports_api
    from timebank.reports import lists, views  # noqa: F401  (lists adds the download routes to views.bp)

    app.register_blueprint(views.bp)
    csrf.exempt(reports_api.blp)
    api.register_blueprint(reports_api.blp)


def register_privacy(app: Flask) -> None:
    """Least disclosure in templates, the access-log viewer and the personal-data pages (privacy.md)."""
    from timebank.audit import views as audit_views
    from timebank.extensions import api, csrf
    from timebank.privacy import api as privacy_api
    from timebank.privacy import consent, texts  # noqa: F401  (texts registers the inbox events)
    from timebank.privacy import views as privacy_views
    from timebank.visits import disclosure

    disclosure.init_app(app)
    consent.init_app(app)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(privacy_views.bp)
    csrf.exempt(privacy_api.blp)
    api.register_blueprint(privacy_api.blp)


def register_cli(app: Flask) -> None:
    from timebank.accounts.cli import org_cli, users_cli
    from timebank.charity.cli import charity_cli
    from timebank.demo.cli import demo_cli
    from timebank.jobs.cli import jobs_cli, scheduler_cli, serve_command
    from timebank.ledger.cli import ledger_cli
    from timebank.visits.cli import visits_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(ledger_cli)
    app.cli.add_command(charity_cli)
    app.cli.add_command(visits_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(org_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(serve_command)
    from timebank.imports.cli import imports_cli

    app.cli.add_command(imports_cli)


def register_errors(app: Flask) -> None:
    from timebank.errors import register_error_handlers

    register_error_handlers(app)
