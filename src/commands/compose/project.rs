//! A Compose project as `docker compose` reads it: the file found (or
//! given with `-f`), its variables interpolated from the environment and
//! the project's `.env`, checked against the Compose specification's types
//! (the `docker-compose-types` crate), and the project's name.
//!
//! ```text
//! $ cat compose.yaml            # in a folder named My App
//! services:
//!   web:
//!     image: "busybox:${TAG:-latest}"
//! $ docker compose config --services
//! web                           # project "myapp", image busybox:latest
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::Value;

use crate::commands::error::CommandError;
use crate::grammar::docker::ComposeArgs;

/// The names `docker compose` looks for, in its order.
const FILE_NAMES: &[&str] = &["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

pub struct Project {
    pub name: String,
    /// Where relative paths (build contexts, bind mounts, env files) start.
    pub dir: PathBuf,
    /// The Compose file read.
    pub file: PathBuf,
    /// The file as read, interpolated.
    pub document: Value,
    /// Warnings to print before anything else (unset variables).
    pub warnings: Vec<String>,
}

pub type Env = BTreeMap<String, String>;

/// Reads the project the flags and the current directory name.
pub fn load(args: &ComposeArgs, interpolate: bool) -> Result<Project, CommandError> {
    let fail = |m: String| CommandError::Client(m);
    let file = match args.file.as_slice() {
        [] => find_file(&std::env::current_dir().map_err(|e| fail(e.to_string()))?).ok_or_else(|| fail("no configuration file provided: not found".into()))?,
        [one] => PathBuf::from(one),
        _ => return Err(fail("Whaleshell does not merge several Compose files yet: give one -f".into())),
    };
    let file = std::path::absolute(&file).map_err(|e| fail(e.to_string()))?;
    let text = std::fs::read_to_string(&file).map_err(|e| fail(format!("open {}: {}", file.display(), crate::output::go_io_error(&e))))?;
    let dir = match &args.project_directory {
        Some(d) => std::path::absolute(d).map_err(|e| fail(e.to_string()))?,
        None => file.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let env = environment(&dir, &args.env_file)?;
    let mut document: Value = serde_yaml::from_str(&text).map_err(|e| fail(format!("yaml: {e}")))?;
    if !document.is_mapping() {
        return Err(fail(format!("Top-level object must be a mapping: {}", file.display())));
    }
    let mut warnings = Vec::new();
    if interpolate {
        interpolate_value(&mut document, &env, &mut warnings).map_err(fail)?;
    }
    // The typed model is the check: what it cannot read is not a Compose file.
    serde_yaml::from_value::<docker_compose_types::Compose>(document.clone()).map_err(|e| fail(format!("validating {}: {e}", file.display())))?;
    let name = project_name(args, &env, &document, &dir)?;
    Ok(Project { name, dir, file, document, warnings })
}

fn find_file(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// The variables interpolation sees: the project's `.env` (or `--env-file`),
/// the process's environment winning, as Compose does.
fn environment(dir: &Path, env_files: &[String]) -> Result<Env, CommandError> {
    let mut env = Env::new();
    let files: Vec<PathBuf> = if env_files.is_empty() { vec![dir.join(".env")] } else { env_files.iter().map(PathBuf::from).collect() };
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => env.extend(parse_env_file(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && env_files.is_empty() => {}
            Err(e) => return Err(CommandError::Client(format!("couldn't find env file: {}: {}", file.display(), crate::output::go_io_error(&e)))),
        }
    }
    env.extend(std::env::vars());
    Ok(env)
}

/// `KEY=value` lines; `#` comments and blank lines skipped; a value's
/// surrounding quotes removed.
pub fn parse_env_file(text: &str) -> Env {
    let mut env = Env::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        let value = value.trim();
        let unquoted = ['"', '\''].iter().find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q))).unwrap_or(value);
        env.insert(key.trim().to_owned(), unquoted.to_owned());
    }
    env
}

/// `-p`, else `COMPOSE_PROJECT_NAME`, else the file's `name:`, else the
/// project folder's name made a valid one.
fn project_name(args: &ComposeArgs, env: &Env, document: &Value, dir: &Path) -> Result<String, CommandError> {
    let given = args
        .project_name
        .clone()
        .or_else(|| env.get("COMPOSE_PROJECT_NAME").filter(|n| !n.is_empty()).cloned())
        .or_else(|| document.get("name").and_then(Value::as_str).map(str::to_owned));
    match given {
        Some(name) if valid_name(&name) => Ok(name),
        Some(name) => Err(CommandError::Client(format!(
            "invalid project name {name:?}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number"
        ))),
        None => {
            let folder = dir.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
            let name: String = folder.chars().filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_').collect();
            let name = name.trim_start_matches(['-', '_']).to_owned();
            if name.is_empty() {
                return Err(CommandError::Client("project name must not be empty".into()));
            }
            Ok(name)
        }
    }
}

