"""Migrations: one head, upgrade → downgrade → upgrade, and the models match the schema they build."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from config import BASE_DIR
from supervision import create_app
from supervision.extensions import db
from tests.conftest import make_test_config
from tests.databases import drop_database, fresh_database

# The migrations build a database of their own, on PostgreSQL too (tests/conftest.py).
pytestmark = pytest.mark.own_database

MIGRATIONS_DATABASE = f"supervision_migrations_test_{os.getpid()}"


@pytest.fixture
def empty_database_app(tmp_path):
    url = fresh_database(MIGRATIONS_DATABASE, tmp_path)
    app = create_app(make_test_config(url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    drop_database(MIGRATIONS_DATABASE)


def test_there_is_a_single_head():
    from alembic.config import Config

    config = Config(str(BASE_DIR / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(BASE_DIR / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_downgrade_upgrade_leaves_a_schema_matching_the_models(empty_database_app):
    upgrade()
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []
