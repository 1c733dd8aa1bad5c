//! The resource flags of `docker run`/`create` and `docker update`, read
//! as Docker's client reads them: a malformed value is a flag error with
//! the command's usage block, in Docker's words.

use whaleshell_runtime::container::resources::{self, Limits, Resources};

use super::error::CommandError;
use crate::grammar::docker::{LimitArgs, RunArgs};

/// Docker's client error for a flag value it cannot read.
pub fn flag_error(usage: &str, command: &str, value: &str, flag: &str, why: &str) -> CommandError {
    CommandError::Usage(format!(
        "invalid argument \"{value}\" for \"{flag}\" flag: {why}\n\nUsage:  docker {command} {usage}\n\nRun 'docker {command} --help' for more information"
    ))
}

/// Reads one optional flag value with `parse`; absent is Docker's zero value.
pub fn read<T: Default>(
    value: &Option<String>,
    flag: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    bad: &dyn Fn(&str, &str, &str) -> CommandError,
) -> Result<T, CommandError> {
    match value {
        Some(v) => parse(v).map_err(|why| bad(v, flag, &why)),
        None => Ok(T::default()),
    }
}

/// Go's `strconv.ParseInt` with its error text.
pub fn parse_int(v: &str) -> Result<i64, String> {
    v.parse::<i64>().map_err(|_| format!("strconv.ParseInt: parsing {v:?}: invalid syntax"))
}

/// `docker run`/`create`'s resource flags; the daemon's checks come at creation.
pub fn run_resources(args: &RunArgs, command: &str) -> Result<Resources, CommandError> {
    let bad = |v: &str, flag: &str, why: &str| flag_error("[OPTIONS] IMAGE [COMMAND] [ARG...]", command, v, flag, why);
    let mut ulimits = Vec::new();
    for u in &args.ulimit {
        resources::add_ulimit(&mut ulimits, resources::parse_ulimit(u).map_err(|why| bad(u, "--ulimit", &why))?);
    }
    Ok(Resources { limits: limits(&args.limits, &bad)?, ulimits, shm_size: read(&args.shm_size, "--shm-size", resources::parse_size, &bad)? })
}

/// The cgroup limit flags `run`, `create` and `update` share.
pub fn limits(args: &LimitArgs, bad: &dyn Fn(&str, &str, &str) -> CommandError) -> Result<Limits, CommandError> {
    Ok(Limits {
        memory: read(&args.memory, "-m, --memory", resources::parse_size, bad)?,
        memory_swap: read(&args.memory_swap, "--memory-swap", resources::parse_memory_swap, bad)?,
        memory_reservation: read(&args.memory_reservation, "--memory-reservation", resources::parse_size, bad)?,
        nano_cpus: read(&args.cpus, "--cpus", resources::parse_nano_cpus, bad)?,
        cpu_shares: read(&args.cpu_shares, "-c, --cpu-shares", parse_int, bad)?,
        cpuset_cpus: args.cpuset_cpus.clone().unwrap_or_default(),
    })
}
