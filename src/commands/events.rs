//! `docker events [--since T] [--until T] [-f KEY=VALUE] [--format TEMPLATE]`:
//! the engine's event log (`runtime::events`) in Docker's line format
//! (`2026-12-03T09:00:00.123456789Z container create ID (image=busybox, name=x)`)
//! or through a Go template over Docker's `events.Message`. Past events
//! come from `--since` on; without `--until` it then follows the log for
//! new ones until Ctrl-C (with `--until`, until that time).

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Local, Offset, Utc};
use whaleshell_runtime::events::{self, Event};
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::EventsArgs;
use crate::interrupt::{self, Interrupts};
use crate::io::Io;
use crate::template::{Nil, Struct, Template, Value};
use crate::timetypes::{nanos, timestamp};

/// How often a follower looks for new lines in the log.
const FOLLOW_STEP: Duration = Duration::from_millis(100);

pub fn run(rt: &Runtime, args: &EventsArgs, io: &mut Io<'_>) -> CommandResult {
    let filters = Filters::parse(&args.filter)?;
    let template = template(args.format.as_deref())?;
    let now = Local::now();
    let since = args.since.as_deref().map(|v| timestamp(v, now)).transpose().map_err(CommandError::Client)?;
    let until = args.until.as_deref().map(|v| timestamp(v, now)).transpose().map_err(CommandError::Client)?;
    let (since_ns, until_ns) = (since.as_deref().map(nanos), until.as_deref().map(nanos));
    if let (Some(s), Some(u), Some(s_text), Some(u_text)) = (since_ns, until_ns, &since, &until) {
        if s > u {
            return Err(CommandError::Client(format!("Error response from daemon: `since` time ({s_text}) cannot be after `until` time ({u_text})")));
        }
    }
    let wanted = |e: &Event| since_ns.is_none_or(|s| e.time_nano() >= s) && until_ns.is_none_or(|u| e.time_nano() <= u) && filters.include(e);
    let print = |e: &Event, out: &mut dyn Write| -> Result<(), CommandError> {
        let line = match &template {
            Some(t) => t.render(&message(e)).map_err(|err| CommandError::Client(format!("Error parsing format: {err}")))?,
            None => plain(e),
        };
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
        Ok(())
    };
    // Past events only when asked for (Docker shows none without --since or --until).
    let (past, mut offset) = events::read_from(&rt.layout, 0)?;
    if since_ns.is_some() || until_ns.is_some() {
        for e in past.iter().filter(|e| wanted(e)) {
            print(e, io.stdout)?;
        }
    }
    let done = |until: Option<i64>| until.is_some_and(|u| Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX) > u);
    if done(until_ns) {
        return Ok(0);
    }
    let interrupts = Interrupts::catch();
    loop {
        if !interrupts.wait(FOLLOW_STEP) {
            return Ok(interrupt::STATUS);
        }
        let (new, next) = events::read_from(&rt.layout, offset)?;
        offset = next;
        for e in new.iter().filter(|e| wanted(e)) {
            print(e, io.stdout)?;
        }
        if done(until_ns) {
            return Ok(0);
        }
    }
}

/// `--format`: `json` is `{{json .}}`; the template is tried on an empty
/// message first, so a field Docker's message has not fails at once.
fn template(format: Option<&str>) -> Result<Option<Template>, CommandError> {
    let source = match format {
        None | Some("") => return Ok(None),
        Some("json") => "{{json .}}",
        Some(f) => f,
    };
    let bad = |e: crate::template::TemplateError| CommandError::WithStatus { message: format!("Error parsing format: {e}"), code: 64 };
    let template = Template::parse(source).map_err(bad)?;
    template.render(&empty_message()).map_err(bad)?;
    Ok(Some(template))
}

/// `2006-01-02T15:04:05.000000000Z07:00` in the local zone, as Docker's CLI prints event times.
fn fixed_time(time: DateTime<Utc>) -> String {
    let local = time.with_timezone(&Local);
    let offset = local.offset().fix();
    let zone = if offset.local_minus_utc() == 0 { "Z".to_owned() } else { local.format("%:z").to_string() };
    format!("{}{zone}", local.format("%Y-%m-%dT%H:%M:%S%.9f"))
}

/// Docker's `prettyPrintEvent`: time, type, action, actor ID, attributes sorted.
fn plain(e: &Event) -> String {
    let mut line = format!("{} {} {} {}", fixed_time(e.time), e.kind, e.action, e.id);
    if !e.attributes.is_empty() {
        let attrs: Vec<String> = e.attributes.iter().map(|(k, v)| format!("{k}={v}")).collect();
        line.push_str(&format!(" ({})", attrs.join(", ")));
    }
    line
}

/// Docker's `events.Message` for a template: its legacy `status`, `id`
/// and `from` are there only for container and image events.
fn message(e: &Event) -> Value {
    let legacy = e.kind == "container" || e.kind == "image";
    let attributes: BTreeMap<String, Value> = e.attributes.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect();
    let from = if e.kind == "container" { e.attributes.get("image").cloned().unwrap_or_default() } else { String::new() };
    let actor = Struct::new("events.Actor").field("ID", e.id.as_str()).field("Attributes", Value::Map(attributes));
    message_struct(
        if legacy { e.action.as_str() } else { "" },
        if legacy { e.id.as_str() } else { "" },
        &from,
        &e.kind,
        &e.action,
        actor.into_value(),
        e.time.timestamp(),
        e.time_nano(),
    )
}

