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
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "motcua API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "One-stop administrative procedure system. Every path also exists under /t/{agency} (the tenant when the host name is not an agency's). Programs authenticate with a bearer token; browsers with the session cookie plus the X-CSRF-Token header on every change."
        },
        "servers": [
            { "url": "/" },
            { "url": "/t/{agency}", "description": "The site of one agency, when not reached by its host name",
              "variables": { "agency": { "default": "000.20.31.H53" } } }
        ],
        "paths": {
            "/healthz": { "get": { "summary": "Liveness", "responses": { "200": { "description": "ok" } } } },
            "/metrics": { "get": { "summary": "Prometheus metrics: requests and time spent, by method, route and status",
                "responses": { "200": { "description": "text exposition format" } } } },
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
                    { "name": "level", "in": "query", "schema": { "type": "string", "enum": ["province", "district", "commune"] } },
                    { "name": "agency", "in": "query", "description": "procedures the agency's level handles (default: the tenant)", "schema": { "type": "string" } },
                    { "name": "service_level", "in": "query", "description": "1-4 (Decree 43/2011) or full, partial, none (Decree 42/2022)", "schema": { "type": "string" } }
                ],
                "responses": { "200": json_ok("{ procedures: [...] }"), "400": error_response("unknown_agency, invalid_service_level") } } },
            "/api/v1/tenant": { "get": { "summary": "The agency of this site (host name or /t/{agency})",
                "responses": { "200": json_ok("{ agency }"), "404": error_response("no_tenant") } } },
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
        "security": [],
        "components": {
          "securitySchemes": {
            "bearer": { "type": "http", "scheme": "bearer" },
            "cookie": { "type": "apiKey", "in": "cookie", "name": "motcua_session",
                        "description": "Browser session from POST /api/v1/sessions with cookie: true; changes also need the X-CSRF-Token header" },
            "csrf": { "type": "apiKey", "in": "header", "name": "X-CSRF-Token" }
          },
          "schemas": { "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": { "type": "string", "description": "stable snake_case code" },
                "message": { "type": "string", "description": "Vietnamese message for people" }
            }
        } } }
    });
    let paths = doc["paths"].as_object_mut().expect("paths is an object");
    for (path, value) in authenticated() {
        paths.insert(path.to_string(), value);
    }
    // Request bodies, with the limits the server enforces.
    for (name, table) in crate::limits::TABLES {
        doc["components"]["schemas"][*name] = crate::limits::schema(table);
    }
    doc
}

/// A JSON request body whose schema (with every limit, see `limits.rs`) is `schema`.
fn body(schema: &str, description: &str, example: Value) -> Value {
    json!({ "required": true, "description": description,
            "content": { "application/json": {
                "schema": { "$ref": format!("#/components/schemas/{schema}") }, "example": example } } })
}

fn secured(mut op: Value) -> Value {
    op["security"] = json!([{ "bearer": [] }, { "cookie": [], "csrf": [] }]);
    let responses = op["responses"].as_object_mut().expect("responses");
    responses.insert("401".into(), error_response("unauthenticated"));
    responses.insert(
        "403".into(),
        error_response(
            "password_change_required, forbidden, csrf_token_missing, csrf_token_invalid (cookie sessions)",
        ),
    );
    op
}

fn path_param(name: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } })
}

