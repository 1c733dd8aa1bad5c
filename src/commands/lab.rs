//! `lab ecr up|down|status|expire-tokens`: the local ECR lab (see
//! `whaleshell_ecr::lab`), from the REPL or as `whaleshell lab …`.

use whaleshell_ecr::lab::{self, LabEvent, Lifetime, ACCOUNT, DEFAULT_REGION, INSTANCE_ROLE};
use whaleshell_runtime::Runtime;

use crate::grammar::Arg;
use crate::io::Io;

const USAGE: &str = "usage: lab ecr up|down|status|expire-tokens";

/// Runs `lab WORDS…`; true in the second value when it started the lab.
/// A lab started with `lifetime` ThisProcess ends with this process.
pub fn run(rt: &Runtime, args: &[&str], lifetime: Lifetime, locale: &str, io: &mut Io<'_>) -> (i32, bool) {
    let pt = locale == "pt-BR";
    match args {
        ["ecr", "up"] => match up_for(rt, lifetime, locale, io) {
            Ok(started) => (0, started),
            Err(()) => (1, false),
        },
        ["ecr", "down"] => match lab::down(&rt.layout) {
            Ok(true) => {
                io.out(if pt {
                    "Laboratório ECR local parado; seus repositórios e imagens foram apagados."
                } else {
                    "Local ECR lab stopped; its repositories and images are gone."
                });
                (0, false)
            }
            Ok(false) => {
                io.out(if pt { "O laboratório ECR local não está rodando." } else { "The local ECR lab is not running." });
                (0, false)
            }
            Err(e) => {
                io.err(format!("lab ecr down: {e}"));
                (1, false)
            }
        },
        ["ecr", "status"] => match lab::status(&rt.layout) {
            Some(state) => {
                describe(&state, locale, io);
                (0, false)
            }
            None => {
                io.out(if pt {
                    "O laboratório ECR local não está rodando. `lab ecr up` o inicia."
                } else {
                    "The local ECR lab is not running. `lab ecr up` starts it."
                });
                (3, false)
            }
        },
        ["ecr", "expire-tokens"] => match lab::expire_tokens(&rt.layout) {
            Ok(n) => {
                io.out(format!("{n} authorization token(s) of the local ECR lab now count as expired (as after 12 hours)."));
                (0, false)
            }
            Err(e) => {
                io.err(format!("lab ecr expire-tokens: {e}"));
                (1, false)
            }
        },
        _ => {
            io.err(USAGE);
            (2, false)
        }
    }
}

pub fn run_builtin(rt: &Runtime, args: &[Arg], locale: &str, io: &mut Io<'_>) -> (i32, bool) {
    let words: Vec<&str> = args.iter().map(|a| a.text.as_str()).collect();
    run(rt, &words, Lifetime::ThisProcess, locale, io)
}

/// Starts the lab for this shell unless it runs; true when this call started it.
pub fn up(rt: &Runtime, locale: &str, io: &mut Io<'_>) -> Result<bool, ()> {
    up_for(rt, Lifetime::ThisProcess, locale, io)
}

fn up_for(rt: &Runtime, lifetime: Lifetime, locale: &str, io: &mut Io<'_>) -> Result<bool, ()> {
    let pt = locale == "pt-BR";
    if let Some(state) = lab::status(&rt.layout) {
        describe(&state, locale, io);
        return Ok(false);
    }
    let out = &mut *io.stdout;
    let result = lab::up_for(&rt.layout, lifetime, &mut |event| {
        let line = match (event, pt) {
            (LabEvent::Installing(what), false) => format!("Installing {what} (once)…"),
            (LabEvent::Installing(what), true) => format!("Instalando {what} (uma vez só)…"),
            (LabEvent::Starting(what), false) => format!("Starting {what}…"),
            (LabEvent::Starting(what), true) => format!("Iniciando {what}…"),
        };
        let _ = std::io::Write::write_all(out, format!("{line}\n").as_bytes());
    });
    match result {
        Ok(state) => {
            describe(&state, locale, io);
            Ok(true)
        }
        Err(e) => {
            io.err(format!("lab ecr up: {e}"));
            Err(())
        }
    }
}

fn describe(state: &lab::LabState, locale: &str, io: &mut Io<'_>) {
    if locale == "pt-BR" {
        io.out(format!(
            "Laboratório ECR local rodando (não é a AWS de verdade):\n  API da AWS   {api}   (aws ecr …, aws sts …)\n  registry     {ACCOUNT}.dkr.ecr.<região>.amazonaws.com → {registry}\n  conta        {ACCOUNT}, região padrão {DEFAULT_REGION}\n  credenciais  as suas (aws configure), senão o papel {INSTANCE_ROLE} desta \"instância\" (serviço de metadados {imds})\n`lab ecr down` o para e esquece seus repositórios.",
            api = state.api_url(),
            registry = state.registry_host(),
            imds = state.imds_url(),
        ));
        return;
    }
    io.out(format!(
        "Local ECR lab running (not real AWS):\n  AWS API      {api}   (aws ecr …, aws sts …)\n  registry     {ACCOUNT}.dkr.ecr.<region>.amazonaws.com → {registry}\n  account      {ACCOUNT}, default region {DEFAULT_REGION}\n  credentials  yours (aws configure), else this \"instance\"'s role {INSTANCE_ROLE} (metadata service {imds})\n`lab ecr down` stops it and forgets its repositories.",
        api = state.api_url(),
        registry = state.registry_host(),
        imds = state.imds_url(),
    ));
}

/// The line every `aws` call prints while it goes to the lab, on stderr.
pub fn notice(locale: &str, api_port: u16) -> String {
    if locale == "pt-BR" {
        format!("[laboratório ECR local em 127.0.0.1:{api_port} — não é a AWS de verdade. Para a AWS de verdade: `lab ecr down`, depois `aws configure` com as suas chaves.]")
    } else {
        format!("[local ECR lab on 127.0.0.1:{api_port} — not real AWS. For real AWS: `lab ecr down`, then `aws configure` with your keys.]")
    }
}
