"""Flask-Login wiring for admin users."""
from ..extensions import db, login_manager
from ..models import AdminUser


@login_manager.user_loader
def load_user(user_id: str) -> AdminUser | None:
    try:
        return db.session.get(AdminUser, int(user_id))
    except (TypeError, ValueError):
        return None
