"""Flask extensions, created once here and bound to the app in create_app()."""

from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, TypeVar

import sqlalchemy as sa
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

# Fixed constraint names, so migrations name the same things on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model maps one Table (SQLAlchemy types it as any FromClause, for mapped joins).
        __table__: ClassVar[sa.Table]


db = SQLAlchemy(model_class=Base)

# The base class of every table. At run time it is db.Model (Base plus Flask-SQLAlchemy's
# Model); mypy cannot take an attribute of an object as a base class, so it is told Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

# What code handed a database session accepts: a Session (a job's, a script's) or db.session,
# Flask-SQLAlchemy's scoped stand-in for the current one.
AnySession: TypeAlias = Session | scoped_session[Any]

migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
# Rate limits on sign-in and the API; storage from RATELIMIT_STORAGE_URI (memory:// by default,
# a shared store such as Redis when several instances serve the same users).
limiter = Limiter(key_func=get_remote_address)

Proxied = TypeVar("Proxied")


def proxied(proxy: Proxied) -> Proxied:
    """The object a Flask context proxy (current_app, session, current_user) stands for: what a
    signal names as its sender, a thread keeps, or isinstance looks at. Flask types each proxy as
    the object itself, so the proxy's own method is unknown to the type checker."""
    return proxy._get_current_object()  # type: ignore[attr-defined]
