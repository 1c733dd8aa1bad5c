//! Tab completion from the same sources the commands use: the clap tree
//! for subcommands and flags, the stores for image and container names.

use std::borrow::Cow;
use std::path::PathBuf;

use colored::Colorize;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::Context;
use rustyline::Helper as HelperTrait;
use whaleshell_runtime::Runtime;

use crate::grammar::docker::command_tree;

pub struct Helper {
    hinter: HistoryHinter,
    root: PathBuf,
}

/// The history's suggestion, only where it can be drawn dimmed: without
/// colors it would look like typed text.
impl Hinter for Helper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        colored::control::SHOULD_COLORIZE.should_colorize().then(|| self.hinter.hint(line, pos, ctx)).flatten()
    }
}

impl HelperTrait for Helper {}

/// The history's suggestion is drawn dimmed, so it never looks typed.
impl Highlighter for Helper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(hint.dimmed().to_string())
    }
}

/// A line ending in a backslash, or with a quote still open, goes on: the
/// prompt asks for the next line, as a shell's does.
impl Validator for Helper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input().replace("\\\n", "");
        if input.ends_with('\\') {
            return Ok(ValidationResult::Incomplete);
        }
        match crate::grammar::line::parse_line(&input) {
            Err(e) if e.message.starts_with("unclosed") && !e.message.contains("$(") => Ok(ValidationResult::Incomplete),
            _ => Ok(ValidationResult::Valid(None)),
        }
    }
}

impl Helper {
    pub fn new(root: PathBuf) -> Helper {
        Helper { hinter: HistoryHinter::new(), root }
    }

    fn images(&self) -> Vec<String> {
        let Ok(rt) = Runtime::open(&self.root) else { return Vec::new() };
        let mut names: Vec<String> =
            rt.images.list().unwrap_or_default().iter().flat_map(|i| i.tags.iter().flat_map(|t| [t.familiar_name(), t.familiar()])).collect();
        names.extend(whaleshell_runtime::hub::repositories());
        names.sort();
        names.dedup();
        names
    }

    fn containers(&self) -> Vec<String> {
        let Ok(rt) = Runtime::open(&self.root) else { return Vec::new() };
        rt.containers.list().unwrap_or_default().iter().flat_map(|c| [c.name.clone(), c.short_id().to_owned()]).collect()
    }
}

impl Completer for Helper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        // Complete within the current command only (after the last | ; &&).
        let segment_start = before.rfind(['|', ';', '&']).map_or(0, |i| i + 1);
        let segment = &before[segment_start..];
        let word_start = segment.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let current = &segment[word_start..];
        let words: Vec<&str> = segment[..word_start].split_whitespace().collect();
        let candidates = self.candidates(&words, current);
        let pairs = candidates.into_iter().filter(|c| c.starts_with(current)).map(|c| Pair { display: c.clone(), replacement: c }).collect();
        Ok((segment_start + word_start, pairs))
    }
}

impl Helper {
    fn candidates(&self, words: &[&str], current: &str) -> Vec<String> {
        let Some((&first, rest)) = words.split_first() else {
            return crate::grammar::words().into_iter().map(str::to_owned).collect();
        };
        if first == "help" {
            return command_tree().get_subcommands().map(|s| s.get_name().to_owned()).collect();
        }
        let tree = match first {
            "docker" => command_tree(),
            "aws" => crate::grammar::aws::command_tree(),
            "lab" => return lab_words(rest),
            _ => return Vec::new(),
        };
        let mut node = &tree;
        let mut path = Vec::new();
        for w in rest {
            match node.find_subcommand(w) {
                Some(sub) => {
                    node = sub;
                    path.push(sub.get_name());
                }
                None => break,
            }
        }
        if node.has_subcommands() {
            return node.get_subcommands().map(|s| s.get_name().to_owned()).collect();
        }
        if current.starts_with('-') {
            return node
                .get_arguments()
                .flat_map(|a| {
                    let long = a.get_long().map(|l| format!("--{l}"));
                    let short = a.get_short().map(|s| format!("-{s}"));
                    long.into_iter().chain(short)
                })
                .collect();
        }
        if first == "aws" {
            return Vec::new();
        }
        match path.last().copied() {
            Some("run" | "rmi" | "pull" | "images" | "ls") if path.first() != Some(&"container") => self.images(),
            Some("rm" | "ls") => self.containers(),
            _ => Vec::new(),
        }
    }
}

/// `lab ecr up|down|status|expire-tokens`
fn lab_words(typed: &[&str]) -> Vec<String> {
    let words: &[&str] = match typed {
        [] => &["ecr"],
        ["ecr"] => &["up", "down", "status", "expire-tokens"],
        _ => &[],
    };
    words.iter().map(|w| (*w).to_owned()).collect()
}
