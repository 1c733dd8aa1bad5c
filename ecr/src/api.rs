//! The ECR and STS APIs through the AWS SDK (aws-sdk-ecr, aws-sdk-sts,
//! aws-config). Credentials and region come the AWS way — environment,
//! `~/.aws/config` and `~/.aws/credentials` profiles, an instance role —
//! or, when the local lab runs, the lab's endpoint and (failing the
//! learner's own) the lab's credentials.
//!
//! Each call also returns the service's raw JSON answer, which is what the
//! AWS CLI prints: its keys in the service's order.

use std::sync::{Arc, Mutex};

use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::BehaviorVersion;
use aws_sdk_ecr::types::{ImageIdentifier, ImageScanningConfiguration, ImageTagMutability};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

use crate::state::{self as lab, LabState};

/// Where and as whom to call: the AWS CLI's global options.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

/// An image by tag or digest (`imageTag=T`, `imageDigest=D`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageId {
    pub tag: Option<String>,
    pub digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcrCall {
    GetAuthorizationToken,
    CreateRepository { name: String, scan_on_push: Option<bool>, tag_mutability: Option<String> },
    DescribeRepositories { names: Vec<String> },
    DeleteRepository { name: String, force: bool },
    ListImages { repository: String },
    DescribeImages { repository: String, image_ids: Vec<ImageId> },
    BatchDeleteImage { repository: String, image_ids: Vec<ImageId> },
    PutLifecyclePolicy { repository: String, text: String },
    GetLifecyclePolicy { repository: String },
    StartImageScan { repository: String, image_id: ImageId },
    DescribeImageScanFindings { repository: String, image_id: ImageId },
}

impl EcrCall {
    /// The operation's name, as AWS CLI errors say it.
    pub fn operation(&self) -> &'static str {
        match self {
            EcrCall::GetAuthorizationToken => "GetAuthorizationToken",
            EcrCall::CreateRepository { .. } => "CreateRepository",
            EcrCall::DescribeRepositories { .. } => "DescribeRepositories",
            EcrCall::DeleteRepository { .. } => "DeleteRepository",
            EcrCall::ListImages { .. } => "ListImages",
            EcrCall::DescribeImages { .. } => "DescribeImages",
            EcrCall::BatchDeleteImage { .. } => "BatchDeleteImage",
            EcrCall::PutLifecyclePolicy { .. } => "PutLifecyclePolicy",
            EcrCall::GetLifecyclePolicy { .. } => "GetLifecyclePolicy",
            EcrCall::StartImageScan { .. } => "StartImageScan",
            EcrCall::DescribeImageScanFindings { .. } => "DescribeImageScanFindings",
        }
    }
}

/// What the service answered.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The JSON body as sent (for STS, which answers in XML, built from the typed output).
    pub json: String,
    pub region: String,
    /// For GetAuthorizationToken: the registry password and its registry.
    pub login: Option<Login>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub password: String,
    /// `https://<acct>.dkr.ecr.<region>.amazonaws.com`
    pub proxy_endpoint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error("An error occurred ({code}) when calling the {operation} operation: {message}")]
    Service { code: String, operation: String, message: String },
    #[error("Unable to locate credentials. You can configure credentials by running \"aws configure\".")]
    NoCredentials,
    #[error("You must specify a region. You can also configure your region by running \"aws configure\".")]
    NoRegion,
    #[error("Could not connect to the endpoint URL: \"{0}\"")]
    Connect(String),
    #[error("{0}")]
    Other(String),
}

/// Keeps the raw body of the last answer (after the SDK read it whole).
#[derive(Debug, Clone, Default)]
struct RawBody(Arc<Mutex<Option<Vec<u8>>>>);

impl Intercept for RawBody {
    fn name(&self) -> &'static str {
        "WhaleshellRawBody"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let (Some(bytes), Ok(mut slot)) = (context.response().body().bytes(), self.0.lock()) {
            *slot = Some(bytes.to_vec());
        }
        Ok(())
    }
}

/// The lab, unless an endpoint was asked for (`--endpoint-url`, `AWS_ENDPOINT_URL`).
pub fn lab_in_use<'a>(options: &AwsOptions, lab: Option<&'a LabState>) -> Option<&'a LabState> {
    lab.filter(|_| options.endpoint_url.is_none() && std::env::var_os("AWS_ENDPOINT_URL").is_none())
}

