//! `chronicle serve DIR`: a local preview of a static site on
//! 127.0.0.1, served as production would serve it: the right MIME types
//! (`application/wasm` for streaming compilation), gzip when the browser
//! asks for it, and the strict Content-Security-Policy the widget is
//! built to work under. Files only: no directory listings, nothing
//! outside `DIR`, GET and HEAD only.

use std::collections::HashMap;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

/// `chronicle serve`'s arguments.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The site's directory (e.g. the one `build --site` wrote into).
    pub dir: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Leave out the Content-Security-Policy header.
    #[arg(long)]
    pub no_csp: bool,
}

/// The policy the widget works under, as a production site would send
/// it: scripts and styles from the site only, and wasm compilation.
pub const CSP: &str = "default-src 'self'; script-src 'self' \
                       'wasm-unsafe-eval'; style-src 'self'";

/// Connections served at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 64;
/// The longest request head read (request line and headers).
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// How long an idle keep-alive connection stays open.
const IDLE: Duration = Duration::from_secs(15);
/// Bytes of gzipped files kept between requests.
const CACHE_BYTES: usize = 256 << 20;

/// Serves `args.dir` until the process is stopped (Ctrl-C).
pub fn serve(args: &ServeArgs) -> Result<()> {
    let root = fs::canonicalize(&args.dir)
        .with_context(|| format!("cannot serve {}", args.dir.display()))?;
    if !root.is_dir() {
        anyhow::bail!(
            "cannot serve {}: not a directory; give the site's directory",
            args.dir.display()
        );
    }
    let listener = match TcpListener::bind(("127.0.0.1", args.port)) {
        Ok(l) => l,
        Err(e) if e.kind() == io::ErrorKind::AddrInUse => anyhow::bail!(
            "port {} on 127.0.0.1 is already in use (another server?): stop \
             it, or choose another port with --port N (--port 0 picks a \
             free one)",
            args.port
        ),
        Err(e) => {
            return Err(e).with_context(|| {
                format!("cannot listen on 127.0.0.1:{}", args.port)
            })
        }
    };
    let port = listener.local_addr()?.port();
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "Serving {} at http://127.0.0.1:{port}/ (Ctrl-C to stop)",
        args.dir.display()
    )?;
    out.flush()?;
    drop(out);
    let site = Arc::new(Site {
        root,
        csp: !args.no_csp,
        cache: Mutex::new(Cache::default()),
    });
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        // Waits for a free slot: the rest queue in the kernel.
        while open.load(Ordering::Acquire) >= MAX_CONNECTIONS {
            std::thread::sleep(Duration::from_millis(2));
        }
        open.fetch_add(1, Ordering::AcqRel);
        let (site, open) = (Arc::clone(&site), Arc::clone(&open));
        std::thread::spawn(move || {
            // A connection that fails only ends itself.
            let _ = site.connection(stream);
            open.fetch_sub(1, Ordering::AcqRel);
        });
    }
    Ok(())
}

/// The site being served.
struct Site {
    /// The canonical root directory.
    root: PathBuf,
    /// Whether responses carry [`CSP`].
    csp: bool,
    cache: Mutex<Cache>,
}

/// Gzipped files by path, valid while the file's length and
/// modification time are unchanged (`None`: gzip does not pay).
#[derive(Default)]
struct Cache {
    files: HashMap<PathBuf, Gzipped>,
    bytes: usize,
}

/// A file's length and modification time, and its gzipped bytes.
type Gzipped = (u64, SystemTime, Option<Arc<Vec<u8>>>);

/// One parsed request.
struct Request {
    method: String,
    target: String,
    gzip: bool,
    etag: Option<String>,
    keep_alive: bool,
}

/// A response about to be written.
struct Response {
    status: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Arc<Vec<u8>>,
}

impl Response {
    fn text(status: &'static str, text: &str) -> Response {
        Response {
            status,
            headers: vec![(
                "Content-Type",
                "text/plain; charset=utf-8".to_owned(),
            )],
            body: Arc::new(text.as_bytes().to_vec()),
        }
    }
}

impl Site {
    /// Answers the requests of one connection until it closes, idles
    /// out or sends something that is not a request.
    fn connection(&self, stream: TcpStream) -> io::Result<()> {
        stream.set_read_timeout(Some(IDLE))?;
        // A response goes out in two writes when its body outgrows the
        // buffer (the head, then the body): with Nagle's algorithm the
        // second waits for the client's delayed ACK, some 40 ms.
        stream.set_nodelay(true)?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut writer = io::BufWriter::new(stream);
        loop {
            let req = match read_request(&mut reader)? {
                Some(Ok(r)) => r,
                Some(Err(status)) => {
                    let resp = Response::text(status, status);
                    write_response(&mut writer, &resp, false, false)?;
                    return Ok(());
                }
                None => return Ok(()),
            };
            let resp = self.respond(&req);
            let head_only = req.method == "HEAD";
            write_response(&mut writer, &resp, head_only, req.keep_alive)?;
            if !req.keep_alive {
                return Ok(());
            }
        }
    }

