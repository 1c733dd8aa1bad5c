//! Building: each Dockerfile step on top of the last. RUN runs in a real
//! container over the current layers and its writable layer becomes the new
//! layer; COPY/ADD stage files into a layer; other steps change only the
//! config (no layer, as in Docker; see [`metadata`]). A cache keyed on the
//! parent image and the step (and, for COPY/ADD, the copied files) skips
//! steps already built. ONBUILD triggers of a base image run right after
//! its FROM, as in Docker.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::build::dockerfile::{self, Command, Instruction, Line, ParseError};
use crate::build::metadata::{self, Scope};
use crate::build::shell_word::{process_word, Vars};
use crate::container::monitor::{self, Mode};
use crate::container::ContainerStore;
use crate::container::{user, NewContainer, RunConfig, StartFailure};
use crate::digest::sha256;
use crate::error::{Error, Result};
use crate::fsutil::{read_json, remove_tree, write_json_atomic, StateLock};
use crate::image::commit::{derive_image, layer_from_dir, Clock, Entry};
use crate::image::config::ContainerConfig;
use crate::image::pull::ImageSource;
use crate::image::pull::PullEvent;
use crate::image::store::ImageRecord;
use crate::image::store::ImageStore;
use crate::layout::Layout;
use crate::reference::Reference;

pub struct BuildOptions {
    pub context: PathBuf,
    /// Defaults to `Dockerfile` in the context.
    pub dockerfile: Option<PathBuf>,
    pub tags: Vec<Reference>,
    pub build_args: Vec<(String, String)>,
    pub no_cache: bool,
    pub target: Option<String>,
    /// Fixed for the offline hub's images, whose digests must not change.
    pub clock: Clock,
}

/// Progress, in the order Docker's classic builder prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildEvent {
    /// `Sending build context to Docker daemon  2.048kB`
    Context {
        bytes: u64,
    },
    /// `Step 2/5 : RUN …`
    Step {
        index: usize,
        total: usize,
        text: String,
    },
    Pull(PullEvent),
    /// ` ---> Running in <id>`
    RunningIn(String),
    /// What a RUN step printed, as it printed it.
    Output(Vec<u8>),
    /// `Removing intermediate container <id>`
    Removed(String),
    /// ` ---> Using cache`
    UsingCache,
    /// ` ---> <image id>`
    StepDone(String),
    /// A line of its own: `# Executing 2 build triggers`, notes and warnings.
    Message(String),
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Parse(ParseError),
    #[error("The command '{command}' returned a non-zero code: {code}")]
    StepFailed { command: String, code: i32 },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Runtime(#[from] Error),
}

type Events<'a> = &'a mut dyn FnMut(BuildEvent);

/// Build arguments Docker passes to RUN without an ARG (and never warns about).
const BUILTIN_ARGS: &[&str] =
    &["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"];

const NEEDS_BUILDKIT: &str = "requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled";

/// What a build works in: a state root's stores, and where FROM pulls from.
pub struct BuildEnv<'a> {
    pub layout: &'a Layout,
    pub images: &'a ImageStore,
    pub containers: &'a ContainerStore,
    pub source: &'a dyn ImageSource,
}

