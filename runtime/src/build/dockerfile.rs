//! Dockerfile parsing (nom for the flags): parser directives, line
//! continuations, comments, shell and JSON (exec) forms, every instruction
//! of Docker 20.10's classic builder, and its error texts naming the line.
//! Arguments stay as written (quotes included): the builder expands them
//! with [`crate::build::shell_word`] when the step runs, as Docker does.
//!
//! ```text
//! # escape=\
//! FROM busybox AS base
//! RUN echo hello \
//!     world
//! CMD ["sh", "-c", "echo hi"]
//! ```

use nom::bytes::complete::{tag, take_till, take_while1};
use nom::character::complete::{char, space0};
use nom::combinator::opt;
use nom::multi::many0;
use nom::sequence::{pair, preceded, terminated};
use nom::IResult;

use crate::build::shell_word::{go_quote, split_words};
use crate::go_time;
use crate::image::config::Healthcheck;

/// `RUN echo hi` (shell form, run by the SHELL, `/bin/sh -c` by default) or `RUN ["echo", "hi"]` (exec form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Shell(String),
    Exec(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    From {
        image: String,
        name: Option<String>,
        platform: Option<String>,
    },
    Run {
        command: Command,
        mount: Option<String>,
    },
    Copy {
        sources: Vec<String>,
        dest: String,
        from: Option<String>,
        chown: Option<String>,
        chmod: Option<String>,
    },
    Add {
        sources: Vec<String>,
        dest: String,
        chown: Option<String>,
        chmod: Option<String>,
    },
    Cmd(Command),
    Entrypoint(Command),
    /// Keys and values as written, expanded when the step runs.
    Env(Vec<(String, String)>),
    Label(Vec<(String, String)>),
    Arg(Vec<(String, Option<String>)>),
    Workdir(String),
    Expose(Vec<String>),
    User(String),
    Volume(Vec<String>),
    StopSignal(String),
    /// Test `["CMD-SHELL", "cmd"]`, `["CMD", "arg", …]`, or `["NONE"]`.
    Healthcheck(Healthcheck),
    Shell(Vec<String>),
    Maintainer(String),
    /// The trigger as written (`RUN echo hi`), run by a build FROM this image.
    Onbuild(String),
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
pub struct Dockerfile {
    /// From the `# escape=` directive: `\` or `` ` ``.
    pub escape: char,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
    /// Docker says `failed to parse Dockerfile:` for what its line parser
    /// rejects (ENV and LABEL pairs), `dockerfile parse error line N:` for the rest.
    pub whole_file: bool,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.whole_file {
            write!(f, "failed to parse Dockerfile: {}", self.message)
        } else {
            write!(f, "dockerfile parse error line {}: {}", self.line, self.message)
        }
    }
}

/// Why one instruction does not parse: (Docker's message, from its line parser?).
type Bad = (String, bool);

fn bad(message: impl Into<String>) -> Bad {
    (message.into(), false)
}

/// Parses a whole Dockerfile.
pub fn parse(source: &str) -> Result<Dockerfile, ParseError> {
    let escape = directives(source);
    let mut lines = Vec::new();
    for (number, text) in logical_lines(source, escape) {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let instruction = instruction(trimmed, escape).map_err(|(message, whole_file)| ParseError { line: number, message, whole_file })?;
        lines.push(Line { number, text: trimmed.to_owned(), instruction });
    }
    if !matches!(lines.first().map(|l| &l.instruction), Some(Instruction::From { .. }) | Some(Instruction::Arg(_))) {
        let line = lines.first().map_or(1, |l| l.number);
        return Err(ParseError { line, message: "no build stage in current context: the Dockerfile must start with FROM".into(), whole_file: false });
    }
    Ok(Dockerfile { escape, lines })
}

/// Parses one ONBUILD trigger, as the child build runs it.
pub fn parse_trigger(text: &str, escape: char) -> Result<Instruction, String> {
    instruction(text, escape).map_err(|(message, _)| message)
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

/// `--name=value` (or a bare `--name`) flags before an instruction's arguments.
fn flags(input: &str) -> IResult<&str, Vec<(&str, Option<&str>)>> {
    many0(terminated(
        preceded(
            tag("--"),
            pair(take_while1(|c: char| c.is_ascii_alphanumeric() || c == '-'), opt(preceded(char('='), take_till(|c: char| c.is_whitespace())))),
        ),
        space0,
    ))(input)
}

/// The flags each instruction takes in Docker 20.10's classic builder.
fn known_flags(word: &str) -> &'static [&'static str] {
    match word {
        "COPY" => &["from", "chown", "chmod"],
        "ADD" => &["chown", "chmod"],
        "FROM" => &["platform"],
        "RUN" => &["mount"],
        "HEALTHCHECK" => &["interval", "timeout", "start-period", "retries"],
        _ => &[],
    }
}

