//! Small server-rendered HTML pages: the vendors' hosted flows (Basiq's Consent UI, Meld's
//! connect widget) that sandbank stands in for. No scripts, one inline style sheet.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

/// A whole page with `title` as its heading and `body` (already HTML) below it.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    page_with_head(status, title, "", body)
}

/// [`page`] with more in its `<head>` (already HTML), e.g. a refresh.
pub fn page_with_head(status: StatusCode, title: &str, head: &str, body: &str) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:sans-serif;max-width:360px;margin:2em auto}}label{{display:block;margin:.5em 0}}.error{{color:#b00}}</style>
</head><body><h1>{title}</h1>
{body}
</body></html>"#,
        title = escape(title),
    );
    let mut response = Response::new(axum::body::Body::from(html));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// Text made safe for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The error paragraph a page shows above its form (nothing when there is no error); the
/// browser tests find it as `#error`.
pub fn error(text: Option<&str>) -> String {
    text.map(|e| format!(r#"<p id="error" class="error">{}</p>"#, escape(e)))
        .unwrap_or_default()
}
