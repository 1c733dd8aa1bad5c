//! The `config` object of an image config blob, with the fields Docker
//! keeps there beyond the OCI ones (Healthcheck, OnBuild, Shell), so a
//! build can set them and `docker inspect` can show them. Keys this struct
//! does not name (Hostname, Image, ArgsEscaped …) are kept as they came.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Docker's `{}` in `ExposedPorts` and `Volumes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// In the OCI fields' order first, so images without Docker's extra fields
/// serialise exactly as before (the offline hub's digests stay the same).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<BTreeMap<String, Empty>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<BTreeMap<String, Empty>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(default, rename = "OnBuild", skip_serializing_if = "Option::is_none")]
    pub on_build: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<Vec<String>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// Docker's `HealthConfig`: durations in nanoseconds, zero ones left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub test: Vec<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interval: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeout: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_period: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ContainerConfig {
    /// The `config` object of a config blob (none: an empty one).
    pub fn from_blob(blob: &[u8]) -> serde_json::Result<ContainerConfig> {
        let whole: Value = serde_json::from_slice(blob)?;
        match whole.get("config") {
            Some(c) if !c.is_null() => serde_json::from_value(c.clone()),
            _ => Ok(ContainerConfig::default()),
        }
    }

    /// As `docker image inspect` prints `Config`: every key Docker has, in
    /// its order, with its nulls and left-out empties.
    pub fn docker_json(&self) -> Value {
        let keys = |m: &Option<BTreeMap<String, Empty>>| m.as_ref().map(|m| m.keys().map(|k| (k.clone(), json!({}))).collect::<Map<String, Value>>());
        let other = |key: &str, default: Value| self.other.get(key).cloned().unwrap_or(default);
        let mut out = Map::new();
        out.insert("Hostname".into(), other("Hostname", json!("")));
        out.insert("Domainname".into(), other("Domainname", json!("")));
        out.insert("User".into(), json!(self.user.clone().unwrap_or_default()));
        for key in ["AttachStdin", "AttachStdout", "AttachStderr"] {
            out.insert(key.into(), other(key, json!(false)));
        }
        if let Some(ports) = keys(&self.exposed_ports).filter(|p| !p.is_empty()) {
            out.insert("ExposedPorts".into(), Value::Object(ports));
        }
        for key in ["Tty", "OpenStdin", "StdinOnce"] {
            out.insert(key.into(), other(key, json!(false)));
        }
        out.insert("Env".into(), json!(self.env));
        out.insert("Cmd".into(), json!(self.cmd));
        if let Some(h) = &self.healthcheck {
            out.insert("Healthcheck".into(), json!(h));
        }
        if let Some(escaped) = self.other.get("ArgsEscaped").filter(|v| v.as_bool() == Some(true)) {
            out.insert("ArgsEscaped".into(), escaped.clone());
        }
        out.insert("Image".into(), other("Image", json!("")));
        out.insert("Volumes".into(), json!(keys(&self.volumes)));
        out.insert("WorkingDir".into(), json!(self.working_dir.clone().unwrap_or_default()));
        out.insert("Entrypoint".into(), json!(self.entrypoint));
        out.insert("OnBuild".into(), json!(self.on_build));
        out.insert("Labels".into(), json!(self.labels));
        if let Some(signal) = self.stop_signal.as_ref().filter(|s| !s.is_empty()) {
            out.insert("StopSignal".into(), json!(signal));
        }
        if let Some(timeout) = self.other.get("StopTimeout") {
            out.insert("StopTimeout".into(), timeout.clone());
        }
        if let Some(shell) = self.shell.as_ref().filter(|s| !s.is_empty()) {
            out.insert("Shell".into(), json!(shell));
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_it_does_not_name_and_docker_fields() {
        let blob =
            br#"{"architecture":"amd64","config":{"Hostname":"abc","Env":["A=1"],"Healthcheck":{"Test":["NONE"]},"OnBuild":["RUN true"],"ArgsEscaped":true}}"#;
        let config = ContainerConfig::from_blob(blob).unwrap();
        assert_eq!(config.healthcheck.as_ref().map(|h| h.test.clone()), Some(vec!["NONE".to_owned()]));
        assert_eq!(config.on_build, Some(vec!["RUN true".to_owned()]));
        let again = serde_json::to_value(&config).unwrap();
        assert_eq!(again["Hostname"], "abc");
        assert_eq!(again["ArgsEscaped"], true);
        let shown = config.docker_json();
        assert_eq!(shown["Healthcheck"], json!({"Test": ["NONE"]}));
        assert_eq!(shown["Volumes"], Value::Null);
        assert!(shown.get("StopSignal").is_none());
    }

    #[test]
    fn the_oci_fields_serialise_as_oci_spec_does() {
        let oci = libcontainer::oci_spec::image::ConfigBuilder::default()
            .env(vec!["PATH=/bin".to_owned()])
            .cmd(vec!["sh".to_owned()])
            .exposed_ports(vec!["80/tcp".to_owned()])
            .working_dir("/app".to_owned())
            .build()
            .unwrap();
        let ours: ContainerConfig = serde_json::from_value(serde_json::to_value(&oci).unwrap()).unwrap();
        assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&oci).unwrap());
    }
}
