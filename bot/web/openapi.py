"""The OpenAPI 3.0 description of the staff API, written from its route table."""

from __future__ import annotations

from typing import Any

STATUS_TEXT = {
    400: "The request was refused: see `error`",
    401: "Not signed in",
    403: "Not allowed, or the CSRF token is missing or wrong",
    404: "No such ticket",
    409: "The ticket was claimed by someone else or is closed",
    429: "Too many sign-in attempts",
}

_TICKET = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "conversation_id": {"type": "string"},
        "channel": {"type": "string"},
        "topic": {"type": "string"},
        "reason": {"type": "string"},
        "priority": {"type": "string", "enum": ["urgent", "normal"]},
        "status": {"type": "string", "enum": ["waiting", "claimed", "resolved", "cancelled"]},
        "contact": {"type": "string", "nullable": True},
        "created_at": {"type": "string", "format": "date-time"},
        "wait_seconds": {"type": "integer"},
        "wait_text": {"type": "string"},
        "claimed_by": {"type": "string", "nullable": True},
        "claimed_by_id": {"type": "integer", "nullable": True},
        "outcome": {"type": "string", "nullable": True},
    },
}

SCHEMAS: dict[str, Any] = {
    "Ticket": _TICKET,
    "Message": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "author_kind": {
                "type": "string",
                "enum": ["resident", "bot", "staff", "note", "event"],
            },
            "author": {"type": "string", "nullable": True},
            "text": {"type": "string"},
            "intent": {"type": "string", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "TicketDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/Ticket"},
            {
                "type": "object",
                "properties": {
                    "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}
                },
            },
        ]
    },
    "TicketList": {
        "type": "object",
        "properties": {
            "tickets": {"type": "array", "items": {"$ref": "#/components/schemas/Ticket"}}
        },
    },
    "StaffList": {
        "type": "object",
        "properties": {
            "staff": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "username": {"type": "string"},
                        "role": {"type": "string", "enum": ["advisor", "supervisor"]},
                    },
                },
            }
        },
    },
    "Session": {
        "type": "object",
        "properties": {"csrf_token": {"type": "string"}, "staff_id": {"type": "integer"}},
    },
    "CsrfToken": {"type": "object", "properties": {"csrf_token": {"type": "string"}}},
    "OpenApi": {"type": "object"},
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
}


def _operation(route: Any) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    if route.response:
        responses["200"] = {
            "description": "OK",
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{route.response}"}}
            },
        }
    else:
        responses["204"] = {"description": "Done"}
    for status in route.errors:
        responses[str(status)] = {
            "description": STATUS_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    operation: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "responses": responses,
    }
    if "{ticket_id}" in route.path:
        operation["parameters"] = [
            {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ]
    if route.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": route.body}},
        }
    if route.public:
        operation["security"] = [] if route.method == "GET" else [{"csrfHeader": []}]
    elif route.method != "GET":
        operation["security"] = [{"sessionCookie": [], "csrfHeader": []}]
    return operation


def openapi_document(routes: Any, prefix: str) -> dict[str, Any]:
    """An OpenAPI 3.0.3 document for `routes` served under `prefix`."""
    paths: dict[str, Any] = {}
    for route in routes:
        paths.setdefault(prefix + route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Staff handoff queue API",
            "version": "1.0.0",
            "description": (
                "Claim, read, answer and resolve conversations handed to staff. Sign in with "
                "POST /session (after GET /session/csrf); send the returned csrf_token as "
                "X-CSRF-Token on every request that changes something."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "staff_session"},
                "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
        "security": [{"sessionCookie": []}],
    }
