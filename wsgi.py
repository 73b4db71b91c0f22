"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from supervision import create_app

app = create_app()
