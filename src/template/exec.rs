//! Go's text/template execution: dot, variables, field chains, function
//! calls with Go's argument checks, and errors that name the node they
//! happened at (`template: :1:2: executing "" at <.Foo>: …`).

use super::funcs::{self, Builtin, Param};
use super::gofmt;
use super::parse::{Arg, Branch, Command, Node, Number, Pipe};
use super::value::{Member, MethodFn, Nil, StructKind, Value};

#[derive(Clone, Copy, Default)]
pub struct Options {
    /// Go's `missingkey=error`: a missing map key is an error, not `<no value>`.
    pub missing_key_error: bool,
    /// The data is JSON decoded into `interface{}` (Go names its types so in errors).
    pub untyped: bool,
    /// Docker's header functions (`json`, `upper` … return their string as is).
    pub header: bool,
}

pub enum Flow {
    Error(String),
    Break,
    Continue,
}

type Result<T> = std::result::Result<T, Flow>;

/// Where an error happened: a node's position and Go's string of it.
struct At {
    pos: usize,
    context: String,
}

impl At {
    fn of(arg: &Arg) -> At {
        At { pos: arg.pos(), context: arg.to_string() }
    }
}

enum Callee {
    Builtin(Builtin),
    Method { arity: usize, call: MethodFn },
}

pub struct State<'t> {
    name: &'t str,
    source: &'t str,
    opts: Options,
    pub out: String,
    vars: Vec<(String, Value)>,
    /// The node evaluated last, which Go's errors name (its `s.at(node)`).
    at: At,
}

/// Runs the tree; the output so far comes back even on an error.
pub fn execute(name: &str, source: &str, root: &[Node], data: &Value, opts: Options) -> (String, Option<String>) {
    let mut s = State { name, source, opts, out: String::new(), vars: vec![("$".into(), data.clone())], at: At { pos: 0, context: String::new() } };
    let error = match s.walk(data, root) {
        Ok(()) => None,
        Err(Flow::Error(e)) => Some(e),
        Err(Flow::Break | Flow::Continue) => None,
    };
    (s.out, error)
}

