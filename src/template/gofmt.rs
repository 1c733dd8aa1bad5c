//! Go's ways of turning values into text: `fmt`'s `%v` and `Sprintf`
//! verbs, `strconv`'s shortest floats, `encoding/json`.

use std::fmt::{self, Write};

use super::value::{Nil, StructKind, Value};

/// Go's `fmt.Print` of the value (`%v`).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&print_value(self, false))
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&print_value(self, true))
    }
}

/// `fmt.Sprint(v)`; `plus` is `%+v` (struct fields named).
pub fn print_value(v: &Value, plus: bool) -> String {
    let mut out = String::new();
    write_value(&mut out, v, plus);
    out
}

fn write_value(out: &mut String, v: &Value, plus: bool) {
    match v {
        Value::Missing => out.push_str("<no value>"),
        Value::Nil(Nil::Pointer) => out.push_str("<nil>"),
        Value::Nil(Nil::Slice) => out.push_str("[]"),
        Value::Nil(Nil::Map) => out.push_str("map[]"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Duration(d) => out.push_str(&go_duration(*d)),
        Value::Float(f) => out.push_str(&float_g(*f, None)),
        Value::String(s) => out.push_str(s),
        Value::List(items) => joined(out, ("[", " ", "]"), items.iter(), |out, item| write_value(out, item, plus)),
        Value::Map(m) => write_map(out, m.iter().map(|(k, v)| (k.as_str(), v.clone())), plus),
        Value::Struct(s) if s.printed.is_some() => {
            if let Some(printed) = &s.printed {
                write_value(out, &printed(), plus)
            }
        }
        Value::Struct(s) if s.kind == StructKind::OpenMap => write_map(out, s.shown_fields().into_iter(), plus),
        Value::Struct(s) => joined(out, ("{", " ", "}"), s.shown_fields().into_iter(), |out, (name, value)| {
            if plus {
                out.push_str(name);
                out.push(':');
            }
            write_value(out, &value, plus)
        }),
    }
}

fn write_map<'a>(out: &mut String, entries: impl Iterator<Item = (&'a str, Value)>, plus: bool) {
    joined(out, ("map[", " ", "]"), entries, |out, (k, v)| {
        out.push_str(k);
        out.push(':');
        write_value(out, &v, plus)
    })
}

/// `open`, the items written by `write` with `sep` between them, `close`.
fn joined<T>(out: &mut String, (open, sep, close): (&str, &str, &str), items: impl Iterator<Item = T>, mut write: impl FnMut(&mut String, T)) {
    out.push_str(open);
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        write(out, item);
    }
    out.push_str(close);
}

/// Digits and decimal exponent of the shortest (or `digits`-long) decimal form of `f`.
fn decimal(f: f64, digits: Option<usize>) -> (String, i32) {
    let e = match digits {
        Some(d) => format!("{:.*e}", d.saturating_sub(1), f.abs()),
        None => format!("{:e}", f.abs()),
    };
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    (mantissa.replace('.', ""), exp.parse().unwrap_or(0))
}

fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".into())
    } else if f.is_infinite() {
        Some(if f > 0.0 { "+Inf" } else { "-Inf" }.into())
    } else {
        None
    }
}

fn exp_suffix(exp: i32) -> String {
    format!("e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// `strconv.FormatFloat(f, 'e', prec, 64)`.
pub fn float_e(f: f64, prec: Option<usize>) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let sign = if f.is_sign_negative() && f != 0.0 { "-" } else { "" };
    let (digits, exp) = decimal(f, prec.map(|p| p + 1));
    let exp = if f == 0.0 { 0 } else { exp };
    let (first, rest) = digits.split_at(1);
    let rest = match prec {
        Some(p) => format!("{rest:0<p$}"),
        None => rest.to_owned(),
    };
    let point = if rest.is_empty() { "" } else { "." };
    format!("{sign}{first}{point}{rest}{}", exp_suffix(exp))
}

/// `strconv.FormatFloat(f, 'f', prec, 64)`.
pub fn float_f(f: f64, prec: Option<usize>) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    match prec {
        Some(p) => format!("{f:.p$}"),
        None => format!("{f}"),
    }
}

/// `strconv.FormatFloat(f, 'g', prec, 64)`, which `%v` uses with the shortest precision.
pub fn float_g(f: f64, prec: Option<usize>) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let prec = prec.map(|p| p.max(1));
    let (digits, exp) = decimal(f, prec);
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let eprec = prec.map_or(6, |p| p as i32);
    let sign = if f < 0.0 { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { "" } else { "." };
        format!("{sign}{first}{point}{rest}{}", exp_suffix(exp))
    } else if exp < 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            format!("{sign}{digits:0<int_len$}")
        } else {
            format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
        }
    }
}

/// `encoding/json`'s encoding; `escape_html` as `json.Marshal` does it (`<` → `\u003c`).
pub fn json(v: &Value, escape_html: bool) -> String {
    let mut out = String::new();
    write_json(&mut out, v, escape_html);
    out
}

