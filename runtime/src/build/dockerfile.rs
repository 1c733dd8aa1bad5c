//! Dockerfile parsing (nom): parser directives, line continuations,
//! comments, shell and JSON (exec) forms, and errors naming the line.
//!
//! ```text
//! # escape=\
//! FROM busybox AS base
//! RUN echo hello \
//!     world
//! CMD ["sh", "-c", "echo hi"]
//! ```

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while, take_while1};
use nom::character::complete::{char, space0, space1};
use nom::combinator::{map, rest};
use nom::multi::many0;
use nom::sequence::{preceded, separated_pair, terminated};
use nom::IResult;

/// `RUN echo hi` (shell form, run by `/bin/sh -c`) or `RUN ["echo", "hi"]` (exec form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Shell(String),
    Exec(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    From { image: String, name: Option<String> },
    Run(Command),
    Copy { sources: Vec<String>, dest: String, from: Option<String> },
    Add { sources: Vec<String>, dest: String },
    Cmd(Command),
    Entrypoint(Command),
    Env(Vec<(String, String)>),
    Arg { name: String, default: Option<String> },
    Workdir(String),
    Expose(Vec<String>),
    Label(Vec<(String, String)>),
    User(String),
    Volume(Vec<String>),
}

/// An instruction with where it came from, and its text as written (for
/// `Step 2/5 : RUN …`, history, and the build cache).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub text: String,
    pub instruction: Instruction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses a whole Dockerfile.
pub fn parse(source: &str) -> Result<Vec<Line>, ParseError> {
    let escape = directives(source);
    let mut out = Vec::new();
    for (number, text) in logical_lines(source, escape) {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let instruction = instruction(trimmed).map_err(|(column, message)| ParseError { line: number, column, message })?;
        out.push(Line { number, text: trimmed.to_owned(), instruction });
    }
    if !matches!(out.first().map(|l| &l.instruction), Some(Instruction::From { .. }) | Some(Instruction::Arg { .. })) {
        let line = out.first().map_or(1, |l| l.number);
        return Err(ParseError { line, column: 1, message: "no build stage in current context: the Dockerfile must start with FROM".into() });
    }
    Ok(out)
}

/// The escape character from a `# escape=` directive at the top (default `\`).
fn directives(source: &str) -> char {
    for line in source.lines() {
        let Some(comment) = line.trim().strip_prefix('#') else { break };
        match comment.trim().split_once('=') {
            Some((key, value)) if key.trim().eq_ignore_ascii_case("escape") => {
                return value.trim().chars().next().unwrap_or('\\');
            }
            Some((key, _)) if key.trim().chars().all(|c| c.is_ascii_alphanumeric()) => continue,
            _ => break,
        }
    }
    '\\'
}

/// Joins continued lines; drops comments (also those inside a continuation).
fn logical_lines(source: &str, escape: char) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, raw) in source.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        let (body, continues) = match raw.trim_end().strip_suffix(escape) {
            Some(body) => (body, true),
            None => (raw, false),
        };
        let entry = current.get_or_insert_with(|| (i + 1, String::new()));
        if !entry.1.is_empty() {
            entry.1.push(' ');
        }
        entry.1.push_str(body.trim());
        if !continues {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

fn keyword(input: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphabetic())(input)
}

/// `--name=value` flags before an instruction's arguments.
fn flags(input: &str) -> IResult<&str, Vec<(&str, &str)>> {
    many0(terminated(
        preceded(tag("--"), separated_pair(take_while1(|c: char| c.is_ascii_alphanumeric() || c == '-'), char('='), take_till(|c: char| c.is_whitespace()))),
        space0,
    ))(input)
}

