"""The OpenAPI 3.1 document, generated from the routes' pydantic models (never edited by hand).

Handlers register with ``api.route(...)``, naming their request and response models; the same models validate
requests at run time, so the document cannot drift from the code. Each operation also shows who may call it
(``x-caller``, ``x-roles``), the record the caller must be responsible for (``x-scope``, ``x-scope-from``) and the
personal-data read it records (``x-audited-read``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from pydantic import BaseModel

from server.http.access import ROLES, SCOPE_PARAMS, Access, ReadAudit

API_VERSION = "1.0.0"


@dataclass(frozen=True)
class RouteDoc:
    summary: str
    tag: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    query: tuple[str, ...]  # required query parameters, as strings
    errors: tuple[int, ...]  # beyond those its access and audited read imply (401, 403, 410, 503)
    query_model: type[BaseModel] | None = None  # optional query parameters: the model the handler validates with


@dataclass(frozen=True)
class Route:
    """A registered route: its handler, who may call it, the read it records, and its entry in the document (none
    for HTML pages, WebSocket streams and the document itself)."""

    method: str
    path: str
    handler: Callable
    access: Access
    reads: ReadAudit | None
    doc: RouteDoc | None


class ApiRoutes:
    """Every route of the server. Registration requires its ``access`` (and ``reads`` when it shows candidates'
    personal data); the app wraps each handler in the guard that enforces them (server/http/routes/guard.py)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def route(
        self,
        method: str,
        path: str,
        summary: str,
        tag: str,
        *,
        access: Access,
        reads: ReadAudit | None = None,
        body: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        query: tuple[str, ...] = (),
        errors: tuple[int, ...] = (),
        query_model: type[BaseModel] | None = None,
    ) -> Callable:
        return self._register(method, path, access, reads, RouteDoc(summary, tag, body, response, status, query,
                                                                    errors, query_model))

    def undocumented(self, method: str, path: str, *, access: Access, reads: ReadAudit | None = None) -> Callable:
        """A route outside the OpenAPI document: an HTML page, a WebSocket stream (docs/API.md describes those)."""
        return self._register(method, path, access, reads, None)

    def _register(self, method: str, path: str, access: Access, reads: ReadAudit | None,
                  doc: RouteDoc | None) -> Callable:
        if not isinstance(access, Access):
            raise TypeError(f"{method} {path}: access must be declared (PUBLIC, CANDIDATE_LINK, ANY_USER or users())")
        _check_scope(method, path, access)
        if reads is not None:
            if access.caller != "user":
                raise ValueError(f"{method} {path}: an audited read needs a logged-in user to record")
            if reads.path_param is not None and "{" + reads.path_param + "}" not in path:
                raise ValueError(f"{method} {path}: the audited {reads.subject} is not in the path")

        def register(handler: Callable) -> Callable:
            self.routes.append(Route(method.lower(), path, handler, access, reads, doc))
            return handler

        return register


def _check_scope(method: str, path: str, access: Access) -> None:
    """A user's route whose path names a job, interview, import or candidate must be scoped to one of them (so no
    route reaches a record its caller is not responsible for by forgetting to say so)."""
    if access.caller != "user":
        return
    named = [p.strip("{}") for p in path.split("/") if p.strip("{}") in SCOPE_PARAMS.values()]
    if named and (access.scope_from != "path" or access.scope_param not in named):
        raise ValueError(f"{method} {path}: the path names {', '.join(named)}; declare the scope the caller must be "
                         "responsible for (users(..., scope=...))")
    if access.scope_from == "path" and access.scope_param and access.scope_param not in named:
        raise ValueError(f"{method} {path}: the scoped {access.scope} is not in the path")


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "array"}},
            "required": ["code", "message"],
        }
    },
}


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """A query model's fields as OpenAPI parameters (a list field: the parameter repeated, ``?a=1&a=2``)."""
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description := prop.pop("description", None):
            param["description"] = description
        if prop.get("type") == "array":
            param.update(style="form", explode=True)
        out.append(param)
    return out


def build_document(routes: list[Route]) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}

    def ref(model: type[BaseModel]) -> dict:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            schemas[name] = sub
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    paths: dict[str, Any] = {}
    for r in routes:
        d = r.doc
        if d is None:
            continue
        op: dict[str, Any] = {"summary": d.summary, "tags": [d.tag], "operationId": f"{r.method}_{r.path}",
                              "x-caller": r.access.caller}
        errors = set(d.errors) | {400, 500}  # and those of its access and audit:
        if r.method in ("post", "put", "patch", "delete"):
            errors |= {403, 415}  # foreign_origin, unsupported_media_type (server/http/request_origin.py)
        if r.access.caller == "candidate_link":
            errors |= {403, 410}  # invalid_link, link_expired
        if r.access.caller == "user":
            op["security"] = [{"session": []}]
            op["x-roles"] = sorted(r.access.roles or ROLES)
            errors.add(401)
        if r.access.roles:
            errors.add(403)
        if r.access.scope is not None:
            op["x-scope"] = r.access.scope
            if r.access.scope_param:
                op["x-scope-from"] = r.access.scope_from
                errors.add(404)
        if r.reads is not None:
            op["x-audited-read"] = r.reads.action
            errors.add(503)
        params = [{"name": p.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}}
                  for p in r.path.split("/") if p.startswith("{")]
        params += [{"name": q, "in": "query", "required": True, "schema": {"type": "string"}} for q in d.query]
        if d.query_model is not None:
            params += query_parameters(d.query_model)
            errors.add(400)
        if params:
            op["parameters"] = params
        if d.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(d.body)}}}
        ok: dict[str, Any] = {"description": "OK"}
        if d.response is not None:
            ok["content"] = {"application/json": {"schema": ref(d.response)}}
        op["responses"] = {str(d.status): ok}
        for code in sorted(errors):
            op["responses"][str(code)] = {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        paths.setdefault(r.path, {})[r.method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Live AI interview server", "version": API_VERSION,
                 "description": "HTTP API v1. WebSocket messages are described in docs/API.md. x-roles: the roles "
                 "that may call an operation (403 for the others); x-scope: the record the caller must be "
                 "responsible for (job, interview, import or candidate, named by the path or the body; 404 "
                 "for the others, as for another organisation's) or 'listed' (the answer lists only what "
                 "the caller is responsible for). Admins: the whole organisation; recruiters and hiring "
                 "managers: the jobs assigned to them; observers: the interviews they were invited to."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "interview_session"}},
        },
    }
