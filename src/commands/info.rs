//! `docker info [-f FORMAT]`: the engine and this machine in Docker's
//! sections and JSON keys, from the real state root and kernel. What
//! Whaleshell has not got is not claimed: no networks beyond a container's own loopback (the
//! `null` network driver only), no swarm; its runtime is libcontainer.

use std::io::Write;

use serde_json::{json, Value as Json};
use whaleshell_runtime::container::seccomp::{self, Seccomp};
use whaleshell_runtime::sysinfo::{SystemInfo, LIBCONTAINER_VERSION};
use whaleshell_runtime::Runtime;

use super::error::CommandResult;
use super::version::{client_json, print_template, VERSION};
use crate::grammar::docker::InfoArgs;
use crate::io::Io;
use crate::output::bytes_size;
use crate::template::GoShape;

fn info_json(info: &SystemInfo) -> Json {
    json!({
        "ID": info.id,
        "Containers": info.containers,
        "ContainersRunning": info.running,
        "ContainersPaused": info.paused,
        "ContainersStopped": info.stopped,
        "Images": info.images,
        "Driver": "overlay2",
        "DriverStatus": [
            ["Backing Filesystem", info.backing_filesystem],
            ["Supports d_type", "true"],
            ["Native Overlay Diff", "true"],
            ["userxattr", "false"],
        ],
        "Plugins": { "Volume": ["local"], "Network": ["null"], "Authorization": null, "Log": ["json-file"] },
        "MemoryLimit": false,
        "SwapLimit": false,
        "PidsLimit": true,
        "Debug": false,
        "LoggingDriver": "json-file",
        "CgroupDriver": "cgroupfs",
        "CgroupVersion": info.cgroup_version.to_string(),
        "KernelVersion": info.kernel_version,
        "OperatingSystem": info.operating_system,
        "OSVersion": info.os_version,
        "OSType": "linux",
        "Architecture": info.architecture,
        "IndexServerAddress": "https://index.docker.io/v1/",
        "RegistryConfig": { "InsecureRegistryCIDRs": ["127.0.0.0/8"], "Mirrors": [] },
        "NCPU": info.cpus,
        "MemTotal": info.memory_bytes,
        "DockerRootDir": info.root_dir,
        "Name": info.hostname,
        "Labels": [],
        "ExperimentalBuild": false,
        "ServerVersion": VERSION,
        "Runtimes": { "libcontainer": { "path": format!("libcontainer {LIBCONTAINER_VERSION}") } },
        "DefaultRuntime": "libcontainer",
        "Swarm": { "NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive", "ControlAvailable": false, "Error": "", "RemoteManagers": null },
        // Detached containers outlive the shell (each has its own monitor), as live-restore keeps them.
        "LiveRestoreEnabled": true,
        "InitBinary": "docker-init",
        "ContainerdCommit": { "ID": "", "Expected": "" },
        "RuncCommit": { "ID": format!("libcontainer {LIBCONTAINER_VERSION}"), "Expected": "" },
        // Docker shows tini's git commit here, which Debian's build has not got.
        "InitCommit": { "ID": "" },
        // Only what a container really gets: the profile must be installed.
        "SecurityOptions": if seccomp::default_profile_installed() { vec![Seccomp::info_entry()] } else { Vec::new() },
        "Warnings": null,
        "ClientInfo": client_json(),
    })
}

pub fn run(rt: &Runtime, args: &InfoArgs, io: &mut Io<'_>) -> CommandResult {
    let info = SystemInfo::read(rt)?;
    let data = info_json(&info);
    match args.format.as_deref().filter(|f| !f.is_empty()) {
        Some(source) => {
            let shape = GoShape { maps: &["Runtimes"], types: &[("", "system.dockerInfo")], ..GoShape::default() };
            print_template("", source, &data, &shape, io)
        }
        None => {
            let _ = io.stdout.write_all(text(&data).as_bytes());
            Ok(0)
        }
    }
}

