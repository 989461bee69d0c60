//! Routes and the GraphQL-over-HTTP handler.
//!
//! The handler is our own rather than async-graphql-axum's, because the
//! stock one answers 200 to everything under
//! `application/graphql-response+json` and executes mutations sent by GET
//! (SPEC §6). Here: POST takes JSON; GET takes `query`/`variables`/
//! `operationName` and refuses mutations with 405; a client that accepts
//! `application/graphql-response+json` gets it, with 400 for requests that
//! fail to parse or validate; anyone else gets `application/json` and 200.
//!
//! Every request is resolved to an [`Auth`] once, here, and gets fresh
//! dataloaders scoped to the viewer's school.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use crate::context::{AppState, Auth, ClientAddr};
use crate::loader::Loaders;

/// Largest request body accepted (a GraphQL document with variables).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Longest a request may run before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// The largest `/graphql` body: a multipart upload may carry a file of up
/// to twice the configured limit (so a file just over it is refused by the
/// domain with a userError that says the limit, not by the transport),
/// plus the operations; JSON bodies are still held to [`MAX_BODY_BYTES`].
fn graphql_body_limit(state: &AppState) -> usize {
    (state.config.max_upload_bytes as usize)
        .saturating_mul(2)
        .saturating_add(MAX_BODY_BYTES)
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let mut graphql = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .layer(DefaultBodyLimit::max(graphql_body_limit(&state)));
    if let Some(limiter) = &state.limiter {
        graphql = graphql.route_layer(axum::middleware::from_fn_with_state(
            limiter.clone(),
            crate::rate_limit::enforce,
        ));
    }
    let mut router = Router::new().merge(graphql);
    if state.config.graphiql {
        router = router
            .route("/", get(graphiql))
            .route("/graphiql/{file}", get(asset));
    }
    router
        .route("/files/{token}", get(download))
        .route(
            "/webhooks/stripe",
            axum::routing::post(crate::webhook::stripe),
        )
        .route("/invoices/{token}", get(crate::print::serve))
        .route("/students/{id}/qr.png", get(student_qr))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // A panic in a resolver answers 500 and the server keeps serving.
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                tracing::error!("a request handler panicked");
                json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
            },
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Serves until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn graphiql() -> Html<&'static str> {
    Html(include_str!("../assets/graphiql/index.html"))
}

async fn asset(Path(file): Path<String>) -> Response {
    let (body, mime): (&'static [u8], &str) = match file.as_str() {
        "graphiql.min.js" => (
            include_bytes!("../assets/graphiql/graphiql.min.js"),
            "text/javascript",
        ),
        "graphiql.min.css" => (
            include_bytes!("../assets/graphiql/graphiql.min.css"),
            "text/css",
        ),
        "react.production.min.js" => (
            include_bytes!("../assets/graphiql/react.production.min.js"),
            "text/javascript",
        ),
        "react-dom.production.min.js" => (
            include_bytes!("../assets/graphiql/react-dom.production.min.js"),
            "text/javascript",
        ),
        "start.js" => (
            include_bytes!("../assets/graphiql/start.js"),
            "text/javascript",
        ),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// How long `/readyz` waits for the database before answering 503: a load
/// balancer's probe must get an answer, not wait for the pool's own
/// (much longer) acquire timeout.
pub const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(800);

async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(READY_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => "ready".into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => {
            tracing::warn!("database did not answer the readiness ping in time");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

fn json_error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message }] });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn graphql_post(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        // The GraphQL multipart request spec: `uploadMaterial`'s file.
        // Per part (the operations part too); the whole body is held to
        // the route's limit. No file count: async-graphql would turn it
        // into a whole-stream limit of one file's size, operations included.
        let options = async_graphql::http::MultipartOptions::default()
            .max_file_size(graphql_body_limit(&state));
        let received = async_graphql::http::receive_body(
            Some(content_type),
            futures_util::io::Cursor::new(body),
            options,
        )
        .await;
        return match received {
            Ok(request) => execute(state, peer, &headers, request).await,
            Err(async_graphql::ParseRequestError::PayloadTooLarge) => json_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "the file is larger than the {} bytes accepted",
                    state.config.max_upload_bytes
                ),
            ),
            Err(e) => json_error(
                StatusCode::BAD_REQUEST,
                &format!("the body is not a GraphQL multipart request: {e}"),
            ),
        };
    }
    if !content_type.starts_with("application/json") && !content_type.starts_with(GRAPHQL_RESPONSE)
    {
        return json_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the GraphQL request as Content-Type: application/json (or multipart/form-data with a file)",
        );
    }
    if body.len() > MAX_BODY_BYTES {
        return json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("a GraphQL request may have at most {MAX_BODY_BYTES} bytes"),
        );
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                &format!("the body is not a GraphQL JSON request: {e}"),
            );
        }
    };
    execute(state, peer, &headers, request).await
}

