//! Printing an AWS answer as the AWS CLI (v2) does: `--output json` (4-space
//! indent, the service's key order, timestamps in ISO 8601), `text`
//! (tab-separated, its own rules), `table` (see `table`) and `--query` (JMESPath).

use std::fmt::Write;

use serde::Serialize;
use serde_json::Value;

use super::scalar::{is_scalar, python_str};

/// Fields the ECR API sends as epoch seconds and the AWS CLI shows as dates.
const TIMESTAMPS: &[&str] = &[
    "createdAt",
    "imagePushedAt",
    "expiresAt",
    "lastEvaluatedAt",
    "imageScanCompletedAt",
    "vulnerabilitySourceUpdatedAt",
    "lastRecordedPullTime",
    "updatedAt",
];

/// `2026-11-27T15:40:00+00:00`, with microseconds when there are some (Python's isoformat).
fn iso8601(seconds: f64) -> Option<String> {
    let micros = (seconds * 1_000_000.0).round() as i64;
    let time = chrono::DateTime::from_timestamp_micros(micros)?;
    Some(if micros % 1_000_000 == 0 { time.format("%Y-%m-%dT%H:%M:%S+00:00") } else { time.format("%Y-%m-%dT%H:%M:%S%.6f+00:00") }.to_string())
}

/// Dates as the AWS CLI prints them.
pub fn with_dates(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = match (&v, TIMESTAMPS.contains(&k.as_str())) {
                        (Value::Number(n), true) => n.as_f64().and_then(iso8601).map_or(v, Value::String),
                        _ => with_dates(v),
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(with_dates).collect()),
        other => other,
    }
}

/// Python's `json.dumps(…, indent=4, ensure_ascii=False)`, as the AWS CLI
/// prints (serde_json keeps the service's key order: `preserve_order`).
pub fn pretty(value: &Value) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::with_indent(b"    "));
    match value.serialize(&mut serializer) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => value.to_string(),
    }
}

/// The AWS CLI's `--output text`: scalars of a dict on one tab-separated
/// line (sorted by key, led by the upper-cased key it was under), then its
/// lists and dicts, each the same way.
pub fn text(value: &Value) -> String {
    let mut out = String::new();
    text_item(value, None, None, &mut out);
    out
}

fn text_item(value: &Value, identifier: Option<&str>, scalar_keys: Option<&[String]>, out: &mut String) {
    match value {
        Value::Object(map) => {
            // Python's text formatter walks keys sorted, whatever the answer's order.
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let (mut scalars, non_scalars): (Vec<String>, Vec<(&String, &Value)>) = match scalar_keys {
                None => {
                    let scalars = entries.iter().filter(|(_, v)| is_scalar(v)).map(|(_, v)| python_str(v)).collect();
                    (scalars, entries.iter().filter(|(_, v)| !is_scalar(v)).copied().collect())
                }
                Some(keys) => {
                    let scalars = keys.iter().map(|k| map.get(k).map(python_str).unwrap_or_default()).collect();
                    (scalars, entries.iter().filter(|(k, _)| !keys.contains(k)).copied().collect())
                }
            };
            if !scalars.is_empty() {
                if let Some(id) = identifier {
                    scalars.insert(0, id.to_uppercase());
                }
                out.push_str(&scalars.join("\t"));
                out.push('\n');
            }
            for (key, v) in non_scalars {
                text_item(v, Some(key), None, out);
            }
        }
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) if items.iter().any(Value::is_object) => {
            let mut keys: Vec<String> =
                items.iter().filter_map(Value::as_object).flat_map(|m| m.iter().filter(|(_, v)| is_scalar(v)).map(|(k, _)| k.clone())).collect();
            keys.sort();
            keys.dedup();
            for item in items {
                text_item(item, identifier, Some(&keys), out);
            }
        }
        Value::Array(items) => {
            let scalars: Vec<String> = items.iter().filter(|v| is_scalar(v)).map(python_str).collect();
            if !scalars.is_empty() {
                match identifier {
                    Some(id) => scalars.iter().for_each(|s| {
                        let _ = writeln!(out, "{}\t{s}", id.to_uppercase());
                    }),
                    None => {
                        out.push_str(&scalars.join("\t"));
                        out.push('\n');
                    }
                }
            }
            for item in items.iter().filter(|v| !is_scalar(v)) {
                text_item(item, identifier, None, out);
            }
        }
        scalar => {
            out.push_str(&python_str(scalar));
            out.push('\n');
        }
    }
}

