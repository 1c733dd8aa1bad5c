//! Parses one line typed at the prompt into a syntax tree (no expansion, no execution).
//!
//! Every parser works on a suffix of the original line, so any position is
//! `line.len() - remaining.len()`; that keeps spans inside `$( ... )` relative to
//! the whole line without threading offsets around.

use std::borrow::Cow;

use nom::{
    branch::alt,
    bytes::complete::{tag, take_while, take_while1},
    character::complete::{anychar, char, digit1, satisfy, space0},
    combinator::{consumed, map, not, opt, recognize, rest, value},
    error::{ErrorKind, ParseError},
    multi::{fold_many0, fold_many1, many0, many1},
    sequence::{pair, preceded, terminated, tuple},
    IResult,
};

/// Byte offsets into the original line (start inclusive, end exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPart {
    /// Text after quote removal and backslash-escape processing.
    Literal(String),
    /// `$NAME` or `${NAME}`; also `$?` and `$$` (names "?" and "$").
    Var(String),
    /// `$( ... )`; inner spans are offsets into the original whole line.
    Subst(Script),
}

/// `quoted` = came from inside "..." or '...', so the expander won't field-split it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub kind: WordPart,
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub parts: Vec<Part>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<Word>,
    /// `> file`, `>> file`, `< file`, `2> file`, `2>&1`, `>&2`, in order.
    pub redirects: Vec<Redirect>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectOp {
    /// `<`
    Read,
    /// `>`
    Write,
    /// `>>`
    Append,
    /// `>&N`: to where file descriptor N goes.
    Dup(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The descriptor redirected: 0 for `<`, 1 for `>` unless a number is given.
    pub fd: u32,
    pub op: RedirectOp,
    /// The file, for every op but `Dup`.
    pub target: Option<Word>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub commands: Vec<Command>,
    pub span: Span,
}

/// `&&`, `||` and `;`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
    Seq,
}

/// `first` is None for an empty, blank or comment-only line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub first: Option<Pipeline>,
    pub rest: Vec<(Connector, Pipeline)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub span: Span,
    pub message: String,
}

impl Word {
    /// Some(text) when the word is only literal parts (no $VAR, no $(...)).
    pub fn as_literal(&self) -> Option<String> {
        self.parts
            .iter()
            .map(|part| match &part.kind {
                WordPart::Literal(text) => Some(text.as_str()),
                WordPart::Var(_) | WordPart::Subst(_) => None,
            })
            .collect()
    }
}

pub fn parse_line(line: &str) -> Result<Script, LineError> {
    let cx = Context { line_len: line.len(), depth: 0 };
    let fail = match script(line, cx) {
        Ok(("", script)) => return Ok(script),
        Ok((leftover, _)) => unexpected(leftover),
        Err(nom::Err::Error(fail) | nom::Err::Failure(fail)) => fail,
        // Only streaming parsers report Incomplete, and every parser here is `complete`.
        Err(nom::Err::Incomplete(_)) => Fail::at("", 0, "unexpected end of line"),
    };
    let start = line.len() - fail.remaining;
    Err(LineError { span: Span { start, end: start + fail.len }, message: fail.message.into_owned() })
}

/// Deeper nesting is refused so that hostile input cannot overflow the stack.
const MAX_SUBST_DEPTH: usize = 32;

/// Characters that end a run of bare word text.
const SPECIAL: &str = " \t'\"\\$|&;<>()`";

#[derive(Clone, Copy)]
struct Context {
    line_len: usize,
    depth: usize,
}

impl Context {
    fn span(self, from: &str, to: &str) -> Span {
        Span { start: self.line_len - from.len(), end: self.line_len - to.len() }
    }
}

/// Parse error located by the length of the input left at the offending token.
/// `nom::Err::Error` means "not this alternative"; `Failure` is a real mistake in the line.
#[derive(Debug)]
struct Fail {
    remaining: usize,
    len: usize,
    message: Cow<'static, str>,
}

impl Fail {
    fn at(input: &str, len: usize, message: impl Into<Cow<'static, str>>) -> Self {
        Fail { remaining: input.len(), len, message: message.into() }
    }
}

