//! Seccomp: Docker's default profile, `--security-opt seccomp=unconfined`
//! and `--security-opt seccomp=PROFILE.json`, turned into the OCI spec's
//! `linux.seccomp` that libcontainer loads with libseccomp.
//!
//! Profiles are in Docker's format (moby's `profiles/seccomp`): syscall
//! rules that apply only with some capabilities, on some architectures or
//! from some kernel version, and an `archMap` of the native architecture's
//! sub-architectures. The default profile is Docker's own `default.json`,
//! read from where `scripts/install-deps.sh` puts it, never re-typed here.
//!
//! ```
//! use std::collections::HashSet;
//! use whaleshell_runtime::container::seccomp;
//! let profile = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
//!     {"names":["mkdir"],"action":"SCMP_ACT_ERRNO"},
//!     {"names":["unshare"],"action":"SCMP_ACT_ERRNO","excludes":{"caps":["CAP_SYS_ADMIN"]}}]}"#;
//! let spec = seccomp::to_oci(profile, &HashSet::new()).unwrap();
//! let names: Vec<_> = spec.syscalls().as_ref().unwrap().iter().flat_map(|s| s.names().clone()).collect();
//! assert_eq!(names, ["mkdir", "unshare"]);
//! ```

use std::collections::HashSet;
use std::path::Path;

use libcontainer::oci_spec::runtime::{Arch, Capability, LinuxSeccomp, LinuxSeccompAction, LinuxSeccompArg, LinuxSeccompFilterFlag, LinuxSyscall};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Where `scripts/install-deps.sh` puts Docker's default profile (from
/// Debian's golang-github-docker-docker-dev, moby's
/// `profiles/seccomp/default.json`).
pub const DEFAULT_PROFILE_PATH: &str = "/usr/local/share/whaleshell/seccomp/default.json";

/// The filter a container runs under, as `--security-opt seccomp=` chose.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Seccomp {
    /// Docker's default profile.
    #[default]
    Default,
    /// `seccomp=unconfined`: no filter.
    Unconfined,
    /// `seccomp=PROFILE.json`: the profile's text, read when the container
    /// was created (as Docker's client reads it), compacted.
    Profile(String),
}

impl Seccomp {
    /// The filter for a container with these capabilities (its bounding
    /// set), or none: `unconfined`, and `--privileged` as in Docker.
    pub fn filter(&self, privileged: bool, caps: &HashSet<Capability>) -> Result<Option<LinuxSeccomp>> {
        match self {
            _ if privileged => Ok(None),
            Seccomp::Unconfined => Ok(None),
            Seccomp::Profile(text) => to_oci(text, caps).map(Some),
            Seccomp::Default => to_oci(&default_profile()?, caps).map(Some),
        }
    }

    /// `docker info`'s SecurityOptions entry.
    pub fn info_entry() -> &'static str {
        "name=seccomp,profile=default"
    }
}

/// Docker's default profile as installed, or what to do when it is not.
pub fn default_profile() -> Result<String> {
    std::fs::read_to_string(DEFAULT_PROFILE_PATH).map_err(|e| {
        Error::Spec(format!(
            "Docker's default seccomp profile could not be read from {DEFAULT_PROFILE_PATH} ({e}): run scripts/install-deps.sh as root to install it, or run the container with --security-opt seccomp=unconfined"
        ))
    })
}

/// Whether the default profile is installed (what `docker info` reports).
pub fn default_profile_installed() -> bool {
    Path::new(DEFAULT_PROFILE_PATH).is_file()
}

/// A profile in Docker's format, as moby's `profiles/seccomp` reads it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    default_action: LinuxSeccompAction,
    default_errno_ret: Option<u32>,
    #[serde(default)]
    architectures: Vec<Arch>,
    #[serde(default)]
    arch_map: Vec<ArchMap>,
    #[serde(default)]
    flags: Vec<LinuxSeccompFilterFlag>,
    #[serde(default)]
    syscalls: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ArchMap {
    architecture: Arch,
    #[serde(default)]
    sub_architectures: Vec<Arch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    #[serde(default)]
    name: String,
    #[serde(default)]
    names: Vec<String>,
    action: LinuxSeccompAction,
    errno_ret: Option<u32>,
    #[serde(default)]
    args: Option<Vec<LinuxSeccompArg>>,
    #[serde(default)]
    includes: Filter,
    #[serde(default)]
    excludes: Filter,
}

/// When a rule applies: every listed capability held, the architecture
/// listed, the kernel at least this version.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Filter {
    #[serde(default)]
    caps: Vec<String>,
    #[serde(default)]
    arches: Vec<String>,
    min_kernel: Option<String>,
}

