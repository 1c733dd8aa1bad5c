//! `aws …`: the AWS CLI's `ecr`, `sts` and `configure` commands, through the
//! AWS SDK. When the local ECR lab runs (`lab ecr up`), calls go to it and
//! every command says so.

pub mod configure;
pub mod ecr;
pub mod output;
mod scalar;
pub mod sts;
pub mod table;

use colored::Colorize;
use whaleshell_ecr::api::{AwsError, AwsOptions};
use whaleshell_ecr::lab::{self, LabState};
use whaleshell_runtime::Runtime;

use crate::grammar::aws::{self, GlobalArgs, Parsed, Service};
use crate::grammar::{Arg, Span};
use crate::io::Io;

/// The AWS CLI's exit codes.
pub const PARSE_ERROR: i32 = 252;
const CONFIG_ERROR: i32 = 253;
const SERVICE_ERROR: i32 = 254;
const OTHER_ERROR: i32 = 255;

/// Runs `aws …`: its status, and the operation's name once the line parsed.
pub fn aws(rt: &Runtime, line: &str, aws_span: Span, args: &[Arg], locale: &str, io: &mut Io<'_>) -> (i32, Option<&'static str>) {
    let command = match aws::parse(args, aws_span) {
        Ok(Parsed::Command(c)) => c,
        Ok(Parsed::Help(text)) => {
            io.out(text);
            return (0, None);
        }
        Err(e) => {
            io.err(format!("{}\n{}", aws::USAGE, e.render(line)));
            return (PARSE_ERROR, None);
        }
    };
    let operation = operation_name(&command.service);
    (run(rt, &command, locale, io), Some(operation))
}

fn run(rt: &Runtime, command: &aws::AwsLine, locale: &str, io: &mut Io<'_>) -> i32 {
    let global = &command.global;
    let profile = global.profile.clone().or_else(|| std::env::var("AWS_PROFILE").ok()).filter(|p| !p.is_empty());
    if let Some(p) = profile.filter(|p| p != "default" && !matches!(command.service, Service::Configure(_))) {
        if !configure::profile_exists(&p) {
            io.err(format!("\nThe config profile ({p}) could not be found"));
            return OTHER_ERROR;
        }
    }
    let options = AwsOptions { region: global.region.clone(), profile: global.profile.clone(), endpoint_url: global.endpoint_url.clone() };
    let running = lab::status(&rt.layout);
    let lab = whaleshell_ecr::api::lab_in_use(&options, running.as_ref()).cloned();
    let status = match &command.service {
        Service::Configure(a) => configure::run(a, global, io),
        Service::Ecr(c) => {
            announce_lab(lab.as_ref(), locale, io);
            ecr::run(&options, lab.as_ref(), c, global, io)
        }
        Service::Sts(c) => {
            announce_lab(lab.as_ref(), locale, io);
            sts::run(&options, lab.as_ref(), c, global, io)
        }
    };
    status
}

/// The command's words as the AWS CLI spells them (`ecr create-repository`):
/// what a lesson's `last_aws` check names.
pub fn operation_name(service: &Service) -> &'static str {
    use crate::grammar::aws::{Ecr, Sts};
    match service {
        Service::Configure(_) => "configure",
        Service::Sts(Sts::GetCallerIdentity) => "sts get-caller-identity",
        Service::Ecr(c) => match c {
            Ecr::GetLoginPassword => "ecr get-login-password",
            Ecr::GetLogin(_) => "ecr get-login",
            Ecr::CreateRepository(_) => "ecr create-repository",
            Ecr::DescribeRepositories(_) => "ecr describe-repositories",
            Ecr::ListImages(_) => "ecr list-images",
            Ecr::DescribeImages(_) => "ecr describe-images",
            Ecr::BatchDeleteImage(_) => "ecr batch-delete-image",
            Ecr::DeleteRepository(_) => "ecr delete-repository",
            Ecr::PutLifecyclePolicy(_) => "ecr put-lifecycle-policy",
            Ecr::GetLifecyclePolicy(_) => "ecr get-lifecycle-policy",
            Ecr::StartImageScan(_) => "ecr start-image-scan",
            Ecr::DescribeImageScanFindings(_) => "ecr describe-image-scan-findings",
        },
    }
}

/// One line on stderr, so `$(aws ecr get-login-password)` stays clean.
fn announce_lab(lab: Option<&LabState>, locale: &str, io: &mut Io<'_>) {
    if let Some(lab) = lab {
        io.err(super::lab::notice(locale, lab.api_port).dimmed().to_string());
    }
}

/// Prints a service's answer the way `--output`/`--query` ask.
pub fn print_answer(operation: &str, json: &str, global: &GlobalArgs, io: &mut Io<'_>) -> i32 {
    let Ok(json) = serde_json::from_str(json) else {
        io.err(format!("\nthe service's answer is not JSON: {json}"));
        return OTHER_ERROR;
    };
    match output::render(operation, json, global.output.as_deref(), global.query.as_deref()) {
        Ok(text) => {
            if !text.is_empty() {
                io.out(text);
            }
            0
        }
        Err(output::OutputError::Query(e)) => {
            io.err(format!("\nBad value for --query {}: {e}", global.query.as_deref().unwrap_or_default()));
            PARSE_ERROR
        }
        Err(output::OutputError::Format(e)) => {
            io.err(e);
            PARSE_ERROR
        }
    }
}

/// An error as the AWS CLI prints it (after an empty line), with its exit code.
pub fn print_error(e: &AwsError, lab_running: bool, io: &mut Io<'_>) -> i32 {
    io.err(format!("\n{e}"));
    match e {
        AwsError::Service { .. } => SERVICE_ERROR,
        AwsError::NoCredentials | AwsError::NoRegion => {
            if !lab_running {
                io.err("(No AWS account here? `lab ecr up` starts a local ECR lab on this machine, no account needed.)".dimmed().to_string());
            }
            CONFIG_ERROR
        }
        AwsError::Connect(_) | AwsError::Other(_) => OTHER_ERROR,
    }
}