fn instruction(text: &str, escape: char) -> Result<Instruction, Bad> {
    let first = text.split_whitespace().next().unwrap_or(text);
    let word = first.to_uppercase();
    let after = text[first.len()..].trim_start();
    // Every instruction's leading `--flags` are parsed, as Docker's parser
    // does, so one it does not take fails the build instead of being ignored.
    let (args, flag_list) = flags(after).unwrap_or((after, Vec::new()));
    if let Some((unknown, _)) = flag_list.iter().find(|(k, _)| !known_flags(&word).contains(k)) {
        return Err(bad(format!("Unknown flag: {unknown}")));
    }
    let flag = |name: &str| flag_list.iter().find(|(k, _)| *k == name).map(|(_, v)| unquote(v.unwrap_or("")));
    let args = args.trim();
    let at_least_one = || bad(format!("{word} requires at least one argument"));
    let exactly_one = || bad(format!("{word} requires exactly one argument"));
    Ok(match word.as_str() {
        "FROM" => {
            let parts: Vec<&str> = args.split_whitespace().collect();
            let platform = flag("platform");
            match parts.as_slice() {
                [image] => Instruction::From { image: image.to_string(), name: None, platform },
                [image, as_, name] if as_.eq_ignore_ascii_case("as") => {
                    Instruction::From { image: image.to_string(), name: Some(name.to_ascii_lowercase()), platform }
                }
                _ => return Err(bad("FROM requires either one or three arguments")),
            }
        }
        "RUN" => Instruction::Run { command: command(args), mount: flag("mount") },
        "CMD" => Instruction::Cmd(command(args)),
        "ENTRYPOINT" => Instruction::Entrypoint(command(args)),
        "COPY" | "ADD" => {
            let mut parts = list(args);
            if parts.len() < 2 {
                return Err(bad(format!("{word} requires at least two arguments, but only one was provided. Destination could not be determined")));
            }
            let dest = parts.pop().unwrap_or_default();
            let (chown, chmod) = (flag("chown"), flag("chmod"));
            if word == "ADD" {
                Instruction::Add { sources: parts, dest, chown, chmod }
            } else {
                Instruction::Copy { sources: parts, dest, from: flag("from"), chown, chmod }
            }
        }
        "ENV" | "LABEL" => {
            let pairs = name_values(&word, args, escape)?;
            if word == "ENV" {
                Instruction::Env(pairs)
            } else {
                Instruction::Label(pairs)
            }
        }
        "ARG" => {
            let words = split_words(args, escape);
            if words.is_empty() {
                return Err(at_least_one());
            }
            Instruction::Arg(
                words
                    .into_iter()
                    .map(|w| match w.split_once('=') {
                        Some((name, default)) => (name.to_owned(), Some(default.to_owned())),
                        None => (w, None),
                    })
                    .collect(),
            )
        }
        "WORKDIR" | "USER" | "STOPSIGNAL" | "MAINTAINER" => {
            if args.is_empty() {
                return Err(exactly_one());
            }
            let arg = args.to_owned();
            match word.as_str() {
                "WORKDIR" => Instruction::Workdir(arg),
                "USER" => Instruction::User(arg),
                "STOPSIGNAL" => Instruction::StopSignal(arg),
                _ => Instruction::Maintainer(arg),
            }
        }
        "EXPOSE" => {
            let ports: Vec<String> = args.split_whitespace().map(str::to_owned).collect();
            if ports.is_empty() {
                return Err(at_least_one());
            }
            Instruction::Expose(ports)
        }
        "VOLUME" => {
            let paths = list(args);
            if paths.iter().all(|p| p.trim().is_empty()) {
                return Err(at_least_one());
            }
            Instruction::Volume(paths)
        }
        "SHELL" => match command(args) {
            Command::Exec(v) if !v.is_empty() => Instruction::Shell(v),
            Command::Exec(_) => return Err(at_least_one()),
            Command::Shell(s) if s.is_empty() => return Err(at_least_one()),
            Command::Shell(_) => return Err(bad("SHELL requires the arguments to be in JSON form")),
        },
        "HEALTHCHECK" => Instruction::Healthcheck(healthcheck(args, &flag_list)?),
        "ONBUILD" => {
            if args.is_empty() {
                return Err(at_least_one());
            }
            let trigger = args.split_whitespace().next().unwrap_or_default().to_uppercase();
            match trigger.as_str() {
                "ONBUILD" => return Err(bad("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")),
                "FROM" | "MAINTAINER" => return Err(bad(format!("{trigger} isn't allowed as an ONBUILD trigger"))),
                _ => {}
            }
            instruction(args, escape)?;
            Instruction::Onbuild(args.to_owned())
        }
        _ => return Err(bad(format!("unknown instruction: {word}"))),
    })
}

