//! `docker system df [-v] [--format]`, `docker system prune`, `docker image prune`:
//! what the store holds, from the real files, and cleaning it up.

use whaleshell_runtime::digest::short;
use whaleshell_runtime::usage::Usage;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use super::prune::{confirm, print_block, remove_stopped_containers, remove_unused_volumes};
use super::ps::status_text;
use crate::grammar::docker::{DfArgs, ImagePruneArgs, SystemCommand, SystemPruneArgs};
use crate::io::Io;
use crate::output::{ago, created_at, human_size, human_size_precision, print_format, quoted_command, table, TemplateWords};
use crate::template::{Struct, Template, Value, DF_HEADERS};

pub fn run(rt: &Runtime, command: &SystemCommand, io: &mut Io<'_>) -> CommandResult {
    match command {
        SystemCommand::Df(args) => df(rt, args, io),
        SystemCommand::Prune(args) => prune(rt, args, io),
    }
}

fn percent(part: u64, whole: u64) -> String {
    format!("{}%", (part * 100).checked_div(whole).unwrap_or(0))
}

/// Docker's RECLAIMABLE: `1.2MB (50%)`, and no percentage of nothing (`0B`).
fn reclaimable(part: u64, whole: u64) -> String {
    if whole == 0 {
        human_size(part)
    } else {
        format!("{} ({})", human_size(part), percent(part, whole))
    }
}

fn df(rt: &Runtime, args: &DfArgs, io: &mut Io<'_>) -> CommandResult {
    let usage = Usage::measure(rt)?;
    if args.verbose {
        return match args.format.as_deref().filter(|f| !f.is_empty() && *f != "table") {
            Some(source) => df_verbose_format(rt, &usage, source, io),
            None => df_verbose(&usage, io),
        };
    }
    let images_active = usage.images.iter().filter(|i| i.containers > 0).count();
    let containers_size: u64 = usage.containers.iter().map(|c| c.size).sum();
    let running = usage.containers.iter().filter(|c| c.container.status().is_running()).count();
    let volumes_size: u64 = usage.volumes.iter().map(|v| v.size).sum();
    let volumes_active = usage.volumes.iter().filter(|v| v.links > 0).count();
    let (ri, rc, rv) = (usage.reclaimable_images(), usage.reclaimable_containers(), usage.reclaimable_volumes());
    let rows = vec![
        ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"].map(String::from).to_vec(),
        vec!["Images".into(), usage.images.len().to_string(), images_active.to_string(), human_size(usage.layers_size), reclaimable(ri, usage.layers_size)],
        vec!["Containers".into(), usage.containers.len().to_string(), running.to_string(), human_size(containers_size), reclaimable(rc, containers_size)],
        vec!["Local Volumes".into(), usage.volumes.len().to_string(), volumes_active.to_string(), human_size(volumes_size), reclaimable(rv, volumes_size)],
        ["Build Cache", "0", "0", "0B", "0B"].map(String::from).to_vec(),
    ];
    if let Some(source) = args.format.as_deref().filter(|f| !f.is_empty() && *f != "table") {
        const TYPES: [&str; 4] = [
            "*formatter.diskUsageImagesContext",
            "*formatter.diskUsageContainersContext",
            "*formatter.diskUsageVolumesContext",
            "*formatter.diskUsageBuilderContext",
        ];
        let contexts: Vec<Value> = rows[1..]
            .iter()
            .zip(TYPES)
            .map(|(row, kind)| {
                let mut context = Struct::context(kind);
                for ((field, _), value) in DF_HEADERS.iter().zip(row) {
                    context = context.field(field, value.as_str());
                }
                context.into_value()
            })
            .collect();
        let words = TemplateWords { parse: "template parsing error: ", exec: "template parsing error: " };
        return print_format(io.stdout, source, &contexts, DF_HEADERS, &words).map(|()| 0).map_err(CommandError::Client);
    }
    let _ = std::io::Write::write_all(io.stdout, table(&rows).as_bytes());
    Ok(0)
}