    fn respond(&self, req: &Request) -> Response {
        let mut resp = self.file_response(req);
        if self.csp {
            resp.headers.push(("Content-Security-Policy", CSP.to_owned()));
        }
        resp.headers.push(("X-Content-Type-Options", "nosniff".to_owned()));
        resp
    }

    fn file_response(&self, req: &Request) -> Response {
        if req.method != "GET" && req.method != "HEAD" {
            let mut r = Response::text(
                "405 Method Not Allowed",
                "405 Method Not Allowed: GET and HEAD only",
            );
            r.headers.push(("Allow", "GET, HEAD".to_owned()));
            return r;
        }
        let path = match url_path(&req.target) {
            Some(p) => p,
            None => {
                return Response::text("400 Bad Request", "400 Bad Request")
            }
        };
        let mut file = self.root.join(&path);
        if file.is_dir() {
            if !req.target.split('?').next().unwrap_or("").ends_with('/') {
                // `/docs` → `/docs/`, so the page's relative URLs resolve
                // inside it.
                let (p, q) = match req.target.split_once('?') {
                    Some((p, q)) => (p, format!("?{q}")),
                    None => (req.target.as_str(), String::new()),
                };
                let mut r = Response::text("301 Moved Permanently", "Moved");
                r.headers.push(("Location", format!("{p}/{q}")));
                return r;
            }
            file.push("index.html");
        }
        // Nothing outside the root, even through a symbolic link.
        let real = match fs::canonicalize(&file) {
            Ok(r) if r.starts_with(&self.root) && r.is_file() => r,
            // Browsers ask for it on their own: a site without one gets
            // an empty answer, not an error in the console.
            _ if path == Path::new("favicon.ico") => {
                return Response {
                    status: "204 No Content",
                    headers: Vec::new(),
                    body: Arc::new(Vec::new()),
                }
            }
            _ => return Response::text("404 Not Found", "404 Not Found"),
        };
        let meta = match fs::metadata(&real) {
            Ok(m) => m,
            Err(_) => return Response::text("404 Not Found", "404 Not Found"),
        };
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        let stamp = modified
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let etag = format!("\"{:x}-{stamp:x}\"", meta.len());
        let mime = mime_type(&real);
        let compressible = is_compressible(mime);
        let mut headers = vec![
            ("Content-Type", mime.to_owned()),
            ("Cache-Control", "no-cache".to_owned()),
            ("ETag", etag.clone()),
        ];
        if compressible {
            headers.push(("Vary", "Accept-Encoding".to_owned()));
        }
        if req.etag.as_deref() == Some(etag.as_str()) {
            return Response {
                status: "304 Not Modified",
                headers,
                body: Arc::new(Vec::new()),
            };
        }
        let gz = if compressible && req.gzip {
            self.gzipped(&real, meta.len(), modified)
        } else {
            None
        };
        let body = match gz {
            Some(z) => {
                headers.push(("Content-Encoding", "gzip".to_owned()));
                z
            }
            None => match fs::read(&real) {
                Ok(b) => Arc::new(b),
                Err(_) => {
                    return Response::text("404 Not Found", "404 Not Found")
                }
            },
        };
        Response { status: "200 OK", headers, body }
    }

    /// The file gzipped, from the cache when it has not changed; `None`
    /// when gzip saves less than a twentieth (already compressed data).
    fn gzipped(
        &self,
        path: &Path,
        len: u64,
        modified: SystemTime,
    ) -> Option<Arc<Vec<u8>>> {
        if let Ok(cache) = self.cache.lock() {
            if let Some((l, m, z)) = cache.files.get(path) {
                if *l == len && *m == modified {
                    return z.clone();
                }
            }
        }
        let bytes = fs::read(path).ok()?;
        let mut enc = flate2::write::GzEncoder::new(
            Vec::with_capacity(bytes.len() / 3),
            flate2::Compression::default(),
        );
        enc.write_all(&bytes).ok()?;
        let z = enc.finish().ok()?;
        let z =
            (z.len() < bytes.len() - bytes.len() / 20).then(|| Arc::new(z));
        if let Ok(mut cache) = self.cache.lock() {
            let size = z.as_ref().map_or(0, |z| z.len());
            if cache.bytes + size > CACHE_BYTES {
                cache.files.clear();
                cache.bytes = 0;
            }
            cache.bytes += size;
            cache.files.insert(path.to_owned(), (len, modified, z.clone()));
        }
        z
    }
}