/// Accounts, sessions and dossiers.
fn authenticated() -> Vec<(&'static str, Value)> {
    vec![
        (
            "/api/v1/accounts",
            json!({ "post": {
            "summary": "An applicant registers",
            "requestBody": body("Account", "id (3-64 of a-z 0-9 . _ -), name, password (10-128 characters, not guessable: see the weak_password message), email, phone",
                json!({ "id": "nguyenvanan", "name": "Nguyễn Văn An", "password": "mat-khau-dai-10" })),
            "responses": { "201": json_ok("{ id }"), "400": error_response("invalid_body, invalid_account_id, missing_name, weak_password"),
                "409": error_response("account_exists") } } }),
        ),
        (
            "/api/v1/sessions",
            json!({ "post": {
            "summary": "Log in for 12 hours: a bearer token, or with cookie: true a session cookie (HttpOnly, Secure, SameSite=Lax) and the CSRF token",
            "requestBody": body("Login", "id, password, cookie?", json!({ "id": "nguyenvanan", "password": "mat-khau-dai-10" })),
            "responses": { "201": json_ok("{ token | csrf_token, must_change_password, expires_in_hours }"),
                "401": error_response("wrong_credentials"),
                "429": error_response("too_many_attempts (held back after 5 failures of one account from one address, or 30 failures from one address; holds double from 30 s / 1 min up to 15 minutes)") } } }),
        ),
        (
            "/api/v1/sessions/current",
            json!({ "delete": secured(json!({
            "summary": "Log out", "responses": { "204": { "description": "logged out" } } })) }),
        ),
        (
            "/api/v1/me",
            json!({
            "get": secured(json!({
                "summary": "The logged-in account, its roles, and its CSRF token for a cookie session", "responses": { "200": json_ok("account") } })),
            "put": secured(json!({
                "summary": "Change one's name, email and phone",
                "requestBody": body("Profile", "name, email?, phone?", json!({ "name": "Nguyễn Văn An", "email": "an@example.vn", "phone": "0912345678" })),
                "responses": { "200": json_ok("profile"), "400": error_response("missing_name, invalid_email, invalid_phone") } })) }),
        ),
        (
            "/api/v1/me/password",
            json!({ "post": secured(json!({
            "summary": "Change the password (required at a staff member's first login); ends every session",
            "requestBody": body("PasswordChange", "current, new", json!({ "current": "…", "new": "…" })),
            "responses": { "204": { "description": "changed" }, "400": error_response("weak_password, same_password") } })) }),
        ),
        (
            "/api/v1/me/dossiers",
            json!({ "get": secured(json!({
            "summary": "The applicant's dossiers", "responses": { "200": json_ok("{ dossiers }") } })) }),
        ),
        (
            "/api/v1/queue",
            json!({ "get": secured(json!({
            "summary": "A staff queue, most urgent first (agency default: the tenant where the user works, else their first agency)",
            "parameters": [
                { "name": "agency", "in": "query", "schema": { "type": "string" } },
                { "name": "role", "in": "query", "schema": { "type": "string" } },
                { "name": "assignee", "in": "query", "schema": { "type": "string" } },
                { "name": "step", "in": "query", "schema": { "type": "string" } }
            ],
            "responses": { "200": json_ok("{ dossiers }") } })) }),
        ),
        (
            "/api/v1/search",
            json!({ "get": secured(json!({
            "summary": "Staff search dossiers by applicant name, ID number or code, ignoring diacritics and case, in the agencies they may read (or one of them)",
            "parameters": [
                { "name": "q", "in": "query", "required": true, "schema": { "type": "string", "minLength": 2, "maxLength": 100 } },
                { "name": "agency", "in": "query", "schema": { "type": "string" } }
            ],
            "responses": { "200": json_ok("{ dossiers }"), "400": error_response("invalid_query") } })) }),
        ),
        (
            "/api/v1/dossiers",
            json!({ "post": secured(json!({
            "summary": "Submit a dossier online (applicants), or register one received at the desk or by post (reception officers: channel direct|post, owner). JSON, or multipart with the JSON in a `dossier` part and one part `component:<component name>` per file (PDF, JPEG or PNG by their content, declared type matching; 10 MB per file, 25 MB and 20 files per request), stored in the submission's transaction",
            "requestBody": { "required": true, "content": {
                "application/json": { "schema": { "$ref": "#/components/schemas/Submit" }, "example":
                    json!({ "procedure": "HKD-DK-THANH-LAP", "agency": "000.20.31.H53",
                            "applicant": { "name": "Nguyễn Văn An", "id_number": "094092003456" } }) },
                "multipart/form-data": { "schema": { "type": "object",
                    "properties": { "dossier": { "type": "string", "description": "the JSON body" } },
                    "additionalProperties": { "type": "string", "format": "binary", "description": "component:<component name> parts" } } } } },
            "responses": { "201": json_ok("{ id, intake_due, version }"), "400": error_response("invalid_body, too_long, too_many_items, too_many_keys (the message names the field), too_many_files, invalid_channel, missing_agency, unknown_agency, unknown_procedure"),
                "413": error_response("too_large, file_too_large"), "415": error_response("unsupported_type, type_mismatch"), "422": error_response("engine refusal: missing_field, unknown_component, invalid_attachment, ...") } })) }),
        ),
        (
            "/api/v1/dossiers/{id}",
            json!({ "get": secured(json!({
            "summary": "A dossier and its timeline (its owner, staff of its agency, or supervisor, agency-leader or system-admin of an agency above)",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": { "200": json_ok("{ dossier, national_status, events }"), "404": error_response("not_found") } })) }),
        ),
        (
            "/api/v1/dossiers/{id}/commands",
            json!({ "post": secured(json!({
            "summary": "Any engine command (see docs/scenarios.md for commands and fields), as the logged-in user",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "requestBody": body("Command", "{ command, ...fields, expected_version? }", json!({ "command": "accept", "sequence": 0 })),
            "responses": { "200": json_ok("{ events, state, national_status, step, code, appointment, version }"),
                "404": error_response("not_found"), "409": error_response("conflict"),
                "422": error_response("the engine's refusal code: wrong_state, no_such_transition, denied_by_rule, ...") } })) }),
        ),
        (
            "/api/v1/dossiers/{id}/attachments",
            json!({ "post": secured(json!({
            "summary": "Commands with files (multipart: a `command` JSON part; PDF, JPEG or PNG by their content; 10 MB per file, 25 MB and 20 files per request): attach-draft or attach-signed-result with one `file` part; receive-supplement with one `component:<component name>` part per file",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": {
                "type": "object",
                "properties": { "command": { "type": "string", "example": "{\"command\":\"attach-draft\",\"attachment\":{\"name\":\"\",\"sha256\":\"\"}}" },
                                "file": { "type": "string", "format": "binary" } } } } } },
            "responses": { "200": json_ok("{ events }"), "400": error_response("invalid_body, too_long, too_many_items, too_many_files"), "404": error_response("not_found"),
                "413": error_response("too_large, file_too_large"), "415": error_response("unsupported_type, type_mismatch"), "422": error_response("engine refusal: unknown_component, ...") } })) }),
        ),
        (
            "/api/v1/dossiers/{id}/attachments/{sha256}",
            json!({ "get": secured(json!({
            "summary": "Download a file of a dossier (checked against its SHA-256)",
            "parameters": [
                { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                { "name": "sha256", "in": "path", "required": true, "schema": { "type": "string" } }
            ],
            "responses": { "200": { "description": "the file" }, "404": error_response("not_found") } })) }),
        ),
        (
            "/api/v1/feedback",
            json!({
            "get": { "summary": "Published answers to feedback (public)", "responses": { "200": json_ok("{ feedback }") } },
            "post": secured(json!({
                "summary": "File feedback (phản ánh, kiến nghị); the answer is due in 3 working days",
                "requestBody": body("Feedback", "agency, dossier_id?, subject, body",
                    json!({ "agency": "000.20.31.H53", "subject": "Giờ làm việc", "body": "Bộ phận một cửa mở lúc mấy giờ?" })),
                "responses": { "201": json_ok("{ id, answer_due }"), "400": error_response("invalid_body, missing_field, unknown_agency") } })) }),
        ),
        (
            "/api/v1/feedback/{id}/answer",
            json!({ "post": secured(json!({
            "summary": "Answer feedback once (staff of the addressed agency)",
            "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
            "requestBody": body("Answer", "answer, publish (default true)", json!({ "answer": "Từ 7 giờ các ngày làm việc." })),
            "responses": { "200": json_ok("{ id, on_time }"), "404": error_response("not_found"), "409": error_response("already_answered") } })) }),
        ),
        (
            "/api/v1/reports/statistics",
            json!({ "get": secured(json!({
            "summary": "Statistics table (form 06/VPCP/KSTT) for an agency and those below it, by field; JSON or CSV (UTF-8 with BOM, Vietnamese headers); every answer defines its columns (docs/statistics.md)",
            "parameters": [
                { "name": "agency", "in": "query", "description": "default: the tenant", "schema": { "type": "string" } },
                { "name": "from", "in": "query", "required": true, "description": "first local date of the period (included)", "schema": { "type": "string", "format": "date" } },
                { "name": "to", "in": "query", "required": true, "description": "last local date of the period (included)", "schema": { "type": "string", "format": "date" } },
                { "name": "format", "in": "query", "schema": { "type": "string", "enum": ["json", "csv"] } }
            ],
            "responses": { "200": json_ok("statistics"), "400": error_response("invalid_query, invalid_date, invalid_period, invalid_format") } })) }),
        ),
        (
            "/api/v1/agencies/{agency}/users",
            json!({
            "get": secured(json!({
                "summary": "Staff of an agency and their roles there (its agency-admin, or a system-admin at or above it)",
                "parameters": [path_param("agency")],
                "responses": { "200": json_ok("{ users }"), "404": error_response("not_found") } })),
            "post": secured(json!({
                "summary": "Create a staff account with roles at the agency; the one-time password is returned once and must be changed at first login",
                "parameters": [path_param("agency")],
                "requestBody": body("Staff", "id, name, email?, phone?, roles", json!({ "id": "chuyen-vien-2.tp", "name": "Trần Thị Bình", "roles": ["specialist"] })),
                "responses": { "201": json_ok("{ id, roles, one_time_password }"),
                    "400": error_response("invalid_account_id, missing_name, missing_roles, unknown_role"),
                    "404": error_response("not_found"), "409": error_response("account_exists") } })) }),
        ),
        (
            "/api/v1/agencies/{agency}/users/{user}/roles",
            json!({ "put": secured(json!({
            "summary": "Replace a staff member's roles at the agency (an empty list removes them); system-admin only by a system administrator",
            "parameters": [path_param("agency"), path_param("user")],
            "requestBody": body("Staff", "roles", json!({ "roles": ["specialist", "clerk"] })),
            "responses": { "200": json_ok("account"), "400": error_response("unknown_role"), "404": error_response("not_found") } })) }),
        ),
        (
            "/api/v1/agencies/{agency}/users/{user}/password-reset",
            json!({ "post": secured(json!({
            "summary": "A new one-time password for a staff member of the agency; their sessions end",
            "parameters": [path_param("agency"), path_param("user")],
            "responses": { "200": json_ok("{ id, one_time_password }"), "404": error_response("not_found") } })) }),
        ),
        (
            "/api/v1/agencies/{agency}/audit",
            json!({ "get": secured(json!({
            "summary": "The newest 500 audit entries of an agency: staff logins (failed and successful, with the client address), roles granted and revoked, passwords reset, accounts moved (its administrators)",
            "parameters": [path_param("agency")],
            "responses": { "200": json_ok("{ entries: [{ at, actor, action, account, agency, address, detail }] }"), "404": error_response("not_found") } })) }),
        ),
        (
            "/api/v1/users/{user}/agency",
            json!({ "put": secured(json!({
            "summary": "Move a staff account to another agency (a system administrator reaching both); its roles stay until changed",
            "parameters": [path_param("user")],
            "requestBody": body("Move", "agency", json!({ "agency": "000.00.04.H53" })),
            "responses": { "200": json_ok("{ id, agency }"), "400": error_response("unknown_agency"), "404": error_response("not_found") } })) }),
        ),
        (
            "/api/v1/integration/feed",
            json!({ "get": {
            "summary": "Changes after a cursor for the national public service portal (token from MOTCUA_FEED_TOKEN)",
            "parameters": [{ "name": "cursor", "in": "query", "schema": { "type": "integer" } }],
            "responses": { "200": json_ok("{ items: [{ cursor, dossier_code, status, time: yyyyMMddHHmmss, event }], next_cursor }"),
                "401": error_response("unauthenticated"), "404": error_response("feed_disabled") } } }),
        ),
    ]
}

pub async fn document() -> Json<Value> {
    Json(spec())
}
