"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from supervision import create_app
from supervision.memory import settle_after_startup

app = create_app()
settle_after_startup()