fn instruction(text: &str) -> Result<Instruction, (usize, String)> {
    let (after, word) = keyword(text).map_err(|_| (1, format!("unknown instruction: {}", text.split_whitespace().next().unwrap_or(text))))?;
    let (args, _) = space0::<&str, nom::error::Error<&str>>(after).map_err(|_| (1, "bad line".to_owned()))?;
    let (args, flag_list) = flags(args).map_err(|_| (word.len() + 2, "bad flag".to_owned()))?;
    let column = text.len() - args.len() + 1;
    let need = |what: &str| (column, format!("{} requires {what}", word.to_ascii_uppercase()));
    let flag = |name: &str| flag_list.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
    if let Some((unknown, _)) = flag_list.iter().find(|(k, _)| {
        !matches!((word.to_ascii_uppercase().as_str(), *k), ("COPY", "from" | "chown" | "chmod") | ("ADD", "chown" | "chmod") | ("FROM", "platform"))
    }) {
        return Err((word.len() + 2, format!("unknown flag: --{unknown}")));
    }
    Ok(match word.to_ascii_uppercase().as_str() {
        "FROM" => {
            let parts: Vec<&str> = args.split_whitespace().collect();
            match parts.as_slice() {
                [image] => Instruction::From { image: image.to_string(), name: None },
                [image, as_, name] if as_.eq_ignore_ascii_case("as") => Instruction::From { image: image.to_string(), name: Some(name.to_ascii_lowercase()) },
                _ => return Err(need("an image, optionally followed by AS name")),
            }
        }
        "RUN" => Instruction::Run(command(args).ok_or_else(|| need("at least one argument"))?),
        "CMD" => Instruction::Cmd(command(args).ok_or_else(|| need("at least one argument"))?),
        "ENTRYPOINT" => Instruction::Entrypoint(command(args).ok_or_else(|| need("at least one argument"))?),
        "COPY" | "ADD" => {
            let mut parts = match command(args) {
                Some(Command::Exec(v)) => v,
                Some(Command::Shell(s)) => s.split_whitespace().map(str::to_owned).collect(),
                None => Vec::new(),
            };
            if parts.len() < 2 {
                return Err(need("at least two arguments, but got fewer"));
            }
            let dest = parts.pop().unwrap_or_default();
            if word.eq_ignore_ascii_case("ADD") {
                Instruction::Add { sources: parts, dest }
            } else {
                Instruction::Copy { sources: parts, dest, from: flag("from") }
            }
        }
        "ENV" | "LABEL" => {
            let pairs = key_values(args).ok_or_else(|| need("at least one argument"))?;
            if word.eq_ignore_ascii_case("ENV") {
                Instruction::Env(pairs)
            } else {
                Instruction::Label(pairs)
            }
        }
        "ARG" => {
            let arg = args.trim();
            if arg.is_empty() {
                return Err(need("exactly one argument"));
            }
            match arg.split_once('=') {
                Some((name, default)) => Instruction::Arg { name: name.to_owned(), default: Some(unquote(default)) },
                None => Instruction::Arg { name: arg.to_owned(), default: None },
            }
        }
        "WORKDIR" => Instruction::Workdir(nonempty(args).ok_or_else(|| need("exactly one argument"))?),
        "USER" => Instruction::User(nonempty(args).ok_or_else(|| need("exactly one argument"))?),
        "EXPOSE" => Instruction::Expose(args.split_whitespace().map(str::to_owned).collect()),
        "VOLUME" => Instruction::Volume(match command(args) {
            Some(Command::Exec(v)) => v,
            Some(Command::Shell(s)) => s.split_whitespace().map(str::to_owned).collect(),
            None => return Err(need("at least one argument")),
        }),
        "MAINTAINER" | "ONBUILD" | "STOPSIGNAL" | "HEALTHCHECK" | "SHELL" => {
            return Err((1, format!("{} is not supported yet in Whaleshell", word.to_ascii_uppercase())))
        }
        _ => return Err((1, format!("unknown instruction: {}", word.to_ascii_uppercase()))),
    })
}

fn nonempty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| unquote(t))
}

