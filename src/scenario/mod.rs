//! Scenario files: the TOML format ([`model`]), loading, and validation that names the file,
//! line, column and key path of every problem.
//!
//! Loading happens in two passes. Serde reads the file into [`model::Scenario`] (syntax, types
//! and unknown keys); then [`check`] walks the result for what types cannot say (enum spellings,
//! id formats, duplicate ids, references). Both report [`Problem`]s located through the spans
//! of the parsed TOML document, so a message always points at the offending key.

pub mod budget;
pub mod check;
pub mod model;

use std::fmt;
use std::ops::Range;
use std::path::Path;

use toml::de::{DeTable, DeValue};

pub use model::Scenario;

/// The scenario compiled into the binary, used when `serve` is given no `--scenario`.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// Name under which the embedded scenario is reported.
pub const DEFAULT_SCENARIO_NAME: &str = "scenarios/default.toml";

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A key path such as `basiq.users[0].connections[1].status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    /// This path extended by a key.
    pub fn key(&self, key: &str) -> KeyPath {
        let mut next = self.0.clone();
        next.push(Segment::Key(key.to_owned()));
        KeyPath(next)
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> KeyPath {
        let mut next = self.0.clone();
        next.push(Segment::Index(index));
        KeyPath(next)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One thing wrong with a scenario file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as named by the caller.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// Key path of the offending value.
    pub path: KeyPath,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            self.file, self.line, self.column, self.path, self.message
        )
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file was read and has problems.
    #[error("{}", render_problems(.0))]
    Invalid(Vec<Problem>),
}

impl ScenarioError {
    /// The located problems (empty for a read error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid(problems) => problems,
            ScenarioError::Read { .. } => &[],
        }
    }
}

fn render_problems(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON Schema of the scenario format, generated from the types that read it (what
/// `sandbank schema` prints and `scenarios/schema.json` holds). Editors that read `#:schema`
/// directives (taplo, Even Better TOML) complete and check scenario files with it.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(model::Scenario);
    schema.insert(
        "title".to_owned(),
        serde_json::Value::String("sandbank scenario, format version 1".to_owned()),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The reference of every key of the scenario format, in Markdown, generated from the same
/// schema (what `docs/scenarios.md` holds between its introduction and its examples).
pub fn reference() -> String {
    let schema = serde_json::to_value(schemars::schema_for!(model::Scenario)).unwrap_or_default();
    let mut out = String::new();
    reference_table(&schema, &schema, "(top level)", &mut out);
    out
}

/// The table of one table-valued key at `path`, then the tables of the keys under it.
fn reference_table(
    schema: &serde_json::Value,
    node: &serde_json::Value,
    path: &str,
    out: &mut String,
) {
    use std::fmt::Write as _;
    let Some(properties) = node["properties"].as_object() else {
        return;
    };
    let _ = writeln!(out, "### `{path}`\n");
    if let Some(about) = node["description"].as_str() {
        let _ = writeln!(out, "{}\n", about.replace('\n', " "));
    }
    out.push_str("| key | value | meaning |\n|---|---|---|\n");
    let mut nested = Vec::new();
    for (key, property) in properties {
        let (kind, table) = reference_kind(schema, property);
        let about = property["description"]
            .as_str()
            .unwrap_or("")
            .replace('\n', " ")
            .replace('|', "\\|");
        let _ = writeln!(out, "| `{key}` | {kind} | {about} |");
        if let Some((table, many)) = table {
            let child = match path {
                "(top level)" => key.clone(),
                _ => format!("{path}.{key}"),
            };
            nested.push((if many { format!("{child}[]") } else { child }, table));
        }
    }
    out.push('\n');
    for (child, table) in nested {
        reference_table(schema, &table, &child, out);
    }
}

/// How a value is written, and the table it is (with whether there are many), if it is one.
fn reference_kind(
    schema: &serde_json::Value,
    node: &serde_json::Value,
) -> (String, Option<(serde_json::Value, bool)>) {
    let resolve = |n: &serde_json::Value| -> serde_json::Value {
        match n["$ref"].as_str().and_then(|r| r.strip_prefix("#/$defs/")) {
            Some(name) => schema["$defs"][name].clone(),
            None => n.clone(),
        }
    };
    if let Some(options) = node["anyOf"].as_array() {
        if let Some(real) = options.iter().find(|o| o["type"] != "null") {
            return reference_kind(schema, real);
        }
    }
    if let Some(name) = node["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        let target = resolve(node);
        return match name {
            "Money" => ("amount".to_owned(), None),
            "Timestamp" => ("instant".to_owned(), None),
            "Span" => ("duration".to_owned(), None),
            _ => ("table".to_owned(), Some((target, false))),
        };
    }
    let kind = match &node["type"] {
        serde_json::Value::Array(kinds) => kinds
            .iter()
            .find(|k| *k != "null")
            .and_then(|k| k.as_str())
            .unwrap_or("")
            .to_owned(),
        other => other.as_str().unwrap_or("").to_owned(),
    };
    match kind.as_str() {
        "array" => {
            let (item, table) = reference_kind(schema, &node["items"]);
            match table {
                Some((t, _)) => ("array of tables".to_owned(), Some((t, true))),
                None => (format!("array of {item}s"), None),
            }
        }
        "object" => ("table (any keys)".to_owned(), None),
        "integer" => ("integer".to_owned(), None),
        "" => ("any".to_owned(), None),
        other => (other.to_owned(), None),
    }
}

/// Reads and validates a scenario file.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        file: file.clone(),
        source,
    })?;
    parse(&file, &text)
}

