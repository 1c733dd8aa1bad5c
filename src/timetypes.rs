//! Docker's `timetypes`: the times `--since`/`--until` take (`docker events`,
//! `docker logs`) — a Go duration before now, an RFC 3339 date or time, or
//! Unix seconds — with Go's parse errors.

use chrono::{DateTime, FixedOffset, Local, Offset, TimeZone};

/// `secs.nanos` (Docker's `timetypes.ParseTimestamps`) in nanoseconds.
pub fn nanos(text: &str) -> i64 {
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
pub fn timestamp(value: &str, now: DateTime<Local>) -> Result<String, String> {
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
}
