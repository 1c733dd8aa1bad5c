//! The `aws` commands and the local ECR lab: moto's server, Debian's
//! docker-registry and the lab's front, started per test on 127.0.0.1 with
//! a temporary HOME. The instance metadata service is never asked.

mod common;

use common::{Lab, Run};

/// A lab with the local ECR lab up; stops it (and checks it left no process) when dropped.
struct EcrLab {
    lab: Lab,
    pids: Vec<i32>,
}

const HOST: &str = "123456789012.dkr.ecr.eu-west-2.amazonaws.com";

impl EcrLab {
    fn up() -> EcrLab {
        let lab = Lab::new();
        let up = lab.command().args(["lab", "ecr", "up"]).output().expect("lab ecr up");
        assert!(up.status.success(), "lab ecr up: {}", String::from_utf8_lossy(&up.stderr));
        let layout = lab.runtime().layout;
        let state = whaleshell_ecr::lab::status(&layout).expect("lab running after up");
        let pids: Vec<i32> = state.processes.iter().map(|p| p.pid).collect();
        // Every server runs under the lab's pids limit.
        let cgroup = whaleshell_ecr::lab::lab_cgroup(&layout);
        assert_eq!(cgroup.pids_max(), Some(whaleshell_ecr::lab::LAB_PIDS_LIMIT.to_string()));
        let held = cgroup.procs();
        assert!(pids.iter().all(|p| held.contains(p)), "lab processes {pids:?}, in its cgroup {held:?}");
        EcrLab { lab, pids }
    }

    fn run(&self, line: &str) -> Run {
        self.lab.run(line)
    }

    fn login(&self) {
        let login = self.run(&format!("aws ecr get-login-password --region eu-west-2 | docker login --username AWS --password-stdin {HOST}"));
        assert_eq!((login.stdout.as_str(), login.code), ("Login Succeeded\n", 0), "{}", login.stderr);
    }
}

impl Drop for EcrLab {
    fn drop(&mut self) {
        let down = self.lab.command().args(["lab", "ecr", "down"]).output().expect("lab ecr down");
        if std::thread::panicking() {
            return;
        }
        assert!(down.status.success());
        for pid in &self.pids {
            assert!(whaleshell_runtime::process::start_time(*pid).is_none(), "lab process {pid} still runs after down");
        }
        assert!(!self.lab.root().join("lab/ecr").exists(), "lab state left after down");
        let cgroup = whaleshell_ecr::lab::lab_cgroup(&self.lab.runtime().layout);
        assert!(!cgroup.exists(), "lab cgroup left after down: {:?}", cgroup.dirs());
    }
}

/// Snapshots without what varies: dates, ports.
macro_rules! assert_aws_snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => vec![
            (r"\d{4}-\d\d-\d\dT[0-9:.]+\+00:00", "[DATE]"),
            (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        ]}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}

