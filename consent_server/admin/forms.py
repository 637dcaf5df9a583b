"""Flask-WTF forms of the admin UI (CSRF on every one)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, EmailField, IntegerField, PasswordField, SelectField, StringField, SubmitField,
                     TextAreaField, URLField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (URL, DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional,
                                Regexp, ValidationError)

from ..models.dsar import REQUEST_TYPES
from ..models.organization import ROLES
from ..services.accounts import MIN_PASSWORD_LENGTH
from ..services.reports import ReportError, check_days
from .access import error_text


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField(_l("Sign in"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two passwords differ."))])
    submit = SubmitField(_l("Change password"))


class ActionForm(FlaskForm):
    """A form with only the CSRF token: for buttons (publish, remove, sign out)."""
    submit = SubmitField(_l("Confirm"))


def choices(labels: dict) -> list[SelectChoice]:
    """Select options from {value: label}."""
    return [SelectChoice(value, label) for value, label in labels.items()]


ROLE_LABELS = {"owner": _l("Owner"), "editor": _l("Editor"), "viewer": _l("Viewer")}


def role_choices():
    return choices(ROLE_LABELS)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices())
    submit = SubmitField(_l("Change role"))


class LinesField(TextAreaField):
    """One value a line (domains)."""

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        self.data = [line.strip() for line in text.splitlines() if line.strip()]

    def _value(self):
        return "\n".join(self.data or [])


class CookiesField(TextAreaField):
    """Cookies of a service, one a line: ``name | pattern | lifetime`` (pattern and
    lifetime optional; the pattern is a regular expression over cookie names)."""

    def process_formdata(self, valuelist):
        self.data = []
        for number, line in enumerate((valuelist[0] if valuelist else "").splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if not parts[0] or len(parts) > 3:
                raise ValueError(_l("Line %(n)s: write name | pattern | lifetime.", n=number))
            cookie = {"name": parts[0]}
            if len(parts) > 1 and parts[1]:
                cookie["pattern"] = parts[1]
            if len(parts) > 2 and parts[2]:
                cookie["lifetime"] = parts[2]
            self.data.append(cookie)

    def _value(self):
        lines = []
        for cookie in self.data or []:
            parts = [cookie.get("name") or "", cookie.get("pattern") or "", cookie.get("lifetime") or ""]
            while parts and not parts[-1]:
                parts.pop()
            lines.append(" | ".join(parts))
        return "\n".join(lines)


REGIME_LABELS = {"auto": _l("Automatic (by the visitor's location)"), "opt-in": _l("Opt-in everywhere"),
                 "opt-out": _l("Opt-out everywhere"), "notice": _l("Notice only everywhere")}
# The retention service's actions (services/retention.preview keys), as the preview shows them.
RETENTION_LABELS = {
    "obfuscate events": _l("Obfuscate analytics events"), "delete visits": _l("Delete visits"),
    "delete consent records": _l("Delete consent records"),
    "delete closed data requests": _l("Delete closed data requests"),
    "delete data requests": _l("Delete data requests"), "delete events": _l("Delete analytics events"),
    "delete daily totals": _l("Delete daily totals"), "delete dimension counts": _l("Delete report counts"),
    "delete ingest state": _l("Delete ingestion state"),
}
LEGAL_BASIS_LABELS = {"consent": _l("Consent"), "legitimate_interest": _l("Legitimate interest"),
                      "contract": _l("Contract"), "legal_obligation": _l("Legal obligation")}


class NewSiteForm(FlaskForm):
    key = StringField(_l("Site key"), validators=[DataRequired(), Regexp(
        r"^[a-z0-9][a-z0-9_-]{1,63}$", message=_l("2-64 characters: a-z, 0-9, - and _."))],
        description=_l("Used in data-site; cannot be changed later."))
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    domains = LinesField(_l("Domains"), validators=[DataRequired()],
                         description=_l("Allowed origins, one a line, e.g. https://www.example.com"))
    regime_override = SelectField(_l("Regime"), choices=choices(REGIME_LABELS))
    submit = SubmitField(_l("Create site"))


class SettingsForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    domains = LinesField(_l("Domains"), validators=[DataRequired()],
                         description=_l("Allowed origins, one a line, e.g. https://www.example.com"))
    regime_override = SelectField(_l("Regime"), choices=choices(REGIME_LABELS))
    default_language = SelectField(_l("Default language"), choices=[])
    consent_lifetime_days = IntegerField(_l("Consent lifetime (days)"), validators=[
        InputRequired(), NumberRange(1, 395)], description=_l("Visitors are asked again after this."))
    retention_events_days = IntegerField(_l("Keep analytics events (days)"), validators=[
        InputRequired(), NumberRange(1, 3650)])
    retention_consents_months = IntegerField(_l("Keep consent records (months)"), validators=[
        InputRequired(), NumberRange(1, 120)])
    retention_site_days = IntegerField(_l("Keep data after the site is deactivated (days)"), validators=[
        InputRequired(), NumberRange(1, 3650)])
    submit = SubmitField(_l("Save settings"))


class CategoryForm(FlaskForm):
    key = StringField(_l("Key"), validators=[Optional(), Regexp(
        r"^[a-z][a-z0-9_]{1,31}$", message=_l("2-32 characters: a-z, 0-9 and _."))])
    name = StringField(_l("Name"), validators=[Length(max=100)],
                       description=_l("Empty: the shipped, translated name."))
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)],
                                description=_l("Empty: the shipped, translated description."))
    submit = SubmitField(_l("Save category"))


class ServiceForm(FlaskForm):
    category = SelectField(_l("Category"), choices=[])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    provider = StringField(_l("Provider"), validators=[Length(max=200)])
    purpose = TextAreaField(_l("Purpose"), validators=[Length(max=2000)])
    legal_basis = SelectField(_l("Legal basis"), choices=choices(LEGAL_BASIS_LABELS))
    privacy_policy_url = URLField(_l("Privacy policy link"), validators=[
        Optional(), URL(require_tld=False), Length(max=500)])
    cookies = CookiesField(_l("Cookies"), description=_l(
        "One a line: name | pattern | lifetime, e.g. _ga | ^_ga(_.*)?$ | 2 years"))
    submit = SubmitField(_l("Save service"))


class LanguageForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only picks what to show

    language = SelectField(_l("Language"), choices=[])


def texts_form(keys, defaults: dict[str, str]) -> type[FlaskForm]:
    """A form with one field per banner text; placeholders show the shipped text."""
    class TextsForm(FlaskForm):
        submit = SubmitField(_l("Save texts"))

    for key in keys:
        setattr(TextsForm, text_field_name(key), TextAreaField(
            key, validators=[Length(max=4000)], render_kw={"placeholder": defaults.get(key, ""), "rows": 2}))
    return TextsForm


def text_field_name(key: str) -> str:
    return "t_" + key.replace(".", "__")


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=role_choices())
    submit = SubmitField(_l("Add user"))


ACTION_LABELS = {"accept_all": _l("Accept all"), "reject_all": _l("Reject all"), "save": _l("Custom"),
                 "withdraw": _l("Withdraw"), "gpc": _l("GPC"), "api": _l("JS API")}
DEVICE_LABELS = {"desktop": _l("Desktop"), "mobile": _l("Mobile"), "tablet": _l("Tablet"),
                 "bot": _l("Bot"), "other": _l("Other")}
REGIMES = {"opt-in": "opt-in", "opt-out": "opt-out", "notice": "notice"}


class RangeForm(FlaskForm):
    """A date range (GET, no CSRF: it changes nothing)."""
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])

    def validate_start(self, field):
        _check_day(field)

    def validate_end(self, field):
        _check_day(field)
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The range ends before it starts."))


def _check_day(field) -> None:
    """The reports' own rule (services/reports.check_days), said in the admin's language."""
    try:
        check_days(field.data)
    except ReportError as exc:
        raise ValidationError(error_text(exc)) from None


def _any(labels: dict) -> list[SelectChoice]:
    return [SelectChoice("", _l("any"))] + choices(labels)


class ConsentFilterForm(RangeForm):
    country = StringField(_l("Country"), validators=[Optional(), Regexp(r"^[A-Za-z]{2}$",
                                                                         message=_l("Two letters, e.g. DE."))])
    regime = SelectField(_l("Regime"), choices=_any(REGIMES), default="")
    language = StringField(_l("Language"), validators=[Optional(), Length(max=16),
                                                       Regexp(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")])
    device = SelectField(_l("Device"), choices=_any(DEVICE_LABELS), default="")
    revision = IntegerField(_l("Revision"), validators=[Optional(), NumberRange(1, 1_000_000)])
    action = SelectField(_l("Action"), choices=_any(ACTION_LABELS), default="")


KIND_LABELS = {"consents": _l("Consent records"), "aggregates": _l("Daily consent aggregates"),
               "events": _l("Traffic events"), "rollups": _l("Daily traffic totals")}
FORMAT_LABELS = {"csv": "CSV", "jsonl": "JSON Lines"}


class ExportForm(ConsentFilterForm):
    """What to export (GET: a download changes nothing)."""
    kind = SelectField(_l("Data"), choices=choices(KIND_LABELS), default="consents")
    format = SelectField(_l("Format"), choices=choices(FORMAT_LABELS), default="csv")


class VisitorForm(FlaskForm):
    class Meta:
        csrf = False

    visitor_id = StringField(_l("Visitor id"), validators=[DataRequired(), Regexp(
        r"^[0-9a-f]{32}$", message=_l("32 hexadecimal characters, as in the consent cookie."))])


REQUEST_TYPE_LABELS = {"access": _l("Access (a copy of the data)"),
                       "portability": _l("Portability (machine-readable export)"),
                       "erasure": _l("Erasure"), "restriction": _l("Restriction of processing"),
                       "objection": _l("Objection to processing"), "rectification": _l("Rectification")}


class DataRequestForm(FlaskForm):
    type = SelectField(_l("Type"), choices=choices(REQUEST_TYPE_LABELS))
    visitor_id = StringField(_l("Consent ID"), validators=[Optional(), Length(max=64)],
                             description=_l("The ID the visitor sees in the cookie preferences panel."))
    identifiers = TextAreaField(_l("Other identifiers"), validators=[Length(max=2000)],
                                description=_l("E-mail address, reference... (needed when there is no consent ID)."))
    details = TextAreaField(_l("Details"), validators=[Length(max=5000)])
    received = DateField(_l("Received on"), validators=[DataRequired()])
    submit = SubmitField(_l("Log the request"))


class ExtendForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the extension"), validators=[DataRequired(), Length(max=2000)],
                           description=_l("Tell the person within the first 30 days, with this reason."))
    submit = SubmitField(_l("Extend to 60 days"))


class CloseForm(FlaskForm):
    outcome = TextAreaField(_l("Outcome"), validators=[DataRequired(), Length(max=5000)],
                            description=_l("How the request was answered."))
    submit = SubmitField(_l("Close the request"))