fn healthcheck(args: &str, flag_list: &[(&str, Option<&str>)]) -> Result<Healthcheck, Bad> {
    let (kind, rest) = args.split_once(char::is_whitespace).map_or((args, ""), |(k, r)| (k, r.trim()));
    if kind.is_empty() {
        return Err(bad("HEALTHCHECK requires at least one argument"));
    }
    let kind = kind.to_ascii_uppercase();
    let flag = |name: &str| flag_list.iter().find(|(k, _)| *k == name).and_then(|(_, v)| *v).filter(|v| !v.is_empty());
    match kind.as_str() {
        "NONE" if !rest.is_empty() => Err(bad("HEALTHCHECK NONE takes no arguments")),
        "NONE" => Ok(Healthcheck { test: vec!["NONE".into()], ..Default::default() }),
        "CMD" => {
            let test = match command(rest) {
                Command::Exec(v) => std::iter::once("CMD".to_owned()).chain(v).collect(),
                Command::Shell(s) => vec!["CMD-SHELL".to_owned(), s],
            };
            let interval = |name: &str| -> Result<u64, Bad> {
                let Some(value) = flag(name) else { return Ok(0) };
                // Negative durations parse in Go; for HEALTHCHECK they are below the minimum anyway.
                let d = go_time::parse_duration(value).map_err(bad)?.max(0) as u64;
                if d < 1_000_000 {
                    return Err(bad(format!("Interval {} cannot be less than 1ms", go_quote(name))));
                }
                Ok(d)
            };
            let retries = match flag("retries") {
                None => 0,
                Some(v) => {
                    let n: i64 = v.parse().map_err(|_| bad(format!("strconv.ParseInt: parsing {}: invalid syntax", go_quote(v))))?;
                    if n < 1 {
                        return Err(bad(format!("--retries must be at least 1 (not {n})")));
                    }
                    n as u64
                }
            };
            Ok(Healthcheck { test, interval: interval("interval")?, timeout: interval("timeout")?, start_period: interval("start-period")?, retries })
        }
        other => Err(bad(format!("Unknown type {} in HEALTHCHECK (try CMD)", go_quote(other)))),
    }
}

/// ENV and LABEL: `k=v k2="v 2"`, or the old `KEY value with spaces`.
fn name_values(word: &str, args: &str, escape: char) -> Result<Vec<(String, String)>, Bad> {
    let words = split_words(args, escape);
    let Some(first) = words.first() else { return Err(bad(format!("{word} requires at least one argument"))) };
    if !first.contains('=') {
        return match args.split_once(char::is_whitespace) {
            Some((key, value)) => Ok(vec![(key.to_owned(), value.trim_start().to_owned())]),
            None => Err((format!("{word} must have two arguments"), true)),
        };
    }
    words
        .iter()
        .map(|w| {
            w.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| (format!("Syntax error - can't find = in {}. Must be of the form: name=value", go_quote(w)), true))
        })
        .collect()
}

/// A JSON array's strings, or the words split on whitespace (COPY, ADD, VOLUME).
fn list(args: &str) -> Vec<String> {
    match command(args) {
        Command::Exec(v) => v,
        Command::Shell(s) => s.split_whitespace().map(str::to_owned).collect(),
    }
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2 && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\''))) {
        s[1..s.len() - 1].to_owned()
    } else {
        s.to_owned()
    }
}

