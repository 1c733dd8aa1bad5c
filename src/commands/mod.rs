//! One file per docker subcommand: typed command in, runtime call, output
//! shaped like Docker's.

pub mod attach;
pub mod aws;
pub mod build;
pub mod commit;
pub mod compose;
pub mod cp;
pub mod create;
pub mod diff;
pub mod events;
pub mod exec;
pub mod export;
pub mod help;
pub mod history;
pub mod images;
pub mod import;
pub mod info;
pub mod inspect;
pub mod kill;
pub mod lab;
pub mod load;
pub mod login;
pub mod logs;
pub mod network;
pub mod pause;
pub mod port;
pub mod prune;
pub mod ps;
pub mod pull;
pub mod push;
pub mod rename;
pub mod resource_flags;
pub mod rm;
pub mod rmi;
pub mod run;
pub mod save;
pub mod start;
pub mod stats;
pub mod stop;
pub mod system;
pub mod tag;
pub mod top;
pub mod update;
pub mod version;
pub mod volume;
pub mod wait;

pub mod error;

use whaleshell_runtime::Runtime;

use self::error::{report, CommandError};
use crate::grammar::docker::{self, Docker, Parsed};
use crate::grammar::{Arg, Span};
use crate::io::Io;
use crate::last_command::RunOutcome;

/// What a `docker …` line did, for the shell's record of it.
pub struct DockerOutcome {
    /// None when the line did not parse (or asked for help).
    pub command: Option<Docker>,
    pub status: i32,
    pub run: Option<RunOutcome>,
}

/// Parses and runs `docker …`.
pub fn docker(rt: &Runtime, line: &str, docker_span: Span, args: &[Arg], io: &mut Io<'_>) -> DockerOutcome {
    let command = match docker::parse(args, docker_span) {
        Ok(Parsed::Command(c)) => c,
        Ok(Parsed::Help(text)) => {
            io.out(text);
            return DockerOutcome { command: None, status: 0, run: None };
        }
        Err(e) => {
            let rendered = e.render(line);
            let client = e.message.contains("is not a docker command") || e.is_arity_error();
            let error = if client { CommandError::Client(rendered) } else { CommandError::Usage(rendered) };
            return DockerOutcome { command: None, status: report(Err(error), io), run: None };
        }
    };
    let mut run = None;
    let result = match &command {
        Docker::Run(a) => {
            let (result, outcome) = run::run(rt, a, io);
            run = outcome;
            result
        }
        Docker::Create(a) => create::run(rt, a, io),
        Docker::Wait(a) => wait::run(rt, a, io),
        Docker::Version(a) => version::run(rt, a, io),
        Docker::Info(a) => info::run(rt, a, io),
        Docker::Rename(a) => rename::run(rt, a, io),
        Docker::Diff(a) => diff::run(rt, a, io),
        Docker::Cp(a) => cp::run(rt, a, io),
        Docker::Export(a) => export::run(rt, a, io),
        Docker::Import(a) => import::run(rt, a, io),
        Docker::Ps(a) => ps::run(rt, a, io),
        Docker::Images(a) => images::run(rt, a, io),
        Docker::Pull(a) => pull::run(rt, a, io),
        Docker::Rm(a) => rm::run(rt, a, io),
        Docker::Rmi(a) => rmi::run(rt, a, io),
        Docker::Exec(a) => exec::run(rt, a, io),
        Docker::Logs(a) => logs::run(rt, a, io),
        Docker::Stop(a) => stop::run(rt, a, io),
        Docker::Restart(a) => stop::restart(rt, a, io),
        Docker::Kill(a) => kill::run(rt, a, io),
        Docker::Start(a) => start::run(rt, a, io),
        Docker::Attach(a) => attach::run(rt, a, io),
        Docker::Pause(a) => pause::pause(rt, a, io),
        Docker::Unpause(a) => pause::unpause(rt, a, io),
        Docker::Update(a) => update::update(rt, a, io),
        Docker::Stats(a) => stats::run(rt, a, io),
        Docker::Events(a) => events::run(rt, a, io),
        Docker::Inspect(a) => inspect::run(rt, a, io),
        Docker::Top(a) => top::run(rt, a, io),
        Docker::ContainerPrune(a) => prune::containers(rt, a, io),
        Docker::Volume(v) => volume::run(rt, v, io),
        Docker::Network(n) => network::run(rt, n, io),
        Docker::Compose(c) => compose::run(rt, c, io),
        Docker::Port(a) => port::run(rt, a, io),
        Docker::System(c) => system::run(rt, c, io),
        Docker::ImagePrune(a) => system::image_prune(rt, a, io),
        Docker::History(a) => history::run(rt, a, io),
        Docker::Tag(a) => tag::run(rt, a, io),
        Docker::Commit(a) => commit::run(rt, a, io),
        Docker::Build(a) => build::run(rt, a, io),
        Docker::Save(a) => save::run(rt, a, io),
        Docker::Load(a) => load::run(rt, a, io),
        Docker::Login(a) => login::login(rt, a, io),
        Docker::Logout(a) => login::logout(a, io),
        Docker::Push(a) => push::run(rt, a, io),
    };
    let status = report(result, io);
    DockerOutcome { command: Some(command), status, run }
}
