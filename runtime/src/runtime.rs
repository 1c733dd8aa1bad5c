//! The engine as one value: a state root with its image store, container
//! store and offline hub.

use std::path::Path;

use std::os::unix::net::UnixStream;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::Signal;

use crate::build::builder::BuildEnv;
use crate::container::exec::{self, ExecRequest};
use crate::container::monitor::{self, Mode, MonitorHandle};
use crate::container::net::NetworkMode;
use crate::container::{self, ContainerRecord, ContainerStore, Finished, NewContainer, RunOptions, StartFailure, Streams};
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::hub::Hub;
use crate::image::commit::CommitOptions;
use crate::image::pull::{ImageSource, PullEvent, PullOutcome};
use crate::image::store::{ImageRecord, ImageStore, Removal};
use crate::layout::Layout;
use crate::network::{Driver, NetworkRecord, NetworkStore};
use crate::process;
use crate::reference::Reference;
use crate::registry::{Credentials, RegistrySource};
use crate::volume::{MountKind, MountSpec, VolumeStore};

pub struct Runtime {
    pub layout: Layout,
    pub images: ImageStore,
    pub containers: ContainerStore,
    pub volumes: VolumeStore,
    pub networks: NetworkStore,
    pub hub: Hub,
}

impl Runtime {
    pub fn open(root: impl AsRef<Path>) -> Result<Runtime> {
        let layout = Layout::open(root)?;
        Ok(Runtime {
            images: ImageStore::new(layout.clone()),
            containers: ContainerStore::new(layout.clone()),
            volumes: VolumeStore::new(layout.clone()),
            networks: NetworkStore::new(layout.clone()),
            hub: Hub::new(layout.hub_dir()),
            layout,
        })
    }

