//! Guided lessons: lesson files (data, under `lessons/`) and the engine that
//! walks a learner through them on the real runtime.
//!
//! A lesson is a list of steps; a step is done when its [`Check`]s hold on
//! the runtime's real state after a command, whatever the learner typed.

pub mod checks;
pub mod demo;
pub mod session;
pub mod text;
pub mod validate;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use self::checks::Check;

include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));

pub const LOCALES: &[&str] = &["en", "pt-BR"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    #[serde(skip)]
    pub id: String,
    #[serde(skip)]
    pub number: usize,
    pub title: String,
    pub summary: String,
    /// Images pulled before the lesson's first step, by `reset` and `lessons check`.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Files of the lesson's work directory (path relative to it → content),
    /// written fresh when the lesson starts; the learner works in there.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// `"ecr"`: the lesson starts the local ECR lab, unless the learner has
    /// real AWS credentials configured.
    pub lab: Option<String>,
    /// Host ports the lesson publishes (`-p 8050:80`). `lessons check` moves
    /// a taken one to a free port in what it plays, so a busy port on the
    /// machine never fails the check.
    #[serde(default)]
    pub ports: Vec<u16>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub text: String,
    /// Accepted lines, as a learner types them; the first is the solution.
    pub commands: Vec<String>,
    #[serde(default)]
    pub checks: Vec<Check>,
    #[serde(default)]
    pub hints: Vec<String>,
    pub explain: String,
    /// A line with the same effect that needs no terminal, for steps whose
    /// command is interactive (`-it`): played by `reset`, `lessons check` and `demo --no-pause`.
    pub play: Option<String>,
    /// When the learner's detours left the runtime otherwise than the ideal
    /// path does (a container a forgotten `--rm` left), this explanation,
    /// which says so, replaces `explain`.
    pub detour: Option<Detour>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Detour {
    /// All hold: the state is not the ideal path's.
    pub checks: Vec<Check>,
    pub explain: String,
}

impl Step {
    /// The explanation that is true of the runtime as it is now.
    pub fn explanation(&self, rt: &whaleshell_runtime::Runtime, last: &crate::last_command::LastCommand) -> &str {
        match &self.detour {
            Some(d) if d.checks.iter().all(|c| c.holds(rt, last)) => &d.explain,
            _ => &self.explain,
        }
    }

    /// What replays this step without a person at the keyboard.
    pub fn play_line(&self) -> &str {
        self.play.as_deref().unwrap_or(&self.commands[0])
    }
}

impl Lesson {
    /// The lesson's work directory under its state root.
    pub fn work_dir(root: &Path) -> PathBuf {
        root.join("work")
    }

    /// Writes the lesson's `files` into `dir`, emptied first: a fresh start
    /// has exactly the files the lesson gives, whatever the learner changed.
    pub fn write_files(&self, dir: &Path) -> std::io::Result<()> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        for (path, text) in &self.files {
            if !safe_relative(path) {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("lesson file {path:?} is not a plain relative path")));
            }
            let file = dir.join(path);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(file, text)?;
        }
        Ok(())
    }
}

/// A path that stays inside the directory it is joined to.
pub fn safe_relative(path: &str) -> bool {
    !path.is_empty() && Path::new(path).components().all(|c| matches!(c, Component::Normal(_)))
}

/// Parses one lesson file; `stem` is `NN-slug`.
pub fn parse(stem: &str, text: &str) -> Result<Lesson, String> {
    let mut lesson: Lesson = toml::from_str(text).map_err(|e| e.to_string())?;
    let (number, slug) = stem.split_once('-').ok_or("lesson file names are NN-slug.toml")?;
    lesson.number = number.parse().map_err(|_| format!("'{number}' is not a lesson number"))?;
    lesson.id = slug.to_owned();
    Ok(lesson)
}

/// Every lesson of a locale, in order (falling back to English).
pub fn all(locale: &str) -> Vec<Lesson> {
    let locale = if LESSON_FILES.iter().any(|(l, _, _)| *l == locale) { locale } else { "en" };
    let mut lessons: Vec<Lesson> = LESSON_FILES.iter().filter(|(l, _, _)| *l == locale).filter_map(|(_, stem, text)| parse(stem, text).ok()).collect();
    lessons.sort_by_key(|l| l.number);
    lessons
}

/// A lesson by number (`1`) or slug (`hello-busybox`).
pub fn find(locale: &str, wanted: &str) -> Option<Lesson> {
    all(locale).into_iter().find(|l| l.id == wanted || l.number.to_string() == wanted || format!("{:02}", l.number) == wanted)
}

/// The learner's language: `--lang`, else `LANG` (`pt_BR.UTF-8` → `pt-BR`), else English.
pub fn locale_from(lang: Option<&str>) -> &'static str {
    let raw = lang.map(str::to_owned).or_else(|| std::env::var("LANG").ok()).unwrap_or_default();
    let normal = raw.split('.').next().unwrap_or("").replace('_', "-");
    if normal.eq_ignore_ascii_case("pt-BR") || normal.to_ascii_lowercase().starts_with("pt") {
        "pt-BR"
    } else {
        "en"
    }
}
