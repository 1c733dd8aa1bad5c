//! Disk usage, as `docker system df` reports it: layers shared between
//! images are counted once, and "reclaimable" is what pruning would free.

use std::collections::{BTreeMap, BTreeSet};

use crate::container::ContainerRecord;
use crate::error::Result;
use crate::fsutil::dir_size;
use crate::image::store::TaggedImage;
use crate::volume::{MountKind, Volume};
use crate::Runtime;

pub struct ImageUsage {
    pub image: TaggedImage,
    pub size: u64,
    /// Bytes in layers other images also have.
    pub shared: u64,
    /// Containers created from it.
    pub containers: usize,
}

pub struct ContainerUsage {
    pub container: ContainerRecord,
    /// Its writable layer.
    pub size: u64,
    pub volumes: usize,
}

pub struct VolumeUsage {
    pub volume: Volume,
    pub size: u64,
    pub links: usize,
}

pub struct Usage {
    pub images: Vec<ImageUsage>,
    pub containers: Vec<ContainerUsage>,
    pub volumes: Vec<VolumeUsage>,
    /// All layers, each once.
    pub layers_size: u64,
}

impl Usage {
    pub fn measure(rt: &Runtime) -> Result<Usage> {
        let images = rt.images.list()?;
        let containers = rt.containers.list()?;
        let mut layer_users: BTreeMap<String, (u64, usize)> = BTreeMap::new();
        for i in &images {
            for l in &i.record.layers {
                let entry = layer_users.entry(l.diff_id.clone()).or_insert((l.size, 0));
                entry.1 += 1;
            }
        }
        let layers_size = layer_users.values().map(|(size, _)| size).sum();
        let image_usage = images
            .into_iter()
            .map(|image| {
                let shared = image.record.layers.iter().filter(|l| layer_users.get(&l.diff_id).is_some_and(|(_, users)| *users > 1)).map(|l| l.size).sum();
                let count = containers.iter().filter(|c| c.image_id == image.record.id).count();
                ImageUsage { size: image.record.size(), shared, containers: count, image }
            })
            .collect();
        let container_usage = containers
            .iter()
            .map(|c| ContainerUsage {
                size: dir_size(&rt.layout.container_dir(&c.id).join("upper")),
                volumes: c.config.mounts.iter().filter(|m| m.kind == MountKind::Volume).count(),
                container: c.clone(),
            })
            .collect();
        let volume_usage = rt
            .volumes
            .list()?
            .into_iter()
            .map(|v| VolumeUsage {
                size: dir_size(&rt.volumes.data_dir(&v.name)),
                links: containers.iter().filter(|c| c.config.mounts.iter().any(|m| m.kind == MountKind::Volume && m.source == v.name)).count(),
                volume: v,
            })
            .collect();
        Ok(Usage { images: image_usage, containers: container_usage, volumes: volume_usage, layers_size })
    }

    /// Bytes freed by removing every image no container uses (each layer once).
    pub fn reclaimable_images(&self) -> u64 {
        let kept: BTreeSet<&str> =
            self.images.iter().filter(|i| i.containers > 0).flat_map(|i| i.image.record.layers.iter().map(|l| l.diff_id.as_str())).collect();
        let mut freed = BTreeMap::new();
        for i in self.images.iter().filter(|i| i.containers == 0) {
            for l in &i.image.record.layers {
                if !kept.contains(l.diff_id.as_str()) {
                    freed.insert(l.diff_id.as_str(), l.size);
                }
            }
        }
        freed.values().sum()
    }

    pub fn reclaimable_containers(&self) -> u64 {
        self.containers.iter().filter(|c| !c.container.status().is_running()).map(|c| c.size).sum()
    }

    pub fn reclaimable_volumes(&self) -> u64 {
        self.volumes.iter().filter(|v| v.links == 0).map(|v| v.size).sum()
    }
}
