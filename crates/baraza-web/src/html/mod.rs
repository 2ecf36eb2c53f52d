//! The HTML toolkit every page surface shares (the console and the public pages): pages
//! rendered with askama, cookies, the reader's language and its translations, and safe
//! redirects. It holds no rules and no routes of its own beyond choosing a language.

pub mod i18n;
pub mod map;
pub use map::MapTiles;

use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use baraza_core::Language;
pub use i18n::Tr;

const CSS: &str = include_str!("../../templates/console/console.css");

/// The one stylesheet of every page.
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        CSS,
    )
        .into_response()
}

pub const LANG_COOKIE: &str = "bz_lang";

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Behind a TLS-terminating proxy (`X-Forwarded-Proto: https`) cookies are marked Secure.
fn secure(headers: &HeaderMap) -> &'static str {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    if https { "; Secure" } else { "" }
}

pub fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age_secs: i64) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        secure(headers)
    )
}

/// The reader's language: their choice (cookie), else the browser's, else English.
/// This server's address as the reader reached it (`https://host`), for links that must
/// be absolute (Atom feeds, open contracting data).
/// The server's address as the request names it: the `Host` header, and, only behind a
/// trusted reverse proxy, `X-Forwarded-Host` and `X-Forwarded-Proto`. Configure
/// `public_url` to depend on no header at all (`AppState::base_url`).
pub fn base_url(headers: &HeaderMap, trust_forwarded: bool) -> String {
    let forwarded = |name: &str| {
        trust_forwarded
            .then(|| headers.get(name).and_then(|h| h.to_str().ok()))
            .flatten()
            .map(|v| v.split(',').next().unwrap_or(v).trim())
    };
    let host = forwarded("x-forwarded-host")
        .or_else(|| {
            headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
        })
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = match forwarded("x-forwarded-proto") {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

pub fn language(headers: &HeaderMap) -> Language {
    if let Some(l) = cookie(headers, LANG_COOKIE).and_then(|l| l.parse().ok()) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .filter_map(|part| part.split(';').next())
                .filter_map(|tag| tag.trim().get(..2))
                .find_map(|code| code.to_ascii_lowercase().parse().ok())
        })
        .unwrap_or(Language::English)
}

#[derive(serde::Deserialize)]
pub struct LanguageQuery {
    l: String,
    #[serde(default)]
    next: String,
}

/// Choose the console's language (a cookie), then go back.
pub async fn choose_language(
    headers: HeaderMap,
    crate::error::ApiQuery(q): crate::error::ApiQuery<LanguageQuery>,
) -> Response {
    let Ok(lang) = q.l.parse::<Language>() else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let cookie = set_cookie(&headers, LANG_COOKIE, lang.as_str(), 365 * 24 * 3600);
    // Back where the reader was: `next`, else the page they came from (its path only).
    let came_from = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
        .unwrap_or_else(|| "/".to_owned());
    let next = if q.next.is_empty() { came_from } else { q.next };
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&safe_next(&next)),
    )
        .into_response()
}

/// Only our own pages are places to go back to (no open redirect).
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/staff".to_owned()
    }
}

pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => crate::AppError::Internal(format!("rendering a page: {e}")).into_response(),
    }
}

/// A fresh random secret, hex.
pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// An event's words in the reader's language: what happened, and its details joined.
pub fn say(w: &baraza_app::words::Words, tr: &Tr) -> (String, String) {
    use baraza_app::words::Part;
    let detail: Vec<String> = w
        .detail
        .iter()
        .map(|p| match p {
            Part::Text(t) => t.clone(),
            Part::Message(id) => tr.t(id),
        })
        .filter(|p| !p.is_empty())
        .collect();
    (tr.t(&w.what), detail.join(" · "))
}

#[derive(Template)]
#[template(path = "privacy/access.html")]
struct SubjectAccessPage<'a> {
    r: &'a baraza_app::rights::SubjectRecord,
}

/// A subject access record as a readable page (the CLI writes it to a file; the console
/// serves it to the system administrator).
pub fn subject_access_html(r: &baraza_app::rights::SubjectRecord) -> Result<String, askama::Error> {
    SubjectAccessPage { r }.render()
}