impl ParseError<&str> for Fail {
    fn from_error_kind(input: &str, _kind: ErrorKind) -> Self {
        Fail::at(input, 0, "could not parse this")
    }

    fn append(_input: &str, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

type PResult<'a, T> = IResult<&'a str, T, Fail>;

fn fail<'a, T>(input: &str, len: usize, message: impl Into<Cow<'static, str>>) -> PResult<'a, T> {
    Err(nom::Err::Failure(Fail::at(input, len, message)))
}

/// `pipeline (connector pipeline)* [;] [# comment]`, stopping before anything it can't use
/// (the caller decides whether that is the end of a `$(` or a mistake).
fn script(input: &str, cx: Context) -> PResult<'_, Script> {
    let (input, chain) = opt(tuple((preceded(space0, |i| pipeline(i, cx)), many0(|i| connected_pipeline(i, cx)), opt(preceded(space0, char(';'))))))(input)?;
    let (input, _) = pair(space0, opt(pair(char('#'), rest)))(input)?;
    let script = match chain {
        Some((first, rest, _)) => Script { first: Some(first), rest },
        None => Script { first: None, rest: Vec::new() },
    };
    Ok((input, script))
}

fn connected_pipeline(input: &str, cx: Context) -> PResult<'_, (Connector, Pipeline)> {
    let (op_start, _) = space0(input)?;
    let (after_op, (op, connector)) =
        consumed(alt((value(Connector::And, tag("&&")), value(Connector::Or, tag("||")), value(Connector::Seq, char(';')))))(op_start)?;
    match preceded(space0, |i| pipeline(i, cx))(after_op) {
        // A trailing `;` is fine: backtrack and let `script` take it.
        Err(nom::Err::Error(e)) if connector == Connector::Seq => Err(nom::Err::Error(e)),
        Err(nom::Err::Error(_)) => fail(op_start, op.len(), format!("'{op}' needs a command after it")),
        result => result.map(|(rest, pipeline)| (rest, (connector, pipeline))),
    }
}

fn pipeline(input: &str, cx: Context) -> PResult<'_, Pipeline> {
    let (rest, first) = command(input, cx)?;
    let (rest, mut more) = many0(|i| piped_command(i, cx))(rest)?;
    more.insert(0, first);
    Ok((rest, Pipeline { commands: more, span: cx.span(input, rest) }))
}

fn piped_command(input: &str, cx: Context) -> PResult<'_, Command> {
    let (op_start, _) = space0(input)?;
    let (after_op, _) = terminated(char('|'), not(char('|')))(op_start)?;
    match preceded(space0, |i| command(i, cx))(after_op) {
        Err(nom::Err::Error(_)) => fail(op_start, 1, "'|' needs a command after it"),
        result => result,
    }
}

enum Item {
    Word(Word),
    Redirect(Redirect),
}

fn command(input: &str, cx: Context) -> PResult<'_, Command> {
    let (rest, items) = many1(preceded(space0, alt((map(|i| redirect(i, cx), Item::Redirect), map(|i| word(i, cx), Item::Word)))))(input)?;
    let mut words = Vec::new();
    let mut redirects = Vec::new();
    for item in items {
        match item {
            Item::Word(w) => words.push(w),
            Item::Redirect(r) => redirects.push(r),
        }
    }
    if words.is_empty() {
        let start = input.len() - input.trim_start().len();
        return fail(&input[start..], 1, "a redirection needs a command to apply to");
    }
    Ok((rest, Command { words, redirects, span: cx.span(input, rest) }))
}

