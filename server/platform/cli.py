"""``interview-server``: serve, seed demo data, manage models, migrate the database, create an admin."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

from pydantic import ValidationError

from server.platform.logs import configure_logging
from server.platform.settings import Settings
from server.platform.settings_flags import add_settings_flags, settings_from_args


async def _serve(settings: Settings, demo: bool) -> None:
    from aiohttp import web

    from server.http.access_log import MaskedAccessLogger
    from server.http.app import create_app
    from server.platform.demo import seed_demo
    from server.http.routes.common import CTX_KEY

    app = create_app(settings)
    # SIGTERM/SIGINT drain first (no new interviews, running ones end or are handed over), then the server stops
    runner = web.AppRunner(app, handle_signals=False, access_log_class=MaskedAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    ctx = app[CTX_KEY]
    if demo:
        info = await seed_demo(ctx.store.accounts, ctx.store.jobs, ctx.store.interviews, ctx.store.assignments,
                               settings, db=ctx.store.db)
        print(f"DEMO_LOGIN email={info.email} password={info.password}", flush=True)
        print("DEMO_TEAM " + " ".join(f"{email}({role})" for email, role in info.team.items())
              + " (same password)", flush=True)
        print(f"HR_PAGE {settings.resolved_base_url}/login", flush=True)
        print(f"CANDIDATE_LINK {info.link}", flush=True)
    # Load the default speech model now, so the first candidate does not wait for it.
    await ctx.speech_model("en")
    print(f"READY {settings.resolved_base_url} node={ctx.nodes.node_id}", flush=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await stopping.wait()
        await ctx.drain(settings.drain_timeout_s)
    finally:
        await runner.cleanup()


def _store(settings: Settings):
    """The database, with the data keys installed (server/compliance/crypto.py), as the server opens it."""
    from server.compliance.crypto import KEYRING
    from server.storage.store import Store

    KEYRING.add(*settings.resolved_data_keys)
    return Store(settings.resolved_database_url)


async def _demo(settings: Settings) -> None:
    from server.platform.demo import seed_demo

    store = _store(settings)
    await store.migrate()
    info = await seed_demo(store.accounts, store.jobs, store.interviews, store.assignments, settings, db=store.db)
    await store.close()
    print(json.dumps(info.__dict__, indent=2))


async def _migrate(settings: Settings, action: str) -> None:
    store = _store(settings)
    await store.migrate()
    if action == "rotate-keys":  # every encrypted value under the current key (and old plaintext encrypted)
        print(json.dumps(await store.key_rotation.reencrypt(), indent=2))
    await store.close()
    print("database is at the newest schema")


async def _create_admin(settings: Settings, email: str, org_name: str, name: str) -> int:
    """The first admin of a deployment (or another admin of an organisation): the organisation named ``org_name``
    (created when there is none), an admin without a password, and the one-time link that sets it."""
    from server.http.password_links import PasswordLinks
    from server.storage.account_changes import ChangedBy

    store = _store(settings)
    try:
        await store.migrate()
        if await store.accounts.user_by_email(email) is not None:
            print(f"there is already an account with the e-mail {email}", file=sys.stderr)
            return 1
        org = await store.accounts.org_by_name(org_name) or await store.accounts.create_org(org_name)
        links = PasswordLinks(settings.resolved_secret_key, settings.password_link_max_age_s,
                              settings.resolved_base_url)
        by = ChangedBy.command_line()
        user = await store.accounts.create_user(org.id, email, "!unset", role="admin", name=name, by=by)
        link = links.issue(user.id)
        await store.accounts.set_password_link(user.id, link.nonce, by=by)
    finally:
        await store.close()
    print(f"ADMIN {user.email} org={org.name} ({org.id})")
    print(f"SET_PASSWORD_LINK {link.url}")
    print(f"(works once, until {link.expires_at:%Y-%m-%d %H:%M} UTC; then log in at {settings.resolved_base_url}/login)")
    return 0


def _models(settings: Settings, action: str, model_id: str | None) -> int:
    from analyzers.model_registry import ModelError, ModelManager

    manager = ModelManager.from_settings(settings)
    if action == "list":
        print(json.dumps(manager.status(), indent=2, default=str))
        return 0
    if not model_id:
        print("name a model id (see `interview-server models list`)", file=sys.stderr)
        return 2
    try:
        path = manager.resolve(model_id)
    except ModelError as exc:  # not here and not allowed or able to be fetched: said plainly, exit 1
        print(str(exc), file=sys.stderr)
        return 1
    print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="interview-server", description=__doc__)
    parser.add_argument("--log-level", default="info")
    sub = parser.add_subparsers(dest="command", required=True)
    # usage lines say [SETTING ...] rather than list some sixty generated flags
    serve = sub.add_parser("serve", help="run the server", usage="%(prog)s [--demo] [SETTING ...]")
    serve.add_argument("--demo", action="store_true", help="seed demo data and print a login and a candidate link")
    demo = sub.add_parser("demo", help="seed demo data and print a candidate link", usage="%(prog)s [SETTING ...]")
    db = sub.add_parser("db", help="database schema; re-encrypt stored data under the current data key",
                        usage="%(prog)s {upgrade,rotate-keys} [SETTING ...]")
    db.add_argument("action", choices=["upgrade", "rotate-keys"])
    models = sub.add_parser("models", help="models (speech, language): list, or fetch/resolve one",
                            usage="%(prog)s {list,fetch} [MODEL_ID] [SETTING ...]")
    models.add_argument("action", choices=["list", "fetch"])
    models.add_argument("model_id", nargs="?")
    admin = sub.add_parser("create-admin", help="create an admin (and their organisation) and print their one-time "
                           "set-password link", usage="%(prog)s --email EMAIL --org NAME [--name NAME] [SETTING ...]")
    admin.add_argument("--email", required=True, help="the admin's e-mail (their login name)")
    admin.add_argument("--org", required=True, help="the organisation's name (created when there is none)")
    admin.add_argument("--name", default="", help="the admin's name as the pages show it")
    for command in (serve, demo, db, models, admin):  # every setting, generated from Settings (settings_flags.py)
        add_settings_flags(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
    except ValidationError as exc:
        parser.error(f"invalid settings (flags or INTERVIEW_* variables):\n{exc}")
    configure_logging(args.log_level, settings.log_format)
    if args.command == "serve":
        from aiohttp.web_runner import GracefulExit

        try:
            asyncio.run(_serve(settings, args.demo))
        except (KeyboardInterrupt, GracefulExit):
            pass
        return 0
    if args.command == "demo":
        asyncio.run(_demo(settings))
        return 0
    if args.command == "db":
        asyncio.run(_migrate(settings, args.action))
        return 0
    if args.command == "create-admin":
        return asyncio.run(_create_admin(settings, args.email, args.org, args.name))
    if args.command == "models":
        return _models(settings, args.action, args.model_id)
    return 2


if __name__ == "__main__":
    sys.exit(main())
