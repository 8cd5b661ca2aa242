"""A local DingTalk open platform for tests: the endpoints the connector uses, with DingTalk's answer shapes.

Both hosts are served from one port (their paths do not overlap): point ``dingtalk_api_base`` and
``dingtalk_oapi_base`` at :attr:`FakeDingTalk.url`. State is given by the test (jobs, candidates, resumes); tokens
are issued with an expiry; every request is recorded. Error injection: :meth:`rate_limit_next` (the next N API calls,
optionally only those under a path, answer DingTalk's rate-limit error), :meth:`throttle` (a rate-limit mode: every
API call under a path answers the rate-limit error until :meth:`unthrottle`; legacy answers plain or wrapped in errcode
88 with the code as sub_code), :attr:`resume_delay_s` (slow resume reads),
:meth:`expire_tokens` (every issued token becomes invalid at once, as if it
expired on DingTalk's side while the client still trusts it), and a wrong app secret is refused like DingTalk does.

Answer shapes: legacy host always HTTP 200 with ``errcode`` (auth errors wrapped as errcode 88 + string sub_code);
new host HTTP 4xx with ``{"code", "message", "requestid"}``.

Recruiting data push (``/topapi/ats/plugin/data/push``, dingtalk.oapi.ats.plugin.data.push): ``{biz_code: "ddats",
header: {plugin_code, schema_id}, out_id, content: "<JSON text>"}`` answered ``{errcode: 0, result: {result: <data
id>, errcode: 0, errmsg}}``; a plugin_code/schema_id the fake was not given is refused inside ``result`` (errcode
400020, as DingTalk's sample shows). One record per ``out_id`` (:attr:`ats_records`); every push is kept in
:attr:`ats_pushes`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.harness import free_port

LEGACY_MSG_TYPES = {"text", "markdown", "action_card", "link", "oa", "image", "file", "voice"}


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeCandidate:
    candidate_id: str
    name: str
    job_id: str
    resume_data: dict | None = None
    file: tuple[bytes, str, str] | None = None  # (bytes, file name, file type)
    modified_ms: int = field(default_factory=lambda: int(time.time() * 1000))


class FakeDingTalk:
    def __init__(self, app_key: str = "dingfakeappkey", app_secret: str = "fake-app-secret", agent_id: int = 3001,
                 token_ttl_s: int = 7200, operator_userid: str = "hr-operator-1"):
        self.app_key, self.app_secret, self.agent_id = app_key, app_secret, agent_id
        self.token_ttl_s = token_ttl_s
        self.operator_userid = operator_userid
        self.tokens: dict[str, float] = {}  # new-API token -> monotonic expiry
        self.legacy_tokens: dict[str, float] = {}
        self.notices: list[dict] = []
        self.jobs: dict[str, dict] = {}
        self.candidates: dict[str, FakeCandidate] = {}
        self.interviews: list[dict] = []
        self.requests: list[Recorded] = []
        self.rate_limit_code_legacy = 90018
        self._rate_limited = 0
        self._rate_limited_prefix = ""
        self._throttle_prefix: str | None = None  # rate-limit mode (throttle / unthrottle)
        self._throttle_wrapped = False
        self.ats_plugin_code, self.ats_schema_id = "ai-interview", "interview_report"
        self.ats_records: dict[str, dict] = {}  # out_id -> the record DingTalk keeps
        self.ats_pushes: list[dict] = []  # every accepted push, in order
        self._data_ids = itertools.count(1)
        self.resume_delay_s = 0.0  # each resume answer waits this long (to watch an import in progress)
        self._task_ids = itertools.count(700000001)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- state given by the test ----------------------------------------------------------------------------------
    def add_job(self, job_id: str, name: str) -> None:
        self.jobs[job_id] = {"jobId": job_id, "name": name, "headCount": 1, "createTime": 1700000000000,
                             "mainDeptId": 1, "mainDeptName": "R&D", "jobOwners": []}

    def add_candidate(self, job_id: str, candidate_id: str, name: str, *, resume_data: dict | None = None,
                      file: tuple[bytes, str, str] | None = None) -> FakeCandidate:
        cand = FakeCandidate(candidate_id, name, job_id, resume_data, file)
        self.candidates[candidate_id] = cand
        return cand

    def add_interview(self, candidate_id: str, start_ms: int, interview_id: str | None = None) -> None:
        self.interviews.append({"interviewId": interview_id or uuid.uuid4().hex, "candidateId": candidate_id,
                                "jobId": self.candidates[candidate_id].job_id, "startTimeMillis": start_ms,
                                "endTimeMillis": start_ms + 3600_000, "cancelled": False, "creatorUserId": "hr",
                                "interviewers": [{"userId": "hr"}]})

    # --- error injection --------------------------------------------------------------------------------------------
    def rate_limit_next(self, n: int, path_prefix: str = "") -> None:
        """The next ``n`` API calls (not token requests; only those whose path starts with ``path_prefix``) answer
        DingTalk's rate-limit error."""
        self._rate_limited = n
        self._rate_limited_prefix = path_prefix

    def throttle(self, path_prefix: str = "", wrapped: bool = False) -> None:
        """Rate-limit mode: every API call under ``path_prefix`` answers DingTalk's rate-limit error until
        :meth:`unthrottle` (legacy: ``errcode`` 90018, or with ``wrapped`` errcode 88 and sub_code "90018")."""
        self._throttle_prefix, self._throttle_wrapped = path_prefix, wrapped

    def unthrottle(self) -> None:
        self._throttle_prefix = None

    def expire_tokens(self) -> None:
        """Every issued token stops working now (the client's cache still thinks it is valid)."""
        for store in (self.tokens, self.legacy_tokens):
            for t in store:
                store[t] = 0.0

    # --- what tests assert on ---------------------------------------------------------------------------------------
    def calls(self, path_prefix: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith(path_prefix)]

    @property
    def token_requests(self) -> int:
        return len(self.calls("/v1.0/oauth2/accessToken"))

    @property
    def legacy_token_requests(self) -> int:
        return len(self.calls("/gettoken"))

    # --- server -----------------------------------------------------------------------------------------------------
    async def __aenter__(self) -> FakeDingTalk:
        app = web.Application(middlewares=[self._record])
        r = app.router
        r.add_post("/v1.0/oauth2/accessToken", self._token)
        r.add_get("/gettoken", self._legacy_token)
        r.add_post("/topapi/message/corpconversation/asyncsend_v2", self._asyncsend)
        r.add_post("/topapi/ats/plugin/data/push", self._ats_push)
        r.add_get("/v1.0/ats/jobs/{job_id}/info", self._job_info)
        r.add_post("/v1.0/ats/flows/search", self._flow_search)
        r.add_get("/v1.0/ats/flows/{flow_id}/info", self._flow_info)
        r.add_post("/v1.0/ats/interviews/query", self._interviews)
        r.add_post("/v1.0/ats/resumes/details", self._resume)
        r.add_get("/files/{candidate_id}/{name}", self._file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc) -> None:
        if self._runner:
            await self._runner.cleanup()

    def settings(self, **overrides) -> dict:
        """Server settings that point the connector here (fast retries for tests)."""
        return {"dingtalk_api_base": self.url, "dingtalk_oapi_base": self.url, "dingtalk_app_key": self.app_key,
                "dingtalk_app_secret": self.app_secret, "dingtalk_agent_id": self.agent_id,
                "dingtalk_operator_userid": self.operator_userid, "dingtalk_retry_initial_s": 0.02,
                "dingtalk_ats_plugin_code": self.ats_plugin_code, "dingtalk_ats_schema_id": self.ats_schema_id,
                "dingtalk_max_attempts": 4, **overrides}

    @web.middleware
    async def _record(self, request: web.Request, handler):
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        self.requests.append(Recorded(request.method, request.path, dict(request.query), dict(request.headers), body))
        return await handler(request)

    # --- answers ------------------------------------------------------------------------------------------------------
    @staticmethod
    def _rid() -> str:
        return uuid.uuid4().hex[:16]

    def _new_error(self, status: int, code: str, message: str) -> web.Response:
        return web.json_response({"code": code, "message": message, "requestid": self._rid()}, status=status)

    def _legacy_error(self, errcode: int, errmsg: str, sub_code: str | None = None) -> web.Response:
        body: dict[str, Any] = {"errcode": errcode, "errmsg": errmsg, "request_id": self._rid()}
        if sub_code:
            body.update(sub_code=sub_code, sub_msg=errmsg)
        return web.json_response(body)

    def _throttled(self, request: web.Request, legacy: bool) -> web.Response | None:
        wrapped = False
        if self._throttle_prefix is not None and request.path.startswith(self._throttle_prefix):
            wrapped = self._throttle_wrapped
        elif self._rate_limited <= 0 or not request.path.startswith(self._rate_limited_prefix):
            return None
        else:
            self._rate_limited -= 1
        if legacy and wrapped:
            return self._legacy_error(88, "应用调用该接口的并发量过大", sub_code=str(self.rate_limit_code_legacy))
        if legacy:
            return self._legacy_error(self.rate_limit_code_legacy, "应用调用该接口的并发量过大")
        return self._new_error(403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
                               "应用调用该接口的QPS超出限制")

    def _issue(self, store: dict[str, float]) -> str:
        token = secrets.token_hex(16)
        store[token] = time.monotonic() + self.token_ttl_s
        return token

    def _new_auth(self, request: web.Request) -> web.Response | None:
        token = request.headers.get("x-acs-dingtalk-access-token")
        if not token:
            return self._new_error(400, "AuthenticationFailed.MissingParameter",
                                   "缺少参数：x-acs-dingtalk-access-token")
        if self.tokens.get(token, 0.0) <= time.monotonic():
            return self._new_error(400, "InvalidAuthentication", "不合法的access_token")
        return self._throttled(request, legacy=False)

    def _legacy_auth(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token not in self.legacy_tokens:
            return self._legacy_error(88, "不合法的access_token", sub_code="40014")
        if self.legacy_tokens[token] <= time.monotonic():
            return self._legacy_error(88, "access_token超时", sub_code="42001")
        return self._throttled(request, legacy=True)

    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("appKey") != self.app_key or body.get("appSecret") != self.app_secret:
            return self._new_error(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
        return web.json_response({"accessToken": self._issue(self.tokens), "expireIn": self.token_ttl_s})

    async def _legacy_token(self, request: web.Request) -> web.Response:
        q = request.query
        if not q.get("appkey"):
            return self._legacy_error(40035, "缺少参数 corpid or appkey")
        if q.get("appkey") != self.app_key or q.get("appsecret") != self.app_secret:
            return self._legacy_error(40096, "不合法的appKey或appSecret")
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": self._issue(self.legacy_tokens),
                                  "expires_in": self.token_ttl_s})

    async def _asyncsend(self, request: web.Request) -> web.Response:
        if (denied := self._legacy_auth(request)) is not None:
            return denied
        body = await request.json()
        msg = body.get("msg") or {}
        kind = msg.get("msgtype")
        ok = (str(body.get("agent_id")) == str(self.agent_id) and isinstance(body.get("userid_list"), str)
              and body["userid_list"] and kind in LEGACY_MSG_TYPES and isinstance(msg.get(kind), dict))
        if ok and kind == "action_card":
            card = msg["action_card"]
            ok = bool(card.get("title") and card.get("markdown")
                      and ((card.get("single_title") and card.get("single_url")) or card.get("btn_json_list")))
        if not ok:
            return self._legacy_error(40035, "不合法的参数")
        task_id = next(self._task_ids)
        self.notices.append({"task_id": task_id, "agent_id": body["agent_id"], "userid_list": body["userid_list"],
                             "msg": msg})
        return web.json_response({"errcode": 0, "errmsg": "ok", "task_id": task_id, "request_id": self._rid()})

    async def _ats_push(self, request: web.Request) -> web.Response:
        if (denied := self._legacy_auth(request)) is not None:
            return denied
        body = await request.json()
        header = body.get("header")
        try:
            content = json.loads(body.get("content") or "")
        except (TypeError, ValueError):
            content = None
        if (body.get("biz_code") != "ddats" or not isinstance(header, dict) or not body.get("out_id")
                or not isinstance(content, dict)):
            return self._legacy_error(40035, "不合法的参数")
        if (header.get("plugin_code"), header.get("schema_id")) != (self.ats_plugin_code, self.ats_schema_id):
            return web.json_response({"errcode": 0, "request_id": self._rid(),
                                      "result": {"errcode": 400020, "errmsg": "无访问权限"}})
        out_id = str(body["out_id"])
        record = self.ats_records.get(out_id)
        if record is None:  # one record per out_id: a repeat is the same record
            record = self.ats_records[out_id] = {"data_id": f"data-{next(self._data_ids)}", "out_id": out_id,
                                                 "header": header, "content": content}
        self.ats_pushes.append({"out_id": out_id, "content": content})
        return web.json_response({"errcode": 0, "errmsg": "ok", "request_id": self._rid(),
                                  "result": {"result": record["data_id"], "errcode": 0, "errmsg": "ok"}})

    async def _job_info(self, request: web.Request) -> web.Response:
        if (denied := self._new_auth(request)) is not None:
            return denied
        job = self.jobs.get(request.match_info["job_id"])
        if job is None:
            return self._new_error(400, "invalidParameter.jobId", "职位不存在")
        return web.json_response(job)

    def _flows(self) -> list[FakeCandidate]:
        return sorted(self.candidates.values(), key=lambda c: c.candidate_id)

    async def _flow_search(self, request: web.Request) -> web.Response:
        if (denied := self._new_auth(request)) is not None:
            return denied
        if request.query.get("opUserId") != self.operator_userid:
            return self._new_error(400, "invalidParameter.opUserId", "操作人不存在")
        body = await request.json()
        lo, hi = body.get("minModifyTimeMills"), body.get("maxModifyTimeMills")
        if not isinstance(lo, int) or not isinstance(hi, int):
            return self._new_error(400, "MissingParameter", "缺少参数 minModifyTimeMills/maxModifyTimeMills")
        size = min(int(body.get("size") or 20), 100)
        start = int(body.get("cursor") or 0)
        matching = [c for c in self._flows() if lo <= c.modified_ms <= hi]
        page = matching[start:start + size]
        more = start + size < len(matching)
        return web.json_response({"list": [f"flow-{c.candidate_id}" for c in page], "hasMore": more,
                                  "nextCursor": str(start + size) if more else None, "totalCount": len(matching)})

    async def _flow_info(self, request: web.Request) -> web.Response:
        if (denied := self._new_auth(request)) is not None:
            return denied
        cid = request.match_info["flow_id"].removeprefix("flow-")
        c = self.candidates.get(cid)
        if c is None:
            return self._new_error(400, "invalidParameter.flowId", "流程不存在")
        return web.json_response({"flowId": f"flow-{cid}", "candidateId": cid, "candidateName": c.name,
                                  "jobId": c.job_id, "statId": "interview", "currentStatus": "interviewing",
                                  "createTime": c.modified_ms, "sourceName": "内推"})

    async def _interviews(self, request: web.Request) -> web.Response:
        if (denied := self._new_auth(request)) is not None:
            return denied
        body = await request.json()
        size = min(int(request.query.get("size") or 10), 100)
        start = int(request.query.get("nextToken") or 0)
        lo, hi = body.get("startTimeBeginMillis", 0), body.get("startTimeEndMillis", 2**62)
        rows = [i for i in self.interviews if i["candidateId"] == body.get("candidateId")
                and lo <= i["startTimeMillis"] <= hi]
        page = rows[start:start + size]
        more = start + size < len(rows)
        return web.json_response({"list": page, "hasMore": more, "nextToken": str(start + size) if more else None,
                                  "totalCount": len(rows)})

    async def _resume(self, request: web.Request) -> web.Response:
        if (denied := self._new_auth(request)) is not None:
            return denied
        if self.resume_delay_s:
            await asyncio.sleep(self.resume_delay_s)
        body = await request.json()
        c = self.candidates.get(str(body.get("candidateId")))
        if c is None:
            return self._new_error(400, "invalidParameter.candidateId", "候选人不存在")
        answer: dict[str, Any] = {"resumeId": f"resume-{c.candidate_id}", "candidateId": c.candidate_id}
        if c.resume_data is not None:
            answer["resumeData"] = c.resume_data
        if c.file is not None:
            _, name, ftype = c.file
            answer["resumeFile"] = {"downloadUrl": f"{self.url}/files/{c.candidate_id}/{name}", "fileName": name,
                                    "fileType": ftype}
        return web.json_response(answer)

    async def _file(self, request: web.Request) -> web.Response:
        c = self.candidates.get(request.match_info["candidate_id"])
        if c is None or c.file is None:
            return web.Response(status=404)
        return web.Response(body=c.file[0], content_type="application/octet-stream")
