"""Banner texts: a site's overrides of the shipped catalogs per language, previewed."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..services import banner as banner_service
from ..services import revisions as revisions_service
from ..services import sites as sites_service
from ..services import texts as texts_service
from .access import requires_role, site_or_404
from .blueprint import bp
from .forms import LanguageForm, text_field_name, texts_form


def chosen_language(site) -> tuple[LanguageForm, str]:
    """The language picked with ?language= (one of the shipped ones), else the site's."""
    locales = texts_service.available_locales(current_app.config["TRANSLATIONS_DIR"])
    picker = LanguageForm(request.args)
    picker.language.choices = [SelectChoice(code) for code in locales]
    language = picker.language.data if picker.language.data in locales else site.default_language
    picker.language.data = language
    return picker, language


@bp.route("/sites/<key>/texts", methods=["GET", "POST"])
@requires_role("editor")
def site_texts(key):
    site = site_or_404(key)
    picker, language = chosen_language(site)
    translations_dir = current_app.config["TRANSLATIONS_DIR"]
    shipped = texts_service.texts_for(translations_dir, language)
    keys = list(texts_service.MESSAGES)
    overrides = {t.key: t.value for t in site.texts if t.language == language}
    form = texts_form(keys, shipped)(data={text_field_name(k): v for k, v in overrides.items()})
    if form.validate_on_submit():
        sites_service.set_texts(site, language, {k: form[text_field_name(k)].data for k in keys})
        flash(_("Texts saved. Publish to show them to visitors."), "info")
        return redirect(url_for("admin.site_texts", key=site.key, language=language))
    preview = banner_service.build_shown(revisions_service.snapshot(site), language, translations_dir)
    return render_template("admin/texts.html", site=site, picker=picker, language=language, form=form,
                           fields=[(k, form[text_field_name(k)]) for k in keys],
                           preview=preview), 400 if form.errors else 200