/// Paths whose answers are for machines: they keep problem documents (or their own
/// formats). Every other path is a page, and its errors are pages too.
pub fn is_machine_path(path: &str) -> bool {
    [
        "/api/",
        "/open311/",
        "/webhooks/",
        "/simulator/africastalking/",
        "/open-data/cases.",
        "/open-data/snapshots/",
        "/dashboard.csv",
        "/healthz",
        "/readyz",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    tr: Tr,
    title: String,
    explanation: String,
    back: String,
}

/// An error as a page in the reader's language: what happened in words, never internals.
pub fn error_page(status: StatusCode, lang: Language, staff: bool) -> Response {
    let tr = Tr::new(lang);
    let code = match status.as_u16() {
        c @ (400 | 403 | 404 | 405 | 413 | 422 | 503) => c,
        c if c >= 500 => 500,
        _ => 400,
    };
    let page = ErrorPage {
        tr,
        title: tr.t(&format!("error-{code}")),
        explanation: tr.t(&format!("error-{code}-detail")),
        back: if staff { "/staff" } else { "/" }.to_owned(),
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    res
}

/// Outermost on every route: an error answered as a problem document on a page's path
/// (a 404, a refused form, a failure) becomes an HTML page in the reader's language.
/// The API, Open311 and the webhooks keep their machine-readable answers.
pub async fn pages_answer_in_html(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let lang = language(req.headers());
    let res = next.run(req).await;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if is_problem
        && (status.is_client_error() || status.is_server_error())
        && !is_machine_path(&path)
    {
        return error_page(status, lang, path.starts_with("/staff"));
    }
    res
}

/// A form field as the reader knows it ("Phone number", "Nambari ya simu"), not its key
/// (`citizen.phone`); a field without a translation keeps its key.
pub fn field_label(field: &str, tr: &Tr) -> String {
    let id = format!("field-{}", field.replace('.', "-"));
    let label = tr.t(&id);
    if label == id { field.to_owned() } else { label }
}

/// A field error in words, for a form's error summary, in the reader's language.
pub fn field_error(e: &baraza_core::FieldError, tr: &Tr) -> String {
    format!(
        "{}: {}",
        field_label(&e.field, tr),
        say_error(&e.message, tr)
    )
}

/// A validation message in the reader's language. Its words are its Fluent id (`err-`,
/// then the words; each number, example or quoted value stands as `-v`, passed as `$v1`,
/// `$v2`…), so the rules keep writing plain English and each language file translates
/// the messages people meet; one without a translation stays as written.
pub fn say_error(message: &str, tr: &Tr) -> String {
    let (id, values) = error_id(message);
    let args: Vec<(String, String)> = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (format!("v{}", i + 1), v))
        .collect();
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let said = tr.args(&id, &args);
    if said == id { message.to_owned() } else { said }
}

/// `at most 4000 characters` -> (`err-at-most-v-characters`, [`4000`]).
pub fn error_id(message: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = message.chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_digit());
    let (mut id, mut values) = (String::from("err"), Vec::new());
    let (mut i, mut gap) = (0, true);
    while i < chars.len() {
        let c = chars[i];
        if c == '"'
            && let Some(len) = chars[i + 1..].iter().position(|c| *c == '"')
        {
            values.push(chars[i + 1..i + 1 + len].iter().collect());
            id.push_str("-v");
            i += len + 2;
            gap = true;
        } else if digit(i) || (c == '+' && digit(i + 1)) {
            let start = i;
            i += 1;
            while digit(i) || (matches!(chars.get(i), Some(' ' | '.')) && digit(i + 1)) {
                i += 1;
            }
            values.push(chars[start..i].iter().collect());
            id.push_str("-v");
            gap = true;
        } else {
            if c.is_ascii_alphanumeric() {
                if !id.ends_with(|l: char| l.is_ascii_alphanumeric()) || gap {
                    id.push('-');
                }
                id.push(c.to_ascii_lowercase());
                gap = false;
            } else {
                gap = true;
            }
            i += 1;
        }
    }
    (id, values)
}

