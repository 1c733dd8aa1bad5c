//! How a container's process is exec'd: as libcontainer's default does,
//! but with the environment in the order of the spec. libcontainer 0.7 sets
//! it through a HashMap, so `env` in a container would list it in any
//! order, where runc (so Docker) keeps the order it was given.

use std::ffi::CString;

use libcontainer::oci_spec::runtime::Spec;
use libcontainer::workload::default::DefaultExecutor;
use libcontainer::workload::{Executor, ExecutorError, ExecutorValidationError};

/// libcontainer's default executor, the environment kept in order.
#[derive(Clone)]
pub struct OrderedEnv;

impl Executor for OrderedEnv {
    fn exec(&self, spec: &Spec) -> Result<(), ExecutorError> {
        exec_in_order(spec)
    }

    fn validate(&self, spec: &Spec) -> Result<(), ExecutorValidationError> {
        DefaultExecutor {}.validate(spec)
    }
}

/// Replaces this process with the spec's, passing its environment as the
/// spec lists it. The program is looked up in the `PATH` libcontainer set.
pub fn exec_in_order(spec: &Spec) -> Result<(), ExecutorError> {
    let process = spec.process().as_ref().ok_or(ExecutorError::InvalidArg)?;
    let c_strings = |list: &[String]| list.iter().map(|s| CString::new(s.as_bytes())).collect::<Result<Vec<_>, _>>();
    let args = c_strings(process.args().as_deref().unwrap_or_default()).map_err(|_| ExecutorError::InvalidArg)?;
    let env = c_strings(process.env().as_deref().unwrap_or_default()).map_err(|_| ExecutorError::InvalidArg)?;
    let program = args.first().ok_or(ExecutorError::InvalidArg)?;
    let err = nix::unistd::execvpe(program, &args, &env).err();
    Err(ExecutorError::Execution(format!("error '{err:?}' executing {program:?} with args {args:?}").into()))
}
