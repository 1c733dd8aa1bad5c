//! Docker's processing of a Dockerfile word (the classic builder's shell
//! lexer): quotes removed, escapes applied, and `$VAR`, `${VAR}`,
//! `${VAR:-word}`, `${VAR:+word}`, `${VAR:?message}` and `${VAR?message}`
//! expanded from ARG and ENV. RUN, CMD and ENTRYPOINT never come here: their
//! shell expands them.
//!
//! ```text
//! ENV FOO=/bar
//! WORKDIR ${FOO}   # WORKDIR /bar
//! COPY \$FOO /quux # COPY $FOO /quux
//! ```

use std::collections::BTreeMap;

pub type Vars = BTreeMap<String, String>;

/// One word, quotes removed and variables expanded.
pub fn process_word(word: &str, vars: &Vars, escape: char) -> Result<String, String> {
    Lexer::new(word, vars, escape).run().map(|(text, _)| text)
}

/// One argument that may expand to several words (EXPOSE's `$PORTS`):
/// unquoted expansions split on whitespace, quoted text never does.
pub fn process_words(word: &str, vars: &Vars, escape: char) -> Result<Vec<String>, String> {
    Lexer::new(word, vars, escape).run().map(|(_, words)| words)
}

/// Splits an instruction's arguments on whitespace outside quotes, keeping
/// quotes and escapes in each word for [`process_word`] (Docker's parser
/// does this before expansion, for ENV, LABEL and ARG).
pub fn split_words(text: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            None if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
                continue;
            }
            None => {
                started = true;
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
        }
        // An escape keeps the next character (a quote or a space) in the word; not inside '…'.
        if c == escape && quote != Some('\'') {
            // One at the very end is dropped.
            if let Some(next) = chars.next() {
                word.push(c);
                word.push(next);
            }
            continue;
        }
        word.push(c);
    }
    if started {
        words.push(word);
    }
    words
}

/// `"…"` as Go's `%q` prints it, which Docker's messages and history use.
pub fn go_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Lexer<'a> {
    chars: Vec<char>,
    pos: usize,
    vars: &'a Vars,
    escape: char,
}

/// Words being collected for [`process_words`].
#[derive(Default)]
struct Words {
    word: String,
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, c: char) {
        if c.is_whitespace() {
            if self.in_word && !self.word.is_empty() {
                self.words.push(std::mem::take(&mut self.word));
                self.in_word = false;
            }
        } else {
            self.add_raw(c);
        }
    }

    fn add_raw(&mut self, c: char) {
        self.word.push(c);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.word.is_empty() {
            self.words.push(self.word);
        }
        self.words
    }
}

