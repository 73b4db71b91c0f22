"""`flask --app wsgi synth --staff N --years Y [--seed S]`: a national-sized organisation for benchmarks."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from supervision import synth


@click.command("synth")
@click.option(
    "--staff", type=click.IntRange(min=20), required=True, help="About this many staff in post today."
)
@click.option("--years", type=click.IntRange(min=1, max=20), default=5, show_default=True,
              help="Years of supervision history.")  # fmt: skip
@click.option("--seed", type=int, default=1989, show_default=True, help="The same seed gives the same data.")
@with_appcontext
def synth_command(staff: int, years: int, seed: int) -> None:
    """Fill an EMPTY database with a synthetic organisation and its supervision history."""
    if problem := synth.refusal():
        raise click.ClickException(problem)
    started = time.perf_counter()
    teams = synth.team_count(staff)
    with click.progressbar(length=teams + 1, label="Generating teams", show_pos=True) as bar:
        generated = synth.generate(staff, years, seed, progress=bar.update)
    seconds = time.perf_counter() - started
    click.echo(
        f"Generated {generated.staff:,} staff ({generated.in_post:,} in post) in {generated.teams:,} teams "
        f"and {generated.services:,} services, in {seconds:,.0f} s:"
    )
    for table, count in generated.rows.items():
        click.echo(f"  {table:<22} {count:>12,}")