/// The console's one script: counts SMS parts as staff type a response (GSM-7 or UCS-2,
/// as the message will be sent). Static, so that the Content-Security-Policy names it by
/// its hash and no other script can run.
pub static SMS_COUNTER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let basic = serde_json::to_string(baraza_core::sms::GSM7_BASIC).unwrap_or_default();
    let ext = serde_json::to_string(baraza_core::sms::GSM7_EXTENSION).unwrap_or_default();
    format!(
        "(function(){{var t=document.getElementById(\"respond-text\"),o=document.getElementById(\"sms-count\");if(!t||!o)return;\n\
         var B={basic},E={ext};\n\
         function c(s){{var g=0,u=0,ok=true;for(var ch of s){{if(B.indexOf(ch)>=0)g+=1;else if(E.indexOf(ch)>=0)g+=2;else ok=false;u+=ch.length;}}\n\
         if(ok)return{{e:\"GSM-7\",n:g,p:g<=160?1:Math.ceil(g/153)}};return{{e:\"UCS-2\",n:u,p:u<=70?1:Math.ceil(u/67)}};}}\n\
         function f(){{var r=c(t.dataset.frame.replace(\"@@TEXT@@\",t.value));o.textContent=o.dataset.template.replace(\"{{segments}}\",r.p).replace(\"{{chars}}\",r.n).replace(\"{{encoding}}\",r.e);}}\n\
         t.addEventListener(\"input\",f);f();}})();"
    )
});

fn csp_hash(text: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
    )
}

/// The `<style>` block of a template, for its CSP hash.
fn style_of(template: &str) -> &str {
    template
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map_or("", |(css, _)| css)
}

/// Pages load only their own stylesheet, images and the one hashed script; nothing may
/// frame them, and forms post only here.
pub static CONTENT_SECURITY_POLICY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let styles = [
        style_of(include_str!("../../templates/simulator.html")),
        style_of(include_str!("../../templates/privacy/access.html")),
    ];
    format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self' {}; script-src {}; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        styles.map(csp_hash).join(" "),
        csp_hash(&SMS_COUNTER),
    )
});

/// Security headers on every answer (a page's own, where it set one, is kept).
/// The console's pages carry the session's CSRF token beside what the user typed (a
/// search, a note): compressed together, their sizes would leak the token (BREACH). They
/// go out uncompressed; public forms carry a fresh token in every response.
pub async fn no_compression_for_staff(mut req: axum::extract::Request) -> axum::extract::Request {
    if req.uri().path().starts_with("/staff") {
        req.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    req
}

pub async fn security_headers(mut res: Response) -> Response {
    use axum::http::HeaderValue;
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&CONTENT_SECURITY_POLICY) {
        h.entry(header::CONTENT_SECURITY_POLICY).or_insert(v);
    }
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    h.entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("DENY"));
    res
}

/// One message of an information request's correspondence, in words.
pub struct Letter {
    /// The message's number in the journal (prominence is set per message).
    pub seq: i64,
    pub when: String,
    pub what: String,
    pub detail: String,
    /// Documents given with it: (link, file name, size in KB).
    pub documents: Vec<(String, String, u64)>,
    pub by_applicant: bool,
    pub internal: bool,
}

/// A request's correspondence as its reader may see it (already through the privacy
/// projection); document links start with `documents_base` (`/information/1234-5678`).
pub fn letters(
    page: &baraza_app::information::RequestPage<'_>,
    cat: &baraza_app::JurisdictionCatalog,
    tr: &Tr,
    documents_base: &str,
) -> Vec<Letter> {
    page.events
        .iter()
        .filter(|v| v.event.kind != baraza_core::EventKind::Received)
        .map(|v| {
            let (what, detail) = say(&baraza_app::words::words(v, cat), tr);
            Letter {
                seq: v.event.seq,
                when: cat.local_time(&v.event.at),
                what,
                detail,
                documents: baraza_app::words::documents(v)
                    .into_iter()
                    .map(|d| {
                        (
                            format!("{documents_base}/documents/{}", d.sha256),
                            d.filename.unwrap_or_else(|| d.sha256[..12].to_owned()),
                            d.size_bytes.div_ceil(1024),
                        )
                    })
                    .collect(),
                by_applicant: v.event.actor_role == "citizen",
                internal: v.internal(),
            }
        })
        .collect()
}

