//! The `aws` command surface Whaleshell knows — `ecr`, `sts` and
//! `configure` — as typed commands. clap parses; errors are reworded the
//! AWS CLI's way (its usage block, `aws: error: …`) with a caret.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, CommandFactory, Parser, Subcommand};

use super::{suggest, Arg, ParseError, Span};

#[derive(Debug, Parser, PartialEq, Eq)]
#[command(name = "aws", disable_help_subcommand = true, disable_version_flag = true)]
#[command(about = "The AWS Command Line Interface: the ECR, STS and configure commands, on real AWS or the local ECR lab")]
pub struct AwsLine {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub service: Service,
}

/// Options the AWS CLI accepts anywhere on the line.
#[derive(Debug, Args, PartialEq, Eq, Default, Clone)]
pub struct GlobalArgs {
    /// The region to use (overrides config and environment)
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// A profile from your credentials and config files
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// The formatting style for command output
    #[arg(long, global = true, value_parser = ["json", "text", "table"])]
    pub output: Option<String>,
    /// A JMESPath query to filter the answer
    #[arg(long, global = true)]
    pub query: Option<String>,
    /// Send requests to this URL instead of AWS's
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Accepted, as the AWS CLI does; Whaleshell never pages
    #[arg(long, global = true)]
    pub no_cli_pager: bool,
}

#[derive(Debug, Subcommand, PartialEq, Eq)]
pub enum Service {
    /// Amazon Elastic Container Registry
    #[command(subcommand)]
    Ecr(Ecr),
    /// AWS Security Token Service
    #[command(subcommand)]
    Sts(Sts),
    /// Configure credentials and region (interactive), or `configure list`
    Configure(ConfigureArgs),
}

#[derive(Debug, Subcommand, PartialEq, Eq)]
#[command(disable_help_subcommand = true)]
pub enum Ecr {
    /// Print a password for `docker login --username AWS --password-stdin`
    GetLoginPassword,
    /// Print a `docker login` command (AWS CLI v1; v2 removed it)
    GetLogin(GetLoginArgs),
    /// Create a repository
    CreateRepository(CreateRepositoryArgs),
    /// Describe repositories
    DescribeRepositories(DescribeRepositoriesArgs),
    /// List the images of a repository
    ListImages(RepositoryArg),
    /// Describe the images of a repository
    DescribeImages(DescribeImagesArgs),
    /// Delete images by tag or digest
    BatchDeleteImage(BatchDeleteImageArgs),
    /// Delete a repository (--force: with its images)
    DeleteRepository(DeleteRepositoryArgs),
    /// Set a repository's lifecycle policy
    PutLifecyclePolicy(PutLifecyclePolicyArgs),
    /// Show a repository's lifecycle policy
    GetLifecyclePolicy(RepositoryArg),
    /// Start a vulnerability scan of an image
    StartImageScan(ImageArgs),
    /// Show an image's scan findings
    DescribeImageScanFindings(ImageArgs),
}

