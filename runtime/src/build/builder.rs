//! Building: each Dockerfile step on top of the last. RUN runs in a real
//! container over the current layers and its writable layer becomes the new
//! layer; COPY/ADD stage files into a layer; other steps change only the
//! config (no layer, as in Docker). A cache keyed on the parent image and
//! the step (and, for COPY/ADD, the copied files) skips steps already built.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::build::dockerfile::{self, Command, Instruction, Line};
use crate::container::monitor::{self, Mode};
use crate::container::StartFailure;
use crate::container::{NewContainer, RunConfig};
use crate::digest::sha256;
use crate::error::{Error, Result};
use crate::fsutil::{read_json, remove_tree, write_json_atomic, StateLock};
use crate::image::commit::{derive_image, layer_from_dir, Clock};
use crate::image::pull::PullEvent;
use crate::image::store::ImageRecord;
use crate::reference::Reference;
use crate::Runtime;

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
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("dockerfile parse error on line {line}: {message}")]
    Parse { file: PathBuf, line: usize, column: usize, message: String },
    #[error("The command '{command}' returned a non-zero code: {code}")]
    StepFailed { command: String, code: i32 },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Runtime(#[from] Error),
}

type Events<'a> = &'a mut dyn FnMut(BuildEvent);

/// Builds, tags, and returns the final image.
pub fn build(rt: &Runtime, opts: &BuildOptions, on_event: Events<'_>) -> Result<ImageRecord, BuildError> {
    let context = fs::canonicalize(&opts.context)
        .map_err(|_| BuildError::Invalid(format!("unable to prepare context: path {:?} not found", opts.context.display().to_string())))?;
    let file = opts.dockerfile.clone().map(|f| if f.is_absolute() { f } else { context.join(f) }).unwrap_or_else(|| context.join("Dockerfile"));
    let source = fs::read_to_string(&file).map_err(|_| {
        BuildError::Invalid(format!(
            "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: no such file or directory",
            file.display()
        ))
    })?;
    let lines = dockerfile::parse(&source).map_err(|e| BuildError::Parse { file: file.clone(), line: e.line, column: e.column, message: e.message })?;
    let ignore = Ignore::load(&context);
    on_event(BuildEvent::Context { bytes: context_size(&context, &ignore) });

    // Steps up to the end of the target stage.
    let mut last = lines.len();
    if let Some(target) = &opts.target {
        let start = lines
            .iter()
            .position(|l| matches!(&l.instruction, Instruction::From { name: Some(n), .. } if n == &target.to_ascii_lowercase()))
            .ok_or_else(|| BuildError::Invalid(format!("failed to reach build target {target} in Dockerfile")))?;
        last = lines[start + 1..].iter().position(|l| matches!(l.instruction, Instruction::From { .. })).map_or(lines.len(), |p| start + 1 + p);
    }
    let steps = &lines[..last];
    let mut builder = Builder { rt, opts, context: &context, ignore, stages: BTreeMap::new(), cache: Cache::load(rt) };
    let mut state = Stage::default();
    let mut global_args: BTreeMap<String, String> = BTreeMap::new();
    let mut stage_index = 0;
    for (i, line) in steps.iter().enumerate() {
        on_event(BuildEvent::Step { index: i + 1, total: steps.len(), text: line.text.clone() });
        if let Instruction::From { image, name } = &line.instruction {
            if state.started {
                builder.finish_stage(&state, stage_index);
                stage_index += 1;
            }
            let image = substitute(image, &global_args);
            state = Stage { started: true, name: name.clone(), image: builder.base(&image, on_event)?, args: global_args.clone() };
        } else if !state.started {
            if let Instruction::Arg { name, default } = &line.instruction {
                let value = opts.build_args.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).or(default.clone()).unwrap_or_default();
                global_args.insert(name.clone(), value);
            }
            continue;
        } else {
            state.image = Some(builder.step(&state, line, on_event)?);
            if let Instruction::Arg { name, default } = &line.instruction {
                let value = opts.build_args.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).or(default.clone()).unwrap_or_default();
                state.args.insert(name.clone(), value);
            }
        }
        if let Some(image) = &state.image {
            on_event(BuildEvent::StepDone(crate::digest::short(&image.id).to_owned()));
        }
    }
    let image = state.image.ok_or_else(|| BuildError::Invalid("the build produced no image: a stage FROM scratch needs at least one step".into()))?;
    for tag in &opts.tags {
        rt.images.add(image.clone(), Some(tag))?;
    }
    Ok(image)
}