fn empty_message() -> Value {
    let actor = Struct::new("events.Actor").field("ID", "").field("Attributes", Value::Nil(Nil::Map));
    message_struct("", "", "", "", "", actor.into_value(), 0, 0)
}

#[allow(clippy::too_many_arguments)]
fn message_struct(status: &str, id: &str, from: &str, kind: &str, action: &str, actor: Value, time: i64, time_nano: i64) -> Value {
    Struct::new("*events.Message")
        .field("Status", status)
        .field("ID", id)
        .field("From", from)
        .field("Type", kind)
        .field("Action", action)
        .field("Actor", actor)
        .field("Scope", if kind.is_empty() { "" } else { "local" })
        .field("Time", time)
        .field("TimeNano", time_nano)
        .json_tag("Status", "status", true)
        .json_tag("ID", "id", true)
        .json_tag("From", "from", true)
        .json_tag("Scope", "scope", false)
        .json_tag("Time", "time", true)
        .json_tag("TimeNano", "timeNano", true)
        .into_value()
}

/// `-f KEY=VALUE`, as Docker's daemon matches them (`daemon/events/filter.go`):
/// values of one key are alternatives, different keys must all match;
/// keys it does not know are ignored.
struct Filters(BTreeMap<String, Vec<String>>);

impl Filters {
    fn parse(flags: &[String]) -> Result<Filters, CommandError> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for flag in flags {
            let Some((key, value)) = flag.split_once('=') else {
                return Err(CommandError::WithStatus {
                    message: format!(
                        "invalid argument \"{flag}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\nSee 'docker events --help'."
                    ),
                    code: 125,
                });
            };
            map.entry(key.trim().to_lowercase()).or_default().push(value.trim().to_owned());
        }
        Ok(Filters(map))
    }

    fn values(&self, key: &str) -> Option<&Vec<String>> {
        self.0.get(key)
    }

    fn exact(&self, key: &str, source: &str) -> bool {
        self.values(key).is_none_or(|vs| vs.iter().any(|v| v == source))
    }

    /// A value is the source or a prefix of it.
    fn fuzzy(&self, key: &str, source: &str) -> bool {
        self.values(key).is_none_or(|vs| vs.iter().any(|v| source.starts_with(v.as_str())))
    }

    fn include(&self, e: &Event) -> bool {
        let name = e.attributes.get("name").map_or("", String::as_str);
        let by_name = |key: &str| self.fuzzy(key, &e.id) || self.fuzzy(key, name);
        // `exec_create` stands for `exec_create: CMD` (Docker's #25798).
        let event = if self.values("event").is_some_and(|vs| vs.iter().any(|v| ["exec_create", "exec_start", "health_status"].contains(&v.as_str()))) {
            self.fuzzy("event", &e.action)
        } else {
            self.exact("event", &e.action)
        };
        event
            && self.exact("type", &e.kind)
            && self.exact("scope", "local")
            && by_name("container")
            && by_name("volume")
            && by_name("network")
            && self.image(e)
            && self.labels(e)
    }

    /// An image event's ID or name, or a container event's image, with or without its tag.
    fn image(&self, e: &Event) -> bool {
        let image = e.attributes.get(if e.kind == "image" { "name" } else { "image" }).map_or("", String::as_str);
        let untagged = |s: &str| Reference::parse(s).map(|r| r.familiar_name()).unwrap_or_else(|_| s.to_owned());
        self.exact("image", &e.id) || self.exact("image", image) || self.exact("image", &untagged(&e.id)) || self.exact("image", &untagged(image))
    }

    /// Every `label=KEY` or `label=KEY=VALUE` among the attributes.
    fn labels(&self, e: &Event) -> bool {
        self.values("label").is_none_or(|vs| {
            vs.iter().all(|v| match v.split_once('=') {
                Some((k, want)) => e.attributes.get(k).is_some_and(|have| have == want),
                None => e.attributes.contains_key(v.as_str()),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_as_dockers_daemon() {
        let e = Event::container("die", &"c189".repeat(16), "web", "busybox").with("exitCode", "0").with("tier", "front");
        let f = |flags: &[&str]| Filters::parse(&flags.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap().include(&e);
        assert!(f(&["event=die", "event=kill"]));
        assert!(!f(&["event=kill"]));
        assert!(f(&["container=web"]) && f(&["container=c189c1"]) && !f(&["container=db"]));
        // As Docker's: the image as the container names it, or without its tag; never by an added tag.
        assert!(f(&["image=busybox"]) && !f(&["image=busybox:latest"]) && !f(&["image=alpine"]));
        let tag = Event::image("tag", "sha256:7bee", "wstest:2");
        let g = |flag: &str| Filters::parse(&[flag.to_owned()]).unwrap().include(&tag);
        assert!(g("image=wstest") && g("image=wstest:2") && g("image=sha256:7bee") && !g("image=7bee"));
        assert!(f(&["type=container"]) && !f(&["type=image"]));
        assert!(f(&["label=tier"]) && f(&["label=tier=front"]) && !f(&["label=tier=back"]));
        assert!(f(&["foo=bar"]), "keys Docker does not know are ignored");
    }
}
