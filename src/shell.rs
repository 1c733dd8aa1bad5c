//! Runs a typed line: parse it (grammar::line), expand each word (`$VAR`,
//! `$(...)`), then run each command — docker and the REPL's own words
//! in-process, anything else (`echo`, `grep`, `curl` …) as a host program.
//! Pipelines are run stage by stage, each stage's output feeding the next.
//! What each line did is kept in [`LastCommand`], for `explain` and lessons.

use std::io::Write;
use std::process::{Command, Stdio};

use whaleshell_runtime::Runtime;

use crate::commands;
use crate::grammar::line::{self, Connector, Pipeline, Script, Word, WordPart};
use crate::grammar::{suggest, words, Arg, ParseError};
use crate::io::{collect_child, Input, Io, Output};
use crate::last_command::{LastCommand, ProgramRun};

pub struct Shell {
    pub runtime: Runtime,
    pub last_status: i32,
    /// What the last line did.
    pub last: LastCommand,
    /// Set by `exit`: the REPL stops after this line with this status.
    pub exit_requested: Option<i32>,
    /// The learner's language.
    pub locale: &'static str,
    /// State roots whose local ECR lab this shell started (by `lab ecr up`
    /// or by a lesson): it stops them when it ends. A lesson runs on a root
    /// of its own, so there may be two.
    pub started_labs: Vec<whaleshell_runtime::layout::Layout>,
    /// `NAME=value` set in this shell (not exported to programs unless `export`ed).
    pub variables: std::collections::BTreeMap<String, String>,
}

impl Shell {
    pub fn new(runtime: Runtime) -> Shell {
        Shell {
            runtime,
            last_status: 0,
            last: LastCommand::default(),
            exit_requested: None,
            locale: "en",
            started_labs: Vec::new(),
            variables: Default::default(),
        }
    }

    /// Runs a line with its output captured: (status, stdout, stderr).
    pub fn run_quietly(&mut self, line: &str) -> (i32, String, String) {
        let mut stdout = Output::Capture(Vec::new());
        let mut stderr = Output::Capture(Vec::new());
        let status = self.run_text(line, &mut Io { stdin: Input::Bytes(Vec::new()), stdout: &mut stdout, stderr: &mut stderr });
        self.last_status = status;
        (status, String::from_utf8_lossy(&stdout.take()).into_owned(), String::from_utf8_lossy(&stderr.take()).into_owned())
    }

    /// Runs one line on the terminal's streams; returns its exit status.
    pub fn run_line(&mut self, line: &str) -> i32 {
        let (mut stdout, mut stderr) = (Output::Stdout, Output::Stderr);
        let status = self.run_text(line, &mut Io { stdin: Input::Terminal, stdout: &mut stdout, stderr: &mut stderr });
        self.last_status = status;
        status
    }

    fn run_text(&mut self, line: &str, io: &mut Io<'_>) -> i32 {
        self.last.programs.clear();
        // A backslash at the end of a line continues the command on the next one.
        let line = &line.replace("\\\n", "");
        if let Some(e) = placeholder(line) {
            io.err(e.render(line));
            return 2;
        }
        match line::parse_line(line) {
            Ok(script) => self.run_script(line, &script, io),
            Err(e) => {
                io.err(ParseError::from(e).render(line));
                2
            }
        }
    }

    fn run_script(&mut self, line: &str, script: &Script, io: &mut Io<'_>) -> i32 {
        let Some(first) = &script.first else { return self.last_status };
        let mut status = self.run_pipeline(line, first, io);
        for (connector, pipeline) in &script.rest {
            if self.exit_requested.is_some() {
                break;
            }
            let run = match connector {
                Connector::And => status == 0,
                Connector::Or => status != 0,
                Connector::Seq => true,
            };
            if run {
                status = self.run_pipeline(line, pipeline, io);
            }
        }
        status
    }

