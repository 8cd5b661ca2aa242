"""DingTalk open-platform client (aiohttp): access tokens, work notices, recruiting (ATS) reads.

DingTalk has two API hosts with different conventions, both used here:

* the new API (``api.dingtalk.com``): token from ``POST /v1.0/oauth2/accessToken``, sent as the header
  ``x-acs-dingtalk-access-token``; errors are HTTP 4xx/5xx with ``{"code", "message", "requestid"}``;
* the legacy API (``oapi.dingtalk.com``): token from ``GET /gettoken``, sent as ``?access_token=``; every answer is
  HTTP 200 with ``{"errcode", "errmsg", "request_id"}``, and authentication errors come wrapped as ``errcode 88`` with
  the real reason in the string ``sub_code`` ("40014" invalid token, "42001" expired).

Each token is cached per process (and event loop) and refreshed shortly before it expires; concurrent callers share
one refresh (a lock per token). An answer saying the token is invalid or expired refreshes it once and repeats the
call. Rate-limit answers (legacy 90018/90019/90002, new-API HTTP 429 or ``Forbidden.AccessDenied.Qps…``), network
errors and 5xx answers are retried with exponential backoff and jitter (tenacity) for a bounded number of tries; any
other error raises :class:`DingTalkError` (code, message, request id) for the caller to record.

Every path and field name sent or read is in the "wire format" block below. All of them are taken from DingTalk's
published API (the generated ``alibabacloud-go/dingtalk`` SDK, ``ats_1_0``, and the open-platform error-code pages),
except the resume read: DingTalk documents no endpoint that *returns* a candidate's resume.
``POST /v1.0/ats/resumes/details`` is documented as the opposite direction (a recruiting channel pushes a structured
resume into the ATS and gets a ``resumeId``). This module calls it with ``{candidateId, jobId}`` and expects the
documented resume structure back (``resumeData`` with ``baseInfo``/``workExperiences``/``educationExperiences``… and
``resumeFile`` with ``downloadUrl``/``fileName``/``fileType``); that request/answer pairing is our assumption.
Writing into the recruiting system: DingTalk's new ATS API publishes no call that records an interview's result;
its legacy API has the ISV data push (``dingtalk.oapi.ats.plugin.data.push``, ``/topapi/ats/plugin/data/push``),
whose ``plugin_code``/``schema_id`` and ``content`` fields DingTalk agrees with each integrator ("接入前请提前沟通"):
the content written there (server/reports/report_event.py) is ours until such an agreement says otherwise.

Over 500 lines because it is the one client of one outside API: its wire format, errors, tokens, retries and calls
change together when DingTalk changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json as jsonlib
import re
import time
import weakref
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Awaitable, Callable
from urllib.parse import quote, urlsplit

import aiohttp
import structlog
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from server.platform.settings import Settings

log = structlog.get_logger(__name__)

# --- wire format (the one place that knows DingTalk's paths and field names) -----------------------------------------
TOKEN_PATH = "/v1.0/oauth2/accessToken"  # POST {appKey, appSecret} -> {accessToken, expireIn}
LEGACY_TOKEN_PATH = "/gettoken"  # GET ?appkey=&appsecret= -> {errcode: 0, access_token, expires_in}
WORK_NOTICE_PATH = "/topapi/message/corpconversation/asyncsend_v2"  # {agent_id, userid_list, msg} -> {task_id}
ATS_JOB_INFO_PATH = "/v1.0/ats/jobs/{job_id}/info"  # GET -> {jobId, name, headCount, jobOwners, ...}
ATS_FLOW_SEARCH_PATH = "/v1.0/ats/flows/search"  # POST ?opUserId= {minModifyTimeMills, maxModifyTimeMills, cursor,
#                                                  size} -> {list: [flowId], nextCursor, hasMore, totalCount}
ATS_FLOW_INFO_PATH = "/v1.0/ats/flows/{flow_id}/info"  # GET -> {flowId, candidateId, candidateName, jobId, statId, ...}
ATS_INTERVIEWS_PATH = "/v1.0/ats/interviews/query"  # POST ?bizCode=&nextToken=&size= {candidateId,
#                                                     startTimeBeginMillis, startTimeEndMillis} -> {list, nextToken,
#                                                     hasMore, totalCount}
ATS_RESUME_PATH = "/v1.0/ats/resumes/details"  # ASSUMED read: POST ?opUserId= {candidateId, jobId}
#                                                -> {resumeId, candidateId, resumeData, resumeFile} (see module doc)
ATS_PLUGIN_PUSH_PATH = "/topapi/ats/plugin/data/push"  # dingtalk.oapi.ats.plugin.data.push: {biz_code, header:
#                                                       {plugin_code, schema_id}, out_id, content: JSON text}
#                                                       -> {errcode: 0, result: {result: data id, errcode, errmsg}}
ATS_BIZ_CODE = "ddats"  # DingTalk's own ATS ("bizCode" in the SDK examples)
TOKEN_HEADER = "x-acs-dingtalk-access-token"

# Answers that mean "get a new token and try again" (legacy: errcode, or sub_code inside errcode 88).
LEGACY_TOKEN_ERRORS = frozenset({"40014", "42001", "40001"})
NEW_TOKEN_ERRORS = frozenset({"InvalidAuthentication", "accesstoken.expired"})
# Answers that mean the app credentials themselves are wrong (no retry helps).
CREDENTIAL_ERRORS = frozenset({"40096", "40089", "invalidClientIdOrSecret", "unauthorized.client"})
# Rate limits: retried with backoff.
LEGACY_RATE_LIMITS = frozenset({"90018", "90019", "90002", "90001", "90005", "90006"})
NEW_RATE_LIMITS = frozenset({"Forbidden.AccessDenied.QpsLimitForApi", "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi",
                             "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi", "qps.exceed.limit",
                             "request.overlimit"})
LEGACY_BUSY = "-1"  # "system busy, retry"

MAX_ANSWER_BYTES = 2 * 2**20
FLOW_PAGE_SIZE = 50
INTERVIEW_PAGE_SIZE = 50


# --- errors -----------------------------------------------------------------------------------------------------------
class DingTalkError(Exception):
    """DingTalk refused a call. ``code`` is DingTalk's (legacy errcode / sub_code as text, or the new API's code)."""

    def __init__(self, code: str, message: str, request_id: str = "", status: int | None = None):
        self.code, self.message, self.request_id, self.status = str(code), message or "", request_id or "", status
        super().__init__(str(self))

    def __str__(self) -> str:
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.code}: {self.message}{rid}"


class DingTalkAuthError(DingTalkError):
    """The app key / secret were refused: fix the configuration."""


class DingTalkTokenError(DingTalkError):
    """The access token was refused (invalid or expired): refreshed once, then this is final."""


class DingTalkRateLimited(DingTalkError):
    """A rate limit answered; retried with backoff."""


class DingTalkUnavailable(DingTalkError):
    """Network error, 5xx or "system busy"; retried with backoff."""


class DingTalkNotConfigured(RuntimeError):
    pass


RETRYABLE = (DingTalkRateLimited, DingTalkUnavailable)


# --- configuration ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class DingTalkConfig:
    """Built from Settings (``dingtalk_*``), where every default is."""

    api_base: str
    oapi_base: str
    app_key: str
    app_secret: str = field(repr=False)
    agent_id: int | None
    operator_userid: str | None
    max_attempts: int
    retry_initial_s: float
    timeout_s: float

    @classmethod
    def from_settings(cls, s: Settings) -> DingTalkConfig:
        if not enabled(s):
            raise DingTalkNotConfigured("DingTalk is not set up (INTERVIEW_DINGTALK_APP_KEY, _APP_SECRET, _AGENT_ID)")
        return cls(api_base=s.dingtalk_api_base.rstrip("/"), oapi_base=s.dingtalk_oapi_base.rstrip("/"),
                   app_key=s.dingtalk_app_key, app_secret=s.dingtalk_app_secret, agent_id=s.dingtalk_agent_id,
                   operator_userid=s.dingtalk_operator_userid, max_attempts=s.dingtalk_max_attempts,
                   retry_initial_s=s.dingtalk_retry_initial_s, timeout_s=s.dingtalk_timeout_s)


def enabled(s: Settings) -> bool:
    """The connector is on when the app key, secret and agent id are all set."""
    return bool(s.dingtalk_app_key and s.dingtalk_app_secret and s.dingtalk_agent_id)


# --- tokens -----------------------------------------------------------------------------------------------------------
@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()
    refresh_at: float


class TokenCache:
    """The app's two access tokens ("new" and "legacy"), shared by every caller; one refresh at a time per token."""

    def __init__(self) -> None:
        self._tokens: dict[str, _Token] = {}
        self._locks = {"new": asyncio.Lock(), "legacy": asyncio.Lock()}

    def current(self, kind: str) -> str | None:
        tok = self._tokens.get(kind)
        return tok.value if tok and time.monotonic() < tok.refresh_at else None

    async def get(self, kind: str, fetch: Callable[[], Awaitable[tuple[str, float]]], stale: str | None = None) -> str:
        """A valid token; ``stale`` is one the server just refused (refreshed unless someone already did)."""
        value = self.current(kind)
        if value and value != stale:
            return value
        async with self._locks[kind]:
            value = self.current(kind)
            if value and value != stale:
                return value  # another caller refreshed while this one waited
            token, lifetime = await fetch()
            now = time.monotonic()
            # refresh shortly before expiry: 5 minutes early, or a tenth of the lifetime for short-lived tokens
            margin = min(300.0, lifetime / 10)
            self._tokens[kind] = _Token(token, now + lifetime, now + lifetime - margin)
            return token


