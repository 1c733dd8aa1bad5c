//! The instructions that change only the image config (ENV, LABEL, CMD,
//! ENTRYPOINT, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK,
//! SHELL, ONBUILD, MAINTAINER, ARG): their arguments expanded where Docker
//! expands them, checked as Docker checks them, and the history line
//! Docker's classic builder writes for each.

use crate::build::dockerfile::{Command, Instruction};
use crate::build::shell_word::{go_quote, process_word, process_words, Vars};
use crate::go_time::format_duration;
use crate::image::config::{ContainerConfig, Empty};

pub const DEFAULT_SHELL: [&str; 2] = ["/bin/sh", "-c"];

/// What a step's arguments are expanded with.
pub struct Scope<'a> {
    pub vars: &'a Vars,
    pub escape: char,
    /// A CMD came earlier in this stage (ENTRYPOINT keeps it then).
    pub cmd_set: bool,
}

impl Scope<'_> {
    pub fn word(&self, text: &str) -> Result<String, String> {
        process_word(text, self.vars, self.escape)
    }
}

/// What applying a config-only instruction did.
pub struct Applied {
    /// The history line after the shell: `#(nop)  ENV A=1`.
    pub nop: String,
    /// Printed before the step's result, as Docker prints it.
    pub note: Option<String>,
}

/// The shell a shell-form command runs under (SHELL, or `/bin/sh -c`).
pub fn shell(config: &ContainerConfig) -> Vec<String> {
    config.shell.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| DEFAULT_SHELL.map(str::to_owned).to_vec())
}

/// A shell-form command under the shell; an exec form as it is.
pub fn command_args(command: &Command, shell: &[String]) -> Vec<String> {
    match command {
        Command::Shell(s) if s.is_empty() => shell.to_vec(),
        Command::Shell(s) => shell.iter().cloned().chain([s.clone()]).collect(),
        Command::Exec(v) => v.clone(),
    }
}

/// Go's `%q` of a string slice: `["a" "b"]`.
fn quoted_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|i| go_quote(i)).collect::<Vec<_>>().join(" "))
}

