//! The OpenAPI 3.1 document, generated from the Rust types: every handler carries its
//! `#[utoipa::path]` (parameters, body, each status it answers), every body and view type
//! derives its schema (the engine's and the store's with their `openapi` feature). What the
//! attributes cannot say is added here, once for all operations: the statuses every
//! authenticated operation can answer, the limits of every request body (from `limits.rs`,
//! the table the server enforces), and the request shape of a command. A test checks that
//! every route is documented and every documented path is routed.

use axum::Json;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::OpenApi;

use crate::json;

/// Every error answer: a stable code (docs/api.md lists them), a Vietnamese message, and
/// for an incomplete dossier what is missing.
#[derive(Serialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct ErrorBody {
    /// The stable snake_case code.
    code: String,
    /// For people, in Vietnamese.
    message: String,
    /// What an online dossier lacks, one item each (`incomplete` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<Vec<String>>,
}

/// A command as a client sends it to `POST /api/v1/dossiers/{id}/commands`: the engine's
/// command (`command` names it), without the `sequence` of an acceptance (the system assigns
/// the code), with an optional `expected_version`. Its schema is the engine's `Command`'s,
/// changed so (see [`document`]).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct CommandRequest(motcua_core::dossier::Command);

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "One-stop administrative procedure system. Every path also exists under /t/{agency} (the tenant when the host name is not an agency's). Programs authenticate with a bearer token; browsers with the session cookie plus the X-CSRF-Token header on every change. Errors: docs/api.md."
    ),
    paths(
        json::public::healthz,
        json::public::readyz,
        document,
        crate::observe::metrics,
        json::public::agencies,
        json::public::procedures,
        json::public::procedure,
        json::public::lookup,
        json::public::calendar_year,
        json::public::deadline,
        json::staff::tenant,
        json::staff::list,
        json::staff::create,
        json::staff::set_roles,
        json::staff::reset_password,
        json::staff::set_active,
        json::staff::audit,
        json::staff::move_account,
        json::accounts::register,
        json::accounts::login,
        json::accounts::logout,
        json::accounts::me,
        json::accounts::update_profile,
        json::accounts::change_password,
        json::accounts::notifications,
        json::accounts::read_notification,
        json::accounts::channels,
        json::accounts::set_channels,
        json::accounts::deliveries,
        json::accounts::retry_delivery,
        json::accounts::templates,
        json::accounts::set_template,
        json::dossiers::mine,
        json::dossiers::queue,
        json::dossiers::search,
        json::dossiers::submit,
        json::dossiers::read,
        json::dossiers::command,
        json::dossiers::upload,
        json::dossiers::download,
        json::dossiers::forms,
        json::dossiers::form,
        json::dossiers::evaluation,
        json::feedback::file,
        json::feedback::published,
        json::feedback::answer,
        json::reports::statistics,
        json::reports::register,
        json::reports::evaluation,
        json::reports::evaluation_inputs,
        json::reports::evaluation_rules,
        json::reports::set_evaluation_rules,
        json::reports::feed,
        json::reports::sms_inbound,
    ),
    components(schemas(ErrorBody, CommandRequest)),
    tags(
        (name = "system", description = "Health, readiness, metrics, this document"),
        (name = "catalogue", description = "Agencies, procedures, the public lookup, the calendar (no login)"),
        (name = "accounts", description = "Registration, sessions, one's account"),
        (name = "dossiers", description = "Submission, reading, commands, files, queues, search"),
        (name = "feedback", description = "Feedback and published answers (Điều 18-19)"),
        (name = "reports", description = "Statistics and the national-portal feed"),
        (name = "staff", description = "Staff administration"),
    )
)]
struct ApiDoc;

/// Request body schemas and the limit table the server checks them against.
const BODIES: &[(&str, &[crate::limits::Limit])] = &[
    ("SubmitBody", crate::limits::SUBMIT),
    ("CommandRequest", crate::limits::COMMAND),
    ("Register", crate::limits::ACCOUNT),
    ("Login", crate::limits::LOGIN),
    ("ChangePassword", crate::limits::PASSWORD),
    ("Profile", crate::limits::PROFILE),
    ("NewFeedback", crate::limits::FEEDBACK),
    ("Answer", crate::limits::ANSWER),
    ("NewStaff", crate::limits::STAFF),
    ("Roles", crate::limits::STAFF),
    ("Move", crate::limits::MOVE),
    ("Inputs", crate::limits::EVALUATION_INPUTS),
    ("Rules", crate::limits::EVALUATION_RULES),
    ("InboundSms", crate::limits::SMS_INBOUND),
    ("TemplateText", crate::limits::TEMPLATE),
];

/// The error answer's schema reference.
fn error(description: &str) -> Value {
    json!({ "description": description,
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } } })
}