    fn run_pipeline(&mut self, line: &str, pipeline: &Pipeline, io: &mut Io<'_>) -> i32 {
        let mut input = std::mem::replace(&mut io.stdin, Input::Terminal);
        let last = pipeline.commands.len().saturating_sub(1);
        let mut status = 0;
        for (i, command) in pipeline.commands.iter().enumerate() {
            let argv = match self.expand(line, &command.words, io.stderr) {
                Ok(argv) => argv,
                Err(status) => return status,
            };
            let mut captured = Output::Capture(Vec::new());
            let stdout: &mut Output = if i == last { &mut *io.stdout } else { &mut captured };
            let streams = match self.redirected(line, command, input, stdout, io.stderr) {
                Ok(s) => s,
                Err(status) => return status,
            };
            let (input_now, mut out, mut err, err_joins_out) = streams;
            {
                let out_ref: &mut Output = match &mut out {
                    Some(o) => o,
                    None => {
                        if i == last {
                            &mut *io.stdout
                        } else {
                            &mut captured
                        }
                    }
                };
                let err_ref: &mut Output = match &mut err {
                    Some(e) => e,
                    None => &mut *io.stderr,
                };
                status = self.run_command(line, &argv, &mut Io { stdin: input_now, stdout: out_ref, stderr: err_ref });
                // `2>&1` into a pipe: what went to stderr follows stdout's bytes.
                if err_joins_out {
                    let extra = err_ref.take();
                    let _ = out_ref.write_all(&extra);
                }
            }
            if i == last {
                break;
            }
            input = Input::Bytes(captured.take());
        }
        self.last_status = status;
        status
    }

    /// Applies a command's redirections, left to right: its stdin, and
    /// stdout/stderr when they no longer go where the pipeline sends them.
    /// The last value says stderr was joined to a captured stdout (`2>&1`).
    #[allow(clippy::type_complexity)]
    fn redirected(
        &mut self,
        line: &str,
        command: &crate::grammar::line::Command,
        mut input: Input,
        stdout: &Output,
        stderr: &mut Output,
    ) -> Result<(Input, Option<Output>, Option<Output>, bool), i32> {
        use crate::grammar::line::RedirectOp;
        let mut out: Option<Output> = None;
        let mut err: Option<Output> = None;
        let mut joined = false;
        for r in &command.redirects {
            let path = match &r.target {
                Some(word) => match self.expand(line, std::slice::from_ref(word), stderr) {
                    Ok(args) if args.len() == 1 => Some(args[0].text.clone()),
                    Ok(_) => {
                        let _ = writeln!(
                            stderr,
                            "{}",
                            ParseError { message: "whaleshell: ambiguous redirect".into(), span: r.span.clone(), footer: None }.render(line)
                        );
                        return Err(1);
                    }
                    Err(status) => return Err(status),
                },
                None => None,
            };
            let opened = match (r.op, &path) {
                (RedirectOp::Read, Some(p)) => std::fs::read(p).map(|bytes| {
                    input = Input::Bytes(bytes);
                    None
                }),
                (RedirectOp::Write, Some(p)) => std::fs::File::create(p).map(|f| Some(Output::File(f))),
                (RedirectOp::Append, Some(p)) => std::fs::OpenOptions::new().create(true).append(true).open(p).map(|f| Some(Output::File(f))),
                (RedirectOp::Dup(target), _) => {
                    let copy = match target {
                        1 => out.as_ref().unwrap_or(stdout).duplicate(),
                        2 => err.as_ref().map(Output::duplicate).unwrap_or(Output::Stderr),
                        _ => Output::Stderr,
                    };
                    joined = r.fd == 2 && target == 1 && matches!(copy, Output::Capture(_));
                    Ok(Some(copy))
                }
                _ => Ok(None),
            };
            match opened {
                Ok(Some(o)) => match r.fd {
                    1 => out = Some(o),
                    2 => err = Some(o),
                    _ => {}
                },
                Ok(None) => {}
                Err(e) => {
                    let _ = writeln!(stderr, "whaleshell: {}: {e}", path.unwrap_or_default());
                    return Err(1);
                }
            }
        }
        Ok((input, out, err, joined))
    }

