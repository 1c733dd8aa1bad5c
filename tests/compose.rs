//! `docker compose`: the project read and rendered as Compose does
//! (`config`), and the commands that wait for networks saying so.

mod common;

use common::Lab;

/// A project folder in the lab with these files; its path.
fn project(lab: &Lab, folder: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = lab.root().join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

const TWO_SERVICES: &str = r#"services:
  web:
    image: "busybox:${TAG:-latest}"
    command: httpd -f -p 8080
    ports:
      - "127.0.0.1:8080:8080"
      - "9000/udp"
    env_file: web.env
    environment:
      - MODE=dev
      - DEBUG
    volumes:
      - ./site:/www:ro
      - data:/data
    depends_on: [client]
    labels:
      team: blue
  client:
    image: busybox
    command: ["sh", "-c", "echo ${GREETING:?say hello}; sleep 1000 $$HOME"]
    restart: always
    networks: [back]
volumes:
  data:
networks:
  back:
"#;

#[test]
fn config_renders_the_project_in_composes_canonical_form() {
    let lab = Lab::new();
    let dir = project(&lab, "My App", &[("compose.yaml", TWO_SERVICES), (".env", "TAG=1.36\nGREETING=hello\n"), ("web.env", "FROM_FILE=yes\nMODE=prod\n")]);
    let config = lab.run(&format!("cd '{}' && docker compose config", dir.display()));
    assert_eq!(config.code, 0, "{}", config.stderr);
    insta::assert_snapshot!("config", config.stdout.replace(&dir.display().to_string(), "PROJECT"));
    let services = lab.run(&format!("docker compose -f '{}/compose.yaml' config --services", dir.display()));
    assert_eq!(services.stdout, "client\nweb\n");
    let volumes = lab.run(&format!("docker compose -f '{}/compose.yaml' -p other config --volumes", dir.display()));
    assert_eq!(volumes.stdout, "data\n");
    lab.assert_clean();
}

#[test]
fn config_says_what_is_wrong_with_a_project() {
    let lab = Lab::new();
    let dir = project(&lab, "app", &[("compose.yaml", TWO_SERVICES), ("web.env", "")]);
    let file = format!("{}/compose.yaml", dir.display());
    // A required variable unset, another defaulted with Compose's warning.
    let unset = lab.run(&format!("docker compose -f '{file}' config -q"));
    assert_eq!((unset.stderr.as_str(), unset.code), ("required variable GREETING is missing a value: say hello\n", 1));
    let empty = lab.run(&format!("cd '{}' && docker compose config", lab.root().display()));
    assert_eq!((empty.stderr.as_str(), empty.code), ("no configuration file provided: not found\n", 1));
    let bad_name = lab.command().env("GREETING", "hi").args(["-c", &format!("docker compose -f '{file}' -p My_App config -q")]).output().unwrap();
    let stderr = String::from_utf8_lossy(&bad_name.stderr);
    assert!(stderr.starts_with("invalid project name \"My_App\": must consist only of lowercase"), "{stderr}");
    std::fs::write(dir.join("broken.yaml"), "services:\n  web:\n    ports: 8080\n").unwrap();
    let broken = lab.run(&format!("docker compose -f '{}/broken.yaml' config", dir.display()));
    assert_eq!(broken.code, 1);
    assert!(broken.stderr.starts_with("validating "), "{}", broken.stderr);
    let up = lab.run(&format!("docker compose -f '{file}' up -d"));
    assert_eq!(up.code, 1);
    assert!(up.stderr.starts_with("`docker compose up` is not supported by Whaleshell yet"), "{}", up.stderr);
    lab.assert_clean();
}
