//! From a typed line to typed commands, in two steps:
//! [`line`] (nom) turns the line into words, pipelines and `&&`/`;` lists;
//! [`docker`] turns a `docker …` word list into a [`docker::Docker`] value.
//! Both report errors as a [`ParseError`]: a message, and the span of the
//! offending token so it can be underlined with carets.

pub mod aws;
pub mod docker;
pub mod line;

pub use line::Span;

/// A word after expansion, remembering where on the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
    /// A closing line such as `See 'docker run --help'.`
    pub footer: Option<String>,
}

impl ParseError {
    /// A command given too few or too many arguments (cobra's Args checks):
    /// Docker's client exits 1 for it, not the 125 of a flag error.
    pub fn is_arity_error(&self) -> bool {
        self.message.starts_with("\"docker ") && self.message.contains("\" requires ")
    }

    /// The message, the line, and carets under the offending token.
    pub fn render(&self, line: &str) -> String {
        let start = self.span.start.min(line.len());
        let end = self.span.end.clamp(start, line.len());
        let pad = line[..start].chars().count();
        let width = line[start..end].chars().count().max(1);
        let mut out = format!("{}\n  {}\n  {}{}", self.message, line, " ".repeat(pad), "^".repeat(width));
        if let Some(footer) = &self.footer {
            out.push('\n');
            out.push_str(footer);
        }
        out
    }
}

impl From<line::LineError> for ParseError {
    fn from(e: line::LineError) -> Self {
        ParseError { message: format!("whaleshell: {}", e.message), span: e.span, footer: None }
    }
}

/// The closest candidate to a mistyped word, if it is close enough to be a likely typo.
/// The words the shell runs itself.
pub const BUILTINS: &[&str] = &["docker", "aws", "lab", "eval", "export", "unset", "help", "explain", "exit", "cd"];

/// The words a lesson adds to the REPL (see `lessons::session`).
pub const LESSON_WORDS: &[&str] = &["lessons", "lesson", "hint", "solution", "next", "back", "skip", "reset", "progress", "leave"];

/// Every word the REPL knows, for completion and suggestions.
pub fn words() -> Vec<&'static str> {
    BUILTINS.iter().chain(LESSON_WORDS).copied().collect()
}

