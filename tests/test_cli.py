"""The govhub command: migrate, create a user and a key from the shell, and the key works on the API."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from govhub.app import create_app
from govhub.cli import app as cli
from govhub.core import migrate
from govhub.core.config import Settings, get_settings
from govhub.core.database import Database


def test_cli_creates_user_and_key(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("GOVHUB_DATABASE_URL", url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        upgraded = runner.invoke(cli, ["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
        assert runner.invoke(cli, ["db", "current"]).output.strip() == head

        database = Database(url)
        from govhub.core.actor import cli_actor
        from govhub.core.orgs import service as orgs
        from govhub.core.orgs.schemas import OrganisationCreate

        with database.session() as session:
            orgs.create(
                db_session=session,
                actor=cli_actor(),
                organisation_in=OrganisationCreate(
                    code="000.00.00.G12", name="Bộ Tài chính", kind="ministry"
                ),
            )
        missing_org = runner.invoke(
            cli,
            ["admin", "create-user", "--username", "x.y", "--full-name", "X", "--organisation", "nope"],
            env={"GOVHUB_NEW_PASSWORD": "Strong-pass-123"},
        )
        assert missing_org.exit_code == 2 and "no organisation" in missing_org.output

        created = runner.invoke(
            cli,
            [
                "admin",
                "create-user",
                "--username",
                "mof.admin",
                "--full-name",
                "Quản trị Bộ Tài chính",
                "--organisation",
                "000.00.00.G12",
                "--role",
                "system_admin",
            ],
            env={"GOVHUB_NEW_PASSWORD": "Strong-pass-123"},
        )
        assert created.exit_code == 0, created.output

        weak = runner.invoke(
            cli,
            [
                "admin",
                "create-user",
                "--username",
                "weak.one",
                "--full-name",
                "Weak",
                "--organisation",
                "000.00.00.G12",
            ],
            env={"GOVHUB_NEW_PASSWORD": "short"},
        )
        assert weak.exit_code == 2

        key = runner.invoke(
            cli, ["admin", "create-key", "--username", "mof.admin", "--name", "ops", "--days", "7"]
        )
        assert key.exit_code == 0, key.output
        token = key.output.strip().splitlines()[-1]
        assert token.startswith("ghk_")

        app = create_app(Settings(database_url=url, secret_key="x" * 32), database)
        with TestClient(app) as client:
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200 and me.json()["label"].startswith("mof.admin")
            audit = client.get("/api/v1/audit/events", headers={"Authorization": f"Bearer {token}"}).json()
            actions = {(e["action"], e["actor_kind"]) for e in audit["items"]}
            assert {
                ("user.create", "cli"),
                ("apikey.create", "cli"),
                ("organisation.create", "cli"),
            } <= actions
        database.dispose()
    finally:
        get_settings.cache_clear()
