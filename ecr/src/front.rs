//! The ECR lab's front: a small HTTP proxy process that makes moto and
//! docker-registry behave as Amazon ECR does where they differ.
//!
//! API side (the SDK's endpoint; everything else passes through to moto):
//! - `GetAuthorizationToken` answers with a fresh token in ECR's shape that
//!   expires in 12 hours (moto's is a constant with a date in 2015), and the
//!   registry's htpasswd is rewritten to accept it.
//!
//! Registry side (where `<acct>.dkr.ecr.<region>.amazonaws.com` points):
//! - a token must be one the front issued, and not expired (ECR's `denied`);
//! - the repository must exist in moto (ECR's `name unknown`: Distribution
//!   would create it);
//! - tags come from moto, so `batch-delete-image` makes a pull fail with
//!   `manifest unknown`;
//! - a pushed manifest is put into moto, so `list-images` shows it.
//!
//! Metadata side: an EC2 instance metadata service whose instance has the
//! `ecsInstanceRole` role (its credentials come from moto's AssumeRole), for
//! the instance-role way of authenticating.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};

use whaleshell_runtime::fsutil::{read_json, write_json_atomic, StateLock};

use crate::state::{self as lab, LabState, Token};

type Body = BoxBody<Bytes, hyper::Error>;

const ECR_TARGET: &str = "AmazonEC2ContainerRegistry_V20150921";

struct Front {
    dir: PathBuf,
    state: LabState,
    client: Client<HttpConnector, Body>,
}

/// The front's process: `whaleshell __whaleshell-ecr-front LABDIR`.
pub fn main(args: &[String]) -> i32 {
    let [dir] = args else { return 2 };
    let dir = PathBuf::from(dir);
    let state: LabState = match read_json(&dir.join("front.json"), "ECR lab front config") {
        Ok(Some(s)) => s,
        _ => {
            eprintln!("ecr front: no readable front.json in {}", dir.display());
            return 2;
        }
    };
    // Its own process, with no forks to fear: threads let a push's blobs go
    // through while the registry checks bcrypt passwords.
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ecr front: {e}");
            return 1;
        }
    };
    let client = Client::builder(TokioExecutor::new()).build_http();
    let front = Arc::new(Front { dir, state, client });
    runtime.block_on(async move {
        let api = serve(front.clone(), front.state.api_port, Side::Api);
        let registry = serve(front.clone(), front.state.registry_port, Side::Registry);
        let imds = serve(front.clone(), front.state.imds_port, Side::Metadata);
        match tokio::try_join!(api, registry, imds) {
            Ok(_) => 0,
            Err(e) => {
                eprintln!("ecr front: {e}");
                1
            }
        }
    })
}

#[derive(Clone, Copy)]
enum Side {
    Api,
    Registry,
    Metadata,
}

async fn serve(front: Arc<Front>, port: u16, side: Side) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let front = front.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let front = front.clone();
                async move {
                    Ok::<_, Infallible>(match side {
                        Side::Api => front.api(req).await,
                        Side::Registry => front.registry(req).await,
                        Side::Metadata => front.metadata(req).await,
                    })
                }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed()
}

fn response(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("text/plain")));
    r
}

/// A registry error in the distribution protocol's shape, with ECR's words.
fn registry_error(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    let body = json!({ "errors": [{ "code": code, "message": message }] });
    response(status, "application/json; charset=utf-8", body.to_string())
}

/// The region a SigV4 request was signed for (`Credential=AKID/DATE/REGION/…`).
fn signed_region(req: &Request<Incoming>) -> Option<String> {
    let auth = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let scope = auth.split("Credential=").nth(1)?;
    scope.split('/').nth(2).map(str::to_owned)
}

/// A password in ECR's shape: base64 of a JSON envelope, ~1.6 kB.
fn new_password(expires_at: i64) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let random = |n: usize| {
        use rand::RngCore;
        let mut buf = vec![0u8; n];
        rand::thread_rng().fill_bytes(&mut buf);
        b64.encode(buf)
    };
    // Key order as ECR's (json! would sort them): the token starts `eyJwYXlsb2FkIjoi`.
    let envelope = format!(r#"{{"payload":"{}","datakey":"{}","version":"2","type":"DATA_KEY","expiration":{expires_at}}}"#, random(700), random(180));
    b64.encode(envelope)
}

