//! The AWS CLI's `--output table`, port of its table formatter: a titled
//! section per dict or list of dicts, scalar keys sorted as column headers,
//! nested values in indented sections, columns scaled to the widest section,
//! and single-row sections turned vertical when the table is wider than the
//! terminal.

use serde_json::Value;

use super::scalar::{is_scalar, python_str as cell};

#[derive(Debug, Default, Clone)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    max_widths: Vec<usize>,
}

fn len(text: &str) -> usize {
    text.chars().count()
}

impl Section {
    fn update_widths(&mut self, row: &[String]) {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|c| len(c)).collect();
        } else {
            for (w, c) in self.max_widths.iter_mut().zip(row) {
                *w = (*w).max(len(c));
            }
        }
    }

    fn add_header(&mut self, headers: Vec<String>) {
        self.update_widths(&headers);
        self.headers = headers;
    }

    fn add_row(&mut self, row: Vec<String>) {
        self.update_widths(&row);
        self.rows.push(row);
    }

    /// Column widths; scaled so they add up to `max_width` when given.
    fn widths(&self, padding: usize, max_width: Option<usize>) -> Vec<usize> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + padding).collect();
        let Some(max_width) = max_width.filter(|_| !unscaled.is_empty()) else { return unscaled };
        let scale = max_width as f64 / unscaled.iter().sum::<usize>() as f64;
        let mut scaled: Vec<i64> = unscaled.iter().map(|w| (scale * *w as f64).round_ties_even() as i64).collect();
        let mut off_by = scaled.iter().sum::<i64>() - max_width as i64;
        while off_by != 0 {
            let order: Vec<usize> = if off_by < 0 { (0..scaled.len()).rev().collect() } else { (0..scaled.len()).collect() };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self) -> usize {
        let columns: usize = self.widths(0, None).iter().map(|w| w + 4).sum();
        (columns + 2 + 2 * self.indent).max(len(&self.title) + 2 + 2 * self.indent)
    }
}

fn center(text: &str, length: usize, left_edge: &str) -> String {
    let start = (length / 2).saturating_sub(len(text) / 2).saturating_sub(1);
    let so_far = len(left_edge) + start + len(text);
    format!("{left_edge}{}{text}{}|", " ".repeat(start), " ".repeat(length.saturating_sub(1 + so_far)))
}

fn align_left(text: &str, length: usize, left_edge: &str) -> String {
    let length = length.max(len(text) + 2 + len(left_edge) + 1);
    let so_far = 2 + len(left_edge) + len(text);
    format!("{left_edge}  {text}{}|", " ".repeat(length - so_far - 1))
}

fn line_break(widths: &[usize]) -> String {
    widths
        .iter()
        .enumerate()
        .map(|(i, w)| if i == 0 { format!("+{}+", "-".repeat(w.saturating_sub(2))) } else { format!("{}+", "-".repeat(w.saturating_sub(1))) })
        .collect()
}

struct Builder {
    sections: Vec<Section>,
}

impl Builder {
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section { title: title.to_owned(), indent, ..Section::default() });
    }

    fn build(&mut self, title: Option<&str>, value: &Value, indent: usize) -> bool {
        let empty = match value {
            Value::Null => true,
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            Value::String(s) => s.is_empty(),
            Value::Bool(b) => !b,
            // Python's truth: a zero is as empty as an empty list.
            Value::Number(n) => n.as_f64() == Some(0.0),
        };
        if empty {
            return false;
        }
        if let Some(title) = title {
            self.new_section(title, indent);
        }
        match value {
            Value::Array(items) if items.first().is_some_and(Value::is_object) => self.add_list(items, indent, title.unwrap_or_default()),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Array(inner) if inner.iter().all(is_scalar) => self.current().add_row(inner.iter().map(cell).collect()),
                        v if is_scalar(v) => self.current().add_row(vec![cell(v)]),
                        v => {
                            self.build(None, v, 0);
                        }
                    }
                }
            }
            Value::Object(map) => self.add_dict(map, indent),
            _ => {}
        }
        true
    }

    fn add_dict(&mut self, map: &serde_json::Map<String, Value>, indent: usize) {
        let (headers, more) = split_keys(map.iter());
        if let [only] = headers.as_slice() {
            self.current().add_row(vec![only.clone(), cell(&map[only])]);
        } else if !headers.is_empty() {
            let row = headers.iter().map(|k| cell(&map[k])).collect();
            self.current().add_header(headers);
            self.current().add_row(row);
        }
        for key in more {
            self.build(Some(&key), &map[&key], indent + 1);
        }
    }

    fn add_list(&mut self, items: &[Value], indent: usize, title: &str) {
        let mut headers = Vec::new();
        let mut more = Vec::new();
        for item in items.iter().filter_map(Value::as_object) {
            let (h, m) = split_keys(item.iter());
            headers.extend(h);
            more.extend(m);
        }
        for list in [&mut headers, &mut more] {
            list.sort();
            list.dedup();
        }
        self.current().add_header(headers.clone());
        for (i, item) in items.iter().filter_map(Value::as_object).enumerate() {
            if i > 0 && !more.is_empty() {
                self.new_section(title, indent);
                self.current().add_header(headers.clone());
            }
            self.current().add_row(headers.iter().map(|h| item.get(h).map(cell).unwrap_or_default()).collect());
            for key in &more {
                if let Some(v) = item.get(key) {
                    self.build(Some(key), v, indent + 1);
                }
            }
        }
    }
}

