"""Import a job's candidates from DingTalk recruiting (ATS) as a background import run, and tell the HR page which
integrations this server has set up.

A DingTalk import is one more source of the bulk-import runs (server/recruiting/imports.py, table from migration 0007):
the request answers 202 with the run at once; the run, a queue job any node may run and another may resume
(server/recruiting/dingtalk_import.py), then reads the ATS job, lists its candidates (one item per candidate,
labelled with the DingTalk candidate id) and imports each resume (the file, else DingTalk's structured resume),
parsed like an uploaded one. Progress and per-candidate results are read with ``GET /api/v1/imports/{id}`` like
any other run.

One person is stored once per job, whichever way they came in:

* by DingTalk id (migration 0006): a candidate imported before is ``updated`` (name, e-mail or resume changed) or
  ``unchanged``; one DingTalk candidate is one candidate row across the organisation's jobs;
* by contact keys (migration 0007): a DingTalk candidate whose e-mail or phone the job already has - e.g. uploaded
  as a file, or another DingTalk record of the same person - is a ``duplicate``: nothing is stored, the item names
  the existing candidate, and no link is made (importing again reports the same). The other way round, an upload of
  someone imported from DingTalk is a duplicate of them, as the import keeps the record's contact keys for the job.

DingTalk refusing the app (credentials, token), rate limits or outages that outlast the retries, and a refused ATS
job end the run ``failed`` with the reason; candidates imported until then are kept, the rest stay ``pending``.
A refusal about one candidate (e.g. DingTalk no longer knows them) fails only that item.
"""

from __future__ import annotations

import contextlib
import time

from aiohttp import web

from server.http.access import ANY_USER
from server.http.api_models import dingtalk as m
from server.http.api_models.imports import ImportOut
from server.http.errors import ApiError, parse_body
from server.http.routes.common import api, ctx_of
from server.http.routes.guard import user_of
from server.http.routes.imports import IMPORTERS, IMPORTS_KEY, _job, _outs
from server.recruiting.connectors import dingtalk
from server.recruiting.dingtalk_import import SOURCE, request_payload
from server.recruiting.invitations import enabled_channels


def import_enabled(settings) -> bool:
    return dingtalk.enabled(settings) and bool(settings.dingtalk_operator_userid)


@api.route("GET", "/api/v1/integrations", "What this server has set up: the invitation channels HR can use and "
           "whether candidates can be imported from DingTalk", "auth", access=ANY_USER, response=m.Integrations)
async def integrations(request: web.Request) -> web.Response:
    settings = ctx_of(request).settings
    out = m.Integrations(invitation_channels=enabled_channels(settings), dingtalk_import=import_enabled(settings))
    return web.json_response(out.model_dump())


@api.route("POST", "/api/v1/jobs/{job_id}/imports/dingtalk", "Import the candidates of a DingTalk recruiting (ATS) "
           "job with their parsed resumes. Answers 202 with the import run at once (source dingtalk; follow it with "
           "GET /api/v1/imports/{id}): one item per ATS candidate, created / updated / unchanged / duplicate / "
           "failed; DingTalk refusing the app or staying rate-limited ends the run failed with the reason",
           "candidates", access=IMPORTERS, body=m.DingTalkImportRequest, response=ImportOut, status=202,
           errors=(404, 422, 429, 503))
async def import_from_dingtalk(request: web.Request) -> web.Response:
    user = user_of(request)
    job = await _job(request, user)
    body = await parse_body(request, m.DingTalkImportRequest)
    ctx = ctx_of(request)
    settings = ctx.settings
    if not dingtalk.enabled(settings):
        raise ApiError(503, "dingtalk_not_configured", "DingTalk is not set up on this server "
                       "(INTERVIEW_DINGTALK_APP_KEY, _APP_SECRET and _AGENT_ID).")
    if not settings.dingtalk_operator_userid:
        raise ApiError(503, "dingtalk_operator_not_configured", "The DingTalk import needs the userid of the HR "
                       "account it acts for (INTERVIEW_DINGTALK_OPERATOR_USERID).")
    manager = request.app[IMPORTS_KEY]
    with manager.reserve():
        run, _ = await ctx.store.imports.create(user.org_id, job.id, user.id, SOURCE,
                                                f"DingTalk ({body.ats_job_id})", [])
        try:
            await manager.submit(run.id, user.org_id,
                                 **request_payload(body.ats_job_id, body.since_days, int(time.time() * 1000)))
        except BaseException:
            with contextlib.suppress(Exception):
                await ctx.store.imports.delete(run.id)  # a refused request leaves no run
            raise
    return web.json_response((await _outs(request, [run], with_items=True))[0], status=202)