#[test]
fn the_tutorials_ecr_sequence_runs_as_written() {
    let ecr = EcrLab::up();
    let who = ecr.run("aws sts get-caller-identity");
    assert_eq!(who.code, 0, "{}", who.stderr);
    assert!(who.stdout.contains("\"Account\": \"123456789012\""), "{}", who.stdout);
    assert!(who.stderr.contains("local ECR lab") && who.stderr.contains("not real AWS"), "every aws command says it is the lab: {}", who.stderr);

    let create = ecr.run("aws ecr create-repository --repository-name apache-app --image-scanning-configuration scanOnPush=true --region eu-west-2");
    assert_eq!(create.code, 0, "{}", create.stderr);
    assert_aws_snapshot!("create_repository", create.stdout);
    let describe = ecr.run("aws ecr describe-repositories --region eu-west-2 --query 'repositories[].repositoryUri' --output text");
    assert_eq!(describe.stdout, format!("{HOST}/apache-app\n"));

    ecr.login();
    assert_eq!(ecr.run(&format!("docker pull busybox && docker tag busybox:latest {HOST}/apache-app")).code, 0);
    let push = ecr.run(&format!("docker push {HOST}/apache-app"));
    assert_eq!(push.code, 0, "{}", push.stderr);
    assert_normalized_snapshot!("ecr_push_first", push.stdout);
    let again = ecr.run(&format!("docker push {HOST}/apache-app"));
    assert!(again.stdout.contains(": Layer already exists\n"), "a second push sends no layer: {}", again.stdout);

    // What the registry got is what the API lists, digest for digest.
    let pushed_digest = push.stdout.split("digest: ").nth(1).and_then(|t| t.split(' ').next()).unwrap().to_owned();
    let listed = ecr.run("aws ecr list-images --repository-name apache-app --region eu-west-2");
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(
        listed.stdout,
        format!("{{\n    \"imageIds\": [\n        {{\n            \"imageDigest\": \"{pushed_digest}\",\n            \"imageTag\": \"latest\"\n        }}\n    ]\n}}\n")
    );

    // ECR's image size: the compressed layers', not the config's (moto's).
    let described = ecr.run("aws ecr describe-images --repository-name apache-app --region eu-west-2 --query 'imageDetails[0].imageSizeInBytes'");
    let image = ecr.lab.runtime().images.resolve("busybox").unwrap();
    let layers: u64 = image.layers.iter().map(|l| std::fs::metadata(ecr.lab.runtime().layout.blob(&l.digest)).unwrap().len()).sum();
    assert_eq!(described.stdout, format!("{layers}\n"), "{}", described.stderr);

    let table = ecr.run("aws ecr list-images --repository-name apache-app --region eu-west-2 --output table");
    // The digest varies with the host's busybox; a same-length stand-in keeps the columns.
    assert_aws_snapshot!("list_images_table", table.stdout.replace(&pushed_digest, &format!("sha256:{}", "0".repeat(64))));

    let pull = ecr.run(&format!("docker rmi {HOST}/apache-app && docker pull {HOST}/apache-app:latest"));
    assert_eq!(pull.code, 0, "{}", pull.stderr);
    assert!(pull.stdout.contains(&format!("Status: Downloaded newer image for {HOST}/apache-app:latest")), "{}", pull.stdout);

    let delete = ecr.run("aws ecr batch-delete-image --repository-name apache-app --image-ids imageTag=latest --region eu-west-2");
    assert_eq!(delete.code, 0, "{}", delete.stderr);
    assert!(delete.stdout.contains("\"failures\": []"), "{}", delete.stdout);
    assert_eq!(ecr.run("aws ecr list-images --repository-name apache-app --region eu-west-2").stdout, "{\n    \"imageIds\": []\n}\n");
    let gone = ecr.run(&format!("docker rmi {HOST}/apache-app && docker pull {HOST}/apache-app:latest"));
    assert_eq!(gone.code, 1);
    assert!(
        gone.stderr
            .ends_with(&format!("Error response from daemon: manifest for {HOST}/apache-app:latest not found: manifest unknown: Requested image not found\n")),
        "{}",
        gone.stderr
    );
    let missing_tag = ecr.run("aws ecr batch-delete-image --repository-name apache-app --image-ids imageTag=latest --region eu-west-2");
    assert!(missing_tag.stdout.contains("\"failureCode\": \"ImageNotFound\""), "{}", missing_tag.stdout);

    let drop_repo = ecr.run("aws ecr delete-repository --repository-name apache-app --region eu-west-2");
    assert_eq!(drop_repo.code, 0, "{}", drop_repo.stderr);
    let after = ecr.run("aws ecr describe-repositories --repository-names apache-app --region eu-west-2");
    assert_eq!(after.code, 254);
    assert!(after.stderr.ends_with("\nAn error occurred (RepositoryNotFoundException) when calling the DescribeRepositories operation: The repository with name 'apache-app' does not exist in the registry with id '123456789012'\n"), "{}", after.stderr);
    ecr.lab.assert_clean();
}