#[derive(Default)]
struct Stage {
    started: bool,
    name: Option<String>,
    /// None while a stage FROM scratch has no step yet.
    image: Option<ImageRecord>,
    args: BTreeMap<String, String>,
}

struct Builder<'a> {
    rt: &'a Runtime,
    opts: &'a BuildOptions,
    context: &'a Path,
    ignore: Ignore,
    /// Finished stages by name and by index, for `FROM stage` and `COPY --from`.
    stages: BTreeMap<String, ImageRecord>,
    cache: Cache,
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

    /// The image a FROM names: scratch, an earlier stage, a local image, or one from the hub.
    fn base(&self, name: &str, on_event: Events<'_>) -> Result<Option<ImageRecord>, BuildError> {
        if name == "scratch" {
            return Ok(None);
        }
        if let Some(stage) = self.stages.get(&name.to_ascii_lowercase()) {
            return Ok(Some(stage.clone()));
        }
        let reference = Reference::parse(name)?;
        if let Some(image) = self.rt.images.by_reference(&reference)? {
            return Ok(Some(image));
        }
        self.rt.pull(&reference, &|_| None, &mut |e| on_event(BuildEvent::Pull(e)))?;
        Ok(self.rt.images.by_reference(&reference)?)
    }

    fn step(&mut self, stage: &Stage, line: &Line, on_event: Events<'_>) -> Result<ImageRecord, BuildError> {
        let parent = stage.image.as_ref();
        let vars = self.variables(stage)?;
        let sub = |s: &str| substitute(s, &vars);
        // Files copied are part of the cache key: same step, other files, other layer.
        let files_key = match &line.instruction {
            Instruction::Copy { sources, from: None, .. } | Instruction::Add { sources, .. } => {
                self.content_hash(&sources.iter().map(|s| sub(s)).collect::<Vec<_>>())?
            }
            // Copied from another stage: that stage's result is what matters.
            Instruction::Copy { from: Some(stage), .. } => self.stages.get(&stage.to_ascii_lowercase()).map(|i| i.id.clone()).unwrap_or_else(|| stage.clone()),
            _ => String::new(),
        };
        let key = sha256(format!("{}\n{}\n{}\n{:?}", parent.map_or("scratch", |p| p.id.as_str()), line.text, files_key, stage.args).as_bytes());
        if !self.opts.no_cache {
            if let Some(image) = self.cache.get(&key).and_then(|id| self.rt.images.get(&id).ok().flatten()) {
                on_event(BuildEvent::UsingCache);
                return Ok(image);
            }
        }
        let created_by = |body: &str| format!("/bin/sh -c #(nop) {body}");
        let image = match &line.instruction {
            Instruction::Run(command) => self.run(parent, stage, command, on_event)?,
            Instruction::Copy { sources, dest, from } => {
                let sources: Vec<String> = sources.iter().map(|s| sub(s)).collect();
                let layer = self.copy(parent, &sources, &sub(dest), from.as_deref(), false)?;
                derive_image(
                    &self.rt.images,
                    self.opts.clock,
                    parent,
                    Some(layer),
                    &created_by(&format!("COPY {} in {}", sources.join(" "), sub(dest))),
                    None,
                    |_| {},
                )?
            }
            Instruction::Add { sources, dest } => {
                let sources: Vec<String> = sources.iter().map(|s| sub(s)).collect();
                if let Some(url) = sources.iter().find(|s| s.starts_with("http://") || s.starts_with("https://")) {
                    return Err(BuildError::Invalid(format!(
                        "ADD {url}: no network here — Whaleshell cannot download it. Fetch the file yourself, put it in the build context, and COPY it"
                    )));
                }
                let layer = self.copy(parent, &sources, &sub(dest), None, true)?;
                derive_image(
                    &self.rt.images,
                    self.opts.clock,
                    parent,
                    Some(layer),
                    &created_by(&format!("ADD {} in {}", sources.join(" "), sub(dest))),
                    None,
                    |_| {},
                )?
            }
            other => {
                derive_image(&self.rt.images, self.opts.clock, parent, None, &created_by(&line.text), None, |config| apply_metadata(config, other, &vars))?
            }
        };
        self.cache.put(key, image.id.clone());
        // Saved at once: a later step failing must not lose the steps that worked.
        self.cache.save(self.rt);
        Ok(image)
    }

    /// ARG and ENV values visible to a step (ENV wins, as in Docker).
    fn variables(&self, stage: &Stage) -> Result<BTreeMap<String, String>, BuildError> {
        let mut vars = stage.args.clone();
        if let Some(image) = &stage.image {
            let config = self.rt.images.config(image)?;
            for e in config.config().as_ref().and_then(|c| c.env().clone()).unwrap_or_default() {
                if let Some((k, v)) = e.split_once('=') {
                    vars.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        Ok(vars)
    }

    /// RUN: a real container over the current layers; what it changed is the new layer.
    fn run(&self, parent: Option<&ImageRecord>, stage: &Stage, command: &Command, on_event: Events<'_>) -> Result<ImageRecord, BuildError> {
        let parent = parent.ok_or_else(|| BuildError::Invalid("RUN needs a base image with a shell: FROM scratch has none".into()))?;
        let config = self.rt.images.config(parent)?;
        let inner = config.config().clone().unwrap_or_default();
        let args = match command {
            Command::Shell(s) => vec!["/bin/sh".to_owned(), "-c".to_owned(), s.clone()],
            Command::Exec(v) => v.clone(),
        };
        let mut env = inner.env().clone().unwrap_or_default();
        for (k, v) in &stage.args {
            if !env.iter().any(|e| e.starts_with(&format!("{k}="))) {
                env.push(format!("{k}={v}"));
            }
        }
        if !env.iter().any(|e| e.starts_with("PATH=")) {
            env.insert(0, format!("PATH={}", monitor::default_path()));
        }
        let container = self.rt.containers.create(NewContainer {
            name: None,
            image: crate::digest::short(&parent.id).to_owned(),
            image_id: parent.id.clone(),
            layers: parent.layers.iter().map(|l| l.diff_id.clone()).collect(),
            config: RunConfig {
                args: args.clone(),
                env,
                working_dir: inner.working_dir().clone().filter(|w| !w.is_empty()).unwrap_or_else(|| "/".into()),
                user: inner.user().clone().unwrap_or_default(),
                hostname: String::new(),
                tty: false,
                open_stdin: false,
                auto_remove: false,
                mounts: Vec::new(),
                ports: Vec::new(),
                init: false,
            },
        })?;
        let short = container.short_id().to_owned();
        on_event(BuildEvent::RunningIn(short.clone()));
        let result = self.run_container(&container, on_event);
        let outcome = result.and_then(|code| {
            if code != 0 {
                return Err(BuildError::StepFailed { command: args.join(" "), code });
            }
            let upper = self.rt.layout.container_dir(&container.id).join("upper");
            let layer = layer_from_dir(&self.rt.images, &upper, self.opts.clock)?;
            Ok(derive_image(&self.rt.images, self.opts.clock, Some(parent), Some(layer), &args.join(" "), None, |_| {})?)
        });
        let _ = self.rt.containers.remove_files(&container, true);
        on_event(BuildEvent::Removed(short));
        outcome
    }

    /// Runs the step's container to its end, streaming its output; its exit code.
    fn run_container(&self, container: &crate::container::ContainerRecord, on_event: Events<'_>) -> Result<i32, BuildError> {
        let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(Error::sys("pipe2"))?;
        let write2 = write.try_clone().map_err(Error::io("duplicating", "pipe"))?;
        let handle = monitor::spawn(&self.rt.layout, &container.id, Mode::Foreground, (Stdio::null(), Stdio::from(write), Stdio::from(write2)))?;
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
            Err(StartFailure::Process { message, code }) => {
                on_event(BuildEvent::Output(format!("{message}\n").into_bytes()));
                Ok(code)
            }
            Err(StartFailure::Engine(e)) => Err(e.into()),
        }
    }

    /// COPY/ADD: the sources staged at their destination, as one layer.
    fn copy(
        &self,
        parent: Option<&ImageRecord>,
        sources: &[String],
        dest: &str,
        from: Option<&str>,
        extract: bool,
    ) -> Result<crate::image::store::LayerInfo, BuildError> {
        let workdir = match parent {
            Some(p) => self.rt.images.config(p)?.config().as_ref().and_then(|c| c.working_dir().clone()).unwrap_or_default(),
            None => String::new(),
        };
        let dest_abs =
            if dest.starts_with('/') { dest.to_owned() } else { format!("{}/{}", if workdir.is_empty() { "" } else { workdir.trim_end_matches('/') }, dest) };
        let staging = self.rt.layout.root().join("tmp").join(format!("copy-{}", std::process::id()));
        remove_tree(&staging)?;
        let result = (|| {
            let source_root: PathBuf = match from {
                None => self.context.to_path_buf(),
                Some(stage) => self.stage_root(stage)?,
            };
            let dest_is_dir =
                dest.ends_with('/') || dest == "." || dest.ends_with("/.") || sources.len() > 1 || parent.is_some_and(|p| self.image_has_dir(p, &dest_abs));
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
                        let dir = staging.join(Path::new(&dest_abs).strip_prefix("/").unwrap_or(Path::new(&dest_abs)));
                        fs::create_dir_all(&dir).map_err(Error::io("creating", &dir))?;
                        extract_tar(&src, &dir)?;
                    } else {
                        copy_tree(&src, &target, &source_root, if from.is_none() { Some(&self.ignore) } else { None })?;
                    }
                }
            }
            Ok::<_, BuildError>(layer_from_dir(&self.rt.images, &staging, self.opts.clock)?)
        })();
        let _ = remove_tree(&staging);
        result
    }

    /// Whether the path is a directory in any of the image's layers.
    fn image_has_dir(&self, image: &ImageRecord, path: &str) -> bool {
        let rel = path.trim_start_matches('/');
        !rel.is_empty() && image.layers.iter().any(|l| self.rt.layout.layer_dir(&l.diff_id).join(rel).is_dir())
    }

    /// A finished stage's files, as one directory (its top layer when it
    /// has one, else the merged view is built by copying its layers in order).
    fn stage_root(&self, stage: &str) -> Result<PathBuf, BuildError> {
        let image = self.stages.get(&stage.to_ascii_lowercase()).cloned().map(Ok).unwrap_or_else(|| {
            Reference::parse(stage).map_err(BuildError::from).and_then(|r| {
                self.rt.images.by_reference(&r)?.ok_or_else(|| BuildError::Invalid(format!("invalid from flag value {stage}: no stage or image by that name")))
            })
        })?;
        let merged = self.rt.layout.root().join("tmp").join(format!("stage-{}", crate::digest::short(&image.id)));
        if !merged.exists() {
            let building = merged.with_extension("partial");
            remove_tree(&building)?;
            for layer in &image.layers {
                copy_tree(&self.rt.layout.layer_dir(&layer.diff_id), &building, &self.rt.layout.layer_dir(&layer.diff_id), None)?;
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

/// ENV, CMD, ENTRYPOINT, WORKDIR, EXPOSE, LABEL, USER, VOLUME, ARG: config only.
fn apply_metadata(config: &mut libcontainer::oci_spec::image::Config, instruction: &Instruction, vars: &BTreeMap<String, String>) {
    let sub = |s: &str| substitute(s, vars);
    let command = |c: &Command| match c {
        Command::Shell(s) => vec!["/bin/sh".to_owned(), "-c".to_owned(), s.clone()],
        Command::Exec(v) => v.clone(),
    };
    match instruction {
        Instruction::Env(pairs) => {
            let mut env = config.env().clone().unwrap_or_default();
            for (k, v) in pairs {
                let v = sub(v);
                env.retain(|e| e.split_once('=').is_none_or(|(key, _)| key != k));
                env.push(format!("{k}={v}"));
            }
            config.set_env(Some(env));
        }
        Instruction::Cmd(c) => {
            config.set_cmd(Some(command(c)));
        }
        Instruction::Entrypoint(c) => {
            config.set_entrypoint(Some(command(c)));
            // Docker: a new ENTRYPOINT resets a CMD inherited from the base image.
            config.set_cmd(None);
        }
        Instruction::Workdir(dir) => {
            let dir = sub(dir);
            let current = config.working_dir().clone().unwrap_or_default();
            let joined = if dir.starts_with('/') { dir } else { format!("{}/{}", current.trim_end_matches('/'), dir) };
            config.set_working_dir(Some(joined));
        }
        Instruction::User(user) => {
            config.set_user(Some(sub(user)));
        }
        Instruction::Expose(ports) => {
            let mut all = config.exposed_ports().clone().unwrap_or_default();
            for p in ports {
                let p = sub(p);
                let p = if p.contains('/') { p } else { format!("{p}/tcp") };
                if !all.contains(&p) {
                    all.push(p);
                }
            }
            config.set_exposed_ports(Some(all));
        }
        Instruction::Label(pairs) => {
            let mut labels = config.labels().clone().unwrap_or_default();
            for (k, v) in pairs {
                labels.insert(k.clone(), sub(v));
            }
            config.set_labels(Some(labels));
        }
        Instruction::Volume(paths) => {
            let mut all = config.volumes().clone().unwrap_or_default();
            for p in paths {
                if !all.contains(p) {
                    all.push(sub(p));
                }
            }
            config.set_volumes(Some(all));
        }
        Instruction::Arg { .. } | Instruction::From { .. } | Instruction::Run(_) | Instruction::Copy { .. } | Instruction::Add { .. } => {}
    }
}

/// `$VAR` and `${VAR}` from ARG/ENV.
fn substitute(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let braced = chars.peek() == Some(&'{');
        if braced {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphanumeric() || n == '_' {
                name.push(n);
                chars.next();
            } else {
                break;
            }
        }
        if braced && chars.peek() == Some(&'}') {
            chars.next();
        }
        if name.is_empty() {
            out.push('$');
        } else {
            out.push_str(vars.get(&name).map(String::as_str).unwrap_or(""));
        }
    }
    out
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
    fn load(rt: &Runtime) -> Cache {
        Cache { entries: read_json(&rt.layout.root().join("build-cache.json"), "build cache").ok().flatten().unwrap_or_default() }
    }

    fn get(&self, key: &str) -> Option<String> {
        self.entries.get(key).cloned()
    }

    fn put(&mut self, key: String, id: String) {
        self.entries.insert(key, id);
    }

    fn save(&self, rt: &Runtime) {
        if let Ok(_lock) = StateLock::acquire(&rt.layout.lock_file()) {
            let _ = write_json_atomic(&rt.layout.root().join("build-cache.json"), &self.entries);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_substituted() {
        let vars: BTreeMap<String, String> = [("A".to_owned(), "1".to_owned()), ("DIR".to_owned(), "/app".to_owned())].into();
        assert_eq!(substitute("$DIR/${A}x $B $", &vars), "/app/1x  $");
    }

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
