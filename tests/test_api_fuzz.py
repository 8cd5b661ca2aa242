"""Schemathesis against the OpenAPI document of a running server, on SQLite and PostgreSQL: every documented
operation gets generated valid and invalid requests (NUL bytes included), logged in as an admin, with e-mail,
webhook and DingTalk set up (against closed ports: "not set up" would be a deliberate 503); none may answer with a
server error. Bounded (a fixed number of cases per operation, a fixed seed) so it fits in CI.

The run's summary (operations, cases, server errors) is printed; the JSON report lands in test-artifacts/.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

import aiohttp
import pytest

from server.http.auth import hash_password
from tests.harness import free_port, running_server

pytestmark = pytest.mark.unit

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
MAX_EXAMPLES = 15
SEED = 14
EXCLUDED_PATHS = r"^/api/v1/auth/(logout|sessions|password)"  # would end the run's own login
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@acme.test", "fuzz-admin-pw"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _summary(engine: str, report: dict) -> dict:
    """Operations and cases run, and the server errors among them, from schemathesis' JSON run report."""
    server_errors = [f for f in report["failures"] if f["code"] == "ST101"]
    return {"engine": engine, "operations_tested": report["operations"]["tested"],
            "operations_total": report["operations"]["total"], "cases": report["test_cases"]["generated"],
            "server_errors": sum(f["count"] for f in server_errors),
            "server_error_operations": sorted({op for f in server_errors for op in f["operations"]}),
            "other_failures": sorted({f["code"] for f in report["failures"]} - {"ST101"}),
            "errored": report["test_cases"]["errored"], "errors": report["errors"][:5],
            "seconds": round(report["running_time"])}


async def test_schemathesis_finds_no_server_error(db_url, tmp_path):
    pytest.importorskip("schemathesis")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    engine = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    report_path = ARTIFACTS / f"schemathesis-{engine}.json"
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens: deliveries fail later, in the background
    channels = dict(smtp_host="127.0.0.1", smtp_port=free_port(), invite_webhook_url=f"{closed}/hook",
                    invite_webhook_secret="fuzz",
                    dingtalk_api_base=closed, dingtalk_oapi_base=closed, dingtalk_app_key="fuzz",
                    dingtalk_app_secret="fuzz", dingtalk_agent_id=1, dingtalk_operator_userid="fuzz",
                    dingtalk_max_attempts=1, dingtalk_timeout_s=2)
    async with running_server(db_url, tmp_path, **channels) as h:
        await h.create_interview()
        async with aiohttp.ClientSession() as anyone:
            async with anyone.get(f"{h.base_url}/api/v1/openapi.json") as r:
                paths = (await r.json())["paths"]
        excluded = sum(len([m for m in ops if m in HTTP_METHODS]) for path, ops in paths.items()
                       if re.match(EXCLUDED_PATHS, path))
        await h.ctx.store.accounts.create_user(h.org_id, ADMIN_EMAIL, hash_password(ADMIN_PASSWORD), role="admin")
        async with h.hr_client(ADMIN_EMAIL, ADMIN_PASSWORD) as http:  # every operation open to it
            cookie = "; ".join(f"{c.key}={c.value}" for c in http.cookie_jar)
            proc = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).with_name("schemathesis")), "run", f"{h.base_url}/api/v1/openapi.json",
                "--checks", "not_a_server_error", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
                "--phases", "examples,coverage,fuzzing", "--workers", "2", "--no-shrink", "--no-color",
                "--exclude-path-regex", EXCLUDED_PATHS, "--request-timeout", "60",
                "--generation-database", "none", "-H", f"Cookie: {cookie}",
                "--report", "json", "--report-json-path", str(report_path),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path)  # its cache there
            out, _ = await proc.communicate()  # the server answers on this loop meanwhile
    text = out.decode(errors="replace")
    summary = _summary(engine, json.loads(report_path.read_text()))
    print("SCHEMATHESIS", json.dumps(summary))
    assert summary["server_errors"] == 0, text[-6000:]
    assert excluded >= 1 and summary["operations_tested"] >= summary["operations_total"] - excluded, summary
    assert summary["errored"] == 0, text[-6000:]
    assert summary["cases"] >= 20 * summary["operations_tested"], summary  # it did run, and not only a handful