/// A dict's keys: those with scalar values, and the others, each sorted.
fn split_keys<'a>(entries: impl Iterator<Item = (&'a String, &'a Value)>) -> (Vec<String>, Vec<String>) {
    let (mut scalars, mut more): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for (k, v) in entries {
        if is_scalar(v) {
            scalars.push(k.clone())
        } else {
            more.push(k.clone())
        }
    }
    scalars.sort();
    more.sort();
    (scalars, more)
}

/// The table for an answer of `operation`, at most `terminal_width` wide
/// when single-row sections can be turned vertical to get there.
pub fn render(operation: &str, value: &Value, terminal_width: usize) -> String {
    let mut builder = Builder { sections: Vec::new() };
    if !builder.build(Some(operation), value, 0) {
        return String::new();
    }
    let mut sections = builder.sections;
    let mut max_width = sections.iter().map(Section::total_width).max().unwrap_or(0);
    if max_width > terminal_width {
        for section in sections.iter_mut().filter(|s| s.rows.len() == 1 && !s.headers.is_empty()) {
            let mut vertical = Section { title: section.title.clone(), indent: section.indent, ..Section::default() };
            for (header, element) in section.headers.iter().zip(&section.rows[0]) {
                vertical.add_row(vec![header.clone(), element.clone()]);
            }
            *section = vertical;
        }
        max_width = sections.iter().map(Section::total_width).max().unwrap_or(0);
    }
    let mut out = format!("{}\n", "-".repeat(max_width));
    for section in &sections {
        let width = max_width - 2 * section.indent;
        let bars = "|".repeat(section.indent);
        let mut lines = Vec::new();
        if !section.title.is_empty() {
            lines.push(center(&section.title, width, "|"));
            if section.headers.is_empty() && section.rows.is_empty() {
                lines.push(format!("+{}+", "-".repeat(width.saturating_sub(2))));
            }
        }
        let widths = section.widths(4, Some(width));
        if !section.headers.is_empty() {
            lines.push(line_break(&widths));
            let mut header = String::new();
            for (i, (w, h)) in widths.iter().zip(&section.headers).enumerate() {
                header.push_str(&center(h, *w, if i == 0 { "|" } else { "" }));
            }
            lines.push(header);
        }
        if !section.rows.is_empty() && !widths.is_empty() {
            lines.push(line_break(&widths));
            for row in &section.rows {
                let mut line = String::new();
                for (i, (w, element)) in widths.iter().zip(row).enumerate() {
                    line.push_str(&align_left(element, *w, if i == 0 { "|" } else { "" }));
                }
                lines.push(line);
            }
            lines.push(line_break(&widths));
        }
        for line in lines {
            out.push_str(&format!("{bars}{line}{bars}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn a_small_answer_draws_as_the_aws_cli_draws_it() {
        let identity: serde_json::Value =
            serde_json::from_str(r#"{"UserId": "AIDAEXAMPLE", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/learner"}"#).unwrap();
        // Checked against the AWS CLI's own output for the same answer.
        insta::assert_snapshot!(render("GetCallerIdentity", &identity, 200), @r"
        ---------------------------------------------------------------------------
        |                            GetCallerIdentity                            |
        +--------------+------------------------------------------+---------------+
        |    Account   |                   Arn                    |    UserId     |
        +--------------+------------------------------------------+---------------+
        |  123456789012|  arn:aws:iam::123456789012:user/learner  |  AIDAEXAMPLE  |
        +--------------+------------------------------------------+---------------+
        ");
    }
}
