//! Go templates as Docker's `--format`/`-f` flags take them: Go's
//! text/template (fields, `range`, `if`/`else if`, `with`, variables,
//! pipelines, `{{- -}}`, Go's builtins and error texts), the Docker CLI's
//! functions (`json`, `join`, `split`, `title`, `lower`, `upper`, `pad`,
//! `truncate`), and its `table` directive.
//!
//! ```ignore
//! // docker inspect -f: Docker's JSON, typed by its Go shape, retried untyped on error.
//! let t = Template::parse(&args.format)?;
//! let line = t.render_json(&container_json, &GoShape { maps: CONTAINER_MAPS, slices: CONTAINER_SLICES })?;
//!
//! // docker ps --format: one context per container, Docker's headers for `table`.
//! let format = Format::parse(&args.format)?;
//! let rows: Vec<Value> = containers.iter().map(|c| Struct::context("*formatter.ContainerContext")
//!     .field("ID", short_id(c)).field("Names", c.name.as_str())
//!     .method("Label", 1, move |a| Ok(labels_of(c, a[0].as_str().unwrap_or("")).into()))
//!     .into_value()).collect();
//! print!("{}", format.render(&rows, &header(&[("ID", "CONTAINER ID"), ("Names", "NAMES")]))?);
//! ```

// Until the commands call it (issue 10), most of the API is used by the tests only.
#![allow(dead_code, unused_imports)]

mod exec;
mod format;
mod funcs;
mod gofmt;
mod lexer;
mod parse;
mod shapes;
mod value;

#[cfg(test)]
mod tests;

pub use format::{header, Format};
pub use gofmt::sprintf;
pub use shapes::{CONTAINER_MAPS, CONTAINER_OMITTED, CONTAINER_SLICES, IMAGE_HEADERS, IMAGE_MAPS, IMAGE_SLICES, PS_HEADERS, STATS_HEADERS};
pub use shapes::{DF_HEADERS, HISTORY_HEADERS, IMAGE_OMITTED};
pub use value::{GoShape, MethodFn, Nil, Struct, Value, Zero};

use exec::Options;
use parse::Node;

/// A template error, worded as Go words it; Docker's commands put their
/// own prefix before it (`template parsing error: `, `failed to execute template: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `template: :1: unclosed action`
    #[error("{0}")]
    Parse(String),
    /// `template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"`
    #[error("{0}")]
    Exec(String),
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    source: String,
    root: Vec<Node>,
}

impl Template {
    /// Parses a template named "" (as `docker inspect`, `ps`, `images` … name theirs).
    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        Self::parse_named("", source)
    }

    /// Parses a template with a name, which Go's errors show (`docker version` names its "version").
    pub fn parse_named(name: &str, source: &str) -> Result<Template, TemplateError> {
        let root = parse::parse(name, source, &funcs::exists).map_err(TemplateError::Parse)?;
        Ok(Template { name: name.to_owned(), source: source.to_owned(), root })
    }

    /// Runs the template on `data`; a missing map key prints `<no value>`.
    pub fn render(&self, data: &Value) -> Result<String, TemplateError> {
        self.run(data, Options::default())
    }

    /// Runs the template as `docker inspect` does: on Docker's JSON as the
    /// Go types `shape` describes, and if that fails, again on the JSON
    /// decoded untyped with `missingkey=error` — whose error is the one
    /// Docker reports (`map has no entry for key "Foo"`).
    pub fn render_json(&self, json: &serde_json::Value, shape: &GoShape<'_>) -> Result<String, TemplateError> {
        self.run(&Value::from_json(json, shape), Options::default()).or_else(|_| {
            let raw = Options { missing_key_error: true, untyped: true, ..Options::default() };
            self.run(&Value::from_json_raw(json), raw)
        })
    }

    /// Runs the template and keeps what it wrote before an error, as Go's
    /// `Execute` into a buffer does (`docker version`/`info` print that part).
    pub fn render_partial(&self, data: &Value) -> (String, Option<TemplateError>) {
        let (out, err) = exec::execute(&self.name, &self.source, &self.root, data, Options::default());
        (out, err.map(TemplateError::Exec))
    }

    fn run(&self, data: &Value, opts: Options) -> Result<String, TemplateError> {
        match exec::execute(&self.name, &self.source, &self.root, data, opts) {
            (out, None) => Ok(out),
            (_, Some(e)) => Err(TemplateError::Exec(e)),
        }
    }
}
