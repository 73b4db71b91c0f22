"""`flask --app wsgi serve`: the development server `make run` uses, with the scheduler embedded.

One process, no reloader, so the embedded scheduler starts exactly once. Production serves
with gunicorn and runs `flask --app wsgi scheduler` as its own process instead.
"""

import click
from flask import Flask, current_app
from werkzeug.serving import run_simple

from supervision.extensions import proxied


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the app on HOST:PORT (with the scheduler when EMBEDDED_SCHEDULER is set)."""
    app: Flask = proxied(current_app)
    if app.config["EMBEDDED_SCHEDULER"]:
        from supervision.scheduler import start_embedded_scheduler

        start_embedded_scheduler(app)
        click.echo("Scheduler running inside this process.")
    click.echo(f"Supervision is at http://{host}:{port}/ (Ctrl+C to stop)")
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)
