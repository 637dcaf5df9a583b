"""The public JSON API used by the widget (CSRF-exempt, origin-checked)."""
from .views import bp

__all__ = ["bp"]