/// Builds, tags, and returns the final image.
pub fn build(env: &BuildEnv<'_>, opts: &BuildOptions, on_event: Events<'_>) -> Result<ImageRecord, BuildError> {
    let context = fs::canonicalize(&opts.context)
        .map_err(|_| BuildError::Invalid(format!("unable to prepare context: path {:?} not found", opts.context.display().to_string())))?;
    let file = opts.dockerfile.clone().map(|f| if f.is_absolute() { f } else { context.join(f) }).unwrap_or_else(|| context.join("Dockerfile"));
    let source = fs::read_to_string(&file).map_err(|_| {
        BuildError::Invalid(format!(
            "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: no such file or directory",
            file.display()
        ))
    })?;
    let ignore = Ignore::load(&context);
    // The context goes to the daemon first; the daemon parses the Dockerfile.
    on_event(BuildEvent::Context { bytes: context_size(&context, &ignore) });
    let dockerfile = dockerfile::parse(&source).map_err(BuildError::Parse)?;
    let lines = &dockerfile.lines;

    // Steps up to the end of the target stage.
    let mut last = lines.len();
    if let Some(target) = &opts.target {
        let start = lines
            .iter()
            .position(|l| matches!(&l.instruction, Instruction::From { name: Some(n), .. } if *n == target.to_ascii_lowercase()))
            .ok_or_else(|| BuildError::Invalid(format!("failed to reach build target {target} in Dockerfile")))?;
        last = lines[start + 1..].iter().position(|l| matches!(l.instruction, Instruction::From { .. })).map_or(lines.len(), |p| start + 1 + p);
    }
    let steps = &lines[..last];
    let mut builder = Builder {
        env,
        opts,
        context: &context,
        ignore,
        escape: dockerfile.escape,
        stages: BTreeMap::new(),
        cache: Cache::load(env),
        used_args: BTreeSet::new(),
    };
    let mut state = Stage::default();
    // ARGs before the first FROM: for FROM lines, and for `ARG NAME` in a stage.
    let mut meta_args = Vars::new();
    let mut stage_index = 0;
    for (i, line) in steps.iter().enumerate() {
        on_event(BuildEvent::Step { index: i + 1, total: steps.len(), text: line.text.clone() });
        match &line.instruction {
            Instruction::From { image, name, platform } => {
                if state.started {
                    builder.finish_stage(&state, stage_index);
                    stage_index += 1;
                }
                let word = |w: &str| process_word(w, &meta_args, dockerfile.escape).map_err(BuildError::Invalid);
                let image = word(image)?;
                if let Some(platform) = platform {
                    let platform = word(platform)?;
                    if !matches!(platform.as_str(), "linux/amd64" | "linux" | "amd64") {
                        return Err(BuildError::Invalid(format!(
                            "FROM --platform={platform}: Whaleshell builds and runs linux/amd64 images only; leave out --platform"
                        )));
                    }
                }
                state = Stage { started: true, name: name.clone(), image: builder.base(&image, on_event)?, meta_args: meta_args.clone(), ..Stage::default() };
                builder.run_triggers(&mut state, on_event)?;
            }
            Instruction::Arg(args) if !state.started => {
                for (name, default) in args {
                    let value = match builder.build_arg(name) {
                        Some(v) => Some(v),
                        None => default.as_deref().map(|d| process_word(d, &meta_args, dockerfile.escape)).transpose().map_err(BuildError::Invalid)?,
                    };
                    if let Some(v) = value {
                        meta_args.insert(name.clone(), v);
                    }
                }
                continue;
            }
            _ if !state.started => continue,
            _ => state.image = Some(builder.step(&mut state, line, on_event)?),
        }
        if let Some(image) = &state.image {
            on_event(BuildEvent::StepDone(crate::digest::short(&image.id).to_owned()));
        }
    }
    let unused: Vec<&str> = opts.build_args.iter().map(|(k, _)| k.as_str()).filter(|k| !builder.used_args.contains(*k) && !BUILTIN_ARGS.contains(k)).collect();
    if !unused.is_empty() {
        on_event(BuildEvent::Message(format!("[Warning] One or more build-args [{}] were not consumed", unused.join(" "))));
    }
    let image = state.image.ok_or_else(|| BuildError::Invalid("the build produced no image: a stage FROM scratch needs at least one step".into()))?;
    // The build's result is listed, named or not (`<none>` without -t), as Docker's.
    let image = ImageRecord { intermediate: false, ..image };
    env.images.add(image.clone(), None)?;
    for tag in &opts.tags {
        env.images.add_named(image.clone(), Some(tag))?;
    }
    Ok(image)
}

#[derive(Default)]
struct Stage {
    started: bool,
    name: Option<String>,
    /// None while a stage FROM scratch has no step yet.
    image: Option<ImageRecord>,
    /// The ARGs declared in this stage and their values (None: declared, no value).
    args: BTreeMap<String, Option<String>>,
    /// The ARGs before the first FROM, which `ARG NAME` brings into the stage.
    meta_args: Vars,
    /// MAINTAINER: the Author of this stage's images.
    maintainer: Option<String>,
    /// A CMD came in this stage (a later ENTRYPOINT keeps it).
    cmd_set: bool,
    /// The base had ONBUILD triggers: the stage's first image drops them.
    clear_onbuild: bool,
}

impl Stage {
    /// The declared ARGs that have a value.
    fn arg_values(&self) -> Vars {
        self.args.iter().filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v))).collect()
    }
}

struct Builder<'a> {
    env: &'a BuildEnv<'a>,
    opts: &'a BuildOptions,
    context: &'a Path,
    ignore: Ignore,
    escape: char,
    /// Finished stages by name and by index, for `FROM stage` and `COPY --from`.
    stages: BTreeMap<String, ImageRecord>,
    cache: Cache,
    /// Build arguments some ARG declared (the others get Docker's warning).
    used_args: BTreeSet<String>,
}

