import sqlalchemy as sa

from supervision import create_app
from tests.conftest import make_test_config


def test_healthz_reports_the_app_and_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"app": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    # A PostgreSQL port nobody listens on: the app is up, its database is not.
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2"
    app = create_app(make_test_config(unreachable))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"app": "degraded", "database": "unavailable"}
    with app.app_context():
        from supervision.extensions import db

        assert isinstance(db.engine, sa.engine.Engine)
        db.engine.dispose()
