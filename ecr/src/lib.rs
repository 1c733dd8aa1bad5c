//! Amazon ECR: its API through the AWS SDK ([`api`]), its registry hosts,
//! and the local lab that stands in for AWS on this machine ([`lab`], with
//! its front process in `front`).

pub mod api;
mod front;
pub mod lab;
mod state;

/// What starting, stopping or serving the lab can fail with.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(transparent)]
    Runtime(#[from] whaleshell_runtime::Error),

    #[error("the local ECR lab: {0}")]
    Lab(String),
}

pub type Result<T, E = LabError> = std::result::Result<T, E>;

/// Runs the lab's front when this process was started as it.
pub fn main_if_helper() -> Option<i32> {
    let mut args = std::env::args().skip(1);
    (args.next()? == state::FRONT_ARG).then(|| front::main(&args.collect::<Vec<_>>()))
}