#[test]
fn ecr_refuses_what_ecr_refuses() {
    let ecr = EcrLab::up();
    assert_eq!(ecr.run(&format!("docker pull busybox && docker tag busybox {HOST}/never-created")).code, 0);
    let anonymous = ecr.run(&format!("docker push {HOST}/never-created"));
    assert_eq!((anonymous.stderr.as_str(), anonymous.code), ("no basic auth credentials\n", 1));
    ecr.login();
    let push = ecr.run(&format!("docker push {HOST}/never-created"));
    assert_eq!(push.code, 1);
    assert_eq!(push.stderr, "name unknown: The repository with name 'never-created' does not exist in the registry with id '123456789012'\n");

    let wrong = ecr.run(&format!("docker login -u AWS -p not-a-token {HOST}"));
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.ends_with(&format!("Error response from daemon: login attempt to https://{HOST}/v2/ failed with status: 401 Unauthorized\n")),
        "{}",
        wrong.stderr
    );

    assert_eq!(ecr.run("aws ecr create-repository --repository-name app --region eu-west-2").code, 0);
    let expired = ecr.lab.command().args(["lab", "ecr", "expire-tokens"]).output().unwrap();
    assert!(expired.status.success());
    assert_eq!(ecr.run(&format!("docker tag busybox {HOST}/app")).code, 0);
    let denied = ecr.run(&format!("docker push {HOST}/app"));
    assert_eq!(denied.code, 1);
    assert_eq!(denied.stderr, "denied: Your authorization token has expired. Reauthenticate and try again.\n");
    // A new token works again, with no restart.
    ecr.login();
    assert_eq!(ecr.run(&format!("docker push {HOST}/app")).code, 0);
}

#[test]
fn get_login_prints_a_docker_login_that_eval_runs() {
    let ecr = EcrLab::up();
    let v1 = ecr.run("aws ecr get-login --region eu-west-2");
    assert_eq!(v1.code, 0, "{}", v1.stderr);
    assert!(v1.stdout.starts_with("docker login -u AWS -p eyJwYXlsb2FkIjoi"), "ECR's token shape: {}", v1.stdout);
    assert!(v1.stdout.ends_with(&format!(" -e none https://{HOST}\n")), "{}", v1.stdout);
    assert!(v1.stderr.contains("AWS CLI v2 removed `aws ecr get-login`"), "{}", v1.stderr);
    let eval = ecr.run("eval $(aws ecr get-login --no-include-email --region eu-west-2)");
    assert_eq!((eval.stdout.as_str(), eval.code), ("Login Succeeded\n", 0), "{}", eval.stderr);
    assert!(eval.stderr.contains("WARNING! Using --password via the CLI is insecure. Use --password-stdin."), "{}", eval.stderr);
}

#[test]
fn without_credentials_or_region_the_aws_cli_says_so() {
    let lab = Lab::new();
    let no_region = lab.run("aws sts get-caller-identity");
    assert_eq!(no_region.code, 253);
    assert!(
        no_region.stderr.starts_with("\nYou must specify a region. You can also configure your region by running \"aws configure\".\n"),
        "{}",
        no_region.stderr
    );
    let no_creds = lab.run("aws ecr describe-repositories --region us-east-1");
    assert_eq!(no_creds.code, 253);
    assert!(
        no_creds.stderr.starts_with("\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n"),
        "{}",
        no_creds.stderr
    );
    assert!(no_creds.stderr.contains("lab ecr up"), "points at the lab: {}", no_creds.stderr);
}

#[test]
fn aws_configure_writes_the_files_the_sdk_reads() {
    let ecr = EcrLab::up();
    let configure = ecr.run("printf 'AKIAEXAMPLEKEY123456\\nwJalrXUtnFEMI/EXAMPLEKEY\\neu-west-2\\njson\\n' | aws configure");
    assert_eq!(configure.code, 0, "{}", configure.stderr);
    assert_eq!(configure.stdout, "AWS Access Key ID [None]: \nAWS Secret Access Key [None]: \nDefault region name [None]: \nDefault output format [None]: \n");
    let home = ecr.lab.root().join("home/.aws");
    assert_eq!(
        std::fs::read_to_string(home.join("credentials")).unwrap(),
        "[default]\naws_access_key_id = AKIAEXAMPLEKEY123456\naws_secret_access_key = wJalrXUtnFEMI/EXAMPLEKEY\n"
    );
    assert_eq!(std::fs::read_to_string(home.join("config")).unwrap(), "[default]\noutput = json\nregion = eu-west-2\n");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(home.join("credentials")).unwrap().permissions()) & 0o777;
    assert_eq!(mode, 0o600);
    insta::assert_snapshot!("configure_list", ecr.run("aws configure list").stdout.replace(&ecr.lab.root().display().to_string(), "ROOT"));
    // The SDK now signs with the learner's key and region.
    let who = ecr.run("aws sts get-caller-identity --query Account --output text");
    assert_eq!(who.stdout, "123456789012\n", "{}", who.stderr);
    let region = ecr.run("aws ecr create-repository --repository-name r --query repository.repositoryUri --output text");
    assert_eq!(region.stdout, format!("{HOST}/r\n"), "the region comes from ~/.aws/config: {}", region.stderr);
}

