//! Every error Basiq answers with, as one enum, and its wire form: the envelope
//! `{"type":"list","correlationId":…,"data":[{"type":"error","code","title","detail","source"}]}`.
//!
//! Statuses, codes, titles and detail texts are Basiq's own (API digest §2–§3). Where Basiq's
//! recorded responses and its OpenAPI file disagree, the choice is noted on the variant.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

use crate::http;

/// A Basiq error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BasiqError {
    /// `/token` without a `basiq-version` header.
    #[error("basiq-version header missing")]
    VersionMissing,
    /// `/token` with a version Basiq does not serve.
    #[error("unsupported version {0}")]
    VersionUnsupported(String),
    /// `/token` without an `Authorization` header.
    #[error("authorization header missing")]
    AuthorizationMissing,
    /// `/token` with an `Authorization` header that is not `Basic <Base64 of id:secret>`.
    #[error("authorization header malformed")]
    AuthorizationInvalid,
    /// `/token` with a well-formed key that no application has. Basiq answers 404 with
    /// `parameter-not-valid` (recorded response), although its spec lists only
    /// `resource-not-found` for 404.
    #[error("unknown API key")]
    UnknownApiKey,
    /// `/token` for a disabled partner account.
    #[error("account disabled")]
    AccountDisabled,
    /// `/token` with a `scope` other than `SERVER_ACCESS` / `CLIENT_ACCESS`.
    #[error("invalid scope {0}")]
    ScopeInvalid(String),
    /// `/token` with `CLIENT_ACCESS` and no `userId`.
    #[error("userId missing")]
    UserIdMissing,
    /// A body that is not what the endpoint takes.
    #[error("invalid request content")]
    ContentInvalid,
    /// A JSON body of the wrong content type.
    #[error("unsupported content type {0}")]
    ContentTypeUnsupported(String),
    /// A JSON body that does not parse into what the endpoint takes; the detail is the
    /// endpoint's own ("Posted user is not in valid format.").
    #[error("{0}")]
    BodyInvalid(&'static str),
    /// A required body field is missing.
    #[error("{detail}")]
    FieldMissing { detail: &'static str },
    /// A body field has a bad value.
    #[error("{detail}")]
    FieldInvalid {
        pointer: &'static str,
        detail: &'static str,
    },
    /// A path parameter of the events and webhooks APIs that cannot be an id.
    #[error("{detail}")]
    PathParameterInvalid {
        parameter: &'static str,
        detail: &'static str,
    },
    /// Something the events and webhooks APIs do not have, with their own detail.
    #[error("{detail}")]
    NotFound { detail: &'static str },
    /// A webhook for this URL exists already.
    #[error("webhook url exists")]
    WebhookUrlExists,
    /// Another webhook of the application subscribes to one of these events.
    #[error("event already subscribed")]
    EventAlreadySubscribed,
    /// A test message with no webhook to send it to.
    #[error("no webhooks for {0}")]
    NoWebhooks(String),
    /// An auth link that expired or was deleted (410).
    #[error("no longer available")]
    NoLongerAvailable,
    /// A connection to an institution sandbank does not know.
    #[error("institution not found")]
    InstitutionUnknown,
    /// A statement upload for an institution that takes none (the sandbox banks).
    #[error("institution {0} not supported on this endpoint")]
    InstitutionNotSupported(String),
    /// Refreshing a connection whose credentials are known to be wrong.
    #[error("invalid credentials")]
    CredentialsInvalid,
    /// Purging a connection that is not active.
    #[error("connection not active")]
    ConnectionNotActive,
    /// Updating credentials of a connection that is not a web connection.
    #[error("connection not web")]
    ConnectionNotWeb,
    /// The application has used its 500 sandbox connections.
    #[error("too many sandbox connections")]
    TooManyConnections,
    /// An open-banking connection refreshed its 20 times in the last 24 hours.
    #[error("open-banking refresh limit reached")]
    RefreshLimit,
    /// A body over the size limit (Basiq: 413 "Request Too Long").
    #[error("request body too large")]
    BodyTooLarge,
    /// No `Authorization` header on a protected route (an API Gateway response at Basiq).
    #[error("missing token")]
    TokenMissing,
    /// A bearer token sandbank did not issue, or not a bearer token at all.
    #[error("invalid token")]
    TokenInvalid,
    /// A token older than its 3600 s.
    #[error("token expired")]
    TokenExpired,
    /// A token whose scope may not call this route.
    #[error("scope forbidden")]
    ScopeForbidden,
    /// A `CLIENT_ACCESS` token used on another user's resources.
    #[error("token bound to another user")]
    UserMismatch,
    /// An `Accept` header that excludes JSON.
    #[error("accept {0} unsupported")]
    AcceptUnsupported(String),
    /// A path id that cannot be an id (`User ID value is not valid`).
    #[error("{label} value is not valid")]
    IdInvalid {
        parameter: &'static str,
        label: &'static str,
    },
    /// A user id nobody has.
    #[error("user not found")]
    UserNotFound,
    /// A sub-resource (connection, account, …) the user does not have.
    #[error("resource not found")]
    ResourceNotFound { parameter: &'static str },
    /// A path no route serves.
    #[error("route not found")]
    RouteNotFound,
    /// A route that exists, with a method it does not take.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A status injected by a fault rule (`/__admin/faults`), with the body Basiq sends for it.
    #[error("injected {0}")]
    Injected(StatusCode),
    /// A `filter` outside the grammar or the endpoint's allow-list.
    #[error("invalid filter")]
    FilterInvalid,
    /// A `transaction.postDate` filter value that is not `YYYY-MM-DD`.
    #[error("invalid postDate")]
    PostDateInvalid,
    /// `limit` not a positive integer.
    #[error("invalid limit")]
    LimitInvalid,
    /// `limit` over 500.
    #[error("limit over 500")]
    LimitTooLarge,
    /// A `next` cursor sandbank did not issue (or whose account is gone).
    #[error("invalid next")]
    NextInvalid,
}

/// One error item of the envelope.
#[derive(Serialize)]
struct Item {
    #[serde(rename = "type")]
    kind: &'static str,
    code: &'static str,
    title: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(rename = "type")]
    kind: &'static str,
    correlation_id: String,
    data: Vec<Item>,
}

impl BasiqError {
    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        use BasiqError as E;
        match self {
            E::VersionMissing
            | E::VersionUnsupported(_)
            | E::AuthorizationMissing
            | E::AuthorizationInvalid
            | E::ScopeInvalid(_)
            | E::UserIdMissing
            | E::ContentInvalid
            | E::AcceptUnsupported(_)
            | E::IdInvalid { .. }
            | E::FilterInvalid
            | E::PostDateInvalid
            | E::LimitInvalid
            | E::LimitTooLarge
            | E::NextInvalid
            | E::BodyInvalid(_)
            | E::FieldMissing { .. }
            | E::FieldInvalid { .. }
            | E::PathParameterInvalid { .. }
            | E::EventAlreadySubscribed
            | E::NoWebhooks(_)
            | E::InstitutionUnknown
            | E::InstitutionNotSupported(_)
            | E::CredentialsInvalid
            | E::ConnectionNotActive
            | E::ConnectionNotWeb => StatusCode::BAD_REQUEST,
            E::TooManyConnections | E::RefreshLimit => StatusCode::FORBIDDEN,
            E::WebhookUrlExists => StatusCode::CONFLICT,
            E::NoLongerAvailable => StatusCode::GONE,
            E::ContentTypeUnsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            E::TokenInvalid | E::UserMismatch => StatusCode::UNAUTHORIZED,
            E::AccountDisabled | E::TokenMissing | E::TokenExpired | E::ScopeForbidden => {
                StatusCode::FORBIDDEN
            }
            E::UnknownApiKey
            | E::UserNotFound
            | E::ResourceNotFound { .. }
            | E::RouteNotFound
            | E::NotFound { .. } => StatusCode::NOT_FOUND,
            E::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            E::Injected(status) => *status,
            E::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    fn item(&self) -> Item {
        use BasiqError as E;
        let (code, title, detail, source): (
            &'static str,
            &'static str,
            Option<String>,
            Option<Value>,
        ) = match self {
            E::VersionMissing => (
                "parameter-not-valid",
                "Required parameter not valid",
                Some("Basiq-version must be specified in HTTP request header".into()),
                Some(json!({"parameter": "basiq-version", "pointer": "header/basiq-version"})),
            ),
            E::VersionUnsupported(v) => (
                "parameter-not-valid",
                "Required parameter not valid",
                Some(format!(
                    "Version {v} is no longer supported. Please upgrade to the latest version"
                )),
                Some(json!({"parameter": "basiq-version", "pointer": "header/basiq-version"})),
            ),
            E::AuthorizationMissing => (
                "parameter-not-valid",
                "Required parameter not valid",
                Some("Authorization header parameter is required".into()),
                Some(json!({"parameter": "Authorization", "pointer": "header/Authorization"})),
            ),
            E::AuthorizationInvalid => (
                "parameter-not-valid",
                "Required parameter not valid",
                Some("Invalid authorization header".into()),
                Some(json!({"parameter": "Authorization", "pointer": "header/Authorization"})),
            ),
            E::UnknownApiKey => (
                "parameter-not-valid",
                "We have encountered an error",
                Some("Unable to authenticate. Please, check your API key".into()),
                None,
            ),
            E::AccountDisabled => (
                "access-denied",
                "Access denied.",
                Some("Your account has been disabled. Please contact Basiq support.".into()),
                Some(json!({})),
            ),
            E::ScopeInvalid(_) => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some("Scope value is not valid. Use SERVER_ACCESS or CLIENT_ACCESS".into()),
                Some(json!({"parameter": "scope"})),
            ),
            E::UserIdMissing => (
                "parameter-not-supplied",
                "Required parameter not supplied",
                Some("User ID not supplied".into()),
                Some(json!({"parameter": "userId"})),
            ),
            E::ContentInvalid => (
                "invalid-content",
                "Invalid request content",
                Some("Posted request not valid.".into()),
                Some(json!({})),
            ),
            E::ContentTypeUnsupported(t) => (
                "unsupported-content-type",
                "Content type is not supported",
                Some(format!(
                    "Content type {t} is not supported on requested endpoint."
                )),
                Some(json!({"parameter": "Content-Type", "pointer": "header/Content-Type"})),
            ),
            E::BodyInvalid(detail) => (
                "invalid-content",
                "Invalid request content",
                Some((*detail).to_owned()),
                Some(json!({})),
            ),
            E::FieldMissing { detail } => (
                "parameter-not-supplied",
                "Required parameter not supplied",
                Some((*detail).to_owned()),
                Some(json!({})),
            ),
            E::FieldInvalid { pointer, detail } => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some((*detail).to_owned()),
                Some(json!({"pointer": pointer})),
            ),
            E::PathParameterInvalid { parameter, detail } => (
                "path-parameter-not-valid",
                "Parameter value is not valid",
                Some((*detail).to_owned()),
                Some(json!({"parameter": parameter})),
            ),
            E::NotFound { detail } => (
                "resource-not-found",
                "Requested resource is not found",
                Some((*detail).to_owned()),
                None,
            ),
            E::NoLongerAvailable => (
                "resource-no-longer-available",
                "Resource no longer available",
                Some("The auth link has expired or was deleted.".into()),
                None,
            ),
            E::WebhookUrlExists => (
                "resource-already-exists",
                "Resource already exists",
                Some("Webhook with provided url already exists.".into()),
                None,
            ),
            E::EventAlreadySubscribed => (
                "event-already-subscribed",
                "Event already subscribed",
                Some("Posted subscribedEvents contains events that are already subscribed to for this application.".into()),
                Some(json!({"pointer": "subscribedEvents"})),
            ),
            E::NoWebhooks(app) => (
                "no-webhooks-found",
                "No webhooks found for an app",
                Some(format!("No webhooks found for an app: {app}, at least one webhook should exist in the system")),
                None,
            ),
            E::InstitutionUnknown => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some("Requested institution does not exist.".into()),
                Some(json!({"pointer": "connection/institution/id"})),
            ),
            E::InstitutionNotSupported(id) => (
                "institution-not-supported",
                "Institution not supported",
                Some(format!("Institution {id} is not supported on this endpoint")),
                Some(json!({"parameter": "institutionId"})),
            ),
            E::CredentialsInvalid => (
                "invalid-credentials",
                "Cannot login to target institution, check credentials.",
                Some(
                    "Cannot login to target institution using supplied credentials. Please check credentials and try again."
                        .into(),
                ),
                Some(json!({})),
            ),
            E::ConnectionNotActive => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some("Connection is not active.".into()),
                Some(json!({"parameter": "connectionId"})),
            ),
            E::ConnectionNotWeb => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some("Connection type is not Web".into()),
                Some(json!({"parameter": "connectionId"})),
            ),
            E::RefreshLimit => (
                "access-denied",
                "Access denied.",
                Some(
                    "Open-banking connections can be refreshed 20 times per day. Try again later."
                        .into(),
                ),
                Some(json!({"parameter": "connectionId"})),
            ),
            E::TooManyConnections => (
                "too-many-sandbox-connections",
                "Too many sandbox connections",
                Some("Limit reached for sandbox connections.".into()),
                Some(json!({})),
            ),
            E::BodyTooLarge => (
                "request-not-valid",
                "Request Too Long",
                Some("Request too long".into()),
                Some(json!({})),
            ),
            E::TokenMissing => (
                "access-denied",
                "Access denied.",
                Some("Missing Authentication Token".into()),
                Some(json!({})),
            ),
            // Basiq's recorded 401 carries neither detail nor source.
            E::TokenInvalid => (
                "invalid-authorization-token",
                "Invalid authorization token.",
                None,
                None,
            ),
            // Recorded with `"source": null`; the spec requires an object on 403, so `{}`.
            E::TokenExpired => (
                "access-denied",
                "Access denied.",
                Some("Token has expired".into()),
                Some(json!({})),
            ),
            E::ScopeForbidden => (
                "forbidden-access",
                "Forbidden Access",
                Some("Access to this resource is forbidden".into()),
                Some(json!({})),
            ),
            E::UserMismatch => (
                "unauthorized-access",
                "Unauthorized Access",
                Some("You are not authorized to access this resource".into()),
                None,
            ),
            E::AcceptUnsupported(accept) => (
                "unsupported-accept",
                "Accept type is not supported",
                Some(format!(
                    "Accept type {accept} is not supported on requested endpoint."
                )),
                Some(json!({"parameter": "Accept", "pointer": "header/Accept"})),
            ),
            E::IdInvalid { parameter, label } => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some(format!("{label} value is not valid")),
                Some(json!({"parameter": parameter})),
            ),
            E::UserNotFound => (
                "resource-not-found",
                "Requested resource is not found",
                Some("Requested user does not exist.".into()),
                Some(json!({"parameter": "userId"})),
            ),
            E::ResourceNotFound { parameter } => (
                "resource-not-found",
                "Requested resource is not found",
                Some("Requested resource is not found".into()),
                Some(json!({"parameter": parameter})),
            ),
            E::RouteNotFound => (
                "resource-not-found",
                "Requested resource is not found",
                Some("Route not found for this API version.".into()),
                None,
            ),
            E::MethodNotAllowed => (
                "method-not-allowed",
                "Method not allowed",
                Some("Requested method is not allowed.".into()),
                None,
            ),
            E::Injected(status) => {
                let (code, title, detail) = injected(*status);
                (code, title, Some(detail.into()), None)
            }
            E::FilterInvalid => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some("The provided filter parameter is in invalid format or unsupported".into()),
                Some(json!({"parameter": "filter"})),
            ),
            E::PostDateInvalid => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some("PostDate is not valid".into()),
                Some(json!({"parameter": "filter"})),
            ),
            E::LimitInvalid => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some("Limit value is not valid".into()),
                Some(json!({"parameter": "limit"})),
            ),
            E::LimitTooLarge => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some("Maximum limit allowed is 500".into()),
                Some(json!({"parameter": "limit"})),
            ),
            E::NextInvalid => (
                "parameter-not-valid",
                "Parameter value is not valid",
                Some("Next value is not valid".into()),
                Some(json!({"parameter": "next"})),
            ),
        };
        Item {
            kind: "error",
            code,
            title,
            detail,
            source,
        }
    }

    /// The wire response, with the given correlation id.
    pub fn response(&self, correlation_id: String) -> Response {
        let envelope = Envelope {
            kind: "list",
            correlation_id,
            data: vec![self.item()],
        };
        http::json(self.status(), http::to_bytes(&envelope))
    }
}

