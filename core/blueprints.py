"""Every blueprint of the web (H5 pages, the JSON API, the admin web), and the OpenAPI document."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from admin_web.accounts.registrations import registration_review_blueprint
from admin_web.accounts.sign_in import admin_blueprint
from admin_web.accounts.wechat import account_blueprint as admin_account_blueprint
from admin_web.desk.account_settings_pages import account_settings_blueprint
from admin_web.desk.audit_pages import audit_blueprint
from admin_web.desk.office_settings_pages import office_settings_blueprint
from admin_web.desk.settings_pages import settings_blueprint
from admin_web.desk.statistics_pages import statistics_blueprint
from admin_web.library.pages import library_blueprint
from admin_web.notifications.pages import notification_blueprint
from admin_web.questions.aeo import aeo_blueprint
from admin_web.questions.pages import question_blueprint
from admin_web.questions.queue import queue_blueprint
from handlers.accounts.account_pages import account_blueprint
from handlers.accounts.auth_api import auth_api_blueprint
from handlers.accounts.central_api import central_api_blueprint
from handlers.accounts.central_pages import central_blueprint
from handlers.accounts.people_pages import people_pages_blueprint
from handlers.accounts.registration_api import registration_api_blueprint
from handlers.accounts.registration_pages import registration_pages_blueprint
from handlers.accounts.signin_pages import signin_blueprint
from handlers.cards.api import card_api_blueprint
from handlers.cards.pages import card_pages_blueprint
from handlers.declarations.api import declarations_api_blueprint
from handlers.declarations.exceptions import IMPLEMENTED as EXCEPTION_PAGES
from handlers.declarations.exceptions import exceptions_blueprint as declaration_exceptions_blueprint
from handlers.declarations.exceptions_api import exceptions_api_blueprint as declaration_exceptions_api_blueprint
from handlers.declarations.pages import IMPLEMENTED as DECLARATION_PAGES
from handlers.declarations.pages import entry_blueprint as declaration_entry_blueprint
from handlers.declarations.printing import printing_blueprint as declaration_printing_blueprint
from handlers.declarations.query import IMPLEMENTED as QUERY_PAGES
from handlers.declarations.query import query_blueprint as declaration_query_blueprint
from handlers.declarations.query_api import query_api_blueprint as declaration_query_api_blueprint
from handlers.declarations.review import IMPLEMENTED as REVIEW_PAGES
from handlers.declarations.review import review_blueprint as declaration_review_blueprint
from handlers.declarations.review_api import review_api_blueprint as declaration_review_api_blueprint
from handlers.declarations.sync import IMPLEMENTED as DECLARATION_SYNC_PAGES
from handlers.declarations.sync import sync_blueprint as declaration_sync_blueprint
from handlers.kit.assets import assets_blueprint
from handlers.kit.openapi import API_PREFIX, openapi_document
from handlers.kit.responses import ok
from handlers.kit.uploads import kept_image_blueprint
from handlers.library.api import library_api_blueprint
from handlers.library.export_pages import library_export_blueprint
from handlers.library.pages import IMPLEMENTED as LIBRARY_PAGES
from handlers.library.pages import library_pages_blueprint
from handlers.library.public_pages import library_public_blueprint
from handlers.personal.api import personal_api_blueprint
from handlers.personal.pages import IMPLEMENTED as PERSONAL_PAGES
from handlers.personal.pages import personal_blueprint
from handlers.questions.api import questions_api_blueprint
from handlers.questions.ask_api import ask_api_blueprint
from handlers.questions.ask_pages import ask_pages_blueprint
from handlers.questions.pages import questions_pages_blueprint
from handlers.questions.public_api import public_api_blueprint
from handlers.questions.public_pages import public_pages_blueprint
from handlers.workspace.api import workspace_api_blueprint
from handlers.workspace.company_pages import IMPLEMENTED as COMPANY_PAGES
from handlers.workspace.company_pages import company_blueprint as workbench_company_blueprint
from handlers.workspace.departments_pages import IMPLEMENTED as DEPARTMENT_PAGES
from handlers.workspace.departments_pages import departments_blueprint
from handlers.workspace.joins_pages import IMPLEMENTED as JOIN_PAGES
from handlers.workspace.joins_pages import joins_blueprint
from handlers.workspace.messages_api import messages_api_blueprint
from handlers.workspace.messages_pages import IMPLEMENTED as MESSAGE_PAGES
from handlers.workspace.messages_pages import messages_blueprint
from handlers.workspace.messages_stream import stream_blueprint
from handlers.workspace.people_pages import IMPLEMENTED as PEOPLE_PAGES
from handlers.workspace.people_pages import people_blueprint
from handlers.workspace.questions_pages import IMPLEMENTED as QUESTION_PAGES
from handlers.workspace.questions_pages import questions_blueprint
from handlers.workspace.roles_pages import IMPLEMENTED as WORKBENCH_PAGES
from handlers.workspace.roles_pages import roles_blueprint as workbench_roles_blueprint
from handlers.workspace.shell import shell_blueprint as workbench_shell_blueprint


def openapi_blueprint() -> Blueprint:
    bp = Blueprint("openapi")

    @bp.get(f"{API_PREFIX}/openapi.json")
    async def openapi(request: Request) -> HTTPResponse:
        return ok(openapi_document(request.app.ctx.settings.server.public_url))

    return bp


def web_blueprints() -> list[Blueprint]:
    """Pages and API, in one list: a feature adds its blueprint factory here."""
    factories = [
        assets_blueprint, openapi_blueprint, kept_image_blueprint,
        signin_blueprint, account_blueprint, auth_api_blueprint,
        central_blueprint, central_api_blueprint,
        registration_pages_blueprint, registration_api_blueprint, people_pages_blueprint,
        registration_review_blueprint,
        ask_api_blueprint, ask_pages_blueprint, questions_api_blueprint, questions_pages_blueprint,
        public_api_blueprint, public_pages_blueprint,
        admin_blueprint, queue_blueprint, question_blueprint, statistics_blueprint, notification_blueprint,
        aeo_blueprint, admin_account_blueprint, audit_blueprint, library_blueprint,
        settings_blueprint, office_settings_blueprint, account_settings_blueprint,
        card_api_blueprint, card_pages_blueprint,
        workbench_roles_blueprint, workbench_company_blueprint, workspace_api_blueprint, messages_blueprint,
        stream_blueprint, messages_api_blueprint, people_blueprint, departments_blueprint, questions_blueprint,
        joins_blueprint, personal_blueprint, personal_api_blueprint,
        library_pages_blueprint, library_export_blueprint, library_public_blueprint, library_api_blueprint,
        declaration_entry_blueprint, declarations_api_blueprint,
        declaration_exceptions_blueprint, declaration_exceptions_api_blueprint,
        declaration_query_blueprint, declaration_query_api_blueprint,
        declaration_sync_blueprint,
        declaration_review_blueprint, declaration_review_api_blueprint,
        declaration_printing_blueprint,
    ]
    return [factory() for factory in factories] + [
        workbench_shell_blueprint(WORKBENCH_PAGES | COMPANY_PAGES | MESSAGE_PAGES | PEOPLE_PAGES | DEPARTMENT_PAGES
                                  | QUESTION_PAGES | JOIN_PAGES | PERSONAL_PAGES | LIBRARY_PAGES
                                  | DECLARATION_PAGES | EXCEPTION_PAGES | QUERY_PAGES | DECLARATION_SYNC_PAGES
                                  | REVIEW_PAGES)]
