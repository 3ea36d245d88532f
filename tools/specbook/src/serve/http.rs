//! The preview server's HTTP side: the loopback Host check (against DNS rebinding), request paths
//! turned into keys of the in-memory file map (every traversal encoding refused), content types,
//! the injected reload script, the server-sent events stream and the placeholder pages.

use super::state::{App, Snapshot};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use specbook_core::html::escape;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// URL of the reload script.
pub(crate) const LIVE_JS: &str = "/__specbook/live.js";
/// URL of the server-sent events stream.
pub(crate) const EVENTS: &str = "/__specbook/events";
const LIVE_JS_SOURCE: &str = include_str!("live.js");
/// More changed paths than this are announced as `*` (reload every page).
const MAX_LISTED: usize = 500;

/// True for a `Host` value naming the loopback interface: `localhost`, `127.0.0.1` or `[::1]`,
/// each with or without a port.
pub(crate) fn is_loopback_host(value: &str) -> bool {
    let (host, port) = if value.starts_with('[') {
        match value.find(']') {
            Some(i) => (&value[..=i], &value[i + 1..]),
            None => return false,
        }
    } else {
        match value.rfind(':') {
            Some(i) => (&value[..i], &value[i..]),
            None => (value, ""),
        }
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && (host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]")
}

fn host_allowed(req: &Request) -> bool {
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return false;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    // An absolute-form request target (`GET http://x/ HTTP/1.1`) must name a loopback host too.
    let authority_ok = req
        .uri()
        .authority()
        .is_none_or(|a| is_loopback_host(a.as_str()));
    authority_ok && is_loopback_host(host)
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The file-map key a request path names, or `None` when the path is refused: anything that is
/// not plain segments after one round of percent-decoding — `.` and `..` segments in any
/// encoding, encoded `/` or `\`, backslashes, NUL and other control characters, malformed
/// escapes, invalid UTF-8 and empty segments. `%25` is a `%` in a file name (the site links to the
/// page `100%.html` as `100%25.html`); the key is never decoded again, so `%252e%252e` is the
/// literal name `%2e%2e`. A trailing `/` names
/// the folder's `index.html`. The key is only ever looked up in the map, never joined to a path.
pub(crate) fn clean_path(raw: &str) -> Option<String> {
    let rest = raw.strip_prefix('/')?;
    let lower = rest.to_ascii_lowercase();
    if ["%2f", "%5c", "%00"].iter().any(|s| lower.contains(s)) {
        return None;
    }
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex(*bytes.get(i + 1)?)?;
            let lo = hex(*bytes.get(i + 2)?)?;
            out.push(hi * 16 + lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let key = String::from_utf8(out).ok()?;
    if key.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let segments: Vec<&str> = key.split('/').collect();
    let last = segments.len() - 1;
    for (n, seg) in segments.iter().enumerate() {
        if *seg == "." || *seg == ".." || (seg.is_empty() && n != last) {
            return None;
        }
    }
    if key.is_empty() || key.ends_with('/') {
        Some(format!("{key}index.html"))
    } else {
        Some(key)
    }
}

/// The content type of a published file, by extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "xml" => "application/xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ if !path.rsplit('/').next().unwrap_or("").contains('.') => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `html` with the reload script added before its last `</body>` (or at the end).
pub(crate) fn inject(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{LIVE_JS}\" defer></script>");
    let lower = html.to_ascii_lowercase();
    let at = lower
        .windows(7)
        .rposition(|w| w == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn page(title: &str, body_text: &str) -> Vec<u8> {
    inject(
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
             <body><h1>{}</h1><pre>{}</pre></body></html>\n",
            escape(title),
            escape(title),
            escape(body_text)
        )
        .as_bytes(),
    )
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

fn secure(headers: &mut HeaderMap) {
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// Every request goes through here.
pub(crate) async fn handle(State(app): State<App>, req: Request) -> Response {
    let mut response = respond(&app, &req);
    secure(response.headers_mut());
    response
}

fn respond(app: &App, req: &Request) -> Response {
    if !host_allowed(req) {
        return plain(
            StatusCode::FORBIDDEN,
            "403 Forbidden: this preview server only answers requests addressed to localhost, 127.0.0.1 or [::1]\n",
        );
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let raw = req.uri().path();
    if raw == EVENTS {
        if req.method() == Method::HEAD {
            return ([(header::CONTENT_TYPE, "text/event-stream")], "").into_response();
        }
        return events(app);
    }
    if raw == LIVE_JS {
        return (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            LIVE_JS_SOURCE,
        )
            .into_response();
    }
    let snapshot = app.current();
    let Some(key) = clean_path(raw).filter(|k| !k.starts_with("__specbook/")) else {
        return not_found();
    };
    let Some(files) = snapshot.files.as_ref() else {
        let text = snapshot.problems.as_deref().unwrap_or("building…");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page("The spec has not built yet", text),
        )
            .into_response();
    };
    if let Some(bytes) = files.get(&key) {
        let kind = content_type(&key);
        let body = if kind.starts_with("text/html") {
            Body::from(inject(bytes))
        } else {
            Body::from(bytes.clone())
        };
        return ([(header::CONTENT_TYPE, kind)], body).into_response();
    }
    // `/req` when `req/index.html` exists: redirect so that relative links resolve.
    if files.contains_key(&format!("{key}/index.html")) {
        let mut r = StatusCode::PERMANENT_REDIRECT.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("{raw}/")) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    not_found()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page(
            "404 Not Found",
            "No page of this spec has this address. It reloads by itself when the spec changes.",
        ),
    )
        .into_response()
}

fn event(name: &str, data: &serde_json::Value) -> Event {
    Event::default().event(name).data(data.to_string())
}

fn problems_event(s: &Snapshot) -> Event {
    match &s.problems {
        Some(text) => event("problems", &serde_json::json!({ "text": text.as_ref() })),
        None => event("ok", &serde_json::json!({})),
    }
}

/// The server-sent events stream: `hello` (server instance and build number) and the current
/// `problems`/`ok` state at once, then `reload` with the paths each new build changed and
/// `problems`/`ok` whenever that state changes.
fn events(app: &App) -> Response {
    let mut rx = app.subscribe();
    let first = rx.borrow_and_update().clone();
    let mut queue = VecDeque::new();
    queue.push_back(event(
        "hello",
        &serde_json::json!({ "server": app.instance(), "build": first.generation }),
    ));
    queue.push_back(problems_event(&first));
    let stream = futures_util::stream::unfold(
        (rx, first, queue),
        |(mut rx, mut seen, mut queue)| async move {
            loop {
                if let Some(ev) = queue.pop_front() {
                    return Some((Ok::<_, Infallible>(ev), (rx, seen, queue)));
                }
                if rx.changed().await.is_err() {
                    return None;
                }
                let now: Arc<Snapshot> = rx.borrow_and_update().clone();
                if now.problems != seen.problems {
                    queue.push_back(problems_event(&now));
                }
                if now.generation != seen.generation {
                    let all = now.generation != seen.generation + 1
                        || now.changed.len() > MAX_LISTED
                        || seen.files.is_none();
                    let changed: Vec<&str> = if all {
                        vec!["*"]
                    } else {
                        now.changed.iter().map(String::as_str).collect()
                    };
                    queue.push_back(event(
                        "reload",
                        &serde_json::json!({ "build": now.generation, "changed": changed }),
                    ));
                }
                seen = now;
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for ok in [
            "localhost",
            "LOCALHOST:3000",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]",
            "[::1]:1",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "127.0.0.2",
            "0.0.0.0",
            "[::2]",
            "[::1",
            "localhost:",
            "localhost:abc",
            "localhost:123456",
            "",
            "localhost.",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(clean_path("/").as_deref(), Some("index.html"));
        assert_eq!(clean_path("/req/").as_deref(), Some("req/index.html"));
        assert_eq!(
            clean_path("/req/SDP-VR-01.html").as_deref(),
            Some("req/SDP-VR-01.html")
        );
        assert_eq!(clean_path("/a%20b.html").as_deref(), Some("a b.html"));
        assert_eq!(clean_path("/100%25.html").as_deref(), Some("100%.html"));
        assert_eq!(
            clean_path("/%252e%252e/etc").as_deref(),
            Some("%2e%2e/etc"),
            "decoded once: a literal name, never a parent folder"
        );
        for bad in [
            "/../etc/passwd",
            "/a/../../b",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/x",
            "/..%2fetc",
            "/..%2Fetc",
            "/..\\etc",
            "/..%5cetc",
            "/a%00.html",
            "/a\0b",
            "/./index.html",
            "//etc/passwd",
            "/a//b",
            "/%zz",
            "/%e2%82",
            "relative",
            "/%0a",
        ] {
            assert_eq!(clean_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn injection_and_escaping() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html)).expect("utf-8");
        assert!(out.contains("<p>x</p><script src=\"/__specbook/live.js\" defer></script></BODY>"));
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(content_type("SHA256SUMS"), "text/plain; charset=utf-8");
        assert_eq!(
            content_type("static/site.js"),
            "text/javascript; charset=utf-8"
        );
    }
}
