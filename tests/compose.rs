//! `docker compose`: the project read and rendered as Compose does
//! (`config`), its services run on a network of their own, reaching each
//! other by name, and gone with `down`.

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
    let run = lab.run(&format!("docker compose -f '{file}' run web true"));
    assert_eq!((run.stderr.as_str(), run.code), ("`docker compose run` is not supported by Whaleshell yet: config, up -d, ps, logs, exec and down are.\n", 1));
    let up = lab.command().env("GREETING", "hi").args(["-c", &format!("docker compose -f '{file}' up")]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&up.stderr).starts_with("`docker compose up` in the foreground is not supported by Whaleshell yet: use `docker compose up -d`")
    );
    lab.assert_clean();
}

#[test]
fn up_ps_logs_exec_and_down_run_a_projects_services_that_reach_each_other_by_name_and_leave_nothing() {
    let lab = Lab::new();
    let compose = "services:\n  web:\n    image: busybox\n    command: httpd -f -p 80 -h /www\n    init: true\n    volumes: [./site:/www:ro, data:/data]\n  client:\n    image: busybox\n    command: sh -c 'echo hello from client; exec sleep 1000'\n    init: true\n    depends_on: [web]\nvolumes:\n  data:\n";
    let dir = project(&lab, "shop", &[("compose.yaml", compose)]);
    std::fs::create_dir(dir.join("site")).unwrap();
    std::fs::write(dir.join("site/index.html"), "hello from web\n").unwrap();
    let in_dir = |line: &str| lab.run(&format!("cd '{}' && {line}", dir.display()));
    assert_eq!(lab.run("docker pull busybox").code, 0);
    let up = in_dir("docker compose up -d");
    assert_eq!(up.code, 0, "{}", up.stderr);
    insta::assert_snapshot!("up", up.stderr);
    let ps = in_dir("docker compose ps");
    let header: Vec<&str> = ps.stdout.lines().next().unwrap_or_default().split_whitespace().collect();
    assert_eq!(header, ["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"]);
    let rows: Vec<(&str, &str)> = ps
        .stdout
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .map(|w| (w[0], w[w.iter().position(|x| x.ends_with('"')).unwrap() + 1]))
        .collect();
    assert_eq!(rows, [("shop-client-1", "client"), ("shop-web-1", "web")], "{}", ps.stdout);
    // The client reaches the web service by its name, on the project's network.
    let fetched = in_dir("docker compose exec client wget -qO- http://web/");
    assert_eq!((fetched.stdout.as_str(), fetched.code), ("hello from web\n", 0), "{}", fetched.stderr);
    assert_eq!(in_dir("docker compose exec -T client sh -c 'exit 3'").code, 3);
    lab.wait_until("the client printed its greeting", || lab.run("docker logs shop-client-1").stdout.contains("hello"));
    assert_eq!(in_dir("docker compose logs client").stdout, "client-1  | hello from client\n");
    assert_eq!(
        lab.run("docker inspect -f '{{index .Config.Labels \"com.docker.compose.service\"}} {{.HostConfig.NetworkMode}}' shop-web-1").stdout,
        "web shop_default\n"
    );
    // Up again: nothing new.
    let again = in_dir("docker compose up -d");
    assert_eq!(again.stderr, " Container shop-web-1  Running\n Container shop-client-1  Running\n");
    let down = in_dir("docker compose down -v");
    assert_eq!(down.code, 0, "{}", down.stderr);
    insta::assert_snapshot!("down", down.stderr);
    assert!(lab.container_ids().is_empty());
    assert_eq!(lab.run("docker volume ls -q").stdout, "");
    assert_eq!(lab.run("docker network ls -q -f name=shop").stdout, "");
    lab.assert_clean();
}

#[test]
fn a_service_key_whaleshell_cannot_honour_is_refused_by_name_before_anything_is_made() {
    let lab = Lab::new();
    let dir = project(&lab, "odd", &[("compose.yaml", "services:\n  web:\n    image: busybox\n    dns: [1.1.1.1]\n")]);
    let up = lab.run(&format!("cd '{}' && docker compose up -d", dir.display()));
    assert_eq!((up.stderr.as_str(), up.code), ("service \"web\": `dns` is not supported by Whaleshell yet\n", 1));
    assert!(lab.container_ids().is_empty());
    assert_eq!(lab.run("docker network ls -q -f name=odd").stdout, "");
    lab.assert_clean();
}