#[test]
fn aws_errors_point_at_the_word() {
    let lab = Lab::new();
    let missing = lab.run("aws ecr create-repository");
    assert_eq!(missing.code, 252);
    insta::assert_snapshot!("aws_missing_argument", missing.stderr);
    let typo = lab.run("aws ecr crete-repository --repository-name x");
    assert_eq!(typo.code, 252);
    assert!(typo.stderr.contains("maybe you meant:\n\n  * create-repository"), "{}", typo.stderr);
    let shorthand = lab.run("aws ecr batch-delete-image --repository-name x --image-ids latest");
    assert_eq!(shorthand.code, 252);
    assert_eq!(shorthand.stderr, "\nError parsing parameter '--image-ids': Expected: imageTag=TAG or imageDigest=DIGEST, received: 'latest'\n");
}

#[test]
fn lifecycle_policies_and_scans_are_kept_per_repository() {
    let ecr = EcrLab::up();
    ecr.login();
    assert_eq!(ecr.run("aws ecr create-repository --repository-name app --image-scanning-configuration scanOnPush=true --region eu-west-2").code, 0);
    assert_eq!(ecr.run(&format!("docker pull busybox && docker tag busybox {HOST}/app && docker push {HOST}/app")).code, 0);
    let policy = r#"{"rules":[{"rulePriority":1,"description":"keep 5","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":5},"action":{"type":"expire"}}]}"#;
    std::fs::write(ecr.lab.root().join("policy.json"), policy).unwrap();
    let put = ecr.run(&format!(
        "aws ecr put-lifecycle-policy --repository-name app --lifecycle-policy-text file://{} --region eu-west-2",
        ecr.lab.root().join("policy.json").display()
    ));
    assert_eq!(put.code, 0, "{}", put.stderr);
    let got = ecr.run("aws ecr get-lifecycle-policy --repository-name app --region eu-west-2 --query lifecyclePolicyText --output text");
    assert_eq!(got.stdout.trim(), policy);
    assert_eq!(ecr.run("aws ecr start-image-scan --repository-name app --image-id imageTag=latest --region eu-west-2").code, 0);
    let findings = ecr.run("aws ecr describe-image-scan-findings --repository-name app --image-id imageTag=latest --region eu-west-2");
    assert_eq!(findings.code, 0, "{}", findings.stderr);
    assert!(!findings.stdout.contains("CVE-9999-9999"), "the emulator's made-up finding is not shown: {}", findings.stdout);
    assert!(findings.stdout.contains("no vulnerability database"), "{}", findings.stdout);
}

