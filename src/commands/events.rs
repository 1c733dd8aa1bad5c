//! `docker events [--since T] [--until T] [-f KEY=VALUE] [--format TEMPLATE]`:
//! the engine's event log (`runtime::events`) in Docker's line format
//! (`2026-12-03T09:00:00.123456789Z container create ID (image=busybox, name=x)`)
//! or through a Go template over Docker's `events.Message`. Past events
//! come from `--since` on; without `--until` it then follows the log for
//! new ones until Ctrl-C (with `--until`, until that time).

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Local, Offset, TimeZone, Utc};
use whaleshell_runtime::events::{self, Event};
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::EventsArgs;
use crate::interrupt::{self, Interrupts};
use crate::io::Io;
use crate::template::{Nil, Struct, Template, Value};

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

/// `secs.nanos` (Docker's `timetypes.ParseTimestamps`) in nanoseconds.
pub(crate) fn nanos(text: &str) -> i64 {
    let (secs, frac) = text.split_once('.').unwrap_or((text, ""));
    let secs: i64 = secs.parse().unwrap_or(0);
    let frac_ns = if frac.is_empty() {
        0
    } else {
        let digits: String = frac.chars().take(9).collect();
        digits.parse::<i64>().unwrap_or(0) * 10i64.pow(9 - digits.len() as u32)
    };
    secs.saturating_mul(1_000_000_000).saturating_add(frac_ns)
}

/// Docker's `timetypes.GetTimestamp`: a Go duration (`10m`, before now),
/// an RFC 3339 date or time (in the local zone unless it names one), or
/// Unix seconds; as the `secs[.nanos]` text the daemon is sent.
pub(crate) fn timestamp(value: &str, now: DateTime<Local>) -> Result<String, String> {
    if value != "0" {
        if let Ok(d) = whaleshell_runtime::go_time::parse_duration(value) {
            let t = now.timestamp_nanos_opt().unwrap_or(0) as i128 - d;
            return Ok(t.div_euclid(1_000_000_000).to_string());
        }
    }
    let in_location = !(value.contains(['z', 'Z', '+']) || value.matches('-').count() == 3);
    let layout = if value.contains('.') {
        if in_location {
            "2006-01-02T15:04:05.999999999"
        } else {
            "2006-01-02T15:04:05.999999999Z07:00"
        }
    } else if value.contains('T') {
        let mut colons = value.matches(':').count();
        if !in_location && !value.contains(['z', 'Z']) && colons > 0 {
            colons -= 1;
        }
        match (in_location, colons) {
            (true, 0) => "2006-01-02T15",
            (true, 1) => "2006-01-02T15:04",
            (true, _) => "2006-01-02T15:04:05",
            (false, 0) => "2006-01-02T15Z07:00",
            (false, 1) => "2006-01-02T15:04Z07:00",
            (false, _) => "2006-01-02T15:04:05Z07:00",
        }
    } else if in_location {
        "2006-01-02"
    } else {
        "2006-01-02Z07:00"
    };
    match go_parse(layout, value, now.offset().fix()) {
        Ok(t) => Ok(format!("{}.{:09}", t.timestamp(), t.timestamp_subsec_nanos())),
        // With a `-` it was meant as a date; else Unix seconds, checked here.
        Err(e) if value.contains('-') => Err(e),
        Err(_) => {
            let (secs, frac) = value.split_once('.').unwrap_or((value, "0"));
            if secs.parse::<i64>().is_ok() && frac.parse::<i64>().is_ok() {
                Ok(value.to_owned())
            } else {
                Err(format!("failed to parse value as time or duration: \"{value}\""))
            }
        }
    }
}

