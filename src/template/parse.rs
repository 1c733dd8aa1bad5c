//! Go's text/template parser over the lexer's items: the same tree, node
//! positions and strings (`<.State.Foo>` in errors) and parse error texts.

use std::fmt;

use super::lexer::{lex, Item, Kind};

#[derive(Debug, Clone)]
pub enum Node {
    Text(String),
    Action(Pipe),
    If(Branch),
    With(Branch),
    Range(Branch),
    Break,
    Continue,
}

#[derive(Debug, Clone)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug, Clone)]
pub struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<String>,
    pub cmds: Vec<Command>,
}

#[derive(Debug, Clone)]
pub struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub struct Number {
    pub text: String,
    pub int: Option<i64>,
    pub float: Option<f64>,
}

#[derive(Debug, Clone)]
pub enum Arg {
    Field { pos: usize, idents: Vec<String> },
    Variable { pos: usize, idents: Vec<String> },
    Chain { pos: usize, node: Box<Arg>, fields: Vec<String> },
    Identifier { pos: usize, name: String },
    Dot { pos: usize },
    Nil { pos: usize },
    Bool { pos: usize, value: bool },
    Number { pos: usize, number: Number },
    String { pos: usize, quoted: String, text: String },
    Pipe(Box<Pipe>),
}

impl Arg {
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::Number { pos, .. }
            | Arg::String { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field { idents, .. } => write!(f, ".{}", idents.join(".")),
            Arg::Variable { idents, .. } => f.write_str(&idents.join(".")),
            Arg::Chain { node, fields, .. } => {
                match node.as_ref() {
                    Arg::Pipe(p) => write!(f, "({p})")?,
                    other => write!(f, "{other}")?,
                }
                for field in fields {
                    write!(f, ".{field}")?;
                }
                Ok(())
            }
            Arg::Identifier { name, .. } => f.write_str(name),
            Arg::Dot { .. } => f.write_str("."),
            Arg::Nil { .. } => f.write_str("nil"),
            Arg::Bool { value, .. } => write!(f, "{value}"),
            Arg::Number { number, .. } => f.write_str(&number.text),
            Arg::String { quoted, .. } => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            match arg {
                Arg::Pipe(p) => write!(f, "({p})")?,
                other => write!(f, "{other}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{} {} ", self.decl.join(", "), if self.is_assign { "=" } else { ":=" })?;
        }
        let cmds: Vec<String> = self.cmds.iter().map(ToString::to_string).collect();
        f.write_str(&cmds.join(" | "))
    }
}

/// A list's end: what closed it.
enum Closer {
    End,
    Else { starts_if: bool, starts_with: bool },
}

impl fmt::Display for Closer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Closer::End => "{{end}}",
            Closer::Else { .. } => "{{else}}",
        })
    }
}

type Result<T> = std::result::Result<T, String>;

struct Parser<'f> {
    name: String,
    items: Vec<Item>,
    next: usize,
    vars: Vec<String>,
    range_depth: usize,
    action_line: usize,
    /// The furthest item looked at: Go reports parse errors on its line.
    seen: std::cell::Cell<usize>,
    has_function: &'f dyn Fn(&str) -> bool,
}

/// Parses `source`; errors read `template: NAME:LINE: message`, as Go's do.
pub fn parse(name: &str, source: &str, has_function: &dyn Fn(&str) -> bool) -> Result<Vec<Node>> {
    let mut p = Parser {
        name: name.to_owned(),
        items: lex(source),
        next: 0,
        vars: vec!["$".into()],
        range_depth: 0,
        action_line: 0,
        seen: Default::default(),
        has_function,
    };
    let mut root = Vec::new();
    while p.peek().kind != Kind::Eof {
        match p.text_or_action()? {
            Ok(node) => root.push(node),
            Err(closer) => return Err(p.error(&format!("unexpected {closer}"))),
        }
    }
    Ok(root)
}

