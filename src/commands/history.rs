//! `docker history [--no-trunc] [-q] [-H=false] [--format] IMAGE`: the steps
//! that made an image, newest first, with the size each added (`-H=false`:
//! in bytes, and when as RFC 3339 in a CREATED AT column, as Docker 20.10). Layers that came from a registry show
//! `<missing>` as their IMAGE, as Docker shows them.

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
    let tags: Vec<String> = rt
        .images
        .list()
        .ok()
        .and_then(|all| all.into_iter().find(|t| t.record.id == image.id))
        .map(|t| t.tags.iter().map(|r| r.familiar()).collect())
        .unwrap_or_default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut contexts: Vec<Value> = Vec::new();
    for (i, step) in history.iter().enumerate() {
        let size = if step.empty_layer().unwrap_or(false) { 0 } else { layers.next().map_or(0, |l| l.size) };
        let newest = i + 1 == history.len();
        let id = match (newest, args.no_trunc) {
            (true, true) => image.id.clone(),
            (true, false) => short(&image.id).to_owned(),
            (false, _) => "<missing>".to_owned(),
        };
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
            .field("ID", if newest { image.id.as_str() } else { "<missing>" })
            .field("Size", i64::try_from(size).unwrap_or(i64::MAX))
            .field("Tags", if newest && !tags.is_empty() { Value::from(tags.clone()) } else { Value::Nil(Nil::Slice) });
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