    /// Expands words into arguments: variables, `$(...)` output, and
    /// splitting of unquoted expansions on whitespace, as a POSIX shell does.
    fn expand(&mut self, line: &str, words: &[Word], stderr: &mut Output) -> Result<Vec<Arg>, i32> {
        let mut args = Vec::new();
        for word in words {
            // Fields of this word; `None` until some text (even empty quoted text) starts one.
            let mut fields: Vec<String> = Vec::new();
            let mut current: Option<String> = None;
            for part in &word.parts {
                let (text, split) = match &part.kind {
                    WordPart::Literal(t) => (t.clone(), false),
                    WordPart::Var(name) => (self.variable(name), !part.quoted),
                    WordPart::Subst(script) => {
                        let mut out = Output::Capture(Vec::new());
                        let status = self.run_script(line, script, &mut Io { stdin: Input::Terminal, stdout: &mut out, stderr });
                        self.last_status = status;
                        let text = String::from_utf8_lossy(&out.take()).trim_end_matches('\n').to_owned();
                        (text, !part.quoted)
                    }
                };
                if !split {
                    current.get_or_insert_with(String::new).push_str(&text);
                    continue;
                }
                let starts_with_space = text.starts_with(char::is_whitespace);
                let ends_with_space = text.ends_with(char::is_whitespace);
                let mut pieces = text.split_whitespace().peekable();
                if starts_with_space {
                    fields.extend(current.take());
                }
                while let Some(piece) = pieces.next() {
                    current.get_or_insert_with(String::new).push_str(piece);
                    if pieces.peek().is_some() || ends_with_space {
                        fields.extend(current.take());
                    }
                }
            }
            fields.extend(current);
            args.extend(fields.into_iter().map(|text| Arg { text, span: word.span.clone() }));
        }
        Ok(args)
    }

    fn variable(&self, name: &str) -> String {
        match name {
            "?" => self.last_status.to_string(),
            "$" => std::process::id().to_string(),
            _ => self.variables.get(name).cloned().or_else(|| std::env::var(name).ok()).unwrap_or_default(),
        }
    }

