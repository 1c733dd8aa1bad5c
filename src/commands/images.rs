//! `docker images` / `docker image ls`: local images, one row per tag.

use chrono::{DateTime, Utc};
use whaleshell_runtime::digest::short;
use whaleshell_runtime::image::store::TaggedImage;
use whaleshell_runtime::reference::Reference;
use whaleshell_runtime::Runtime;

use super::error::{CommandError, CommandResult};
use crate::grammar::docker::ImagesArgs;
use crate::io::Io;
use crate::output::{ago, created_at, human_size, human_size_precision, print_format, table, TemplateWords};
use crate::template::{Nil, Struct, Value, IMAGE_HEADERS};

/// What `{{.}}` prints: Docker 20.10's `imageContext` as Go prints it — its
/// header (nil), `trunc`, the API's `types.ImageSummary` (Containers and
/// SharedSize -1, as `docker images` leaves them), repository, tag and digest.
fn go_struct(rt: &Runtime, image: &TaggedImage, trunc: bool, repo: &str, tag: &str, digest: &str) -> Value {
    let config = rt.images.config(&image.record).ok();
    let labels = config.as_ref().and_then(|c| c.config().as_ref()).and_then(|c| c.labels().clone()).unwrap_or_default();
    let size = i64::try_from(image.record.size()).unwrap_or(i64::MAX);
    let (mut digests, mut tags) = (image.record.repo_digests.clone(), image.tags.iter().map(Reference::familiar).collect::<Vec<_>>());
    // Docker's daemon names an image with neither so.
    if digests.is_empty() && tags.is_empty() {
        (digests, tags) = (vec!["<none>@<none>".to_owned()], vec!["<none>:<none>".to_owned()]);
    }
    let summary = Struct::new("types.ImageSummary")
        .field("Containers", -1)
        .field("Created", image.record.created.map_or(0, |c| c.timestamp()))
        .field("ID", image.record.id.as_str())
        .field("Labels", Value::Map(labels.into_iter().map(|(k, v)| (k, Value::from(v))).collect()))
        .field("ParentID", "")
        .field("RepoDigests", digests)
        .field("RepoTags", tags)
        .field("SharedSize", -1)
        .field("Size", size)
        .field("VirtualSize", size);
    Struct::new("formatter.imageContext")
        .field("HeaderContext", Struct::new("formatter.HeaderContext").field("header", Value::Nil(Nil::Pointer)))
        .field("trunc", trunc)
        .field("i", summary)
        .field("repo", repo)
        .field("tag", tag)
        .field("digest", if digest.is_empty() { "<none>" } else { digest })
        .into_value()
}

pub fn run(rt: &Runtime, args: &ImagesArgs, io: &mut Io<'_>) -> CommandResult {
    let images = rt.images.list()?;
    super::ps::check_filter_format(&args.filter, "docker images [OPTIONS] [REPOSITORY[:TAG]]", "docker images")?;
    let filters = ImageFilters::parse(rt, &args.filter).map_err(CommandError::Client)?;
    let mut patterns = filters.references.clone();
    patterns.extend(args.repository.clone());
    let mut rows = Vec::new();
    let mut contexts = Vec::new();
    for image in images.iter().filter(|i| (args.all || !i.tags.is_empty() || !i.record.intermediate) && filters.matches(rt, i)) {
        let id = if args.no_trunc { image.record.id.clone() } else { short(&image.record.id).to_owned() };
        let created = image.record.created.map(ago).unwrap_or_else(|| "N/A".into());
        let size = human_size(image.record.size());
        let digest = image.record.manifest_digest.clone();
        let tags: Vec<Option<&Reference>> = if image.tags.is_empty() { vec![None] } else { image.tags.iter().map(Some).collect() };
        for tag in tags {
            if !patterns.is_empty() && !tag.is_some_and(|t| patterns.iter().any(|p| reference_matches(p, t))) {
                continue;
            }
            let (repo, tag_text) = match tag {
                Some(t) => (t.familiar_name(), t.tag.clone().unwrap_or_else(|| "<none>".to_owned())),
                None => ("<none>".to_owned(), "<none>".to_owned()),
            };
            let printed = go_struct(rt, image, !args.no_trunc, &repo, &tag_text, &digest);
            contexts.push(
                Struct::context("*formatter.imageContext")
                    .printed_as(move || printed.clone())
                    .field("ID", id.trim_start_matches(if args.no_trunc { "" } else { "sha256:" }))
                    .field("Repository", repo.as_str())
                    .field("Tag", tag_text.as_str())
                    .field("Digest", if digest.is_empty() { "<none>" } else { digest.as_str() })
                    .field("CreatedSince", created.as_str())
                    .field("CreatedAt", image.record.created.map(created_at).unwrap_or_default())
                    .field("Size", size.as_str())
                    .field("Containers", "N/A")
                    .field("VirtualSize", human_size_precision(image.record.size(), 4))
                    .field("SharedSize", "N/A")
                    .field("UniqueSize", "N/A")
                    .into_value(),
            );
            let mut row = vec![repo, tag_text];
            if args.digests {
                row.push(digest.clone());
            }
            row.extend([id.clone(), created.clone(), size.clone()]);
            rows.push(row);
        }
    }
    if let Some(source) = args.format.as_deref().filter(|f| !f.is_empty() && *f != "table") {
        let words = TemplateWords { parse: "template parsing error: ", exec: "template parsing error: " };
        return print_format(io.stdout, source, &contexts, IMAGE_HEADERS, &words).map(|()| 0).map_err(CommandError::Client);
    }
    if args.quiet {
        let mut seen = Vec::new();
        for row in &rows {
            let id = &row[if args.digests { 3 } else { 2 }];
            if !seen.contains(id) {
                io.out(id);
                seen.push(id.clone());
            }
        }
        return Ok(0);
    }
    let mut header = vec!["REPOSITORY", "TAG"];
    if args.digests {
        header.push("DIGEST");
    }
    header.extend(["IMAGE ID", "CREATED", "SIZE"]);
    rows.insert(0, header.into_iter().map(String::from).collect());
    let _ = std::io::Write::write_all(io.stdout, table(&rows).as_bytes());
    Ok(0)
}

