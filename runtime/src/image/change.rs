//! `--change` instructions (`docker import -c`, `docker commit -c`): the
//! Dockerfile instructions Docker's engine allows there, applied to an
//! image config as a build would apply them.

use crate::build::dockerfile::{parse_trigger, Instruction};
use crate::build::metadata::{apply, Scope};
use crate::build::shell_word::Vars;
use crate::error::{Error, Result};
use crate::image::config::ContainerConfig;

/// The instructions `--change` takes, as Docker's engine allows them.
const CHANGE_COMMANDS: &[&str] = &["cmd", "entrypoint", "env", "expose", "healthcheck", "label", "onbuild", "user", "volume", "workdir"];

/// Applies `docker import -c`/`docker commit -c` instructions to `config`,
/// with Docker's errors (`run is not a valid change command` …).
pub fn apply_changes(config: &mut ContainerConfig, changes: &[String]) -> Result<()> {
    let mut cmd_set = false;
    for change in changes {
        let text = change.trim();
        let Some(word) = text.split_whitespace().next() else {
            return Err(Error::Spec("file with no instructions".into()));
        };
        let word = word.to_lowercase();
        if !CHANGE_COMMANDS.contains(&word.as_str()) {
            return Err(Error::Spec(format!("{word} is not a valid change command")));
        }
        let instruction = parse_trigger(text, '\\').map_err(Error::Spec)?;
        let instruction = match instruction {
            // Docker's import and commit take WORKDIR relative to `/` when there is none yet.
            Instruction::Workdir(dir) if !dir.starts_with('/') && config.working_dir.as_deref().is_none_or(str::is_empty) => {
                Instruction::Workdir(format!("/{dir}"))
            }
            i => i,
        };
        let vars: Vars = config.env.iter().flatten().filter_map(|e| e.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        apply(config, &instruction, &Scope { vars: &vars, escape: '\\', cmd_set }).map_err(Error::Spec)?;
        cmd_set |= matches!(instruction, Instruction::Cmd(_));
    }
    Ok(())
}