/// JSON array → exec form; anything else → shell form.
fn command(args: &str) -> Command {
    let t = args.trim();
    if t.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(t) {
            return Command::Exec(v);
        }
    }
    Command::Shell(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_lines(source: &str) -> Vec<Line> {
        parse(source).unwrap().lines
    }

    #[test]
    fn parses_the_common_forms() {
        let lines = parse_lines(
            "# escape=\\\nFROM busybox AS base\n# a comment\nRUN echo hello \\\n    world\nCMD [\"sh\", \"-c\", \"echo hi\"]\nENV A=1 B=\"two words\"\nENV OLD value with spaces\nCOPY --from=base /a /b\nARG V=3\nWORKDIR /app\nEXPOSE 80 443/tcp\n",
        );
        let kinds: Vec<&Instruction> = lines.iter().map(|l| &l.instruction).collect();
        assert_eq!(kinds[0], &Instruction::From { image: "busybox".into(), name: Some("base".into()), platform: None });
        assert_eq!(kinds[1], &Instruction::Run { command: Command::Shell("echo hello world".into()), mount: None });
        assert_eq!(lines[1].number, 4);
        assert_eq!(kinds[2], &Instruction::Cmd(Command::Exec(vec!["sh".into(), "-c".into(), "echo hi".into()])));
        assert_eq!(kinds[3], &Instruction::Env(vec![("A".into(), "1".into()), ("B".into(), "\"two words\"".into())]));
        assert_eq!(kinds[4], &Instruction::Env(vec![("OLD".into(), "value with spaces".into())]));
        assert_eq!(kinds[5], &Instruction::Copy { sources: vec!["/a".into()], dest: "/b".into(), from: Some("base".into()), chown: None, chmod: None });
        assert_eq!(kinds[6], &Instruction::Arg(vec![("V".into(), Some("3".into()))]));
        assert_eq!(kinds[8], &Instruction::Expose(vec!["80".into(), "443/tcp".into()]));
    }

    #[test]
    fn the_instructions_that_only_change_the_config() {
        let lines = parse_lines(
            "FROM busybox\nMAINTAINER Jane <j@x.y>\nSTOPSIGNAL SIGUSR1\nSHELL [\"/bin/sh\", \"-ec\"]\nONBUILD RUN echo $abc\nHEALTHCHECK --interval=5s --timeout=3s --start-period=1m30s --retries=4 CMD wget -q localhost || exit 1\nHEALTHCHECK CMD [\"true\"]\nHEALTHCHECK NONE\nCOPY --chown=app:app a b\nARG A=1 B\n",
        );
        let kinds: Vec<&Instruction> = lines.iter().map(|l| &l.instruction).collect();
        assert_eq!(kinds[1], &Instruction::Maintainer("Jane <j@x.y>".into()));
        assert_eq!(kinds[2], &Instruction::StopSignal("SIGUSR1".into()));
        assert_eq!(kinds[3], &Instruction::Shell(vec!["/bin/sh".into(), "-ec".into()]));
        assert_eq!(kinds[4], &Instruction::Onbuild("RUN echo $abc".into()));
        assert_eq!(
            kinds[5],
            &Instruction::Healthcheck(Healthcheck {
                test: vec!["CMD-SHELL".into(), "wget -q localhost || exit 1".into()],
                interval: 5_000_000_000,
                timeout: 3_000_000_000,
                start_period: 90_000_000_000,
                retries: 4
            })
        );
        assert_eq!(kinds[6], &Instruction::Healthcheck(Healthcheck { test: vec!["CMD".into(), "true".into()], ..Default::default() }));
        assert_eq!(kinds[7], &Instruction::Healthcheck(Healthcheck { test: vec!["NONE".into()], ..Default::default() }));
        assert!(matches!(kinds[8], Instruction::Copy { chown: Some(c), .. } if c == "app:app"));
        assert_eq!(kinds[9], &Instruction::Arg(vec![("A".into(), Some("1".into())), ("B".into(), None)]));
    }

    /// Docker 20.10's classic builder's texts, as it printed them for each.
    #[test]
    fn errors_as_docker_20_10() {
        for (source, expected) in [
            ("FROM busybox\nRUN true\nFROB x\n", "dockerfile parse error line 3: unknown instruction: FROB"),
            ("FROM busybox\nENV onlyone\n", "failed to parse Dockerfile: ENV must have two arguments"),
            ("FROM busybox\nENV a=1 b\n", "failed to parse Dockerfile: Syntax error - can't find = in \"b\". Must be of the form: name=value"),
            ("FROM busybox\nLABEL onlyone\n", "failed to parse Dockerfile: LABEL must have two arguments"),
            ("FROM busybox\nENV\n", "dockerfile parse error line 2: ENV requires at least one argument"),
            ("FROM busybox\nRUN <<EOF\necho hi\nEOF\n", "dockerfile parse error line 3: unknown instruction: ECHO"),
            ("FROM busybox\nHEALTHCHECK --interval=0s CMD true\n", "dockerfile parse error line 2: Interval \"interval\" cannot be less than 1ms"),
            ("FROM busybox\nHEALTHCHECK --retries=0 CMD true\n", "dockerfile parse error line 2: --retries must be at least 1 (not 0)"),
            ("FROM busybox\nHEALTHCHECK --bogus=1 CMD true\n", "dockerfile parse error line 2: Unknown flag: bogus"),
            ("FROM busybox\nHEALTHCHECK\n", "dockerfile parse error line 2: HEALTHCHECK requires at least one argument"),
            ("FROM busybox\nHEALTHCHECK true\n", "dockerfile parse error line 2: Unknown type \"TRUE\" in HEALTHCHECK (try CMD)"),
            ("FROM busybox\nHEALTHCHECK NONE x\n", "dockerfile parse error line 2: HEALTHCHECK NONE takes no arguments"),
            ("FROM busybox\nHEALTHCHECK --interval=abc CMD true\n", "dockerfile parse error line 2: time: invalid duration \"abc\""),
            ("FROM busybox\nONBUILD FROM x\n", "dockerfile parse error line 2: FROM isn't allowed as an ONBUILD trigger"),
            ("FROM busybox\nONBUILD ONBUILD RUN x\n", "dockerfile parse error line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
            ("FROM busybox\nONBUILD MAINTAINER x\n", "dockerfile parse error line 2: MAINTAINER isn't allowed as an ONBUILD trigger"),
            ("FROM busybox\nSHELL sh -c\n", "dockerfile parse error line 2: SHELL requires the arguments to be in JSON form"),
            ("FROM busybox\nSHELL []\n", "dockerfile parse error line 2: SHELL requires at least one argument"),
            ("FROM busybox\nCOPY --foo=x f.txt /\n", "dockerfile parse error line 2: Unknown flag: foo"),
            // Flags of instructions that take none, as Docker 20.10 refused them.
            ("FROM busybox\nWORKDIR --foo=1 /x\n", "dockerfile parse error line 2: Unknown flag: foo"),
            ("FROM busybox\nENV --foo=1 A=1\n", "dockerfile parse error line 2: Unknown flag: foo"),
            ("FROM busybox\nCMD --foo echo\n", "dockerfile parse error line 2: Unknown flag: foo"),
            ("FROM busybox\nEXPOSE --foo=1 80\n", "dockerfile parse error line 2: Unknown flag: foo"),
            ("FROM busybox\nLABEL --x=1 a=b\n", "dockerfile parse error line 2: Unknown flag: x"),
            ("FROM busybox\nUSER --x u\n", "dockerfile parse error line 2: Unknown flag: x"),
            (
                "FROM busybox\nCOPY a\n",
                "dockerfile parse error line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined",
            ),
            ("FROM busybox\nWORKDIR\n", "dockerfile parse error line 2: WORKDIR requires exactly one argument"),
            ("FROM busybox\nSTOPSIGNAL\n", "dockerfile parse error line 2: STOPSIGNAL requires exactly one argument"),
            ("FROM busybox\nEXPOSE\n", "dockerfile parse error line 2: EXPOSE requires at least one argument"),
            ("FROM busybox\nVOLUME\n", "dockerfile parse error line 2: VOLUME requires at least one argument"),
            ("FROM busybox\nARG\n", "dockerfile parse error line 2: ARG requires at least one argument"),
            ("FROM a b\n", "dockerfile parse error line 1: FROM requires either one or three arguments"),
        ] {
            assert_eq!(parse(source).map(|_| ()).map_err(|e| e.to_string()), Err(expected.to_owned()), "{source}");
        }
    }

    #[test]
    fn a_backtick_escape_directive() {
        let lines = parse_lines("# escape=`\nFROM busybox\nRUN echo a `\n  b\n");
        assert_eq!(lines[1].instruction, Instruction::Run { command: Command::Shell("echo a b".into()), mount: None });
    }
}
