//! Registries over the OCI distribution protocol (oci-client): logging in,
//! pushing and pulling. Loopback registries (`localhost`, `127.0.0.0/8`)
//! speak plain HTTP, as Docker allows; others need TLS. Blobs are pushed
//! whole (ECR refuses chunked uploads), and only when the registry lacks them.

use std::fs::File;
use std::io::Write;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::Client;

use crate::digest::{sha256, short};
use crate::error::{Error, Result};
use crate::image::layer;
use crate::image::pull::{PullEvent, PullOutcome};
use crate::image::store::{read_blob, ImageRecord, ImageStore, LayerInfo};
use crate::reference::Reference;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// Progress of a push, in the order Docker prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushEvent {
    /// `<12 hex>: Preparing`
    Preparing(String),
    /// `<12 hex>: Pushed`
    Pushed(String),
    /// `<12 hex>: Layer already exists`
    Exists(String),
}

const MANIFEST_TYPES: &[&str] = &[
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

pub fn is_loopback(domain: &str) -> bool {
    let host = domain.rsplit_once(':').map_or(domain, |(h, _)| h);
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

fn scheme(domain: &str) -> &'static str {
    if is_loopback(domain) { "http" } else { "https" }
}

fn client(domain: &str) -> Client {
    let protocol = if is_loopback(domain) { ClientProtocol::HttpsExcept(vec![domain.to_owned()]) } else { ClientProtocol::Https };
    Client::new(ClientConfig { protocol, use_monolithic_push: true, ..Default::default() })
}

fn auth(creds: Option<&Credentials>) -> RegistryAuth {
    match creds {
        Some(c) => RegistryAuth::Basic(c.username.clone(), c.password.clone()),
        None => RegistryAuth::Anonymous,
    }
}

/// Runs network work on a small runtime of its own, only for the call: the
/// app stays single-threaded between commands (libcontainer forks happen in
/// monitor processes anyway).
fn block_on<F: std::future::Future>(future: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::io("starting the network runtime", "tokio"))?;
    Ok(rt.block_on(future))
}

fn oci_ref(reference: &Reference) -> Result<oci_client::Reference> {
    reference.full().parse().map_err(|e: oci_client::ParseError| Error::InvalidReference(e.to_string()))
}

fn registry_error(domain: &str, e: oci_client::errors::OciDistributionError) -> Error {
    if let Some(text) = envelope_text(&e) {
        return Error::Registry(text);
    }
    let text = e.to_string();
    if let Some(expected) = text.split("Expected ").nth(1).and_then(|t| t.split(',').next()).filter(|_| text.contains("Digest error")) {
        // Docker's words for a blob whose bytes are not what its digest promises.
        return Error::Registry(format!("filesystem layer verification failed for digest {expected}"));
    }
    if text.contains("401") || text.to_lowercase().contains("unauthorized") {
        Error::Registry("unauthorized: authentication required".into())
    } else if text.to_lowercase().contains("connect") || text.contains("dns") {
        Error::Registry(format!("Get \"{}://{domain}/v2/\": dial tcp {domain}: connect: connection refused", scheme(domain)))
    } else {
        Error::Registry(text)
    }
}

/// A registry's error as Docker prints it: `name unknown: The repository …`.
fn envelope_text(e: &oci_client::errors::OciDistributionError) -> Option<String> {
    use oci_client::errors::OciDistributionError;
    let body: serde_json::Value = match e {
        OciDistributionError::RegistryError { envelope, .. } => serde_json::to_value(envelope).ok()?,
        // Some calls report the body unparsed.
        OciDistributionError::ServerError { message, .. } => serde_json::from_str(message).ok()?,
        _ => return None,
    };
    let first = &body["errors"][0];
    let code = first["code"].as_str()?.to_lowercase().replace('_', " ");
    Some(format!("{code}: {}", first["message"].as_str().unwrap_or_default()))
}

