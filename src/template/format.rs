//! Docker's formatter around a template (`cli/command/formatter`): the
//! `table` and `json` directives, `\t`/`\n` escapes, header rows and
//! tabwriter alignment.

use std::io::Write;

use super::exec::{self, Options};
use super::value::{Struct, Value};
use super::{Template, TemplateError};

/// A `--format` value as Docker's list commands take it.
#[derive(Debug, Clone)]
pub struct Format {
    template: Template,
    table: bool,
}

impl Format {
    /// `table …` prints a header row and aligns columns; `json` is `{{json .}}`;
    /// spaces around are trimmed and `\t`, `\n` written as two characters become
    /// a tab and a newline. Commands map "" and a bare "table" to their default
    /// table format before calling this, as Docker's do.
    pub fn parse(source: &str) -> Result<Format, TemplateError> {
        let (table, body) = match source.strip_prefix("table") {
            Some(rest) => (true, rest),
            None if source == "json" => (false, "{{json .}}"),
            None => (false, source),
        };
        let body = body.trim_matches(' ').replace("\\t", "\t").replace("\\n", "\n");
        Ok(Format { template: Template::parse(&body)?, table })
    }

    pub fn is_table(&self) -> bool {
        self.table
    }

    pub fn template(&self) -> &Template {
        &self.template
    }

    /// Every row rendered and followed by a newline; for a table, the header
    /// row first (the template run on `header` with Docker's header
    /// functions; an error there just ends the header, as in Docker) and all
    /// of it aligned with Docker's tabwriter (min width 10, padding 3).
    pub fn render(&self, rows: &[Value], header: &Value) -> Result<String, TemplateError> {
        let mut body = String::new();
        for row in rows {
            body.push_str(&self.template.render(row)?);
            body.push('\n');
        }
        if !self.table {
            return Ok(body);
        }
        let t = &self.template;
        let (head, _) = exec::execute(&t.name, &t.source, &t.root, header, Options { header: true, ..Options::default() });
        Ok(align(&format!("{head}\n{body}")))
    }
}

/// Docker's headers for a command: the map from field to column title
/// (`("ID", "CONTAINER ID")`), with `.Label "a.b-c"` giving `b c` as Docker's does.
pub fn header(columns: &[(&str, &str)]) -> Value {
    let mut h = Struct::open_map("formatter.SubHeaderContext");
    for (field, title) in columns {
        h = h.field(field, *title);
    }
    h.method("Label", 1, |args| {
        let name = args[0].as_str().unwrap_or("");
        let last = name.rsplit('.').next().unwrap_or(name);
        Ok(Value::String(last.replace(['-', '_'], " ")))
    })
    .into_value()
}

/// `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`: Go's minimum width counts the
/// padding, the tabwriter crate adds padding after it, hence 10 - 3.
fn align(text: &str) -> String {
    let mut tw = tabwriter::TabWriter::new(Vec::new()).minwidth(10 - 3).padding(3);
    if tw.write_all(text.as_bytes()).and_then(|()| tw.flush()).is_err() {
        return text.to_owned();
    }
    match tw.into_inner() {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => text.to_owned(),
    }
}
