//! Go's text/template lexer: the same items, positions, line numbers,
//! trim markers (`{{- -}}`) and error texts. nom recognises the tokens;
//! the loop around them keeps Go's order of checks.

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_until, take_while, take_while1};
use nom::character::complete::one_of;
use nom::combinator::{opt, recognize};
use nom::sequence::{pair, preceded, tuple};
use nom::IResult;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Error,
    Bool,
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords (Go prints these as `<word>`).
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

#[derive(Clone, Debug)]
pub struct Item {
    pub kind: Kind,
    pub pos: usize,
    pub val: String,
    pub line: usize,
}

impl std::fmt::Display for Item {
    /// Go's `item.String()`, as parse errors quote items.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            Kind::Eof => f.write_str("EOF"),
            Kind::Error => f.write_str(&self.val),
            k if k >= Kind::Block => write!(f, "<{}>", self.val),
            _ if self.val.chars().count() > 10 => {
                let short: String = self.val.chars().take(10).collect();
                write!(f, "{}...", super::gofmt::go_quote(&short))
            }
            _ => f.write_str(&super::gofmt::go_quote(&self.val)),
        }
    }
}

impl PartialOrd for Kind {
    fn partial_cmp(&self, other: &Kind) -> Option<std::cmp::Ordering> {
        Some((*self as u8).cmp(&(*other as u8)))
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &str) -> bool {
    let mut c = s.chars();
    c.next() == Some('-') && c.next().is_some_and(is_space)
}

fn has_right_trim(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(is_space) && c.next() == Some('-')
}

fn keyword(word: &str) -> Option<Kind> {
    Some(match word {
        "block" => Kind::Block,
        "break" => Kind::Break,
        "continue" => Kind::Continue,
        "define" => Kind::Define,
        "else" => Kind::Else,
        "end" => Kind::End,
        "if" => Kind::If,
        "nil" => Kind::Nil,
        "range" => Kind::Range,
        "template" => Kind::Template,
        "with" => Kind::With,
        _ => return None,
    })
}

/// Go's `scanNumber`: sign, base prefix, digits with `_`, fraction, exponent, `i`.
fn number(input: &str) -> IResult<&str, &str> {
    let digits_of = |base: &'static str| take_while(move |c: char| base.contains(c));
    let hex = preceded(
        tag_no_case("0x"),
        tuple((
            digits_of("0123456789abcdefABCDEF_"),
            opt(pair(tag("."), digits_of("0123456789abcdefABCDEF_"))),
            opt(tuple((one_of("pP"), opt(one_of("+-")), digits_of("0123456789_")))),
        )),
    );
    let octal = preceded(tag_no_case("0o"), digits_of("01234567_"));
    let binary = preceded(tag_no_case("0b"), digits_of("01_"));
    let decimal = tuple((
        digits_of("0123456789_"),
        opt(pair(tag("."), digits_of("0123456789_"))),
        opt(tuple((one_of("eE"), opt(one_of("+-")), digits_of("0123456789_")))),
    ));
    recognize(tuple((opt(one_of("+-")), alt((recognize(hex), recognize(octal), recognize(binary), recognize(decimal))), opt(tag("i")))))(input)
}

fn identifier(input: &str) -> IResult<&str, &str> {
    take_while1(is_alphanumeric)(input)
}

struct Lexer<'a> {
    input: &'a str,
    items: Vec<Item>,
    start: usize,
    pos: usize,
    line: usize,
    start_line: usize,
    paren_depth: i32,
}