fn valid_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Every string of the document (keys too) interpolated in place.
fn interpolate_value(value: &mut Value, env: &Env, warnings: &mut Vec<String>) -> Result<(), String> {
    match value {
        Value::String(s) => *s = interpolate(s, env, warnings)?,
        Value::Sequence(items) => items.iter_mut().try_for_each(|v| interpolate_value(v, env, warnings))?,
        Value::Mapping(map) => {
            let entries = std::mem::take(map);
            for (mut key, mut v) in entries {
                interpolate_value(&mut key, env, warnings)?;
                interpolate_value(&mut v, env, warnings)?;
                map.insert(key, v);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The Compose specification's interpolation: `$VAR`, `${VAR}`,
/// `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`,
/// `${VAR:+alternative}`, `${VAR+alternative}`, and `$$` for a `$`. An
/// unset variable with no default is empty, with Compose's warning.
pub fn interpolate(text: &str, env: &Env, warnings: &mut Vec<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
        } else if let Some(braced) = rest.strip_prefix('{') {
            let end = closing_brace(braced).ok_or_else(|| format!("Invalid template: {text:?}"))?;
            out.push_str(&substitute(&braced[..end], env, warnings)?);
            rest = &braced[end + 1..];
        } else {
            let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            if len == 0 {
                return Err(format!("Invalid template: {text:?}"));
            }
            out.push_str(&lookup(&rest[..len], env, warnings));
            rest = &rest[len..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The `}` closing `${`, past nested `${…}` in a default.
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn substitute(expr: &str, env: &Env, warnings: &mut Vec<String>) -> Result<String, String> {
    let name_len = expr.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(expr.len());
    let (name, op) = expr.split_at(name_len);
    let value = env.get(name);
    let set_nonempty = value.is_some_and(|v| !v.is_empty());
    let word = |w: &str, warnings: &mut Vec<String>| interpolate(w, env, warnings);
    match op {
        "" => Ok(lookup(name, env, warnings)),
        _ if op.starts_with(":-") => {
            if set_nonempty {
                Ok(value.cloned().unwrap_or_default())
            } else {
                word(&op[2..], warnings)
            }
        }
        _ if op.starts_with('-') => {
            if value.is_some() {
                Ok(value.cloned().unwrap_or_default())
            } else {
                word(&op[1..], warnings)
            }
        }
        _ if op.starts_with(":+") => {
            if set_nonempty {
                word(&op[2..], warnings)
            } else {
                Ok(String::new())
            }
        }
        _ if op.starts_with('+') => {
            if value.is_some() {
                word(&op[1..], warnings)
            } else {
                Ok(String::new())
            }
        }
        _ if op.starts_with(":?") => {
            if set_nonempty {
                Ok(value.cloned().unwrap_or_default())
            } else {
                Err(format!("required variable {name} is missing a value: {}", word(&op[2..], warnings)?))
            }
        }
        _ if op.starts_with('?') => match value {
            Some(v) => Ok(v.clone()),
            None => Err(format!("required variable {name} is missing a value: {}", word(&op[1..], warnings)?)),
        },
        _ => Err(format!("Invalid template: \"${{{expr}}}\"")),
    }
}

fn lookup(name: &str, env: &Env, warnings: &mut Vec<String>) -> String {
    env.get(name).cloned().unwrap_or_else(|| {
        let warning = format!("The \"{name}\" variable is not set. Defaulting to a blank string.");
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
        String::new()
    })
}

/// A command line as Compose splits it (go-shellwords): on blanks outside
/// quotes; `'…'` literal, `"…"` and bare words with backslash escapes.
pub fn shell_split(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("invalid command line string: {text:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => word.extend(chars.next()),
                        Some(c) => word.push(c),
                        None => return Err(format!("invalid command line string: {text:?}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn interpolation_follows_the_compose_specification() {
        let env = env(&[("TAG", "1.2"), ("EMPTY", "")]);
        let mut warnings = Vec::new();
        let mut run = |t: &str| interpolate(t, &env, &mut warnings);
        assert_eq!(run("busybox:${TAG}").unwrap(), "busybox:1.2");
        assert_eq!(run("$TAG-x").unwrap(), "1.2-x");
        assert_eq!(run("${EMPTY:-dflt} ${EMPTY-dflt} ${NOPE-dflt}").unwrap(), "dflt  dflt");
        assert_eq!(run("${TAG:+set} ${EMPTY:+set}|${EMPTY+set}").unwrap(), "set |set");
        assert_eq!(run("cost: $$5 ${NOPE:-${TAG}}").unwrap(), "cost: $5 1.2");
        assert_eq!(run("${NOPE:?give a tag}").unwrap_err(), "required variable NOPE is missing a value: give a tag");
        assert_eq!(run("a${NOPE}b").unwrap(), "ab");
        assert!(run("${TAG").is_err());
        assert_eq!(warnings, ["The \"NOPE\" variable is not set. Defaulting to a blank string."]);
    }

    #[test]
    fn commands_split_as_compose_splits_them() {
        assert_eq!(shell_split("httpd -f -p 8080").unwrap(), ["httpd", "-f", "-p", "8080"]);
        assert_eq!(shell_split(r#"sh -c 'echo "hi there"; exit 3'"#).unwrap(), ["sh", "-c", "echo \"hi there\"; exit 3"]);
        assert_eq!(shell_split(r#"echo "a \"b\"" c\ d"#).unwrap(), ["echo", "a \"b\"", "c d"]);
        assert!(shell_split("echo 'open").is_err());
    }

    #[test]
    fn env_files_read_as_compose_reads_them() {
        let env = parse_env_file("# comment\nTAG=1.0\nexport NAME=\"my app\"\n\nEMPTY=\n");
        assert_eq!(env, super::tests::env(&[("TAG", "1.0"), ("NAME", "my app"), ("EMPTY", "")]));
    }
}
