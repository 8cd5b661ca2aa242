"""``interview-server``: serve, seed demo data, manage speech models, migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys

import structlog

from server.platform.settings import Settings


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO), format="%(message)s", stream=sys.stderr)
    logging.getLogger("aioice").setLevel(logging.WARNING)
    logging.getLogger("aiortc").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso"),
                    structlog.processors.format_exc_info, structlog.processors.JSONRenderer()],
        logger_factory=structlog.stdlib.LoggerFactory(),
    )


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    plain = ("host", "port", "data_dir", "database_url", "bus_url", "public_base_url", "analysis_cpu_budget",
             "answer_end_silence_ms", "whisper_window_margin_ms",
             "reminder_poll_s", "no_show_grace_min",  # scheduling
             # DingTalk connector (the app secret only from the environment)
             "dingtalk_app_key", "dingtalk_agent_id", "dingtalk_operator_userid", "dingtalk_api_base",
             "dingtalk_oapi_base",
             "import_max_upload_bytes", "import_max_active",  # bulk candidate import
             "retention_interview_content_days", "retention_candidate_days", "retention_sweep_s",  # retention
             "audit_coalesce_s")
    for name in plain:
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    if getattr(args, "ice_host", None):
        overrides["ice_host_addresses"] = args.ice_host
    if getattr(args, "allow_download", False):
        overrides["allow_model_download"] = True
    return Settings(**overrides)


def _add_server_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--data-dir", dest="data_dir")
    p.add_argument("--database-url", dest="database_url", help="e.g. postgresql+asyncpg://user@host/db")
    p.add_argument("--bus-url", dest="bus_url", help="memory:// or redis://127.0.0.1:6379/0")
    p.add_argument("--public-base-url", dest="public_base_url")
    p.add_argument("--ice-host", action="append", help="address to advertise in ICE (repeatable)")
    p.add_argument("--answer-end-silence-ms", dest="answer_end_silence_ms", type=int,
                   help="silence that ends an answer whose words give no cue (default 3000)")
    p.add_argument("--whisper-window-margin-ms", dest="whisper_window_margin_ms", type=int,
                   help="padding Whisper's encoder reads after the audio (default 3000; 0 = its full 30-s window)")
    p.add_argument("--analysis-cpu-budget", dest="analysis_cpu_budget", type=float,
                   help="cores one session's video analysis may use (default 0.12)")
    p.add_argument("--reminder-poll-s", dest="reminder_poll_s", type=float,
                   help="seconds between scheduler runs: due reminders, no-show marking (default 30)")
    p.add_argument("--no-show-grace-min", dest="no_show_grace_min", type=int,
                   help="minutes after a booked slot ends before a candidate who never joined is a no-show (default 15)")
    # DingTalk connector; the app secret is read from INTERVIEW_DINGTALK_APP_SECRET only (never a flag: ps shows flags)
    p.add_argument("--dingtalk-app-key", dest="dingtalk_app_key", help="AppKey of the DingTalk internal app")
    p.add_argument("--dingtalk-agent-id", dest="dingtalk_agent_id", type=int, help="AgentId for work notices")
    p.add_argument("--dingtalk-operator-userid", dest="dingtalk_operator_userid",
                   help="DingTalk userid the ATS import acts for (opUserId)")
    p.add_argument("--dingtalk-api-base", dest="dingtalk_api_base", help="default https://api.dingtalk.com")
    p.add_argument("--dingtalk-oapi-base", dest="dingtalk_oapi_base", help="default https://oapi.dingtalk.com")
    # bulk candidate import (zip / CSV)
    p.add_argument("--import-max-upload-bytes", dest="import_max_upload_bytes", type=int,
                   help="largest bulk-import upload in bytes (default 100 MB)")
    p.add_argument("--import-max-active", dest="import_max_active", type=int,
                   help="bulk imports one server process runs at a time (default 2)")
    # data protection: defaults for organisations that set no retention periods, and the audit log
    p.add_argument("--retention-interview-content-days", dest="retention_interview_content_days", type=int,
                   help="days after an interview before its transcript and timeline are deleted (default 90)")
    p.add_argument("--retention-candidate-days", dest="retention_candidate_days", type=int,
                   help="days after a candidate's last activity before all their data is deleted (default 365)")
    p.add_argument("--retention-sweep-s", dest="retention_sweep_s", type=float,
                   help="seconds between retention sweeps (default 3600)")
    p.add_argument("--audit-coalesce-s", dest="audit_coalesce_s", type=int,
                   help="repeats of the same read within this many seconds count on one access-log row (default 900)")


async def _serve(settings: Settings, demo: bool) -> None:
    from aiohttp import web

    from server.http.access_log import MaskedAccessLogger
    from server.http.app import create_app
    from server.platform.demo import seed_demo
    from server.http.routes.common import CTX_KEY

    app = create_app(settings)
    runner = web.AppRunner(app, handle_signals=True, access_log_class=MaskedAccessLogger)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    ctx = app[CTX_KEY]
    if demo:
        info = await seed_demo(ctx.store.accounts, ctx.store.jobs, ctx.store.interviews, settings)
        print(f"DEMO_LOGIN email={info.email} password={info.password}", flush=True)
        print(f"HR_PAGE {settings.resolved_base_url}/login", flush=True)
        print(f"CANDIDATE_LINK {info.link}", flush=True)
    # Load the default speech model now, so the first candidate does not wait for it.
    await ctx.speech_model("en")
    print(f"READY {settings.resolved_base_url}", flush=True)
    try:
        await asyncio.Event().wait()
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
    info = await seed_demo(store.accounts, store.jobs, store.interviews, settings)
    await store.close()
    print(json.dumps(info.__dict__, indent=2))


async def _migrate(settings: Settings, action: str) -> None:
    store = _store(settings)
    await store.migrate()
    if action == "rotate-keys":  # every encrypted value under the current key (and old plaintext encrypted)
        print(json.dumps(await store.key_rotation.reencrypt(), indent=2))
    await store.close()
    print("database is at the newest schema")


def _models(settings: Settings, action: str, model_id: str | None) -> int:
    from analyzers.model_registry import ModelManager

    manager = ModelManager.from_settings(settings)
    if action == "list":
        print(json.dumps(manager.status(), indent=2, default=str))
        return 0
    if not model_id:
        print("name a model id (see `interview-server models list`)", file=sys.stderr)
        return 2
    path = manager.resolve(model_id)
    print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="interview-server", description=__doc__)
    parser.add_argument("--log-level", default="info")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server")
    _add_server_flags(serve)
    serve.add_argument("--demo", action="store_true", help="seed demo data and print a login and a candidate link")
    demo = sub.add_parser("demo", help="seed demo data and print a candidate link")
    _add_server_flags(demo)
    db = sub.add_parser("db", help="database schema; re-encrypt stored data under the current data key")
    db.add_argument("action", choices=["upgrade", "rotate-keys"])
    _add_server_flags(db)
    models = sub.add_parser("models", help="speech models: list, or fetch/resolve one")
    models.add_argument("action", choices=["list", "fetch"])
    models.add_argument("model_id", nargs="?")
    models.add_argument("--data-dir", dest="data_dir")
    models.add_argument("--allow-download", action="store_true")
    args = parser.parse_args(argv)
    _configure_logging(args.log_level)
    settings = _settings(args)
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
    if args.command == "models":
        return _models(settings, args.action, args.model_id)
    return 2


if __name__ == "__main__":
    sys.exit(main())
