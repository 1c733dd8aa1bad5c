//! Compiles the lesson files in (`lessons/<locale>/*.toml`), so the binary
//! carries its lessons and `lessons check` tests exactly what ships.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new("lessons");
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
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("lesson_files.rs");
    std::fs::write(dest, out).expect("write lesson index");
}