impl<'a> Lexer<'a> {
    fn new(word: &str, vars: &'a Vars, escape: char) -> Lexer<'a> {
        Lexer { chars: word.chars().collect(), pos: 0, vars, escape }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += 1;
        c
    }

    fn run(mut self) -> Result<(String, Vec<String>), String> {
        let source: String = self.chars.iter().collect();
        self.until(None).map_err(|e| format!("failed to process {}: {e}", go_quote(&source)))
    }

    /// Reads up to `stop` (consumed) or the end.
    fn until(&mut self, stop: Option<char>) -> Result<(String, Vec<String>), String> {
        let mut out = String::new();
        let mut words = Words::default();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.pos += 1;
                return Ok((out, words.finish()));
            }
            match c {
                '\'' | '"' => {
                    let text = if c == '\'' { self.single_quoted()? } else { self.double_quoted()? };
                    out.push_str(&text);
                    words.word.push_str(&text);
                    words.in_word = true;
                }
                '$' => {
                    let text = self.dollar()?;
                    out.push_str(&text);
                    text.chars().for_each(|c| words.add_char(c));
                }
                _ => {
                    self.pos += 1;
                    if c == self.escape {
                        // An escape at the very end is dropped.
                        let Some(escaped) = self.next() else { break };
                        words.add_raw(escaped);
                        out.push(escaped);
                    } else {
                        words.add_char(c);
                        out.push(c);
                    }
                }
            }
        }
        match stop {
            Some(s) => Err(format!("unexpected end of statement while looking for matching {s}")),
            None => Ok((out, words.finish())),
        }
    }

    fn single_quoted(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.next() {
                None => return Err("unexpected end of statement while looking for matching single-quote".into()),
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    /// Inside "…" only `\"`, `\$` and `\\` are escapes; `$` still expands.
    fn double_quoted(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err("unexpected end of statement while looking for matching double-quote".into()),
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('$') => out.push_str(&self.dollar()?),
                Some(c) => {
                    self.pos += 1;
                    if c == self.escape {
                        match self.peek() {
                            None => continue,
                            Some(n) if n == '"' || n == '$' || n == self.escape => {
                                self.pos += 1;
                                out.push(n);
                                continue;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn dollar(&mut self) -> Result<String, String> {
        self.pos += 1;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(self.vars.get(&name).cloned().unwrap_or_default());
        }
        self.pos += 1;
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            Some(_) => {}
        }
        let name = self.name();
        let value = self.vars.get(&name);
        match self.next() {
            Some('}') => Ok(value.cloned().unwrap_or_default()),
            Some('?') => {
                let (word, _) = self.word_until_brace()?;
                match value {
                    None => Err(format!("{name}: {}", if word.is_empty() { "is not allowed to be unset" } else { &word })),
                    Some(v) => Ok(v.clone()),
                }
            }
            Some(':') => {
                let modifier = self.next();
                let (word, _) = self.word_until_brace()?;
                let current = value.cloned().unwrap_or_default();
                match modifier {
                    Some('+') => Ok(if current.is_empty() { current } else { word }),
                    Some('-') => Ok(if current.is_empty() { word } else { current }),
                    Some('?') if current.is_empty() => {
                        let default = if value.is_none() { "is not allowed to be unset" } else { "is not allowed to be empty" };
                        Err(format!("{name}: {}", if word.is_empty() { default } else { &word }))
                    }
                    Some('?') => Ok(current),
                    Some(m) => Err(format!("unsupported modifier ({m}) in substitution")),
                    None => Err("syntax error: missing '}'".into()),
                }
            }
            _ => Err("missing ':' in substitution".into()),
        }
    }

    fn word_until_brace(&mut self) -> Result<(String, Vec<String>), String> {
        self.until(Some('}')).map_err(|e| if self.peek().is_none() { "syntax error: missing '}'".to_owned() } else { e })
    }

    /// A variable name; a leading digit takes all the digits (`$12`), and a
    /// special parameter (`$$`, `$@` …) is one character.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && c.is_ascii_digit() {
                while let Some(d) = self.peek().filter(char::is_ascii_digit) {
                    name.push(d);
                    self.pos += 1;
                }
                return name;
            }
            if name.is_empty() && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                return c.to_string();
            }
            if !c.is_alphanumeric() && c != '_' {
                break;
            }
            name.push(c);
            self.pos += 1;
        }
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn word(text: &str, v: &Vars) -> String {
        process_word(text, v, '\\').unwrap()
    }

    /// The examples of "Environment replacement" in Docker's Dockerfile reference.
    #[test]
    fn the_reference_examples() {
        let v = vars(&[("FOO", "/bar")]);
        assert_eq!(word("${FOO}", &v), "/bar");
        assert_eq!(word("$FOO", &v), "/bar");
        assert_eq!(word("\\$FOO", &v), "$FOO");
        assert_eq!(word("\\${FOO}", &v), "${FOO}");
        assert_eq!(word("${FOO}_bar", &v), "/bar_bar");
        assert_eq!(word("${FOO:-word}", &v), "/bar");
        assert_eq!(word("${NOPE:-word}", &v), "word");
        assert_eq!(word("${FOO:+word}", &v), "word");
        assert_eq!(word("${NOPE:+word}", &v), "");
        // "word can be any string, including additional environment variables".
        assert_eq!(word("${NOPE:-$FOO/x}", &v), "/bar/x");
    }

    /// What Docker 20.10's classic builder made of these, read back with `docker inspect`.
    #[test]
    fn quotes_and_escapes_as_docker_20_10() {
        let v = vars(&[("A", "1"), ("B", "two 2"), ("EMPTY", ""), ("WHO", "world")]);
        for (input, expected) in [
            ("a\\ b", "a b"),
            ("\"two words\"", "two words"),
            ("'$single'", "$single"),
            ("\\$WHO", "$WHO"),
            ("$$", ""),
            ("$1", ""),
            ("$12", ""),
            ("\\\\$A", "\\1"),
            ("a\\\"b", "a\"b"),
            ("\"a\\\"b\\$A\\x\"", "a\"b$A\\x"),
            ("'a\\b'", "a\\b"),
            ("${A}_${B}", "1_two 2"),
            ("$", "$"),
            ("$A$", "1$"),
            ("${A:-${B}}", "1"),
            ("a\\ \\ b", "a  b"),
            ("${A:+\"yes it\"}", "yes it"),
            ("${EMPTY:-d}", "d"),
            ("${EMPTY:+p}", ""),
            ("${EMPTY?}", ""),
            ("${A:?}", "1"),
            ("${A:-}", "1"),
            ("ab\\", "ab"),
            ("value with \"quotes\" and $WHO", "value with quotes and world"),
        ] {
            assert_eq!(process_word(input, &v, '\\').as_deref(), Ok(expected), "{input}");
        }
    }

    #[test]
    fn errors_as_docker_20_10() {
        let v = vars(&[("EMPTY", "")]);
        for (input, expected) in [
            ("${NOPE?}", "failed to process \"${NOPE?}\": NOPE: is not allowed to be unset"),
            ("${NOPE:?}", "failed to process \"${NOPE:?}\": NOPE: is not allowed to be unset"),
            ("${EMPTY:?}", "failed to process \"${EMPTY:?}\": EMPTY: is not allowed to be empty"),
            ("${Y:?oops}", "failed to process \"${Y:?oops}\": Y: oops"),
            ("${}", "failed to process \"${}\": syntax error: bad substitution"),
            ("${Y", "failed to process \"${Y\": missing ':' in substitution"),
            ("${Y-d}", "failed to process \"${Y-d}\": missing ':' in substitution"),
            ("${Y:=a}", "failed to process \"${Y:=a}\": unsupported modifier (=) in substitution"),
            ("${A:-unterminated", "failed to process \"${A:-unterminated\": syntax error: missing '}'"),
            ("\"a", "failed to process \"\\\"a\": unexpected end of statement while looking for matching double-quote"),
            ("'a", "failed to process \"'a\": unexpected end of statement while looking for matching single-quote"),
        ] {
            assert_eq!(process_word(input, &v, '\\'), Err(expected.to_owned()), "{input}");
        }
    }

    #[test]
    fn expansions_split_into_words_quotes_do_not() {
        let v = vars(&[("PORTS", "80 443/udp")]);
        assert_eq!(process_words("$PORTS", &v, '\\').unwrap(), ["80", "443/udp"]);
        assert_eq!(process_words("\"$PORTS\"", &v, '\\').unwrap(), ["80 443/udp"]);
        assert_eq!(process_words("${NOPE:-8080}", &v, '\\').unwrap(), ["8080"]);
    }

    #[test]
    fn splitting_keeps_quotes_for_later() {
        assert_eq!(split_words("A=a\\ b B=\"two words\" C='x y'", '\\'), ["A=a\\ b", "B=\"two words\"", "C='x y'"]);
        assert_eq!(split_words("  \"spaced key\"=\"v v\"  x=1", '\\'), ["\"spaced key\"=\"v v\"", "x=1"]);
        assert_eq!(split_words("a `b", '`'), ["a", "`b"]);
    }

    #[test]
    fn a_backtick_escape() {
        assert_eq!(process_word("a` b`$X", &Vars::new(), '`').unwrap(), "a b$X");
    }
}
