//! What templates see: Go's kinds of value as Docker's CLI hands them to
//! text/template — JSON decoded into Go structs, maps and slices, or the
//! formatter contexts of `ps`, `images` … whose fields are methods.

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// One value in a template's data.
#[derive(Clone)]
pub enum Value {
    /// A missing map entry (Go's invalid value): prints `<no value>`.
    Missing,
    /// Go's nil, remembering its type: prints `<nil>`, `[]` or `map[]`.
    Nil(Nil),
    Bool(bool),
    Int(i64),
    /// A Go `time.Duration` (nanoseconds): prints `5s`, encodes as a number.
    Duration(i64),
    Float(f64),
    String(String),
    /// A Go slice.
    List(Vec<Value>),
    /// A Go map with string keys: ranged over and printed in key order.
    Map(BTreeMap<String, Value>),
    /// A Go struct, or a formatter context with methods.
    Struct(Rc<Struct>),
}

/// What a nil is a nil of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nil {
    /// A nil pointer or interface: `<nil>`.
    Pointer,
    /// A nil slice: `[]`.
    Slice,
    /// A nil map: `map[]`.
    Map,
}

/// The Go zero value of a struct field Docker's JSON leaves out when empty
/// (`json:",omitempty"`): the typed value still has the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zero {
    /// A nil pointer: `<nil>`, `null`.
    Pointer,
    /// A nil map: `map[]`, `null`.
    Map,
    /// A nil slice: `[]`, `null`.
    Slice,
    Bool,
    String,
    Int,
    /// A `time.Duration`: `0s`, and a number given where one is becomes one.
    Duration,
}

impl Zero {
    fn value(self) -> Value {
        match self {
            Zero::Pointer => Value::Nil(Nil::Pointer),
            Zero::Map => Value::Nil(Nil::Map),
            Zero::Slice => Value::Nil(Nil::Slice),
            Zero::Bool => Value::Bool(false),
            Zero::String => Value::String(String::new()),
            Zero::Int => Value::Int(0),
            Zero::Duration => Value::Duration(0),
        }
    }
}

/// A method a caller offers on a struct, as Docker's contexts have them
/// (`.Label "com.example.key"`): called with its arguments, already evaluated.
pub type MethodFn = Rc<dyn Fn(&[Value]) -> Result<Value, String>>;

#[derive(Clone)]
pub(super) enum Member {
    Field(Value),
    Method { arity: usize, call: MethodFn },
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum StructKind {
    /// A Go struct: JSON in field order, printed `{a b}`.
    Plain,
    /// A formatter context (`ps`, `images` …): `{{json .}}` gives its
    /// argument-less methods in key order, HTML-escaped, like Docker's
    /// `formatter.MarshalJSON`.
    Context,
    /// A Go map that also has methods (Docker's header map with `.Label`):
    /// an unknown key is `<no value>`, not an error.
    OpenMap,
}

/// A struct value: named fields and methods, in order.
#[derive(Clone)]
pub struct Struct {
    pub(super) type_name: String,
    pub(super) members: Vec<(String, Member)>,
    pub(super) kind: StructKind,
    /// Go's `json:"key,omitempty"` tags: (field, key, omitempty).
    pub(super) json_tags: Vec<(String, String, bool)>,
    /// What `{{.}}` prints for a formatter context: the Go struct it is (Docker's
    /// `ContainerContext` with its unexported fields), computed only when printed.
    pub(super) printed: Option<Rc<dyn Fn() -> Value>>,
}

impl Struct {
    /// A Go struct of the given type name (used in Go's error texts, e.g. `system.versionInfo`).
    pub fn new(type_name: &str) -> Struct {
        Struct { type_name: type_name.to_owned(), members: Vec::new(), kind: StructKind::Plain, json_tags: Vec::new(), printed: None }
    }

    /// A Docker formatter context, e.g. `Struct::context("*formatter.ContainerContext")` for `ps`.
    pub fn context(type_name: &str) -> Struct {
        Struct { kind: StructKind::Context, ..Struct::new(type_name) }
    }

    pub(super) fn open_map(type_name: &str) -> Struct {
        Struct { kind: StructKind::OpenMap, ..Struct::new(type_name) }
    }