#[derive(Debug)]
pub enum OutputError {
    Query(String),
    Format(String),
}

/// The answer as the AWS CLI would print it, given `--output` and `--query`.
pub fn render(operation: &str, json: Value, output: Option<&str>, query: Option<&str>) -> Result<String, OutputError> {
    let json = with_dates(json);
    let queried = match query {
        None => None,
        Some(q) => {
            let expr = jmespath::compile(q).map_err(|e| OutputError::Query(e.to_string()))?;
            let result = expr.search(json.clone()).map_err(|e| OutputError::Query(e.to_string()))?;
            let value = serde_json::to_value(&*result).map_err(|e| OutputError::Query(e.to_string()))?;
            Some(value)
        }
    };
    match output.unwrap_or("json") {
        "json" => Ok(pretty(queried.as_ref().unwrap_or(&json))),
        "text" => Ok(text(queried.as_ref().unwrap_or(&json)).trim_end_matches('\n').to_owned()),
        "table" => Ok(super::table::render(operation, queried.as_ref().unwrap_or(&json), terminal_width()).trim_end_matches('\n').to_owned()),
        other => Err(OutputError::Format(format!("aws: error: argument --output: Invalid choice: '{other}' (choose from 'json', 'text', 'table')"))),
    }
}

/// As Python's `shutil.get_terminal_size`: `COLUMNS`, the terminal's, else 80.
fn terminal_width() -> usize {
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|c: &usize| *c > 0) {
        return columns;
    }
    let mut size = libc::winsize { ws_row: 0, ws_col: 0, ws_xpixel: 0, ws_ypixel: 0 };
    // SAFETY: TIOCGWINSZ fills the winsize we pass; it fails harmlessly when stdout is no terminal.
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 {
        usize::from(size.ws_col)
    } else {
        80
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_the_service_order_and_shows_dates() {
        let answer = r#"{"repository": {"repositoryArn": "arn:aws:ecr:us-east-1:123456789012:repository/a", "registryId": "123456789012", "createdAt": 1764258000.0, "imageScanningConfiguration": {"scanOnPush": true}, "tags": []}}"#;
        insta::assert_snapshot!(render("CreateRepository", serde_json::from_str(answer).unwrap(), None, None).unwrap(), @r#"
        {
            "repository": {
                "repositoryArn": "arn:aws:ecr:us-east-1:123456789012:repository/a",
                "registryId": "123456789012",
                "createdAt": "2025-11-27T15:40:00+00:00",
                "imageScanningConfiguration": {
                    "scanOnPush": true
                },
                "tags": []
            }
        }
        "#);
    }

    #[test]
    fn text_and_query_follow_the_aws_cli() {
        let answer = r#"{"imageIds": [{"imageTag": "latest", "imageDigest": "sha256:aa"}, {"imageDigest": "sha256:bb", "imageTag": "v1"}]}"#;
        let json: Value = serde_json::from_str(answer).unwrap();
        assert_eq!(render("ListImages", json.clone(), Some("text"), None).unwrap(), "IMAGEIDS\tsha256:aa\tlatest\nIMAGEIDS\tsha256:bb\tv1");
        assert_eq!(render("ListImages", json.clone(), Some("text"), Some("imageIds[].imageTag")).unwrap(), "latest\tv1");
        assert_eq!(render("ListImages", json, None, Some("imageIds[0].imageTag")).unwrap(), "\"latest\"");
        let identity: Value = serde_json::from_str(r#"{"UserId": "AIDA", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/x"}"#).unwrap();
        assert_eq!(render("GetCallerIdentity", identity, Some("text"), None).unwrap(), "123456789012\tarn:aws:iam::123456789012:user/x\tAIDA");
    }
}
