//! `docker update [OPTIONS] CONTAINER…`: changes the resource limits (and
//! the restart policy) of containers, running or not — in the record `inspect` shows and, for a
//! running one, in its cgroup. Each container's name is printed as given
//! once updated; the failures come after, together, as Docker's CLI does.

use whaleshell_runtime::container::resources::ResourceUpdate;
use whaleshell_runtime::container::restart::{PolicyError, RestartPolicy};
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use super::resource_flags::{flag_error, limits, parse_int};
use crate::grammar::docker::UpdateArgs;
use crate::io::Io;

pub fn update(rt: &Runtime, args: &UpdateArgs, io: &mut Io<'_>) -> CommandResult {
    let bad = |v: &str, flag: &str, why: &str| flag_error("[OPTIONS] CONTAINER [CONTAINER...]", "update", v, flag, why);
    let update = ResourceUpdate {
        limits: limits(&args.limits, &bad)?,
        pids_limit: args.pids_limit.as_ref().map(|v| parse_int(v).map_err(|why| bad(v, "--pids-limit", &why))).transpose()?,
    };
    // Docker's client parses the policy (its format errors, alone), its daemon checks its name and count.
    let restart = match args.restart.as_deref().map(RestartPolicy::parse).transpose() {
        Err(e @ PolicyError::Format(_)) => return Err(CommandError::Client(e.to_string())),
        Err(e) => return Err(CommandError::Client(format!("Error response from daemon: {e}"))),
        Ok(policy) => policy,
    };
    let resources = update != ResourceUpdate::default();
    if !resources && restart.is_none() {
        return Err(CommandError::Client("you must provide one or more flags when using this command".into()));
    }
    let apply = |c: whaleshell_runtime::container::ContainerRecord| {
        let c = if resources { rt.update(&c, &update)? } else { c };
        match restart {
            Some(policy) => rt.update_restart(&c, policy, !resources),
            None => Ok(c),
        }
    };
    let mut errors = Vec::new();
    for target in &args.containers {
        match rt.containers.find(target).and_then(apply) {
            Ok(_) => io.out(target),
            Err(e) => errors.push(CommandError::Daemon(e)),
        }
    }
    CommandError::from_many(errors).map_or(Ok(0), Err)
}