impl Builder<'_> {
    fn finish_stage(&mut self, stage: &Stage, index: usize) {
        if let Some(image) = &stage.image {
            self.stages.insert(index.to_string(), image.clone());
            if let Some(name) = &stage.name {
                self.stages.insert(name.clone(), image.clone());
            }
        }
    }

    /// `--build-arg NAME=value`, marking it used.
    fn build_arg(&mut self, name: &str) -> Option<String> {
        self.used_args.insert(name.to_owned());
        self.opts.build_args.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    /// The image a FROM names: scratch, an earlier stage, a local image, or one from the hub.
    fn base(&self, name: &str, on_event: Events<'_>) -> Result<Option<ImageRecord>, BuildError> {
        if name == "scratch" {
            return Ok(None);
        }
        if let Some(stage) = self.stages.get(&name.to_ascii_lowercase()) {
            return Ok(Some(stage.clone()));
        }
        let reference = Reference::parse(name)?;
        if let Some(image) = self.env.images.by_reference(&reference)? {
            return Ok(Some(image));
        }
        self.env.source.pull(self.env.images, &reference, &mut |e| on_event(BuildEvent::Pull(e)))?;
        Ok(self.env.images.by_reference(&reference)?)
    }

    /// The base image's ONBUILD triggers, each run as a step of this stage.
    fn run_triggers(&mut self, stage: &mut Stage, on_event: Events<'_>) -> Result<(), BuildError> {
        let Some(image) = &stage.image else { return Ok(()) };
        let triggers = self.env.images.container_config(image)?.on_build.unwrap_or_default();
        if triggers.is_empty() {
            return Ok(());
        }
        on_event(BuildEvent::Message(format!("# Executing {} build trigger{}", triggers.len(), if triggers.len() == 1 { "" } else { "s" })));
        stage.clear_onbuild = true;
        for text in triggers {
            let instruction = dockerfile::parse_trigger(&text, self.escape).map_err(BuildError::Invalid)?;
            let line = Line { number: 0, text, instruction };
            stage.image = Some(self.step(stage, &line, on_event)?);
        }
        Ok(())
    }

    fn step(&mut self, stage: &mut Stage, line: &Line, on_event: Events<'_>) -> Result<ImageRecord, BuildError> {
        let parent = stage.image.clone();
        let config = match &parent {
            Some(p) => self.env.images.container_config(p)?,
            None => ContainerConfig::default(),
        };
        let vars = variables(&config, stage);
        let escape = self.escape;
        let word = |s: &str| process_word(s, &vars, escape).map_err(BuildError::Invalid);
        // What Docker 20.10's classic builder refuses when the step runs.
        match &line.instruction {
            Instruction::Run { mount: Some(_), .. } => return Err(BuildError::Invalid(format!("the --mount option {NEEDS_BUILDKIT}"))),
            Instruction::Copy { chmod: Some(_), .. } | Instruction::Add { chmod: Some(_), .. } => {
                return Err(BuildError::Invalid(format!("the --chmod option {NEEDS_BUILDKIT}")))
            }
            _ => {}
        }
        // Files copied are part of the cache key: same step, other files, other layer.
        let files_key = match &line.instruction {
            Instruction::Copy { sources, from: None, .. } | Instruction::Add { sources, .. } => {
                self.content_hash(&sources.iter().map(|s| word(s)).collect::<Result<Vec<_>, _>>()?)?
            }
            // Copied from another stage: that stage's result is what matters.
            Instruction::Copy { from: Some(stage), .. } => self.stages.get(&stage.to_ascii_lowercase()).map(|i| i.id.clone()).unwrap_or_else(|| stage.clone()),
            _ => String::new(),
        };
        let key = sha256(
            format!(
                "{}\n{}\n{}\n{:?}\n{:?}\n{}",
                parent.as_ref().map_or("scratch", |p| p.id.as_str()),
                line.text,
                files_key,
                stage.args,
                stage.maintainer,
                stage.clear_onbuild
            )
            .as_bytes(),
        );
        // ARG, MAINTAINER and CMD change the stage, cached or not.
        let mut instruction = line.instruction.clone();
        match &line.instruction {
            Instruction::Arg(args) => {
                let mut declared = Vec::new();
                for (name, default) in args {
                    let default = default.as_deref().map(word).transpose()?;
                    let value = self.build_arg(name).or(default.clone()).or_else(|| stage.meta_args.get(name).cloned());
                    stage.args.insert(name.clone(), value);
                    declared.push((name.clone(), default));
                }
                instruction = Instruction::Arg(declared);
            }
            Instruction::Maintainer(who) => stage.maintainer = Some(who.clone()),
            _ => {}
        }
        let cached = if self.opts.no_cache { None } else { self.cache.get(&key).and_then(|id| self.env.images.get(&id).ok().flatten()) };
        let image = match cached {
            Some(image) => {
                on_event(BuildEvent::UsingCache);
                image
            }
            None => {
                let image = self.build_step(stage, parent.as_ref(), &config, &vars, &instruction, on_event)?;
                self.cache.put(key, image.id.clone());
                // Saved at once: a later step failing must not lose the steps that worked.
                self.cache.save(self.env);
                image
            }
        };
        if matches!(instruction, Instruction::Cmd(_)) {
            stage.cmd_set = true;
        }
        stage.clear_onbuild = false;
        Ok(image)
    }

    /// Runs one step anew: its new image.
    fn build_step(
        &self,
        stage: &Stage,
        parent: Option<&ImageRecord>,
        config: &ContainerConfig,
        vars: &Vars,
        instruction: &Instruction,
        on_event: Events<'_>,
    ) -> Result<ImageRecord, BuildError> {
        let scope = Scope { vars, escape: self.escape, cmd_set: stage.cmd_set };
        let word = |s: &str| scope.word(s).map_err(BuildError::Invalid);
        let commit = |layer, created_by: &str, new_config: Option<ContainerConfig>| {
            let entry = Entry { created_by, comment: None, author: stage.maintainer.as_deref() };
            derive_image(self.env.images, self.opts.clock, parent, layer, entry, |c| {
                if let Some(new_config) = new_config {
                    *c = new_config;
                }
                if stage.clear_onbuild {
                    c.on_build = None;
                }
            })
            .map_err(BuildError::from)
        };
        let shell = metadata::shell(config).join(" ");
        match instruction {
            Instruction::Run { command, .. } => {
                let (layer, created_by) = self.run(parent, stage, config, command, on_event)?;
                commit(layer, &created_by, None)
            }
            Instruction::Copy { sources, dest, chown, .. } | Instruction::Add { sources, dest, chown, .. } => {
                let from = match instruction {
                    Instruction::Copy { from, .. } => from.as_deref(),
                    _ => None,
                };
                let is_add = matches!(instruction, Instruction::Add { .. });
                let sources: Vec<String> = sources.iter().map(|s| word(s)).collect::<Result<_, _>>()?;
                let dest = word(dest)?;
                if let Some(url) = sources.iter().find(|s| s.starts_with("http://") || s.starts_with("https://")).filter(|_| is_add) {
                    return Err(BuildError::Invalid(format!(
                        "ADD {url}: no network here — Whaleshell cannot download it. Fetch the file yourself, put it in the build context, and COPY it"
                    )));
                }
                let owner = chown.as_deref().map(|spec| self.chown_owner(parent, &word(spec)?)).transpose()?;
                let copy = CopyStep { sources: &sources, dest: &dest, from, extract: is_add, owner };
                let layer = self.copy(parent, config, &copy)?;
                let name = if is_add { "ADD" } else { "COPY" };
                commit(Some(layer), &format!("{shell} #(nop) {name} {} in {dest} ", sources.join(" ")), None)
            }
            other => {
                let mut new_config = config.clone();
                let applied = metadata::apply(&mut new_config, other, &scope).map_err(BuildError::Invalid)?;
                if let Some(note) = applied.note {
                    on_event(BuildEvent::Message(note));
                }
                let created_by = format!("{} {}", metadata::shell(&new_config).join(" "), applied.nop);
                // Docker 20.10's WORKDIR makes the directory in a container: a layer when it was missing.
                let layer = match (other, parent) {
                    (Instruction::Workdir(_), Some(parent)) => self.workdir(parent, &new_config, on_event)?,
                    _ => None,
                };
                commit(layer, &created_by, Some(new_config))
            }
        }
    }

    /// `--chown=user:group` from the image's own /etc/passwd and /etc/group.
    fn chown_owner(&self, parent: Option<&ImageRecord>, spec: &str) -> Result<(u32, u32), BuildError> {
        let read = |path: &str| parent.and_then(|p| self.image_file(p, path));
        user::resolve_chown(spec, read("etc/passwd").as_deref(), read("etc/group").as_deref()).map_err(BuildError::Invalid)
    }

    /// A file's text as the image has it (its topmost layer; a deletion hides it).
    fn image_file(&self, image: &ImageRecord, rel: &str) -> Option<String> {
        for layer in image.layers.iter().rev() {
            let path = self.env.layout.layer_dir(&layer.diff_id).join(rel);
            match fs::symlink_metadata(&path) {
                Ok(m) if m.is_file() => return fs::read_to_string(&path).ok(),
                Ok(_) => return None,
                Err(_) => continue,
            }
        }
        None
    }

    /// A directory's metadata as the image has it.
    fn image_dir(&self, image: &ImageRecord, rel: &str) -> Option<fs::Metadata> {
        for layer in image.layers.iter().rev() {
            match fs::symlink_metadata(self.env.layout.layer_dir(&layer.diff_id).join(rel)) {
                Ok(m) if m.is_dir() => return Some(m),
                Ok(_) => return None,
                Err(_) => continue,
            }
        }
        None
    }

    /// RUN: a real container over the current layers; what it changed is
    /// the new layer. Returns it with the history line Docker writes.
    fn run(
        &self,
        parent: Option<&ImageRecord>,
        stage: &Stage,
        config: &ContainerConfig,
        command: &Command,
        on_event: Events<'_>,
    ) -> Result<(Option<crate::image::store::LayerInfo>, String), BuildError> {
        let parent = parent.ok_or_else(|| BuildError::Invalid("RUN needs a base image with a shell: FROM scratch has none".into()))?;
        let args = metadata::command_args(command, &metadata::shell(config));
        let declared = stage.arg_values();
        let mut env = config.env.clone().unwrap_or_default();
        let builtin = self.opts.build_args.iter().filter(|(k, _)| BUILTIN_ARGS.contains(&k.as_str()) && !declared.contains_key(k));
        for (k, v) in declared.iter().chain(builtin.map(|(k, v)| (k, v))) {
            if !env.iter().any(|e| e.split_once('=').map_or(e.as_str(), |(key, _)| key) == k) {
                env.push(format!("{k}={v}"));
            }
        }
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.insert(0, format!("PATH={}", monitor::default_path()));
        }
        // Docker's history puts the build arguments first: `|1 NAME=value /bin/sh -c …`.
        let mut created_by = args.join(" ");
        if !declared.is_empty() {
            let pairs: Vec<String> = declared.iter().map(|(k, v)| format!("{k}={v}")).collect();
            created_by = format!("|{} {} {created_by}", pairs.len(), pairs.join(" "));
        }
        let container = self.env.containers.create(NewContainer {
            name: None,
            image: crate::digest::short(&parent.id).to_owned(),
            image_id: parent.id.clone(),
            layers: parent.layers.iter().map(|l| l.diff_id.clone()).collect(),
            config: RunConfig {
                args: args.clone(),
                env,
                working_dir: config.working_dir.clone().filter(|w| !w.is_empty()).unwrap_or_else(|| "/".into()),
                user: config.user.clone().unwrap_or_default(),
                // A RUN step is a container like any other: a fork bomb in it fails there.
                pids_limit: Some(crate::container::default_pids_limit(self.env.layout)),
                ..RunConfig::default()
            },
        })?;
        let short = container.short_id().to_owned();
        on_event(BuildEvent::RunningIn(short.clone()));
        let result = self.run_container(&container, on_event);
        let outcome = result.and_then(|code| {
            if code != 0 {
                return Err(BuildError::StepFailed { command: args.join(" "), code });
            }
            Ok((self.changes_of(&container)?, created_by))
        });
        let _ = self.env.containers.remove_files(&container, true);
        on_event(BuildEvent::Removed(short));
        outcome
    }

    /// What a step's container changed, as a layer; None when it changed
    /// nothing, so the step is an empty layer of the history, as in Docker.
    fn changes_of(&self, container: &crate::container::ContainerRecord) -> Result<Option<crate::image::store::LayerInfo>, BuildError> {
        let upper = self.env.layout.container_dir(&container.id).join("upper");
        let unchanged = fs::read_dir(&upper).map_err(Error::io("reading", &upper))?.next().is_none();
        Ok(if unchanged { None } else { Some(layer_from_dir(self.env.images, &upper, self.opts.clock)?) })
    }

    /// WORKDIR: a container over the current layers, not started, in whose
    /// root the directory is made, as Docker 20.10's classic builder does.
    fn workdir(&self, parent: &ImageRecord, config: &ContainerConfig, on_event: Events<'_>) -> Result<Option<crate::image::store::LayerInfo>, BuildError> {
        let dir = config.working_dir.clone().unwrap_or_default();
        let container = self.env.containers.create(NewContainer {
            name: None,
            image: crate::digest::short(&parent.id).to_owned(),
            image_id: parent.id.clone(),
            layers: parent.layers.iter().map(|l| l.diff_id.clone()).collect(),
            config: RunConfig { args: vec![format!("#(nop) WORKDIR {dir}")], working_dir: dir.clone(), ..RunConfig::default() },
        })?;
        let short = container.short_id().to_owned();
        on_event(BuildEvent::RunningIn(short.clone()));
        let container_dir = self.env.layout.container_dir(&container.id);
        let made = crate::container::rootfs::mount(self.env.layout, &container, &container_dir).and_then(|()| {
            let made = crate::container::rootfs::ensure_dir(&container_dir.join("rootfs"), &dir);
            crate::container::rootfs::unmount(&container_dir.join("rootfs"));
            made
        });
        let outcome = made.map_err(BuildError::from).and_then(|()| self.changes_of(&container));
        let _ = self.env.containers.remove_files(&container, true);
        on_event(BuildEvent::Removed(short));
        outcome
    }

    /// Runs the step's container to its end, streaming its output; its exit code.
    fn run_container(&self, container: &crate::container::ContainerRecord, on_event: Events<'_>) -> Result<i32, BuildError> {
        let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(Error::sys("pipe2"))?;
        let write2 = write.try_clone().map_err(Error::io("duplicating", "pipe"))?;
        let handle = monitor::spawn(self.env.layout, &container.id, Mode::Foreground, (Stdio::null(), Stdio::from(write), Stdio::from(write2)))?;
        let mut output = fs::File::from(read);
        let mut buf = [0u8; 8192];
        while let Ok(n) = output.read(&mut buf) {
            if n == 0 {
                break;
            }
            on_event(BuildEvent::Output(buf[..n].to_vec()));
        }
        match handle.finish() {
            Ok(done) => Ok(done.code),
            Err(StartFailure::Process { message, code } | StartFailure::Refused { message, code }) => {
                on_event(BuildEvent::Output(format!("{message}\n").into_bytes()));
                Ok(code)
            }
            Err(StartFailure::Engine(e)) => Err(e.into()),
        }
    }

    /// COPY/ADD: the sources staged at their destination, as one layer.
    fn copy(&self, parent: Option<&ImageRecord>, config: &ContainerConfig, step: &CopyStep<'_>) -> Result<crate::image::store::LayerInfo, BuildError> {
        let CopyStep { sources, dest, from, extract, owner } = *step;
        let workdir = config.working_dir.clone().unwrap_or_default();
        let dest_abs =
            if dest.starts_with('/') { dest.to_owned() } else { format!("{}/{}", if workdir.is_empty() { "" } else { workdir.trim_end_matches('/') }, dest) };
        let staging = self.env.layout.root().join("tmp").join(format!("copy-{}", std::process::id()));
        remove_tree(&staging)?;
        let result = (|| {
            let source_root: PathBuf = match from {
                None => self.context.to_path_buf(),
                Some(stage) => self.stage_root(stage)?,
            };
            let existing_dir = parent.and_then(|p| self.image_dir(p, dest_abs.trim_start_matches('/'))).is_some();
            let dest_is_dir = dest.ends_with('/') || dest == "." || dest.ends_with("/.") || sources.len() > 1 || existing_dir;
            let dest_dir = if dest_is_dir { Path::new(&dest_abs) } else { Path::new(&dest_abs).parent().unwrap_or(Path::new("/")) };
            self.stage_parents(parent, &staging, dest_dir, owner)?;
            for source in sources {
                let matches = self.expand_source(&source_root, source, from.is_none())?;
                for src in matches {
                    let meta = fs::symlink_metadata(&src).map_err(Error::io("reading", &src))?;
                    let name = src.file_name().map(|n| n.to_owned()).unwrap_or_default();
                    let target_in_image = if meta.is_dir() {
                        PathBuf::from(&dest_abs)
                    } else if dest_is_dir || (extract && is_tar(&src)) {
                        Path::new(&dest_abs).join(&name)
                    } else {
                        PathBuf::from(&dest_abs)
                    };
                    let target = staging.join(target_in_image.strip_prefix("/").unwrap_or(&target_in_image));
                    if extract && meta.is_file() && is_tar(&src) {
                        // An archive keeps its own owners, --chown or not (as in Docker).
                        let dir = staging.join(Path::new(&dest_abs).strip_prefix("/").unwrap_or(Path::new(&dest_abs)));
                        fs::create_dir_all(&dir).map_err(Error::io("creating", &dir))?;
                        extract_tar(&src, &dir)?;
                        continue;
                    }
                    let target_existed = target.exists();
                    copy_tree(&src, &target, &source_root, if from.is_none() { Some(&self.ignore) } else { None })?;
                    if let Some((uid, gid)) = owner {
                        // A directory already there keeps its owner; what was copied gets the new one.
                        chown_tree(&target, uid, gid, !(meta.is_dir() && target_existed))?;
                    }
                }
            }
            Ok::<_, BuildError>(layer_from_dir(self.env.images, &staging, self.opts.clock)?)
        })();
        let _ = remove_tree(&staging);
        result
    }

    /// The directories down to `dir` in the staging area: those the image
    /// has keep its modes and owners (a layer entry replaces them); new
    /// ones are 0755, owned as --chown says (Docker's MkdirAllAndChownNew).
    fn stage_parents(&self, parent: Option<&ImageRecord>, staging: &Path, dir: &Path, owner: Option<(u32, u32)>) -> Result<(), BuildError> {
        fs::create_dir_all(staging).map_err(Error::io("creating", staging))?;
        let mut rel = PathBuf::new();
        for part in dir.components() {
            let std::path::Component::Normal(name) = part else { continue };
            rel.push(name);
            let path = staging.join(&rel);
            if path.is_dir() {
                continue;
            }
            fs::create_dir(&path).map_err(Error::io("creating", &path))?;
            let (mode, uid, gid) = match parent.and_then(|p| self.image_dir(p, &rel.to_string_lossy())) {
                Some(m) => (m.mode() & 0o7777, m.uid(), m.gid()),
                None => (0o755, owner.map_or(0, |o| o.0), owner.map_or(0, |o| o.1)),
            };
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).map_err(Error::io("chmod", &path))?;
            std::os::unix::fs::lchown(&path, Some(uid), Some(gid)).map_err(Error::io("chown", &path))?;
        }
        Ok(())
    }

    /// A finished stage's files, as one directory (its top layer when it
    /// has one, else the merged view is built by copying its layers in order).
    fn stage_root(&self, stage: &str) -> Result<PathBuf, BuildError> {
        let image = self.stages.get(&stage.to_ascii_lowercase()).cloned().map(Ok).unwrap_or_else(|| {
            Reference::parse(stage).map_err(BuildError::from).and_then(|r| {
                self.env.images.by_reference(&r)?.ok_or_else(|| BuildError::Invalid(format!("invalid from flag value {stage}: no stage or image by that name")))
            })
        })?;
        let merged = self.env.layout.root().join("tmp").join(format!("stage-{}", crate::digest::short(&image.id)));
        if !merged.exists() {
            let building = merged.with_extension("partial");
            remove_tree(&building)?;
            for layer in &image.layers {
                copy_tree(&self.env.layout.layer_dir(&layer.diff_id), &building, &self.env.layout.layer_dir(&layer.diff_id), None)?;
            }
            fs::create_dir_all(&building).map_err(Error::io("creating", &building))?;
            fs::rename(&building, &merged).map_err(Error::io("creating", &merged))?;
        }
        Ok(merged)
    }

    /// A source path (with `*` and `?`) inside the context, never outside it.
    fn expand_source(&self, root: &Path, source: &str, from_context: bool) -> Result<Vec<PathBuf>, BuildError> {
        let rel = source.trim_start_matches('/');
        if Path::new(rel).components().any(|c| matches!(c, std::path::Component::ParentDir)) && from_context {
            return Err(BuildError::Invalid(format!("COPY failed: forbidden path outside the build context: {source}")));
        }
        let matches: Vec<PathBuf> = if rel.contains(['*', '?']) {
            let parent = Path::new(rel).parent().unwrap_or(Path::new(""));
            let pattern = Path::new(rel).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let mut found: Vec<PathBuf> = fs::read_dir(root.join(parent))
                .map(|d| d.flatten().filter(|e| glob(&pattern, &e.file_name().to_string_lossy())).map(|e| e.path()).collect())
                .unwrap_or_default();
            found.sort();
            found
        } else if rel.is_empty() || rel == "." {
            vec![root.to_path_buf()]
        } else {
            vec![root.join(rel)]
        };
        let matches: Vec<PathBuf> = matches.into_iter().filter(|p| fs::symlink_metadata(p).is_ok()).collect();
        if matches.is_empty() {
            return Err(BuildError::Invalid(format!(
                "COPY failed: file not found in build context or excluded by .dockerignore: stat {source}: file does not exist"
            )));
        }
        Ok(matches)
    }

    /// The copied files' paths, modes, sizes and contents, hashed.
    fn content_hash(&self, sources: &[String]) -> Result<String, BuildError> {
        let mut hasher = Vec::new();
        for source in sources {
            if source.starts_with("http://") || source.starts_with("https://") {
                continue;
            }
            for path in self.expand_source(self.context, source, true).unwrap_or_default() {
                let mut stack = vec![path];
                while let Some(p) = stack.pop() {
                    let rel = p.strip_prefix(self.context).unwrap_or(&p).to_path_buf();
                    if self.ignore.excludes(&rel) {
                        continue;
                    }
                    let Ok(meta) = fs::symlink_metadata(&p) else { continue };
                    hasher.extend(format!("{}\0{:o}\0{}\0", rel.display(), meta.mode(), meta.len()).as_bytes());
                    if meta.is_dir() {
                        let mut children: Vec<PathBuf> = fs::read_dir(&p).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
                        children.sort();
                        children.reverse();
                        stack.extend(children);
                    } else if meta.is_file() {
                        hasher.extend(fs::read(&p).unwrap_or_default());
                    }
                }
            }
        }
        Ok(sha256(&hasher))
    }
}