/// Docker's first request, `GET /v2/`: a registry that refuses these
/// credentials outright (ECR's expired token) says why here.
async fn probe(domain: &str, creds: Option<&Credentials>) -> Result<()> {
    let url = format!("{}://{domain}/v2/", scheme(domain));
    let mut request = reqwest::Client::new().get(&url);
    if let Some(c) = creds {
        request = request.basic_auth(&c.username, Some(&c.password));
    }
    let Ok(response) = request.send().await else { return Ok(()) };
    if response.status().as_u16() == 401 && creds.is_none() {
        return Err(Error::Registry("no basic auth credentials".into()));
    }
    if response.status().as_u16() != 403 {
        return Ok(());
    }
    let message = response.text().await.unwrap_or_default();
    let e = oci_client::errors::OciDistributionError::ServerError { code: 403, url, message };
    Err(Error::Registry(envelope_text(&e).unwrap_or_else(|| "denied: requested access to the resource is denied".into())))
}

/// `docker login`: the registry must accept these credentials at `/v2/`.
/// `shown` is the registry as the learner named it; `domain` where it is reached.
pub fn check_login(shown: &str, domain: &str, creds: &Credentials) -> Result<()> {
    let url = format!("{}://{domain}/v2/", scheme(domain));
    let shown_url = format!("{}://{shown}/v2/", scheme(shown));
    let response = block_on(async {
        reqwest::Client::new().get(&url).basic_auth(&creds.username, Some(&creds.password)).send().await
    })?
    .map_err(|e| Error::Registry(format!("Get \"{shown_url}\": {e}")))?;
    match response.status().as_u16() {
        200..=299 => Ok(()),
        401 => Err(Error::Registry(format!("login attempt to {shown_url} failed with status: 401 Unauthorized"))),
        403 => Err(Error::Registry(format!("login attempt to {shown_url} failed with status: 403 Forbidden"))),
        code => Err(Error::Registry(format!("login attempt to {shown_url} failed with status: {code}"))),
    }
}

/// `docker push`: every layer the registry lacks, then the config and the
/// manifest. Returns the manifest digest and size.
pub fn push(store: &ImageStore, image: &ImageRecord, reference: &Reference, creds: Option<&Credentials>, on_event: &mut dyn FnMut(PushEvent)) -> Result<(String, usize)> {
    let target = oci_ref(reference)?;
    let layout = store.layout().clone();
    let client = client(&reference.domain);
    let auth = auth(creds);
    for l in image.layers.iter().rev() {
        on_event(PushEvent::Preparing(short(&l.diff_id).to_owned()));
    }
    block_on(async {
        probe(&reference.domain, creds).await?;
        client
            .auth(&target, &auth, oci_client::RegistryOperation::Push)
            .await
            .map_err(|e| registry_error(&reference.domain, e))?;
        for l in image.layers.iter().rev() {
            let id = short(&l.diff_id).to_owned();
            if client.blob_exists(&target, &l.digest).await.map_err(|e| registry_error(&reference.domain, e))? {
                on_event(PushEvent::Exists(id));
                continue;
            }
            let bytes = read_blob(&layout, &l.digest)?;
            client.push_blob(&target, bytes, &l.digest).await.map_err(|e| registry_error(&reference.domain, e))?;
            on_event(PushEvent::Pushed(id));
        }
        if !client.blob_exists(&target, &image.id).await.map_err(|e| registry_error(&reference.domain, e))? {
            let config = read_blob(&layout, &image.id)?;
            client.push_blob(&target, config, &image.id).await.map_err(|e| registry_error(&reference.domain, e))?;
        }
        let manifest = read_blob(&layout, &image.manifest_digest)?;
        let size = manifest.len();
        let content_type = reqwest::header::HeaderValue::from_static("application/vnd.oci.image.manifest.v1+json");
        client.push_manifest_raw(&target, manifest, content_type).await.map_err(|e| registry_error(&reference.domain, e))?;
        Ok((image.manifest_digest.clone(), size))
    })?
}

