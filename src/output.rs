//! Docker's ways of showing things: tab-aligned tables, "2 minutes ago",
//! "4.26MB", commands in quotes cut to 20 characters.

use chrono::{DateTime, Utc};

/// Aligns rows like Docker's tabwriter (min width 10, padding 3); the last
/// column is not padded.
pub fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            let longest = rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0);
            (longest + 3).max(10)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        for (c, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if c + 1 < row.len() {
                out.push_str(&" ".repeat(widths[c] - cell.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

/// Docker's `units.HumanDuration`.
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    let minutes = s / 60;
    let hours = (s as f64 / 3600.0 + 0.5) as i64;
    match () {
        _ if s < 1 => "Less than a second".into(),
        _ if s == 1 => "1 second".into(),
        _ if s < 60 => format!("{s} seconds"),
        _ if minutes == 1 => "About a minute".into(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", hours / 24 / 365),
    }
}

pub fn ago(when: DateTime<Utc>) -> String {
    format!("{} ago", human_duration((Utc::now() - when).num_seconds()))
}

/// Docker's `units.HumanSizeWithPrecision(size, 3)`: decimal units, 3 significant digits.
pub fn human_size(bytes: u64) -> String {
    human_size_precision(bytes, 3)
}

/// The same with `digits` significant digits (`docker build` uses 4).
pub fn human_size_precision(bytes: u64, digits: i32) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{}{}", significant(value, digits), UNITS[unit])
}

/// Go's `%.3g` for values below 1000: 3 significant digits, no trailing zeros.
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let s = format!("{value:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// Go's `units.BytesSize`: binary units, four significant digits (`23.54GiB`).
pub fn bytes_size(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let (mut size, mut unit) = (bytes as f64, 0);
    while size >= 1024.0 && unit < units.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    format!("{}{}", crate::template::sprintf("%.4g", &[crate::template::Value::Float(size)]), units[unit])
}

/// Docker's COMMAND column: the command line cut to 20 characters with `…`, in quotes.
pub fn quoted_command(args: &[String], truncate: bool) -> String {
    let command = args.join(" ");
    let shown = if truncate && command.chars().count() > 20 { format!("{}…", command.chars().take(19).collect::<String>()) } else { command };
    format!("{shown:?}")
}

/// How a list command words its template errors (`ps` and `images` differ).
pub struct TemplateWords {
    pub parse: &'static str,
    pub exec: &'static str,
}

/// A list command's `--format`: every row through the template (`table`
/// adding Docker's header row), printed only if all of them render.
pub fn print_format(
    out: &mut dyn std::io::Write,
    source: &str,
    rows: &[crate::template::Value],
    headers: &[(&str, &str)],
    words: &TemplateWords,
) -> Result<(), String> {
    let format = crate::template::Format::parse(source).map_err(|e| format!("{}{e}", words.parse))?;
    let text = format.render(rows, &crate::template::header(headers)).map_err(|e| format!("{}{e}", words.exec))?;
    let _ = out.write_all(text.as_bytes());
    Ok(())
}

/// Docker's `CreatedAt` columns: `2026-12-02 18:51:03 +0000 UTC`.
pub fn created_at(when: DateTime<Utc>) -> String {
    when.format("%Y-%m-%d %H:%M:%S +0000 UTC").to_string()
}

/// An OS error as Go prints it: `no such file or directory`.
pub fn go_io_error(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_tables_match_docker_headers() {
        let ps = table(&[["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"].map(String::from).to_vec()]);
        assert_eq!(ps, "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n");
        let images = table(&[["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"].map(String::from).to_vec()]);
        assert_eq!(images, "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n");
    }

    #[test]
    fn durations_read_like_docker() {
        let cases = [
            (0, "Less than a second"),
            (1, "1 second"),
            (59, "59 seconds"),
            (60, "About a minute"),
            (150, "2 minutes"),
            (3600, "About an hour"),
            (7200, "2 hours"),
            (3 * 86400, "3 days"),
            (20 * 86400, "2 weeks"),
            (90 * 86400, "3 months"),
            (800 * 86400, "2 years"),
        ];
        for (s, want) in cases {
            assert_eq!(human_duration(s), want, "{s}s");
        }
    }

    #[test]
    fn sizes_read_like_docker() {
        let cases = [(0, "0B"), (999, "999B"), (1000, "1kB"), (4_261_234, "4.26MB"), (12_500, "12.5kB"), (1_240_000_000, "1.24GB")];
        for (b, want) in cases {
            assert_eq!(human_size(b), want, "{b}");
        }
    }

    #[test]
    fn commands_are_cut_at_twenty_characters() {
        let args: Vec<String> = ["/bin/echo", "Hello Docker"].map(String::from).to_vec();
        assert_eq!(quoted_command(&args, true), "\"/bin/echo Hello Doc…\"");
        assert_eq!(quoted_command(&args, false), "\"/bin/echo Hello Docker\"");
    }
}
