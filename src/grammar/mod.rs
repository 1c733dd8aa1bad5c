//! From a typed line to typed commands, in two steps:
//! [`line`] (nom) turns the line into words, pipelines and `&&`/`;` lists;
//! [`docker`] turns a `docker …` word list into a [`docker::Docker`] value.
//! Both report errors as a [`ParseError`]: a message, and the span of the
//! offending token so it can be underlined with carets.

pub mod docker;
pub mod line;

pub use line::Span;

/// A word after expansion, remembering where on the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
    /// A closing line such as `See 'docker run --help'.`
    pub footer: Option<String>,
}

impl ParseError {
    /// The message, the line, and carets under the offending token.
    pub fn render(&self, line: &str) -> String {
        let start = self.span.start.min(line.len());
        let end = self.span.end.clamp(start, line.len());
        let pad = line[..start].chars().count();
        let width = line[start..end].chars().count().max(1);
        let mut out = format!("{}\n  {}\n  {}{}", self.message, line, " ".repeat(pad), "^".repeat(width));
        if let Some(footer) = &self.footer {
            out.push('\n');
            out.push_str(footer);
        }
        out
    }
}

impl From<line::LineError> for ParseError {
    fn from(e: line::LineError) -> Self {
        ParseError { message: format!("whaleshell: {}", e.message), span: e.span, footer: None }
    }
}

/// The closest candidate to a mistyped word, if it is close enough to be a likely typo.
pub fn suggest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(typed, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