/// JSON array → exec form; anything else → shell form.
fn command(args: &str) -> Option<Command> {
    let t = args.trim();
    if t.is_empty() {
        return None;
    }
    if t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(t) {
            return Some(Command::Exec(v));
        }
    }
    Some(Command::Shell(t.to_owned()))
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2 && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\''))) {
        s[1..s.len() - 1].to_owned()
    } else {
        s.to_owned()
    }
}

/// A value: "double quoted", 'single quoted', or bare.
fn value(input: &str) -> IResult<&str, String> {
    alt((
        map(preceded(char('"'), terminated(take_till(|c| c == '"'), char('"'))), str::to_owned),
        map(preceded(char('\''), terminated(take_till(|c| c == '\''), char('\''))), str::to_owned),
        map(take_while(|c: char| !c.is_whitespace()), str::to_owned),
    ))(input)
}

fn pair(input: &str) -> IResult<&str, (String, String)> {
    map(separated_pair(take_while1(|c: char| c != '=' && !c.is_whitespace()), char('='), value), |(k, v)| (k.to_owned(), v))(input)
}

/// `K=V K2="v 2"`, or the old `K value with spaces`.
fn key_values(args: &str) -> Option<Vec<(String, String)>> {
    let t = args.trim();
    if t.is_empty() {
        return None;
    }
    let parsed: IResult<&str, Vec<(String, String)>> = many0(terminated(pair, space0))(t);
    match parsed {
        Ok(("", pairs)) if !pairs.is_empty() => Some(pairs),
        _ => {
            let legacy: IResult<&str, (&str, &str)> = separated_pair(take_while1(|c: char| !c.is_whitespace()), space1, rest)(t);
            let (_, (k, v)) = legacy.ok()?;
            Some(vec![(k.to_owned(), v.to_owned())])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_common_forms() {
        let lines = parse(
            "# escape=\\\nFROM busybox AS base\n# a comment\nRUN echo hello \\\n    world\nCMD [\"sh\", \"-c\", \"echo hi\"]\nENV A=1 B=\"two words\"\nENV OLD value with spaces\nCOPY --from=base /a /b\nARG V=3\nWORKDIR /app\nEXPOSE 80 443/tcp\n",
        )
        .unwrap();
        let kinds: Vec<&Instruction> = lines.iter().map(|l| &l.instruction).collect();
        assert_eq!(kinds[0], &Instruction::From { image: "busybox".into(), name: Some("base".into()) });
        assert_eq!(kinds[1], &Instruction::Run(Command::Shell("echo hello world".into())));
        assert_eq!(lines[1].number, 4);
        assert_eq!(kinds[2], &Instruction::Cmd(Command::Exec(vec!["sh".into(), "-c".into(), "echo hi".into()])));
        assert_eq!(kinds[3], &Instruction::Env(vec![("A".into(), "1".into()), ("B".into(), "two words".into())]));
        assert_eq!(kinds[4], &Instruction::Env(vec![("OLD".into(), "value with spaces".into())]));
        assert_eq!(kinds[5], &Instruction::Copy { sources: vec!["/a".into()], dest: "/b".into(), from: Some("base".into()) });
        assert_eq!(kinds[6], &Instruction::Arg { name: "V".into(), default: Some("3".into()) });
        assert_eq!(kinds[8], &Instruction::Expose(vec!["80".into(), "443/tcp".into()]));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("FROM busybox\nRUN echo ok\nFROB x\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (3, "unknown instruction: FROB"));
        let e = parse("RUN echo\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("FROM busybox\nCOPY onlyone\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "COPY requires at least two arguments, but got fewer"));
    }

    #[test]
    fn a_backtick_escape_directive() {
        let lines = parse("# escape=`\nFROM busybox\nRUN echo a `\n  b\n").unwrap();
        assert_eq!(lines[1].instruction, Instruction::Run(Command::Shell("echo a b".into())));
    }
}
