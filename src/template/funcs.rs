//! The functions templates can call: Go's builtins and the Docker CLI's
//! own (`json`, `split`, `join`, `title`, `lower`, `upper`, `pad`,
//! `truncate`), plus the pass-through versions Docker uses for headers.

use std::cmp::Ordering;

use super::gofmt;
use super::value::{Nil, StructKind, Value};

/// A parameter's Go type, as far as argument checking needs it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Param {
    /// `any` / `reflect.Value`: anything goes.
    Any,
    Str,
    Int,
    /// `[]string`.
    StrList,
}

impl Param {
    pub fn go_type(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Int => "int",
            Param::StrList => "[]string",
        }
    }
}

#[derive(Clone, Copy)]
pub struct Builtin {
    pub params: &'static [Param],
    pub variadic: Option<Param>,
    pub call: fn(&[Value]) -> Result<Value, String>,
}

const fn f(params: &'static [Param], variadic: Option<Param>, call: fn(&[Value]) -> Result<Value, String>) -> Builtin {
    Builtin { params, variadic, call }
}

use Param::{Any, Int, Str, StrList};

/// The function `name`; `header` gives Docker's `HeaderFunctions` versions.
pub fn lookup(name: &str, header: bool) -> Option<Builtin> {
    if header {
        let same = |a: &[Value]| Ok(a[0].clone());
        let found = match name {
            "json" | "title" | "lower" | "upper" => Some(f(&[Str], None, same)),
            "split" | "join" => Some(f(&[Str, Str], None, same)),
            "truncate" => Some(f(&[Str, Int], None, same)),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    Some(match name {
        "and" | "or" => f(&[Any], Some(Any), |_| Ok(Value::Missing)),
        "not" => f(&[Any], None, |a| Ok(Value::Bool(!a[0].truth()))),
        "len" => f(&[Any], None, len),
        "index" => f(&[Any], Some(Any), index),
        "slice" => f(&[Any], Some(Any), slice),
        "print" => f(&[], Some(Any), |a| Ok(Value::String(gofmt::sprint(a)))),
        "println" => f(&[], Some(Any), |a| Ok(Value::String(gofmt::sprintln(a)))),
        "printf" => f(&[Str], Some(Any), |a| Ok(Value::String(gofmt::sprintf(a[0].as_str().unwrap_or(""), &a[1..])))),
        "eq" => f(&[Any], Some(Any), eq),
        "ne" => f(&[Any, Any], None, |a| Ok(Value::Bool(!equal(&a[0], &a[1])?))),
        "lt" => f(&[Any, Any], None, |a| Ok(Value::Bool(less(&a[0], &a[1])? == Ordering::Less))),
        "le" => f(&[Any, Any], None, |a| Ok(Value::Bool(less(&a[0], &a[1])? != Ordering::Greater))),
        "gt" => f(&[Any, Any], None, |a| Ok(Value::Bool(less(&a[0], &a[1])? == Ordering::Greater))),
        "ge" => f(&[Any, Any], None, |a| Ok(Value::Bool(less(&a[0], &a[1])? != Ordering::Less))),
        "html" => f(&[], Some(Any), |a| Ok(Value::String(html(&text_of(a))))),
        "js" => f(&[], Some(Any), |a| Ok(Value::String(js(&text_of(a))))),
        "urlquery" => f(&[], Some(Any), |a| Ok(Value::String(urlquery(&text_of(a))))),
        "call" => f(&[Any], Some(Any), |a| Err(format!("non-function {} of type {}", quoted(&a[0]), a[0].go_type()))),
        // Docker's templates package.
        "json" => f(&[Any], None, |a| Ok(Value::String(gofmt::json(&a[0], false)))),
        "split" => f(&[Str, Str], None, |a| Ok(Value::List(split(str_at(a, 0), str_at(a, 1)).into_iter().map(Value::String).collect()))),
        "join" => f(&[StrList, Str], None, join),
        "title" => f(&[Str], None, |a| Ok(Value::String(title(str_at(a, 0))))),
        "lower" => f(&[Str], None, |a| Ok(Value::String(str_at(a, 0).to_lowercase()))),
        "upper" => f(&[Str], None, |a| Ok(Value::String(str_at(a, 0).to_uppercase()))),
        "pad" => f(&[Str, Int, Int], None, pad),
        "truncate" => f(&[Str, Int], None, truncate),
        _ => return None,
    })
}

pub fn exists(name: &str) -> bool {
    lookup(name, false).is_some()
}

fn str_at(a: &[Value], i: usize) -> &str {
    a.get(i).and_then(Value::as_str).unwrap_or("")
}

fn int_at(a: &[Value], i: usize) -> i64 {
    match a.get(i) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    }
}

fn quoted(v: &Value) -> String {
    match v {
        Value::String(s) => gofmt::go_quote(s),
        v => v.to_string(),
    }
}

fn len(a: &[Value]) -> Result<Value, String> {
    let n = match &a[0] {
        Value::String(s) => s.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::Nil(Nil::Slice | Nil::Map) => 0,
        Value::Struct(s) if s.kind == StructKind::OpenMap => s.shown_fields().len(),
        Value::Nil(Nil::Pointer) => return Err("len of nil pointer".into()),
        other => return Err(format!("len of type {}", other.go_type())),
    };
    Ok(Value::Int(n as i64))
}

fn list_index(i: &Value, len: usize, cap: usize) -> Result<usize, String> {
    match i {
        Value::Int(n) if *n < 0 || *n as usize > cap => Err(format!("index out of range: {n}")),
        Value::Int(n) => {
            let _ = len;
            Ok(*n as usize)
        }
        Value::Nil(_) | Value::Missing => Err("cannot index slice/array with nil".into()),
        other => Err(format!("cannot index slice/array with type {}", other.go_type())),
    }
}

fn index(a: &[Value]) -> Result<Value, String> {
    let mut item = a[0].clone();
    for i in &a[1..] {
        item = match &item {
            Value::List(l) => {
                let n = list_index(i, l.len(), l.len())?;
                l.get(n).cloned().ok_or_else(|| format!("index out of range: {n}"))?
            }
            Value::String(s) => {
                let n = list_index(i, s.len(), s.len())?;
                Value::Int(*s.as_bytes().get(n).ok_or_else(|| format!("index out of range: {n}"))? as i64)
            }
            Value::Map(m) => match i {
                Value::String(k) => match m.get(k) {
                    Some(v) => v.clone(),
                    None if m.values().all(|v| matches!(v, Value::String(_))) => Value::String(String::new()),
                    None => Value::Nil(Nil::Pointer),
                },
                other => return Err(format!("value has type {}; should be string", other.go_type())),
            },
            Value::Nil(Nil::Map) => Value::String(String::new()),
            Value::Nil(Nil::Slice) => return Err(format!("index out of range: {}", i)),
            Value::Missing | Value::Nil(Nil::Pointer) => return Err("index of untyped nil".into()),
            other => return Err(format!("can't index item of type {}", other.go_type())),
        };
    }
    Ok(item)
}

fn slice(a: &[Value]) -> Result<Value, String> {
    let len = match &a[0] {
        Value::String(s) => s.len(),
        Value::List(l) => l.len(),
        Value::Nil(Nil::Slice) => 0,
        Value::Missing | Value::Nil(_) => return Err("slice of untyped nil".into()),
        other => return Err(format!("can't slice item of type {}", other.go_type())),
    };
    if a.len() > 4 || (a.len() == 4 && matches!(a[0], Value::String(_))) {
        return Err(format!("too many slice indexes: {}", a.len() - 1));
    }
    let mut idx = [0, len, len];
    for (k, i) in a[1..].iter().enumerate() {
        idx[k] = list_index(i, len, len)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]));
    }
    Ok(match &a[0] {
        Value::String(s) => Value::String(String::from_utf8_lossy(&s.as_bytes()[idx[0]..idx[1]]).into_owned()),
        Value::List(l) => Value::List(l[idx[0]..idx[1]].to_vec()),
        _ => Value::Nil(Nil::Slice),
    })
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Basic {
    Bool,
    Int,
    Float,
    String,
    Other,
}

