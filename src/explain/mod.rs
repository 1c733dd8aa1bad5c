//! `explain`: what the runtime really did and what things really are, drawn
//! from its state — the last command's events, an image's layer stack, a
//! container's namespaces, overlay and processes.

use std::path::Path;

use colored::Colorize;
use whaleshell_runtime::container::ContainerRecord;
use whaleshell_runtime::digest::short;
use whaleshell_runtime::image::pull::{LayerStatus, PullEvent};
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use crate::grammar::docker::Docker;
use crate::grammar::Arg;
use crate::io::Io;
use crate::last_command::{LastCommand, RunOutcome};
use crate::output::human_size;

pub fn run(rt: &Runtime, last: &LastCommand, args: &[Arg], io: &mut Io<'_>) -> i32 {
    match args.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().as_slice() {
        [] => last_command(rt, last, io),
        ["image", name] => match rt.images.resolve(name) {
            Ok(_) => image(rt, name, io),
            Err(e) => fail(io, &e),
        },
        ["container", id] => match rt.containers.find(id) {
            Ok(c) => container(rt, &c, io),
            Err(e) => fail(io, &e),
        },
        _ => {
            io.err("usage: explain | explain image IMAGE | explain container CONTAINER");
            1
        }
    }
}

fn fail(io: &mut Io<'_>, e: &whaleshell_runtime::Error) -> i32 {
    io.err(format!("explain: {e}"));
    1
}

fn label(name: &str) -> String {
    format!("  {:<11}", name).bold().to_string()
}

fn last_command(rt: &Runtime, last: &LastCommand, io: &mut Io<'_>) -> i32 {
    let Some((command, status)) = &last.docker else {
        io.out("Nothing to explain yet: run a docker command first, e.g. docker run --rm busybox echo hi");
        return 0;
    };
    io.out(format!("{} {}", "docker".bold(), command.name().bold()));
    match (command, &last.run) {
        (Docker::Run(args), Some(run)) => explain_run(rt, &args.image, run, io),
        _ => {
            io.out(format!("{}the client asked the engine to `{}`; it answered with status {status}.", label("what"), command.name()));
            io.out(format!("{}everything it read or changed is under {}", label("state"), rt.layout.root().display()));
        }
    }
    0
}

fn explain_run(rt: &Runtime, image_name: &str, run: &RunOutcome, io: &mut Io<'_>) {
    if let Ok(reference) = Reference::parse(image_name) {
        io.out(format!("{}{image_name} → {}", label("reference"), reference.full()));
    }
    match rt.images.resolve(image_name) {
        Ok(image) => {
            let how = if run.pulled.is_empty() { "found locally, nothing downloaded" } else { "not found locally, so pulled from the hub first" };
            io.out(format!("{}{} ({} layer{}): {how}", label("image"), short(&image.id), image.layers.len(), if image.layers.len() == 1 { "" } else { "s" }));
            for event in &run.pulled {
                match event {
                    PullEvent::Layer { short, status: LayerStatus::PullComplete } => io.out(format!("{}{short} downloaded and unpacked", label("  layer"))),
                    PullEvent::Layer { short, status: LayerStatus::AlreadyExists } => {
                        io.out(format!("{}{short} already here (another image has it): reused", label("  layer")))
                    }
                    _ => {}
                }
            }
            io.out(format!(
                "{}{} created: an overlay root of the image's {} read-only layer(s) with a writable layer of its own on top",
                label("container"),
                &run.container_id[..12],
                image.layers.len()
            ));
        }
        Err(_) => io.out(format!("{}the image is no longer here", label("image"))),
    }
    io.out(format!("{}its own pid, mount, uts, ipc, network and cgroup namespaces, and a cgroup", label("isolation")));
    if let Some(pid) = run.pid {
        io.out(format!("{}PID 1 inside the container was PID {pid} on this machine", label("process")));
    }
    if run.detached {
        io.out(format!("{}it runs on in the background, watched by its monitor process; `docker ps` shows it", label("detached")));
    }
    if let Some(code) = run.exit_code {
        io.out(format!("{}PID 1 exited with code {code}, and the container with it", label("exit")));
    }
    if run.removed {
        io.out(format!("{}--rm removed the container and its writable layer; the image stays", label("removed")));
    } else if run.exit_code.is_some() {
        io.out(format!("{}the stopped container stays, with its files and logs, until `docker rm`", label("kept")));
    }
}

