"""One error shape for every client: ``{"error": {"code", "message"}}``; never a stack trace."""

from __future__ import annotations

import json

import sqlalchemy.exc
import structlog
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from pydantic import BaseModel, ValidationError

from server.http.access_log import masked_target

log = structlog.get_logger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: list | None = None, *,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = headers  # e.g. Retry-After on a 429


def error_response(status: int, code: str, message: str, details: list | None = None,
                   headers: dict[str, str] | None = None) -> web.Response:
    body: dict = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return web.json_response(body, status=status, headers=headers)


def validation_details(exc: ValidationError) -> list[dict]:
    return [
        {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]}
        for e in exc.errors(include_url=False, include_input=False)
    ]


async def parse_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    raw = await request.read()
    if not raw:
        raise ApiError(400, "empty_body", "The request needs a JSON body.")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        details = validation_details(exc)
        if any(d["message"].startswith("Invalid JSON") for d in details):
            raise ApiError(400, "bad_json", "The body is not valid JSON.") from exc
        fields = ", ".join(d["field"] for d in details)
        raise ApiError(422, "invalid_request", f"Invalid or missing fields: {fields}", details) from exc


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)
    except web.HTTPRequestEntityTooLarge:
        return error_response(413, "too_large", "The request body is too large.")
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith(("/api/", "/ws/")):
            raise
        code = exc.reason.lower().replace(" ", "_")
        return error_response(exc.status, code, exc.reason)
    except HttpProcessingError as exc:  # e.g. a multipart part aiohttp cannot read (a control character in its headers)
        if not 400 <= (exc.code or 0) < 500:
            raise
        log.warning("bad_request", path=masked_target(request), error=str(exc))
        return error_response(exc.code, "bad_request", "The request could not be read.")
    except sqlalchemy.exc.TimeoutError:  # every database connection stayed busy for the pool's timeout
        log.warning("database_busy", path=masked_target(request))
        return error_response(503, "server_busy", "The server is busy right now; try again in a moment.",
                              headers={"Retry-After": "2"})
    except (ValueError, json.JSONDecodeError) as exc:
        log.warning("bad_request", path=masked_target(request), error=str(exc))
        return error_response(400, "bad_request", "The request could not be read.")
    except Exception:
        log.exception("unhandled_error", path=masked_target(request))
        return error_response(500, "internal_error", "Something went wrong on the server; nothing was lost.")