/// Applies `instruction` to `config`. Errors are Docker's texts.
pub fn apply(config: &mut ContainerConfig, instruction: &Instruction, scope: &Scope<'_>) -> Result<Applied, String> {
    let nop = |text: String| Ok(Applied { nop: format!("#(nop)  {text}"), note: None });
    match instruction {
        Instruction::Env(pairs) => {
            let pairs = expand_pairs(pairs, scope)?;
            let env = config.env.get_or_insert_with(Vec::new);
            for (key, value) in &pairs {
                let entry = format!("{key}={value}");
                // Docker replaces a variable where it is, or adds it at the end.
                match env.iter_mut().find(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k) == key) {
                    Some(existing) => *existing = entry,
                    None => env.push(entry),
                }
            }
            nop(format!("ENV {}", join_pairs(&pairs)))
        }
        Instruction::Label(pairs) => {
            let pairs = expand_pairs(pairs, scope)?;
            let labels = config.labels.get_or_insert_with(Default::default);
            for (key, value) in &pairs {
                labels.insert(key.clone(), value.clone());
            }
            nop(format!("LABEL {}", join_pairs(&pairs)))
        }
        Instruction::Cmd(command) => {
            let args = command_args(command, &shell(config));
            let text = format!("CMD {}", quoted_list(&args));
            config.cmd = Some(args);
            nop(text)
        }
        Instruction::Entrypoint(command) => {
            let args = command_args(command, &shell(config));
            let text = format!("ENTRYPOINT {}", quoted_list(&args));
            config.entrypoint = Some(args);
            // A CMD from the base image does not survive a new ENTRYPOINT; one from this stage does.
            if !scope.cmd_set {
                config.cmd = None;
            }
            nop(text)
        }
        Instruction::Workdir(dir) => {
            let dir = scope.word(dir)?;
            let current = config.working_dir.clone().unwrap_or_default();
            let joined = if dir.starts_with('/') { dir } else { format!("/{current}/{dir}") };
            let clean = clean_path(&joined);
            config.working_dir = Some(clean.clone());
            Ok(Applied { nop: format!("#(nop) WORKDIR {clean}"), note: None })
        }
        Instruction::User(user) => {
            let user = scope.word(user)?;
            config.user = Some(user.clone());
            nop(format!("USER {user}"))
        }
        Instruction::Expose(ports) => {
            let mut specs = Vec::new();
            for p in ports {
                specs.extend(process_words(p, scope.vars, scope.escape)?);
            }
            let exposed = config.exposed_ports.get_or_insert_with(Default::default);
            for spec in &specs {
                for port in exposed_ports(spec)? {
                    exposed.insert(port, Empty {});
                }
            }
            nop(format!("EXPOSE {}", specs.join(" ")))
        }
        Instruction::Volume(paths) => {
            let mut all = Vec::new();
            for p in paths {
                let path = scope.word(p)?;
                if path.trim().is_empty() {
                    return Err("VOLUME specified can not be an empty string".into());
                }
                all.push(path);
            }
            let volumes = config.volumes.get_or_insert_with(Default::default);
            for p in &all {
                volumes.insert(p.clone(), Empty {});
            }
            nop(format!("VOLUME [{}]", all.join(" ")))
        }
        Instruction::StopSignal(signal) => {
            let signal = scope.word(signal)?;
            let number_ok = signal.parse::<i64>().is_ok_and(|n| n != 0);
            if !number_ok && crate::process::parse_signal(&signal).is_none() {
                return Err(format!("Invalid signal: {signal}"));
            }
            config.stop_signal = Some(signal.clone());
            nop(format!("STOPSIGNAL {signal}"))
        }
        Instruction::Healthcheck(check) => {
            let note = config
                .healthcheck
                .as_ref()
                .filter(|old| old.test.first().is_some_and(|t| t != "NONE"))
                .map(|old| format!("Note: overriding previous HEALTHCHECK: [{}]", old.test.join(" ")));
            config.healthcheck = Some(check.clone());
            // Go's %q of Docker's HealthConfig struct.
            let text = format!(
                "HEALTHCHECK &{{{} {} {} {} {}}}",
                quoted_list(&check.test),
                go_quote(&format_duration(check.interval)),
                go_quote(&format_duration(check.timeout)),
                go_quote(&format_duration(check.start_period)),
                go_rune(check.retries)
            );
            Ok(Applied { nop: format!("#(nop)  {text}"), note })
        }
        Instruction::Shell(shell) => {
            config.shell = Some(shell.clone());
            nop(format!("SHELL [{}]", shell.join(" ")))
        }
        Instruction::Onbuild(trigger) => {
            config.on_build.get_or_insert_with(Vec::new).push(trigger.clone());
            nop(format!("ONBUILD {trigger}"))
        }
        Instruction::Maintainer(who) => nop(format!("MAINTAINER {who}")),
        Instruction::Arg(args) => {
            nop(format!("ARG {}", args.iter().map(|(k, v)| v.as_ref().map_or(k.clone(), |v| format!("{k}={v}"))).collect::<Vec<_>>().join(" ")))
        }
        Instruction::From { .. } | Instruction::Run { .. } | Instruction::Copy { .. } | Instruction::Add { .. } => Err("not a config instruction".into()),
    }
}

fn expand_pairs(pairs: &[(String, String)], scope: &Scope<'_>) -> Result<Vec<(String, String)>, String> {
    pairs.iter().map(|(k, v)| Ok((scope.word(k)?, scope.word(v)?))).collect()
}

fn join_pairs(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
}

/// `80`, `443/udp`, `8000-8002/tcp` → Docker's `port/proto` keys.
fn exposed_ports(spec: &str) -> Result<Vec<String>, String> {
    let (ports, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let proto = proto.to_ascii_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("Invalid proto: {proto}"));
    }
    let invalid = || format!("Invalid containerPort: {ports}");
    let (start, end) = match ports.split_once('-') {
        Some((a, b)) => (a.parse::<u16>().map_err(|_| invalid())?, b.parse::<u16>().map_err(|_| invalid())?),
        None => {
            let p = ports.parse::<u16>().map_err(|_| invalid())?;
            (p, p)
        }
    };
    if end < start {
        return Err(invalid());
    }
    Ok((start..=end).map(|p| format!("{p}/{proto}")).collect())
}

/// Go's `%q` of a small integer, as Docker's history shows HEALTHCHECK's retries.
fn go_rune(n: u64) -> String {
    match char::from_u32(n as u32) {
        Some(c) if (0x20..0x7f).contains(&n) && c != '\'' && c != '\\' => format!("'{c}'"),
        _ if n < 0x80 => format!("'\\x{n:02x}'"),
        _ => format!("'\\u{n:04x}'"),
    }
}

