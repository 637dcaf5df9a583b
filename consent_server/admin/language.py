"""The admin UI's language: the admin's own choice (kept in the session) or else their
browser's Accept-Language, among the shipped catalogs; English otherwise.

``select_locale`` is Flask-Babel's locale selector for the whole app; only admin pages
translate through Flask-Babel (the banner's texts come from services/texts.py, by the
visitor's negotiated language), so everything else stays in the default locale."""
from babel import Locale, UnknownLocaleError
from flask import current_app, has_request_context, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from geo import negotiate_language

from ..services import texts as texts_service
from .blueprint import PUBLIC_ENDPOINTS, bp

SESSION_KEY = "admin_language"


def _locales() -> list[str]:
    return texts_service.available_locales(current_app.config["TRANSLATIONS_DIR"])


def _is_admin_request() -> bool:
    """Admin pages, including their error pages (a 404 or 405 has no blueprint)."""
    return has_request_context() and request.path.startswith(bp.url_prefix + "/")


def select_locale() -> str:
    if not _is_admin_request():
        return "en"
    locales = _locales()
    chosen = session.get(SESSION_KEY)
    if chosen in locales:
        return chosen
    return negotiate_language(locales, accept_language=request.headers.get("Accept-Language"))[0]


def _native_name(locale_id: str) -> str:
    """The language's name in itself ("Deutsch", "Português (Brasil)")."""
    try:
        name = Locale.parse(locale_id).display_name or locale_id
    except (UnknownLocaleError, ValueError):
        return locale_id
    return name[:1].upper() + name[1:]


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"))
    submit = SubmitField(_l("Change language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(code, _native_name(code)) for code in _locales()]


@bp.app_context_processor
def language_helpers():
    if not _is_admin_request():
        return {}
    locale = select_locale()
    return {"language_form": lambda: LanguageForm(language=locale), "admin_locale": locale.replace("_", "-"),
            "admin_direction": texts_service.text_direction(locale),
            "admin_here": request.full_path.rstrip("?")}


@bp.post("/language")
def change_language():
    """Remember the chosen language for this browser session and go back to the page."""
    form = LanguageForm()
    if form.validate_on_submit():
        session[SESSION_KEY] = form.language.data
    target = request.form.get("next", "")
    if not target.startswith("/admin/") or target.startswith("//"):
        target = url_for("admin.site_list")
    return redirect(target)


PUBLIC_ENDPOINTS.add("admin.change_language")