/// `[N]>`, `[N]>>`, `[N]<` followed by a file, or `[N]>&M`.
fn redirect(input: &str, cx: Context) -> PResult<'_, Redirect> {
    let (after_fd, fd) = opt(digit1)(input)?;
    let (after_op, op) = alt((tag(">>"), tag(">"), tag("<")))(after_fd)?;
    let fd = match fd {
        Some(n) => n.parse().unwrap_or(u32::MAX),
        None if op == "<" => 0,
        None => 1,
    };
    if op != "<" {
        if let Ok((rest, target)) = preceded(char::<&str, Fail>('&'), digit1)(after_op) {
            let op = RedirectOp::Dup(target.parse().unwrap_or(u32::MAX));
            return Ok((rest, Redirect { fd, op, target: None, span: cx.span(input, rest) }));
        }
    }
    let op_kind = match op {
        ">>" => RedirectOp::Append,
        ">" => RedirectOp::Write,
        _ => RedirectOp::Read,
    };
    match preceded(space0, |i| word(i, cx))(after_op) {
        Ok((rest, target)) => Ok((rest, Redirect { fd, op: op_kind, target: Some(target), span: cx.span(input, rest) })),
        Err(nom::Err::Error(_)) => fail(after_fd, op.len(), format!("'{op}' needs a file name after it")),
        Err(e) => Err(e),
    }
}

fn word(input: &str, cx: Context) -> PResult<'_, Word> {
    let (rest, parts) = preceded(
        // `#` starts a comment only at the start of a word; `a#b` is plain text.
        not(char('#')),
        fold_many1(
            |i| word_piece(i, cx),
            Vec::new,
            |mut parts, piece| {
                piece.into_iter().for_each(|part| push_part(&mut parts, part));
                parts
            },
        ),
    )(input)?;
    Ok((rest, Word { parts, span: cx.span(input, rest) }))
}

/// Merges adjacent literals of the same quotedness so `a\ b'c'` is two parts, not four.
fn push_part(parts: &mut Vec<Part>, part: Part) {
    if let (Some(Part { kind: WordPart::Literal(previous), quoted }), WordPart::Literal(text)) = (parts.last_mut(), &part.kind) {
        if *quoted == part.quoted {
            previous.push_str(text);
            return;
        }
    }
    parts.push(part);
}

fn word_piece(input: &str, cx: Context) -> PResult<'_, Vec<Part>> {
    fn unquoted(kind: WordPart) -> Vec<Part> {
        vec![Part { kind, quoted: false }]
    }
    alt((
        map(take_while1(|c| !SPECIAL.contains(c)), |text: &str| unquoted(WordPart::Literal(text.to_string()))),
        map(escaped_char, |c| unquoted(WordPart::Literal(c.to_string()))),
        map(single_quoted, |text| vec![Part { kind: WordPart::Literal(text.to_string()), quoted: true }]),
        |i| double_quoted(i, cx),
        map(|i| dollar(i, cx), unquoted),
    ))(input)
}

fn escaped_char(input: &str) -> PResult<'_, char> {
    let (after, _) = char('\\')(input)?;
    match anychar::<_, Fail>(after) {
        Ok(result) => Ok(result),
        Err(_) => fail(input, 1, "line ends with a backslash: remove it, or put a character after it"),
    }
}

fn single_quoted(input: &str) -> PResult<'_, &str> {
    let (body, _) = char('\'')(input)?;
    let closed: PResult<&str> = terminated(take_while(|c| c != '\''), char('\''))(body);
    closed.or_else(|_| fail(input, 1, "unclosed single quote: add a closing ' to end the quoted text"))
}

fn double_quoted(input: &str, cx: Context) -> PResult<'_, Vec<Part>> {
    let (body, _) = char('"')(input)?;
    let piece = alt((
        map(take_while1(|c| !matches!(c, '"' | '\\' | '$')), |text: &str| WordPart::Literal(text.to_string())),
        map(preceded(char('\\'), anychar), |c| {
            // Inside "..." a backslash only escapes these; otherwise it stays as typed.
            WordPart::Literal(match c {
                '"' | '\\' | '$' | '`' => c.to_string(),
                _ => format!("\\{c}"),
            })
        }),
        |i| dollar(i, cx),
    ));
    let (rest, mut parts) = fold_many0(piece, Vec::new, |mut parts, kind| {
        push_part(&mut parts, Part { kind, quoted: true });
        parts
    })(body)?;
    let Ok((rest, _)) = char::<_, Fail>('"')(rest) else {
        return fail(input, 1, "unclosed double quote: add a closing \" to end the quoted text");
    };
    if parts.is_empty() {
        // `""` is still a (empty) word.
        parts.push(Part { kind: WordPart::Literal(String::new()), quoted: true });
    }
    Ok((rest, parts))
}