    /// A field with a known value.
    pub fn field(mut self, name: &str, value: impl Into<Value>) -> Struct {
        self.members.push((name.to_owned(), Member::Field(value.into())));
        self
    }

    /// A field as `json` encodes it: under `key`, and with `omit_empty`
    /// left out when it is "" or 0 (Go's `json:"key,omitempty"`).
    pub fn json_tag(mut self, field: &str, key: &str, omit_empty: bool) -> Struct {
        self.json_tags.push((field.to_owned(), key.to_owned(), omit_empty));
        self
    }

    /// The key `json` gives a field and whether it is left out, for its value.
    pub(super) fn json_key<'a>(&'a self, field: &'a str, value: &Value) -> Option<&'a str> {
        match self.json_tags.iter().find(|(f, ..)| f == field) {
            None => Some(field),
            Some((_, _, true)) if value.is_empty() => None,
            Some((_, key, _)) => Some(key),
        }
    }

    /// What Go's printing of the struct shows (`{{.}}`), when that is not its
    /// fields: a formatter context prints as the Go struct behind it.
    pub fn printed_as(mut self, printed: impl Fn() -> Value + 'static) -> Struct {
        self.printed = Some(Rc::new(printed));
        self
    }

    /// A method taking `arity` arguments; with 0 it is a field computed only when a template uses it.
    pub fn method(mut self, name: &str, arity: usize, call: impl Fn(&[Value]) -> Result<Value, String> + 'static) -> Struct {
        self.members.push((name.to_owned(), Member::Method { arity, call: Rc::new(call) }));
        self
    }

    pub(super) fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|(n, _)| n == name).map(|(_, m)| m)
    }

    /// The values a printed or JSON-encoded struct shows: its fields, and for
    /// a context its argument-less methods too.
    pub(super) fn shown_fields(&self) -> Vec<(&str, Value)> {
        let mut shown = Vec::new();
        for (name, member) in &self.members {
            match member {
                Member::Field(v) => shown.push((name.as_str(), v.clone())),
                Member::Method { arity: 0, call } if self.kind == StructKind::Context => {
                    shown.push((name.as_str(), call(&[]).unwrap_or(Value::Nil(Nil::Pointer))))
                }
                Member::Method { .. } => {}
            }
        }
        if self.kind != StructKind::Plain {
            shown.sort_by(|a, b| a.0.cmp(b.0));
        }
        shown
    }

    pub fn into_value(self) -> Value {
        Value::Struct(Rc::new(self))
    }
}

/// How Docker's Go types show through its JSON, for [`Value::from_json`]:
/// which objects are Go maps (every other object is a struct) and which
/// nulls are nil slices (every other null of a path in `maps` is a nil map,
/// the rest nil pointers). Paths are dotted keys from the root, `*` standing
/// for any one key; array elements add no segment. E.g. `Config.Labels`,
/// `NetworkSettings.Networks.*.DriverOpts`.
/// `omitted` are struct fields the JSON leaves out when empty (`json:",omitempty"`,
/// e.g. `State.Health`): (path, the field it follows in the Go struct, its
/// zero value), so `{{.Config.Healthcheck}}` is `<nil>` and `{{json .Config}}` still leaves it out;
/// `types` names the structs at some paths (`""` is the root), for Go's
/// errors: `can't evaluate field Foo in type system.versionInfo`.
#[derive(Clone, Copy, Debug, Default)]
pub struct GoShape<'a> {
    pub maps: &'a [&'a str],
    pub slices: &'a [&'a str],
    pub omitted: &'a [(&'a str, &'a str, Zero)],
    pub types: &'a [(&'a str, &'a str)],
}

impl GoShape<'_> {
    fn matches(patterns: &[&str], path: &[&str]) -> bool {
        patterns.iter().any(|p| {
            let segments: Vec<&str> = p.split('.').collect();
            segments.len() == path.len() && segments.iter().zip(path).all(|(s, k)| *s == "*" || s == k)
        })
    }
}

impl Value {
    /// Docker's JSON as the Go types it was encoded from, shaped by `shape`.
    pub fn from_json(json: &serde_json::Value, shape: &GoShape<'_>) -> Value {
        Self::typed(json, shape, &mut Vec::new())
    }