/// `system df -v --format`: the template runs once, on Docker 20.10's
/// `diskUsageContext` (`.Images`, `.Containers`, `.Volumes`, `.BuildCache`,
/// lists of the contexts `images`, `ps` and `volume ls` give), with no
/// newline after it; an execution error is printed as Go words it, with no prefix.
fn df_verbose_format(rt: &Runtime, usage: &Usage, source: &str, io: &mut Io<'_>) -> CommandResult {
    let template =
        Template::parse(source.strip_prefix("table ").unwrap_or(source)).map_err(|e| CommandError::Client(format!("template parsing error: {e}")))?;
    let mut images = Vec::new();
    for i in &usage.images {
        let names: Vec<(String, String)> = if i.image.tags.is_empty() {
            vec![("<none>".into(), "<none>".into())]
        } else {
            i.image.tags.iter().map(|t| (t.familiar_name(), t.tag_or_latest().to_owned())).collect()
        };
        for (repo, tag) in names {
            images.push(
                Struct::context("*formatter.imageContext")
                    .field("ID", i.image.record.id.as_str())
                    .field("Repository", repo)
                    .field("Tag", tag)
                    .field("Digest", "")
                    .field("CreatedSince", i.image.record.created.map(ago).unwrap_or_else(|| "N/A".into()))
                    .field("CreatedAt", i.image.record.created.map(created_at).unwrap_or_default())
                    .field("Size", human_size(i.size))
                    .field("Containers", i.containers.to_string())
                    .field("VirtualSize", human_size_precision(i.size, 4))
                    .field("SharedSize", human_size_precision(i.shared, 4))
                    .field("UniqueSize", human_size_precision(i.size - i.shared, 4))
                    .into_value(),
            );
        }
    }
    let containers = usage.containers.iter().map(|c| super::ps::context(rt, &c.container, false, Some(human_size(c.size)))).collect();
    let volumes = usage
        .volumes
        .iter()
        .map(|v| {
            Struct::context("*formatter.volumeContext")
                .field("Name", v.volume.name.as_str())
                .field("Driver", "local")
                .field("Scope", "local")
                .field("Mountpoint", rt.volumes.data_dir(&v.volume.name).display().to_string())
                .field("Labels", "")
                .method("Label", 1, |_| Ok(Value::from("")))
                .field("Links", v.links.to_string())
                .field("Size", human_size(v.size))
                .into_value()
        })
        .collect();
    let data = Struct::new("*formatter.diskUsageContext")
        .field("Images", Value::List(images))
        .field("Containers", Value::List(containers))
        .field("Volumes", Value::List(volumes))
        .field("BuildCache", Value::List(Vec::new()))
        .into_value();
    // Go's Execute writes as it goes: what came before an error is printed too.
    let (out, error) = template.render_partial(&data);
    let _ = std::io::Write::write_all(io.stdout, out.as_bytes());
    match error {
        Some(e) => Err(CommandError::Client(e.to_string())),
        None => Ok(0),
    }
}