#[test]
fn the_profile_login_of_the_tutorial_runs_across_lines() {
    let ecr = EcrLab::up();
    let missing = ecr.run("aws ecr get-login-password --profile dev");
    assert_eq!(missing.code, 255);
    assert!(missing.stderr.ends_with("\nThe config profile (dev) could not be found\n"), "{}", missing.stderr);
    let aws = ecr.lab.root().join("home/.aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(aws.join("credentials"), "[dev]\naws_access_key_id = AKIADEVEXAMPLE000001\naws_secret_access_key = devsecret\n").unwrap();
    std::fs::write(aws.join("config"), "[profile dev]\nregion = us-east-1\n").unwrap();
    // As the tutorial writes it: a variable, and one command over five lines.
    let script = "ECR_REGISTRY=123456789012.dkr.ecr.us-east-1.amazonaws.com\naws ecr get-login-password --profile dev \\\n\t| docker login \\\n\t\t--username AWS \\\n\t\t--password-stdin \\\n\t\t$ECR_REGISTRY\n";
    let login = ecr.lab.run_stdin(script);
    assert_eq!((login.stdout.as_str(), login.code), ("Login Succeeded\n", 0), "{}", login.stderr);
    let config = std::fs::read_to_string(ecr.lab.root().join("docker-config/config.json")).unwrap();
    assert!(config.contains("123456789012.dkr.ecr.us-east-1.amazonaws.com"), "{config}");
}

#[test]
fn an_instance_role_or_personal_keys_as_the_tutorial_contrasts() {
    let ecr = EcrLab::up();
    let state = whaleshell_ecr::lab::status(&ecr.lab.runtime().layout).unwrap();
    let identity = |cmd: &mut std::process::Command| {
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    // No keys: the lab's "instance" answers with its role, through its own
    // metadata service on 127.0.0.1 (never AWS's 169.254.169.254).
    let lab_instance =
        identity(ecr.lab.command().env_remove("AWS_EC2_METADATA_DISABLED").args(["-c", "aws sts get-caller-identity --query Arn --output text"]));
    assert_eq!(lab_instance, "arn:aws:sts::123456789012:assumed-role/ecsInstanceRole/i-0be11ab5c0ffee000");
    // The SDK's own default chain, outside the lab's settings, finds the same
    // role when the metadata endpoint is the lab's (as on an ECS host).
    let default_chain = identity(
        ecr.lab
            .command()
            .env_remove("AWS_EC2_METADATA_DISABLED")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", state.imds_url())
            .args(["-c", &format!("aws sts get-caller-identity --endpoint-url {} --region eu-west-2 --query Arn --output text", state.api_url())]),
    );
    assert_eq!(default_chain, lab_instance);
    // Personal keys come first in the chain.
    let keys = identity(
        ecr.lab
            .command()
            .env("AWS_ACCESS_KEY_ID", "AKIAPERSONAL00000001")
            .env("AWS_SECRET_ACCESS_KEY", "s")
            .args(["-c", "aws sts get-caller-identity --query Arn --output text"]),
    );
    assert_eq!(keys, "arn:aws:sts::123456789012:user/moto");
}

#[test]
fn a_lab_the_shell_started_stops_when_the_shell_ends() {
    let lab = Lab::new();
    let run = lab.run("lab ecr up > /dev/null && aws sts get-caller-identity --query Account --output text");
    assert_eq!((run.stdout.as_str(), run.code), ("123456789012\n", 0), "{}", run.stderr);
    // `down` removes the lab's directory only once its processes are gone.
    assert!(!lab.root().join("lab/ecr").exists(), "the lab outlived the shell that started it");
    let leftovers = std::process::Command::new("pgrep").args(["-f", &lab.root().display().to_string()]).output().unwrap();
    assert!(leftovers.stdout.is_empty(), "lab processes left: {}", String::from_utf8_lossy(&leftovers.stdout));
}

#[test]
fn a_killed_shell_takes_its_lab_with_it() {
    use std::io::BufRead;
    let lab = Lab::new();
    let mut shell = lab.command().stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut stdin = shell.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, b"lab ecr up\n").unwrap();
    let mut out = std::io::BufReader::new(shell.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("Local ECR lab running") {
        line.clear();
        assert_ne!(out.read_line(&mut line).unwrap(), 0, "the shell ended before the lab came up");
    }
    let state = whaleshell_ecr::lab::status(&lab.runtime().layout).expect("lab up");
    // No `down`, no Drop: the kernel's parent-death signal must stop the lab.
    shell.kill().unwrap();
    shell.wait().unwrap();
    for p in &state.processes {
        assert!(whaleshell_runtime::process::wait_exit_timeout(p.pid, Some(std::time::Duration::from_secs(20))), "{} outlived its shell", p.name);
    }
    let down = lab.command().args(["lab", "ecr", "down"]).output().unwrap();
    assert!(down.status.success());
    drop(stdin);
}

/// A learner in pt-BR reads the lab's own lines in Portuguese too.
#[test]
fn the_lab_speaks_the_learners_language() {
    let lab = Lab::new();
    let status = lab.command().args(["--lang", "pt-BR", "-c", "lab ecr status"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&status.stdout), "O laboratório ECR local não está rodando. `lab ecr up` o inicia.\n");
    assert_eq!(status.status.code(), Some(3));
    let english = lab.run("lab ecr status");
    assert_eq!((english.stdout.as_str(), english.code), ("The local ECR lab is not running. `lab ecr up` starts it.\n", 3));
}
