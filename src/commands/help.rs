//! `help` and `help COMMAND`.

use crate::grammar::docker::command_tree;
use crate::grammar::Arg;
use crate::io::Io;

const INTRO: &str = "Whaleshell runs your docker commands on real containers, right here.";

const OVERVIEW: &str = "\
Try:
  docker run --rm busybox:latest /bin/echo \"Hello Docker\"
  docker run -it --rm busybox
  docker run docker/whalesay cowsay Hello Docker

Amazon ECR (real AWS with your keys, or the local lab):
  lab ecr up | down | status       a local ECR on this machine, no account needed
  aws ecr create-repository --repository-name NAME
  aws ecr get-login-password | docker login --username AWS --password-stdin ACCOUNT.dkr.ecr.REGION.amazonaws.com
  aws ecr list-images --repository-name NAME
  aws sts get-caller-identity, aws configure    ('aws help', 'aws ecr help')

Learning:
  lessons, lesson N   guided lessons on these real containers
  explain             what the last docker command really did
  explain image busybox, explain container NAME   pictures of what they are

Shell:
  a | b, a && b, a; b, $(...), $VAR, 'quotes' and \"quotes\" work as in sh;
  other words (echo, grep, curl ...) run as programs of this machine.
  help COMMAND   details of one docker command, e.g. 'help run'
  exit, Ctrl-D   leave";

pub fn run(args: &[Arg], io: &mut Io<'_>) -> i32 {
    let words: Vec<&str> = args.iter().map(|a| a.text.as_str()).filter(|w| *w != "docker").collect();
    if words.is_empty() {
        io.out(format!("{INTRO}\n\n{}\n{OVERVIEW}", docker_commands()));
        return 0;
    }
    let mut tree = command_tree();
    let mut node = &mut tree;
    for word in &words {
        match node.find_subcommand_mut(word) {
            Some(sub) => node = sub,
            None => {
                io.err(format!("help: no help for '{}': try 'help' for the list of commands", words.join(" ")));
                return 1;
            }
        }
    }
    io.out(node.render_help().to_string().trim_end());
    0
}

/// Every docker command there is, from the grammar itself (so the list is
/// never behind it), as Docker's own help groups them.
fn docker_commands() -> String {
    let tree = command_tree();
    let visible: Vec<&clap::Command> = tree.get_subcommands().filter(|c| !c.is_hide_set()).collect();
    let width = visible.iter().map(|c| c.get_name().len()).max().unwrap_or(0);
    let line = |c: &&clap::Command| format!("  docker {:width$}   {}\n", c.get_name(), c.get_about().map(|a| a.to_string()).unwrap_or_default());
    let (groups, commands): (Vec<&clap::Command>, Vec<&clap::Command>) = visible.iter().partition(|c| c.has_subcommands());
    let mut out = String::from("Docker commands:\n");
    out.extend(commands.iter().map(line));
    out.push_str("\nManagement commands (docker container ls, docker image rm …):\n");
    out.extend(groups.iter().map(line));
    out
}
