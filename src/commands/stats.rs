//! `docker stats [--no-stream] [--no-trunc] [-a] [--format] [CONTAINER...]`:
//! each container's CPU %, memory, network and block I/O and PIDs, read
//! from its cgroup and network namespace. CPU % is the share between two
//! readings a second apart, so `--no-stream` also takes two, as Docker's
//! daemon does. Without `--no-stream` the table is drawn again every
//! second, over the last one, until Ctrl-C.

use std::io::Write;
use std::time::Duration;

use whaleshell_runtime::container::stats::{cpu_percent, memory_percent, Sample};
use whaleshell_runtime::container::ContainerRecord;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::StatsArgs;
use crate::interrupt::{self, Interrupts};
use crate::io::Io;
use crate::output::{bytes_size, human_size};
use crate::template::{header, Format, Nil, Struct, Value, STATS_HEADERS};

const DEFAULT_FORMAT: &str = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";
/// Docker's daemon collects stats once a second.
const INTERVAL: Duration = Duration::from_secs(1);

/// One container being watched: as the user named it (Docker's
/// `Container` field), its record, its last reading.
struct Watched {
    named: String,
    record: ContainerRecord,
    sample: Sample,
    /// It stopped or went away while watched: Docker shows `--` then.
    gone: bool,
}

pub fn run(rt: &Runtime, args: &StatsArgs, io: &mut Io<'_>) -> CommandResult {
    let source = match args.format.as_deref() {
        None | Some("" | "table") => DEFAULT_FORMAT,
        Some(f) => f,
    };
    let format = Format::parse(source).map_err(|e| CommandError::Client(format!("template parsing error: {e}")))?;
    let mut watched = targets(rt, args)?;
    let interrupts = Interrupts::catch();
    let mut first = true;
    loop {
        if !interrupts.wait(INTERVAL) {
            return Ok(interrupt::STATUS);
        }
        if args.containers.is_empty() && !first {
            watched = refresh(rt, args, watched)?;
        }
        let rows: Vec<Value> = watched.iter_mut().map(|w| reading(rt, w, !args.no_trunc)).collect();
        let text = format.render(&rows, &header(STATS_HEADERS)).map_err(|e| CommandError::Client(format!("template parsing error: {e}")))?;
        if args.no_stream {
            let _ = io.stdout.write_all(text.as_bytes());
            return Ok(0);
        }
        let _ = io.stdout.write_all(frame(&text, first).as_bytes());
        let _ = io.stdout.flush();
        first = false;
    }
}

/// The containers named (every one must exist, or nothing is shown), or
/// every running one (every one with `-a`), each with a first reading.
fn targets(rt: &Runtime, args: &StatsArgs) -> Result<Vec<Watched>, CommandError> {
    if args.containers.is_empty() {
        return refresh(rt, args, Vec::new());
    }
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for target in &args.containers {
        match rt.containers.find(target) {
            Ok(record) => found.push(Watched { named: target.clone(), sample: Sample::read(&record), record, gone: false }),
            Err(e) => errors.push(CommandError::Daemon(e)),
        }
    }
    match CommandError::from_many(errors) {
        Some(e) => Err(e),
        None => Ok(found),
    }
}

/// Every running (with `-a`, every) container now, keeping the last
/// reading of those already watched.
fn refresh(rt: &Runtime, args: &StatsArgs, mut before: Vec<Watched>) -> Result<Vec<Watched>, CommandError> {
    let list = rt.containers.list()?;
    Ok(list
        .into_iter()
        .filter(|c| args.all || c.status().is_running())
        .map(|record| match before.iter().position(|w| w.record.id == record.id) {
            Some(i) => before.swap_remove(i),
            None => Watched { named: record.short_id().to_owned(), sample: Sample::read(&record), record, gone: false },
        })
        .collect())
}

/// A new reading of one container, as the template's context
/// (Docker's `*container.statsContext`).
fn reading(rt: &Runtime, w: &mut Watched, trunc: bool) -> Value {
    let was_running = w.record.status().is_running();
    match rt.containers.get(&w.record.id) {
        Ok(record) => w.record = record,
        Err(_) => w.gone = true,
    }
    let now = if w.gone { Sample::default() } else { Sample::read(&w.record) };
    if was_running && !w.record.status().is_running() {
        w.gone = true;
    }
    let cpu = cpu_percent(&w.sample, &now);
    w.sample = now;
    let invalid = w.gone;
    let show = move |text: String| if invalid { "--".to_owned() } else { text };
    let id = if trunc { w.record.short_id().to_owned() } else { w.record.id.clone() };
    // What `{{.}}` prints: Docker 20.10's `statsContext` as Go prints a struct,
    // its header (nil), the `StatsEntry` (floats as Go's %v writes them), OS and `trunc`.
    let entry = Struct::new("container.StatsEntry")
        .field("Container", w.named.as_str())
        .field("Name", format!("/{}", w.record.name))
        .field("ID", w.record.id.as_str())
        .field("CPUPercentage", cpu)
        .field("Memory", now.memory as f64)
        .field("MemoryLimit", now.memory_limit as f64)
        .field("MemoryPercentage", memory_percent(&now))
        .field("NetworkRx", now.net_rx as f64)
        .field("NetworkTx", now.net_tx as f64)
        .field("BlockRead", now.block_read as f64)
        .field("BlockWrite", now.block_write as f64)
        .field("PidsCurrent", i64::try_from(now.pids).unwrap_or(i64::MAX))
        .field("IsInvalid", invalid)
        .into_value();
    let printed = Struct::new("container.statsContext")
        .field("HeaderContext", Struct::new("formatter.HeaderContext").field("header", Value::Nil(Nil::Pointer)))
        .field("s", entry)
        .field("os", "linux")
        .field("trunc", trunc)
        .into_value();
    Struct::context("*container.statsContext")
        .printed_as(move || printed.clone())
        .field("Container", w.named.as_str())
        .field("Name", w.record.name.as_str())
        .field("ID", id)
        .field("CPUPerc", show(format!("{cpu:.2}%")))
        .field("MemUsage", if invalid { "-- / --".to_owned() } else { format!("{} / {}", bytes_size(now.memory), bytes_size(now.memory_limit)) })
        .field("MemPerc", show(format!("{:.2}%", memory_percent(&now))))
        .field("NetIO", show(format!("{} / {}", human_size(now.net_rx), human_size(now.net_tx))))
        .field("BlockIO", show(format!("{} / {}", human_size(now.block_read), human_size(now.block_write))))
        .field("PIDs", show(now.pids.to_string()))
        .into_value()
}

/// One refresh of the live table: the cursor home (the screen cleared the
/// first time), each line erased to its end, and what is below erased, as
/// Docker draws it.
fn frame(text: &str, first: bool) -> String {
    let mut out = String::from(if first { "\x1b[2J\x1b[H" } else { "\x1b[H" });
    for line in text.lines() {
        out.push_str(line);
        out.push_str("\x1b[K\n");
    }
    out.push_str("\x1b[J");
    out
}