/// The error Basiq sends with an injected status: its code, title and detail for that status
/// (API.md §3.2), `parameter-not-valid` for other 4xx and `internal-server-error` for other 5xx.
fn injected(status: StatusCode) -> (&'static str, &'static str, &'static str) {
    match status.as_u16() {
        401 => (
            "unauthorized-access",
            "Unauthorized Access",
            "You are not authorized to access this resource",
        ),
        403 => (
            "forbidden-access",
            "Forbidden Access",
            "Access to this resource is forbidden.",
        ),
        404 => (
            "resource-not-found",
            "Requested resource is not found",
            "Resource not found.",
        ),
        405 => (
            "method-not-allowed",
            "Method not allowed",
            "Requested method is not allowed.",
        ),
        409 => (
            "resource-already-exists",
            "Resource already exists",
            "Resource already exists.",
        ),
        410 => (
            "resource-no-longer-available",
            "Resource no longer available",
            "Requested resource is no longer available.",
        ),
        413 => ("request-not-valid", "Request Too Long", "Request too long"),
        429 => (
            "too-many-requests",
            "Too many requests",
            "You have exceeded the rate limit for this API.",
        ),
        503 | 504 => (
            "service-unavailable",
            "Service Unavailable",
            "Service Unavailable. Try again later.",
        ),
        500..=599 => (
            "internal-server-error",
            "Internal Server error.",
            "Internal server error. Please contact support.",
        ),
        _ => (
            "parameter-not-valid",
            "Parameter value is not valid",
            "Parameter not valid.",
        ),
    }
}
