//! `docker version [-f FORMAT]`: the client's and the engine's versions in
//! Docker's sections and JSON keys, with the engine named for what it is —
//! Whaleshell, on libcontainer and tini — rather than passed off as Docker's.
//! The API version is 1.41, Docker 20.10's, whose behaviour Whaleshell follows.

use std::io::Write;

use serde_json::{json, Value as Json};
use whaleshell_runtime::error::exit_code::BAD_TEMPLATE;
use whaleshell_runtime::sysinfo::{SystemInfo, LIBCONTAINER_VERSION};
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::VersionArgs;
use crate::io::Io;
use crate::template::{GoShape, Template, Value};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const API_VERSION: &str = "1.41";
const MIN_API_VERSION: &str = "1.12";
pub const GIT_COMMIT: &str = env!("WHALESHELL_GIT_COMMIT");
pub const BUILT: &str = env!("WHALESHELL_BUILT");
/// In Docker's `GoVersion` keys: what Whaleshell is compiled with.
pub const RUST_VERSION: &str = concat!("rustc ", env!("WHALESHELL_RUST_VERSION"));

/// Go's name for this machine's architecture, as Docker's `Arch` keys give it.
pub fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

/// The `Client` object (`docker version`), also `ClientInfo` in `docker info`.
pub fn client_json() -> Json {
    json!({
        "Version": VERSION,
        "ApiVersion": API_VERSION,
        "DefaultAPIVersion": API_VERSION,
        "GitCommit": GIT_COMMIT,
        "GoVersion": RUST_VERSION,
        "Os": "linux",
        "Arch": go_arch(),
        "BuildTime": BUILT,
        "Context": "default",
    })
}

fn version_json(info: &SystemInfo) -> Json {
    json!({
        "Client": client_json(),
        "Server": {
            "Platform": { "Name": "Whaleshell" },
            "Components": [
                {
                    "Name": "Engine",
                    "Version": VERSION,
                    "Details": {
                        "ApiVersion": API_VERSION,
                        "Arch": go_arch(),
                        "BuildTime": BUILT,
                        "Experimental": "false",
                        "GitCommit": GIT_COMMIT,
                        "GoVersion": RUST_VERSION,
                        "KernelVersion": info.kernel_version,
                        "MinAPIVersion": MIN_API_VERSION,
                        "Os": "linux",
                    },
                },
                { "Name": "libcontainer", "Version": LIBCONTAINER_VERSION, "Details": { "GitCommit": "" } },
                { "Name": "docker-init", "Version": info.init_version, "Details": { "GitCommit": "" } },
            ],
            "Version": VERSION,
            "ApiVersion": API_VERSION,
            "MinAPIVersion": MIN_API_VERSION,
            "GitCommit": GIT_COMMIT,
            "GoVersion": RUST_VERSION,
            "Os": "linux",
            "Arch": go_arch(),
            "KernelVersion": info.kernel_version,
            "BuildTime": BUILT,
        },
    })
}

pub fn run(rt: &Runtime, args: &VersionArgs, io: &mut Io<'_>) -> CommandResult {
    let info = SystemInfo::read(rt)?;
    let data = version_json(&info);
    let shape = GoShape { maps: &["Server.Components.Details"], types: &[("", "system.versionInfo")], ..GoShape::default() };
    match args.format.as_deref().filter(|f| !f.is_empty()) {
        Some(source) => print_template("version", source, &data, &shape, io),
        None => {
            let _ = io.stdout.write_all(text(&data).as_bytes());
            Ok(0)
        }
    }
}

/// `--format` as `docker version` and `docker info` take it: `json`, or a
/// template whose output is printed up to an error, then the error.
pub fn print_template(name: &str, source: &str, data: &Json, shape: &GoShape<'_>, io: &mut Io<'_>) -> CommandResult {
    if source == "json" {
        io.out(data.to_string());
        return Ok(0);
    }
    let template =
        Template::parse_named(name, source).map_err(|e| CommandError::WithStatus { message: format!("template parsing error: {e}"), code: BAD_TEMPLATE })?;
    let (out, err) = template.render_partial(&Value::from_json(data, shape));
    io.out(out);
    match err {
        Some(e) => Err(CommandError::Client(e.to_string())),
        None => Ok(0),
    }
}

/// Docker's text: cells after a tab line up at column 20, as its tabwriter
/// (minimum width 20 with the padding; this crate's excludes it) does.
fn text(v: &Json) -> String {
    let s = |v: &Json| v.as_str().unwrap_or("").to_owned();
    let client = &v["Client"];
    let server = &v["Server"];
    let mut lines = vec![
        "Client:".to_owned(),
        format!(" Version:\t{}", s(&client["Version"])),
        format!(" API version:\t{}", s(&client["ApiVersion"])),
        format!(" Rust version:\t{}", s(&client["GoVersion"]).trim_start_matches("rustc ")),
        format!(" Git commit:\t{}", s(&client["GitCommit"])),
        format!(" Built:\t{}", s(&client["BuildTime"])),
        format!(" OS/Arch:\t{}/{}", s(&client["Os"]), s(&client["Arch"])),
        format!(" Context:\t{}", s(&client["Context"])),
        String::new(),
        format!("Server: {}", s(&server["Platform"]["Name"])),
    ];
    for component in server["Components"].as_array().into_iter().flatten() {
        let details = &component["Details"];
        lines.push(format!(" {}:", s(&component["Name"])));
        lines.push(format!("  Version:\t{}", s(&component["Version"])));
        if component["Name"] == "Engine" {
            lines.push(format!("  API version:\t{} (minimum version {})", s(&details["ApiVersion"]), s(&details["MinAPIVersion"])));
            lines.push(format!("  Rust version:\t{}", s(&details["GoVersion"]).trim_start_matches("rustc ")));
            lines.push(format!("  Git commit:\t{}", s(&details["GitCommit"])));
            lines.push(format!("  Built:\t{}", s(&details["BuildTime"])));
            lines.push(format!("  OS/Arch:\t{}/{}", s(&details["Os"]), s(&details["Arch"])));
            lines.push(format!("  Experimental:\t{}", s(&details["Experimental"])));
        } else {
            for (key, value) in details.as_object().into_iter().flatten() {
                lines.push(format!("  {key}:\t{}", s(value)));
            }
        }
    }
    let mut tw = tabwriter::TabWriter::new(Vec::new()).minwidth(19).padding(1);
    let _ = tw.write_all((lines.join("\n") + "\n").as_bytes());
    tw.into_inner().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}