/// `docker images -f`: `reference=`, `dangling=`, `label=`, `before=`, `since=`.
#[derive(Default)]
struct ImageFilters {
    references: Vec<String>,
    dangling: Option<bool>,
    labels: Vec<(String, Option<String>)>,
    before: Option<DateTime<Utc>>,
    since: Option<DateTime<Utc>>,
}

impl ImageFilters {
    fn parse(rt: &Runtime, texts: &[String]) -> Result<ImageFilters, String> {
        let mut filters = ImageFilters::default();
        let mut dangling = Vec::new();
        for text in texts {
            let (key, value) = text.split_once('=').unwrap_or((text, ""));
            match key {
                "reference" => filters.references.push(value.to_owned()),
                "dangling" => dangling.push(value.to_owned()),
                "label" => filters.labels.push(match value.split_once('=') {
                    Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                    None => (value.to_owned(), None),
                }),
                "before" | "since" => {
                    let created = rt.images.resolve(value).map_err(|_| format!("Error response from daemon: No such image: {}", with_tag(value)))?.created;
                    let created = created.unwrap_or_default();
                    if key == "before" {
                        filters.before = Some(created);
                    } else {
                        filters.since = Some(created);
                    }
                }
                _ => return Err(super::ps::invalid_filter(key)),
            }
        }
        if !dangling.is_empty() {
            if dangling.iter().any(|d| d == "true") {
                filters.dangling = Some(true);
            } else if dangling.iter().any(|d| d == "false") {
                filters.dangling = Some(false);
            } else {
                return Err(super::ps::invalid_filter(&format!("dangling=[{}]", dangling.join(" "))));
            }
        }
        Ok(filters)
    }

    fn matches(&self, rt: &Runtime, image: &TaggedImage) -> bool {
        if self.dangling.is_some_and(|d| d != image.tags.is_empty()) {
            return false;
        }
        let created = image.record.created.unwrap_or_default();
        if self.before.is_some_and(|b| created >= b) || self.since.is_some_and(|s| created <= s) {
            return false;
        }
        if !self.labels.is_empty() {
            let config = rt.images.config(&image.record).ok();
            let labels = config.as_ref().and_then(|c| c.config().as_ref()).and_then(|c| c.labels().clone()).unwrap_or_default();
            return self.labels.iter().all(|(k, v)| labels.get(k).is_some_and(|have| v.as_ref().is_none_or(|want| want == have)));
        }
        true
    }
}

/// `busybox` → `busybox:latest`, as Docker names a missing image.
fn with_tag(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.contains(':') || name.contains('@') {
        name.to_owned()
    } else {
        format!("{name}:latest")
    }
}

/// Docker's `reference=` filter: a glob over `name` or `name:tag`.
fn reference_matches(pattern: &str, tag: &Reference) -> bool {
    let name = tag.familiar_name();
    let with_tag = format!("{name}:{}", tag.tag_or_latest());
    glob(pattern, &name) || glob(pattern, &with_tag)
}

/// `*` matches within a path component, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len()).take_while(|&i| i == 0 || t[i - 1] != '/').any(|i| go(&p[1..], &t[i..])),
            Some('?') => !t.is_empty() && t[0] != '/' && go(&p[1..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    go(&p, &t)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn reference_globs() {
        assert!(glob("busy*", "busybox"));
        assert!(glob("docker/*", "docker/whalesay"));
        assert!(!glob("*", "docker/whalesay"));
        assert!(glob("busybox:lat?st", "busybox:latest"));
    }
}