/// What a step's arguments are expanded with: the stage's ARGs, and the
/// image's ENV, which wins over an ARG of the same name (as in Docker).
fn variables(config: &ContainerConfig, stage: &Stage) -> Vars {
    let mut vars = stage.arg_values();
    for e in config.env.iter().flatten() {
        if let Some((k, v)) = e.split_once('=') {
            vars.insert(k.to_owned(), v.to_owned());
        }
    }
    vars
}

/// What one COPY or ADD copies, and where to.
#[derive(Clone, Copy)]
struct CopyStep<'a> {
    sources: &'a [String],
    dest: &'a str,
    from: Option<&'a str>,
    /// ADD: local tar archives are unpacked.
    extract: bool,
    /// `--chown`, resolved: (uid, gid).
    owner: Option<(u32, u32)>,
}

/// `--chown`: the copied tree (and `path` itself when `with_self`) to uid:gid.
fn chown_tree(path: &Path, uid: u32, gid: u32, with_self: bool) -> Result<(), BuildError> {
    if with_self {
        std::os::unix::fs::lchown(path, Some(uid), Some(gid)).map_err(Error::io("chown", path))?;
    }
    let meta = fs::symlink_metadata(path).map_err(Error::io("reading", path))?;
    if meta.is_dir() {
        for entry in fs::read_dir(path).map_err(Error::io("reading", path))?.flatten() {
            chown_tree(&entry.path(), uid, gid, true)?;
        }
    }
    Ok(())
}

