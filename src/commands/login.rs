//! `docker login` / `docker logout`: credentials checked against the
//! registry, then kept in Docker's `config.json`.

use std::io::{BufRead, IsTerminal, Write};

use whaleshell_runtime::reference::DEFAULT_DOMAIN;
use whaleshell_runtime::registry::Credentials;
use whaleshell_runtime::Runtime;

use crate::credentials;
use crate::grammar::docker::{LoginArgs, LogoutArgs};
use crate::io::{Input, Io};

/// `https://host/` or `host` → `host`.
fn server_name(server: Option<&str>) -> String {
    let s = server.unwrap_or(DEFAULT_DOMAIN);
    s.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/').to_owned()
}

pub fn login(rt: &Runtime, args: &LoginArgs, io: &mut Io<'_>) -> i32 {
    let server = server_name(args.server.as_deref());
    if server == DEFAULT_DOMAIN || server == "index.docker.io" {
        io.err("Docker Hub is not reachable from here (no network): Whaleshell's hub is offline and needs no login. Log in to a registry by its address, e.g. docker login localhost:5000");
        return 1;
    }
    if args.password.is_some() && args.password_stdin {
        io.err("--password and --password-stdin are mutually exclusive");
        return 1;
    }
    if args.password.is_some() {
        io.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
    }
    let username = match &args.username {
        Some(u) => u.clone(),
        None => match prompt("Username: ", io) {
            Some(u) => u,
            None => {
                io.err("Error: Cannot perform an interactive login from a non TTY device");
                return 1;
            }
        },
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
        match prompt("Password: ", io) {
            Some(p) => p,
            None => {
                io.err("Error: Cannot perform an interactive login from a non TTY device");
                return 1;
            }
        }
    };
    if password.is_empty() {
        io.err("Error: Password Required");
        return 1;
    }
    let creds = Credentials { username, password };
    if let Err(e) = rt.check_login(&server, &creds) {
        io.err(format!("Error response from daemon: {e}"));
        return 1;
    }
    if let Err(e) = credentials::store(&server, &creds) {
        io.err(format!("Error saving credentials: {e}"));
        return 1;
    }
    io.err(format!(
        "WARNING! Your password will be stored unencrypted in {}.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/engine/reference/commandline/login/#credential-stores\n",
        credentials::config_path().display()
    ));
    io.out("Login Succeeded");
    0
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

pub fn logout(args: &LogoutArgs, io: &mut Io<'_>) -> i32 {
    let server = server_name(args.server.as_deref());
    match credentials::remove(&server) {
        Ok(true) => {
            io.out(format!("Removing login credentials for {server}"));
            0
        }
        Ok(false) => {
            io.out(format!("Not logged in to {server}"));
            0
        }
        Err(e) => {
            io.err(format!("Error: {e}"));
            1
        }
    }
}
