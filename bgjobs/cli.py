"""`flask bgjobs …`: seed, enqueue, token, expire, reconcile, cron, worker, and run (web + worker(s) + cron)."""
from __future__ import annotations

import json

import click
from flask import current_app
from sqlalchemy import select

from bgjobs.engine import expiry
from bgjobs.engine import reconcile
from bgjobs.jobs import actions
from bgjobs.extensions import db
from bgjobs.jobs.types import InvalidParams, UnknownJobType
from bgjobs.auth.models import User


@click.group("bgjobs")
def group():
    """Background Jobs commands."""


@group.command("seed")
@click.option("--items", default=500, show_default=True, help="Items in the Products module.")
@click.option("--archive-items", default=60000, show_default=True, help="Items in the large Media Archive module.")
@click.option("--media-files", default=300, show_default=True, help="Generated originals in the Media Library module.")
def seed_command(items: int, archive_items: int, media_files: int):
    """Create the demo users, modules and import templates (safe to run again)."""
    from bgjobs.host.seed import seed

    password = current_app.config["BGJOBS_DEMO_PASSWORD"]
    seed(password, items, archive_items, media_files)
    click.echo(f"Demo users alice, bob (users) and admin; password: {password}")


@group.command("enqueue")
@click.argument("type_id")
@click.option("--user", "username", required=True, help="Who starts the job.")
@click.option("--params", default="{}", help="Parameters as a JSON object.")
def enqueue_command(type_id: str, username: str, params: str):
    """Start a job of TYPE_ID as a user, e.g. enqueue module_export --user alice --params '{"module_id": 1}'."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No user called {username}.")
    try:
        job = actions.submit(type_id, json.loads(params), user)
    except (json.JSONDecodeError, InvalidParams) as exc:
        raise click.ClickException(str(exc)) from None
    except UnknownJobType:
        raise click.ClickException(f"Unknown job type {type_id}.") from None
    click.echo(job.id)


@group.command("token")
@click.argument("username")
def token_command(username: str):
    """Issue a new API token for USERNAME (shown once; the previous one stops working)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No user called {username}.")
    token = user.issue_api_token()
    db.session.commit()
    click.echo(token)


@group.command("expire")
def expire_command():
    """Expire every download whose retention has passed."""
    click.echo(f"expired {expiry.sweep()} jobs")


@group.command("reconcile")
def reconcile_command():
    """Fail jobs whose worker died and re-enqueue jobs that never reached Redis."""
    click.echo(json.dumps(reconcile.reconcile()))


@group.command("cron")
def cron_command():
    """Run the RQ cron scheduler (expiry sweep and reconcile)."""
    from bgjobs.engine.cron import cron_scheduler

    cron_scheduler().start()


@group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--queues", "queue_names", default=None, help="Weights to take, in order, e.g. heavy,light (default: light,heavy).")
def worker_command(burst: bool, queue_names: str | None):
    """Run one fork-based RQ worker with the scheduler (same as `python worker.py`); it also
    takes the maintenance queue, first."""
    from bgjobs.engine import queues
    from bgjobs.engine.worker import run_worker

    try:
        weights = queues.parse(queue_names)
    except queues.BadQueues as exc:
        raise click.BadParameter(str(exc)) from None
    run_worker(current_app._get_current_object(), burst=burst, weights=weights)


@group.command("run")
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default="1", show_default=True,
              help='RQ workers: a number, or e.g. "light:2 heavy" (two light workers, one heavy), "heavy+light:3".')
def run_command(port: int, workers: str):
    """Web, worker(s) and scheduler together; an embedded Redis when REDIS_URL is unset."""
    from bgjobs.engine.supervisor import run_all

    run_all(current_app._get_current_object(), port, workers)


def init_app(app) -> None:
    app.cli.add_command(group)