/// A kept file, served as an attachment, from the content-addressed store.
pub async fn serve_document(
    media_dir: Option<&std::path::Path>,
    doc: &baraza_core::Attachment,
) -> Response {
    let Some(dir) = media_dir else {
        return crate::AppError::not_found("document").into_response();
    };
    if doc.sha256.len() != 64 || !doc.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return crate::AppError::not_found("document").into_response();
    }
    match tokio::fs::read(dir.join(&doc.sha256)).await {
        Ok(bytes) => {
            let name: String = doc
                .filename
                .as_deref()
                .unwrap_or("document")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "._- ".contains(*c))
                .collect();
            (
                [
                    (header::CONTENT_TYPE, doc.media_type.clone()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                ],
                bytes,
            )
                .into_response()
        }
        Err(_) => crate::AppError::not_found("document").into_response(),
    }
}

/// The folder a photo is kept in, if this server keeps photos and the attachment is an
/// image named by a SHA-256 (nothing else is ever served as a photo).
fn photo_dir<'a>(
    media_dir: Option<&'a std::path::Path>,
    photo: &baraza_core::Attachment,
) -> Option<&'a std::path::Path> {
    let named = photo.sha256.len() == 64 && photo.sha256.bytes().all(|b| b.is_ascii_hexdigit());
    media_dir.filter(|_| named && photo.media_type.starts_with("image/"))
}

/// A kept photo, shown inline (an image type only; sandboxed, so that an SVG runs
/// nothing). `public`: cacheable by anyone, else by the reader's browser only.
pub async fn serve_image(
    media_dir: Option<&std::path::Path>,
    photo: &baraza_core::Attachment,
    public: bool,
) -> Response {
    let Some(dir) = photo_dir(media_dir, photo) else {
        return crate::AppError::not_found("photo").into_response();
    };
    match tokio::fs::read(dir.join(&photo.sha256)).await {
        Ok(bytes) => image_response(photo, bytes, public),
        Err(_) => crate::AppError::not_found("photo").into_response(),
    }
}

/// The longest side of a photo's thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// A photo's thumbnail (JPEG, at most `THUMBNAIL_SIDE` pixels a side): made once, on
/// first asking, and kept beside the photos (`thumbs/<sha256>.jpg`). A photo that does
/// not decode is served as it is.
pub async fn serve_thumbnail(
    media_dir: Option<&std::path::Path>,
    photo: &baraza_core::Attachment,
    public: bool,
) -> Response {
    let Some(dir) = photo_dir(media_dir, photo) else {
        return crate::AppError::not_found("photo").into_response();
    };
    let thumb = dir.join("thumbs").join(format!("{}.jpg", photo.sha256));
    if !thumb.exists() {
        let (source, target) = (dir.join(&photo.sha256), thumb.clone());
        let made = tokio::task::spawn_blocking(move || make_thumbnail(&source, &target)).await;
        if !matches!(made, Ok(Ok(()))) {
            return serve_image(media_dir, photo, public).await;
        }
    }
    let jpeg = baraza_core::Attachment {
        media_type: "image/jpeg".into(),
        ..photo.clone()
    };
    match tokio::fs::read(&thumb).await {
        Ok(bytes) => image_response(&jpeg, bytes, public),
        Err(_) => serve_image(media_dir, photo, public).await,
    }
}