/// Turns a Docker-format profile into the OCI filter for a container with
/// `caps`, choosing rules as Docker's daemon does; its error texts too.
pub fn to_oci(text: &str, caps: &HashSet<Capability>) -> Result<LinuxSeccomp> {
    let profile: Profile = serde_json::from_str(text).map_err(|e| Error::Spec(format!("Decoding seccomp profile failed: {e}")))?;
    if !profile.architectures.is_empty() && !profile.arch_map.is_empty() {
        return Err(Error::Spec("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'".into()));
    }
    let native = native_arch();
    let architectures: Vec<Arch> = if profile.arch_map.is_empty() {
        profile.architectures
    } else {
        profile
            .arch_map
            .iter()
            .filter(|m| Some(m.architecture) == native)
            .flat_map(|m| std::iter::once(m.architecture).chain(m.sub_architectures.iter().copied()))
            .collect()
    };
    // The OCI spelling, `CAP_SYS_ADMIN`, which profiles use too.
    let cap_names: HashSet<String> = caps.iter().filter_map(|c| serde_json::to_value(c).ok()?.as_str().map(str::to_owned)).collect();
    let kernel = kernel_version();
    let mut syscalls = Vec::new();
    for rule in profile.syscalls {
        if !rule.name.is_empty() && !rule.names.is_empty() {
            return Err(Error::Spec("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'".into()));
        }
        let excluded = rule.excludes.arches.iter().any(|a| a == GO_ARCH)
            || rule.excludes.caps.iter().any(|c| cap_names.contains(c))
            || rule.excludes.min_kernel.as_deref().is_some_and(|v| kernel >= parse_kernel(v));
        let included = (rule.includes.arches.is_empty() || rule.includes.arches.iter().any(|a| a == GO_ARCH))
            && rule.includes.caps.iter().all(|c| cap_names.contains(c))
            && rule.includes.min_kernel.as_deref().is_none_or(|v| kernel >= parse_kernel(v));
        if excluded || !included {
            continue;
        }
        let names = if rule.name.is_empty() { rule.names } else { vec![rule.name] };
        let mut syscall = LinuxSyscall::default();
        syscall.set_names(names);
        syscall.set_action(rule.action);
        syscall.set_errno_ret(rule.errno_ret);
        syscall.set_args(rule.args.filter(|a| !a.is_empty()));
        syscalls.push(syscall);
    }
    let mut seccomp = LinuxSeccomp::default();
    seccomp.set_default_action(profile.default_action);
    seccomp.set_default_errno_ret(profile.default_errno_ret);
    seccomp.set_architectures((!architectures.is_empty()).then_some(architectures));
    seccomp.set_flags((!profile.flags.is_empty()).then_some(profile.flags));
    seccomp.set_syscalls(Some(syscalls));
    Ok(seccomp)
}

/// Go's name for this architecture, which profiles' `arches` use.
const GO_ARCH: &str = match std::env::consts::ARCH.as_bytes() {
    b"x86_64" => "amd64",
    b"aarch64" => "arm64",
    b"x86" => "386",
    b"arm" => "arm",
    b"powerpc64" => "ppc64le",
    b"s390x" => "s390x",
    b"riscv64" => "riscv64",
    _ => "unknown",
};

fn native_arch() -> Option<Arch> {
    match std::env::consts::ARCH {
        "x86_64" => Some(Arch::ScmpArchX86_64),
        "aarch64" => Some(Arch::ScmpArchAarch64),
        "x86" => Some(Arch::ScmpArchX86),
        "arm" => Some(Arch::ScmpArchArm),
        "powerpc64" => Some(Arch::ScmpArchPpc64le),
        "s390x" => Some(Arch::ScmpArchS390x),
        "riscv64" => Some(Arch::ScmpArchRiscv64),
        _ => None,
    }
}

/// `6.1.0-18-amd64` → (6, 1): what `minKernel` compares.
fn parse_kernel(release: &str) -> (u32, u32) {
    let mut parts = release.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn kernel_version() -> (u32, u32) {
    std::fs::read_to_string("/proc/sys/kernel/osrelease").map_or((0, 0), |r| parse_kernel(r.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(profile: &str, caps: &[Capability]) -> Vec<String> {
        let spec = to_oci(profile, &caps.iter().copied().collect()).unwrap();
        spec.syscalls().as_ref().unwrap().iter().flat_map(|s| s.names().clone()).collect()
    }

    #[test]
    fn rules_follow_capabilities_arches_and_kernel() {
        let profile = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
            {"names":["read"],"action":"SCMP_ACT_ALLOW"},
            {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
            {"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38,"excludes":{"caps":["CAP_SYS_ADMIN"]}},
            {"names":["s390_only"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["s390x"]}},
            {"names":["ancient"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"2.6"}},
            {"names":["future"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"99.0"}}]}"#;
        assert_eq!(rules(profile, &[]), ["read", "clone3", "ancient"]);
        assert_eq!(rules(profile, &[Capability::SysAdmin]), ["read", "mount", "ancient"]);
    }

    #[test]
    fn docker_errors_for_malformed_profiles() {
        let err = |p: &str| to_oci(p, &HashSet::new()).unwrap_err().to_string();
        assert!(err(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ERRNO"}]}"#)
            .contains("use either 'name' or 'names'"));
        assert!(err(r#"{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86"}]}"#)
            .contains("use either 'architectures' or 'archMap'"));
        assert!(err(r#"{"defaultAction":"SCMP_ACT_NOPE"}"#).starts_with("Decoding seccomp profile failed"));
    }

    #[test]
    fn kernel_versions_compare_numerically() {
        assert!(parse_kernel("6.1.0-18-amd64") >= parse_kernel("4.8"));
        assert!(parse_kernel("4.10") > parse_kernel("4.8"));
    }
}