impl Front {
    async fn forward(&self, port: u16, parts: hyper::http::request::Parts, body: Body) -> Response<Body> {
        let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let uri = match format!("http://127.0.0.1:{port}{path}").parse::<hyper::Uri>() {
            Ok(u) => u,
            Err(e) => return response(StatusCode::BAD_REQUEST, "text/plain", e.to_string()),
        };
        let mut req = Request::from_parts(parts, body);
        *req.uri_mut() = uri;
        match self.client.request(req).await {
            Ok(r) => r.map(|b| b.boxed()),
            Err(e) => response(StatusCode::BAD_GATEWAY, "text/plain", format!("lab backend on port {port}: {e}")),
        }
    }

    /// Calls moto's ECR API directly (moto checks no signatures; the scope names the region).
    async fn moto(&self, operation: &str, region: &str, input: Value) -> Result<Value, (String, String)> {
        let req = Request::post(format!("http://127.0.0.1:{}/", self.state.moto_port))
            .header(CONTENT_TYPE, "application/x-amz-json-1.1")
            .header("X-Amz-Target", format!("{ECR_TARGET}.{operation}"))
            .header(AUTHORIZATION, format!("AWS4-HMAC-SHA256 Credential=lab/20260101/{region}/ecr/aws4_request, SignedHeaders=host, Signature=0"))
            .body(full(input.to_string()));
        let req = req.map_err(|e| ("InternalError".to_owned(), e.to_string()))?;
        let resp = self.client.request(req).await.map_err(|e| ("ServiceUnavailable".to_owned(), e.to_string()))?;
        let ok = resp.status().is_success();
        let bytes = resp.into_body().collect().await.map(|c| c.to_bytes()).unwrap_or_default();
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if ok {
            Ok(value)
        } else {
            let code = value["__type"].as_str().unwrap_or("InternalError").rsplit('#').next().unwrap_or("InternalError").to_owned();
            let message = value["message"].as_str().or(value["Message"].as_str()).unwrap_or_default().to_owned();
            Err((code, message))
        }
    }

    async fn api(&self, req: Request<Incoming>) -> Response<Body> {
        let target = req.headers().get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let region = signed_region(&req).unwrap_or_else(|| lab::DEFAULT_REGION.to_owned());
        let (parts, body) = req.into_parts();
        if target == format!("{ECR_TARGET}.GetAuthorizationToken") {
            return self.issue_token(&region);
        }
        let response = self.forward(self.state.moto_port, parts, body.boxed()).await;
        let operation = target.strip_prefix(ECR_TARGET).unwrap_or_default().trim_start_matches('.');
        if !response.status().is_success() || !matches!(operation, "BatchDeleteImage" | "DescribeImages" | "DescribeImageScanFindings") {
            return response;
        }
        let (mut parts, body) = response.into_parts();
        // The answer's length changes; hyper sets it again from the new body.
        parts.headers.remove(hyper::header::CONTENT_LENGTH);
        let bytes = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
        let Ok(mut answer) = serde_json::from_slice::<Value>(&bytes) else { return Response::from_parts(parts, full(bytes)) };
        match operation {
            "BatchDeleteImage" => self.forget_untagged(&region, &answer).await,
            "DescribeImages" => self.real_sizes(&mut answer),
            _ => honest_findings(&mut answer),
        }
        Response::from_parts(parts, full(answer.to_string()))
    }

    /// moto reports the config's size; ECR the sum of the layers' (compressed) sizes.
    fn real_sizes(&self, answer: &mut Value) {
        let sizes: std::collections::BTreeMap<String, u64> = read_json(&self.dir.join("sizes.json"), "ECR lab image sizes").ok().flatten().unwrap_or_default();
        for detail in answer["imageDetails"].as_array_mut().into_iter().flatten() {
            if let Some(size) = detail["imageDigest"].as_str().and_then(|d| sizes.get(d)) {
                detail["imageSizeInBytes"] = json!(size);
            }
        }
    }

