//! The OpenAPI 3 document of the endpoints this server has. A test checks that every route
//! of the router is described here and every path described here is routed.

use axum::Json;
use serde_json::{Value, json};

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn json_ok(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "type": "object" } } } })
}

/// The document.
pub fn spec() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "motcua API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "One-stop administrative procedure system. Public endpoints only in this version."
        },
        "paths": {
            "/healthz": { "get": { "summary": "Liveness", "responses": { "200": { "description": "ok" } } } },
            "/readyz": { "get": { "summary": "Readiness (database reachable)", "responses": {
                "200": { "description": "ready" }, "503": { "description": "database unavailable" } } } },
            "/api/v1/openapi.json": { "get": { "summary": "This document", "responses": { "200": json_ok("OpenAPI 3 document") } } },
            "/api/v1/agencies": { "get": {
                "summary": "Agencies, optionally by level",
                "parameters": [{ "name": "level", "in": "query", "schema": { "type": "string", "enum": ["province", "district", "commune"] } }],
                "responses": { "200": json_ok("{ agencies: [...] }"), "400": error_response("invalid_level") } } },
            "/api/v1/procedures": { "get": {
                "summary": "Procedures (newest version of each), searched by name without diacritics",
                "parameters": [
                    { "name": "q", "in": "query", "schema": { "type": "string" } },
                    { "name": "field", "in": "query", "schema": { "type": "string" } },
                    { "name": "level", "in": "query", "schema": { "type": "string" } }
                ],
                "responses": { "200": json_ok("{ procedures: [...] }") } } },
            "/api/v1/procedures/{code}": { "get": {
                "summary": "Every catalogue field of a procedure",
                "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": { "200": json_ok("catalogue, components, steps"), "404": error_response("not_found") } } },
            "/api/v1/lookup/{code}": { "get": {
                "summary": "Public lookup by dossier code: status, national status code, appointment, current step; no personal data",
                "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string", "example": "000.00.04.H53-260302-0001" } }],
                "responses": { "200": json_ok("status"), "400": error_response("invalid_code"), "404": error_response("not_found") } } },
            "/api/v1/calendar/{year}": { "get": {
                "summary": "Non-working and make-up working days of a year, with sources and confirmed/proposed status",
                "parameters": [{ "name": "year", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "responses": { "200": json_ok("year report"), "400": error_response("invalid_year, year_out_of_range") } } },
            "/api/v1/deadline": { "get": {
                "summary": "Due instant of a time limit (same semantics as `motcua deadline`)",
                "parameters": [
                    { "name": "from", "in": "query", "required": true, "schema": { "type": "string", "format": "date-time" } },
                    { "name": "add", "in": "query", "required": true, "schema": { "type": "string", "example": "15wd" } },
                    { "name": "cutoff", "in": "query", "schema": { "type": "string", "example": "15:00" } }
                ],
                "responses": { "200": json_ok("{ due, counting_start, proposed_years }"),
                    "400": error_response("invalid_query, invalid_instant, invalid_duration, invalid_cutoff, out_of_range") } } }
        },
        "components": { "schemas": { "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": { "type": "string", "description": "stable snake_case code" },
                "message": { "type": "string", "description": "Vietnamese message for people" }
            }
        } } }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