    fn typed<'j>(json: &'j serde_json::Value, shape: &GoShape<'_>, path: &mut Vec<&'j str>) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null if GoShape::matches(shape.slices, path) => Value::Nil(Nil::Slice),
            J::Null if GoShape::matches(shape.maps, path) => Value::Nil(Nil::Map),
            J::Object(o) => {
                let is_map = GoShape::matches(shape.maps, path);
                let mut entries = Vec::with_capacity(o.len());
                for (k, v) in o {
                    path.push(k);
                    entries.push((k.clone(), Self::typed(v, shape, path)));
                    path.pop();
                }
                if is_map {
                    Value::Map(entries.into_iter().collect())
                } else {
                    let joined = path.join(".");
                    let type_name = shape.types.iter().find(|(p, _)| *p == joined).map_or("", |(_, t)| t);
                    let mut s = Struct::new(type_name);
                    s.members = entries.into_iter().map(|(k, v)| (k, Member::Field(v))).collect();
                    for (omitted, after, zero) in shape.omitted {
                        let (parent, field) = omitted.rsplit_once('.').unwrap_or(("", omitted));
                        if parent != joined {
                            continue;
                        }
                        s = s.json_tag(field, field, true);
                        // JSON gives a Duration as its nanoseconds.
                        if *zero == Zero::Duration {
                            if let Some((_, member)) = s.members.iter_mut().find(|(n, _)| n == field) {
                                if let Member::Field(Value::Int(nanos)) = member {
                                    *member = Member::Field(Value::Duration(*nanos));
                                }
                            }
                        }
                        if s.member(field).is_none() {
                            // In the Go struct's field order, for `{{.Config}}`.
                            let at = s.members.iter().position(|(n, _)| n == after).map_or(s.members.len(), |i| i + 1);
                            s.members.insert(at, (field.to_owned(), Member::Field(zero.value())));
                        }
                    }
                    s.into_value()
                }
            }
            J::Array(a) => Value::List(a.iter().map(|v| Self::typed(v, shape, path)).collect()),
            other => Self::scalar(other),
        }
    }

    /// Docker's JSON decoded untyped (`interface{}`), as `docker inspect`
    /// retries a template that failed on the typed value: every object a map,
    /// every null a nil interface.
    pub fn from_json_raw(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), Self::from_json_raw(v))).collect()),
            J::Array(a) => Value::List(a.iter().map(Self::from_json_raw).collect()),
            other => Self::scalar(other),
        }
    }

    fn scalar(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::String(s.clone()),
            _ => Value::Nil(Nil::Pointer),
        }
    }

    /// Empty as Go's `omitempty` means it: false, 0, "", nil, and empty slices and maps.
    pub(super) fn is_empty(&self) -> bool {
        match self {
            Value::Struct(_) => false,
            Value::Float(f) => *f == 0.0,
            other => !other.truth(),
        }
    }

    /// Go's truth: false, 0, "", empty slices and maps, nil and missing values are false.
    pub(super) fn truth(&self) -> bool {
        match self {
            Value::Missing | Value::Nil(_) => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Duration(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Struct(_) => true,
        }
    }

    /// The Go type name, as Go's error texts and `%T` show it.
    pub(super) fn go_type(&self) -> String {
        let all_strings = |mut it: Box<dyn Iterator<Item = &Value> + '_>| it.all(|v| matches!(v, Value::String(_)));
        match self {
            Value::Missing => "<invalid reflect.Value>".into(),
            Value::Nil(Nil::Pointer) => "<nil>".into(),
            Value::Nil(Nil::Slice) => "[]string".into(),
            Value::Nil(Nil::Map) => "map[string]string".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Duration(_) => "time.Duration".into(),
            Value::Float(_) => "float64".into(),
            Value::String(_) => "string".into(),
            Value::List(l) if all_strings(Box::new(l.iter())) => "[]string".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(m) if all_strings(Box::new(m.values())) => "map[string]string".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::Struct(s) if s.type_name.is_empty() => "struct".into(),
            Value::Struct(s) => s.type_name.clone(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<Vec<String>> for Value {
    fn from(items: Vec<String>) -> Value {
        Value::List(items.into_iter().map(Value::String).collect())
    }
}

impl From<Struct> for Value {
    fn from(s: Struct) -> Value {
        s.into_value()
    }
}
