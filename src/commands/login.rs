//! `docker login` / `docker logout`: credentials checked against the
//! registry, then kept in Docker's `config.json`.

use std::io::{BufRead, IsTerminal, Write};

use whaleshell_runtime::reference::DEFAULT_DOMAIN;
use whaleshell_runtime::registry::Credentials;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::credentials;
use crate::grammar::docker::{LoginArgs, LogoutArgs};
use crate::io::{Input, Io};

/// `https://host/` or `host` → `host`.
fn server_name(server: Option<&str>) -> String {
    let s = server.unwrap_or(DEFAULT_DOMAIN);
    s.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/').to_owned()
}

const NO_TTY: &str = "Error: Cannot perform an interactive login from a non TTY device";

pub fn login(rt: &Runtime, args: &LoginArgs, io: &mut Io<'_>) -> CommandResult {
    let server = server_name(args.server.as_deref());
    if server == DEFAULT_DOMAIN || server == "index.docker.io" {
        return Err(CommandError::Client("Docker Hub is not reachable from here (no network): Whaleshell's hub is offline and needs no login. Log in to a registry by its address, e.g. docker login localhost:5000".into()));
    }
    if args.password.is_some() && args.password_stdin {
        return Err(CommandError::Client("--password and --password-stdin are mutually exclusive".into()));
    }
    if args.password.is_some() {
        io.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
    }
    let username = match &args.username {
        Some(u) => u.clone(),
        None => prompt("Username: ", io).ok_or_else(|| CommandError::Client(NO_TTY.into()))?,
    };
    let password = if args.password_stdin {
        match std::mem::replace(&mut io.stdin, Input::Terminal) {
            Input::Bytes(bytes) => String::from_utf8_lossy(&bytes).trim_end_matches(['\n', '\r']).to_owned(),
            Input::Terminal => {
                let mut line = String::new();
                let _ = std::io::stdin().lock().read_line(&mut line);
                line.trim_end_matches(['\n', '\r']).to_owned()
            }
        }
    } else if let Some(p) = &args.password {
        p.clone()
    } else {
        prompt("Password: ", io).ok_or_else(|| CommandError::Client(NO_TTY.into()))?
    };
    if password.is_empty() {
        return Err(CommandError::Client("Error: Password Required".into()));
    }
    let creds = Credentials { username, password };
    rt.check_login(&server, &creds)?;
    credentials::store(&server, &creds).map_err(|e| CommandError::Client(format!("Error saving credentials: {e}")))?;
    io.err(format!(
        "WARNING! Your password will be stored unencrypted in {}.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/engine/reference/commandline/login/#credential-stores\n",
        credentials::config_path().display()
    ));
    io.out("Login Succeeded");
    Ok(0)
}

/// Asks on the terminal; None when there is none.
fn prompt(question: &str, io: &mut Io<'_>) -> Option<String> {
    if !matches!(io.stdin, Input::Terminal) || !std::io::stdin().is_terminal() {
        return None;
    }
    let _ = write!(io.stdout, "{question}");
    let _ = io.stdout.flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).ok()?;
    Some(line.trim_end_matches(['\n', '\r']).to_owned())
}

pub fn logout(args: &LogoutArgs, io: &mut Io<'_>) -> CommandResult {
    let server = server_name(args.server.as_deref());
    if credentials::remove(&server).map_err(|e| CommandError::Client(format!("Error: {e}")))? {
        io.out(format!("Removing login credentials for {server}"));
    } else {
        io.out(format!("Not logged in to {server}"));
    }
    Ok(0)
}