fn make_thumbnail(source: &std::path::Path, target: &std::path::Path) -> Result<(), String> {
    let bytes = std::fs::read(source).map_err(|e| e.to_string())?;
    let img = image::load_from_memory(&bytes).map_err(|e| e.to_string())?;
    // Smaller pictures keep their size; larger ones fit the side.
    let small = if img.width() <= THUMBNAIL_SIDE && img.height() <= THUMBNAIL_SIDE {
        img.to_rgb8()
    } else {
        img.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE).to_rgb8()
    };
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode_image(&small)
        .map_err(|e| e.to_string())?;
    let dir = target.parent().ok_or("no folder")?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    // Written whole, then renamed: a reader never sees half a thumbnail.
    let partial = target.with_extension("part");
    std::fs::write(&partial, out.into_inner()).map_err(|e| e.to_string())?;
    std::fs::rename(&partial, target).map_err(|e| e.to_string())
}

fn image_response(photo: &baraza_core::Attachment, bytes: Vec<u8>, public: bool) -> Response {
    (
        [
            (header::CONTENT_TYPE, photo.media_type.clone()),
            (header::CONTENT_DISPOSITION, "inline".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_owned(),
            ),
            (
                header::CACHE_CONTROL,
                if public {
                    "public, max-age=86400".to_owned()
                } else {
                    "private, max-age=3600".to_owned()
                },
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The most a document (given with an information request, or published in the
/// disclosure log) may weigh.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// Keep a file by its SHA-256 under `media_dir`; returns its description.
pub async fn keep_document(
    media_dir: Option<&std::path::Path>,
    bytes: &[u8],
    media_type: &str,
    filename: Option<String>,
) -> Result<baraza_app::input::AttachmentBody, crate::AppError> {
    use sha2::{Digest, Sha256};
    let Some(dir) = media_dir else {
        return Err(crate::AppError::invalid(
            "document",
            "this server keeps no files (start it with a data directory)",
        ));
    };
    let sha256 = hex::encode(Sha256::digest(bytes));
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| crate::AppError::Internal(format!("keeping a document: {e}")))?;
    let path = dir.join(&sha256);
    if tokio::fs::metadata(&path).await.is_err() {
        tokio::fs::write(&path, bytes)
            .await
            .map_err(|e| crate::AppError::Internal(format!("keeping a document: {e}")))?;
    }
    Ok(baraza_app::input::AttachmentBody {
        media_type: if media_type.contains('/') {
            media_type.to_owned()
        } else {
            "application/octet-stream".to_owned()
        },
        size_bytes: bytes.len() as u64,
        sha256,
        filename,
        url: None,
    })
}

/// A citizen's contact as staff see it before a reveal: the masked phone number, or that
/// an address or a WhatsApp id is on file.
pub fn masked_contact(c: Option<&baraza_app::privacy::CitizenView>) -> String {
    c.map(|c| {
        c.phone
            .clone()
            .or_else(|| c.has_email.then(|| "•••@•••".to_owned()))
            .or_else(|| c.has_whatsapp.then(|| "WhatsApp •••".to_owned()))
            .unwrap_or_else(|| "•••".to_owned())
    })
    .unwrap_or_else(|| "•••".to_owned())
}

#[cfg(test)]
mod error_words {
    use super::*;

    #[test]
    fn a_message_is_its_own_id_with_its_values_apart() {
        assert_eq!(
            error_id("at most 4000 characters"),
            (
                "err-at-most-v-characters".to_owned(),
                vec!["4000".to_owned()]
            )
        );
        assert_eq!(
            error_id("a phone number as written in KE, e.g. 0712 345 678 or +254712345678"),
            (
                "err-a-phone-number-as-written-in-ke-e-g-v-or-v".to_owned(),
                vec!["0712 345 678".to_owned(), "+254712345678".to_owned()]
            )
        );
        assert_eq!(
            error_id("no category \"roads\" in this jurisdiction").0,
            "err-no-category-v-in-this-jurisdiction"
        );
        assert_eq!(
            error_id("latitude and longitude are numbers, e.g. 0.6702 and 35.5081").1,
            vec!["0.6702".to_owned(), "35.5081".to_owned()]
        );
        // Translated where a language has it, as written where none does.
        let sw = Tr::new(baraza_core::Language::Kiswahili);
        assert_eq!(
            say_error("at most 4000 characters", &sw),
            "herufi 4000 zaidi"
        );
        assert_eq!(say_error("something new", &sw), "something new");
    }
}
