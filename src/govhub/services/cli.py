"""`govhub services …`: catalogue import and export, counters rebuild and facts from the server's shell."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from govhub.core.actor import cli_actor
from govhub.core.config import get_settings
from govhub.core.database import Database
from govhub.core.errors import Problem
from govhub.services import catalogue, facts

app = typer.Typer(help="Online public services: catalogue, dossier counters, facts.", no_args_is_help=True)
console = Console()


def _database() -> Database:
    return Database(get_settings().database_url)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="CSV (UTF-8) or XLSX with the export's columns")],
) -> None:
    """Import procedures and offers; good rows are kept and each bad row is reported."""
    try:
        with _database().session() as db_session:
            report = catalogue.import_catalogue(
                db_session=db_session,
                actor=cli_actor(f"cli:{os.environ.get('USER', 'unknown')}"),
                content=path.read_bytes(),
                filename=path.name,
            )
    except Problem as exc:
        console.print(f"[red]error:[/red] {exc.detail}")
        raise typer.Exit(2) from exc
    console.print(report.model_dump(exclude={"errors"}))
    for error in report.errors:
        console.print(f"row {error.row} ({error.code or '—'}): " + "; ".join(error.errors))
    if report.failed:
        raise typer.Exit(1)


@app.command("export")
def export(
    path: Annotated[Path, typer.Argument(help="Target file; .xlsx for Excel, anything else for CSV")],
) -> None:
    """Write the catalogue in the format the import reads."""
    with _database().session() as db_session:
        data = (
            catalogue.export_xlsx(db_session=db_session)
            if path.suffix.lower() == ".xlsx"
            else catalogue.export_csv(db_session=db_session)
        )
    path.write_bytes(data)
    console.print(f"wrote {path} ({len(data):,} bytes)")


@app.command("rebuild-facts")
def rebuild_facts() -> None:
    """Recompute the dossier counters from the dossiers (after a bulk load, or to check them)."""
    with _database().session() as db_session:
        rows = facts.rebuild(db_session=db_session)
    console.print(f"{rows:,} counter rows written")


@app.command("facts")
def show_facts(period: Annotated[list[str], typer.Argument(help="Months as YYYY-MM")]) -> None:
    """Print every fact for all agencies together, as numerator / denominator."""
    with _database().session() as db_session:
        rows = [f for f in facts.compute(db_session=db_session, periods=period) if f.agency_id is None]
    table = Table("period", "fact", "numerator", "denominator")
    for fact in rows:
        table.add_row(fact.period, fact.code, f"{fact.numerator:,}", f"{fact.denominator:,}")
    console.print(table)