/// The node a limit path names in a schema (following `$ref`s into the components), if the
/// schema has it.
fn node_at<'a>(doc: &'a mut Value, schema: &str, path: &str) -> Option<&'a mut Value> {
    let mut pointer = format!("/components/schemas/{schema}");
    for seg in path.split('.') {
        // Follow a reference (or an `allOf`/`oneOf` of one) to the schema it names.
        loop {
            let node = doc.pointer(&pointer)?;
            let reference = node
                .get("$ref")
                .or_else(|| node.pointer("/oneOf/0/$ref"))
                .or_else(|| node.pointer("/allOf/0/$ref"))
                .and_then(Value::as_str)
                .filter(|_| node.get("properties").is_none());
            match reference {
                Some(r) => pointer = r.trim_start_matches('#').to_string(),
                None => break,
            }
        }
        pointer = if seg == "*" {
            format!("{pointer}/additionalProperties")
        } else if let Some(name) = seg.strip_suffix("[]") {
            format!("{pointer}/properties/{name}/items")
        } else {
            format!("{pointer}/properties/{seg}")
        };
    }
    doc.pointer_mut(&pointer)
}

/// The `Command` schema as a client sends it: an acceptance without `sequence`, every
/// variant with an optional `expected_version`.
fn command_request(doc: &mut Value) {
    let Some(variants) = doc
        .pointer("/components/schemas/Command/oneOf")
        .cloned()
        .and_then(|v| v.as_array().cloned())
    else {
        return;
    };
    let mut out = Vec::new();
    for mut v in variants {
        let is_accept = v.pointer("/properties/command/enum/0") == Some(&json!("accept"));
        if is_accept {
            v["description"] = json!("Accept: the system assigns the dossier's code.");
        }
        if let Some(p) = v.get_mut("properties").and_then(Value::as_object_mut) {
            if is_accept {
                p.remove("sequence");
            }
            p.insert(
                "expected_version".into(),
                json!({ "type": ["integer", "null"], "minimum": 0,
                        "description": "the version the client saw; another current version is a conflict" }),
            );
        }
        if let Some(r) = v.get_mut("required").and_then(Value::as_array_mut) {
            r.retain(|f| f != "sequence");
        }
        out.push(v);
    }
    doc["components"]["schemas"]["CommandRequest"] = json!({
        "oneOf": out,
        "discriminator": { "propertyName": "command" },
        "description": "An engine command (docs/scenarios.md). An acceptance carries no sequence: the system assigns the dossier's code."
    });
}

/// What every operation can answer besides what its attribute lists: a body can be too
/// large or malformed, a session missing, expired or not allowed.
fn common_responses(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(ops) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in ops.iter_mut() {
            let secured = op.get("security").is_some();
            let has_body = op.get("requestBody").is_some();
            let has_input = has_body || op.get("parameters").is_some();
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| error(description));
            };
            if has_input {
                add(
                    "400",
                    "invalid_query, invalid_body (the field named by its path), too_long, too_many_items, too_many_keys",
                );
            }
            if has_body {
                add("413", "too_large, file_too_large");
            }
            if secured {
                add("401", "unauthenticated");
                add(
                    "403",
                    "forbidden, password_change_required, csrf_token_missing, csrf_token_invalid",
                );
            }
            if path.contains('{') {
                add("404", "not_found");
            }
            let _ = method;
        }
    }
}

/// The document.
pub fn spec() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    doc["info"]["version"] = json!(env!("CARGO_PKG_VERSION"));
    doc["servers"] = json!([
        { "url": "/" },
        { "url": "/t/{agency}", "description": "The site of one agency, when not reached by its host name",
          "variables": { "agency": { "default": "000.20.31.H53" } } }
    ]);
    doc["components"]["securitySchemes"] = json!({
        "bearer": { "type": "http", "scheme": "bearer",
                    "description": "A session token from POST /api/v1/sessions (or the feed token for /api/v1/integration/feed)" },
        "cookie": { "type": "apiKey", "in": "cookie", "name": "motcua_session",
                    "description": "Browser session from POST /api/v1/sessions with cookie: true; changes also need the X-CSRF-Token header" }
    });
    command_request(&mut doc);
    // The limits the server enforces, on the schemas of the bodies it checks.
    for (schema, table) in BODIES {
        for l in *table {
            let (key, kind) = match l.kind {
                crate::limits::Kind::Chars => ("maxLength", "string"),
                crate::limits::Kind::Items => ("maxItems", "array"),
                crate::limits::Kind::Keys => ("maxProperties", "object"),
            };
            if let Some(node) = node_at(&mut doc, schema, l.path) {
                // Only where the schema says the value is of that kind (an enum or a
                // reference is bounded by what it is).
                let typed = match node.get("type") {
                    Some(Value::String(t)) => t == kind,
                    Some(Value::Array(ts)) => ts.iter().any(|t| t == kind),
                    _ => false,
                };
                if typed {
                    node[key] = json!(l.max);
                }
            }
        }
    }
    common_responses(&mut doc);
    doc
}

/// `GET /api/v1/openapi.json`.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", summary = "This document",
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object)))]
pub(crate) async fn document() -> Json<Value> {
    Json(spec())
}