fn is_tar(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    [".tar", ".tar.gz", ".tgz"].iter().any(|ext| name.ends_with(ext))
}

/// ADD's local archive extraction.
fn extract_tar(src: &Path, dir: &Path) -> Result<(), BuildError> {
    let file = fs::File::open(src).map_err(Error::io("opening", src))?;
    let name = src.to_string_lossy().to_lowercase();
    let reader: Box<dyn Read> = if name.ends_with(".gz") || name.ends_with(".tgz") { Box::new(flate2::read::GzDecoder::new(file)) } else { Box::new(file) };
    tar::Archive::new(reader).unpack(dir).map_err(|e| BuildError::Invalid(format!("ADD {}: {e}", src.display())))
}

/// Copies a file or tree to `target`, skipping what .dockerignore excludes.
fn copy_tree(src: &Path, target: &Path, root: &Path, ignore: Option<&Ignore>) -> Result<(), BuildError> {
    let rel = src.strip_prefix(root).unwrap_or(src);
    if ignore.is_some_and(|i| !rel.as_os_str().is_empty() && i.excludes(rel)) {
        return Ok(());
    }
    let meta = fs::symlink_metadata(src).map_err(Error::io("reading", src))?;
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(Error::io("creating", parent))?;
    }
    if meta.file_type().is_symlink() {
        let link = fs::read_link(src).map_err(Error::io("reading", src))?;
        let _ = fs::remove_file(target);
        std::os::unix::fs::symlink(link, target).map_err(Error::io("linking", target))?;
    } else if meta.is_dir() {
        fs::create_dir_all(target).map_err(Error::io("creating", target))?;
        fs::set_permissions(target, fs::Permissions::from_mode(meta.mode() & 0o7777)).map_err(Error::io("chmod", target))?;
        let mut children: Vec<PathBuf> = fs::read_dir(src).map_err(Error::io("reading", src))?.flatten().map(|e| e.path()).collect();
        children.sort();
        for child in children {
            let name = child.file_name().map(|n| n.to_owned()).unwrap_or_default();
            copy_tree(&child, &target.join(name), root, ignore)?;
        }
    } else if meta.is_file() {
        fs::copy(src, target).map_err(Error::io("copying", src))?;
    }
    Ok(())
}

