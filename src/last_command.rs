//! What the last line really did, as the shell records it: the docker and
//! aws commands it ran with their status, what a `docker run` reported, and
//! the host programs it started. Lessons check steps against it and
//! `explain` describes it; neither needs the shell itself.

use whaleshell_runtime::image::pull::PullEvent;

use crate::grammar::docker::Docker;

#[derive(Debug, Clone, Default)]
pub struct LastCommand {
    /// The last docker command run and its status.
    pub docker: Option<(Docker, i32)>,
    /// What the last `docker run` did, when the last docker command was one.
    pub run: Option<RunOutcome>,
    /// The last `aws` operation (`ecr create-repository`, `sts get-caller-identity` …) and its status.
    pub aws: Option<(String, i32)>,
    /// The words after `docker` of the last docker command, as expanded:
    /// which flags it was typed with.
    pub docker_words: Vec<String>,
    /// Host programs the last line ran (`ps`, `grep` …), with their exit status.
    pub programs: Vec<ProgramRun>,
}

/// A host program a line ran (`curl`, not `/usr/bin/curl`) and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramRun {
    pub name: String,
    pub status: i32,
}

impl LastCommand {
    /// Forgets the commands (not the programs, which are per line): what was
    /// typed before a lesson does not count toward its steps.
    pub fn forget_commands(&mut self) {
        self.docker = None;
        self.docker_words.clear();
        self.run = None;
        self.aws = None;
    }
}

/// What a `docker run` did, as the runtime reported it.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    pub container_id: String,
    pub image: String,
    /// The image was pulled first: what the pull did, layer by layer.
    pub pulled: Vec<PullEvent>,
    pub detached: bool,
    pub tty: bool,
    /// Host PID of the container's PID 1.
    pub pid: Option<i32>,
    pub exit_code: Option<i32>,
    /// The end of what the container wrote on stdout.
    pub output: String,
    /// `--rm` removed the container.
    pub removed: bool,
}