/// All items of `input`, ending with `Eof` or the first `Error`.
pub fn lex(input: &str) -> Vec<Item> {
    let mut l = Lexer { input, items: Vec::new(), start: 0, pos: 0, line: 1, start_line: 1, paren_depth: 0 };
    let mut inside = false;
    loop {
        let ok = if inside { l.inside_action() } else { l.text() };
        match ok {
            Ok(next_inside) => inside = next_inside,
            Err(()) => break,
        }
        if l.items.last().is_some_and(|i| matches!(i.kind, Kind::Eof | Kind::Error)) {
            break;
        }
    }
    l.items
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn emit(&mut self, kind: Kind) {
        let val = self.input[self.start..self.pos].to_owned();
        self.items.push(Item { kind, pos: self.start, val, line: self.start_line });
        self.line += self.input[self.start..self.pos].matches('\n').count();
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn ignore(&mut self) {
        self.line += self.input[self.start..self.pos].matches('\n').count();
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn error(&mut self, message: String) -> Result<bool, ()> {
        self.items.push(Item { kind: Kind::Error, pos: self.start, val: message, line: self.start_line });
        Err(())
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Text up to the next `{{`, trimmed if the action starts with `{{- `.
    fn text(&mut self) -> Result<bool, ()> {
        let input = self.input;
        let found: IResult<&str, &str> = take_until(LEFT)(&input[self.pos..]);
        let Ok((_, before)) = found else {
            self.pos = self.input.len();
            if self.pos > self.start {
                self.emit(Kind::Text);
            }
            self.emit(Kind::Eof);
            return Ok(false);
        };
        self.pos += before.len();
        let trim = if has_left_trim(&self.input[self.pos + LEFT.len()..]) { before.len() - before.trim_end_matches(is_space).len() } else { 0 };
        if self.pos - trim > self.start {
            let end = self.pos;
            self.pos -= trim;
            self.emit(Kind::Text);
            self.pos = end;
        }
        self.ignore();
        self.left_delim()
    }

    fn left_delim(&mut self) -> Result<bool, ()> {
        self.pos += LEFT.len();
        let marker = if has_left_trim(self.rest()) { 2 } else { 0 };
        if self.input[self.pos + marker..].starts_with("/*") {
            self.pos += marker;
            self.ignore();
            return self.comment();
        }
        self.emit(Kind::LeftDelim);
        self.pos += marker;
        self.ignore();
        self.paren_depth = 0;
        Ok(true)
    }

    fn comment(&mut self) -> Result<bool, ()> {
        self.pos += 2;
        let Some(x) = self.rest().find("*/") else { return self.error("unclosed comment".into()) };
        self.pos += x + 2;
        let Some(trim) = self.at_right_delim() else { return self.error("comment ends before closing delimiter".into()) };
        self.pos += if trim { 2 } else { 0 } + RIGHT.len();
        if trim {
            self.pos += self.rest().len() - self.rest().trim_start_matches(is_space).len();
        }
        self.ignore();
        Ok(false)
    }

    /// At `}}` (false) or ` -}}` (true)?
    fn at_right_delim(&self) -> Option<bool> {
        let rest = self.rest();
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT) {
            Some(true)
        } else if rest.starts_with(RIGHT) {
            Some(false)
        } else {
            None
        }
    }

    fn right_delim(&mut self, trim: bool) -> Result<bool, ()> {
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        self.emit(Kind::RightDelim);
        if trim {
            self.pos += self.rest().len() - self.rest().trim_start_matches(is_space).len();
            self.ignore();
        }
        Ok(false)
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) || ".,|:)(".contains(c) => true,
            _ => self.rest().starts_with(RIGHT),
        }
    }

    fn bad_character(&mut self) -> Result<bool, ()> {
        let c = self.peek().unwrap_or('\0');
        self.error(format!("bad character {}", unicode_name(c)))
    }

    fn inside_action(&mut self) -> Result<bool, ()> {
        if let Some(trim) = self.at_right_delim() {
            if self.paren_depth == 0 {
                return self.right_delim(trim);
            }
            return self.error("unclosed left paren".into());
        }
        let Some(c) = self.peek() else { return self.error("unclosed action".into()) };
        self.pos += c.len_utf8();
        match c {
            c if is_space(c) => {
                self.pos -= c.len_utf8();
                return self.space();
            }
            '=' => self.emit(Kind::Assign),
            ':' => {
                if self.peek() != Some('=') {
                    return self.error("expected :=".into());
                }
                self.pos += 1;
                self.emit(Kind::Declare);
            }
            '|' => self.emit(Kind::Pipe),
            '"' => return self.quoted('"', Kind::String, "unterminated quoted string"),
            '`' => {
                let Some(end) = self.rest().find('`') else { return self.error("unterminated raw quoted string".into()) };
                self.pos += end + 1;
                self.emit(Kind::RawString);
            }
            '$' => return self.field_or_variable(Kind::Variable),
            '\'' => return self.quoted('\'', Kind::CharConstant, "unterminated character constant"),
            '.' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => return self.field_or_variable(Kind::Field),
            '.' | '+' | '-' | '0'..='9' => {
                self.pos -= 1;
                return self.number();
            }
            c if is_alphanumeric(c) => {
                self.pos -= c.len_utf8();
                return self.identifier();
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(Kind::LeftParen);
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error("unexpected right paren".into());
                }
                self.emit(Kind::RightParen);
            }
            c if c.is_ascii() && !c.is_ascii_control() => self.emit(Kind::Char),
            c => return self.error(format!("unrecognized character in action: {}", unicode_name(c))),
        }
        Ok(true)
    }

    fn space(&mut self) -> Result<bool, ()> {
        let spaces = self.rest().len() - self.rest().trim_start_matches(is_space).len();
        self.pos += spaces;
        // A space before "-}}" belongs to the trim marker.
        let before = self.pos - 1;
        if has_right_trim(&self.input[before..]) && self.input[before + 2..].starts_with(RIGHT) {
            self.pos -= 1;
            if spaces == 1 {
                return self.right_delim(true);
            }
        }
        self.emit(Kind::Space);
        Ok(true)
    }

    /// A `"…"` string or `'…'` character constant, its opening quote read already.
    fn quoted(&mut self, quote: char, kind: Kind, unterminated: &str) -> Result<bool, ()> {
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, '\n')) | None => break,
                    Some(_) => {}
                },
                '\n' => break,
                c if c == quote => {
                    self.pos += i + 1;
                    self.emit(kind);
                    return Ok(true);
                }
                _ => {}
            }
        }
        self.error(unterminated.into())
    }

    fn field_or_variable(&mut self, kind: Kind) -> Result<bool, ()> {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable { Kind::Variable } else { Kind::Dot });
            return Ok(true);
        }
        if let Ok((_, name)) = identifier(self.rest()) {
            self.pos += name.len();
        }
        if !self.at_terminator() {
            return self.bad_character();
        }
        self.emit(kind);
        Ok(true)
    }

    fn identifier(&mut self) -> Result<bool, ()> {
        if let Ok((_, word)) = identifier(self.rest()) {
            self.pos += word.len();
        }
        if !self.at_terminator() {
            return self.bad_character();
        }
        let word = &self.input[self.start..self.pos];
        let kind = match keyword(word) {
            Some(k) => k,
            None if word == "true" || word == "false" => Kind::Bool,
            None => Kind::Identifier,
        };
        self.emit(kind);
        Ok(true)
    }

    fn number(&mut self) -> Result<bool, ()> {
        let scanned = number(self.rest()).map(|(_, n)| n.len()).unwrap_or(0);
        self.pos += scanned;
        if self.peek().is_some_and(is_alphanumeric) {
            self.pos += self.peek().map_or(0, char::len_utf8);
            let text = self.input[self.start..self.pos].to_owned();
            return self.error(format!("bad number syntax: {}", super::gofmt::go_quote(&text)));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            // A complex constant, 1+2i.
            let more = number(self.rest()).map(|(_, n)| n.len()).unwrap_or(0);
            self.pos += more;
            if !self.input[..self.pos].ends_with('i') {
                let text = self.input[self.start..self.pos].to_owned();
                return self.error(format!("bad number syntax: {}", super::gofmt::go_quote(&text)));
            }
            self.emit(Kind::Complex);
            return Ok(true);
        }
        self.emit(Kind::Number);
        Ok(true)
    }
}

/// Go's `%#U`: `U+007D '}'`.
pub fn unicode_name(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{c}'", c as u32)
    }
}