fn basic(v: &Value) -> Basic {
    match v {
        Value::Bool(_) => Basic::Bool,
        Value::Int(_) | Value::Duration(_) => Basic::Int,
        Value::Float(_) => Basic::Float,
        Value::String(_) => Basic::String,
        _ => Basic::Other,
    }
}

const INCOMPATIBLE: &str = "incompatible types for comparison";
const INVALID: &str = "invalid type for comparison";

fn is_nil(v: &Value) -> bool {
    matches!(v, Value::Nil(_) | Value::Missing)
}

/// A Duration compares as the integer it is, as Go's `eq`/`lt` compare int kinds.
fn as_int(v: &Value) -> Value {
    match v {
        Value::Duration(d) => Value::Int(*d),
        other => other.clone(),
    }
}

fn equal(a: &Value, b: &Value) -> Result<bool, String> {
    let (a, b) = (&as_int(a), &as_int(b));
    let (ka, kb) = (basic(a), basic(b));
    if ka != kb {
        if !matches!(a, Value::Missing) && !matches!(b, Value::Missing) {
            return Err(INCOMPATIBLE.into());
        }
        return Ok(false);
    }
    Ok(match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        _ if is_nil(a) || is_nil(b) => is_nil(a) == is_nil(b),
        (Value::List(_) | Value::Map(_), _) => return Err(format!("non-comparable type {a}: {}", a.go_type())),
        _ => a == b,
    })
}

