//! The OCI runtime spec libcontainer runs, built from a container record
//! with Docker's defaults: its capability set, masked and read-only paths,
//! a hostname of the short ID, and the container's own cgroup with its
//! pids limit and the resource flags' limits (memory, CPU, rlimits, /dev/shm).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use libcontainer::oci_spec::runtime::{
    Capability, LinuxBuilder, LinuxCapabilitiesBuilder, LinuxCpuBuilder, LinuxMemoryBuilder, LinuxNamespaceType, LinuxPidsBuilder, Mount, MountBuilder,
    PosixRlimit, PosixRlimitBuilder, PosixRlimitType, ProcessBuilder, RootBuilder, Spec, UserBuilder,
};

use crate::container::cgroup::Cgroup;
use crate::container::{resources, rootfs, user, ContainerRecord};
use crate::error::{Error, Result};
use crate::volume::{MountKind, VolumeStore};

/// Docker's default capabilities (moby's `oci/caps/defaults.go`).
pub const DOCKER_CAPABILITIES: &[Capability] = &[
    Capability::Chown,
    Capability::DacOverride,
    Capability::Fsetid,
    Capability::Fowner,
    Capability::Mknod,
    Capability::NetRaw,
    Capability::Setgid,
    Capability::Setuid,
    Capability::Setfcap,
    Capability::Setpcap,
    Capability::NetBindService,
    Capability::SysChroot,
    Capability::Kill,
    Capability::AuditWrite,
];

pub const DOCKER_MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

