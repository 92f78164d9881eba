"""The `govhub` command: serve, migrate, manage accounts and keys, load reference data, run the demo."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from govhub.core import migrate
from govhub.core.actor import cli_actor
from govhub.core.adminunits import service as adminunits
from govhub.core.auth import service as auth
from govhub.core.auth.models import Role
from govhub.core.auth.schemas import ApiKeyCreate, UserCreate
from govhub.core.config import Settings, get_settings
from govhub.core.database import Database
from govhub.core.errors import Problem
from govhub.core.orgs import service as orgs
from govhub.core.orgs.models import OrgKind
from govhub.core.orgs.schemas import OrganisationCreate
from govhub.services import cli as services_cli

app = typer.Typer(
    help="GovHub: digital-government platform. Start with `govhub demo`.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)
admin_app = typer.Typer(help="Accounts and API keys, from the server's shell.", no_args_is_help=True)
units_app = typer.Typer(help="Vietnam's administrative units.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
app.add_typer(units_app, name="adminunits")
app.add_typer(services_cli.app, name="services")
console = Console()


def _database(url: str | None = None) -> Database:
    return Database(url or get_settings().database_url)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=2)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Option(help="Target revision")] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    database = _database()
    migrate.upgrade(database.engine, revision)
    console.print(f"database at revision [bold]{migrate.current_revision(database.engine)}[/bold]")


@db_app.command("current")
def db_current() -> None:
    """Print the revision the database is at."""
    console.print(migrate.current_revision(_database().engine) or "empty (run `govhub db upgrade`)")


def _load_units(database: Database) -> None:
    with (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar,
        database.session() as db_session,
    ):
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        report = adminunits.load(db_session=db_session, progress=progress)
    console.print(f"administrative units loaded: {report}")


@units_app.command("load")
def units_load() -> None:
    """Fill the administrative-unit table from the offline vietnamadminunits data (both structures)."""
    database = _database()
    migrate.upgrade(database.engine)
    _load_units(database)


@admin_app.command("create-org")
def create_org(
    code: Annotated[str, typer.Option(help="Official identifier, e.g. 000.00.00.G12")],
    name: Annotated[str, typer.Option(help="Name in Vietnamese")],
    kind: Annotated[OrgKind, typer.Option(help="Kind of organisation")],
    name_en: Annotated[str | None, typer.Option(help="Name in English")] = None,
    parent: Annotated[str | None, typer.Option(help="Official code of the parent organisation")] = None,
) -> None:
    """Create an organisation, e.g. the first one on a fresh installation (audited as done from the CLI)."""
    database = _database()
    try:
        with database.session() as db_session:
            parent_id = None
            if parent:
                parent_org = orgs.get_by_code(db_session=db_session, code=parent)
                if parent_org is None:
                    raise _fail(f"no organisation with code {parent}")
                parent_id = parent_org.id
            org = orgs.create(
                db_session=db_session,
                actor=cli_actor(f"cli:{os.environ.get('USER', 'unknown')}"),
                organisation_in=OrganisationCreate(
                    code=code, name=name, name_en=name_en, kind=kind, parent_id=parent_id
                ),
            )
            console.print(f"created organisation [bold]{org.code}[/bold] {org.name} (id {org.id})")
    except Problem as exc:
        raise _fail(exc.detail) from exc
    except ValueError as exc:
        raise _fail(str(exc)) from exc


@admin_app.command("create-user")
def create_user(
    username: Annotated[str, typer.Option(help="Login name: lower-case letters, digits, . _ -")],
    full_name: Annotated[str, typer.Option(help="Full name as shown in pages")],
    organisation: Annotated[str, typer.Option(help="Official code of the user's organisation")],
    role: Annotated[Role, typer.Option(help="Role")] = Role.OPERATOR,
    password: Annotated[
        str | None,
        typer.Option(help="Password; prompted for (hidden) when omitted", envvar="GOVHUB_NEW_PASSWORD"),
    ] = None,
) -> None:
    """Create an officer account; the action is recorded in the audit log as done from the CLI."""
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    database = _database()
    try:
        with database.session() as db_session:
            org = orgs.get_by_code(db_session=db_session, code=organisation)
            if org is None:
                raise _fail(f"no organisation with code {organisation}")
            user = auth.create_user(
                db_session=db_session,
                actor=cli_actor(f"cli:{os.environ.get('USER', 'unknown')}"),
                user_in=UserCreate(
                    username=username,
                    full_name=full_name,
                    password=password,
                    role=role,
                    organisation_id=org.id,
                ),
            )
            console.print(f"created user [bold]{user.username}[/bold] (id {user.id}, {role.value})")
    except Problem as exc:
        raise _fail(exc.detail) from exc
    except ValueError as exc:
        raise _fail(str(exc)) from exc


@admin_app.command("create-key")
def create_key(
    username: Annotated[str, typer.Option(help="Owner of the key")],
    name: Annotated[str, typer.Option(help="What the key is for")],
    days: Annotated[int, typer.Option(help="Days until it expires; 0 = never")] = 90,
    scope: Annotated[list[str] | None, typer.Option(help="Permission to allow; repeat; default all")] = None,
) -> None:
    """Create an API key and print it once; only its hash is stored."""
    database = _database()
    try:
        with database.session() as db_session:
            user = auth.get_user_by_username(db_session=db_session, username=username)
            if user is None:
                raise _fail(f"no user {username}")
            key, token = auth.create_api_key(
                db_session=db_session,
                actor=cli_actor(f"cli:{os.environ.get('USER', 'unknown')}"),
                key_in=ApiKeyCreate(
                    name=name, user_id=user.id, scopes=scope or ["*"], expires_in_days=days or None
                ),
            )
    except Problem as exc:
        raise _fail(exc.detail) from exc
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    console.print(f"key {key.key_id} for {username}; expires {key.expires_at or 'never'}. Store it now:")
    typer.echo(token)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on [default: GOVHUB_HOST or 127.0.0.1]")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: GOVHUB_PORT or 8000]")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (each has its own gateway connections)")] = 1,
    server: Annotated[str, typer.Option(help="ASGI server: uvicorn or granian")] = "uvicorn",
    upgrade: Annotated[bool, typer.Option(help="Apply pending migrations first")] = True,
) -> None:
    """Run the web service and the gateway on one port."""
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    if upgrade:
        migrate.upgrade(_database().engine)
    if server == "granian":
        from granian import Granian

        Granian(
            "govhub.app:create_app",
            address=host,
            port=port,
            interface="asgi",
            factory=True,
            workers=workers,
            loop="uvloop",
            http="1",
            websockets=False,
            log_access=False,
        ).serve()
        return
    if server != "uvicorn":
        raise _fail("--server must be uvicorn or granian")
    import uvicorn

    uvicorn.run(
        "govhub.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        access_log=False,
    )


@app.command()
def demo(
    path: Annotated[Path, typer.Option(help="SQLite file for the demo (recreated)")] = Path("govhub-demo.db"),
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    serve_: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after seeding")] = True,
) -> None:
    """Create a fresh demo database with sample organisations and users, then serve it."""
    from govhub import demo as demo_data

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path.resolve()}"
    os.environ["GOVHUB_DATABASE_URL"] = url
    get_settings.cache_clear()
    database = Database(url)
    console.print(f"creating demo database {path} …")
    migrate.upgrade(database.engine)
    _load_units(database)
    from govhub.exchange.providers import start_providers

    providers = start_providers()  # the population and business databases the gateway reaches
    with database.session() as db_session:
        created = demo_data.seed(db_session=db_session, actor=cli_actor("govhub demo"))
    with database.session() as db_session:
        exchange = demo_data.seed_exchange(
            db_session=db_session,
            actor=cli_actor("govhub demo"),
            population_url=providers.population_url,
            business_url=providers.business_url,
        )
        demo_data.connect_prefill(
            db_session=db_session,
            actor=cli_actor("govhub demo"),
            base_url=f"http://{host}:{port}",
            registry=exchange,
        )
    console.print(f"demo data: {created}")
    table = Table(title="Demo logins")
    for column in ("username", "password", "role", "organisation"):
        table.add_column(column)
    for login in demo_data.LOGINS:
        table.add_row(login.username, login.password, login.role, login.organisation)
    table.add_row(demo_data.CITIZEN.national_id, demo_data.CITIZEN.password, "citizen", "—")
    console.print(table)
    _print_gateway_demo(exchange, host, port)
    console.print(f"GovHub demo: [bold]http://{host}:{port}/[/bold]  (API docs: http://{host}:{port}/docs)")
    try:
        if serve_:
            import uvicorn

            from govhub.app import create_app

            settings = Settings(database_url=url)
            uvicorn.run(create_app(settings, database), host=host, port=port, log_level="info")
    finally:
        providers.stop()


def _print_gateway_demo(exchange: dict, host: str, port: int) -> None:
    """Shows the demo gateway key once, and a call people can paste to see a transaction recorded."""
    console.print(f"exchange: {exchange['members']} members, {exchange['services']} services, "
                  f"{exchange['rights']} rights, {exchange['access_requests']} pending request")  # fmt: skip
    console.print(f"gateway key of {exchange['client']} (shown once):")
    typer.echo(exchange["gateway_key"])
    console.print("Try the gateway (the call appears at /exchange/transactions):", highlight=False)
    typer.echo(
        f"curl -H 'X-Road-Client: {exchange['client']}' -H 'X-API-Key: {exchange['gateway_key']}' "
        f"http://{host}:{port}/r1/{exchange['citizens_service']}/citizens/001099012345"
    )


def main() -> None:
    app()