/// Go's `time.Parse` for the layouts [`timestamp`] uses, with Go's error
/// texts (`parsing time "2026-12-0x" as "2006-01-02": cannot parse "0x" as "02"`,
/// `parsing time "2026-13-01": month out of range`). A layout without a
/// zone takes `local`.
fn go_parse(layout: &str, value: &str, local: FixedOffset) -> Result<DateTime<FixedOffset>, String> {
    const ELEMENTS: [&str; 9] = ["2006", "01", "02", "15", "04", "05", ".999999999", "Z07:00", ""];
    let cannot = |rest: &str, elem: &str| format!("parsing time \"{value}\" as \"{layout}\": cannot parse \"{rest}\" as \"{elem}\"");
    let out_of_range = |what: &str| format!("parsing time \"{value}\": {what} out of range");
    let (mut year, mut month, mut day, mut hour, mut minute, mut second, mut nanos) = (0i32, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
    let mut zone: Option<FixedOffset> = None;
    let (mut l, mut v) = (layout, value);
    while !l.is_empty() {
        let Some(elem) = ELEMENTS.iter().find(|e| !e.is_empty() && l.starts_with(**e)) else {
            // A literal: it must be there as it is.
            let lit_len = l.find(|c: char| c.is_ascii_digit() || c == 'Z' || c == '.').unwrap_or(l.len()).max(1);
            let literal = &l[..lit_len];
            if !v.starts_with(literal) {
                return Err(cannot(v, literal));
            }
            l = &l[lit_len..];
            v = &v[lit_len..];
            continue;
        };
        l = &l[elem.len()..];
        let digits = |v: &str, min: usize, max: usize| -> Option<(u32, usize)> {
            let n = v.chars().take(max).take_while(|c| c.is_ascii_digit()).count();
            (n >= min).then(|| (v[..n].parse().unwrap_or(0), n))
        };
        match *elem {
            "2006" => {
                let (y, n) = digits(v, 4, 4).ok_or_else(|| cannot(v, elem))?;
                year = y as i32;
                v = &v[n..];
            }
            "01" => {
                let (m, n) = digits(v, 2, 2).ok_or_else(|| cannot(v, elem))?;
                if !(1..=12).contains(&m) {
                    return Err(out_of_range("month"));
                }
                month = m;
                v = &v[n..];
            }
            "02" | "15" | "04" | "05" => {
                let min = if *elem == "15" { 1 } else { 2 };
                let (x, n) = digits(v, min, 2).ok_or_else(|| cannot(v, elem))?;
                match *elem {
                    "02" => day = x,
                    "15" => hour = x,
                    "04" => minute = x,
                    _ => second = x,
                }
                v = &v[n..];
                // Go takes a fraction after the seconds whatever the layout says.
                if *elem == "05" && v.starts_with('.') && !l.starts_with('.') {
                    let n = v[1..].chars().take_while(|c| c.is_ascii_digit()).count();
                    nanos = fraction(&v[1..1 + n]);
                    v = &v[1 + n..];
                }
            }
            ".999999999" => {
                if let Some(rest) = v.strip_prefix('.') {
                    let n = rest.chars().take_while(|c| c.is_ascii_digit()).count();
                    nanos = fraction(&rest[..n]);
                    v = &rest[n..];
                }
            }
            _ => {
                // Z07:00
                if let Some(rest) = v.strip_prefix(['Z', 'z']) {
                    zone = FixedOffset::east_opt(0);
                    v = rest;
                } else {
                    let sign = match v.chars().next() {
                        Some('+') => 1,
                        Some('-') => -1,
                        _ => return Err(cannot(v, elem)),
                    };
                    let b = v.as_bytes();
                    let ok = v.len() >= 6 && b[1..3].iter().all(u8::is_ascii_digit) && b[3] == b':' && b[4..6].iter().all(u8::is_ascii_digit);
                    if !ok {
                        return Err(cannot(v, elem));
                    }
                    let (h, m): (i32, i32) = (v[1..3].parse().unwrap_or(0), v[4..6].parse().unwrap_or(0));
                    zone = FixedOffset::east_opt(sign * (h * 3600 + m * 60));
                    v = &v[6..];
                }
            }
        }
    }
    if !v.is_empty() {
        return Err(format!("parsing time \"{value}\": extra text: \"{v}\""));
    }
    if hour >= 24 {
        return Err(out_of_range("hour"));
    }
    if minute >= 60 {
        return Err(out_of_range("minute"));
    }
    if second >= 60 {
        return Err(out_of_range("second"));
    }
    let zone = zone.unwrap_or(local);
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| out_of_range("day"))?;
    let naive = date.and_hms_nano_opt(hour, minute, second, nanos).ok_or_else(|| out_of_range("second"))?;
    zone.from_local_datetime(&naive).single().ok_or_else(|| out_of_range("day"))
}

/// `.5` → 500000000 ns.
fn fraction(digits: &str) -> u32 {
    let d: String = digits.chars().take(9).collect();
    if d.is_empty() {
        return 0;
    }
    d.parse::<u32>().unwrap_or(0) * 10u32.pow(9 - d.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(now: &str) -> DateTime<Local> {
        DateTime::parse_from_rfc3339(now).unwrap().with_timezone(&Local)
    }

    #[test]
    fn timestamps_read_as_dockers() {
        let now = at("2026-12-03T09:15:00Z");
        let utc = |v: &str| timestamp(v, now).map(|t| nanos(&t));
        assert_eq!(timestamp("10m", now).unwrap(), "1796288700");
        assert_eq!(timestamp("1796289306.123", now).unwrap(), "1796289306.123");
        assert_eq!(nanos("1796289306.123"), 1_796_289_306_123_000_000);
        assert_eq!(utc("2026-12-03T09:15:06Z").unwrap(), 1_796_289_306_000_000_000);
        assert_eq!(utc("2026-12-03T09:15:06.5Z").unwrap(), 1_796_289_306_500_000_000);
        assert_eq!(utc("2026-12-03T10:15:06+01:00").unwrap(), 1_796_289_306_000_000_000);
        assert_eq!(timestamp("bogus", now).unwrap_err(), "failed to parse value as time or duration: \"bogus\"");
        assert_eq!(timestamp("2026-13-01", now).unwrap_err(), "parsing time \"2026-13-01\": month out of range");
        assert_eq!(timestamp("2026-12-0x", now).unwrap_err(), "parsing time \"2026-12-0x\" as \"2006-01-02\": cannot parse \"0x\" as \"02\"");
        assert_eq!(timestamp("0", now).unwrap(), "0");
    }

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