/// `$(...)`, `${NAME}`, `$NAME`, `$?`, `$$`, or else a literal `$`.
fn dollar(input: &str, cx: Context) -> PResult<'_, WordPart> {
    alt((
        map(|i| substitution(i, cx), WordPart::Subst),
        braced_var,
        map(preceded(char('$'), alt((var_name, tag("?"), tag("$")))), |name: &str| WordPart::Var(name.to_string())),
        map(char('$'), |_| WordPart::Literal("$".to_string())),
    ))(input)
}

fn var_name(input: &str) -> PResult<'_, &str> {
    recognize(pair(satisfy(|c| c.is_ascii_alphabetic() || c == '_'), take_while(|c: char| c.is_ascii_alphanumeric() || c == '_')))(input)
}

fn braced_var(input: &str) -> PResult<'_, WordPart> {
    let (body, _) = tag("${")(input)?;
    let named: PResult<&str> = terminated(alt((var_name, tag("?"), tag("$"))), char('}'))(body);
    match (named, body.find('}')) {
        (Ok((rest, name)), _) => Ok((rest, WordPart::Var(name.to_string()))),
        (Err(_), None) => fail(input, 2, "unclosed ${ : add a } to end the variable name"),
        (Err(_), Some(close)) => fail(input, "${".len() + close + 1, "invalid variable name in ${...}: use letters, digits and _, not starting with a digit"),
    }
}

fn substitution(input: &str, cx: Context) -> PResult<'_, Script> {
    let (inner, _) = tag("$(")(input)?;
    if cx.depth >= MAX_SUBST_DEPTH {
        let message = format!("command substitution nested too deeply: use at most {MAX_SUBST_DEPTH} levels of $( )");
        return fail(input, 2, message);
    }
    let (rest, script) = script(inner, Context { depth: cx.depth + 1, ..cx })?;
    match rest.strip_prefix(')') {
        Some(rest) => Ok((rest, script)),
        None if rest.is_empty() => fail(input, 2, "unclosed $( : add a ) to end the command substitution"),
        None => Err(nom::Err::Failure(unexpected(rest))),
    }
}