    /// `NAME=value`: true when `word` is an assignment, which it then makes.
    fn assign(&mut self, word: &str, export: bool) -> bool {
        let Some((name, value)) = word.split_once('=') else { return false };
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return false;
        }
        if export {
            // Programs this shell starts inherit it, as in sh. The shell is single-threaded here.
            std::env::set_var(name, value);
            self.variables.remove(name);
        } else if std::env::var_os(name).is_some() {
            std::env::set_var(name, value);
        } else {
            self.variables.insert(name.to_owned(), value.to_owned());
        }
        true
    }

    fn run_command(&mut self, line: &str, argv: &[Arg], io: &mut Io<'_>) -> i32 {
        let Some(first) = argv.first() else { return 0 };
        match first.text.as_str() {
            "docker" => {
                let outcome = commands::docker(&self.runtime, line, first.span.clone(), &argv[1..], io);
                // A line that did not parse leaves the record of the last command as it was.
                if let Some(command) = outcome.command {
                    self.last.docker = Some((command, outcome.status));
                    self.last.docker_words = argv[1..].iter().map(|a| a.text.clone()).collect();
                    self.last.run = outcome.run;
                }
                outcome.status
            }
            "aws" => {
                let (status, operation) = commands::aws::aws(&self.runtime, line, first.span.clone(), &argv[1..], self.locale, io);
                if let Some(operation) = operation {
                    self.last.aws = Some((operation.to_owned(), status));
                }
                status
            }
            "lab" => {
                let (status, started) = commands::lab::run_builtin(&self.runtime, &argv[1..], self.locale, io);
                if started {
                    self.started_labs.push(self.runtime.layout.clone());
                }
                status
            }
            // `eval $(aws ecr get-login --no-include-email)`: run the words as a line.
            "eval" => {
                let text = argv[1..].iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" ");
                self.run_text(&text, io)
            }
            "export" => {
                for a in &argv[1..] {
                    if !self.assign(&a.text, true) {
                        if let Some(value) = self.variables.remove(&a.text) {
                            std::env::set_var(&a.text, value);
                        }
                    }
                }
                0
            }
            "unset" => {
                for a in &argv[1..] {
                    self.variables.remove(&a.text);
                    std::env::remove_var(&a.text);
                }
                0
            }
            word if argv.len() == 1 && word.contains('=') && self.assign(word, false) => 0,
            "help" => commands::help::run(&argv[1..], io),
            "explain" => crate::explain::run(&self.runtime, &self.last, &argv[1..], io),
            "exit" => {
                let status = argv.get(1).and_then(|a| a.text.parse().ok()).unwrap_or(self.last_status);
                self.exit_requested = Some(status);
                status
            }
            "cd" => {
                let dir = argv.get(1).map(|a| a.text.clone()).or_else(|| std::env::var("HOME").ok()).unwrap_or_else(|| "/".into());
                match std::env::set_current_dir(&dir) {
                    Ok(()) => 0,
                    Err(e) => {
                        io.err(format!("cd: {dir}: {e}"));
                        1
                    }
                }
            }
            program => {
                let status = run_host(line, argv, io);
                self.last.programs.push(ProgramRun { name: program.rsplit('/').next().unwrap_or(program).to_owned(), status });
                status
            }
        }
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        for layout in &self.started_labs {
            let _ = whaleshell_ecr::lab::down(layout);
        }
    }
}

/// Tutorials write `docker kill <id>`: a learner who types the `<id>` as is
/// gets told it is a placeholder, not a shell redirection error.
fn placeholder(line: &str) -> Option<ParseError> {
    let start = line.find('<')?;
    let end = start + line[start..].find('>')?;
    let inner = &line[start + 1..end];
    let looks_like_one = !inner.is_empty() && inner.chars().all(|c| c.is_alphanumeric() || " -_:.".contains(c));
    let quoted = line[..start].matches(['"', '\'']).count() % 2 == 1;
    (looks_like_one && !quoted).then(|| ParseError {
        message: format!(
            "whaleshell: {} is a placeholder from the tutorial: type the real value instead (for a container, its ID or name from `docker ps -a`)",
            &line[start..=end]
        ),
        span: crate::grammar::Span { start, end: end + 1 },
        footer: None,
    })
}

/// Runs a host program with the command's streams.
fn run_host(line: &str, argv: &[Arg], io: &mut Io<'_>) -> i32 {
    let _ = io.stdout.flush();
    let mut cmd = Command::new(&argv[0].text);
    cmd.args(argv[1..].iter().map(|a| &a.text)).stdout(io.stdout.stdio()).stderr(io.stderr.stdio());
    let input = std::mem::replace(&mut io.stdin, Input::Terminal);
    cmd.stdin(match &input {
        Input::Terminal => Stdio::inherit(),
        Input::Bytes(_) => Stdio::piped(),
    });
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let name = &argv[0].text;
            let mut message = format!("whaleshell: {name}: command not found");
            if let Some(s) = suggest(name, words()) {
                message.push_str(&format!(" (did you mean '{s}'?)"));
            }
            io.err(ParseError { message, span: argv[0].span.clone(), footer: None }.render(line));
            return 127;
        }
        Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
            io.err(format!("whaleshell: {}: {}", argv[0].text, whaleshell_runtime::Error::CannotFork));
            return 126;
        }
        Err(e) => {
            io.err(format!("whaleshell: {}: {e}", argv[0].text));
            return 126;
        }
    };
    let input = match input {
        Input::Bytes(bytes) => Some(bytes),
        Input::Terminal => None,
    };
    collect_child(&mut child, input, io)
}
