"""Flask extension objects, created unbound and initialised in create_app."""
from __future__ import annotations

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase

from bgjobs import forksafe

# Named constraints so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()


def init_db(app) -> None:
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file on this machine: no connection to go stale, so no ping before each checkout.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "pool_pre_ping": False}
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Plan every statement for its actual parameters. psycopg prepares a statement once it has
        # run 5 times on a connection (until a rollback), and PostgreSQL may then switch to a
        # generic plan made for an average parameter. Jobs are skewed across users, and for a user
        # with 100,000 jobs the generic plan of the badge's `owner_id = $1 AND status IN ($2, $3)`
        # filters the statuses instead of seeking them: 100,000 index entries read, 20 ms instead
        # of 0.2 ms. Planning these small queries costs a fraction of a millisecond.
        connect_args = options.get("connect_args", {})
        server = " ".join(filter(None, [connect_args.get("options"), "-c plan_cache_mode=force_custom_plan"]))
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": {**connect_args, "options": server}}
    db.init_app(app)
    with app.app_context():
        forksafe.guard(db.engine)  # no pooled connection is used by a process that did not open it
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets the web read while a worker writes, and NORMAL sync makes a commit cheap (still
    durable at checkpoints; a power cut may lose the last commits, never corrupt the file)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
