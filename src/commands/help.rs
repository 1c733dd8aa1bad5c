//! `help` and `help COMMAND`.

use crate::grammar::docker::command_tree;
use crate::grammar::Arg;
use crate::io::Io;

/// The words of the overview in one locale; Docker's own command summaries
/// stay as its CLI prints them, with a Portuguese gloss in pt-BR.
struct Words {
    intro: &'static str,
    overview: &'static str,
    commands: &'static str,
    management: &'static str,
    no_help: &'static str,
}

const EN: Words = Words {
    intro: "Whaleshell runs your docker commands on real containers, right here.",
    overview: OVERVIEW,
    commands: "Docker commands:",
    management: "Management commands (docker container ls, docker image rm …):",
    no_help: "try 'help' for the list of commands",
};

const PT_BR: Words = Words {
    intro: "O Whaleshell roda os seus comandos docker em contêineres de verdade, aqui mesmo.",
    overview: OVERVIEW_PT_BR,
    commands: "Comandos do Docker:",
    management: "Comandos de gerenciamento (docker container ls, docker image rm …):",
    no_help: "digite 'help' para ver a lista de comandos",
};

/// pt-BR summaries of the commands `help` lists.
const SUMMARIES_PT_BR: &[(&str, &str)] = &[
    ("run", "Cria e roda um contêiner novo a partir de uma imagem"),
    ("create", "Cria um contêiner novo"),
    ("wait", "Espera um ou mais contêineres pararem e imprime os códigos de saída"),
    ("rename", "Renomeia um contêiner"),
    ("diff", "Mostra o que mudou nos arquivos de um contêiner"),
    ("cp", "Copia arquivos e pastas entre um contêiner e a máquina"),
    ("export", "Exporta o sistema de arquivos de um contêiner como um arquivo tar"),
    ("import", "Importa o conteúdo de um tar como uma imagem"),
    ("ps", "Lista os contêineres"),
    ("images", "Lista as imagens"),
    ("pull", "Baixa uma imagem de um registry"),
    ("rm", "Remove um ou mais contêineres"),
    ("rmi", "Remove uma ou mais imagens"),
    ("exec", "Executa um comando num contêiner que está rodando"),
    ("logs", "Mostra os logs de um contêiner"),
    ("stop", "Para um ou mais contêineres"),
    ("kill", "Mata um ou mais contêineres"),
    ("start", "Inicia um ou mais contêineres parados"),
    ("restart", "Reinicia um ou mais contêineres"),
    ("attach", "Liga o seu terminal à entrada e às saídas de um contêiner rodando"),
    ("pause", "Pausa todos os processos de um ou mais contêineres"),
    ("unpause", "Retoma os processos de um ou mais contêineres pausados"),
    ("update", "Muda a configuração (limites) de um ou mais contêineres"),
    ("stats", "Mostra ao vivo o uso de recursos dos contêineres"),
    ("events", "Mostra os eventos do engine em tempo real"),
    ("inspect", "Mostra os detalhes de objetos do Docker"),
    ("top", "Mostra os processos de um contêiner"),
    ("port", "Lista as portas publicadas de um contêiner"),
    ("history", "Mostra o histórico (as camadas) de uma imagem"),
    ("tag", "Dá um nome novo (tag) a uma imagem"),
    ("commit", "Cria uma imagem nova a partir das mudanças de um contêiner"),
    ("build", "Constrói uma imagem a partir de um Dockerfile"),
    ("save", "Salva uma ou mais imagens num arquivo tar"),
    ("load", "Carrega imagens de um arquivo tar"),
    ("login", "Entra num registry"),
    ("logout", "Sai de um registry"),
    ("push", "Envia uma imagem a um registry"),
    ("version", "Mostra as versões do cliente e do engine"),
    ("info", "Mostra informações do sistema"),
    ("volume", "Gerencia volumes"),
    ("network", "Gerencia redes: criar, listar, conectar contêineres"),
    ("compose", "Docker Compose: define e roda aplicações de vários contêineres"),
    ("system", "Gerencia o Docker"),
    ("container", "Gerencia contêineres"),
    ("image", "Gerencia imagens"),
];

