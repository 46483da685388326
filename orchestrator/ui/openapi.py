"""The JSON API's OpenAPI 3 document, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

__all__ = ["openapi_document"]

_RUN_ID = {"name": "run_id", "in": "path", "required": True, "schema": {"type": "string"}}
_ERROR = {"description": "What was wrong", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_NOT_FOUND = {"description": "No such run or job", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def openapi_document() -> dict[str, Any]:
    """The API's paths, parameters and answers (every answer is JSON but the event stream)."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "orchestrator UI API", "version": "1",
                 "description": "Runs, jobs, assets and schedules of an orchestrator instance. With ORCH_UI_TOKEN set, "
                                "send `Authorization: Bearer <token>`."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "properties": {
                    "error": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {
                        "path": {"type": "string", "description": "dotted config path, e.g. ops.load.config.n"},
                        "message": {"type": "string"}}}}}},
                "RunRow": {"type": "object", "properties": {
                    "run_id": {"type": "string"}, "job_name": {"type": "string"}, "status": {"type": "string"},
                    "created_at": {"type": "number"}, "started_at": {"type": "number", "nullable": True},
                    "ended_at": {"type": "number", "nullable": True}, "duration": {"type": "number", "nullable": True},
                    "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                    "partition_key": {"type": "string", "nullable": True}}},
                "RunsPage": {"type": "object", "properties": {
                    "runs": {"type": "array", "items": {"$ref": "#/components/schemas/RunRow"}},
                    "page": {"type": "integer"}, "limit": {"type": "integer"}, "has_more": {"type": "boolean"},
                    "total": {"type": "integer", "description": "every run stored"}}},
                "Step": {"type": "object", "properties": {
                    "key": {"type": "string"}, "status": {"type": "string"}, "worker": {"type": "string", "nullable": True},
                    "attempts": {"type": "integer"}, "duration": {"type": "number", "nullable": True},
                    "queued": {"type": "number", "nullable": True}, "started": {"type": "number", "nullable": True},
                    "ended": {"type": "number", "nullable": True}, "task_id": {"type": "string", "nullable": True},
                    "flower_url": {"type": "string", "nullable": True}}},
                "Run": {"allOf": [{"$ref": "#/components/schemas/RunRow"}, {"type": "object", "properties": {
                    "run_config": {"type": "object"}, "reason": {"type": "string", "nullable": True},
                    "steps": {"type": "array", "items": {"$ref": "#/components/schemas/Step"}},
                    "events": {"type": "array", "items": {"type": "object"}}}}]},
                "Launch": {"type": "object", "properties": {
                    "run_config": {"type": "object"},
                    "run_config_yaml": {"type": "string", "description": "instead of run_config: YAML text"},
                    "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                    "partition_key": {"type": "string"}}},
                "RunId": {"type": "object", "properties": {"run_id": {"type": "string"}}},
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/runs": {"get": {
                "summary": "Runs, newest first",
                "parameters": [
                    {"name": "status", "in": "query", "schema": {"type": "string"}, "description": "e.g. SUCCESS"},
                    {"name": "job", "in": "query", "schema": {"type": "string"}},
                    {"name": "tag", "in": "query", "schema": {"type": "string"}, "description": "KEY=VALUE"},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}],
                "responses": {"200": _json("RunsPage", "A page of runs"), "400": _ERROR}}},
            "/api/runs/{run_id}": {"get": {
                "summary": "A run with its steps and events", "parameters": [_RUN_ID],
                "responses": {"200": _json("Run", "The run"), "404": _NOT_FOUND}}},
            "/api/runs/{run_id}/events": {"get": {
                "summary": "The run's events as server-sent events: stored ones, then live ones, then `end`",
                "parameters": [_RUN_ID, {"name": "Last-Event-ID", "in": "header", "schema": {"type": "string"}},
                               {"name": "after", "in": "query", "schema": {"type": "string"},
                                "description": "send only the events after this event id"}],
                "responses": {"200": {"description": "`event: run_event` per event (JSON data), `event: end` last",
                                      "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                              "404": _NOT_FOUND}}},
            "/api/runs/{run_id}/cancel": {"post": {
                "summary": "Cancel a run", "parameters": [_RUN_ID],
                "responses": {"200": {"description": "`canceled` is false when it had already finished",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "404": _NOT_FOUND}}},
            "/api/runs/{run_id}/reexecute": {"post": {
                "summary": "Re-execute a run from its failure (body `{\"from_failure\": false}`: every step)",
                "parameters": [_RUN_ID],
                "responses": {"200": _json("RunId", "The new run"), "400": _ERROR, "404": _NOT_FOUND}}},
            "/api/jobs": {"get": {"summary": "Jobs of the code location, with their ops and partitions",
                                  "responses": {"200": {"description": "jobs",
                                                        "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/jobs/{job_name}/runs": {"post": {
                "summary": "Launch a run (the config is checked first: nothing is enqueued when it is wrong)",
                "parameters": [{"name": "job_name", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Launch"}}}},
                "responses": {"200": _json("RunId", "The run started"), "400": _ERROR, "404": _NOT_FOUND}}},
            "/api/assets": {"get": {"summary": "Assets, their upstream assets and last materialization",
                                    "responses": {"200": {"description": "assets",
                                                          "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/schedules": {"get": {"summary": "Schedules and sensors: status, next tick, recent ticks",
                                       "responses": {"200": {"description": "schedules and sensors",
                                                             "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/{kind}s/{name}/{action}": {"post": {
                "summary": "Start or stop a schedule or sensor",
                "parameters": [
                    {"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": ["schedule", "sensor"]}},
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "action", "in": "path", "required": True, "schema": {"type": "string", "enum": ["start", "stop"]}}],
                "responses": {"200": {"description": "its new state",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "404": _NOT_FOUND}}},
        },
    }
