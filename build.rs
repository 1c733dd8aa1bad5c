//! What `docker version` says Whaleshell was built from: the Rust compiler
//! and the git commit (and its date, as "Built"); and the lesson files
//! (`lessons/<locale>/*.toml`) compiled in, so the binary carries its
//! lessons and `lessons check` tests exactly what ships.

use std::process::Command;

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).env("TZ", "UTC").output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Writes `OUT_DIR/lesson_files.rs`: (locale, file stem, contents) of every lesson file.
fn lesson_files() {
    use std::fmt::Write;
    let root = std::path::Path::new("lessons");
    println!("cargo:rerun-if-changed=lessons");
    let mut entries = Vec::new();
    if let Ok(locales) = std::fs::read_dir(root) {
        for locale in locales.flatten().filter(|e| e.path().is_dir()) {
            println!("cargo:rerun-if-changed={}", locale.path().display());
            for file in std::fs::read_dir(locale.path()).into_iter().flatten().flatten() {
                let path = file.path();
                if path.extension().is_some_and(|e| e == "toml") {
                    entries.push((
                        locale.file_name().to_string_lossy().into_owned(),
                        path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
                        std::fs::canonicalize(&path).map(|p| p.display().to_string()).unwrap_or_default(),
                    ));
                }
            }
        }
    }
    entries.sort();
    let mut out = String::from("/// (locale, file stem, contents) of every lesson file.\npub const LESSON_FILES: &[(&str, &str, &str)] = &[\n");
    for (locale, stem, path) in entries {
        let _ = writeln!(out, "    ({locale:?}, {stem:?}, include_str!({path:?})),");
    }
    out.push_str("];\n");
    let dest = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lesson_files.rs");
    std::fs::write(&dest, out).expect("write lesson_files.rs");
}

fn main() {
    lesson_files();
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