impl State<'_> {
    fn error(&self, message: impl AsRef<str>) -> Flow {
        let at = &self.at;
        let before = &self.source[..at.pos.min(self.source.len())];
        let line = 1 + before.matches('\n').count();
        let col = before.rfind('\n').map_or(at.pos, |i| at.pos - i - 1);
        Flow::Error(format!("template: {}:{line}:{col}: executing {} at <{}>: {}", self.name, gofmt::go_quote(self.name), at.context, message.as_ref()))
    }

    fn type_name(&self, v: &Value) -> String {
        match v {
            _ if !self.opts.untyped => v.go_type(),
            Value::Int(_) | Value::Float(_) => "json.Number".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            v => v.go_type(),
        }
    }

    fn walk(&mut self, dot: &Value, nodes: &[Node]) -> Result<()> {
        for node in nodes {
            match node {
                Node::Text(t) => self.out.push_str(t),
                Node::Action(pipe) => {
                    let v = self.eval_pipeline(dot, pipe)?;
                    if pipe.decl.is_empty() {
                        self.out.push_str(&gofmt::print_value(&v, false));
                    }
                }
                Node::If(b) | Node::With(b) => {
                    let mark = self.vars.len();
                    let result = self.walk_if_or_with(dot, b, matches!(node, Node::With(_)));
                    self.vars.truncate(mark);
                    result?
                }
                Node::Range(b) => {
                    let mark = self.vars.len();
                    let result = self.walk_range(dot, b);
                    self.vars.truncate(mark);
                    match result {
                        Err(Flow::Break) => {}
                        other => other?,
                    }
                }
                Node::Break => return Err(Flow::Break),
                Node::Continue => return Err(Flow::Continue),
            }
        }
        Ok(())
    }

    fn walk_if_or_with(&mut self, dot: &Value, b: &Branch, with: bool) -> Result<()> {
        let v = self.eval_pipeline(dot, &b.pipe)?;
        if v.truth() {
            self.walk(if with { &v } else { dot }, &b.list)
        } else if let Some(else_list) = &b.else_list {
            self.walk(dot, else_list)
        } else {
            Ok(())
        }
    }

    fn walk_range(&mut self, dot: &Value, b: &Branch) -> Result<()> {
        let v = self.eval_pipeline(dot, &b.pipe)?;
        let items: Vec<(Value, Value)> = match &v {
            Value::List(items) => items.iter().enumerate().map(|(i, v)| (Value::Int(i as i64), v.clone())).collect(),
            Value::Map(m) => m.iter().map(|(k, v)| (Value::String(k.clone()), v.clone())).collect(),
            Value::Struct(s) if s.kind == StructKind::OpenMap => s.shown_fields().into_iter().map(|(k, v)| (Value::from(k), v)).collect(),
            Value::Int(n) => (0..*n).map(|i| (Value::Int(i), Value::Int(i))).collect(),
            Value::Missing | Value::Nil(Nil::Slice | Nil::Map) => Vec::new(),
            other => return Err(self.error(format!("range can't iterate over {}", gofmt::print_value(other, false)))),
        };
        if items.is_empty() {
            return match &b.else_list {
                Some(else_list) => self.walk(dot, else_list),
                None => Ok(()),
            };
        }
        let mark = self.vars.len();
        for (index, elem) in items {
            // The pipeline declared `$v` or `$k, $v`: the last is the element.
            let n = b.pipe.decl.len();
            if n >= 1 {
                self.vars[mark - 1].1 = elem.clone();
            }
            if n >= 2 {
                self.vars[mark - 2].1 = index;
            }
            let result = self.walk(&elem, &b.list);
            self.vars.truncate(mark);
            match result {
                Err(Flow::Continue) => {}
                other => other?,
            }
        }
        Ok(())
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value> {
        self.at = At { pos: pipe.pos, context: pipe.to_string() };
        let mut value = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(dot, cmd, value)?);
        }
        let value = value.unwrap_or(Value::Missing);
        for var in &pipe.decl {
            if pipe.is_assign {
                if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == var) {
                    slot.1 = value.clone();
                }
            } else {
                self.vars.push((var.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], last: &Option<Value>) -> Result<()> {
        if args.len() > 1 || last.is_some() {
            return Err(self.error(format!("can't give argument to non-function {}", args[0])));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Value, cmd: &Command, last: Option<Value>) -> Result<Value> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                self.at = At::of(first);
                return self.eval_field_chain(dot, dot.clone(), first, idents, &cmd.args, last);
            }
            Arg::Chain { node, fields, .. } => return self.eval_chain(dot, first, node, fields, &cmd.args, last),
            Arg::Identifier { name, .. } => return self.eval_function(dot, first, name, cmd, &cmd.args, last),
            Arg::Variable { idents, .. } => return self.eval_variable(dot, first, idents, &cmd.args, last),
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &last)?;
                return self.eval_pipeline(dot, p);
            }
            _ => {}
        }
        self.at = At::of(first);
        self.not_a_function(&cmd.args, &last)?;
        match first {
            Arg::Bool { value, .. } => Ok(Value::Bool(*value)),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Err(self.error("nil is not a command")),
            Arg::Number { number, .. } => self.ideal_constant(first, number),
            Arg::String { text, .. } => Ok(Value::String(text.clone())),
            _ => Err(self.error(format!("can't evaluate command {first}"))),
        }
    }

    fn ideal_constant(&self, node: &Arg, n: &Number) -> Result<Value> {
        let hex = n.text.trim_start_matches(['+', '-']).to_ascii_lowercase().starts_with("0x");
        let looks_float = !hex && !n.text.starts_with('\'') && n.text.contains(['.', 'e', 'E', 'p', 'P']);
        match (n.float, n.int) {
            (Some(f), _) if looks_float => Ok(Value::Float(f)),
            (_, Some(i)) => Ok(Value::Int(i)),
            _ => {
                let _ = node;
                Err(self.error(format!("{} overflows int", n.text)))
            }
        }
    }

    fn var_value(&self, name: &str) -> Value {
        self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone()).unwrap_or(Value::Missing)
    }

    fn eval_variable(&mut self, dot: &Value, node: &Arg, idents: &[String], args: &[Arg], last: Option<Value>) -> Result<Value> {
        self.at = At::of(node);
        let value = self.var_value(&idents[0]);
        if idents.len() == 1 {
            self.not_a_function(args, &last)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, node, &idents[1..], args, last)
    }

    fn eval_chain(&mut self, dot: &Value, chain: &Arg, inner: &Arg, fields: &[String], args: &[Arg], last: Option<Value>) -> Result<Value> {
        self.at = At::of(chain);
        if matches!(inner, Arg::Nil { .. }) {
            return Err(self.error(format!("indirection through explicit nil in {chain}")));
        }
        let receiver = self.eval_arg(dot, Param::Any, inner)?;
        self.eval_field_chain(dot, receiver, chain, fields, args, last)
    }

    fn eval_field_chain(&mut self, dot: &Value, receiver: Value, node: &Arg, idents: &[String], args: &[Arg], last: Option<Value>) -> Result<Value> {
        let mut receiver = receiver;
        let (final_ident, path) = idents.split_last().expect("a field chain has fields");
        for ident in path {
            receiver = self.eval_field(dot, ident, node, &[], None, receiver)?;
        }
        self.eval_field(dot, final_ident, node, args, last, receiver)
    }

    fn missing_key(&self, node: &Arg, name: &str) -> Result<Value> {
        if self.opts.missing_key_error {
            let _ = node;
            return Err(self.error(format!("map has no entry for key {}", gofmt::go_quote(name))));
        }
        Ok(Value::Missing)
    }

    fn eval_field(&mut self, dot: &Value, name: &str, node: &Arg, args: &[Arg], last: Option<Value>, receiver: Value) -> Result<Value> {
        let has_args = args.len() > 1 || last.is_some();
        let not_a_method = |s: &Self| s.error(format!("{name} is not a method but has arguments"));
        match &receiver {
            Value::Missing => {
                if self.opts.missing_key_error {
                    return Err(self.error(format!("nil data; no entry for key {}", gofmt::go_quote(name))));
                }
                Ok(Value::Missing)
            }
            Value::Nil(Nil::Pointer) => Err(self.error(format!("nil pointer evaluating interface {{}}.{name}"))),
            Value::Nil(Nil::Map) if has_args => Err(not_a_method(self)),
            Value::Nil(Nil::Map) => self.missing_key(node, name),
            Value::Map(m) if has_args => Err(not_a_method(self)),
            Value::Map(m) => match m.get(name) {
                Some(v) => Ok(v.clone()),
                None => self.missing_key(node, name),
            },
            Value::Struct(s) => match s.member(name) {
                Some(Member::Method { arity, call }) => {
                    let callee = Callee::Method { arity: *arity, call: call.clone() };
                    self.eval_call(dot, callee, At::of(node), name, args, last)
                }
                Some(Member::Field(_)) if has_args => Err(self.error(format!("{name} has arguments but cannot be invoked as function"))),
                Some(Member::Field(v)) => Ok(v.clone()),
                None if s.kind == StructKind::OpenMap && has_args => Err(not_a_method(self)),
                None if s.kind == StructKind::OpenMap => self.missing_key(node, name),
                None => Err(self.error(format!("can't evaluate field {name} in type {}", receiver.go_type()))),
            },
            other => {
                let type_name = if self.opts.untyped { "interface {}".to_owned() } else { other.go_type() };
                Err(self.error(format!("can't evaluate field {name} in type {type_name}")))
            }
        }
    }

    fn eval_function(&mut self, dot: &Value, node: &Arg, name: &str, cmd: &Command, args: &[Arg], last: Option<Value>) -> Result<Value> {
        self.at = At::of(node);
        let Some(builtin) = funcs::lookup(name, self.opts.header) else {
            return Err(self.error(format!("{name} is not a defined function")));
        };
        let call_at = At { pos: cmd.pos, context: cmd.to_string() };
        self.eval_call(dot, Callee::Builtin(builtin), call_at, name, args, last)
    }

    /// Go's `evalCall`: arity, argument types, and `and`/`or` short-circuiting.
    fn eval_call(&mut self, dot: &Value, callee: Callee, call_at: At, name: &str, args: &[Arg], last: Option<Value>) -> Result<Value> {
        let args = args.get(1..).unwrap_or(&[]);
        let method_params;
        let (params, variadic): (&[Param], Option<Param>) = match &callee {
            Callee::Builtin(b) => (b.params, b.variadic),
            Callee::Method { arity, .. } => {
                method_params = vec![Param::Any; *arity];
                (&method_params, None)
            }
        };
        let num_in = args.len() + usize::from(last.is_some());
        if variadic.is_some() {
            if num_in < params.len() {
                return Err(self.error(format!("wrong number of args for {name}: want at least {} got {}", params.len(), args.len())));
            }
        } else if num_in != params.len() {
            return Err(self.error(format!("wrong number of args for {name}: want {} got {num_in}", params.len())));
        }
        let param = |i: usize| params.get(i).copied().or(variadic).unwrap_or(Param::Any);
        if matches!(callee, Callee::Builtin(_)) && (name == "and" || name == "or") {
            let mut v = Value::Missing;
            for arg in args {
                v = self.eval_arg(dot, Param::Any, arg)?;
                if v.truth() == (name == "or") {
                    return Ok(v);
                }
            }
            return Ok(last.unwrap_or(v));
        }
        let mut argv = Vec::with_capacity(num_in);
        for (i, arg) in args.iter().enumerate() {
            argv.push(self.eval_arg(dot, param(i), arg)?);
        }
        if let Some(last) = last {
            argv.push(self.validate(last, param(num_in - 1))?);
        }
        let result = match callee {
            Callee::Builtin(b) => (b.call)(&argv),
            Callee::Method { call, .. } => call(&argv),
        };
        result.map_err(|e| {
            self.at = call_at;
            self.error(format!("error calling {name}: {e}"))
        })
    }

    fn eval_arg(&mut self, dot: &Value, param: Param, arg: &Arg) -> Result<Value> {
        self.at = At::of(arg);
        let value = match arg {
            Arg::Dot { .. } => dot.clone(),
            Arg::Nil { .. } => {
                return match param {
                    Param::Any => Ok(Value::Nil(Nil::Pointer)),
                    Param::StrList => Ok(Value::Nil(Nil::Slice)),
                    _ => Err(self.error(format!("cannot assign nil to {}", param.go_type()))),
                }
            }
            Arg::Field { idents, .. } => {
                self.at = At::of(arg);
                self.eval_field_chain(dot, dot.clone(), arg, idents, std::slice::from_ref(arg), None)?
            }
            Arg::Variable { idents, .. } => self.eval_variable(dot, arg, idents, &[], None)?,
            Arg::Pipe(p) => self.eval_pipeline(dot, p)?,
            Arg::Identifier { name, .. } => {
                let cmd = Command { pos: arg.pos(), args: vec![arg.clone()] };
                self.eval_function(dot, arg, name, &cmd, std::slice::from_ref(arg), None)?
            }
            Arg::Chain { node, fields, .. } => self.eval_chain(dot, arg, node, fields, &[], None)?,
            Arg::Bool { value, .. } if param == Param::Any => Value::Bool(*value),
            Arg::Number { number, .. } if param == Param::Any => self.ideal_constant(arg, number)?,
            Arg::String { text, .. } if matches!(param, Param::Any | Param::Str) => Value::String(text.clone()),
            Arg::Number { number: Number { int: Some(i), .. }, .. } if param == Param::Int => Value::Int(*i),
            _ => {
                return Err(match param {
                    Param::Str => self.error(format!("expected string; found {arg}")),
                    Param::Int => self.error(format!("expected integer; found {arg}")),
                    _ => self.error(format!("can't handle {arg} for arg of type {}", param.go_type())),
                })
            }
        };
        self.validate(value, param)
    }

    /// Go's `validateType`: is the value assignable to the parameter?
    fn validate(&self, value: Value, param: Param) -> Result<Value> {
        let fits = match (&value, param) {
            (_, Param::Any) => true,
            (Value::String(_), Param::Str) | (Value::Int(_), Param::Int) | (Value::Nil(Nil::Slice), Param::StrList) => true,
            (Value::List(items), Param::StrList) => items.iter().all(|i| matches!(i, Value::String(_))),
            (Value::Missing, Param::StrList) => return Ok(Value::Nil(Nil::Slice)),
            (Value::Missing, _) => return Err(self.error(format!("invalid value; expected {}", param.go_type()))),
            _ => false,
        };
        if fits {
            return Ok(value);
        }
        Err(self.error(format!("wrong type for value; expected {}; got {}", param.go_type(), self.type_name(&value))))
    }
}