impl Parser<'_> {
    fn error(&self, message: &str) -> String {
        let line = self.items.get(self.seen.get()).map_or(1, |i| i.line);
        format!("template: {}:{line}: {message}", self.name)
    }

    fn peek(&self) -> &Item {
        let at = self.next.min(self.items.len() - 1);
        self.seen.set(self.seen.get().max(at));
        &self.items[at]
    }

    fn next_item(&mut self) -> Item {
        let item = self.peek().clone();
        self.next = (self.next + 1).min(self.items.len());
        item
    }

    fn backup(&mut self) {
        self.next -= 1;
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let item = self.next_item();
            if item.kind != Kind::Space {
                return item;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let item = self.next_non_space();
        self.backup();
        item
    }

    fn unexpected(&self, item: &Item, context: &str) -> String {
        if item.kind == Kind::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != item.line {
                extra = format!(" in {context}");
                if item.val.ends_with(" action") {
                    extra = extra[" in ".len()..].to_owned();
                }
            }
            return self.error(&format!("{item}{extra}"));
        }
        self.error(&format!("unexpected {item} in {context}"))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> Result<Item> {
        let item = self.next_non_space();
        if item.kind != kind {
            return Err(self.unexpected(&item, context));
        }
        Ok(item)
    }

    /// A node, or the `{{end}}`/`{{else}}` that closes the enclosing list.
    fn text_or_action(&mut self) -> Result<std::result::Result<Node, Closer>> {
        let item = self.next_non_space();
        match item.kind {
            Kind::Text => Ok(Ok(Node::Text(item.val))),
            Kind::LeftDelim => {
                self.action_line = item.line;
                let node = self.action();
                self.action_line = 0;
                node
            }
            _ => Err(self.unexpected(&item, "input")),
        }
    }

    fn item_list(&mut self) -> Result<(Vec<Node>, Closer)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != Kind::Eof {
            match self.text_or_action()? {
                Ok(node) => list.push(node),
                Err(closer) => return Ok((list, closer)),
            }
        }
        Err(self.error("unexpected EOF"))
    }

    fn action(&mut self) -> Result<std::result::Result<Node, Closer>> {
        let item = self.next_non_space();
        match item.kind {
            Kind::Break | Kind::Continue => {
                let word = if item.kind == Kind::Break { "break" } else { "continue" };
                let closing = self.next_non_space();
                if closing.kind != Kind::RightDelim {
                    return Err(self.unexpected(&closing, &format!("{{{{{word}}}}}")));
                }
                if self.range_depth == 0 {
                    return Err(self.error(&format!("{{{{{word}}}}} outside {{{{range}}}}")));
                }
                Ok(Ok(if item.kind == Kind::Break { Node::Break } else { Node::Continue }))
            }
            Kind::Else => {
                let next = self.peek_non_space();
                let (starts_if, starts_with) = (next.kind == Kind::If, next.kind == Kind::With);
                if !starts_if && !starts_with {
                    self.expect(Kind::RightDelim, "else")?;
                }
                Ok(Err(Closer::Else { starts_if, starts_with }))
            }
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                Ok(Err(Closer::End))
            }
            Kind::If => Ok(Ok(Node::If(self.control("if")?))),
            Kind::Range => Ok(Ok(Node::Range(self.control("range")?))),
            Kind::With => Ok(Ok(Node::With(self.control("with")?))),
            Kind::Define | Kind::Template | Kind::Block => Err(self.error(&format!("{{{{{}}}}} is not supported by Whaleshell's templates", item.val))),
            _ => {
                self.backup();
                Ok(Ok(Node::Action(self.pipeline("command", Kind::RightDelim)?)))
            }
        }
    }

    fn control(&mut self, context: &str) -> Result<Branch> {
        let vars = self.vars.len();
        let branch = self.control_body(context);
        self.vars.truncate(vars);
        branch
    }

    fn control_body(&mut self, context: &str) -> Result<Branch> {
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let listed = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, closer) = listed?;
        let else_list = match closer {
            Closer::End => None,
            Closer::Else { starts_if: true, .. } if context == "if" => {
                self.next_non_space();
                Some(vec![Node::If(self.control("if")?)])
            }
            Closer::Else { starts_with: true, .. } if context == "with" => {
                self.next_non_space();
                Some(vec![Node::With(self.control("with")?)])
            }
            Closer::Else { starts_if, starts_with } => {
                if starts_if || starts_with {
                    // `{{else if}}` in a range: Go reads it as an else with a pipeline, which it rejects.
                    let item = self.next_non_space();
                    return Err(self.unexpected(&item, "input"));
                }
                let (else_list, closer) = self.item_list()?;
                if !matches!(closer, Closer::End) {
                    return Err(self.error(&format!("expected end; found {closer}")));
                }
                Some(else_list)
            }
        };
        Ok(Branch { pipe, list, else_list })
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> Result<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe { pos: start.pos, is_assign: false, decl: Vec::new(), cmds: Vec::new() };
        // Declarations: `$x :=`, `$x =`, `$k, $v :=` (range only).
        loop {
            let v = self.peek_non_space();
            if v.kind != Kind::Variable {
                break;
            }
            let mark = self.next;
            self.next_non_space();
            let after = self.peek_non_space();
            match after.kind {
                Kind::Assign | Kind::Declare => {
                    pipe.is_assign = after.kind == Kind::Assign;
                    self.next_non_space();
                    pipe.decl.push(v.val.clone());
                    self.vars.push(v.val);
                    break;
                }
                Kind::Char if after.val == "," => {
                    self.next_non_space();
                    pipe.decl.push(v.val.clone());
                    self.vars.push(v.val);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            Kind::Variable | Kind::RightDelim | Kind::RightParen => continue,
                            _ => return Err(self.error("range can only initialize variables")),
                        }
                    }
                    return Err(self.error(&format!("too many declarations in {context}")));
                }
                _ => {
                    self.next = mark;
                    break;
                }
            }
        }
        loop {
            let item = self.next_non_space();
            match item.kind {
                k if k == end => {
                    if pipe.cmds.is_empty() {
                        return Err(self.error(&format!("missing value for {context}")));
                    }
                    for (i, cmd) in pipe.cmds.iter().enumerate().skip(1) {
                        if matches!(cmd.args[0], Arg::Bool { .. } | Arg::Dot { .. } | Arg::Nil { .. } | Arg::Number { .. } | Arg::String { .. }) {
                            return Err(self.error(&format!("non executable command in pipeline stage {}", i + 1)));
                        }
                    }
                    return Ok(pipe);
                }
                Kind::Bool
                | Kind::CharConstant
                | Kind::Complex
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    pipe.cmds.push(self.command()?);
                }
                _ => return Err(self.unexpected(&item, context)),
            }
        }
    }

    fn command(&mut self) -> Result<Command> {
        let mut cmd = Command { pos: self.peek_non_space().pos, args: Vec::new() };
        loop {
            self.peek_non_space();
            if let Some(operand) = self.operand()? {
                cmd.args.push(operand);
            }
            let item = self.next_item();
            match item.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return Err(self.unexpected(&item, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.error("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> Result<Option<Arg>> {
        let Some(term) = self.term()? else { return Ok(None) };
        if self.peek().kind != Kind::Field {
            return Ok(Some(term));
        }
        let pos = self.peek().pos;
        let mut fields = Vec::new();
        while self.peek().kind == Kind::Field {
            fields.push(self.next_item().val[1..].to_owned());
        }
        Ok(Some(match term {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field { pos, idents }
            }
            Arg::Variable { mut idents, .. } => {
                idents.extend(fields);
                Arg::Variable { pos, idents }
            }
            Arg::Bool { .. } | Arg::String { .. } | Arg::Number { .. } | Arg::Nil { .. } | Arg::Dot { .. } => {
                return Err(self.error(&format!("unexpected . after term {}", super::gofmt::go_quote(&term.to_string()))));
            }
            node => Arg::Chain { pos, node: Box::new(node), fields },
        }))
    }

    fn term(&mut self) -> Result<Option<Arg>> {
        let item = self.next_non_space();
        let pos = item.pos;
        Ok(Some(match item.kind {
            Kind::Identifier => {
                if !(self.has_function)(&item.val) {
                    return Err(self.error(&format!("function {} not defined", super::gofmt::go_quote(&item.val))));
                }
                Arg::Identifier { pos, name: item.val }
            }
            Kind::Dot => Arg::Dot { pos },
            Kind::Nil => Arg::Nil { pos },
            Kind::Variable => {
                let name = item.val.split('.').next().unwrap_or("").to_owned();
                if !self.vars.contains(&name) {
                    return Err(self.error(&format!("undefined variable {}", super::gofmt::go_quote(&name))));
                }
                Arg::Variable { pos, idents: vec![item.val] }
            }
            Kind::Field => Arg::Field { pos, idents: vec![item.val[1..].to_owned()] },
            Kind::Bool => Arg::Bool { pos, value: item.val == "true" },
            Kind::Number | Kind::CharConstant => Arg::Number { pos, number: self.number(&item)? },
            Kind::Complex => return Err(self.error("complex numbers are not supported by Whaleshell's templates")),
            Kind::LeftParen => Arg::Pipe(Box::new(self.pipeline("parenthesized pipeline", Kind::RightParen)?)),
            Kind::String | Kind::RawString => {
                let text = unquote(&item.val).ok_or_else(|| self.error("invalid syntax"))?;
                Arg::String { pos, quoted: item.val, text }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }

    fn number(&self, item: &Item) -> Result<Number> {
        let text = item.val.clone();
        if item.kind == Kind::CharConstant {
            let c = unquote_char(&text).ok_or_else(|| self.error(&format!("malformed character constant: {text}")))?;
            return Ok(Number { text, int: Some(c as i64), float: Some(c as u32 as f64) });
        }
        if text.ends_with('i') {
            return Err(self.error("complex numbers are not supported by Whaleshell's templates"));
        }
        if let Some(i) = parse_int(&text) {
            return Ok(Number { text, int: Some(i), float: Some(i as f64) });
        }
        match text.replace('_', "").parse::<f64>() {
            Ok(f) if !text.contains(['.', 'e', 'E', 'p', 'P']) || text.starts_with("0x") => {
                let _ = f;
                Err(self.error(&format!("integer overflow: {}", super::gofmt::go_quote(&text))))
            }
            Ok(f) => {
                let int = (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64);
                Ok(Number { text, int, float: Some(f) })
            }
            Err(_) => Err(self.error(&format!("illegal number syntax: {}", super::gofmt::go_quote(&text)))),
        }
    }
}

/// `strconv.ParseInt(text, 0, 64)`: sign, 0x/0o/0b or a leading 0 for octal, `_` between digits.
fn parse_int(text: &str) -> Option<i64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || digits.starts_with('_') && radix == 10 {
        return None;
    }
    let value = i128::from_str_radix(&digits.replace('_', ""), radix).ok()?;
    let value = if negative { -value } else { value };
    i64::try_from(value).ok()
}

/// `strconv.Unquote` of a Go string literal (`"…"` with escapes, or `` `…` ``).
pub fn unquote(quoted: &str) -> Option<String> {
    if let Some(raw) = quoted.strip_prefix('`') {
        return raw.strip_suffix('`').map(|s| s.replace('\r', ""));
    }
    let body = quoted.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(escape(&mut chars, '"')?);
    }
    Some(out)
}

fn unquote_char(quoted: &str) -> Option<char> {
    let body = quoted.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut chars = body.chars().peekable();
    let c = match chars.next()? {
        '\\' => escape(&mut chars, '\'')?,
        c => c,
    };
    chars.next().is_none().then_some(c)
}

fn escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, quote: char) -> Option<char> {
    let hex = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, n: usize| -> Option<char> {
        let digits: String = (0..n).filter_map(|_| chars.next()).collect();
        (digits.len() == n).then(|| u32::from_str_radix(&digits, 16).ok().and_then(char::from_u32)).flatten()
    };
    Some(match chars.next()? {
        'a' => '\u{7}',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\u{b}',
        '\\' => '\\',
        c if c == quote => c,
        'x' => hex(chars, 2)?,
        'u' => hex(chars, 4)?,
        'U' => hex(chars, 8)?,
        d @ '0'..='7' => {
            let rest: String = (0..2).filter_map(|_| chars.next()).collect();
            char::from_u32(u32::from_str_radix(&format!("{d}{rest}"), 8).ok()?)?
        }
        _ => return None,
    })
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, nodes: &[Node]| nodes.iter().try_for_each(|n| write!(f, "{n}"));
        let branch = |f: &mut fmt::Formatter<'_>, word: &str, b: &Branch| {
            write!(f, "{{{{{word} {}}}}}", b.pipe)?;
            list(f, &b.list)?;
            if let Some(else_list) = &b.else_list {
                f.write_str("{{else}}")?;
                list(f, else_list)?;
            }
            f.write_str("{{end}}")
        };
        match self {
            Node::Text(t) => f.write_str(t),
            Node::Action(p) => write!(f, "{{{{{p}}}}}"),
            Node::If(b) => branch(f, "if", b),
            Node::With(b) => branch(f, "with", b),
            Node::Range(b) => branch(f, "range", b),
            Node::Break => f.write_str("{{break}}"),
            Node::Continue => f.write_str("{{continue}}"),
        }
    }
}
