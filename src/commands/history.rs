//! `docker history [--no-trunc] [-q] [-H=false] [--format] IMAGE`: the steps
//! that made an image, newest first, with the size each added (`-H=false`:
//! in bytes, and when as RFC 3339 in a CREATED AT column, as Docker 20.10).
//! A step made here (a build's, a commit's) shows the image it made; steps
//! that came from a registry show `<missing>`, as Docker shows them.

use whaleshell_runtime::digest::short;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::HistoryArgs;
use crate::io::Io;
use crate::output::{ago, human_size, print_format, table, TemplateWords};
use crate::template::{Nil, Struct, Value, HISTORY_HEADERS};

pub fn run(rt: &Runtime, args: &HistoryArgs, io: &mut Io<'_>) -> CommandResult {
    let image = rt.images.resolve(&args.image)?;
    let history = rt.images.config(&image).ok().and_then(|c| c.history().clone()).unwrap_or_default();
    let mut layers = image.layers.iter();
    let human = args.human.unwrap_or(true);
    // Newest step first: the image, then each parent here, as Docker fills the IMAGE column.
    let lineage = rt.images.lineage(&image)?;
    let listed = rt.images.list().unwrap_or_default();
    let tags_of =
        |id: &str| -> Vec<String> { listed.iter().find(|t| t.record.id == id).map(|t| t.tags.iter().map(|r| r.familiar()).collect()).unwrap_or_default() };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut contexts: Vec<Value> = Vec::new();
    for (i, step) in history.iter().enumerate() {
        let size = if step.empty_layer().unwrap_or(false) { 0 } else { layers.next().map_or(0, |l| l.size) };
        let made = lineage.get(history.len() - 1 - i);
        let full_id = made.map_or("<missing>", |m| m.id.as_str());
        let id = match (made, args.no_trunc) {
            (Some(m), true) => m.id.clone(),
            (Some(m), false) => short(&m.id).to_owned(),
            (None, _) => "<missing>".to_owned(),
        };
        let tags = made.map(|m| tags_of(&m.id)).unwrap_or_default();
        let when: Option<chrono::DateTime<chrono::Utc>> = step.created().as_deref().and_then(|c| c.parse().ok());
        let created_at = when.map(|w| w.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default();
        // Docker's historyContext: without -H, CreatedSince is CreatedAt and Size is in bytes.
        let created = if human { when.map(ago).unwrap_or_default() } else { created_at.clone() };
        // What `{{.}}` prints: Docker 20.10's historyContext as Go prints it,
        // `{{<nil>} trunc human {Comment Created CreatedBy ID Size Tags}}`.
        let item = Struct::new("image.HistoryResponseItem")
            .field("Comment", step.comment().clone().unwrap_or_default())
            .field("Created", when.map_or(0, |w| w.timestamp()))
            .field("CreatedBy", step.created_by().clone().unwrap_or_default())
            .field("ID", full_id)
            .field("Size", i64::try_from(size).unwrap_or(i64::MAX))
            .field("Tags", if tags.is_empty() { Value::Nil(Nil::Slice) } else { Value::from(tags.clone()) });
        let printed = Struct::new("image.historyContext")
            .field("HeaderContext", Struct::new("formatter.HeaderContext").field("header", Value::Nil(Nil::Pointer)))
            .field("trunc", !args.no_trunc)
            .field("human", human)
            .field("h", item)
            .into_value();
        let size = if human { human_size(size) } else { size.to_string() };
        let by = step.created_by().clone().unwrap_or_default().replace('\t', " ");
        let by = if args.no_trunc || by.chars().count() <= 45 { by } else { format!("{}…", by.chars().take(44).collect::<String>()) };
        let comment = step.comment().clone().unwrap_or_default();
        contexts.push(
            Struct::context("*image.historyContext")
                .printed_as(move || printed.clone())
                .field("ID", id.as_str())
                .field("CreatedSince", created.as_str())
                .field("CreatedAt", created_at.as_str())
                .field("CreatedBy", by.as_str())
                .field("Size", size.as_str())
                .field("Comment", comment.as_str())
                .into_value(),
        );
        rows.push(vec![id, created, by, size, comment]);
    }
    rows.reverse();
    contexts.reverse();
    if let Some(source) = args.format.as_deref().filter(|f| !f.is_empty() && *f != "table") {
        let words = TemplateWords { parse: "template parsing error: ", exec: "template parsing error: " };
        return print_format(io.stdout, source, &contexts, HISTORY_HEADERS, &words).map(|()| 0).map_err(CommandError::Client);
    }
    // -q is Docker's quiet format, which only the table format gives way to.
    if args.quiet {
        for row in &rows {
            io.out(&row[0]);
        }
        return Ok(0);
    }
    let created = if human { "CREATED" } else { "CREATED AT" };
    rows.insert(0, ["IMAGE", created, "CREATED BY", "SIZE", "COMMENT"].map(String::from).to_vec());
    let _ = std::io::Write::write_all(io.stdout, table(&rows).as_bytes());
    Ok(0)
}