fn df_verbose(usage: &Usage, io: &mut Io<'_>) -> CommandResult {
    let mut out = String::from("Images space usage:\n\n");
    let mut rows = vec![["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"].map(String::from).to_vec()];
    for i in &usage.images {
        let created = i.image.record.created.map(ago).unwrap_or_else(|| "N/A".into());
        let names: Vec<(String, String)> = if i.image.tags.is_empty() {
            vec![("<none>".into(), "<none>".into())]
        } else {
            i.image.tags.iter().map(|t| (t.familiar_name(), t.tag_or_latest().to_owned())).collect()
        };
        for (repo, tag) in names {
            rows.push(vec![
                repo,
                tag,
                short(&i.image.record.id).to_owned(),
                created.clone(),
                human_size(i.size),
                human_size(i.shared),
                human_size(i.size - i.shared),
                i.containers.to_string(),
            ]);
        }
    }
    out.push_str(&table(&rows));
    out.push_str("\nContainers space usage:\n\n");
    let mut rows = vec![["CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"].map(String::from).to_vec()];
    for c in &usage.containers {
        rows.push(vec![
            c.container.short_id().to_owned(),
            c.container.image.clone(),
            quoted_command(&c.container.config.args, true),
            c.volumes.to_string(),
            human_size(c.size),
            ago(c.container.created),
            status_text(&c.container),
            c.container.name.clone(),
        ]);
    }
    out.push_str(&table(&rows));
    out.push_str("\nLocal Volumes space usage:\n\n");
    let mut rows = vec![["VOLUME NAME", "LINKS", "SIZE"].map(String::from).to_vec()];
    for v in &usage.volumes {
        rows.push(vec![v.volume.name.clone(), v.links.to_string(), human_size(v.size)]);
    }
    out.push_str(&table(&rows));
    out.push_str("\nBuild cache usage: 0B\n\n");
    out.push_str(&table(&[["CACHE ID", "CACHE TYPE", "SIZE", "CREATED", "LAST USED", "USAGE", "SHARED"].map(String::from).to_vec()]));
    let _ = std::io::Write::write_all(io.stdout, out.as_bytes());
    Ok(0)
}

fn prune(rt: &Runtime, args: &SystemPruneArgs, io: &mut Io<'_>) -> CommandResult {
    if !args.force {
        let mut warning = String::from("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n");
        if args.volumes {
            warning.push_str("  - all anonymous volumes not used by at least one container\n");
        }
        warning.push_str(if args.all { "  - all images without at least one container associated to them\n" } else { "  - all dangling images\n" });
        warning.push_str("  - unused build cache\n");
        if !confirm(&warning, io) {
            return Ok(0);
        }
    }
    let before = Usage::measure(rt).ok();
    let mut reclaimed = remove_stopped_containers(rt, io);
    if let Ok(removed) = rt.prune_networks() {
        print_block(io, "Deleted Networks:", &removed);
    }
    if args.volumes {
        reclaimed += remove_unused_volumes(rt, false, io);
    }
    reclaimed += prune_images(rt, args.all, io, before.as_ref().map_or(0, |u| u.layers_size));
    io.out(format!("Total reclaimed space: {}", human_size(reclaimed)));
    Ok(0)
}

pub fn image_prune(rt: &Runtime, args: &ImagePruneArgs, io: &mut Io<'_>) -> CommandResult {
    let warning = if args.all {
        "WARNING! This will remove all images without at least one container associated to them."
    } else {
        "WARNING! This will remove all dangling images."
    };
    if !args.force && !confirm(warning, io) {
        return Ok(0);
    }
    let before = Usage::measure(rt).map(|u| u.layers_size).unwrap_or(0);
    let reclaimed = prune_images(rt, args.all, io, before);
    io.out(format!("Total reclaimed space: {}", human_size(reclaimed)));
    Ok(0)
}

/// Removes unused images (dangling only, unless `all`); prints Docker's
/// `Deleted Images:` block and returns the bytes freed.
fn prune_images(rt: &Runtime, all: bool, io: &mut Io<'_>, layers_before: u64) -> u64 {
    let Ok(usage) = Usage::measure(rt) else { return 0 };
    let mut lines = Vec::new();
    for i in usage.images.iter().filter(|i| i.containers == 0 && (all || (i.image.tags.is_empty() && !i.image.record.intermediate))) {
        let targets: Vec<String> = if i.image.tags.is_empty() { vec![i.image.record.id.clone()] } else { i.image.tags.iter().map(|t| t.familiar()).collect() };
        for t in targets {
            if let Ok(removal) = rt.remove_image(&t, false) {
                lines.extend(removal.untagged.into_iter().map(|u| format!("untagged: {u}")));
                lines.extend(removal.deleted.into_iter().map(|d| format!("deleted: {d}")));
            }
        }
    }
    print_block(io, "Deleted Images:", &lines);
    let after = Usage::measure(rt).map(|u| u.layers_size).unwrap_or(layers_before);
    layers_before.saturating_sub(after)
}
