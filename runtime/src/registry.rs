//! Registries over the OCI distribution protocol (oci-client): logging in,
//! pushing and pulling. Loopback registries (`localhost`, `127.0.0.0/8`)
//! speak plain HTTP, as Docker allows; others need TLS. Blobs are pushed
//! whole (ECR refuses chunked uploads), and only when the registry lacks them.

use std::collections::BTreeSet;

use futures_util::{StreamExt, TryStreamExt};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::Client;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use crate::digest::{sha256, short};
use crate::error::{Error, Result};
use crate::image::layer;
use crate::image::pull::{ImageSource, LayerStatus, PullEvent, PullOutcome};
use crate::image::store::{read_blob, ImageRecord, ImageStore, LayerInfo};
use crate::layout::Layout;
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

const MANIFEST_TYPES: &[&str] = &["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"];

pub fn is_loopback(domain: &str) -> bool {
    let host = domain.rsplit_once(':').map_or(domain, |(h, _)| h);
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

fn scheme(domain: &str) -> &'static str {
    if is_loopback(domain) {
        "http"
    } else {
        "https"
    }
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
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(Error::io("starting the network runtime", "tokio"))?;
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
    let response = block_on(async { reqwest::Client::new().get(&url).basic_auth(&creds.username, Some(&creds.password)).send().await })?
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
pub fn push(
    store: &ImageStore,
    image: &ImageRecord,
    reference: &Reference,
    creds: Option<&Credentials>,
    on_event: &mut dyn FnMut(PushEvent),
) -> Result<(String, usize)> {
    let target = oci_ref(reference)?;
    let layout = store.layout().clone();
    let client = client(&reference.domain);
    let auth = auth(creds);
    for l in image.layers.iter().rev() {
        on_event(PushEvent::Preparing(short(&l.diff_id).to_owned()));
    }
    block_on(async {
        probe(&reference.domain, creds).await?;
        client.auth(&target, &auth, oci_client::RegistryOperation::Push).await.map_err(|e| registry_error(&reference.domain, e))?;
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

/// A registry as an image source: `host` serves the images (the registry
/// itself, a mirror of Docker Hub, the local ECR lab), logged in with `creds`.
pub struct RegistrySource {
    pub host: String,
    pub creds: Option<Credentials>,
    pub max_downloads: usize,
}

impl ImageSource for RegistrySource {
    fn pull(&self, store: &ImageStore, reference: &Reference, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome> {
        let mut served = reference.clone();
        served.domain = self.host.clone();
        pull(store, &served, reference, self.creds.as_ref(), self.max_downloads, on_event)
    }
}

/// `docker pull` from a registry: the manifest, the config, then each layer
/// the store does not have yet — up to `max_downloads` at once, each blob
/// streamed to a file and checked against its digest, then unpacked in
/// layer order. The image is stored under `name` (the reference itself, or
/// the Docker Hub name a mirror serves). A pull that fails leaves the store
/// as it was.
pub fn pull(
    store: &ImageStore,
    reference: &Reference,
    name: &Reference,
    creds: Option<&Credentials>,
    max_downloads: usize,
    on_event: &mut dyn FnMut(PullEvent),
) -> Result<PullOutcome> {
    let source = oci_ref(reference)?;
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
        let mut jobs = Vec::new();
        for (desc, diff_id) in manifest.layers().iter().zip(config.rootfs().diff_ids()) {
            let digest = desc.digest().to_string();
            let short = short(&digest).to_owned();
            let size = if store.has_layer(diff_id) {
                on_event(PullEvent::Layer { short, status: LayerStatus::AlreadyExists });
                crate::fsutil::dir_size(&store.layout().layer_dir(diff_id))
            } else {
                on_event(PullEvent::Layer { short: short.clone(), status: LayerStatus::PullingFsLayer });
                jobs.push(Job { index: layers.len(), short, digest: digest.clone(), diff_id: diff_id.clone(), size: desc.size() });
                0
            };
            layers.push(LayerInfo { digest, diff_id: diff_id.clone(), size });
        }
        let max_downloads = max_downloads.max(1);
        for job in jobs.iter().skip(max_downloads) {
            on_event(PullEvent::Layer { short: job.short.clone(), status: LayerStatus::Waiting });
        }
        let (events, mut received) = mpsc::unbounded_channel();
        let work = fetch_layers(&client, &source, &reference.domain, store.layout(), &jobs, max_downloads, events);
        let drain = async {
            while let Some(event) = received.recv().await {
                on_event(event);
            }
        };
        let (fetched, ()) = tokio::join!(work, drain);
        let fetched = match fetched {
            Ok(sizes) => sizes,
            Err(e) => {
                let new: Vec<LayerInfo> = jobs.iter().map(|j| layers[j.index].clone()).collect();
                let _ = store.remove_unused_layers(&new);
                return Err(e);
            }
        };
        for (job, size) in jobs.iter().zip(fetched) {
            layers[job.index].size = size;
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
            parent: None,
        };
        store.add(image.clone(), Some(name))?;
        on_event(PullEvent::Digest(manifest_digest));
        Ok(PullOutcome { image, downloaded: true })
    })?
}

/// A layer the store lacks: downloaded, then unpacked.
struct Job {
    /// Position in the image's layers.
    index: usize,
    short: String,
    digest: String,
    diff_id: String,
    size: u64,
}

type Events = mpsc::UnboundedSender<PullEvent>;

fn say(events: &Events, job: &Job, status: LayerStatus) {
    // The receiver goes only when the pull is over; nothing is lost then.
    let _ = events.send(PullEvent::Layer { short: job.short.clone(), status });
}

/// Downloads the jobs' blobs, `max` at a time, and unpacks each in layer
/// order as soon as it and the layers below it are here, while later ones
/// still download. Returns the unpacked sizes, in the jobs' order.
async fn fetch_layers(
    client: &Client,
    source: &oci_client::Reference,
    domain: &str,
    layout: &Layout,
    jobs: &[Job],
    max: usize,
    events: Events,
) -> Result<Vec<u64>> {
    let (done, mut arrived) = mpsc::unbounded_channel::<usize>();
    let downloads = futures_util::stream::iter(jobs.iter().enumerate())
        .map(|(n, job)| {
            let events = events.clone();
            async move { download(client, source, domain, layout, job, &events).await.map(|()| n) }
        })
        .buffer_unordered(max)
        .try_for_each(|n| {
            let _ = done.send(n);
            std::future::ready(Ok(()))
        });
    let unpacks = async {
        let mut here = BTreeSet::new();
        let mut sizes = Vec::with_capacity(jobs.len());
        while let Some(job) = jobs.get(sizes.len()) {
            while !here.remove(&sizes.len()) {
                // Ends only when every download succeeded or one failed (and the join stops).
                here.insert(arrived.recv().await.ok_or_else(|| Error::Registry("download stopped".into()))?);
            }
            sizes.push(unpack(layout, job, events.clone()).await?);
        }
        Ok(sizes)
    };
    let ((), sizes) = tokio::try_join!(downloads, unpacks)?;
    Ok(sizes)
}

/// Streams one blob into a temporary file beside the blobs (removed if the
/// download fails or is dropped), checked against its digest, then named by it.
async fn download(client: &Client, source: &oci_client::Reference, domain: &str, layout: &Layout, job: &Job, events: &Events) -> Result<()> {
    let blob = layout.blob(&job.digest);
    if blob.exists() {
        say(events, job, LayerStatus::DownloadComplete);
        return Ok(());
    }
    let dir = layout.blobs_dir();
    std::fs::create_dir_all(&dir).map_err(Error::io("creating", &dir))?;
    let tmp = tempfile::Builder::new()
        .prefix(".pull-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(&dir)
        .map_err(Error::io("creating a download file in", &dir))?;
    // Said before the request, so the downloads that hold a slot are the ones shown downloading.
    say(events, job, LayerStatus::Downloading { current: 0, total: job.size });
    let mut stream = client.pull_blob_stream(source, &job.digest.as_str()).await.map_err(|e| registry_error(domain, e))?;
    let total = stream.content_length.unwrap_or(job.size);
    let file = tmp.reopen().map_err(Error::io("opening", tmp.path()))?;
    let mut file = tokio::io::BufWriter::new(tokio::fs::File::from_std(file));
    let mut current = 0;
    // oci-client's stream checks the digest at its end and fails there on a mismatch.
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            if e.get_ref().is_some_and(|inner| inner.is::<oci_client::errors::DigestError>()) {
                Error::Registry(format!("filesystem layer verification failed for digest {}", job.digest))
            } else {
                registry_error(domain, e.into())
            }
        })?;
        file.write_all(&chunk).await.map_err(Error::io("writing", tmp.path()))?;
        current += chunk.len() as u64;
        say(events, job, LayerStatus::Downloading { current, total });
    }
    file.flush().await.map_err(Error::io("writing", tmp.path()))?;
    say(events, job, LayerStatus::VerifyingChecksum);
    tmp.persist(&blob).map_err(|e| Error::io("storing", &blob)(e.error))?;
    say(events, job, LayerStatus::DownloadComplete);
    Ok(())
}

/// Unpacks one downloaded layer off the network thread. Returns its size.
async fn unpack(layout: &Layout, job: &Job, events: Events) -> Result<u64> {
    let blob = layout.blob(&job.digest);
    let dest = layout.layer_dir(&job.diff_id);
    let total = std::fs::metadata(&blob).map_err(Error::io("reading", &blob))?.len();
    let diff_id = job.diff_id.clone();
    let short = job.short.clone();
    tokio::task::spawn_blocking(move || {
        layer::unpack_with_progress(&blob, &dest, &mut |current| {
            let _ = events.send(PullEvent::Layer { short: short.clone(), status: LayerStatus::Extracting { current, total } });
        })
        .and_then(|(actual, size)| {
            if actual != diff_id {
                let _ = crate::fsutil::remove_tree(&dest);
                return Err(Error::Corrupt { what: "layer", path: blob, detail: format!("diffID {actual}, config says {diff_id}") });
            }
            let _ = events.send(PullEvent::Layer { short, status: LayerStatus::PullComplete });
            Ok(size)
        })
    })
    .await
    .map_err(|e| Error::Registry(format!("unpacking a layer: {e}")))?
}