/// Serves a material's file for a signed link: the link's signature and
/// expiry, then the material's release window (unless the link is staff's),
/// then the access is counted and the file streamed as an attachment.
async fn download(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    use crate::download::{Ticket, TicketError};
    let now = state.clock.now();
    let ticket = match Ticket::verify(&state.download_key, &token, now) {
        Ok(t) => t,
        Err(TicketError::Expired) => {
            return json_error(
                StatusCode::GONE,
                "this download link has expired; ask for a new one (Material.downloadUrl)",
            );
        }
        Err(TicketError::Invalid) => {
            return json_error(StatusCode::FORBIDDEN, "this download link is not valid");
        }
    };
    let fail = |e: &dyn std::fmt::Debug| {
        let error_id = uuid::Uuid::new_v4();
        tracing::error!(%error_id, error = ?e, "download failed");
        json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("the file cannot be served now; error id {error_id}"),
        )
    };
    let found = infra::repo::find::<infra::entity::material::Entity>(
        state.db.conn(),
        ticket.school,
        ticket.material,
    )
    .await;
    let material = match found {
        Ok(Some(m)) => m,
        Ok(None) => return json_error(StatusCode::NOT_FOUND, "this material no longer exists"),
        Err(e) => return fail(&e),
    };
    if !ticket.staff && !resources::material::is_out(material.release_at, material.expires_at, now)
    {
        return json_error(
            StatusCode::GONE,
            "this material is not available now (not yet released, or expired)",
        );
    }
    let (size, stream) = match state.files.open(&material.storage_key).await {
        Ok(opened) => opened,
        Err(e) => return fail(&e),
    };
    if let Some(student) = ticket.student {
        let counted = async {
            let tx = state.db.begin_write().await?;
            infra::materials::record_access(&tx, ticket.school, material.id, student, now).await?;
            tx.commit().await?;
            Ok::<_, infra::InfraError>(())
        }
        .await;
        if let Err(e) = counted {
            return fail(&e);
        }
    }
    let disposition = content_disposition(&material.file_name);
    let headers = [
        (header::CONTENT_TYPE, material.content_type.clone()),
        (header::CONTENT_LENGTH, size.to_string()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, "private, no-store".to_owned()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
    ];
    (headers, axum::body::Body::from_stream(stream)).into_response()
}

/// A student's QR code as a PNG for printing, for the office and those
/// who act for the student (bearer token as for `/graphql`).
async fn student_qr(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let viewer = match authenticate(&state, &headers).await {
        Ok(Auth::Viewer(v)) => v,
        Ok(_) => return json_error(StatusCode::UNAUTHORIZED, "log in to print a QR code"),
        Err(e) => {
            tracing::error!(error = ?e, "authentication lookup failed");
            return json_error(StatusCode::SERVICE_UNAVAILABLE, "service unavailable");
        }
    };
    let not_found = || {
        json_error(
            StatusCode::NOT_FOUND,
            "no student with this id exists in your school",
        )
    };
    let Some(uuid) = crate::ids::decode(crate::ids::Kind::Student, &async_graphql::ID(id)) else {
        return not_found();
    };
    let found =
        infra::repo::find::<infra::entity::student::Entity>(state.db.conn(), viewer.school, uuid)
            .await;
    let s = match found {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(),
        Err(e) => {
            tracing::error!(error = ?e, "student lookup failed");
            return json_error(StatusCode::SERVICE_UNAVAILABLE, "service unavailable");
        }
    };
    if let Err(denied) = kernel::policy::authorize(
        &viewer,
        kernel::policy::Action::ReadPrivate(kernel::StudentId::from_uuid(s.id)),
    ) {
        return json_error(StatusCode::FORBIDDEN, denied.0);
    }
    let key = match infra::crm::qr_key(state.db.conn(), viewer.school).await {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = ?e, "QR key lookup failed");
            return json_error(StatusCode::SERVICE_UNAVAILABLE, "service unavailable");
        }
    };
    let text = crate::qr_image::token(&key, state.clock.now(), viewer.school, &s);
    match crate::qr_image::png(&text) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "QR drawing failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// `attachment` with an ASCII fallback name and the UTF-8 one (RFC 6266).
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