fn eq(a: &[Value]) -> Result<Value, String> {
    if a.len() < 2 {
        return Err("missing argument for comparison".into());
    }
    for other in &a[1..] {
        if equal(&a[0], other)? {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

fn less(a: &Value, b: &Value) -> Result<Ordering, String> {
    let (a, b) = (&as_int(a), &as_int(b));
    let (ka, kb) = (basic(a), basic(b));
    if ka == Basic::Other || kb == Basic::Other {
        return Err(INVALID.into());
    }
    if ka != kb {
        return Err(INCOMPATIBLE.into());
    }
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => return Err(INVALID.into()),
    })
}

/// What html/js/urlquery escape: one string as is, anything else as `fmt.Sprint` prints it.
fn text_of(a: &[Value]) -> String {
    match a {
        [Value::String(s)] => s.clone(),
        _ => gofmt::sprint(a),
    }
}

fn html(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn js(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' | '>' | '&' | '=' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if (c as u32) < 0x20 || c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn urlquery(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Go's `strings.Split`: an empty separator splits into characters.
fn split(s: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return s.chars().map(String::from).collect();
    }
    s.split(sep).map(str::to_owned).collect()
}

fn join(a: &[Value]) -> Result<Value, String> {
    let items: Vec<&str> = match &a[0] {
        Value::List(l) => l.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    Ok(Value::String(items.join(str_at(a, 1))))
}

/// Go's `strings.Title`: upper-cases letters that follow a separator.
fn title(s: &str) -> String {
    let separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            !(c.is_alphanumeric()) && c.is_whitespace()
        }
    };
    let mut prev = ' ';
    let mut out = String::new();
    for c in s.chars() {
        if separator(prev) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

fn pad(a: &[Value]) -> Result<Value, String> {
    let s = str_at(a, 0);
    let (prefix, suffix) = (int_at(a, 1), int_at(a, 2));
    if s.is_empty() {
        return Ok(Value::String(String::new()));
    }
    if prefix < 0 || suffix < 0 {
        return Err("strings: negative Repeat count".into());
    }
    Ok(Value::String(format!("{}{s}{}", " ".repeat(prefix as usize), " ".repeat(suffix as usize))))
}

/// Docker cuts bytes; a cut inside a character keeps the whole characters before it.
fn truncate(a: &[Value]) -> Result<Value, String> {
    let s = str_at(a, 0);
    let n = int_at(a, 1);
    if n < 0 {
        return Err(format!("runtime error: slice bounds out of range [:{n}]"));
    }
    let n = n as usize;
    if s.len() < n {
        return Ok(Value::String(s.to_owned()));
    }
    let mut cut = n;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    Ok(Value::String(s[..cut].to_owned()))
}