/// Explains the token that stopped the grammar (`leftover` is never blank here).
fn unexpected(leftover: &str) -> Fail {
    if let Some(op) = ["&&", "||", "|", ";"].into_iter().find(|op| leftover.starts_with(op)) {
        return Fail::at(leftover, op.len(), format!("'{op}' needs a command before it"));
    }
    let message = match leftover.chars().next() {
        Some('&') => "'&' (background jobs) is not supported yet: use `docker run -d` to run a container in the background",
        Some('`') => "backticks are not supported: use $(...)",
        Some('(') => "subshells with ( ) are not supported yet: put the ( in quotes to use it as text",
        Some(')') => "unmatched ')': put it in quotes to use it as text",
        _ => "unexpected character",
    };
    let len = leftover.chars().next().map_or(0, char::len_utf8);
    Fail::at(leftover, len, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use insta::assert_snapshot;
    use proptest::prelude::*;

    /// Compact rendering: `"lit"`, `q"quoted lit"`, `$VAR`, `$(script)`, each word `@start..end`.
    fn sketch(line: &str) -> String {
        match parse_line(line) {
            Ok(script) => render_script(&script),
            Err(e) => panic!("{line:?} failed: {e:?}"),
        }
    }

    fn render_script(script: &Script) -> String {
        let Some(first) = &script.first else {
            return "<empty>".to_string();
        };
        let mut out = render_pipeline(first);
        for (connector, pipeline) in &script.rest {
            out += match connector {
                Connector::And => " && ",
                Connector::Or => " || ",
                Connector::Seq => " ; ",
            };
            out += &render_pipeline(pipeline);
        }
        out
    }

    fn render_pipeline(pipeline: &Pipeline) -> String {
        let commands: Vec<_> = pipeline.commands.iter().map(render_command).collect();
        commands.join(" | ")
    }

    fn render_command(command: &Command) -> String {
        let words: Vec<_> = command.words.iter().map(render_word).collect();
        words.join(" ")
    }

    fn render_word(word: &Word) -> String {
        let parts: Vec<_> = word.parts.iter().map(render_part).collect();
        format!("{}@{}..{}", parts.join("+"), word.span.start, word.span.end)
    }

    fn render_part(part: &Part) -> String {
        let q = if part.quoted { "q" } else { "" };
        match &part.kind {
            WordPart::Literal(text) => format!("{q}{text:?}"),
            WordPart::Var(name) => format!("{q}${name}"),
            WordPart::Subst(script) => format!("{q}$({})", render_script(script)),
        }
    }

    /// `start..end "spanned text": message`
    fn error(line: &str) -> String {
        let e = parse_line(line).expect_err(line);
        let Span { start, end } = e.span;
        format!("{start}..{end} {:?}: {}", &line[start..end], e.message)
    }

    fn lit(text: &str, quoted: bool) -> Part {
        Part { kind: WordPart::Literal(text.to_string()), quoted }
    }

    #[test]
    fn docker_run_with_quoted_argument() {
        let line = r#"docker run --rm busybox:latest /bin/echo "Hello Docker""#;
        assert_snapshot!(sketch(line), @r#""docker"@0..6 "run"@7..10 "--rm"@11..15 "busybox:latest"@16..30 "/bin/echo"@31..40 q"Hello Docker"@41..55"#);
        let script = parse_line(line).unwrap();
        let command = &script.first.as_ref().unwrap().commands[0];
        let greeting = &command.words[5];
        assert_eq!(greeting.parts, vec![lit("Hello Docker", true)]);
        assert_eq!(&line[greeting.span.start..greeting.span.end], "\"Hello Docker\"");
        assert_eq!(command.span, Span { start: 0, end: line.len() });
        assert_eq!(command.words[1].as_literal().as_deref(), Some("run"));
    }

    #[test]
    fn single_quotes_are_literal() {
        assert_snapshot!(sketch(r#"echo 'a $HOME "b" \n' c'd'e '' x''"#), @r#""echo"@0..4 q"a $HOME \"b\" \\n"@5..21 "c"+q"d"+"e"@22..27 q""@28..30 "x"+q""@31..34"#);
    }

    #[test]
    fn backslash_escapes() {
        assert_snapshot!(sketch(r#"echo a\ b \$HOME \'x "q\"u\\o\$t\`e\n""#), @r#""echo"@0..4 "a b"@5..9 "$HOME"@10..16 "'x"@17..20 q"q\"u\\o$t`e\\n"@21..38"#);
    }

    #[test]
    fn variables() {
        assert_snapshot!(sketch(r#"echo $HOME ${X}y $? $$ "$HOME/x" ${?} $ a$ $1 $}"#), @r#""echo"@0..4 $HOME@5..10 $X+"y"@11..16 $?@17..19 $$@20..22 q$HOME+q"/x"@23..32 $?@33..37 "$"@38..39 "a$"@40..42 "$1"@43..45 "$}"@46..48"#);
        let word = &parse_line("echo $HOME").unwrap().first.unwrap().commands[0].words[1];
        assert_eq!(word.as_literal(), None);
    }

    #[test]
    fn command_substitution_spans_are_in_the_outer_line() {
        let line = "docker rm $(docker ps -a -q -f status=exited)";
        assert_snapshot!(sketch(line), @r#""docker"@0..6 "rm"@7..9 $("docker"@12..18 "ps"@19..21 "-a"@22..24 "-q"@25..27 "-f"@28..30 "status=exited"@31..44)@10..45"#);
        let script = parse_line(line).unwrap();
        let WordPart::Subst(inner) = &script.first.unwrap().commands[0].words[2].parts[0].kind else {
            panic!("expected a substitution");
        };
        let inner_command = &inner.first.as_ref().unwrap().commands[0];
        assert_eq!(&line[inner_command.span.start..inner_command.span.end], "docker ps -a -q -f status=exited");
    }

    #[test]
    fn nested_and_quoted_substitutions() {
        assert_snapshot!(sketch("echo $(echo $(echo hi))"), @r#""echo"@0..4 $("echo"@7..11 $("echo"@14..18 "hi"@19..21)@12..22)@5..23"#);
        assert_snapshot!(sketch(r#"echo "id: $(echo ")")" $()x"#), @r#""echo"@0..4 q"id: "+q$("echo"@12..16 q")"@17..20)@5..22 $(<empty>)+"x"@23..27"#);
    }

    #[test]
    fn pipelines() {
        let line = "aws ecr get-login-password | docker login --username AWS --password-stdin 123.dkr.ecr.us-east-1.amazonaws.com";
        assert_snapshot!(sketch(line), @r#""aws"@0..3 "ecr"@4..7 "get-login-password"@8..26 | "docker"@29..35 "login"@36..41 "--username"@42..52 "AWS"@53..56 "--password-stdin"@57..73 "123.dkr.ecr.us-east-1.amazonaws.com"@74..109"#);
        let pipeline = parse_line(line).unwrap().first.unwrap();
        assert_eq!(pipeline.span, Span { start: 0, end: line.len() });
        assert_eq!(pipeline.commands[1].span.start, line.find("docker").unwrap());
        assert_snapshot!(sketch("ps -ef | grep [d]ocker"), @r#""ps"@0..2 "-ef"@3..6 | "grep"@9..13 "[d]ocker"@14..22"#);
    }

    #[test]
    fn connectors() {
        assert_snapshot!(sketch("a && b || c ; d"), @r#""a"@0..1 && "b"@5..6 || "c"@10..11 ; "d"@14..15"#);
        assert_snapshot!(sketch("ls;"), @r#""ls"@0..2"#);
        assert_snapshot!(sketch("a|b&&c"), @r#""a"@0..1 | "b"@2..3 && "c"@5..6"#);
    }

    #[test]
    fn comments_and_blank_lines() {
        let empty = Script { first: None, rest: vec![] };
        assert_eq!(parse_line(""), Ok(empty.clone()));
        assert_eq!(parse_line(" \t "), Ok(empty.clone()));
        assert_eq!(parse_line("  # just a comment | && ' "), Ok(empty));
        assert_snapshot!(sketch("ls -l # list 'files"), @r#""ls"@0..2 "-l"@3..5"#);
        assert_snapshot!(sketch("ls; #done"), @r#""ls"@0..2"#);
        assert_snapshot!(sketch("echo a#b"), @r#""echo"@0..4 "a#b"@5..8"#);
        assert_snapshot!(sketch(r#"echo "" ''"#), @r#""echo"@0..4 q""@5..7 q""@8..10"#);
    }

    #[test]
    fn redirections() {
        let redirects = |line: &str| -> Vec<(u32, RedirectOp, Option<String>, Span)> {
            let script = parse_line(line).unwrap();
            let command = &script.first.unwrap().commands[0];
            command.redirects.iter().map(|r| (r.fd, r.op, r.target.as_ref().and_then(Word::as_literal), r.span.clone())).collect()
        };
        assert_eq!(redirects("docker ps > out.txt"), vec![(1, RedirectOp::Write, Some("out.txt".into()), Span { start: 10, end: 19 })]);
        assert_eq!(redirects("docker ps >>out.txt"), vec![(1, RedirectOp::Append, Some("out.txt".into()), Span { start: 10, end: 19 })]);
        assert_eq!(redirects("wc -l < file"), vec![(0, RedirectOp::Read, Some("file".into()), Span { start: 6, end: 12 })]);
        assert_eq!(
            redirects("docker logs web > log 2>&1"),
            vec![(1, RedirectOp::Write, Some("log".into()), Span { start: 16, end: 21 }), (2, RedirectOp::Dup(1), None, Span { start: 22, end: 26 })]
        );
        assert_eq!(redirects("echo oops >&2"), vec![(1, RedirectOp::Dup(2), None, Span { start: 10, end: 13 })]);
        // A number that is a word stays a word.
        let script = parse_line("echo 2 > x").unwrap();
        assert_eq!(script.first.unwrap().commands[0].words.len(), 2);
    }

    #[test]
    fn errors() {
        assert_snapshot!(error("echo 'abc"), @r#"5..6 "'": unclosed single quote: add a closing ' to end the quoted text"#);
        assert_snapshot!(error(r#"echo "abc\""#), @r#"5..6 "\"": unclosed double quote: add a closing " to end the quoted text"#);
        assert_snapshot!(error("echo $(docker ps"), @r#"5..7 "$(": unclosed $( : add a ) to end the command substitution"#);
        assert_snapshot!(error("echo ${HOME"), @r#"5..7 "${": unclosed ${ : add a } to end the variable name"#);
        assert_snapshot!(error("echo ${1x} ok}"), @r#"5..10 "${1x}": invalid variable name in ${...}: use letters, digits and _, not starting with a digit"#);
        assert_snapshot!(error("echo abc\\"), @r#"8..9 "\\": line ends with a backslash: remove it, or put a character after it"#);
        assert_snapshot!(error("| grep x"), @r#"0..1 "|": '|' needs a command before it"#);
        assert_snapshot!(error("ls &&"), @r#"3..5 "&&": '&&' needs a command after it"#);
        assert_snapshot!(error("a | | b"), @r#"2..3 "|": '|' needs a command after it"#);
        assert_snapshot!(error(";;"), @r#"0..1 ";": ';' needs a command before it"#);
        assert_snapshot!(error("ls ;; ls"), @r#"4..5 ";": ';' needs a command before it"#);
        assert_snapshot!(error("a || && b"), @r#"2..4 "||": '||' needs a command after it"#);
        assert_snapshot!(error("docker ps >"), @r#"10..11 ">": '>' needs a file name after it"#);
        assert_snapshot!(error("> out.txt"), @r#"0..1 ">": a redirection needs a command to apply to"#);
        assert_snapshot!(error("docker run nginx &"), @r#"17..18 "&": '&' (background jobs) is not supported yet: use `docker run -d` to run a container in the background"#);
        assert_snapshot!(error("echo `date`"), @r#"5..6 "`": backticks are not supported: use $(...)"#);
        assert_snapshot!(error("(cd /tmp)"), @r#"0..1 "(": subshells with ( ) are not supported yet: put the ( in quotes to use it as text"#);
        assert_snapshot!(error("echo hi)"), @r#"7..8 ")": unmatched ')': put it in quotes to use it as text"#);
        assert_snapshot!(error("echo $(ls &)"), @r#"10..11 "&": '&' (background jobs) is not supported yet: use `docker run -d` to run a container in the background"#);
        assert_snapshot!(sketch(r#"echo '>' "<&|;()`" \> \&"#), @r#""echo"@0..4 q">"@5..8 q"<&|;()`"@9..18 ">"@19..21 "&"@22..24"#);
    }

    fn assert_spans_valid(line: &str) {
        let check = |span: &Span| {
            assert!(span.start <= span.end && span.end <= line.len(), "{span:?} out of bounds in {line:?}");
            assert!(line.is_char_boundary(span.start) && line.is_char_boundary(span.end));
        };
        match parse_line(line) {
            Err(e) => check(&e.span),
            Ok(script) => {
                for pipeline in script.first.iter().chain(script.rest.iter().map(|(_, p)| p)) {
                    check(&pipeline.span);
                    for command in &pipeline.commands {
                        check(&command.span);
                        command.words.iter().for_each(|w| check(&w.span));
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(line in ".*") {
            assert_spans_valid(&line);
        }

        #[test]
        fn shell_punctuation_never_panics(line in r#"['"\\$(){}|&;#<>` a-zé]{0,60}"#) {
            assert_spans_valid(&line);
        }
    }

    #[test]
    fn very_long_line_parses() {
        let line = "docker ps -a ".repeat(100_000 / 13);
        let script = parse_line(&line).unwrap();
        assert_eq!(script.first.unwrap().commands[0].words.len(), 3 * (100_000 / 13));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let line = "$(".repeat(10_000);
        assert_snapshot!(error(&line), @r#"64..66 "$(": command substitution nested too deeply: use at most 32 levels of $( )"#);
        let allowed = format!("{}x{}", "$(".repeat(MAX_SUBST_DEPTH), ")".repeat(MAX_SUBST_DEPTH));
        assert!(parse_line(&allowed).is_ok());
    }
}