fn text(v: &Json) -> String {
    let s = |v: &Json| match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    let words = |v: &Json| v.as_array().into_iter().flatten().map(s).collect::<Vec<_>>().join(" ");
    let client = &v["ClientInfo"];
    let mut out = vec![
        "Client:".to_owned(),
        format!(" Version:    {}", s(&client["Version"])),
        format!(" Context:    {}", s(&client["Context"])),
        " Debug Mode: false".to_owned(),
        String::new(),
        "Server:".to_owned(),
        format!(" Containers: {}", s(&v["Containers"])),
        format!("  Running: {}", s(&v["ContainersRunning"])),
        format!("  Paused: {}", s(&v["ContainersPaused"])),
        format!("  Stopped: {}", s(&v["ContainersStopped"])),
        format!(" Images: {}", s(&v["Images"])),
        format!(" Server Version: {}", s(&v["ServerVersion"])),
        format!(" Storage Driver: {}", s(&v["Driver"])),
    ];
    for pair in v["DriverStatus"].as_array().into_iter().flatten() {
        out.push(format!("  {}: {}", s(&pair[0]), s(&pair[1])));
    }
    out.push(format!(" Logging Driver: {}", s(&v["LoggingDriver"])));
    out.push(format!(" Cgroup Driver: {}", s(&v["CgroupDriver"])));
    out.push(format!(" Cgroup Version: {}", s(&v["CgroupVersion"])));
    out.push(" Plugins:".to_owned());
    for kind in ["Volume", "Network", "Log"] {
        out.push(format!("  {kind}: {}", words(&v["Plugins"][kind])));
    }
    out.push(format!(" Swarm: {}", s(&v["Swarm"]["LocalNodeState"])));
    let runtimes: Vec<&String> = v["Runtimes"].as_object().map(|m| m.keys().collect()).unwrap_or_default();
    out.push(format!(" Runtimes: {}", runtimes.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(" ")));
    out.push(format!(" Default Runtime: {}", s(&v["DefaultRuntime"])));
    out.push(format!(" Init Binary: {}", s(&v["InitBinary"])));
    out.push(format!(" containerd version: {}", s(&v["ContainerdCommit"]["ID"])));
    out.push(format!(" runc version: {}", s(&v["RuncCommit"]["ID"])));
    out.push(format!(" init version: {}", s(&v["InitCommit"]["ID"])));
    if let Some(options) = v["SecurityOptions"].as_array().filter(|o| !o.is_empty()) {
        out.push(" Security Options:".into());
        // "name=seccomp,profile=default" → "  seccomp" then "   Profile: default", as Docker's client draws it.
        for option in options.iter().filter_map(Json::as_str) {
            for (i, field) in option.split(',').enumerate() {
                let (key, value) = field.split_once('=').unwrap_or(("", field));
                if i == 0 {
                    out.push(format!("  {value}"));
                } else {
                    let key: String = key.chars().take(1).flat_map(char::to_uppercase).chain(key.chars().skip(1)).collect();
                    out.push(format!("   {key}: {value}"));
                }
            }
        }
    }
    out.push(format!(" Kernel Version: {}", s(&v["KernelVersion"])));
    out.push(format!(" Operating System: {}", s(&v["OperatingSystem"])));
    out.push(format!(" OSType: {}", s(&v["OSType"])));
    out.push(format!(" Architecture: {}", s(&v["Architecture"])));
    out.push(format!(" CPUs: {}", s(&v["NCPU"])));
    out.push(format!(" Total Memory: {}", bytes_size(v["MemTotal"].as_u64().unwrap_or(0))));
    out.push(format!(" Name: {}", s(&v["Name"])));
    out.push(format!(" ID: {}", s(&v["ID"])));
    out.push(format!(" Docker Root Dir: {}", s(&v["DockerRootDir"])));
    out.push(" Debug Mode: false".to_owned());
    out.push(" Experimental: false".to_owned());
    out.push(" Insecure Registries:".to_owned());
    for cidr in v["RegistryConfig"]["InsecureRegistryCIDRs"].as_array().into_iter().flatten() {
        out.push(format!("  {}", s(cidr)));
    }
    out.push(format!(" Live Restore Enabled: {}", s(&v["LiveRestoreEnabled"])));
    out.push(String::new());
    out.join("\n") + "\n"
}