fn context_size(context: &Path, ignore: &Ignore) -> u64 {
    let mut total = 0;
    let mut stack = vec![context.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let rel = e.path().strip_prefix(context).map(Path::to_path_buf).unwrap_or_default();
            if ignore.excludes(&rel) {
                continue;
            }
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// `.dockerignore`: patterns with `*`, `?`, `**`, and `!` to take one back.
struct Ignore {
    rules: Vec<(bool, String)>,
}

impl Ignore {
    fn load(context: &Path) -> Ignore {
        let text = fs::read_to_string(context.join(".dockerignore")).unwrap_or_default();
        let rules = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| match l.strip_prefix('!') {
                Some(p) => (false, p.trim_start_matches('/').trim_end_matches('/').to_owned()),
                None => (true, l.trim_start_matches('/').trim_end_matches('/').to_owned()),
            })
            .collect();
        Ignore { rules }
    }

    fn excludes(&self, rel: &Path) -> bool {
        let path = rel.to_string_lossy();
        let mut excluded = false;
        for (exclude, pattern) in &self.rules {
            // A pattern matches the path itself or any directory above it.
            let mut prefix = String::new();
            let mut hit = false;
            for part in path.split('/') {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                if glob(pattern, &prefix) {
                    hit = true;
                    break;
                }
            }
            if hit {
                excluded = *exclude;
            }
        }
        excluded
    }
}

/// `*` within a path part, `?` one character, `**` any number of parts.
fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[char], t: &[char]) -> bool {
        match p {
            [] => t.is_empty(),
            ['*', '*', rest @ ..] => {
                let rest = rest.strip_prefix(&['/']).unwrap_or(rest);
                (0..=t.len()).any(|i| go(rest, &t[i..]))
            }
            ['*', rest @ ..] => (0..=t.len()).take_while(|&i| i == 0 || t[i - 1] != '/').any(|i| go(rest, &t[i..])),
            ['?', rest @ ..] => !t.is_empty() && t[0] != '/' && go(rest, &t[1..]),
            [c, rest @ ..] => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    go(&p, &t)
}

/// Step results by key, in `ROOT/build-cache.json`.
struct Cache {
    entries: BTreeMap<String, String>,
}

impl Cache {
    fn load(env: &BuildEnv<'_>) -> Cache {
        Cache { entries: read_json(&env.layout.root().join("build-cache.json"), "build cache").ok().flatten().unwrap_or_default() }
    }

    fn get(&self, key: &str) -> Option<String> {
        self.entries.get(key).cloned()
    }

    fn put(&mut self, key: String, id: String) {
        self.entries.insert(key, id);
    }

    fn save(&self, env: &BuildEnv<'_>) {
        if let Ok(_lock) = StateLock::acquire(&env.layout.lock_file()) {
            let _ = write_json_atomic(&env.layout.root().join("build-cache.json"), &self.entries);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_globs() {
        let ignore = Ignore { rules: vec![(true, "*.log".into()), (true, "**/tmp".into()), (true, "secret".into()), (false, "keep.log".into())] };
        assert!(ignore.excludes(Path::new("a.log")));
        assert!(!ignore.excludes(Path::new("keep.log")));
        assert!(ignore.excludes(Path::new("x/y/tmp")));
        assert!(ignore.excludes(Path::new("secret/inner.txt")));
        assert!(!ignore.excludes(Path::new("src/main.rs")));
    }
}
