//! Image references, normalised the way Docker does:
//! `busybox` → `docker.io/library/busybox:latest`,
//! `docker/whalesay` → `docker.io/docker/whalesay:latest`,
//! `localhost:5000/app:v1` keeps its registry.

use std::fmt;

use crate::error::{Error, Result};

pub const DEFAULT_DOMAIN: &str = "docker.io";
pub const DEFAULT_TAG: &str = "latest";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    /// Registry host (with port), e.g. `docker.io` or `localhost:5000`.
    pub domain: String,
    /// Repository path inside the registry, e.g. `library/busybox`.
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// Parses what a user typed. A reference with neither tag nor digest gets `latest`.
    pub fn parse(input: &str) -> Result<Reference> {
        let invalid = || Error::InvalidReference(input.to_owned());
        if input.is_empty() || input.len() > 255 + 128 + 80 {
            return Err(invalid());
        }
        let (name_and_tag, digest) = match input.split_once('@') {
            Some((n, d)) => (n, Some(parse_digest(d).ok_or_else(invalid)?)),
            None => (input, None),
        };
        // A ':' after the last '/' separates the tag; one before it is a port.
        let last_slash = name_and_tag.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name_and_tag[last_slash..].rfind(':') {
            Some(i) => {
                let (n, t) = name_and_tag.split_at(last_slash + i);
                (n, Some(t[1..].to_owned()))
            }
            None => (name_and_tag, None),
        };
        if let Some(t) = &tag {
            if !valid_tag(t) {
                return Err(invalid());
            }
        }
        let (domain, path) = split_domain(name);
        if path.is_empty() || !path.split('/').all(valid_path_component) {
            if path.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(Error::InvalidReference(format!("repository name ({path}) must be lowercase")));
            }
            return Err(invalid());
        }
        let tag = match (&tag, &digest) {
            (None, None) => Some(DEFAULT_TAG.to_owned()),
            _ => tag,
        };
        Ok(Reference { domain, path, tag, digest })
    }

    /// `docker.io/library/busybox:latest`: the key images are stored under.
    pub fn full(&self) -> String {
        self.with_name(&format!("{}/{}", self.domain, self.path))
    }

    /// The repository as Docker shows it: `busybox`, `docker/whalesay`, `localhost:5000/app`.
    pub fn familiar_name(&self) -> String {
        if self.domain == DEFAULT_DOMAIN {
            self.path.strip_prefix("library/").unwrap_or(&self.path).to_owned()
        } else {
            format!("{}/{}", self.domain, self.path)
        }
    }

    /// `busybox:latest`, as in Docker's messages.
    pub fn familiar(&self) -> String {
        self.with_name(&self.familiar_name())
    }

    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or(DEFAULT_TAG)
    }

    fn with_name(&self, name: &str) -> String {
        let mut s = name.to_owned();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.familiar())
    }
}

fn split_domain(name: &str) -> (String, String) {
    match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first.to_owned(), rest.to_owned()),
        Some(_) => (DEFAULT_DOMAIN.to_owned(), name.to_owned()),
        None => (DEFAULT_DOMAIN.to_owned(), format!("library/{name}")),
    }
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`
fn valid_path_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(&bytes[0]) || !alnum(&bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(&bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(&bytes[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn valid_tag(t: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = t.chars();
    matches!(chars.next(), Some(c) if word(c)) && t.len() <= 128 && chars.all(|c| word(c) || c == '.' || c == '-')
}

fn parse_digest(d: &str) -> Option<String> {
    let hex = d.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())).then(|| d.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_docker() {
        let cases = [
            ("busybox", "docker.io/library/busybox:latest", "busybox:latest"),
            ("busybox:latest", "docker.io/library/busybox:latest", "busybox:latest"),
            ("docker/whalesay", "docker.io/docker/whalesay:latest", "docker/whalesay:latest"),
            ("localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000/app:v1"),
            (
                "491722570113.dkr.ecr.us-east-1.amazonaws.com/development:latest",
                "491722570113.dkr.ecr.us-east-1.amazonaws.com/development:latest",
                "491722570113.dkr.ecr.us-east-1.amazonaws.com/development:latest",
            ),
        ];
        for (input, full, familiar) in cases {
            let r = Reference::parse(input).unwrap();
            assert_eq!(r.full(), full, "{input}");
            assert_eq!(r.familiar(), familiar, "{input}");
        }
    }

    #[test]
    fn rejects_bad_references() {
        for bad in ["", "Busybox", "busy box", "a:", "a::b", ":tag", "a//b", "a@sha256:12", "-a"] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn digest_references_have_no_default_tag() {
        let d = format!("busybox@sha256:{}", "a".repeat(64));
        let r = Reference::parse(&d).unwrap();
        assert_eq!(r.tag, None);
        assert_eq!(r.familiar(), d);
    }
}
