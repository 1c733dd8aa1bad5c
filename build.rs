//! What `docker version` says Whaleshell was built from: the Rust compiler
//! and the git commit (and its date, as "Built").

use std::process::Command;

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).env("TZ", "UTC").output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    // `rustc 1.95.0 (59807616e 2026-04-14)` → `1.95.0`
    let rust_version = output(&rustc, &["--version"]).and_then(|v| v.split_whitespace().nth(1).map(str::to_owned)).unwrap_or_default();
    let commit = output("git", &["rev-parse", "--short=7", "HEAD"]).unwrap_or_default();
    let built = output("git", &["log", "-1", "--format=%cd", "--date=format-local:%a %b %e %H:%M:%S %Y"]).unwrap_or_default();
    println!("cargo:rustc-env=WHALESHELL_RUST_VERSION={rust_version}");
    println!("cargo:rustc-env=WHALESHELL_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=WHALESHELL_BUILT={built}");
    // Again when HEAD moves; a file that is missing would rerun this on every build.
    let git_dir = output("git", &["rev-parse", "--absolute-git-dir"]);
    let watched: Vec<String> = git_dir
        .map(|d| vec![format!("{d}/HEAD"), format!("{d}/logs/HEAD")])
        .unwrap_or_default()
        .into_iter()
        .filter(|p| std::path::Path::new(p).exists())
        .collect();
    println!("cargo:rerun-if-changed=build.rs");
    for path in watched {
        println!("cargo:rerun-if-changed={path}");
    }
}
