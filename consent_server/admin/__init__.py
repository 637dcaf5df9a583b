"""The admin UI (HTML, Flask-WTF forms, Flask-Login)."""