const OVERVIEW_PT_BR: &str = "\
Experimente:
  docker run --rm busybox:latest /bin/echo \"Hello Docker\"
  docker run -it --rm busybox
  docker run docker/whalesay cowsay Hello Docker

Redes (contêineres que se acham pelo nome):
  docker network create app
  docker run -d --name web --network app busybox sleep 600
  docker run --rm --network app busybox ping -c1 web

Amazon ECR (a AWS de verdade com as suas chaves, ou o laboratório local):
  lab ecr up | down | status       um ECR local nesta máquina, sem precisar de conta
  aws ecr create-repository --repository-name NOME
  aws ecr get-login-password | docker login --username AWS --password-stdin CONTA.dkr.ecr.REGIAO.amazonaws.com
  aws ecr list-images --repository-name NOME
  aws sts get-caller-identity, aws configure    ('aws help', 'aws ecr help')

Para aprender:
  lessons, lesson N   lições guiadas nestes contêineres de verdade
  explain             o que o último comando docker fez de fato
  explain image busybox, explain container NOME   desenhos do que eles são

Shell:
  a | b, a && b, a; b, $(...), $VAR, 'aspas' e \"aspas\" funcionam como no sh;
  as outras palavras (echo, grep, curl ...) rodam como programas desta máquina.
  help COMANDO   detalhes de um comando docker, por exemplo 'help run'
  exit, Ctrl-D   sair";

const OVERVIEW: &str = "\
Try:
  docker run --rm busybox:latest /bin/echo \"Hello Docker\"
  docker run -it --rm busybox
  docker run docker/whalesay cowsay Hello Docker

Networks (containers that find each other by name):
  docker network create app
  docker run -d --name web --network app busybox sleep 600
  docker run --rm --network app busybox ping -c1 web

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

pub fn run(args: &[Arg], locale: &str, io: &mut Io<'_>) -> i32 {
    let t = if locale == "pt-BR" { &PT_BR } else { &EN };
    let words: Vec<&str> = args.iter().map(|a| a.text.as_str()).filter(|w| *w != "docker").collect();
    if words.is_empty() {
        io.out(format!("{}\n\n{}\n{}", t.intro, docker_commands(t, locale), t.overview));
        return 0;
    }
    let mut tree = command_tree();
    let mut node = &mut tree;
    for word in &words {
        match node.find_subcommand_mut(word) {
            Some(sub) => node = sub,
            None => {
                io.err(format!("help: no help for '{}': {}", words.join(" "), t.no_help));
                return 1;
            }
        }
    }
    io.out(node.render_help().to_string().trim_end());
    0
}

/// Every docker command there is, from the grammar itself (so the list is
/// never behind it), as Docker's own help groups them.
fn docker_commands(t: &Words, locale: &str) -> String {
    let tree = command_tree();
    let visible: Vec<&clap::Command> = tree.get_subcommands().filter(|c| !c.is_hide_set()).collect();
    let width = visible.iter().map(|c| c.get_name().len()).max().unwrap_or(0);
    let summary = |c: &clap::Command| {
        let own = (locale == "pt-BR").then(|| SUMMARIES_PT_BR.iter().find(|(n, _)| *n == c.get_name()).map(|(_, s)| s.to_string())).flatten();
        own.or_else(|| c.get_about().map(|a| a.to_string())).unwrap_or_default()
    };
    let line = |c: &&clap::Command| format!("  docker {:width$}   {}\n", c.get_name(), summary(c));
    let (groups, commands): (Vec<&clap::Command>, Vec<&clap::Command>) = visible.iter().partition(|c| c.has_subcommands());
    let mut out = format!("{}\n", t.commands);
    out.extend(commands.iter().map(line));
    out.push_str(&format!("\n{}\n", t.management));
    out.extend(groups.iter().map(line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_portuguese_summary() {
        let tree = command_tree();
        let missing: Vec<&str> =
            tree.get_subcommands().filter(|c| !c.is_hide_set()).map(|c| c.get_name()).filter(|n| !SUMMARIES_PT_BR.iter().any(|(s, _)| s == n)).collect();
        assert!(missing.is_empty(), "no pt-BR summary for {missing:?}");
    }
}