    fn record_size(&self, digest: &str, manifest: &[u8]) {
        let Ok(manifest) = serde_json::from_slice::<Value>(manifest) else { return };
        let size: u64 = manifest["layers"].as_array().into_iter().flatten().filter_map(|l| l["size"].as_u64()).sum();
        let path = self.dir.join("sizes.json");
        let Ok(_lock) = StateLock::acquire(&self.dir.join("sizes.lock")) else { return };
        let mut sizes: std::collections::BTreeMap<String, u64> = read_json(&path, "ECR lab image sizes").ok().flatten().unwrap_or_default();
        sizes.insert(digest.to_owned(), size);
        let _ = write_json_atomic(&path, &sizes);
    }

    /// IMDSv2: a session token first, then the role's name and credentials.
    async fn metadata(&self, req: Request<Incoming>) -> Response<Body> {
        const CREDENTIALS: &str = "/latest/meta-data/iam/security-credentials/";
        let path = req.uri().path().to_owned();
        if req.method() == Method::PUT && path == "/latest/api/token" {
            let mut r = response(StatusCode::OK, "text/plain", lab::random_hex(28));
            r.headers_mut().insert("x-aws-ec2-metadata-token-ttl-seconds", HeaderValue::from_static("21600"));
            return r;
        }
        if req.headers().get("x-aws-ec2-metadata-token").is_none() {
            return response(StatusCode::UNAUTHORIZED, "text/plain", "");
        }
        match path.strip_prefix(CREDENTIALS) {
            Some("") => response(StatusCode::OK, "text/plain", lab::INSTANCE_ROLE),
            Some(role) if role == lab::INSTANCE_ROLE => match self.assume_instance_role().await {
                Some(body) => response(StatusCode::OK, "application/json", body.to_string()),
                None => response(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "AssumeRole failed"),
            },
            _ => response(StatusCode::NOT_FOUND, "text/plain", ""),
        }
    }

    /// The instance role's credentials, in IMDS's shape, from moto's STS AssumeRole.
    async fn assume_instance_role(&self) -> Option<Value> {
        let role_arn = format!("arn:aws:iam::{}:role/{}", self.state.account, lab::INSTANCE_ROLE);
        let form = format!("Action=AssumeRole&Version=2011-06-15&RoleArn={role_arn}&RoleSessionName=i-0be11ab5c0ffee000&DurationSeconds=21600");
        let req = Request::post(format!("http://127.0.0.1:{}/", self.state.moto_port))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(
                AUTHORIZATION,
                format!("AWS4-HMAC-SHA256 Credential=lab/20260101/{}/sts/aws4_request, SignedHeaders=host, Signature=0", lab::DEFAULT_REGION),
            )
            .body(full(form))
            .ok()?;
        let resp = self.client.request(req).await.ok()?;
        let xml = String::from_utf8_lossy(&resp.into_body().collect().await.ok()?.to_bytes()).into_owned();
        let field = |tag: &str| -> Option<String> {
            let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
            let end = start + xml[start..].find(&format!("</{tag}>"))?;
            Some(xml[start..end].to_owned())
        };
        Some(json!({
            "Code": "Success",
            "LastUpdated": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "Type": "AWS-HMAC",
            "AccessKeyId": field("AccessKeyId")?,
            "SecretAccessKey": field("SecretAccessKey")?,
            "Token": field("SessionToken")?,
            "Expiration": field("Expiration")?,
        }))
    }

