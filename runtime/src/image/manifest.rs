//! OCI descriptors and image manifests, made one way for every producer
//! (the hub, build and commit, load).

use libcontainer::oci_spec::image::{Descriptor, DescriptorBuilder, Digest, ImageManifestBuilder, MediaType};

use crate::digest::sha256;
use crate::error::{Error, Result};

fn spec_error(e: impl std::fmt::Display) -> Error {
    Error::Spec(e.to_string())
}

/// A descriptor of a blob: its media type, digest and size.
pub fn descriptor(media_type: MediaType, digest: &str, size: u64) -> Result<Descriptor> {
    DescriptorBuilder::default().media_type(media_type).digest(digest.parse::<Digest>().map_err(spec_error)?).size(size).build().map_err(spec_error)
}

/// The manifest of an image with this config and these layers, serialised:
/// (bytes, digest of the bytes).
pub fn manifest(config_digest: &str, config_size: u64, layers: Vec<Descriptor>) -> Result<(Vec<u8>, String)> {
    let manifest = ImageManifestBuilder::default()
        .schema_version(2u32)
        .media_type(MediaType::ImageManifest)
        .config(descriptor(MediaType::ImageConfig, config_digest, config_size)?)
        .layers(layers)
        .build()
        .map_err(spec_error)?;
    let bytes = manifest.to_string().map_err(spec_error)?.into_bytes();
    let digest = sha256(&bytes);
    Ok((bytes, digest))
}