pub fn suggest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(typed, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::docker::{self, Docker, NetworkCommand, Parsed};
    use super::line::{parse_line, Script};
    use super::{Arg, ParseError};

    #[test]
    fn a_flag_counts_as_typed_in_any_spelling_and_only_before_the_image() {
        let words = |line: &str| line.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert!(docker::typed_with_flag(&words("run --rm --volume /etc:/e busybox true"), "-v"));
        assert!(docker::typed_with_flag(&words("container run -it busybox"), "--tty"));
        assert!(docker::typed_with_flag(&words("run --cap-drop=ALL busybox true"), "--cap-drop"));
        assert!(!docker::typed_with_flag(&words("run --rm busybox ls -v"), "-v"));
        assert!(!docker::typed_with_flag(&words("ps -a"), "-v"));
    }

    /// Parses a line the way the shell does, without running anything:
    /// every literal `docker …` command in it goes through the docker grammar.
    fn parse_all(line: &str) -> Vec<Result<Parsed, ParseError>> {
        let script = match parse_line(line) {
            Ok(s) => s,
            Err(e) => return vec![Err(e.into())],
        };
        let Script { first, rest } = script;
        first
            .into_iter()
            .chain(rest.into_iter().map(|(_, p)| p))
            .flat_map(|p| p.commands)
            .filter_map(|c| {
                let words: Option<Vec<Arg>> = c.words.iter().map(|w| w.as_literal().map(|text| Arg { text, span: w.span.clone() })).collect();
                let words = words?;
                (words.first()?.text == "docker").then(|| docker::parse(&words[1..], words[0].span.clone()))
            })
            .collect()
    }

    fn command(line: &str) -> Docker {
        match parse_all(line).pop() {
            Some(Ok(Parsed::Command(c))) => c,
            other => panic!("{line}: {other:?}"),
        }
    }

    fn error(line: &str) -> String {
        match parse_all(line).pop() {
            Some(Err(e)) => e.render(line),
            other => panic!("{line} should not parse: {other:?}"),
        }
    }

    #[test]
    fn tutorial_lines_become_typed_commands() {
        insta::assert_debug_snapshot!(command(r#"docker run --rm busybox:latest /bin/echo "Hello Docker""#));
        insta::assert_debug_snapshot!(command("docker run -it --rm --name box -e A=1 -e B=2 busybox sh -c 'ls -la /'"));
        insta::assert_debug_snapshot!(command("docker ps -a -q -f status=exited"));
        insta::assert_debug_snapshot!(command("docker rmi -f docker/whalesay"));
    }

    #[test]
    fn network_lines_become_typed_commands() {
        let Docker::Run(run) = command("docker run -d --net app --network-alias db --ip 10.1.0.5 busybox") else { panic!("not a run") };
        assert_eq!((run.network.as_deref(), run.network_alias.as_slice(), run.ip.as_deref()), (Some("app"), &["db".to_owned()][..], Some("10.1.0.5")));
        let Docker::Network(NetworkCommand::Create(create)) = command("docker network create -d bridge --subnet 10.1.0.0/24 --internal --label a=b app") else {
            panic!("not a network create")
        };
        assert_eq!(
            (create.name.as_str(), create.driver.as_deref(), create.subnet.as_slice(), create.internal),
            ("app", Some("bridge"), &["10.1.0.0/24".to_owned()][..], true)
        );
        assert!(
            matches!(command("docker network connect --alias x app web"), Docker::Network(NetworkCommand::Connect(c)) if c.alias == ["x"] && c.container == "web")
        );
        assert!(matches!(command("docker network ls -q"), Docker::Network(NetworkCommand::Ls(l)) if l.quiet));
        assert!(error("docker network create").starts_with("\"docker network create\" requires"), "{}", error("docker network create"));
    }

    #[test]
    fn flags_stop_at_the_image() {
        let Docker::Run(run) = command("docker run busybox ls -la --rm") else { panic!() };
        assert_eq!((run.image.as_str(), run.rm), ("busybox", false));
        assert_eq!(run.command, ["ls", "-la", "--rm"]);
        let Docker::Run(run) = command("docker run --name=web -w /tmp --env=A=1 busybox") else { panic!() };
        assert_eq!((run.name.as_deref(), run.workdir.as_deref(), run.env.as_slice()), (Some("web"), Some("/tmp"), &["A=1".to_owned()][..]));
        let Docker::Run(run) = command("docker run -ite X=1 busybox") else { panic!() };
        assert!(run.interactive && run.tty);
        assert_eq!(run.env, ["X=1"]);
    }

    #[test]
    fn long_forms_are_the_same_commands() {
        assert_eq!(command("docker container ls -a"), command("docker ps -a"));
        assert_eq!(command("docker container ps -a"), command("docker ps -a"));
        assert_eq!(command("docker image ls"), command("docker images"));
        assert_eq!(command("docker image rm busybox"), command("docker rmi busybox"));
        assert_eq!(command("docker container run --rm busybox echo hi"), command("docker run --rm busybox echo hi"));
        assert!(matches!(command("docker container prune -f"), Docker::ContainerPrune(a) if a.force));
        assert!(matches!(command("docker image prune -a"), Docker::ImagePrune(a) if a.all));
        assert_eq!(command("docker container prune").name(), "container prune");
        assert_eq!(command("docker system df").name(), "system df");
    }

    #[test]
    fn errors_name_the_token_and_suggest() {
        insta::assert_snapshot!(error("docker pss"), @r"
        docker: 'pss' is not a docker command. Did you mean 'ps'?
          docker pss
                 ^^^
        See 'docker --help'.
        ");
        insta::assert_snapshot!(error("docker ps --al"), @r"
        unknown flag: --al (did you mean --all?)
          docker ps --al
                    ^^^^
        See 'docker ps --help'.
        ");
        insta::assert_snapshot!(error("docker ps -x"), @r"
        unknown shorthand flag: 'x' in -x
          docker ps -x
                    ^^
        See 'docker ps --help'.
        ");
        insta::assert_snapshot!(error("docker login -u AWS -p token -e none https://123456789012.dkr.ecr.us-east-1.amazonaws.com"), @r"
        unknown shorthand flag: 'e' in -e
          docker login -u AWS -p token -e none https://123456789012.dkr.ecr.us-east-1.amazonaws.com
                                       ^^
        See 'docker login --help'.
        ");
        insta::assert_snapshot!(error("docker run"), @r#"
        "docker run" requires at least 1 argument.
          docker run
                    ^
        See 'docker run --help'.

        Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]

        Create and run a new container from an image
        "#);
        insta::assert_snapshot!(error("docker ps -n abc"), @r#"
        invalid argument "abc" for "--last"
          docker ps -n abc
                       ^^^
        See 'docker ps --help'.
        "#);
        insta::assert_snapshot!(error("docker run --name"), @r"
        flag needs an argument: --name
          docker run --name
                     ^^^^^^
        See 'docker run --help'.
        ");
        insta::assert_snapshot!(error("echo 'unclosed"), @r"
        whaleshell: unclosed single quote: add a closing ' to end the quoted text
          echo 'unclosed
               ^
        ");
    }

    #[test]
    fn help_is_not_an_error() {
        assert!(matches!(parse_all("docker run --help").pop(), Some(Ok(Parsed::Help(h))) if h.contains("docker run [OPTIONS] IMAGE")));
        assert!(matches!(parse_all("docker").pop(), Some(Ok(Parsed::Help(_)))));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn no_line_makes_the_parsers_panic(line in r#"docker( (run|ps|rm|rmi|images|pull|container|image|-a|-it|--rm|-e|--name|=|-|busybox|"|'|\$\(|\)|\||&&|;|[a-z]{1,4}|-[a-z]{1,3}|--[a-z-]{1,6}))*"#) {
            for result in parse_all(&line) {
                if let Err(e) = result {
                    let rendered = e.render(&line);
                    prop_assert!(rendered.contains('^'));
                }
            }
        }

        #[test]
        fn arbitrary_text_never_panics(line in "\\PC{0,200}") {
            let _ = parse_all(&format!("docker {line}"));
            let _ = parse_all(&line);
        }
    }

    #[test]
    fn suggestions_are_only_for_near_misses() {
        assert_eq!(super::suggest("imagse", ["images", "ps"]), Some("images"));
        assert_eq!(super::suggest("xyz", ["images", "ps"]), None);
    }
}
