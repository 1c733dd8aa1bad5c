//! `aws configure` (four questions, answers written to `~/.aws/credentials`
//! and `~/.aws/config`, the files the SDK reads) and `aws configure list`
//! (where each setting comes from).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;

use crate::grammar::aws::{ConfigureArgs, GlobalArgs};
use crate::io::{Input, Io};

fn home() -> PathBuf {
    PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into()))
}

fn credentials_path() -> PathBuf {
    std::env::var_os("AWS_SHARED_CREDENTIALS_FILE").map(PathBuf::from).unwrap_or_else(|| home().join(".aws/credentials"))
}

fn config_path() -> PathBuf {
    std::env::var_os("AWS_CONFIG_FILE").map(PathBuf::from).unwrap_or_else(|| home().join(".aws/config"))
}

/// `~/.aws/config` for a path under HOME, as the AWS CLI shows it.
fn shown(path: &std::path::Path) -> String {
    match path.strip_prefix(home()) {
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => path.display().to_string(),
    }
}

type Ini = Vec<(String, BTreeMap<String, String>)>;

fn read_ini(path: &std::path::Path) -> Ini {
    let mut sections: Ini = Vec::new();
    for line in std::fs::read_to_string(path).unwrap_or_default().lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.trim().to_owned(), BTreeMap::new()));
        } else if let (Some((key, value)), Some(section)) = (line.split_once('='), sections.last_mut()) {
            if !line.starts_with('#') && !line.starts_with(';') {
                section.1.insert(key.trim().to_owned(), value.trim().to_owned());
            }
        }
    }
    sections
}

fn write_ini(path: &std::path::Path, sections: &Ini) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut text = String::new();
    for (name, values) in sections {
        text.push_str(&format!("[{name}]\n"));
        for (k, v) in values {
            text.push_str(&format!("{k} = {v}\n"));
        }
    }
    std::fs::write(path, text)?;
    // Keys are secrets: only their owner may read them.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

fn section<'a>(ini: &'a Ini, name: &str) -> Option<&'a BTreeMap<String, String>> {
    ini.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

fn set(ini: &mut Ini, name: &str, key: &str, value: String) {
    match ini.iter_mut().find(|(n, _)| n == name) {
        Some((_, values)) => {
            values.insert(key.to_owned(), value);
        }
        None => ini.push((name.to_owned(), BTreeMap::from([(key.to_owned(), value)]))),
    }
}

/// Whether a named profile is in `~/.aws/credentials` or `~/.aws/config`.
pub fn profile_exists(name: &str) -> bool {
    section(&read_ini(&credentials_path()), name).is_some() || section(&read_ini(&config_path()), &config_section(name)).is_some()
}

/// The profile in use and where that choice came from.
fn profile(global: &GlobalArgs) -> (String, Option<(&'static str, &'static str)>) {
    if let Some(p) = &global.profile {
        return (p.clone(), Some(("manual", "--profile")));
    }
    match std::env::var("AWS_PROFILE") {
        Ok(p) if !p.is_empty() => (p, Some(("env", "AWS_PROFILE"))),
        _ => ("default".to_owned(), None),
    }
}

/// The config file names a non-default profile `[profile NAME]`.
fn config_section(profile: &str) -> String {
    if profile == "default" {
        "default".to_owned()
    } else {
        format!("profile {profile}")
    }
}

fn mask(value: &str) -> String {
    let tail: String = value.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("****************{tail}")
}

pub fn run(args: &ConfigureArgs, global: &GlobalArgs, io: &mut Io<'_>) -> i32 {
    match args.action.as_deref() {
        Some("list") => list(global, io),
        _ => interactive(global, io),
    }
}

