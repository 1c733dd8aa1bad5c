//! `aws ecr …`: each subcommand becomes one ECR API call; the answer is
//! printed as the AWS CLI prints it. `get-login-password` and `get-login`
//! print what `docker login` needs instead.

use whaleshell_ecr::api::{self, AwsOptions, EcrCall, ImageId};
use whaleshell_ecr::lab::LabState;

use super::{print_answer, print_error, PARSE_ERROR};
use crate::grammar::aws::{Ecr, GlobalArgs};
use crate::io::Io;

pub fn run(options: &AwsOptions, lab: Option<&LabState>, command: &Ecr, global: &GlobalArgs, io: &mut Io<'_>) -> i32 {
    let call = match call_for(command) {
        Ok(call) => call,
        Err(message) => {
            io.err(format!("\n{message}"));
            return PARSE_ERROR;
        }
    };
    let answer = match api::ecr(options, lab, &call) {
        Ok(a) => a,
        Err(e) => return print_error(&e, lab.is_some(), io),
    };
    match (command, &answer.login) {
        (Ecr::GetLoginPassword, Some(login)) => {
            io.out(&login.password);
            0
        }
        (Ecr::GetLogin(args), Some(login)) => {
            let email = if args.no_include_email { "" } else { "-e none " };
            io.out(format!("docker login -u AWS -p {} {email}{}", login.password, login.proxy_endpoint));
            io.err("Note: AWS CLI v2 removed `aws ecr get-login`. It uses `aws ecr get-login-password | docker login --username AWS --password-stdin <registry>`, which keeps the password off the command line.");
            0
        }
        _ => print_answer(call.operation(), &answer.json, global, io),
    }
}

/// The API call a subcommand makes, with its shorthand arguments parsed.
fn call_for(command: &Ecr) -> Result<EcrCall, String> {
    Ok(match command {
        Ecr::GetLoginPassword | Ecr::GetLogin(_) => EcrCall::GetAuthorizationToken,
        Ecr::CreateRepository(a) => EcrCall::CreateRepository {
            name: a.repository_name.clone(),
            scan_on_push: a.image_scanning_configuration.as_deref().map(scan_on_push).transpose()?,
            tag_mutability: a.image_tag_mutability.clone(),
        },
        Ecr::DescribeRepositories(a) => EcrCall::DescribeRepositories { names: a.repository_names.clone() },
        Ecr::ListImages(a) => EcrCall::ListImages { repository: a.repository_name.clone() },
        Ecr::DescribeImages(a) => EcrCall::DescribeImages { repository: a.repository_name.clone(), image_ids: image_ids("--image-ids", &a.image_ids)? },
        Ecr::BatchDeleteImage(a) => EcrCall::BatchDeleteImage { repository: a.repository_name.clone(), image_ids: image_ids("--image-ids", &a.image_ids)? },
        Ecr::DeleteRepository(a) => EcrCall::DeleteRepository { name: a.repository_name.clone(), force: a.force },
        Ecr::PutLifecyclePolicy(a) => {
            EcrCall::PutLifecyclePolicy { repository: a.repository_name.clone(), text: file_or_text("--lifecycle-policy-text", &a.lifecycle_policy_text)? }
        }
        Ecr::GetLifecyclePolicy(a) => EcrCall::GetLifecyclePolicy { repository: a.repository_name.clone() },
        Ecr::StartImageScan(a) => EcrCall::StartImageScan { repository: a.repository_name.clone(), image_id: one_image_id(&a.image_id)? },
        Ecr::DescribeImageScanFindings(a) => EcrCall::DescribeImageScanFindings { repository: a.repository_name.clone(), image_id: one_image_id(&a.image_id)? },
    })
}

fn parse_error(parameter: &str, expected: &str, got: &str) -> String {
    format!("Error parsing parameter '{parameter}': Expected: {expected}, received: '{got}'")
}

/// `scanOnPush=true` (shorthand) or `{"scanOnPush": true}` (JSON).
fn scan_on_push(text: &str) -> Result<bool, String> {
    let value = if text.trim_start().starts_with('{') {
        serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| v["scanOnPush"].as_bool())
    } else {
        text.strip_prefix("scanOnPush=").and_then(|v| match v.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        })
    };
    value.ok_or_else(|| parse_error("--image-scanning-configuration", "scanOnPush=true|false", text))
}

/// `imageTag=T,imageDigest=D` for one image.
fn shorthand_image_id(parameter: &str, text: &str) -> Result<ImageId, String> {
    let mut id = ImageId::default();
    for pair in text.split(',') {
        match pair.split_once('=') {
            Some(("imageTag", tag)) if !tag.is_empty() => id.tag = Some(tag.to_owned()),
            Some(("imageDigest", digest)) if !digest.is_empty() => id.digest = Some(digest.to_owned()),
            _ => return Err(parse_error(parameter, "imageTag=TAG or imageDigest=DIGEST", pair)),
        }
    }
    Ok(id)
}

fn one_image_id(text: &str) -> Result<ImageId, String> {
    if text.trim_start().starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("Error parsing parameter '--image-id': Invalid JSON: {e}"))?;
        return Ok(json_image_id(&v));
    }
    shorthand_image_id("--image-id", text)
}

fn json_image_id(v: &serde_json::Value) -> ImageId {
    ImageId { tag: v["imageTag"].as_str().map(str::to_owned), digest: v["imageDigest"].as_str().map(str::to_owned) }
}

/// `imageTag=a imageTag=b` (shorthand, one per word) or a JSON list.
fn image_ids(parameter: &str, values: &[String]) -> Result<Vec<ImageId>, String> {
    if let [only] = values {
        if only.trim_start().starts_with('[') {
            let v: Vec<serde_json::Value> = serde_json::from_str(only).map_err(|e| format!("Error parsing parameter '{parameter}': Invalid JSON: {e}"))?;
            return Ok(v.iter().map(json_image_id).collect());
        }
    }
    values.iter().map(|v| shorthand_image_id(parameter, v)).collect()
}

/// A parameter's text, or the contents of `file://PATH`.
fn file_or_text(parameter: &str, text: &str) -> Result<String, String> {
    match text.strip_prefix("file://") {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("Error parsing parameter '{parameter}': Unable to load paramfile {text}: {e}")),
        None => Ok(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthand_and_json_forms_name_the_same_images() {
        let tag = |t: &str| ImageId { tag: Some(t.into()), digest: None };
        assert_eq!(image_ids("--image-ids", &["imageTag=latest".into()]), Ok(vec![tag("latest")]));
        assert_eq!(image_ids("--image-ids", &["imageTag=a".into(), "imageTag=b".into()]), Ok(vec![tag("a"), tag("b")]));
        assert_eq!(image_ids("--image-ids", &[r#"[{"imageTag":"latest"}]"#.into()]), Ok(vec![tag("latest")]));
        assert!(image_ids("--image-ids", &["latest".into()]).unwrap_err().contains("Error parsing parameter '--image-ids'"));
        assert_eq!(scan_on_push("scanOnPush=true"), Ok(true));
        assert_eq!(scan_on_push(r#"{"scanOnPush": false}"#), Ok(false));
    }
}
