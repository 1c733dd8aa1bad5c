//! Go's `time` durations, as Docker reads and prints them: HEALTHCHECK's
//! `--interval=30s`, `docker events --since 10m`, `logs --since 1h30m`.

use crate::build::shell_word::go_quote;

/// Go's `time.ParseDuration`, in nanoseconds: `1h30m`, `-5m`, `1.5s`,
/// `500ms`, `10us`; errors in Go's words (`time: missing unit in duration "10"`).
pub fn parse_duration(text: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(text));
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text.strip_prefix('+').unwrap_or(text)),
    };
    if body == "0" {
        return Ok(0);
    }
    if body.is_empty() {
        return Err(invalid());
    }
    let mut total = 0f64;
    let mut rest = body;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        let value: f64 = number.parse().map_err(|_| invalid())?;
        let unit_len = after.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {}", go_quote(text))),
            other => return Err(format!("time: unknown unit {} in duration {}", go_quote(other), go_quote(text))),
        };
        total += value * scale;
        rest = after;
    }
    Ok((sign * total).round() as i128)
}

/// Go's `time.Duration.String()`: `5s`, `1m30s`, `1h0m0s`, `500ms`, `0s`.
pub fn format_duration(nanos: u64) -> String {
    fn trim(n: u64, digits: u32) -> String {
        let whole = n / 10u64.pow(digits);
        let frac = n % 10u64.pow(digits);
        if frac == 0 {
            whole.to_string()
        } else {
            let f = format!("{frac:0width$}", width = digits as usize);
            format!("{whole}.{}", f.trim_end_matches('0'))
        }
    }
    match nanos {
        0 => "0s".into(),
        n if n < 1_000 => format!("{n}ns"),
        n if n < 1_000_000 => format!("{}µs", trim(n, 3)),
        n if n < 1_000_000_000 => format!("{}ms", trim(n, 6)),
        n => {
            let (hours, rest) = (n / 3_600_000_000_000, n % 3_600_000_000_000);
            let (minutes, seconds) = (rest / 60_000_000_000, rest % 60_000_000_000);
            let s = format!("{}s", trim(seconds, 9));
            match (hours, minutes) {
                (0, 0) => s,
                (0, m) => format!("{m}m{s}"),
                (h, m) => format!("{h}h{m}m{s}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_both_ways() {
        for (text, nanos) in [("5s", 5_000_000_000), ("1m30s", 90_000_000_000), ("1h", 3_600_000_000_000), ("1.5s", 1_500_000_000), ("500ms", 500_000_000)] {
            assert_eq!(parse_duration(text), Ok(nanos), "{text}");
        }
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(5_000_000_000), "5s");
        assert_eq!(format_duration(90_000_000_000), "1m30s");
        assert_eq!(format_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(500_000_000), "500ms");
        assert_eq!(parse_duration("10"), Err("time: missing unit in duration \"10\"".into()));
        assert_eq!(parse_duration("-5m"), Ok(-300_000_000_000));
    }
}