_caches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, TokenCache]] = weakref.WeakKeyDictionary()


def shared_tokens(config: DingTalkConfig) -> TokenCache:
    """The process-wide token cache for these credentials (per event loop: asyncio locks belong to one loop)."""
    per_loop = _caches.setdefault(asyncio.get_running_loop(), {})
    key = (config.api_base, config.oapi_base, config.app_key, hashlib.sha256(config.app_secret.encode()).hexdigest())
    return per_loop.setdefault(key, TokenCache())


# --- results ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AtsJob:
    job_id: str
    name: str


@dataclass(frozen=True)
class AtsCandidate:
    candidate_id: str
    name: str
    flow_id: str
    stat_id: str = ""


@dataclass(frozen=True)
class AtsCandidateList:
    candidates: list[AtsCandidate]
    flows_scanned: int
    truncated: bool  # more flows or candidates than the limits allowed


@dataclass(frozen=True)
class AtsResume:
    resume_id: str
    data: dict | None  # the structured resume (resumeData), when DingTalk has one
    file_url: str | None  # resumeFile.downloadUrl
    file_name: str
    file_type: str


async def _read_bounded(resp: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The body, or None when it is longer than ``limit`` bytes (the rest is not read)."""
    buf = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        buf += chunk
        if len(buf) > limit:
            return None
    return bytes(buf)


# --- client -----------------------------------------------------------------------------------------------------------
class DingTalkClient:
    """One DingTalk app. Open with ``async with DingTalkClient.connect(settings) as dt:`` (one HTTP session)."""

    def __init__(self, config: DingTalkConfig, http: aiohttp.ClientSession, tokens: TokenCache | None = None):
        self.config = config
        self.http = http
        self.tokens = tokens or TokenCache()

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, settings: Settings) -> AsyncIterator[DingTalkClient]:
        config = DingTalkConfig.from_settings(settings)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=config.timeout_s)) as http:
            yield cls(config, http, shared_tokens(config))

    # tokens
    async def access_token(self, kind: str = "new", stale: str | None = None) -> str:
        return await self.tokens.get(kind, lambda: self._fetch_token(kind), stale)

    async def _fetch_token(self, kind: str) -> tuple[str, float]:
        c = self.config
        if kind == "new":
            data = await self._send("new", "POST", c.api_base + TOKEN_PATH, json={"appKey": c.app_key,
                                                                                  "appSecret": c.app_secret})
            token, lifetime = data.get("accessToken"), data.get("expireIn")
        else:
            data = await self._send("legacy", "GET", c.oapi_base + LEGACY_TOKEN_PATH,
                                    params={"appkey": c.app_key, "appsecret": c.app_secret})
            token, lifetime = data.get("access_token"), data.get("expires_in")
        if not token:
            raise DingTalkError("bad_response", "the token answer has no token")
        log.info("dingtalk_token_refreshed", kind=kind, expires_in=lifetime)
        return str(token), float(lifetime or 7200)

    # one HTTP exchange, its answer classified
    async def _send(self, api: str, method: str, url: str, *, params: dict | None = None, json: Any = None,
                    headers: dict | None = None) -> dict:
        try:
            async with self.http.request(method, url, params=params, json=json, headers=headers) as resp:
                raw = await _read_bounded(resp, MAX_ANSWER_BYTES)
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            # no query strings in the message (they hold the app secret or a token), nor the secret itself
            text = re.sub(r"\?\S*", "", f"{type(exc).__name__}: {exc}").replace(self.config.app_secret, "***")
            raise DingTalkUnavailable("network", f"DingTalk could not be reached ({text})") from exc
        if raw is None:
            raise DingTalkError("bad_response", f"the answer is larger than {MAX_ANSWER_BYTES} bytes", status=status)
        return _classify(api, status, raw)

    async def _authorized(self, api: str, method: str, path: str, *, params: dict | None = None,
                          json: Any = None) -> dict:
        """One call with the current token; an invalid/expired-token answer refreshes the token once and repeats."""
        kind = "new" if api == "new" else "legacy"
        base = self.config.api_base if api == "new" else self.config.oapi_base
        token = await self.access_token(kind)
        for final in (False, True):
            query, headers = dict(params or {}), {}
            if api == "new":
                headers[TOKEN_HEADER] = token
            else:
                query["access_token"] = token
            try:
                return await self._send(api, method, base + path, params=query, json=json, headers=headers)
            except DingTalkTokenError:
                if final:
                    raise
                log.info("dingtalk_token_rejected", kind=kind, path=path)
                token = await self.access_token(kind, stale=token)
        raise AssertionError("unreachable")

    def _retrying(self, retryable: type[BaseException] | tuple[type[BaseException], ...]) -> AsyncRetrying:
        """The retry policy of every call to DingTalk: bounded tries, exponential backoff with jitter."""
        c = self.config
        return AsyncRetrying(stop=stop_after_attempt(c.max_attempts), reraise=True,
                             wait=wait_exponential_jitter(initial=c.retry_initial_s, max=30, jitter=c.retry_initial_s),
                             retry=retry_if_exception_type(retryable))

    async def call(self, api: str, method: str, path: str, *, params: dict | None = None, json: Any = None,
                   on_attempt: Callable[[int], Awaitable[None]] | None = None) -> dict:
        """A call retried on rate limits and transient failures (exponential backoff with jitter, bounded tries)."""
        async for attempt in self._retrying(RETRYABLE):
            with attempt:
                if on_attempt:
                    await on_attempt(attempt.retry_state.attempt_number)
                try:
                    return await self._authorized(api, method, path, params=params, json=json)
                except RETRYABLE as exc:
                    log.warning("dingtalk_retry", path=path, attempt=attempt.retry_state.attempt_number,
                                error=str(exc))
                    raise
        raise AssertionError("unreachable")

    # work notices
    async def send_work_notice(self, userid: str, msg: dict,
                               on_attempt: Callable[[int], Awaitable[None]] | None = None) -> int | None:
        """Send one work notice to one user; returns DingTalk's task_id.

        DingTalk drops (while answering success) a second notice with the same content to the same user on the same
        day, so callers must not resend what was sent: the invitation's state says whether it was.
        """
        body = {"agent_id": self.config.agent_id, "userid_list": userid, "msg": msg}
        data = await self.call("legacy", "POST", WORK_NOTICE_PATH, json=body, on_attempt=on_attempt)
        return data.get("task_id")

    # recruiting (ATS)
    async def push_ats_data(self, plugin_code: str, schema_id: str, out_id: str, content: dict,
                            on_attempt: Callable[[int], Awaitable[None]] | None = None) -> str:
        """Write one record into the recruiting system through the ISV data push ("智能招聘ISV回流数据接口"); returns
        DingTalk's data id.

        ``plugin_code`` and ``schema_id`` are agreed with DingTalk when the integration is set up (they say which
        record type ``content`` fills); ``out_id`` is the caller's unique id of the record, so a repeat with the same
        ``out_id`` is the same record. The answer nests a second error code inside ``result``: it is classified like
        the outer one."""
        body = {"biz_code": ATS_BIZ_CODE, "header": {"plugin_code": plugin_code, "schema_id": schema_id},
                "out_id": out_id, "content": jsonlib.dumps(content, ensure_ascii=False, separators=(",", ":"))}
        async for attempt in self._retrying(RETRYABLE):
            with attempt:
                if on_attempt:
                    await on_attempt(attempt.retry_state.attempt_number)
                try:
                    data = await self._authorized("legacy", "POST", ATS_PLUGIN_PUSH_PATH, json=body)
                    result = data.get("result")
                    if not isinstance(result, dict):
                        raise DingTalkError("bad_response", "the data push answer has no result")
                    if str(result.get("errcode", 0)) != "0":  # the inner error, classified as an outer one
                        _classify("legacy", 200, jsonlib.dumps({
                            "errcode": result.get("errcode"), "errmsg": result.get("errmsg"),
                            "request_id": data.get("request_id")}).encode())
                    return str(result.get("result") or "")
                except RETRYABLE as exc:
                    log.warning("dingtalk_retry", path=ATS_PLUGIN_PUSH_PATH,
                                attempt=attempt.retry_state.attempt_number, error=str(exc))
                    raise
        raise AssertionError("unreachable")

    def _operator(self) -> str:
        if not self.config.operator_userid:
            raise DingTalkNotConfigured("the ATS calls need INTERVIEW_DINGTALK_OPERATOR_USERID (opUserId)")
        return self.config.operator_userid

    async def job_info(self, job_id: str) -> AtsJob:
        data = await self.call("new", "GET", ATS_JOB_INFO_PATH.format(job_id=quote(job_id, safe="")))
        return AtsJob(job_id=str(data.get("jobId") or job_id), name=str(data.get("name") or ""))

    async def job_candidates(self, job_id: str, since_ms: int, until_ms: int, max_flows: int = 2000,
                             max_candidates: int = 500, concurrency: int = 4) -> AtsCandidateList:
        """The candidates of one ATS job: the application flows changed in [since, until], filtered by job.

        DingTalk lists flows of all jobs (paged by cursor) and tells a flow's job and candidate only in the flow's own
        record, so every flow in the window is read (``concurrency`` at a time, each call rate-limit aware).
        """
        operator = self._operator()
        flow_ids: list[str] = []
        cursor: str | None = None
        truncated = False
        while True:
            body: dict[str, Any] = {"minModifyTimeMills": since_ms, "maxModifyTimeMills": until_ms,
                                    "size": FLOW_PAGE_SIZE}
            if cursor:
                body["cursor"] = cursor
            page = await self.call("new", "POST", ATS_FLOW_SEARCH_PATH, params={"opUserId": operator}, json=body)
            flow_ids += [str(f) for f in page.get("list") or []]
            cursor = page.get("nextCursor")
            if len(flow_ids) >= max_flows:
                truncated = bool(page.get("hasMore")) or len(flow_ids) > max_flows
                flow_ids = flow_ids[:max_flows]
                break
            if not page.get("hasMore") or not cursor:
                break
        gate = asyncio.Semaphore(concurrency)

        async def flow(flow_id: str) -> dict:
            async with gate:
                return await self.call("new", "GET", ATS_FLOW_INFO_PATH.format(flow_id=quote(flow_id, safe="")))

        try:  # the first failure (after its retries) stops the other reads
            async with asyncio.TaskGroup() as tg:
                reads = [tg.create_task(flow(f)) for f in flow_ids]
        except BaseExceptionGroup as group:
            raise group.exceptions[0] from None
        flows = [r.result() for r in reads]
        seen: dict[str, AtsCandidate] = {}
        for info in flows:
            cid = str(info.get("candidateId") or "")
            if str(info.get("jobId") or "") != job_id or not cid or cid in seen:
                continue
            if len(seen) >= max_candidates:
                truncated = True
                break
            seen[cid] = AtsCandidate(candidate_id=cid, name=str(info.get("candidateName") or ""),
                                     flow_id=str(info.get("flowId") or ""), stat_id=str(info.get("statId") or ""))
        return AtsCandidateList(list(seen.values()), len(flow_ids), truncated)

    async def interviews(self, candidate_id: str, start_ms: int, end_ms: int, max_pages: int = 20) -> list[dict]:
        """A candidate's ATS interviews that start in [start, end] (paged with nextToken)."""
        out: list[dict] = []
        token: str | None = None
        for _ in range(max_pages):
            params: dict[str, Any] = {"bizCode": ATS_BIZ_CODE, "size": INTERVIEW_PAGE_SIZE}
            if token:
                params["nextToken"] = token
            page = await self.call("new", "POST", ATS_INTERVIEWS_PATH, params=params, json={
                "candidateId": candidate_id, "startTimeBeginMillis": start_ms, "startTimeEndMillis": end_ms})
            out += list(page.get("list") or [])
            token = page.get("nextToken")
            if not page.get("hasMore") or not token:
                break
        return out

    async def resume(self, candidate_id: str, job_id: str) -> AtsResume:
        data = await self.call("new", "POST", ATS_RESUME_PATH, params={"opUserId": self._operator()},
                               json={"candidateId": candidate_id, "jobId": job_id})
        f = data.get("resumeFile") or {}
        return AtsResume(resume_id=str(data.get("resumeId") or ""), data=data.get("resumeData") or None,
                         file_url=f.get("downloadUrl") or None, file_name=str(f.get("fileName") or ""),
                         file_type=str(f.get("fileType") or ""))

    async def download(self, url: str, max_bytes: int) -> bytes | None:
        """A resume file from the (pre-signed) download URL DingTalk gave; None when it is larger than ``max_bytes``."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise DingTalkError("bad_response", "the resume download URL is not http(s)")
        async for attempt in self._retrying(DingTalkUnavailable):
            with attempt:
                try:
                    async with self.http.get(url) as resp:
                        if resp.status >= 500 or resp.status == 429:
                            raise DingTalkUnavailable(f"HTTP{resp.status}", "the resume download failed")
                        if resp.status >= 400:
                            raise DingTalkError(f"HTTP{resp.status}", "the resume file could not be downloaded")
                        return await _read_bounded(resp, max_bytes)
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                    raise DingTalkUnavailable("network", f"the resume download failed ({type(exc).__name__})") from exc
        raise AssertionError("unreachable")


def _classify(api: str, status: int, raw: bytes) -> dict:
    """The answer's JSON, or the typed error it stands for."""
    try:
        data = jsonlib.loads(raw) if raw else {}
    except ValueError:
        data = None
    if not isinstance(data, dict):
        if status >= 500 or status == 429:
            raise DingTalkUnavailable(f"HTTP{status}", "DingTalk answered with an error page", status=status)
        # DingTalk's IP-level throttle answers with an HTML page (5 minutes ban): retrying soon does not help.
        raise DingTalkError("bad_response", f"DingTalk answered HTTP {status} without JSON "
                            "(possibly this server's IP is throttled)", status=status)
    if data.get("punish") == "deny":
        raise DingTalkError("ip_throttled", "DingTalk blocks this server's IP for a few minutes (too many calls)",
                            status=status)
    if api == "legacy":
        errcode = data.get("errcode", 0 if status < 400 else f"HTTP{status}")
        if str(errcode) == "0" and status < 400:
            return data
        code = str(errcode)
        reason = str(data.get("sub_code") or "") if code == "88" and data.get("sub_code") else code
        message = str(data.get("sub_msg") or data.get("errmsg") or "")
        rid = str(data.get("request_id") or "")
        if reason in LEGACY_TOKEN_ERRORS:
            raise DingTalkTokenError(reason, message, rid, status)
        if reason in CREDENTIAL_ERRORS:
            raise DingTalkAuthError(reason, message, rid, status)
        if reason in LEGACY_RATE_LIMITS or code in LEGACY_RATE_LIMITS:
            raise DingTalkRateLimited(reason, message, rid, status)
        if code == LEGACY_BUSY or status >= 500:
            raise DingTalkUnavailable(reason, message or "system busy", rid, status)
        raise DingTalkError(reason, message, rid, status)
    if 200 <= status < 300:
        return data
    code = str(data.get("code") or f"HTTP{status}")
    message = str(data.get("message") or "")
    rid = str(data.get("requestid") or data.get("requestId") or "")
    if code in NEW_TOKEN_ERRORS:
        raise DingTalkTokenError(code, message, rid, status)
    if code in CREDENTIAL_ERRORS:
        raise DingTalkAuthError(code, message, rid, status)
    if status == 429 or code in NEW_RATE_LIMITS:
        raise DingTalkRateLimited(code, message, rid, status)
    if status >= 500:
        raise DingTalkUnavailable(code, message, rid, status)
    raise DingTalkError(code, message, rid, status)


# --- the structured resume as text (for the resume parser, when DingTalk has no file) --------------------------------
def resume_text(resume: dict) -> str:
    """Lay out a ``resumeData`` record (DingTalk's documented resume structure) as a plain-text resume."""
    base = resume.get("baseInfo") or {}
    lines = [str(base.get("name") or "")]
    contact = [str(base[k]) for k in ("phoneNum", "email", "nowLocation") if base.get(k)]
    if contact:
        lines.append("  ".join(contact))
    if base.get("workingYears"):
        lines.append(f"{base['workingYears']} years of experience")
    if base.get("selfEvaluation"):
        lines += ["", str(base["selfEvaluation"])]

    def month(d: Any) -> str:  # DingTalk writes yyyy-MM-dd; resumes (and the parser) use year.month
        d = str(d or "")
        return d[:7].replace("-", ".") if len(d) >= 7 and d[4] == "-" else d

    def span(e: dict) -> str:
        return f"{month(e.get('startDate'))} - {month(e.get('endDate')) or 'present'}"

    if resume.get("workExperiences"):
        lines += ["", "Work experience"]
        for w in resume["workExperiences"]:
            lines.append(f"{span(w)}  {w.get('companyName') or ''}  {w.get('jobTitle') or ''}".rstrip())
            lines += [str(w[k]) for k in ("description", "responsibility") if w.get(k)]
    if resume.get("educationExperiences"):
        lines += ["", "Education"]
        for e in resume["educationExperiences"]:
            lines.append(f"{span(e)}  {e.get('schoolName') or ''}  {e.get('major') or ''}".rstrip())
    if resume.get("certificates"):
        lines += ["", "Certificates"] + [str(c.get("certificateName") or "") for c in resume["certificates"]]
    if resume.get("languageSkill"):
        lines += ["", "Languages"] + [" ".join(str(v) for v in (s.get("languageName"), s.get("certificateName")) if v)
                                      for s in resume["languageSkill"]]
    return "\n".join(lines).strip() + "\n"