fn list(global: &GlobalArgs, io: &mut Io<'_>) -> i32 {
    let (profile, profile_source) = profile(global);
    let credentials = read_ini(&credentials_path());
    let config = read_ini(&config_path());
    let creds = section(&credentials, &profile);
    let conf = section(&config, &config_section(&profile));
    let row = |name: &str, value: &str, kind: &str, location: &str| format!("{name:>10} {value:>24} {kind:>16}    {location}");
    let mut lines = vec![row("Name", "Value", "Type", "Location"), row("----", "-----", "----", "--------")];
    lines.push(match profile_source {
        Some((kind, location)) => row("profile", &profile, kind, location),
        None => row("profile", "<not set>", "None", "None"),
    });
    for (name, key, env) in [("access_key", "aws_access_key_id", "AWS_ACCESS_KEY_ID"), ("secret_key", "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY")] {
        lines.push(match (std::env::var(env).ok().filter(|v| !v.is_empty()), creds.and_then(|c| c.get(key))) {
            (Some(v), _) => row(name, &mask(&v), "env", ""),
            (None, Some(v)) => row(name, &mask(v), "shared-credentials-file", ""),
            (None, None) => row(name, "<not set>", "None", "None"),
        });
    }
    let region_env = ["AWS_REGION", "AWS_DEFAULT_REGION"].into_iter().find_map(|e| std::env::var(e).ok().filter(|v| !v.is_empty()).map(|v| (e, v)));
    lines.push(match (&global.region, region_env, conf.and_then(|c| c.get("region"))) {
        (Some(r), _, _) => row("region", r, "manual", "--region"),
        (None, Some((env, v)), _) => row("region", &v, "env", env),
        (None, None, Some(v)) => row("region", v, "config-file", &shown(&config_path())),
        (None, None, None) => row("region", "<not set>", "None", "None"),
    });
    io.out(lines.join("\n"));
    0
}

/// Reads one answer: from the pipe the command was given, or the terminal.
fn answer(question: &str, lines: &mut std::vec::IntoIter<String>, io: &mut Io<'_>) -> Option<String> {
    let _ = std::io::Write::write_all(io.stdout, question.as_bytes());
    let _ = std::io::Write::flush(io.stdout);
    let line = match &io.stdin {
        Input::Bytes(_) => lines.next()?,
        Input::Terminal => {
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).ok()? == 0 {
                return None;
            }
            line
        }
    };
    if matches!(io.stdin, Input::Bytes(_)) {
        let _ = std::io::Write::write_all(io.stdout, b"\n");
    }
    Some(line.trim().to_owned())
}

fn interactive(global: &GlobalArgs, io: &mut Io<'_>) -> i32 {
    let (profile, _) = profile(global);
    let mut credentials = read_ini(&credentials_path());
    let mut config = read_ini(&config_path());
    let config_name = config_section(&profile);
    let piped: Vec<String> = match &io.stdin {
        Input::Bytes(b) => String::from_utf8_lossy(b).lines().map(str::to_owned).collect(),
        Input::Terminal => Vec::new(),
    };
    let mut piped = piped.into_iter();
    let questions = [
        ("AWS Access Key ID", true, "aws_access_key_id"),
        ("AWS Secret Access Key", true, "aws_secret_access_key"),
        ("Default region name", false, "region"),
        ("Default output format", false, "output"),
    ];
    for (question, secret, key) in questions {
        let (ini, name) = if secret { (&mut credentials, profile.clone()) } else { (&mut config, config_name.clone()) };
        let current = section(ini, &name).and_then(|s| s.get(key)).cloned();
        let shown_value = match (&current, secret) {
            (Some(v), true) => mask(v),
            (Some(v), false) => v.clone(),
            (None, _) => "None".to_owned(),
        };
        let Some(reply) = answer(&format!("{question} [{shown_value}]: "), &mut piped, io) else {
            io.err("");
            return 1;
        };
        if !reply.is_empty() {
            set(ini, &name, key, reply);
        }
    }
    for (path, ini) in [(credentials_path(), &credentials), (config_path(), &config)] {
        if let Err(e) = write_ini(&path, ini) {
            io.err(format!("\nCould not write {}: {e}", path.display()));
            return 255;
        }
    }
    0
}