/// `/a//b/./c/../d` → `/a/b/d`, as Go's `filepath.Clean`.
fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::config::Healthcheck;

    fn applied(config: &mut ContainerConfig, instruction: Instruction, vars: &Vars) -> String {
        apply(config, &instruction, &Scope { vars, escape: '\\', cmd_set: false }).unwrap().nop
    }

    /// The reference's example: `def` gets the value before the instruction, `ghi` after.
    #[test]
    fn env_sees_the_values_before_its_own_instruction() {
        let mut config = ContainerConfig::default();
        let mut vars = Vars::new();
        let pair = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        for pairs in [vec![pair("abc", "hello")], vec![pair("abc", "bye"), pair("def", "$abc")], vec![pair("ghi", "$abc")]] {
            applied(&mut config, Instruction::Env(pairs), &vars);
            vars = config.env.iter().flatten().filter_map(|e| e.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        }
        assert_eq!(config.env.unwrap(), ["abc=bye", "def=hello", "ghi=bye"]);
    }

    /// The history lines Docker 20.10 wrote for the same instructions.
    #[test]
    fn history_as_docker_writes_it() {
        let mut config = ContainerConfig::default();
        let vars: Vars = [("abc".to_owned(), "bye".to_owned())].into();
        assert_eq!(applied(&mut config, Instruction::Workdir("/w/$abc".into()), &vars), "#(nop) WORKDIR /w/bye");
        assert_eq!(applied(&mut config, Instruction::Expose(vec!["80".into(), "443/udp".into()]), &vars), "#(nop)  EXPOSE 80 443/udp");
        assert_eq!(applied(&mut config, Instruction::Volume(vec!["/data".into(), "[\"/logs\"]".into()]), &vars), "#(nop)  VOLUME [/data [/logs]]");
        let check = Healthcheck {
            test: vec!["CMD-SHELL".into(), "wget -q localhost || exit 1".into()],
            interval: 5_000_000_000,
            timeout: 3_000_000_000,
            start_period: 2_000_000_000,
            retries: 4,
        };
        assert_eq!(
            applied(&mut config, Instruction::Healthcheck(check), &vars),
            "#(nop)  HEALTHCHECK &{[\"CMD-SHELL\" \"wget -q localhost || exit 1\"] \"5s\" \"3s\" \"2s\" '\\x04'}"
        );
        assert_eq!(applied(&mut config, Instruction::Shell(vec!["/bin/sh".into(), "-ec".into()]), &vars), "#(nop)  SHELL [/bin/sh -ec]");
        assert_eq!(applied(&mut config, Instruction::Cmd(Command::Shell("echo hi".into())), &vars), "#(nop)  CMD [\"/bin/sh\" \"-ec\" \"echo hi\"]");
        assert_eq!(config.cmd.as_deref(), Some(&["/bin/sh".to_owned(), "-ec".to_owned(), "echo hi".to_owned()][..]));
        assert_eq!(config.volumes.as_ref().map(|v| v.keys().cloned().collect::<Vec<_>>()), Some(vec!["/data".to_owned(), "[/logs]".to_owned()]));
        assert_eq!(config.exposed_ports.as_ref().map(|v| v.keys().cloned().collect::<Vec<_>>()), Some(vec!["443/udp".to_owned(), "80/tcp".to_owned()]));
    }

    #[test]
    fn refusals_as_docker_words_them() {
        let vars = Vars::new();
        let refuse = |i: Instruction| apply(&mut ContainerConfig::default(), &i, &Scope { vars: &vars, escape: '\\', cmd_set: false }).err();
        assert_eq!(refuse(Instruction::StopSignal("FOO".into())).as_deref(), Some("Invalid signal: FOO"));
        assert_eq!(refuse(Instruction::StopSignal("usr1".into())), None);
        assert_eq!(refuse(Instruction::StopSignal("9".into())), None);
        assert_eq!(refuse(Instruction::Expose(vec!["80/xyz".into()])).as_deref(), Some("Invalid proto: xyz"));
        assert_eq!(refuse(Instruction::Expose(vec!["abc".into()])).as_deref(), Some("Invalid containerPort: abc"));
    }

    #[test]
    fn workdirs_join_and_clean() {
        let mut config = ContainerConfig { working_dir: Some("/app".into()), ..Default::default() };
        applied(&mut config, Instruction::Workdir("sub/../src".into()), &Vars::new());
        assert_eq!(config.working_dir.as_deref(), Some("/app/src"));
    }
}