#[derive(Debug, Subcommand, PartialEq, Eq)]
#[command(disable_help_subcommand = true)]
pub enum Sts {
    /// Show the account and identity your credentials belong to
    GetCallerIdentity,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct GetLoginArgs {
    /// Leave out `-e none` (newer Docker has no -e)
    #[arg(long)]
    pub no_include_email: bool,
    /// Include `-e none` (the default)
    #[arg(long)]
    pub include_email: bool,
    #[arg(long, num_args = 1..)]
    pub registry_ids: Vec<String>,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct RepositoryArg {
    #[arg(long, required = true)]
    pub repository_name: String,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct CreateRepositoryArgs {
    #[arg(long, required = true)]
    pub repository_name: String,
    /// scanOnPush=true|false, or JSON
    #[arg(long)]
    pub image_scanning_configuration: Option<String>,
    #[arg(long, value_parser = ["MUTABLE", "IMMUTABLE"])]
    pub image_tag_mutability: Option<String>,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct DescribeRepositoriesArgs {
    #[arg(long, num_args = 1..)]
    pub repository_names: Vec<String>,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct DescribeImagesArgs {
    #[arg(long, required = true)]
    pub repository_name: String,
    /// imageTag=T / imageDigest=D (shorthand), or JSON
    #[arg(long, num_args = 1..)]
    pub image_ids: Vec<String>,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct BatchDeleteImageArgs {
    #[arg(long, required = true)]
    pub repository_name: String,
    /// imageTag=T / imageDigest=D (shorthand), or JSON
    #[arg(long, num_args = 1.., required = true)]
    pub image_ids: Vec<String>,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct DeleteRepositoryArgs {
    #[arg(long, required = true)]
    pub repository_name: String,
    /// Delete the repository's images too
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct PutLifecyclePolicyArgs {
    #[arg(long, required = true)]
    pub repository_name: String,
    /// The policy's JSON, or file://PATH
    #[arg(long, required = true)]
    pub lifecycle_policy_text: String,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct ImageArgs {
    #[arg(long, required = true)]
    pub repository_name: String,
    /// imageTag=T or imageDigest=D
    #[arg(long, required = true)]
    pub image_id: String,
}

#[derive(Debug, Args, PartialEq, Eq)]
pub struct ConfigureArgs {
    /// `list`: where each setting comes from
    #[arg(value_parser = ["list"])]
    pub action: Option<String>,
}

pub enum Parsed {
    Command(AwsLine),
    Help(String),
}

/// The AWS CLI's usage block, printed before its errors.
pub const USAGE: &str = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]
To see help text, you can run:

  aws help
  aws <command> help
  aws <command> <subcommand> help
";

pub fn command_tree() -> clap::Command {
    AwsLine::command()
}

/// Parses the words after `aws`. `help` anywhere asks for the help of the
/// words before it, as in the AWS CLI.
pub fn parse(args: &[Arg], aws_span: Span) -> Result<Parsed, ParseError> {
    let texts: Vec<String> = args.iter().map(|a| a.text.clone()).collect();
    if let Some(at) = texts.iter().position(|t| t == "help") {
        let tree = command_tree();
        let node = texts[..at].iter().filter(|t| !t.starts_with('-')).try_fold(&tree, |n, t| n.find_subcommand(t));
        if let Some(node) = node {
            let mut node = node.clone().bin_name(format!("aws {}", texts[..at].join(" ")).trim_end());
            return Ok(Parsed::Help(node.render_help().to_string().trim_end().to_owned()));
        }
    }
    let argv = std::iter::once("aws".to_owned()).chain(texts);
    match AwsLine::try_parse_from(argv) {
        Ok(line) => Ok(Parsed::Command(line)),
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Ok(Parsed::Help(e.render().to_string().trim_end().to_owned())),
            _ => Err(aws_error(&e, args, aws_span)),
        },
    }
}

fn context_str(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        _ => None,
    }
}

fn aws_error(e: &clap::Error, args: &[Arg], aws_span: Span) -> ParseError {
    let line_end = args.last().map_or(aws_span.end, |a| a.span.end);
    let span_of = |token: &str| -> Span {
        let flag = token.split('=').next().unwrap_or(token);
        args.iter().find(|a| a.text == token || a.text == flag).map(|a| a.span.clone()).unwrap_or(Span { start: line_end, end: line_end })
    };
    let tree = command_tree();
    let mut node = &tree;
    for a in args {
        match node.find_subcommand(&a.text) {
            Some(sub) => node = sub,
            None => break,
        }
    }
    let (message, span) = match e.kind() {
        ErrorKind::InvalidSubcommand => {
            let bad = context_str(e, ContextKind::InvalidSubcommand).unwrap_or_default();
            let what = if std::ptr::eq(node, &tree) { "command" } else { "operation" };
            let choices: Vec<String> = node.get_subcommands().map(|s| s.get_name().to_owned()).collect();
            let mut message = format!("aws: error: argument {what}: Invalid choice, valid choices are:\n\n{}", choices.join(" | "));
            if let Some(s) = suggest(&bad, choices.iter().map(String::as_str)) {
                message.push_str(&format!("\n\nInvalid choice: '{bad}', maybe you meant:\n\n  * {s}"));
            } else if what == "command" {
                message.push_str(&format!("\n\n(Whaleshell's aws knows ecr, sts and configure; '{bad}' is not one of them yet.)"));
            }
            (message, span_of(&bad))
        }
        ErrorKind::UnknownArgument => {
            let bad = context_str(e, ContextKind::InvalidArg).unwrap_or_default();
            (format!("Unknown options: {bad}"), span_of(&bad))
        }
        ErrorKind::MissingRequiredArgument => {
            let what = context_str(e, ContextKind::InvalidArg).unwrap_or_default();
            let flags: Vec<String> = what.split(", ").map(|w| w.split(' ').next().unwrap_or(w).to_owned()).collect();
            (format!("aws: error: the following arguments are required: {}", flags.join(", ")), Span { start: line_end, end: line_end })
        }
        ErrorKind::MissingSubcommand => {
            let what = if std::ptr::eq(node, &tree) { "command" } else { "operation" };
            (format!("aws: error: the following arguments are required: {what}"), Span { start: line_end, end: line_end })
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let arg = context_str(e, ContextKind::InvalidArg).unwrap_or_default();
            let flag = arg.split(' ').next().unwrap_or(&arg).to_owned();
            let value = context_str(e, ContextKind::InvalidValue).unwrap_or_default();
            let valid = context_str(e, ContextKind::ValidValue).unwrap_or_default();
            if value.is_empty() {
                (format!("aws: error: argument {flag}: expected one argument"), span_of(&flag))
            } else {
                (format!("aws: error: argument {flag}: Invalid choice: '{value}' (choose from {valid})"), span_of(&value))
            }
        }
        _ => {
            let bad = context_str(e, ContextKind::InvalidArg).unwrap_or_default();
            let first = e.to_string().lines().next().unwrap_or("invalid command").trim_start_matches("error: ").to_owned();
            (format!("aws: error: {first}"), span_of(&bad))
        }
    };
    ParseError { message, span, footer: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grammar::line;

    fn parse_line(text: &str) -> Result<Parsed, ParseError> {
        let script = line::parse_line(text).expect("line parses");
        let words = &script.first.expect("a pipeline").commands[0].words;
        let args: Vec<Arg> = words
            .iter()
            .map(|w| Arg {
                text: w
                    .parts
                    .iter()
                    .map(|p| match &p.kind {
                        line::WordPart::Literal(t) => t.clone(),
                        _ => String::new(),
                    })
                    .collect(),
                span: w.span.clone(),
            })
            .collect();
        parse(&args[1..], args[0].span.clone())
    }

    #[test]
    fn tutorial_lines_parse() {
        for text in [
            "aws ecr get-login-password",
            "aws ecr get-login-password --profile dev --region eu-west-2",
            "aws ecr get-login --no-include-email --region us-east-1",
            "aws ecr create-repository --repository-name apache-app --image-scanning-configuration scanOnPush=true",
            "aws ecr describe-repositories",
            "aws ecr list-images --repository-name apache-app",
            "aws ecr batch-delete-image --repository-name apache-app --image-ids imageTag=latest",
            "aws ecr delete-repository --repository-name apache-app",
            "aws sts get-caller-identity",
            "aws configure",
            "aws configure list",
        ] {
            assert!(matches!(parse_line(text), Ok(Parsed::Command(_))), "{text}");
        }
    }

    #[test]
    fn errors_are_worded_as_the_aws_cli_words_them() {
        let render = |text: &str| match parse_line(text) {
            Err(e) => e.render(text),
            Ok(_) => panic!("{text} parsed"),
        };
        insta::assert_snapshot!(render("aws ecr create-repository"), @r"
        aws: error: the following arguments are required: --repository-name
          aws ecr create-repository
                                   ^
        ");
        insta::assert_snapshot!(render("aws ecr list-images --repository apache-app"), @r"
        Unknown options: --repository
          aws ecr list-images --repository apache-app
                              ^^^^^^^^^^^^
        ");
    }
}
