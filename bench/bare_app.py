"""The yardstick for dashboard throughput: a bare Flask endpoint serving one indexed query.

DATABASE_URL=postgresql://... gunicorn -w 4 bench.bare_app:app
"""

from __future__ import annotations

import os
import random

import sqlalchemy as sa
from flask import Flask, jsonify

from config import database_url

app = Flask(__name__)
engine = sa.create_engine(database_url(os.environ["DATABASE_URL"], ""), pool_pre_ping=True)
STAFF_COUNT = 1000
QUERY = sa.text("SELECT id, given_name, family_name, team_id FROM staff WHERE id = :id")


@app.get("/bare")
def bare():
    with engine.connect() as connection:
        row = connection.execute(QUERY, {"id": random.randint(1, STAFF_COUNT)}).first()  # noqa: S311
    return jsonify(dict(row._mapping) if row else {})