    fn issue_token(&self, region: &str) -> Response<Body> {
        let expires_at = chrono::Utc::now().timestamp() + lab::TOKEN_LIFETIME.as_secs() as i64;
        let password = new_password(expires_at);
        let stored = (|| -> crate::Result<()> {
            let _lock = StateLock::acquire(&self.dir.join("tokens.lock"))?;
            let mut tokens = lab::read_tokens(&self.dir);
            let now = chrono::Utc::now().timestamp();
            tokens.retain(|_, t| t.expires_at > now);
            tokens.insert(password.clone(), Token { account: self.state.account.clone(), region: region.to_owned(), expires_at });
            write_json_atomic(&lab::tokens_path(&self.dir), &tokens)?;
            lab::write_htpasswd(&self.dir, &password)
        })();
        if let Err(e) = stored {
            return response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "application/x-amz-json-1.1",
                json!({"__type": "ServerException", "message": e.to_string()}).to_string(),
            );
        }
        let token = base64::engine::general_purpose::STANDARD.encode(format!("AWS:{password}"));
        let body = json!({
            "authorizationData": [{
                "authorizationToken": token,
                "expiresAt": expires_at,
                "proxyEndpoint": format!("https://{}.dkr.ecr.{region}.amazonaws.com", self.state.account),
            }]
        });
        response(StatusCode::OK, "application/x-amz-json-1.1", body.to_string())
    }

    /// After `batch-delete-image`, manifests no tag or image in moto refers
    /// to any more are deleted from the registry too, freeing their blobs' references.
    async fn forget_untagged(&self, region: &str, answer: &Value) {
        let Some(ids) = answer["imageIds"].as_array() else { return };
        let repository = answer.get("repositoryName").and_then(Value::as_str);
        for id in ids {
            let (Some(digest), Some(repository)) = (id["imageDigest"].as_str(), repository.or(id["repositoryName"].as_str())) else { continue };
            let still_there = self.moto("DescribeImages", region, json!({"repositoryName": repository, "imageIds": [{"imageDigest": digest}]})).await.is_ok();
            if !still_there {
                let _ = self.registry_call(Method::DELETE, &format!("/v2/{repository}/manifests/{digest}")).await;
            }
        }
    }

    async fn registry_call(&self, method: Method, path: &str) -> Option<StatusCode> {
        let req = Request::builder()
            .method(method)
            .uri(format!("http://127.0.0.1:{}{path}", self.state.backend_registry_port))
            .header(AUTHORIZATION, self.registry_authorization()?)
            .body(full(Bytes::new()))
            .ok()?;
        self.client.request(req).await.ok().map(|r| r.status())
    }

    /// Basic credentials the registry's htpasswd accepts: the newest token.
    fn registry_authorization(&self) -> Option<HeaderValue> {
        let password = std::fs::read_to_string(self.dir.join("registry-password")).ok()?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(format!("AWS:{password}"));
        HeaderValue::from_str(&format!("Basic {encoded}")).ok()
    }

    fn unauthorized(&self) -> Response<Body> {
        let mut r = registry_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "authentication required");
        let realm = format!("Basic realm=\"https://{}.dkr.ecr.{}.amazonaws.com\",service=\"ecr.amazonaws.com\"", self.state.account, lab::DEFAULT_REGION);
        if let Ok(v) = HeaderValue::from_str(&realm) {
            r.headers_mut().insert("www-authenticate", v);
        }
        r
    }

    async fn registry(&self, req: Request<Incoming>) -> Response<Body> {
        let Some(token) = self.caller_token(&req) else { return self.unauthorized() };
        if token.expires_at <= chrono::Utc::now().timestamp() {
            return registry_error(StatusCode::FORBIDDEN, "DENIED", "Your authorization token has expired. Reauthenticate and try again.");
        }
        let region = token.region.clone();
        let path = req.uri().path().to_owned();
        let Some((repository, kind, reference)) = split_path(&path) else {
            return self.pass_to_registry(req).await;
        };
        let exists = self.moto("DescribeRepositories", &region, json!({"repositoryNames": [repository]})).await;
        if exists.is_err() {
            return registry_error(
                StatusCode::NOT_FOUND,
                "NAME_UNKNOWN",
                &format!("The repository with name '{repository}' does not exist in the registry with id '{}'", token.account),
            );
        }
        if kind != "manifests" {
            return self.pass_to_registry(req).await;
        }
        let image_id = if reference.starts_with("sha256:") { json!({"imageDigest": reference}) } else { json!({"imageTag": reference}) };
        match *req.method() {
            Method::GET | Method::HEAD => {
                let known = self.moto("DescribeImages", &region, json!({"repositoryName": repository, "imageIds": [image_id]})).await;
                if known.is_err() {
                    return registry_error(StatusCode::NOT_FOUND, "MANIFEST_UNKNOWN", "Requested image not found");
                }
                self.pass_to_registry(req).await
            }
            Method::PUT => self.put_manifest(req, &region, repository, reference).await,
            _ => self.pass_to_registry(req).await,
        }
    }

    /// A pushed manifest goes to the registry, then into moto under its tag.
    async fn put_manifest(&self, req: Request<Incoming>, region: &str, repository: &str, reference: &str) -> Response<Body> {
        let media_type = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/vnd.oci.image.manifest.v1+json").to_owned();
        let (parts, body) = req.into_parts();
        let manifest = match body.collect().await {
            Ok(c) => c.to_bytes(),
            Err(e) => return response(StatusCode::BAD_REQUEST, "text/plain", e.to_string()),
        };
        let stored = self.pass_parts_to_registry(parts, full(manifest.clone())).await;
        if !stored.status().is_success() {
            return stored;
        }
        let mut input = json!({
            "repositoryName": repository,
            "imageManifest": String::from_utf8_lossy(&manifest),
            "imageManifestMediaType": media_type,
            // moto would make up a digest of its own; ECR's is the manifest's.
            "imageDigest": whaleshell_runtime::digest::sha256(&manifest),
        });
        self.record_size(&whaleshell_runtime::digest::sha256(&manifest), &manifest);
        if !reference.starts_with("sha256:") {
            input["imageTag"] = json!(reference);
        }
        match self.moto("PutImage", region, input).await {
            Ok(_) => stored,
            Err((code, _)) if code == "ImageAlreadyExistsException" => stored,
            Err((code, message)) if code == "ImageTagAlreadyExistsException" => registry_error(StatusCode::BAD_REQUEST, "TAG_INVALID", &message),
            Err((code, message)) => registry_error(StatusCode::INTERNAL_SERVER_ERROR, "UNKNOWN", &format!("{code}: {message}")),
        }
    }

    async fn pass_to_registry(&self, req: Request<Incoming>) -> Response<Body> {
        let (parts, body) = req.into_parts();
        self.pass_parts_to_registry(parts, body.boxed()).await
    }

    /// Passes a request on with the registry's own credentials; the Host
    /// header stays, so the registry's upload URLs point back at the front.
    async fn pass_parts_to_registry(&self, mut parts: hyper::http::request::Parts, body: Body) -> Response<Body> {
        match self.registry_authorization() {
            Some(v) => {
                parts.headers.insert(AUTHORIZATION, v);
            }
            None => return self.unauthorized(),
        }
        if !parts.headers.contains_key(HOST) {
            if let Ok(v) = HeaderValue::from_str(&format!("127.0.0.1:{}", self.state.registry_port)) {
                parts.headers.insert(HOST, v);
            }
        }
        self.forward(self.state.backend_registry_port, parts, body).await
    }

    /// The caller's token, if the Basic credentials are `AWS` and a token this front issued.
    fn caller_token(&self, req: &Request<Incoming>) -> Option<Token> {
        let auth = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
        let encoded = auth.strip_prefix("Basic ")?;
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (user, password) = text.split_once(':')?;
        if user != "AWS" {
            return None;
        }
        lab::read_tokens(&self.dir).remove(password)
    }
}

