"""The admin UI (HTML, Flask-WTF forms, Flask-Login).

``bp`` is the blueprint; each module below adds its pages to it. A new page module is
imported here. Every view that takes a site key calls ``access.site_or_404`` and every
change needs ``access.requires_role``."""
from . import auth, categories, exports, language, reports, requests, revisions, sites, texts, users  # noqa: F401  (they add routes to bp)
from .blueprint import bp

__all__ = ["bp"]