/// `docker pull` from a registry: the manifest, the config, then each layer
/// the store does not have yet. The image is stored under `name` (the
/// reference itself, or the Docker Hub name a mirror serves).
pub fn pull(store: &ImageStore, reference: &Reference, name: &Reference, creds: Option<&Credentials>, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome> {
    let source = oci_ref(reference)?;
    let layout = store.layout().clone();
    let client = client(&reference.domain);
    let auth = auth(creds);
    block_on(async {
        probe(&reference.domain, creds).await?;
        let (manifest_bytes, _) = client.pull_manifest_raw(&source, &auth, MANIFEST_TYPES).await.map_err(|e| {
            let text = e.to_string();
            if let Some(said) = envelope_text(&e) {
                // The registry's own words (ECR: `Requested image not found`).
                if said.starts_with("manifest unknown") {
                    Error::Registry(format!("manifest for {} not found: {said}", name.familiar()))
                } else if said.starts_with("name unknown") {
                    Error::Registry(format!("repository {} not found: {said}", name.familiar_name()))
                } else {
                    Error::Registry(said)
                }
            } else if text.contains("MANIFEST_UNKNOWN") || text.contains("manifest unknown") || text.contains("404") {
                Error::ManifestUnknown(reference.familiar())
            } else {
                registry_error(&reference.domain, e)
            }
        })?;
        let manifest_digest = sha256(&manifest_bytes);
        let tag = name.tag.clone().or_else(|| name.digest.clone()).unwrap_or_else(|| name.tag_or_latest().to_owned());
        on_event(PullEvent::PullingFrom { tag, repository: name.path.clone() });
        if let Some(existing) = store.by_reference(name)? {
            if existing.manifest_digest == manifest_digest {
                on_event(PullEvent::Digest(manifest_digest));
                return Ok(PullOutcome { image: existing, downloaded: false });
            }
        }
        let manifest = libcontainer::oci_spec::image::ImageManifest::from_reader(&manifest_bytes[..])
            .map_err(|e| Error::Registry(format!("unsupported manifest: {e}")))?;
        let config_digest = manifest.config().digest().to_string();
        let mut config_bytes = Vec::new();
        client.pull_blob(&source, &config_digest.as_str(), &mut config_bytes).await.map_err(|e| registry_error(&reference.domain, e))?;
        if sha256(&config_bytes) != config_digest {
            return Err(Error::Registry(format!("config blob {config_digest} does not match its digest")));
        }
        let config = libcontainer::oci_spec::image::ImageConfiguration::from_reader(config_bytes.as_slice())
            .map_err(|e| Error::Registry(format!("bad image config: {e}")))?;
        let mut layers = Vec::new();
        for (desc, diff_id) in manifest.layers().iter().zip(config.rootfs().diff_ids()) {
            let digest = desc.digest().to_string();
            let id = short(&digest).to_owned();
            let dest = layout.layer_dir(diff_id);
            if store.has_layer(diff_id) {
                on_event(PullEvent::LayerExists { short: id });
                layers.push(LayerInfo { digest, diff_id: diff_id.clone(), size: crate::image::pull::dir_size(&dest) });
                continue;
            }
            let blob = layout.blob(&digest);
            if !blob.exists() {
                let mut bytes = Vec::new();
                client.pull_blob(&source, &digest.as_str(), &mut bytes).await.map_err(|e| registry_error(&reference.domain, e))?;
                if sha256(&bytes) != digest {
                    return Err(Error::Registry(format!("filesystem layer verification failed for digest {digest}")));
                }
                let tmp = layout.blobs_dir().join(format!(".pull-{}.tmp", std::process::id()));
                std::fs::create_dir_all(layout.blobs_dir()).map_err(Error::io("creating", layout.blobs_dir()))?;
                File::create(&tmp).and_then(|mut f| f.write_all(&bytes)).map_err(Error::io("writing", &tmp))?;
                std::fs::rename(&tmp, &blob).map_err(Error::io("storing", &blob))?;
            }
            let (actual, size) = layer::unpack(&blob, &dest)?;
            if actual != *diff_id {
                let _ = crate::fsutil::remove_tree(&dest);
                return Err(Error::Corrupt { what: "layer", path: blob, detail: format!("diffID {actual}, config says {diff_id}") });
            }
            on_event(PullEvent::LayerPulled { short: id });
            layers.push(LayerInfo { digest, diff_id: diff_id.clone(), size });
        }
        store.put_blob(&config_digest, &config_bytes)?;
        store.put_blob(&manifest_digest, &manifest_bytes)?;
        let image = ImageRecord {
            id: config_digest,
            manifest_digest: manifest_digest.clone(),
            layers,
            created: config.created().as_deref().and_then(|c| c.parse().ok()),
            repo_digests: vec![format!("{}@{}", name.familiar_name(), manifest_digest)],
            intermediate: false,
        };
        store.add(image.clone(), Some(name))?;
        on_event(PullEvent::Digest(manifest_digest));
        Ok(PullOutcome { image, downloaded: true })
    })?
}