fn write_json(out: &mut String, v: &Value, escape_html: bool) {
    match v {
        Value::Missing | Value::Nil(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) | Value::Duration(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&json_float(*f)),
        Value::String(s) => json_string(out, s, escape_html),
        Value::List(items) => joined(out, ("[", ",", "]"), items.iter(), |out, item| write_json(out, item, escape_html)),
        Value::Map(m) => write_json_object(out, m.iter().map(|(k, v)| (k.as_str(), v.clone())), escape_html),
        Value::Struct(s) => {
            let escape_html = escape_html || s.kind == StructKind::Context;
            let tagged = s.shown_fields().into_iter().filter_map(|(k, v)| s.json_key(k, &v).map(|key| (key, v)));
            write_json_object(out, tagged, escape_html)
        }
    }
}

fn write_json_object<'a>(out: &mut String, entries: impl Iterator<Item = (&'a str, Value)>, escape_html: bool) {
    joined(out, ("{", ",", "}"), entries, |out, (k, v)| {
        json_string(out, k, escape_html);
        out.push(':');
        write_json(out, &v, escape_html)
    })
}

fn json_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Go writes e-7, not e-07.
        let e = float_e(f, None);
        match e.split_once("e-0") {
            Some((m, x)) => format!("{m}e-{x}"),
            None => e,
        }
    } else {
        float_f(f, None)
    }
}