/// The SDK's configuration for these options: the lab's when it runs (and
/// no endpoint was asked for), else AWS's default chains.
async fn sdk_config(options: &AwsOptions, lab: Option<&LabState>) -> Result<aws_config::SdkConfig, AwsError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &options.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    let lab = lab_in_use(options, lab);
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(lab) = lab {
        // The learner's own keys if they have some (the lab checks no
        // signatures), else the lab instance's role through its metadata
        // service, else the lab's keys; never AWS's metadata address.
        let mut profile = aws_config::profile::ProfileFileCredentialsProvider::builder();
        let mut profile_region = aws_config::profile::ProfileFileRegionProvider::builder();
        if let Some(name) = &options.profile {
            profile = profile.profile_name(name);
            profile_region = profile_region.profile_name(name);
        }
        let mut chain = CredentialsProviderChain::first_try("Environment", aws_config::environment::EnvironmentVariableCredentialsProvider::new())
            .or_else("Profile", profile.build());
        if let Ok(imds) = aws_config::imds::client::Client::builder().endpoint(lab.imds_url()) {
            chain = chain.or_else("LabInstanceRole", aws_config::imds::credentials::ImdsCredentialsProvider::builder().imds_client(imds.build()).build());
        }
        let chain =
            chain.or_else("WhaleshellLab", aws_sdk_ecr::config::Credentials::new(lab::ACCESS_KEY_ID, lab::SECRET_ACCESS_KEY, None, None, "whaleshell-lab"));
        // The region without the default chain, which would ask AWS's metadata address.
        let region = match &options.region {
            Some(r) => aws_config::Region::new(r.clone()),
            None => {
                use aws_config::meta::region::ProvideRegion;
                let from_env = aws_config::environment::EnvironmentVariableRegionProvider::new().region().await;
                let from_profile = match from_env {
                    Some(r) => Some(r),
                    None => profile_region.build().region().await,
                };
                from_profile.unwrap_or_else(|| aws_config::Region::new(lab::DEFAULT_REGION))
            }
        };
        loader = loader.endpoint_url(lab.api_url()).credentials_provider(chain).region(region);
    }
    let config = loader.load().await;
    if config.region().is_some() {
        return Ok(config);
    }
    match lab {
        Some(_) => Ok(config.into_builder().region(aws_config::Region::new(lab::DEFAULT_REGION)).build()),
        None => Err(AwsError::NoRegion),
    }
}

fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, AwsError> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| AwsError::Other(e.to_string()))?;
    Ok(rt.block_on(future))
}

fn sdk_error<E>(operation: &str, endpoint: &str, e: aws_sdk_ecr::error::SdkError<E, aws_smithy_runtime_api::http::Response>) -> AwsError
where
    E: aws_sdk_ecr::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_ecr::error::SdkError;
    if let SdkError::ServiceError(service) = &e {
        let err = service.err();
        return AwsError::Service {
            code: err.code().unwrap_or("Unknown").to_owned(),
            operation: operation.to_owned(),
            message: err.message().unwrap_or_default().to_owned(),
        };
    }
    if no_credentials(&e) {
        AwsError::NoCredentials
    } else if matches!(e, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)) {
        AwsError::Connect(endpoint.to_owned())
    } else {
        AwsError::Other(aws_smithy_types::error::display::DisplayErrorContext(&e).to_string())
    }
}