/// Parses and validates scenario text; `file` only names it in problems.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let document = match DeTable::parse(text) {
        Ok(document) => document,
        Err(error) => {
            let span = error.span().unwrap_or(0..0);
            let (line, column) = line_column(text, span.start);
            return Err(ScenarioError::Invalid(vec![Problem {
                file: file.to_owned(),
                line,
                column,
                path: KeyPath::default(),
                message: first_line(error.message()),
            }]));
        }
    };
    let locator = Locator {
        file,
        text,
        root: document.get_ref(),
    };
    let (scenario, mut problems) = read_all(file, text);
    let Some(scenario) = scenario else {
        return Err(ScenarioError::Invalid(problems));
    };
    problems.extend(
        check::check(&scenario)
            .into_iter()
            .chain(budget::check(&scenario))
            .map(|(path, message)| locator.problem(path, message)),
    );
    if problems.is_empty() {
        return Ok(scenario);
    }
    problems.sort_by_key(|p| (p.line, p.column));
    Err(ScenarioError::Invalid(problems))
}

/// Most type errors and unknown keys one read reports.
const MAX_READ_PROBLEMS: usize = 100;

/// Reads the scenario types from `text`, reporting every unknown key and type error rather
/// than the first: each one found is located, then its entry is blanked out of a copy of the
/// text (spaces in place of its characters, so every other entry keeps its place) and the read
/// is tried again. The scenario is `None` when the last read still failed.
fn read_all(file: &str, text: &str) -> (Option<Scenario>, Vec<Problem>) {
    let mut current = text.to_owned();
    let mut problems = Vec::new();
    let mut blanked: Vec<KeyPath> = Vec::new();
    while problems.len() < MAX_READ_PROBLEMS {
        let error = match toml::from_str::<Scenario>(&current) {
            Ok(scenario) => return (Some(scenario), problems),
            Err(error) => error,
        };
        let Ok(document) = DeTable::parse(&current) else {
            break;
        };
        let locator = Locator {
            file,
            text: &current,
            root: document.get_ref(),
        };
        let span = error.span().unwrap_or(0..0);
        let path = locator.path_at(span.start);
        let message = first_line(error.message());
        // A key blanked out of a table can leave a required one missing: not a problem of the
        // file's own.
        let consequence = message.starts_with("missing field")
            && blanked.iter().any(|b| b.0.starts_with(&path.0));
        if !consequence {
            let (line, column) = line_column(text, span.start);
            problems.push(Problem {
                file: file.to_owned(),
                line,
                column,
                path: path.clone(),
                message,
            });
        }
        let ranges = locator.entry_ranges(&path);
        if ranges.is_empty() {
            break;
        }
        let mut bytes = std::mem::take(&mut current).into_bytes();
        for range in ranges {
            for b in bytes.get_mut(range).into_iter().flatten() {
                if *b != b'\n' && *b != b'\r' {
                    *b = b' ';
                }
            }
        }
        // Whole characters become spaces, so the text stays UTF-8.
        current = String::from_utf8_lossy(&bytes).into_owned();
        blanked.push(path);
    }
    (None, problems)
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_owned()
}

/// Maps key paths to places in the text and back, through the parsed document's spans.
struct Locator<'a> {
    file: &'a str,
    text: &'a str,
    root: &'a DeTable<'a>,
}