    /// Pulls from the registry the reference names. Docker Hub's names come
    /// from a `registry-mirrors` entry of `ROOT/daemon.json` when one is set
    /// (a teacher's registry serving the class), else from the offline hub.
    /// `creds_for(host)` gives the login for a registry host.
    pub fn pull(&self, reference: &Reference, creds_for: &dyn Fn(&str) -> Option<Credentials>, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome> {
        let outcome = self.pull_into(&self.images, reference, creds_for, on_event)?;
        // Docker names the pulled reference, `busybox:latest (name=busybox)`.
        let pulled = match &reference.digest {
            Some(_) => reference.familiar(),
            None => format!("{}:{}", reference.familiar_name(), reference.tag_or_latest()),
        };
        events::log(&self.layout, Event::image("pull", &pulled, &reference.familiar_name()));
        Ok(outcome)
    }

    fn pull_into(
        &self,
        store: &ImageStore,
        reference: &Reference,
        creds_for: &dyn Fn(&str) -> Option<Credentials>,
        on_event: &mut dyn FnMut(PullEvent),
    ) -> Result<PullOutcome> {
        let registry = |host: String, login: &str| RegistrySource { host, creds: creds_for(login), max_downloads: self.max_concurrent_downloads() };
        if reference.domain != crate::reference::DEFAULT_DOMAIN {
            return registry(self.registry_address(&reference.domain), &reference.domain).pull(store, reference, on_event);
        }
        for mirror in self.registry_mirrors() {
            match registry(mirror.clone(), &mirror).pull(store, reference, on_event) {
                Ok(outcome) => return Ok(outcome),
                Err(Error::ManifestUnknown(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        self.hub.pull(store, reference, on_event)
    }

    /// What `docker build` works in: this root's stores, pulling FROM images as `pull` does.
    pub fn build_env(&self) -> BuildEnv<'_> {
        BuildEnv { layout: &self.layout, images: &self.images, containers: &self.containers, source: self }
    }

    /// Where a registry host is reached: a host routed to a local server
    /// (the ECR lab routes ECR's hosts while it runs) goes there; every
    /// other host is itself.
    pub fn registry_address(&self, domain: &str) -> String {
        crate::routes::address_for(&self.layout, domain).unwrap_or_else(|| domain.to_owned())
    }

    /// `docker login`: checks the credentials against the registry.
    pub fn check_login(&self, domain: &str, creds: &Credentials) -> Result<()> {
        crate::registry::check_login(domain, &self.registry_address(domain), creds)
    }

    /// `docker push`: returns the manifest's digest and size.
    pub fn push(
        &self,
        image: &ImageRecord,
        reference: &Reference,
        creds: Option<&Credentials>,
        on_event: &mut dyn FnMut(crate::registry::PushEvent),
    ) -> Result<(String, usize)> {
        let mut target = reference.clone();
        target.domain = self.registry_address(&reference.domain);
        let pushed = crate::registry::push(&self.images, image, &target, creds, on_event)?;
        // Named as a pull is: `busybox:latest (name=busybox)`.
        let name = format!("{}:{}", reference.familiar_name(), reference.tag_or_latest());
        events::log(&self.layout, Event::image("push", &name, &reference.familiar_name()));
        Ok(pushed)
    }

    fn daemon_settings(&self) -> serde_json::Value {
        self.layout.daemon_settings()
    }

    /// `max-concurrent-downloads` in `ROOT/daemon.json`; Docker's default is 3.
    pub fn max_concurrent_downloads(&self) -> usize {
        self.daemon_settings()["max-concurrent-downloads"].as_u64().filter(|n| *n > 0).map_or(3, |n| n as usize)
    }

    /// Hosts from `registry-mirrors` in `ROOT/daemon.json` (Docker's daemon setting).
    pub fn registry_mirrors(&self) -> Vec<String> {
        self.daemon_settings()["registry-mirrors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m.as_str())
                    .map(|m| m.trim_start_matches("http://").trim_start_matches("https://").trim_end_matches('/').to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Creates a container from an image (state Created; nothing runs yet).
    pub fn create_container(&self, image_name: &str, image: &ImageRecord, options: &RunOptions) -> Result<ContainerRecord> {
        let config = self.images.config(image)?;
        let mut run_config = container::run_config(options, &config)?;
        run_config.pids_limit = Some(run_config.pids_limit.unwrap_or_else(|| container::default_pids_limit(&self.layout)));
        // The daemon's checks and adjustments of the resource flags, as Docker's at creation.
        container::resources::verify(&run_config.resources, false)?;
        run_config.resources.adapt();
        // The image's VOLUMEs each get an anonymous volume, unless the run mounts something there.
        let mut mounts = options.mounts.clone();
        for target in self.images.container_config(image)?.volumes.unwrap_or_default().into_keys() {
            if !mounts.iter().any(|m| Path::new(&m.target) == Path::new(&target)) {
                mounts.push(MountSpec { kind: MountKind::Volume, source: String::new(), target, readonly: false });
            }
        }
        run_config.mounts = self.resolve_mounts(&mounts)?;
        run_config.healthcheck = container::health::merge(options.healthcheck.clone(), self.images.container_config(image)?.healthcheck);
        (run_config.network, run_config.networks) =
            container::net::resolve(&self.networks, &self.containers, options.network.as_deref(), &options.network_aliases, options.ip.as_deref())?;
        // On the host's network a container has the host's name too, as in Docker.
        if run_config.network == NetworkMode::Host && options.hostname.is_none() {
            run_config.hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
        }
        self.containers.create(NewContainer {
            name: options.name.clone(),
            image: image_name.to_owned(),
            image_id: image.id.clone(),
            layers: image.layers.iter().map(|l| l.diff_id.clone()).collect(),
            config: run_config,
        })
    }

    /// Creates named and anonymous volumes on first use, and missing `-v`
    /// bind sources as directories (as Docker's `-v`; `--mount` refused them).
    fn resolve_mounts(&self, mounts: &[MountSpec]) -> Result<Vec<MountSpec>> {
        mounts
            .iter()
            .map(|m| {
                let mut m = m.clone();
                match m.kind {
                    MountKind::Volume => {
                        let name = (!m.source.is_empty()).then_some(m.source.as_str());
                        m.source = self.volumes.create(name)?.name;
                    }
                    MountKind::Bind => {
                        let path = std::path::Path::new(&m.source);
                        std::fs::create_dir_all(path).map_err(Error::io("creating bind source", path))?;
                        let absolute = std::fs::canonicalize(path).map_err(Error::io("resolving bind source", path))?;
                        m.source = absolute.to_string_lossy().into_owned();
                    }
                }
                Ok(m)
            })
            .collect()
    }

    /// The running containers with an address on `network`.
    pub fn network_users(&self, network: &NetworkRecord) -> Result<Vec<ContainerRecord>> {
        let all = self.containers.list()?;
        Ok(all.into_iter().filter(|c| c.status().is_running() && c.state.endpoints.iter().any(|e| e.network_id == network.id)).collect())
    }

    /// `docker network rm`: refuses a network a running container is on, as Docker does.
    pub fn remove_network(&self, name: &str) -> Result<NetworkRecord> {
        let network = self.networks.find(name)?;
        if !network.predefined && !self.network_users(&network)?.is_empty() {
            return Err(Error::Network(format!("error while removing network: network {} id {} has active endpoints", network.name, network.id)));
        }
        self.networks.remove(&network)?;
        Ok(network)
    }

    /// `docker network prune`: the user's networks no running container is on; their names.
    pub fn prune_networks(&self) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        for network in self.networks.list()?.into_iter().filter(|n| !n.predefined) {
            if self.network_users(&network)?.is_empty() {
                self.networks.remove(&network)?;
                removed.push(network.name);
            }
        }
        Ok(removed)
    }

    /// `docker network connect [--alias] [--ip]`: kept in the container's
    /// config, and joined at once when it runs.
    pub fn connect_network(&self, network: &str, container: &str, aliases: &[String], ip: Option<&str>) -> Result<()> {
        let record = self.containers.find(container)?;
        let network = self.networks.find(network)?;
        match (&record.config.network, network.driver) {
            (NetworkMode::Host, _) | (_, Driver::Host) => {
                return Err(Error::Network("container cannot be disconnected from host network or connected to host network".into()))
            }
            (NetworkMode::None | NetworkMode::Container(_), _) | (_, Driver::Null) => {
                return Err(Error::Network(
                    "container sharing network namespace with another container or host cannot be connected to any other network".into(),
                ))
            }
            _ => {}
        }
        if record.config.networks.iter().any(|a| a.network_id == network.id) {
            return Err(Error::Network(format!("endpoint with name {} already exists in network {}", record.name, network.name)));
        }
        let (_, mut attachments) = container::net::resolve(&self.networks, &self.containers, Some(&network.id), aliases, ip)?;
        self.containers.update(&record.id, |r| {
            r.config.network = NetworkMode::Bridge;
            r.config.networks.append(&mut attachments);
        })?;
        if record.status() == container::Status::Running || record.status() == container::Status::Paused {
            if let Err(e) = container::net::connect_running(&self.layout, &self.containers, &self.networks, &record.id, &network.id) {
                let _ = self.containers.update(&record.id, |r| {
                    r.config.networks.retain(|a| a.network_id != network.id);
                    r.state.endpoints.retain(|e| e.network_id != network.id);
                });
                return Err(e);
            }
        }
        Ok(())
    }

    /// `docker network disconnect`.
    pub fn disconnect_network(&self, network: &str, container: &str) -> Result<()> {
        let record = self.containers.find(container)?;
        let network = self.networks.find(network)?;
        if !record.config.networks.iter().any(|a| a.network_id == network.id) {
            return Err(Error::Network(format!("container {} is not connected to network {}", record.id, network.name)));
        }
        container::net::leave(&self.layout, &self.networks, &record.id, Some(&network.id));
        self.containers.update(&record.id, |r| {
            r.config.networks.retain(|a| a.network_id != network.id);
            r.state.endpoints.retain(|e| e.network_id != network.id);
        })?;
        Ok(())
    }

    /// `docker volume rm`: refuses a volume a container still has.
    pub fn remove_volume(&self, name: &str) -> Result<()> {
        let users = self.volume_users(name)?;
        if !users.is_empty() {
            return Err(Error::VolumeInUse(name.to_owned(), users.join(", ")));
        }
        self.volumes.remove(name)
    }

    /// The IDs of the containers (of any status) that mount the volume.
    pub fn volume_users(&self, name: &str) -> Result<Vec<String>> {
        let containers = self.containers.list()?;
        Ok(containers.into_iter().filter(|c| c.config.mounts.iter().any(|m| m.kind == MountKind::Volume && m.source == name)).map(|c| c.id).collect())
    }

    /// `docker run -d`, `docker start`: starts a created or exited container
    /// under a monitor of its own, which outlives this process; returns once
    /// PID 1 runs, with its host PID.
    pub fn start_detached(&self, container: &ContainerRecord) -> Result<i32, StartFailure> {
        monitor::spawn(&self.layout, &container.id, Mode::Detached, (Stdio::null(), Stdio::null(), Stdio::null()))?.wait_started()
    }

    /// After the machine rebooted under them (the boot ID recorded at their
    /// start is not this boot's), starts again the containers whose restart
    /// policy says so, as Docker's daemon does when it starts: `always`,
    /// `unless-stopped` unless the user stopped it, `on-failure` after a
    /// failure. Each container is looked at once per boot. A container that
    /// cannot start stays exited, its error recorded by its monitor.
    pub fn restore_after_reboot(&self) {
        let Some(now) = container::restart::boot_id() else { return };
        let Ok(records) = self.containers.list() else { return };
        for record in records {
            if record.state.boot_id.as_ref().is_none_or(|b| *b == now) || record.monitor_alive() {
                continue;
            }
            // Claimed under the lock: two Whaleshells opening the root at once start it once.
            let mut claimed = false;
            let _ = self.containers.update(&record.id, |r| {
                claimed = r.state.boot_id.as_ref() != Some(&now);
                r.state.boot_id = Some(now.clone());
            });
            if !claimed {
                continue;
            }
            let policy = record.config.restart;
            let exit_code = record.state.exit_code.unwrap_or(0);
            if record.status() == container::Status::Exited && policy.restores_after_reboot(exit_code, record.state.manually_stopped, 0) {
                let _ = self.start_detached(&record);
            }
        }
    }

    /// `docker run`, `docker start -a`: runs a container with the caller's
    /// streams until PID 1 exits or the user detaches.
    pub fn run_foreground(&self, container: &ContainerRecord, streams: Streams<'_>) -> Result<Finished, StartFailure> {
        let Streams { stdio, input, out, err } = streams;
        events::log(&self.layout, container.event("attach"));
        monitor::spawn(&self.layout, &container.id, Mode::Foreground, stdio)?.follow(input, out, err)
    }

    /// `docker exec -d`: a new process in a running container, left running; its host PID.
    pub fn exec_detached(&self, container: &ContainerRecord, request: &ExecRequest) -> Result<i32, StartFailure> {
        self.exec_helper_logged(container, request, (Stdio::null(), Stdio::null(), Stdio::null()))?.wait_started()
    }

    /// `docker exec`: a new process in a running container, with the caller's streams, to its end.
    pub fn exec_foreground(&self, container: &ContainerRecord, request: &ExecRequest, streams: Streams<'_>) -> Result<Finished, StartFailure> {
        let Streams { stdio, input, out, err } = streams;
        self.exec_helper_logged(container, request, stdio)?.follow(input, out, err)
    }

    /// Docker's `exec_create: CMD` and `exec_start: CMD` events before the
    /// helper starts, with an exec ID of Docker's shape, which the helper
    /// logs `exec_die` with when the process ends.
    fn exec_helper_logged(&self, container: &ContainerRecord, request: &ExecRequest, stdio: (Stdio, Stdio, Stdio)) -> Result<MonitorHandle, StartFailure> {
        self.check_exec(container, request)?;
        let exec_id = container::new_id();
        // Docker words it as its entrypoint, a space and the arguments joined (`true ` for a bare `true`).
        let (program, rest) = request.args.split_first().map_or(("", &[][..]), |(p, r)| (p.as_str(), r));
        let command = format!("{program} {}", rest.join(" "));
        for action in ["exec_create", "exec_start"] {
            events::log(&self.layout, container.event(&format!("{action}: {command}")).with("execID", exec_id.clone()));
        }
        let request = ExecRequest { exec_id: Some(exec_id), ..request.clone() };
        Ok(exec::spawn(&self.layout, &container.id, &request, stdio)?)
    }

    /// Refuses an exec as Docker does: into a container not running, or as a user it does not have.
    fn check_exec(&self, container: &ContainerRecord, request: &ExecRequest) -> Result<(), StartFailure> {
        match container.status() {
            container::Status::Running => {}
            container::Status::Paused => return Err(Error::ExecPaused(container.name.clone()).into()),
            container::Status::Restarting => return Err(Error::Restarting(container.id.clone()).into()),
            _ => return Err(Error::NotRunning(container.id.clone()).into()),
        }
        if let Some(user) = &request.user {
            let rootfs = self.layout.container_dir(&container.id).join("rootfs");
            container::spec::exec_user(user, &rootfs)
                .map_err(|e| StartFailure::Refused { message: e.to_string(), code: crate::error::exit_code::CANNOT_INVOKE })?;
        }
        Ok(())
    }

    /// `docker stop`: the image's STOPSIGNAL (SIGTERM by default) to PID 1,
    /// then SIGKILL after `timeout` if it is still there (a PID 1 without a
    /// handler ignores it). Returns once the monitor has recorded the exit
    /// and cleaned up.
    /// A paused container gets the signal, then is thawed so it can act on
    /// it, as Docker's stop does (a `kill`, then an `unpause` event).
    pub fn stop(&self, container: &ContainerRecord, timeout: Duration) -> Result<()> {
        if !container.status().is_running() {
            return Ok(());
        }
        // Stopped by the user: its restart policy starts it no more.
        let stopped = self.containers.end_restart_loop(&container.id)?;
        let container = &stopped.unwrap_or_else(|| container.clone());
        let status = container.status();
        let (Some(pid), Some(monitor)) = (container.state.pid, container.state.monitor_pid) else {
            // Restarting: its monitor ends without starting it again (no
            // `kill` or `stop` event: Docker logs none for that).
            self.wait_monitors(&container.id);
            return Ok(());
        };
        let signal = self.stop_signal(container);
        events::log(&self.layout, container.event("kill").with("signal", (signal as i32).to_string()));
        let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal);
        if status == container::Status::Paused {
            self.thaw(container)?;
        }
        if !process::wait_exit_timeout(monitor, Some(timeout)) {
            events::log(&self.layout, container.event("kill").with("signal", "9"));
            process::kill_and_wait(pid, Some(monitor));
        }
        self.wait_monitors(&container.id);
        let now = self.containers.get(&container.id).unwrap_or_else(|_| container.clone());
        events::log(&self.layout, now.event("stop"));
        Ok(())
    }

    /// Waits until no monitor looks after the container: one whose PID 1
    /// exited may have handed over to a restarting one just before a stop,
    /// which then ends without starting it (see [`ContainerStore::end_restart_loop`]).
    fn wait_monitors(&self, id: &str) {
        while let Ok(record) = self.containers.get(id) {
            match record.state.monitor_pid {
                Some(monitor) if record.monitor_alive() => process::wait_exit(monitor),
                _ => return,
            }
        }
    }

    /// `docker pause`: freezes the container's processes.
    pub fn pause(&self, container: &ContainerRecord) -> Result<()> {
        match container.status() {
            container::Status::Running => {}
            container::Status::Paused => return Err(Error::AlreadyPaused(container.id.clone())),
            _ => return Err(Error::PauseNotRunning(container.id.clone())),
        }
        container::cgroup::Cgroup::of(&container.id).freeze()?;
        let paused = self.containers.update(&container.id, |r| {
            if r.state.status == Some(container::Status::Running) {
                r.state.status = Some(container::Status::Paused);
            }
        })?;
        events::log(&self.layout, paused.unwrap_or_else(|| container.clone()).event("pause"));
        Ok(())
    }

    /// `docker export`: the container's whole filesystem as a tar on `out`.
    pub fn export(&self, container: &ContainerRecord, name: &str, out: &mut dyn std::io::Write) -> Result<()> {
        container::copy::ContainerView::open(&self.layout, container, name, false)?.export(out)?;
        events::log(&self.layout, container.event("export"));
        Ok(())
    }

    /// `docker commit`: the container's writable layer and config become a
    /// new image. With `pause` (Docker's default) a running container is
    /// frozen while its files are read, so the layer is one moment's.
    pub fn commit(&self, container: &ContainerRecord, options: &CommitOptions<'_>, pause: bool) -> Result<ImageRecord> {
        let freeze = pause && container.status() == container::Status::Running;
        if freeze {
            self.pause(container)?;
        }
        let image_config = match self.images.get(&container.image_id)? {
            Some(image) => self.images.container_config(&image)?,
            None => Default::default(),
        };
        let committed = crate::image::commit::commit(&self.images, container, &container.docker_config(&image_config), options);
        if let Ok(image) = &committed {
            let reference = options.tag.map(Reference::familiar).unwrap_or_default();
            let event = container.event("commit").with("comment", options.comment.unwrap_or_default());
            events::log(&self.layout, event.with("imageID", image.id.as_str()).with("imageRef", reference));
        }
        let thawed = if freeze { self.thaw(container) } else { Ok(()) };
        let image = committed?;
        thawed?;
        Ok(image)
    }

    /// `docker update`: changes a container's limits in its record and, when
    /// it runs, in its cgroup, as Docker's daemon does (checks first, then the
    /// merge with what is set, then the kernel).
    pub fn update(&self, container: &ContainerRecord, update: &container::resources::ResourceUpdate) -> Result<ContainerRecord> {
        update.verify()?;
        let cannot = |why: String| Error::CannotUpdate(container.id.clone(), why);
        let resources = update.apply(&container.config.resources).map_err(cannot)?;
        // Unlimited by an update is -1: Docker's inspect shows it as 0, not null.
        let pids_limit = update.pids_limit.map_or(container.config.effective_pids_limit(), |n| if n > 0 { n } else { -1 });
        if container.status().is_running() {
            let cgroup = container::cgroup::Cgroup::of(&container.id);
            update.write_cgroup(&cgroup, &resources, pids_limit).map_err(|e| cannot(e.to_string()))?;
        }
        let updated = self.containers.update(&container.id, |r| {
            r.config.resources = resources.clone();
            r.config.pids_limit = Some(pids_limit);
        })?;
        let updated = updated.unwrap_or_else(|| container.clone());
        events::log(&self.layout, updated.event("update"));
        Ok(updated)
    }

    /// `docker update --restart`: a new restart policy, which the monitor
    /// applies the next time PID 1 exits (it reads the record then).
    /// `log_event`: say `update` (once per container, as Docker: not when
    /// [`Self::update`] of the same command said it already).
    pub fn update_restart(&self, container: &ContainerRecord, policy: container::restart::RestartPolicy, log_event: bool) -> Result<ContainerRecord> {
        if container.config.auto_remove && !policy.is_none() {
            return Err(Error::CannotUpdate(container.id.clone(), "Restart policy cannot be updated because AutoRemove is enabled for the container".into()));
        }
        let updated = self.containers.update(&container.id, |r| r.config.restart = policy)?.unwrap_or_else(|| container.clone());
        if log_event {
            events::log(&self.layout, updated.event("update"));
        }
        Ok(updated)
    }

    /// `docker unpause`: lets a paused container's processes run again.
    pub fn unpause(&self, container: &ContainerRecord) -> Result<()> {
        if container.status() != container::Status::Paused {
            return Err(Error::NotPaused(container.id.clone()));
        }
        self.thaw(container)
    }

    fn thaw(&self, container: &ContainerRecord) -> Result<()> {
        container::cgroup::Cgroup::of(&container.id).thaw()?;
        let thawed = self.containers.update(&container.id, |r| {
            if r.state.status == Some(container::Status::Paused) {
                r.state.status = Some(container::Status::Running);
            }
        })?;
        events::log(&self.layout, thawed.unwrap_or_else(|| container.clone()).event("unpause"));
        Ok(())
    }

    /// `docker wait`: blocks until the container is not running; its exit code.
    pub fn wait(&self, container: &ContainerRecord) -> Result<i32> {
        if container.status().is_running() {
            if let Some(monitor) = container.state.monitor_pid {
                // The monitor records the exit code before it ends.
                process::wait_exit(monitor);
            }
        }
        Ok(self.containers.get(&container.id)?.state.exit_code.unwrap_or(0))
    }

    /// `--stop-signal`, else the STOPSIGNAL of the container's image; SIGTERM without one.
    fn stop_signal(&self, container: &ContainerRecord) -> Signal {
        if let Some(sig) = container.config.security.stop_signal.as_deref().and_then(process::parse_signal) {
            return sig;
        }
        let image = self.images.get(&container.image_id).ok().flatten();
        let configured = image.and_then(|i| self.images.container_config(&i).ok()).and_then(|c| c.stop_signal);
        configured.as_deref().and_then(process::parse_signal).unwrap_or(Signal::SIGTERM)
    }

    /// `docker kill -s SIG`: sends the signal to PID 1 from the host. A
    /// paused container stays paused (the signal waits) unless it is
    /// SIGKILL, which thaws it so it can die, as runc's kill does.
    pub fn kill(&self, container: &ContainerRecord, signal: Signal) -> Result<()> {
        let status = container.status();
        if status.is_running() {
            // As Docker's kill: its restart policy starts it no more.
            let stopped = self.containers.end_restart_loop(&container.id)?;
            let container = stopped.unwrap_or_else(|| container.clone());
            if container.state.pid.is_none() {
                // Restarting: nothing to signal; its monitor ends without starting it.
                self.wait_monitors(&container.id);
                return Ok(());
            }
        }
        match (status, container.state.pid) {
            (status, Some(pid)) if status.is_running() => {
                events::log(&self.layout, container.event("kill").with("signal", (signal as i32).to_string()));
                nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).map_err(Error::sys("kill"))?;
                if signal == Signal::SIGKILL && status == container::Status::Paused {
                    container::cgroup::Cgroup::of(&container.id).thaw()?;
                }
                if signal == Signal::SIGKILL {
                    process::wait_exit(container.state.monitor_pid.unwrap_or(pid));
                    self.wait_monitors(&container.id);
                }
                Ok(())
            }
            _ => Err(Error::CannotKill(container.name.clone(), container.id.clone())),
        }
    }

    /// Connects to a running container's monitor (`docker attach`).
    pub fn attach(&self, container: &ContainerRecord) -> Result<UnixStream> {
        container::logs::attach(&self.layout, container)
    }

    /// `docker logs [-f] [-n N]`: see [`container::logs::read`].
    pub fn logs(&self, container: &ContainerRecord, follow: bool, tail: Option<usize>, on_line: &mut container::logs::OnLine<'_>) -> Result<()> {
        container::logs::read(&self.layout, container, follow, tail, on_line)
    }

    /// `docker rmi`: refuses images that containers use, unless forced.
    pub fn remove_image(&self, name_or_id: &str, force: bool) -> Result<Removal> {
        let users = self.containers.list()?;
        self.images.remove(name_or_id, force, |image_id| {
            users.iter().filter(|c| c.image_id == image_id).map(|c| (c.short_id().to_owned(), c.status().is_running())).max_by_key(|(_, running)| *running)
        })
    }
}

/// A build's FROM pulls as `docker pull` does, without a login.
impl ImageSource for Runtime {
    fn pull(&self, store: &ImageStore, reference: &Reference, on_event: &mut dyn FnMut(PullEvent)) -> Result<PullOutcome> {
        self.pull_into(store, reference, &|_| None, on_event)
    }
}