async fn graphql_get(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(query) = params.get("query") else {
        return json_error(
            StatusCode::BAD_REQUEST,
            "GET /graphql needs a `query` parameter",
        );
    };
    let mut request = async_graphql::Request::new(query.clone());
    if let Some(name) = params.get("operationName") {
        request = request.operation_name(name.clone());
    }
    if let Some(raw) = params.get("variables") {
        match serde_json::from_str(raw) {
            Ok(vars) => request = request.variables(async_graphql::Variables::from_json(vars)),
            Err(_) => {
                return json_error(StatusCode::BAD_REQUEST, "`variables` is not a JSON object");
            }
        }
    }
    if is_mutation(query, params.get("operationName").map(String::as_str)) {
        let mut response = json_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(state, peer, &headers, request).await
}

/// Whether the operation that would run is a mutation. A document that
/// does not parse is not: execution reports the parse error.
fn is_mutation(query: &str, operation: Option<&str>) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    match (&doc.operations, operation) {
        (DocumentOperations::Single(op), _) => op.node.ty == OperationType::Mutation,
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .any(|(n, op)| n.as_str() == name && op.node.ty == OperationType::Mutation),
        (DocumentOperations::Multiple(ops), None) => {
            ops.values().any(|op| op.node.ty == OperationType::Mutation)
        }
    }
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Auth, infra::InfraError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Auth::Missing);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(Auth::Invalid);
    };
    let viewer =
        infra::repo::organisation::viewer(state.db.conn(), token, state.clock.now()).await?;
    Ok(viewer.map_or(Auth::Invalid, Auth::Viewer))
}

async fn execute(
    state: AppState,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    request: async_graphql::Request,
) -> Response {
    let auth = match authenticate(&state, headers).await {
        Ok(auth) => auth,
        Err(e) => {
            let error_id = uuid::Uuid::new_v4();
            tracing::error!(%error_id, error = ?e, "authentication lookup failed");
            return json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("service unavailable; error id {error_id}"),
            );
        }
    };
    // A retried mutation may carry its idempotency key as a header.
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut request = request
        .data(state.clone())
        .data(ClientAddr(
            peer.map(|Extension(ConnectInfo(addr))| addr.ip()),
        ))
        .data(crate::schema::billing::IdempotencyHeader(idempotency_key));
    if let Auth::Viewer(viewer) = &auth {
        request = request.data(Loaders::new(&state.db, viewer.school, state.clock.now()));
    }
    let query = request.query.clone();
    let operation = request.operation_name.clone();
    let mut response = state.schema.execute(request.data(auth)).await;

    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let modern = accept.contains(GRAPHQL_RESPONSE);
    // Parse and validation failures produce no data and errors without a
    // path; execution errors always carry one.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let status = if modern && request_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let content_type = if modern {
        GRAPHQL_RESPONSE
    } else {
        "application/json"
    };
    // A request that never executed has no `data` entry at all (GraphQL
    // spec 7.1.2; the graphql-http audit's SHOULDs), not `"data": null`.
    let body = if request_error {
        serde_json::to_vec(&serde_json::json!({ "errors": response.errors }))
    } else {
        response.data = crate::response_order::reorder(
            std::mem::take(&mut response.data),
            &query,
            operation.as_deref(),
        );
        serde_json::to_vec(&response)
    }
    .unwrap_or_else(|_| br#"{"errors":[{"message":"internal error"}]}"#.to_vec());
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}