pub const DOCKER_READONLY_PATHS: &[&str] = &["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/// Docker's `--init` is tini, mounted at this path; Debian's static build
/// runs in any image, busybox's included.
pub const INIT_HOST_PATH: &str = "/usr/bin/tini-static";
const INIT_PATH: &str = "/sbin/docker-init";

/// Files a container gets from outside its image, as Docker gives them,
/// and the network namespace it runs in.
pub struct HostFiles {
    pub hosts: PathBuf,
    pub hostname: PathBuf,
    /// Its /etc/resolv.conf, when networked (else the image's).
    pub resolv: Option<PathBuf>,
    pub netns: NetNamespace,
}

pub enum NetNamespace {
    /// A new one (`lo`, and the networks netavark adds).
    Own,
    /// `--network host`.
    Host,
    /// `--network container:NAME`: that container's (`/proc/PID/ns/net`).
    Join(PathBuf),
}

pub fn build(record: &ContainerRecord, rootfs: &Path, host_files: &HostFiles, volumes: &VolumeStore) -> Result<Spec> {
    let err = |e: libcontainer::oci_spec::OciSpecError| Error::Spec(e.to_string());
    let security = &record.config.security;
    let caps: HashSet<Capability> = security.capabilities(DOCKER_CAPABILITIES);
    let seccomp = security.seccomp.filter(security.privileged, &caps)?;
    let capabilities = LinuxCapabilitiesBuilder::default()
        .bounding(caps.clone())
        .effective(caps.clone())
        .permitted(caps)
        .inheritable(HashSet::new())
        .ambient(HashSet::new())
        .build()
        .map_err(err)?;
    let mut user = exec_user(&record.config.user, rootfs)?;
    for gid in group_add_gids(&security.group_add, rootfs)? {
        if !user.additional_gids.contains(&gid) {
            user.additional_gids.push(gid);
        }
    }
    let args = if record.config.init {
        [INIT_PATH.to_owned(), "--".to_owned()].into_iter().chain(record.config.args.iter().cloned()).collect()
    } else {
        record.config.args.clone()
    };
    let process = ProcessBuilder::default()
        .terminal(record.config.tty)
        .args(args)
        .env(record.process_env(record.config.tty, &user.home, &[]))
        .cwd(record.config.working_dir.clone())
        .user(UserBuilder::default().uid(user.uid).gid(user.gid).additional_gids(user.additional_gids).build().map_err(err)?)
        .capabilities(capabilities)
        .rlimits(rlimits(&record.config.resources.ulimits).map_err(err)?)
        .build()
        .map_err(err)?;
    let mut process = process;
    // Unset, not false: libcontainer then loads the filter while the init
    // still holds CAP_SYS_ADMIN, as runc does without no-new-privileges.
    process.set_no_new_privileges(security.no_new_privileges.then_some(true));

    let mut mounts: Vec<Mount> = libcontainer::oci_spec::runtime::get_default_mounts()
        .into_iter()
        .map(|m| {
            // Docker mounts /sys read-only, read-write for --privileged.
            if m.destination() == Path::new("/dev/shm") {
                // --shm-size, else Docker's 64 MiB.
                let mut m = m;
                let mut opts = m.options().clone().unwrap_or_default();
                opts.retain(|o| !o.starts_with("size="));
                opts.push(format!("size={}", record.config.resources.shm_size()));
                m.set_options(Some(opts));
                m
            } else if m.destination() == Path::new("/sys") {
                let mut m = m;
                let mut opts = m.options().clone().unwrap_or_default();
                opts.retain(|o| o != "rw" && o != "ro");
                opts.push(if security.privileged { "rw" } else { "ro" }.into());
                m.set_options(Some(opts));
                m
            } else {
                m
            }
        })
        .collect();
    let resolv = host_files.resolv.as_ref().map(|r| (r, "/etc/resolv.conf"));
    for (src, dest) in [(&host_files.hosts, "/etc/hosts"), (&host_files.hostname, "/etc/hostname")].into_iter().chain(resolv) {
        // Read-only with a --read-only root, as Docker mounts them.
        let mut options = vec!["rbind".to_owned(), "rprivate".to_owned()];
        if security.read_only {
            options.push("ro".into());
        }
        mounts.push(MountBuilder::default().destination(dest).typ("bind").source(src).options(options).build().map_err(err)?);
    }

    for (path, opts) in &security.tmpfs {
        // Docker's defaults for --tmpfs, then what was asked for.
        let options = ["noexec", "nosuid", "nodev"].into_iter().map(str::to_owned).chain(opts.split(',').filter(|o| !o.is_empty()).map(str::to_owned));
        mounts.push(MountBuilder::default().destination(path).typ("tmpfs").source("tmpfs").options(options.collect::<Vec<_>>()).build().map_err(err)?);
    }

    if record.config.init {
        if !Path::new(INIT_HOST_PATH).exists() {
            return Err(Error::Spec(format!("--init needs {INIT_HOST_PATH}: install Debian's tini (apt-get install tini)")));
        }
        mounts.push(
            MountBuilder::default().destination(INIT_PATH).typ("bind").source(INIT_HOST_PATH).options(vec!["bind".into(), "ro".into()]).build().map_err(err)?,
        );
    }
    for m in &record.config.mounts {
        let source = match m.kind {
            MountKind::Bind => PathBuf::from(&m.source),
            MountKind::Volume => {
                let data = volumes.data_dir(&m.source);
                seed_volume(&data, rootfs, &m.target)?;
                data
            }
        };
        let mut options = vec!["rbind".to_owned(), "rprivate".to_owned()];
        if m.readonly {
            options.push("ro".into());
        }
        mounts.push(MountBuilder::default().destination(&m.target).typ("bind").source(source).options(options).build().map_err(err)?);
    }

    let linux = LinuxBuilder::default()
        .cgroups_path(Cgroup::of(&record.id).spec_path())
        .masked_paths(DOCKER_MASKED_PATHS.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .readonly_paths(DOCKER_READONLY_PATHS.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .build()
        .map_err(err)?;
    let defaults = Spec::default();
    let mut linux_full = defaults.linux().clone().unwrap_or_default();
    linux_full.set_cgroups_path(linux.cgroups_path().clone());
    if security.privileged {
        linux_full.set_masked_paths(Some(Vec::new()));
        linux_full.set_readonly_paths(Some(Vec::new()));
    } else {
        linux_full.set_masked_paths(linux.masked_paths().clone());
        linux_full.set_readonly_paths(linux.readonly_paths().clone());
    }
    linux_full.set_seccomp(seccomp);
    if let Some(namespaces) = linux_full.namespaces().clone() {
        let namespaces = namespaces.into_iter().filter_map(|ns| match (&host_files.netns, ns.typ()) {
            (NetNamespace::Host, LinuxNamespaceType::Network) => None,
            (NetNamespace::Join(path), LinuxNamespaceType::Network) => {
                let mut ns = ns;
                ns.set_path(Some(path.clone()));
                Some(ns)
            }
            _ => Some(ns),
        });
        linux_full.set_namespaces(Some(namespaces.collect()));
    }
    if !security.sysctls.is_empty() {
        linux_full.set_sysctl(Some(security.sysctls.clone().into_iter().collect()));
    }
    let mut resources = linux_full.resources().clone().unwrap_or_default();
    // Unlimited is the kernel's default for a new cgroup: no pids entry then.
    let pids_limit = record.config.effective_pids_limit();
    resources.set_pids((pids_limit > 0).then(|| LinuxPidsBuilder::default().limit(pids_limit).build()).transpose().map_err(err)?);
    let limits = &record.config.resources.limits;
    if limits.memory > 0 || limits.memory_reservation > 0 {
        let mut memory = LinuxMemoryBuilder::default();
        if limits.memory > 0 {
            memory = memory.limit(limits.memory);
            // -1 is unlimited swap; unset (a record from before) is twice the memory, as Docker.
            // A kernel without swap accounting limits the memory alone, as Docker does there.
            if resources::swap_accounting() {
                memory = memory.swap(if limits.memory_swap != 0 { limits.memory_swap } else { limits.memory * 2 });
            }
        }
        if limits.memory_reservation > 0 {
            memory = memory.reservation(limits.memory_reservation);
        }
        resources.set_memory(Some(memory.build().map_err(err)?));
    }
    resources::check_cpu_shares(limits.cpu_shares)?;
    if limits.nano_cpus > 0 || limits.cpu_shares > 0 || !limits.cpuset_cpus.is_empty() {
        let mut cpu = LinuxCpuBuilder::default();
        if let Some(quota) = limits.cpu_quota() {
            cpu = cpu.quota(quota).period(resources::CPU_PERIOD);
        }
        if limits.cpu_shares > 0 {
            cpu = cpu.shares(limits.cpu_shares as u64);
        }
        if !limits.cpuset_cpus.is_empty() {
            cpu = cpu.cpus(limits.cpuset_cpus.clone());
        }
        resources.set_cpu(Some(cpu.build().map_err(err)?));
    }
    linux_full.set_resources(Some(resources));

    let mut spec = defaults;
    spec.set_root(Some(RootBuilder::default().path(rootfs).readonly(security.read_only).build().map_err(err)?));
    spec.set_process(Some(process));
    spec.set_hostname(Some(record.config.hostname.clone()));
    spec.set_mounts(Some(mounts));
    spec.set_linux(Some(linux_full));
    Ok(spec)
}

/// An empty volume starts with what the image has at its target, as in Docker.
fn seed_volume(data: &Path, rootfs: &Path, target: &str) -> Result<()> {
    let empty = std::fs::read_dir(data).map(|mut d| d.next().is_none()).unwrap_or(false);
    match rootfs::resolve_in_root(rootfs, Path::new(target)).filter(|p| p.is_dir()) {
        Some(inside) if empty => crate::fsutil::copy_preserving(&inside, data).map_err(Error::io("copying the image's files into volume", data)),
        _ => Ok(()),
    }
}

/// `--group-add`: gids as given, names through the image's /etc/group,
/// with Docker's error for a name it does not have.
fn group_add_gids(groups: &[String], rootfs: &Path) -> Result<Vec<u32>> {
    let read = rootfs::resolve_in_root(rootfs, Path::new("/etc/group")).and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default();
    groups
        .iter()
        .map(|g| {
            if let Ok(gid) = g.parse::<u32>() {
                return Ok(gid);
            }
            read.lines()
                .filter_map(|line| {
                    let mut fields = line.split(':');
                    let name = fields.next()?;
                    let gid = fields.nth(1)?.parse::<u32>().ok()?;
                    (name == g).then_some(gid)
                })
                .next()
                .ok_or_else(|| Error::Spec(format!("Unable to find group {g}: no matching entries in group file")))
        })
        .collect()
}

/// `USER`/`-u` resolved in the container's own /etc/passwd and /etc/group.
pub fn exec_user(spec: &str, rootfs: &Path) -> Result<user::ExecUser> {
    let read = |file: &str| rootfs::resolve_in_root(rootfs, Path::new(file)).and_then(|p| std::fs::read_to_string(p).ok());
    let mut resolved = user::resolve(spec, read("/etc/passwd").as_deref(), read("/etc/group").as_deref()).map_err(Error::Spec)?;
    // The process's groups are the primary one and then the others, as
    // `id` shows in Docker; never empty, or libcontainer would leave the
    // monitor's own groups in place.
    let mut groups = vec![resolved.gid];
    groups.extend(resolved.additional_gids.iter().filter(|g| **g != resolved.gid));
    resolved.additional_gids = groups;
    Ok(resolved)
}

/// `--ulimit`s as the spec's rlimits, over the default's (RLIMIT_NOFILE
/// 1024); -1 is unlimited, as Docker passes it.
fn rlimits(ulimits: &[resources::Ulimit]) -> std::result::Result<Vec<PosixRlimit>, libcontainer::oci_spec::OciSpecError> {
    let kind = |name: &str| match name {
        "core" => Some(PosixRlimitType::RlimitCore),
        "cpu" => Some(PosixRlimitType::RlimitCpu),
        "data" => Some(PosixRlimitType::RlimitData),
        "fsize" => Some(PosixRlimitType::RlimitFsize),
        "locks" => Some(PosixRlimitType::RlimitLocks),
        "memlock" => Some(PosixRlimitType::RlimitMemlock),
        "msgqueue" => Some(PosixRlimitType::RlimitMsgqueue),
        "nice" => Some(PosixRlimitType::RlimitNice),
        "nofile" => Some(PosixRlimitType::RlimitNofile),
        "nproc" => Some(PosixRlimitType::RlimitNproc),
        "rss" => Some(PosixRlimitType::RlimitRss),
        "rtprio" => Some(PosixRlimitType::RlimitRtprio),
        "rttime" => Some(PosixRlimitType::RlimitRttime),
        "sigpending" => Some(PosixRlimitType::RlimitSigpending),
        "stack" => Some(PosixRlimitType::RlimitStack),
        _ => None,
    };
    let value = |v: i64| if v < 0 { u64::MAX } else { v as u64 };
    let mut list: Vec<PosixRlimit> = libcontainer::oci_spec::runtime::Process::default().rlimits().clone().unwrap_or_default();
    for u in ulimits {
        let Some(typ) = kind(&u.name) else { continue };
        list.retain(|r| r.typ() != typ);
        list.push(PosixRlimitBuilder::default().typ(typ).soft(value(u.soft)).hard(value(u.hard)).build()?);
    }
    Ok(list)
}