fn json_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `fmt.Sprint`: spaces between operands when neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        out.push_str(&print_arg(arg));
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln`: always spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let parts: Vec<String> = args.iter().map(print_arg).collect();
    format!("{}\n", parts.join(" "))
}

/// A function argument of type `any` holding a missing value is a nil interface.
fn print_arg(v: &Value) -> String {
    match v {
        Value::Missing => "<nil>".into(),
        v => print_value(v, false),
    }
}

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// `fmt.Sprintf`, with Go's in-line complaints (`%!d(string=x)`, `%!s(MISSING)`, `%!(EXTRA …)`).
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut next = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = Flags::default();
        while let Some(&f) = chars.peek() {
            match f {
                '+' => flags.plus = true,
                '-' => flags.minus = true,
                '#' => flags.sharp = true,
                ' ' => flags.space = true,
                '0' => flags.zero = true,
                _ => break,
            }
            chars.next();
        }
        flags.width = number_or_star(&mut chars, args, &mut next);
        if chars.peek() == Some(&'.') {
            chars.next();
            flags.prec = Some(number_or_star(&mut chars, args, &mut next).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(next) {
            None => {
                let _ = write!(out, "%!{verb}(MISSING)");
            }
            Some(arg) => {
                next += 1;
                let arg = if matches!(arg, Value::Missing) { &Value::Nil(Nil::Pointer) } else { arg };
                out.push_str(&format_verb(arg, verb, flags));
            }
        }
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..].iter().map(|a| format!("{}={}", a.go_type(), print_arg(a))).collect();
        let _ = write!(out, "%!(EXTRA {})", extra.join(", "));
    }
    out
}

fn number_or_star(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, args: &[Value], next: &mut usize) -> Option<usize> {
    if chars.peek() == Some(&'*') {
        chars.next();
        let n = match args.get(*next) {
            Some(Value::Int(i)) if *i >= 0 => Some(*i as usize),
            _ => None,
        };
        *next += 1;
        return n;
    }
    let mut digits = String::new();
    while let Some(&d) = chars.peek() {
        if !d.is_ascii_digit() {
            break;
        }
        digits.push(d);
        chars.next();
    }
    digits.parse().ok()
}

fn format_verb(arg: &Value, verb: char, flags: Flags) -> String {
    if verb == 'T' {
        return pad(&arg.go_type(), flags, false);
    }
    match arg {
        Value::List(items) if verb != 'v' => {
            let inner: Vec<String> = items.iter().map(|i| format_verb(i, verb, Flags { width: None, ..flags })).collect();
            pad(&format!("[{}]", inner.join(" ")), flags, false)
        }
        Value::Bool(b) if matches!(verb, 't' | 'v') => pad(if *b { "true" } else { "false" }, flags, false),
        Value::Int(i) => format_int(*i, verb, flags).unwrap_or_else(|| bad_verb(arg, verb)),
        // A Stringer: %v and %s give its String(), the integer verbs the nanoseconds.
        Value::Duration(d) if matches!(verb, 'v' | 's') => pad(&go_duration(*d), flags, false),
        Value::Duration(d) => format_int(*d, verb, flags).unwrap_or_else(|| bad_verb(arg, verb)),
        Value::Float(f) => format_float(*f, verb, flags).unwrap_or_else(|| bad_verb(arg, verb)),
        Value::String(s) => match verb {
            'v' | 's' => pad(&truncate_prec(s, flags.prec), flags, false),
            'q' => pad(&go_quote(&truncate_prec(s, flags.prec)), flags, false),
            'x' | 'X' => {
                let hex: String = s.bytes().map(|b| if verb == 'x' { format!("{b:02x}") } else { format!("{b:02X}") }).collect();
                pad(&hex, flags, false)
            }
            _ => bad_verb(arg, verb),
        },
        Value::Nil(Nil::Pointer) if verb == 'v' => pad("<nil>", flags, false),
        Value::Nil(Nil::Pointer) => format!("%!{verb}(<nil>)"),
        _ if matches!(verb, 'v' | 's' | 'd') || !matches!(arg, Value::Bool(_)) => pad(&print_value(arg, flags.plus && verb == 'v'), flags, false),
        _ => bad_verb(arg, verb),
    }
}

fn bad_verb(arg: &Value, verb: char) -> String {
    format!("%!{verb}({}={})", arg.go_type(), print_value(arg, false))
}

fn truncate_prec(s: &str, prec: Option<usize>) -> String {
    match prec {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_owned(),
    }
}

fn pad(s: &str, flags: Flags, numeric: bool) -> String {
    let width = flags.width.unwrap_or(0);
    let len = s.chars().count();
    if len >= width {
        return s.to_owned();
    }
    let fill = width - len;
    if flags.minus {
        format!("{s}{}", " ".repeat(fill))
    } else if flags.zero && numeric {
        let (sign, digits) = match s.strip_prefix(['-', '+', ' ']) {
            Some(rest) => (&s[..1], rest),
            None => ("", s),
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{s}", " ".repeat(fill))
    }
}

fn sign(negative: bool, flags: Flags) -> &'static str {
    if negative {
        "-"
    } else if flags.plus {
        "+"
    } else if flags.space {
        " "
    } else {
        ""
    }
}

fn format_int(i: i64, verb: char, flags: Flags) -> Option<String> {
    let abs = i.unsigned_abs();
    let (body, prefix) = match verb {
        'd' | 'v' => (abs.to_string(), ""),
        'b' => (format!("{abs:b}"), ""),
        'o' => (format!("{abs:o}"), if flags.sharp { "0" } else { "" }),
        'O' => (format!("{abs:o}"), "0o"),
        'x' => (format!("{abs:x}"), if flags.sharp { "0x" } else { "" }),
        'X' => (format!("{abs:X}"), if flags.sharp { "0X" } else { "" }),
        'c' => return Some(pad(&char::from_u32(i as u32).unwrap_or('\u{fffd}').to_string(), flags, false)),
        'q' => return Some(pad(&format!("'{}'", char::from_u32(i as u32).unwrap_or('\u{fffd}')), flags, false)),
        'U' => return Some(pad(&format!("U+{:04X}", i), flags, false)),
        _ => return None,
    };
    let body = match flags.prec {
        Some(p) if body.len() < p => format!("{body:0>p$}"),
        _ => body,
    };
    Some(pad(&format!("{}{prefix}{body}", sign(i < 0, flags)), flags, flags.prec.is_none()))
}

fn format_float(f: f64, verb: char, flags: Flags) -> Option<String> {
    let abs = f.abs();
    let body = match verb {
        'v' | 'g' => float_g(abs, flags.prec),
        'G' => float_g(abs, flags.prec).to_uppercase(),
        'e' => float_e(abs, Some(flags.prec.unwrap_or(6))),
        'E' => float_e(abs, Some(flags.prec.unwrap_or(6))).to_uppercase(),
        'f' | 'F' => float_f(abs, Some(flags.prec.unwrap_or(6))),
        _ => return None,
    };
    let body = if f.is_nan() { "NaN".to_owned() } else { body.trim_start_matches('+').to_owned() };
    let body = if f.is_infinite() { "Inf".to_owned() } else { body };
    Some(pad(&format!("{}{body}", sign(f.is_sign_negative() && !f.is_nan(), flags)), flags, f.is_finite()))
}

/// `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `time.Duration.String`: `5s`, `1m30s`, `1h0m0s`, `1.5ms`, `0s`.
pub fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let u = nanos.unsigned_abs();
    let sign = if nanos < 0 { "-" } else { "" };
    // The integer part and its fraction of `scale`, trailing zeros dropped.
    let fraction = |v: u64, scale: u64| {
        let (whole, rest) = (v / scale, v % scale);
        if rest == 0 {
            return whole.to_string();
        }
        let digits = scale.ilog10() as usize;
        let frac = format!("{rest:0digits$}");
        format!("{whole}.{}", frac.trim_end_matches('0'))
    };
    if u < 1_000_000_000 {
        let (scale, unit) = match u {
            0..=999 => (1, "ns"),
            1_000..=999_999 => (1_000, "µs"),
            _ => (1_000_000, "ms"),
        };
        return format!("{sign}{}{unit}", fraction(u, scale));
    }
    let secs = u / 1_000_000_000;
    let (hours, minutes) = (secs / 3600, secs / 60 % 60);
    let mut out = sign.to_owned();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&format!("{}s", fraction(u % 60_000_000_000, 1_000_000_000)));
    out
}