/// Reads one request head: `None` at the end of the connection (or an
/// idle timeout), `Some(Err(status))` for one that cannot be served.
fn read_request(
    reader: &mut impl BufRead,
) -> io::Result<Option<std::result::Result<Request, &'static str>>> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = match reader
            .by_ref()
            .take((MAX_HEAD_BYTES + 1 - head.len()) as u64)
            .read_until(b'\n', &mut line)
        {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(None);
        }
        head.extend_from_slice(&line);
        if head.len() > MAX_HEAD_BYTES {
            return Ok(Some(Err("431 Request Header Fields Too Large")));
        }
        if line == b"\r\n" || line == b"\n" {
            if head.len() == line.len() {
                head.clear(); // blank lines before a request are allowed
                continue;
            }
            break;
        }
    }
    let Ok(head) = std::str::from_utf8(&head) else {
        return Ok(Some(Err("400 Bad Request")));
    };
    let mut lines = head.lines();
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let (Some(method), Some(target), Some(version)) =
        (first.next(), first.next(), first.next())
    else {
        return Ok(Some(Err("400 Bad Request")));
    };
    let mut req = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        gzip: false,
        etag: None,
        keep_alive: version == "HTTP/1.1",
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "accept-encoding" => {
                req.gzip = value.split(',').any(|e| {
                    let mut parts = e.split(';');
                    let coding = parts.next().unwrap_or("").trim();
                    let refused = parts.any(|p| {
                        let p = p.trim().replace(' ', "");
                        p == "q=0" || p == "q=0.0" || p == "q=0.00"
                    });
                    coding.eq_ignore_ascii_case("gzip") && !refused
                })
            }
            "if-none-match" => req.etag = Some(value.to_owned()),
            "connection" => {
                let v = value.to_ascii_lowercase();
                if v.contains("close") {
                    req.keep_alive = false;
                } else if v.contains("keep-alive") {
                    req.keep_alive = true;
                }
            }
            // A request with a body is not one this server takes.
            "content-length" if value != "0" => {
                return Ok(Some(Err("413 Content Too Large")))
            }
            "transfer-encoding" => {
                return Ok(Some(Err("413 Content Too Large")))
            }
            _ => {}
        }
    }
    Ok(Some(Ok(req)))
}

fn write_response(
    w: &mut impl Write,
    resp: &Response,
    head_only: bool,
    keep_alive: bool,
) -> io::Result<()> {
    write!(w, "HTTP/1.1 {}\r\n", resp.status)?;
    for (name, value) in &resp.headers {
        write!(w, "{name}: {value}\r\n")?;
    }
    write!(
        w,
        "Content-Length: {}\r\nConnection: {}\r\n\r\n",
        resp.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    )?;
    if !head_only {
        w.write_all(&resp.body)?;
    }
    w.flush()
}

/// The relative file path a request target names: percent-decoded,
/// query and fragment dropped, `.` segments skipped; `None` for a
/// target that is not a path, is not UTF-8, holds NUL or climbs out
/// with `..`.
fn url_path(target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    if !path.starts_with('/') {
        return None;
    }
    let decoded = percent_decode(path)?;
    let mut out = PathBuf::new();
    for segment in decoded.split('/') {
        if segment.contains('\0') || segment.contains('\\') {
            return None;
        }
        match Path::new(segment).components().next() {
            None | Some(Component::CurDir) => {}
            Some(Component::Normal(s)) if s == segment => out.push(s),
            _ => return None, // `..`, or anything else that is not a name
        }
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type of a file, by its extension.
fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        // Indexes (`.chron`) and chunks (`.bin`) among them.
        _ => "application/octet-stream",
    }
}

/// Whether a type is worth gzipping (text, code, wasm, index data);
/// images, fonts and PDFs are compressed already.
fn is_compressible(mime: &str) -> bool {
    mime.starts_with("text/")
        || (mime.starts_with("application/") && mime != "application/pdf")
        || mime == "image/svg+xml"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths() {
        let p = |s: &str| url_path(s).map(|p| p.display().to_string());
        assert_eq!(p("/"), Some(String::new()));
        assert_eq!(p("/a/b.html?q=1#x"), Some("a/b.html".into()));
        assert_eq!(p("/a%20b/./c"), Some("a b/c".into()));
        assert_eq!(p("/../etc/passwd"), None);
        assert_eq!(p("/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(p("/a%00b"), None);
        assert_eq!(p("/a%zz"), None);
        assert_eq!(p("/a\\..\\b"), None);
        assert_eq!(p("http://x/"), None);
    }

    #[test]
    fn mime_types() {
        assert_eq!(mime_type(Path::new("x.wasm")), "application/wasm");
        assert_eq!(
            mime_type(Path::new("a/B.JS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            mime_type(Path::new("chronicle.mjs")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            mime_type(Path::new("index.chron")),
            "application/octet-stream"
        );
        assert!(is_compressible("application/wasm"));
        assert!(!is_compressible("image/png"));
    }
}
