//! `docker import`: a tarball (a `docker export`, any root filesystem)
//! becomes a one-layer image, its config set by `--change` instructions.

use std::io::{Read, Write};

use flate2::read::GzDecoder;

use crate::error::{Error, Result};
use crate::image::change::apply_changes;
use crate::image::commit::{derive_image, Clock, Entry};
use crate::image::config::ContainerConfig;
use crate::image::layer;
use crate::image::store::{ImageRecord, ImageStore, LayerInfo};
use crate::reference::Reference;

/// Makes an image of `tarball` (a tar, gzipped or not): one layer, the
/// config `changes` make of an empty one, `message` (else `Imported from
/// -`, as Docker's client streams even a file) as its history comment.
/// Tagged `tag` when given.
pub fn import(store: &ImageStore, tarball: &mut dyn Read, changes: &[String], message: Option<&str>, tag: Option<&Reference>) -> Result<ImageRecord> {
    let mut config = ContainerConfig::default();
    apply_changes(&mut config, changes)?;
    let mut raw = Vec::new();
    tarball.read_to_end(&mut raw).map_err(|e| Error::Spec(format!("Error processing tar file: {e}")))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        GzDecoder::new(raw.as_slice()).read_to_end(&mut plain).map_err(|e| Error::Spec(format!("Error processing tar file(exit status 1): {e}")))?;
        raw = plain;
    }
    check_tar(&raw)?;
    let layout = store.layout();
    let (digest, diff_id, _) = layer::write_blob(&layout.blobs_dir(), |tar| {
        // The tarball as it is, so its entries (and their order) are the layer's.
        tar.get_mut().write_all(&raw).map_err(Error::io("writing layer", layout.blobs_dir()))
    })?;
    let dest = layout.layer_dir(&diff_id);
    let size = if dest.exists() { crate::fsutil::dir_size(&dest) } else { layer::unpack(&layout.blob(&digest), &dest)?.1 };
    let layer = LayerInfo { digest, diff_id, size };
    let comment = message.map_or_else(|| "Imported from -".to_owned(), str::to_owned);
    let entry = Entry { created_by: "", comment: Some(&comment), author: None };
    let image = derive_image(store, Clock::Now, None, Some(layer), entry, |c| *c = config)?;
    let image = ImageRecord { intermediate: false, ..image };
    store.add_named(image.clone(), tag)?;
    crate::events::log(layout, crate::events::Event::image("import", &image.id, &image.id));
    Ok(image)
}

/// Reads every entry, so a file that is not a tar fails before anything is stored.
fn check_tar(raw: &[u8]) -> Result<()> {
    // Go's words for a tar cut short.
    let bad = |e: std::io::Error| {
        let text =
            if e.kind() == std::io::ErrorKind::UnexpectedEof || e.to_string().contains("entire block") { "unexpected EOF".to_owned() } else { e.to_string() };
        Error::Spec(format!("Error processing tar file(exit status 1): {text}"))
    };
    if raw.is_empty() {
        return Ok(()); // Docker imports an empty stream as an empty layer
    }
    let mut archive = tar::Archive::new(raw);
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        std::io::copy(&mut entry, &mut std::io::sink()).map_err(bad)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(changes: &[&str]) -> std::result::Result<ContainerConfig, String> {
        let mut config = ContainerConfig::default();
        apply_changes(&mut config, &changes.iter().map(|c| c.to_string()).collect::<Vec<_>>()).map_err(|e| e.to_string())?;
        Ok(config)
    }

    #[test]
    fn changes_as_docker_applies_them() {
        let c =
            changed(&["CMD [\"/bin/sh\"]", "ENV A=1 B=2", "WORKDIR tmp", "USER 10", "EXPOSE 80/tcp 443", "LABEL a=b \"c d\"=e", "ENTRYPOINT echo hi"]).unwrap();
        assert_eq!(c.cmd, Some(vec!["/bin/sh".to_owned()]));
        assert_eq!(c.env, Some(vec!["A=1".to_owned(), "B=2".to_owned()]));
        assert_eq!(c.working_dir.as_deref(), Some("/tmp"));
        assert_eq!(c.user.as_deref(), Some("10"));
        assert_eq!(c.exposed_ports.unwrap().keys().cloned().collect::<Vec<_>>(), ["443/tcp", "80/tcp"]);
        assert_eq!(c.labels.unwrap().get("c d").map(String::as_str), Some("e"));
        assert_eq!(c.entrypoint, Some(vec!["/bin/sh".to_owned(), "-c".to_owned(), "echo hi".to_owned()]));
        assert_eq!(changed(&["cmd echo lower"]).unwrap().cmd.unwrap(), ["/bin/sh", "-c", "echo lower"]);
    }

    #[test]
    fn changes_docker_refuses() {
        assert_eq!(changed(&["RUN true"]).unwrap_err(), "run is not a valid change command");
        assert_eq!(changed(&["SHELL [\"/bin/bash\"]"]).unwrap_err(), "shell is not a valid change command");
        assert_eq!(changed(&["STOPSIGNAL 9"]).unwrap_err(), "stopsignal is not a valid change command");
        assert_eq!(changed(&[""]).unwrap_err(), "file with no instructions");
        assert_eq!(changed(&["USER"]).unwrap_err(), "USER requires exactly one argument");
        assert_eq!(changed(&["EXPOSE abc"]).unwrap_err(), "Invalid containerPort: abc");
    }
}
