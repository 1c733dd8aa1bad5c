//! `aws sts get-caller-identity`: who the credentials belong to.

use whaleshell_ecr::api::{self, AwsOptions};
use whaleshell_ecr::lab::LabState;

use super::{print_answer, print_error};
use crate::grammar::aws::{GlobalArgs, Sts};
use crate::io::Io;

pub fn run(options: &AwsOptions, lab: Option<&LabState>, command: &Sts, global: &GlobalArgs, io: &mut Io<'_>) -> i32 {
    match command {
        Sts::GetCallerIdentity => match api::caller_identity(options, lab) {
            Ok(answer) => print_answer("GetCallerIdentity", &answer.json, global, io),
            Err(e) => print_error(&e, lab.is_some(), io),
        },
    }
}
