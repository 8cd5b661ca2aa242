"""The OpenAPI 3.1 document, generated from the routes' pydantic models (never edited by hand).

Handlers register with ``api.route(...)``, naming their request and response models; the same models validate
requests at run time, so the document cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from aiohttp import web
from pydantic import BaseModel

API_VERSION = "1.0.0"


@dataclass(frozen=True)
class RouteDoc:
    method: str
    path: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    auth: str
    query: tuple[str, ...]
    errors: tuple[int, ...]


class ApiRoutes:
    def __init__(self) -> None:
        self.table = web.RouteTableDef()
        self.docs: list[RouteDoc] = []

    def route(
        self,
        method: str,
        path: str,
        summary: str,
        tag: str,
        body: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        auth: str = "none",
        query: tuple[str, ...] = (),
        errors: tuple[int, ...] = (),
    ) -> Callable:
        def register(handler: Callable) -> Callable:
            self.table.route(method, path)(handler)
            self.docs.append(RouteDoc(method.lower(), path, summary, tag, body, response, status, auth, query, errors))
            return handler

        return register


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


def build_document(routes: list[RouteDoc]) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}

    def ref(model: type[BaseModel]) -> dict:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            schemas[name] = sub
        schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    paths: dict[str, Any] = {}
    for r in routes:
        op: dict[str, Any] = {"summary": r.summary, "tags": [r.tag], "operationId": f"{r.method}_{r.path}"}
        if r.auth == "session":
            op["security"] = [{"session": []}]
        params = [{"name": p.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}}
                  for p in r.path.split("/") if p.startswith("{")]
        params += [{"name": q, "in": "query", "required": True, "schema": {"type": "string"}} for q in r.query]
        if params:
            op["parameters"] = params
        if r.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(r.body)}}}
        ok: dict[str, Any] = {"description": "OK"}
        if r.response is not None:
            ok["content"] = {"application/json": {"schema": ref(r.response)}}
        op["responses"] = {str(r.status): ok}
        for code in sorted(set(r.errors) | {400, 500}):
            op["responses"][str(code)] = {
                "description": "Error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        paths.setdefault(r.path, {})[r.method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Live AI interview server", "version": API_VERSION,
                 "description": "HTTP API v1. WebSocket messages are described in docs/API.md."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "interview_session"}},
        },
    }
