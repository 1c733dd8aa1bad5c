//! The engine as one value: a state root with its image store, container
//! store and offline hub.

use std::path::Path;

use crate::container::monitor::{self, MonitorHandle, MonitorStdio};
use crate::container::{self, ContainerRecord, ContainerStore, NewContainer, RunOptions};
use crate::error::Result;
use crate::hub::Hub;
use crate::image::pull::{self, PullEvent, PullOutcome};
use crate::image::store::{ImageRecord, ImageStore, Removal};
use crate::layout::Layout;
use crate::reference::Reference;

pub struct Runtime {
    pub layout: Layout,
    pub images: ImageStore,
    pub containers: ContainerStore,
    pub hub: Hub,
}

impl Runtime {
    pub fn open(root: impl AsRef<Path>) -> Result<Runtime> {
        let layout = Layout::open(root)?;
        Ok(Runtime {
            images: ImageStore::new(layout.clone()),
            containers: ContainerStore::new(layout.clone()),
            hub: Hub::new(layout.hub_dir()),
            layout,
        })
    }

    pub fn pull(&self, reference: &Reference, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome> {
        pull::pull(&self.images, &self.hub, reference, on_event)
    }

    /// Creates a container from an image (state Created; nothing runs yet).
    pub fn create_container(&self, image_name: &str, image: &ImageRecord, options: &RunOptions) -> Result<ContainerRecord> {
        let config = self.images.config(image)?;
        let run_config = container::run_config(options, &config)?;
        self.containers.create(NewContainer {
            name: options.name.clone(),
            image: image_name.to_owned(),
            image_id: image.id.clone(),
            layers: image.layers.iter().map(|l| l.diff_id.clone()).collect(),
            config: run_config,
        })
    }

    /// Starts a created container under a new monitor process.
    pub fn start(&self, container: &ContainerRecord, stdio: MonitorStdio) -> Result<MonitorHandle> {
        monitor::spawn(&self.layout, &container.id, stdio)
    }

    /// `docker rmi`: refuses images that containers use, unless forced.
    pub fn remove_image(&self, name_or_id: &str, force: bool) -> Result<Removal> {
        let users = self.containers.list()?;
        self.images.remove(name_or_id, force, |image_id| {
            users
                .iter()
                .filter(|c| c.image_id == image_id)
                .map(|c| (c.short_id().to_owned(), c.status() == container::Status::Running))
                .max_by_key(|(_, running)| *running)
        })
    }
}
