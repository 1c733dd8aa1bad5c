//! Registry credentials where Docker keeps them: `config.json` in
//! `$DOCKER_CONFIG` (or `~/.docker`), `auths.<server>.auth` = base64 of
//! `user:password`, file mode 0600 — so Docker and Whaleshell share logins.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use base64::Engine;
use serde_json::{json, Value};
use whaleshell_runtime::registry::Credentials;

pub fn config_path() -> PathBuf {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into())).join(".docker"));
    dir.join("config.json")
}

fn load() -> Value {
    fs::read(config_path()).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_else(|| json!({}))
}

fn save(config: &Value) -> std::io::Result<()> {
    let path = config_path();
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    fs::write(&tmp, serde_json::to_vec_pretty(config).unwrap_or_default())?;
    fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))?;
    fs::rename(tmp, path)
}

/// The stored login for a registry host, if any.
pub fn get(server: &str) -> Option<Credentials> {
    let config = load();
    let auth = config.get("auths")?.get(server)?.get("auth")?.as_str()?.to_owned();
    let decoded = base64::engine::general_purpose::STANDARD.decode(auth).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (username, password) = text.split_once(':')?;
    Some(Credentials { username: username.to_owned(), password: password.to_owned() })
}

pub fn store(server: &str, creds: &Credentials) -> std::io::Result<()> {
    let mut config = load();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", creds.username, creds.password));
    if !config.get("auths").is_some_and(Value::is_object) {
        config["auths"] = json!({});
    }
    config["auths"][server] = json!({ "auth": auth });
    save(&config)
}

/// Removes a login; false when there was none.
pub fn remove(server: &str) -> std::io::Result<bool> {
    let mut config = load();
    let removed = config.get_mut("auths").and_then(Value::as_object_mut).and_then(|a| a.remove(server)).is_some();
    if removed {
        save(&config)?;
    }
    Ok(removed)
}