impl Locator<'_> {
    fn problem(&self, path: KeyPath, message: String) -> Problem {
        let offset = self.span_of(&path).map(|s| s.start).unwrap_or(0);
        let (line, column) = line_column(self.text, offset);
        Problem {
            file: self.file.to_owned(),
            line,
            column,
            path,
            message,
        }
    }

    /// Span of the value at `path`, or of the nearest ancestor that exists.
    fn span_of(&self, path: &KeyPath) -> Option<Range<usize>> {
        let mut table = self.root;
        let mut value: Option<&DeValue<'_>> = None;
        let mut best: Option<Range<usize>> = None;
        for segment in &path.0 {
            let next = match (segment, value) {
                (Segment::Key(k), None) => table.get(k.as_str()),
                (Segment::Key(k), Some(DeValue::Table(t))) => t.get(k.as_str()),
                (Segment::Index(i), Some(DeValue::Array(a))) => a.get(*i),
                _ => None,
            };
            let Some(next) = next else { break };
            best = Some(next.span());
            if let DeValue::Table(t) = next.get_ref() {
                table = t;
            }
            value = Some(next.get_ref());
        }
        best
    }

    /// Byte ranges of the entry that the deepest key of `path` names: `key = value` when it is
    /// written inline, or a `[table]` / `[[array]]` header with everything under it.
    fn entry_ranges(&self, path: &KeyPath) -> Vec<Range<usize>> {
        let deepest = path.0.iter().rposition(|s| matches!(s, Segment::Key(_)));
        let Some(deepest) = deepest else {
            return Vec::new();
        };
        let mut table = self.root;
        for (n, segment) in path.0[..=deepest].iter().enumerate() {
            match segment {
                Segment::Key(k) => {
                    let Some((key, value)) = table.get_key_value(k.as_str()) else {
                        return Vec::new();
                    };
                    if n == deepest {
                        let mut ranges = Vec::new();
                        entry(key.span(), value, &mut ranges);
                        return ranges;
                    }
                    match value.get_ref() {
                        DeValue::Table(t) => table = t,
                        DeValue::Array(items) => {
                            let Some(Segment::Index(i)) = path.0.get(n + 1) else {
                                return Vec::new();
                            };
                            match items.get(*i).map(|v| v.get_ref()) {
                                Some(DeValue::Table(t)) => table = t,
                                _ => return Vec::new(),
                            }
                        }
                        _ => return Vec::new(),
                    }
                }
                Segment::Index(_) => {}
            }
        }
        Vec::new()
    }

    /// Key path of the innermost key or value whose span contains `offset`.
    fn path_at(&self, offset: usize) -> KeyPath {
        let mut path = KeyPath::default();
        walk_table(self.root, offset, &mut path);
        path
    }
}

fn walk_table(table: &DeTable<'_>, offset: usize, path: &mut KeyPath) {
    for (key, value) in table.iter() {
        if key.span().contains(&offset) {
            path.0.push(Segment::Key(key.get_ref().to_string()));
            return;
        }
        if value.span().contains(&offset) || table_contains(value.get_ref(), offset) {
            path.0.push(Segment::Key(key.get_ref().to_string()));
            walk_value(value.get_ref(), offset, path);
            return;
        }
    }
}

fn walk_value(value: &DeValue<'_>, offset: usize, path: &mut KeyPath) {
    match value {
        DeValue::Table(t) => walk_table(t, offset, path),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if item.span().contains(&offset) || table_contains(item.get_ref(), offset) {
                    path.0.push(Segment::Index(i));
                    walk_value(item.get_ref(), offset, path);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// The ranges of one entry: from its key to the end of an inline value, or a header with the
/// entries under it.
fn entry(key: Range<usize>, value: &toml::Spanned<DeValue<'_>>, ranges: &mut Vec<Range<usize>>) {
    let span = value.span();
    if span.start >= key.end {
        ranges.push(key.start..span.end);
        return;
    }
    ranges.push(span);
    match value.get_ref() {
        DeValue::Table(t) => {
            for (k, v) in t.iter() {
                entry(k.span(), v, ranges);
            }
        }
        DeValue::Array(items) => {
            for item in items {
                let span = item.span();
                ranges.push(span.clone());
                if let DeValue::Table(t) = item.get_ref() {
                    for (k, v) in t.iter() {
                        entry(k.span(), v, ranges);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Tables declared with `[header]` syntax may not span their keys; look inside.
fn table_contains(value: &DeValue<'_>, offset: usize) -> bool {
    match value {
        DeValue::Table(t) => t.iter().any(|(k, v)| {
            k.span().contains(&offset)
                || v.span().contains(&offset)
                || table_contains(v.get_ref(), offset)
        }),
        DeValue::Array(items) => items
            .iter()
            .any(|v| v.span().contains(&offset) || table_contains(v.get_ref(), offset)),
        _ => false,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
