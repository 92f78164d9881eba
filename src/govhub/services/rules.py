"""The rule sets in force and the prefill settings: both kept in the database so an admin can change them."""

from __future__ import annotations

import datetime as dt
import string

from sqlalchemy import select
from sqlalchemy.orm import Session

from govhub.core.actor import Actor
from govhub.core.audit import service as audit
from govhub.core.errors import Problem
from govhub.services.calendar import Rules, local_day
from govhub.services.models import PrefillConfig, RuleSet
from govhub.services.schemas import PrefillConfigUpdate, RulesIn

SAMPLE_CODE_VALUES = {"agency": "000.00.00.H26", "date": dt.date(2026, 1, 5), "seq": 1}


def current(*, db_session: Session, on: dt.date | None = None) -> Rules:
    """The newest version effective on the day; built-in defaults until an admin adds one."""
    on = on or local_day(dt.datetime.now(dt.UTC))
    row = db_session.scalar(
        select(RuleSet)
        .where(RuleSet.effective_from <= on)
        .order_by(RuleSet.effective_from.desc(), RuleSet.version.desc())
        .limit(1)
    )
    if row is None:
        return Rules()
    return Rules.from_json(row.version, row.source, row.rules)


def by_version(*, db_session: Session, version: int) -> Rules:
    row = db_session.scalar(select(RuleSet).where(RuleSet.version == version))
    return Rules() if row is None else Rules.from_json(row.version, row.source, row.rules)


def history(*, db_session: Session) -> list[RuleSet]:
    return list(db_session.scalars(select(RuleSet).order_by(RuleSet.version)).all())


def check_code_format(fmt: str) -> None:
    """A format without the agency, the day and the sequence would give two dossiers the same code."""
    try:
        fields = {
            name.split(".")[0].split("[")[0] for _t, name, _s, _c in string.Formatter().parse(fmt) if name
        }
    except ValueError as exc:
        raise Problem(
            422,
            "The dossier code format is not a valid template.",
            errors=[{"field": "dossier_code_format", "message": str(exc)}],
        ) from exc
    missing = {"agency", "date", "seq"} - fields
    if missing:
        raise Problem(
            422,
            "The dossier code format must contain {agency}, {date:…} and {seq:…} so that every code is unique.",
            errors=[{"field": "dossier_code_format", "message": f"missing {', '.join(sorted(missing))}"}],
        )
    try:
        code = fmt.format(**SAMPLE_CODE_VALUES)
    except (KeyError, ValueError, IndexError, AttributeError) as exc:
        raise Problem(
            422,
            "The dossier code format must use only {agency}, {date:…} and {seq:…}.",
            errors=[{"field": "dossier_code_format", "message": str(exc)}],
        ) from exc
    if not 5 <= len(code) <= 40:
        raise Problem(422, "A dossier code must be 5 to 40 characters long.")


def add_version(*, db_session: Session, actor: Actor, rules_in: RulesIn) -> RuleSet:
    """Versions are appended: dossiers keep the version they were handled under."""
    base = current(db_session=db_session, on=rules_in.effective_from).as_json()
    changes = rules_in.model_dump(exclude_unset=True, exclude={"effective_from", "source"}, mode="json")
    data = {**base, **changes}
    if "dossier_code_format" in changes:
        check_code_format(data["dossier_code_format"])
    if data["office_open"] >= data["office_close"]:
        raise Problem(422, "The office must open before it closes.")
    latest = db_session.scalar(select(RuleSet.version).order_by(RuleSet.version.desc()).limit(1))
    row = RuleSet(
        version=(latest or 1) + 1,
        effective_from=rules_in.effective_from,
        source=rules_in.source,
        rules=data,
        created_by=actor.label[:200],
    )
    db_session.add(row)
    db_session.flush()
    audit.record(
        db_session=db_session,
        actor=actor,
        action="services.rules.add",
        entity_type="svc_rule_set",
        entity_id=row.version,
        after=audit.snapshot(row),
    )
    return row


def prefill_config(*, db_session: Session) -> PrefillConfig:
    config = db_session.get(PrefillConfig, 1)
    if config is None:
        config = PrefillConfig(id=1)
        db_session.add(config)
        db_session.flush()
    return config


def update_prefill_config(
    *, db_session: Session, actor: Actor, config_in: PrefillConfigUpdate
) -> PrefillConfig:
    config = prefill_config(db_session=db_session)
    fields = ["enabled", "base_url", "client_id", "service_path", "timeout_seconds"]
    before = audit.snapshot(config, fields)
    data = config_in.model_dump(exclude_unset=True)
    for name, value in data.items():
        setattr(config, name, value)
    db_session.flush()
    old, new = audit.changes(before, audit.snapshot(config, fields))
    if "api_key" in data:
        new["api_key"] = "(changed)"
    audit.record(
        db_session=db_session,
        actor=actor,
        action="services.prefill.configure",
        entity_type="svc_prefill_config",
        entity_id=1,
        before=old,
        after=new,
    )
    return config