/// The layer stack of an image, top layer first, with what made each layer
/// and which other images share it.
fn image(rt: &Runtime, name: &str, io: &mut Io<'_>) -> i32 {
    let Ok(record) = rt.images.resolve(name) else { return 1 };
    let config = rt.images.config(&record).ok();
    let made_by: Vec<String> = config
        .as_ref()
        .and_then(|c| c.history().clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|h| !h.empty_layer().unwrap_or(false))
        .map(|h| h.created_by().clone().unwrap_or_default())
        .collect();
    let others = rt.images.list().unwrap_or_default();
    io.out(format!("{}  image {}  {} layer(s), {}", name.bold(), short(&record.id), record.layers.len(), human_size(record.size())));
    let rows: Vec<(String, String)> = record
        .layers
        .iter()
        .enumerate()
        .rev()
        .map(|(i, layer)| {
            let by = made_by.get(i).cloned().unwrap_or_else(|| "<missing>".into());
            let by = by.trim_start_matches("/bin/sh -c ").trim_start_matches("#(nop) ").trim().to_owned();
            let text = format!(" {}  {:>7}  {} ", short(&layer.diff_id), human_size(layer.size), by);
            let sharers: Vec<String> = others
                .iter()
                .filter(|o| o.record.id != record.id && o.record.layers.iter().any(|l| l.diff_id == layer.diff_id))
                .flat_map(|o| o.tags.iter().map(|t| t.familiar()))
                .collect();
            let note =
                if sharers.is_empty() { "only in this image".dimmed().to_string() } else { format!("shared with {}", sharers.join(", ")).green().to_string() };
            (text, note)
        })
        .collect();
    // As wide as the longest line: a layer's command is never cut.
    let width = rows.iter().map(|(t, _)| t.chars().count()).max().unwrap_or(0).max(40);
    let line = |l: char, m: char, r: char| format!("  {l}{}{r}", m.to_string().repeat(width));
    io.out(line('┌', '─', '┐'));
    for (i, (text, note)) in rows.iter().enumerate() {
        io.out(format!("  │{text:<width$}│ {note}"));
        io.out(if i + 1 == rows.len() { line('└', '─', '┘') } else { line('├', '─', '┤') });
    }
    io.out(format!("  read-only layers, bottom one first in the image; each unpacked once in {}", rt.layout.layers_dir().display()));
    io.out("  The IDs are diff IDs, the sha256 of each layer's unpacked files (docker inspect's RootFS.Layers);".dimmed().to_string());
    io.out("  docker pull shows the digests of the compressed downloads instead, so its IDs differ.".dimmed().to_string());
    0
}

/// A container seen from both sides: its namespaces, cgroup, overlay root
/// with the files it changed, and its processes inside beside their host PIDs.
fn container(rt: &Runtime, c: &ContainerRecord, io: &mut Io<'_>) -> i32 {
    io.out(format!("{}  {}  from {}  {}", c.name.bold(), c.short_id(), c.image, crate::commands::ps::status_text(c)));
    let dir = rt.layout.container_dir(&c.id);
    io.out(format!("{}", "\n  root filesystem (overlayfs)".bold()));
    io.out(format!("  ┌ writable layer   {}", dir.join("upper").display()));
    for l in c.layers.iter().rev() {
        io.out(format!("  │ read-only layer  {}", rt.layout.layer_dir(l).display()));
    }
    io.out(format!("  └ seen inside as / (mounted at {} while it runs)", dir.join("rootfs").display()));
    let changes = changed_files(&dir.join("upper"));
    if changes.is_empty() {
        io.out("  no file changed yet: everything it sees comes from the image".dimmed().to_string());
    } else {
        io.out("  files it changed (copy-on-write into its own layer):");
        for (path, deleted) in changes.iter().take(20) {
            io.out(if *deleted { format!("    - {path}  (deleted: hidden by a whiteout)") } else { format!("    + {path}") });
        }
    }
    let (true, Some(pid)) = (c.status().is_running(), c.state.pid) else {
        io.out("\n  it is not running: no processes, no namespaces to show".dimmed().to_string());
        return 0;
    };
    io.out(format!("{}", "\n  namespaces (host ≠ container means its own)".bold()));
    for ns in ["pid", "mnt", "uts", "ipc", "net", "cgroup"] {
        let inside = std::fs::read_link(format!("/proc/{pid}/ns/{ns}")).map(|p| p.display().to_string()).unwrap_or_default();
        let host = std::fs::read_link(format!("/proc/self/ns/{ns}")).map(|p| p.display().to_string()).unwrap_or_default();
        io.out(format!("    {ns:<7} {inside:<22} host {host}"));
    }
    if let Ok(cgroup) = std::fs::read_to_string(format!("/proc/{pid}/cgroup")) {
        if let Some(line) = cgroup.lines().find(|l| l.contains("whaleshell")) {
            io.out(format!("    cgroup  {}", line.splitn(3, ':').nth(2).unwrap_or(line)));
        }
    }
    io.out(format!("{}", "\n  processes: PID inside → PID on this machine".bold()));
    for (inside, host, cmd) in processes(pid) {
        io.out(format!("    {inside:>5} → {host:<7} {cmd}"));
    }
    0
}

/// Files in a writable layer; a 0/0 character device is overlayfs's mark of a deletion.
fn changed_files(upper: &Path) -> Vec<(String, bool)> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let mut out = Vec::new();
    let mut stack = vec![upper.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            let rel = format!("/{}", e.path().strip_prefix(upper).map(|p| p.display().to_string()).unwrap_or_default());
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                out.push((rel, meta.file_type().is_char_device() && meta.rdev() == 0));
            }
        }
    }
    out.sort();
    out
}

/// (PID inside, PID on the host, command) for every process in PID 1's namespace.
fn processes(pid1: i32) -> Vec<(String, i32, String)> {
    let Ok(ns) = std::fs::read_link(format!("/proc/{pid1}/ns/pid")) else { return Vec::new() };
    let mut out: Vec<(String, i32, String)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|p| std::fs::read_link(format!("/proc/{p}/ns/pid")).is_ok_and(|l| l == ns))
        .map(|p| {
            let status = std::fs::read_to_string(format!("/proc/{p}/status")).unwrap_or_default();
            let inside = status.lines().find_map(|l| l.strip_prefix("NSpid:")).and_then(|v| v.split_whitespace().last()).unwrap_or("?").to_owned();
            let cmd = std::fs::read(format!("/proc/{p}/cmdline")).map(|b| String::from_utf8_lossy(&b).replace('\0', " ").trim().to_owned()).unwrap_or_default();
            (inside, p, cmd)
        })
        .collect();
    out.sort_by_key(|(inside, _, _)| inside.parse::<i32>().unwrap_or(i32::MAX));
    out
}