/// Whether the SDK gave up because no provider in the chain had credentials.
fn no_credentials(e: &(dyn std::error::Error + 'static)) -> bool {
    use aws_credential_types::provider::error::CredentialsError;
    let mut cause = Some(e);
    while let Some(err) = cause {
        if matches!(err.downcast_ref::<CredentialsError>(), Some(CredentialsError::CredentialsNotLoaded(_))) {
            return true;
        }
        cause = err.source();
    }
    false
}

fn image_identifier(id: &ImageId) -> ImageIdentifier {
    ImageIdentifier::builder().set_image_tag(id.tag.clone()).set_image_digest(id.digest.clone()).build()
}

/// The endpoint the SDK will call, for error messages.
fn endpoint_of(config: &aws_config::SdkConfig, service: &str, region: &str) -> String {
    config.endpoint_url().map(str::to_owned).unwrap_or_else(|| format!("https://{service}.{region}.amazonaws.com/"))
}

/// Calls one ECR operation.
pub fn ecr(options: &AwsOptions, lab: Option<&LabState>, call: &EcrCall) -> Result<Answer, AwsError> {
    block_on(ecr_async(options, lab, call))?
}

async fn ecr_async(options: &AwsOptions, lab: Option<&LabState>, call: &EcrCall) -> Result<Answer, AwsError> {
    let config = sdk_config(options, lab).await?;
    let region = config.region().map(|r| r.to_string()).unwrap_or_default();
    let endpoint = endpoint_of(&config, "api.ecr", &region);
    let raw = RawBody::default();
    let client = aws_sdk_ecr::Client::from_conf(aws_sdk_ecr::config::Builder::from(&config).interceptor(raw.clone()).build());
    let op = call.operation();
    let mut login = None;
    match call {
        EcrCall::GetAuthorizationToken => {
            let out = client.get_authorization_token().send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
            let data = out.authorization_data().first().ok_or_else(|| AwsError::Other("no authorization data in the answer".into()))?;
            let token = data.authorization_token().unwrap_or_default();
            let decoded = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, token).map_err(|e| AwsError::Other(format!("bad token: {e}")))?;
            let text = String::from_utf8_lossy(&decoded);
            let password = text.split_once(':').map(|(_, p)| p.to_owned()).unwrap_or_default();
            login = Some(Login { password, proxy_endpoint: data.proxy_endpoint().unwrap_or_default().to_owned() });
        }
        EcrCall::CreateRepository { name, scan_on_push, tag_mutability } => {
            let mut req = client.create_repository().repository_name(name);
            if let Some(scan) = scan_on_push {
                req = req.image_scanning_configuration(ImageScanningConfiguration::builder().scan_on_push(*scan).build());
            }
            if let Some(m) = tag_mutability {
                req = req.image_tag_mutability(ImageTagMutability::from(m.as_str()));
            }
            req.send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
        }
        EcrCall::DescribeRepositories { names } => {
            let mut req = client.describe_repositories();
            for n in names {
                req = req.repository_names(n);
            }
            req.send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
        }
        EcrCall::DeleteRepository { name, force } => {
            client.delete_repository().repository_name(name).force(*force).send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
        }
        EcrCall::ListImages { repository } => {
            client.list_images().repository_name(repository).send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
        }
        EcrCall::DescribeImages { repository, image_ids } => {
            let mut req = client.describe_images().repository_name(repository);
            for id in image_ids {
                req = req.image_ids(image_identifier(id));
            }
            req.send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
        }
        EcrCall::BatchDeleteImage { repository, image_ids } => {
            let mut req = client.batch_delete_image().repository_name(repository);
            for id in image_ids {
                req = req.image_ids(image_identifier(id));
            }
            req.send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
        }
        EcrCall::PutLifecyclePolicy { repository, text } => {
            client.put_lifecycle_policy().repository_name(repository).lifecycle_policy_text(text).send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
        }
        EcrCall::GetLifecyclePolicy { repository } => {
            client.get_lifecycle_policy().repository_name(repository).send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
        }
        EcrCall::StartImageScan { repository, image_id } => {
            client.start_image_scan().repository_name(repository).image_id(image_identifier(image_id)).send().await.map_err(|e| sdk_error(op, &endpoint, e))?;
        }
        EcrCall::DescribeImageScanFindings { repository, image_id } => {
            client
                .describe_image_scan_findings()
                .repository_name(repository)
                .image_id(image_identifier(image_id))
                .send()
                .await
                .map_err(|e| sdk_error(op, &endpoint, e))?;
        }
    }
    let json = raw.0.lock().ok().and_then(|mut b| b.take()).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_else(|| "{}".into());
    Ok(Answer { json, region, login })
}

/// `sts get-caller-identity`. STS answers in XML; the AWS CLI prints its fields as JSON.
pub fn caller_identity(options: &AwsOptions, lab: Option<&LabState>) -> Result<Answer, AwsError> {
    block_on(async {
        let config = sdk_config(options, lab).await?;
        let region = config.region().map(|r| r.to_string()).unwrap_or_default();
        let endpoint = endpoint_of(&config, "sts", &region);
        let client = aws_sdk_sts::Client::new(&config);
        let out = client.get_caller_identity().send().await.map_err(|e| sdk_error("GetCallerIdentity", &endpoint, e))?;
        // The AWS CLI's key order for this answer.
        let json = format!(
            "{{\"UserId\": {}, \"Account\": {}, \"Arn\": {}}}",
            serde_json::Value::from(out.user_id().unwrap_or_default()),
            serde_json::Value::from(out.account().unwrap_or_default()),
            serde_json::Value::from(out.arn().unwrap_or_default()),
        );
        Ok(Answer { json, region, login: None })
    })?
}