/// moto invents a vulnerability (`CVE-9999-9999` in `moto_fake`); the lab
/// has no vulnerability database, and says so instead of showing a fake one.
fn honest_findings(answer: &mut Value) {
    if answer["imageScanStatus"]["status"] != "COMPLETE" {
        return;
    }
    answer["imageScanStatus"]["description"] =
        json!("The local ECR lab has no vulnerability database, so it reports no findings. Real ECR lists the CVEs of the image's OS packages here.");
    if let Some(findings) = answer.get_mut("imageScanFindings") {
        findings["findingSeverityCounts"] = json!({});
        findings["findings"] = json!([]);
    }
}

/// `/v2/NAME/(manifests|blobs|tags)/REST` → (NAME, kind, REST).
fn split_path(path: &str) -> Option<(&str, &str, &str)> {
    let rest = path.strip_prefix("/v2/")?;
    for kind in ["/manifests/", "/blobs/", "/tags/"] {
        if let Some(at) = rest.rfind(kind) {
            return Some((&rest[..at], &kind[1..kind.len() - 1], &rest[at + kind.len()..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::split_path;

    #[test]
    fn registry_paths_name_their_repository() {
        assert_eq!(split_path("/v2/apache-app/manifests/latest"), Some(("apache-app", "manifests", "latest")));
        assert_eq!(split_path("/v2/team/app/blobs/uploads/"), Some(("team/app", "blobs", "uploads/")));
        assert_eq!(split_path("/v2/"), None);
    }
}
