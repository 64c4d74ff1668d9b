//! Reading Meld request bodies: a JSON object, checked field by field so that every problem
//! becomes one `[field] message` entry of a single 400 `BAD_REQUEST`, as Meld reports them.

use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use serde_json::{Map, Value};

use super::error::MeldError;
use crate::http;

/// A body's fields and the problems found so far.
pub struct Fields {
    map: Map<String, Value>,
    pub errors: Vec<String>,
    /// Prepended to field names in messages (`connections[0].`), for nested objects.
    prefix: String,
}

/// Reads a JSON object body. An empty body counts as `{}` when `optional`.
pub fn read(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    optional: bool,
) -> Result<Fields, MeldError> {
    let body = match body {
        Ok(body) => body,
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(MeldError::TooLarge),
        Err(_) => return Err(bad("[body] could not be read")),
    };
    if optional && body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Fields {
            map: Map::new(),
            errors: Vec::new(),
            prefix: String::new(),
        });
    }
    let media = http::header(headers, "content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media != "application/json" {
        return Err(bad("[Content-Type] must be application/json"));
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(map)) => Ok(Fields {
            map,
            errors: Vec::new(),
            prefix: String::new(),
        }),
        Ok(_) => Err(bad("[body] must be a JSON object")),
        Err(e) => Err(bad(&format!(
            "[body] is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))),
    }
}

fn bad(message: &str) -> MeldError {
    MeldError::BadRequest(vec![message.to_owned()])
}

impl Fields {
    /// Fields from already-decoded pairs (an HTML form), all strings.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Fields {
        Fields {
            map: pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
            errors: Vec::new(),
            prefix: String::new(),
        }
    }

    fn name(&self, field: &str) -> String {
        format!("{}{field}", self.prefix)
    }

    /// A string that must be one of `allowed`.
    pub fn choice(&mut self, name: &str, required: bool, allowed: &[&str]) -> Option<String> {
        let value = self.string(name, required)?;
        if allowed.contains(&value.as_str()) {
            return Some(value);
        }
        let field = self.name(name);
        self.errors.push(format!(
            "[{field}] `{value}` is not one of {}",
            allowed.join(", ")
        ));
        None
    }

    /// An array of objects, each read as its own [`Fields`] whose messages name the item
    /// (`[connections[0].accessToken] …`); call [`Fields::absorb`] with each when done.
    pub fn objects(&mut self, name: &str) -> Option<Vec<Fields>> {
        let field = self.name(name);
        let items = match self.map.get(name) {
            None | Some(Value::Null) => return None,
            Some(Value::Array(items)) => items.clone(),
            Some(_) => {
                self.errors.push(format!("[{field}] must be an array"));
                return None;
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Value::Object(map) => out.push(Fields {
                    map,
                    errors: Vec::new(),
                    prefix: format!("{field}[{i}]."),
                }),
                _ => self
                    .errors
                    .push(format!("[{field}[{i}]] must be an object")),
            }
        }
        Some(out)
    }

    /// Takes over the problems found in a nested item.
    pub fn absorb(&mut self, item: &mut Fields) {
        self.errors.append(&mut item.errors);
    }

    /// A string field; `required` ones must be present and not blank.
    pub fn string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.map.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.errors
                        .push(format!("[{}{name}] must not be blank", self.prefix));
                }
                None
            }
            Some(Value::String(s)) if required && s.trim().is_empty() => {
                self.errors
                    .push(format!("[{}{name}] must not be blank", self.prefix));
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.errors
                    .push(format!("[{}{name}] must be a string", self.prefix));
                None
            }
        }
    }

    /// An array of strings, each one of `allowed` when given.
    pub fn strings(&mut self, name: &str, allowed: Option<&[&str]>) -> Option<Vec<String>> {
        let items = match self.map.get(name) {
            None | Some(Value::Null) => return None,
            Some(Value::Array(items)) => items.clone(),
            Some(_) => {
                self.errors
                    .push(format!("[{}{name}] must be an array", self.prefix));
                return None;
            }
        };
        let mut out = Vec::new();
        for item in items {
            match (item.as_str(), allowed) {
                (Some(s), Some(allowed)) if !allowed.contains(&s) => self.errors.push(format!(
                    "[{}{name}] `{s}` is not one of {}",
                    self.prefix,
                    allowed.join(", ")
                )),
                (Some(s), _) => out.push(s.to_owned()),
                (None, _) => self
                    .errors
                    .push(format!("[{}{name}] must contain only strings", self.prefix)),
            }
        }
        Some(out)
    }

    /// A boolean inside an object field (`accountPreferenceOverride.allowRedirect`).
    pub fn nested_bool(&mut self, object: &str, name: &str) -> Option<bool> {
        match self.map.get(object) {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => match o.get(name) {
                None | Some(Value::Null) => None,
                Some(Value::Bool(b)) => Some(*b),
                Some(_) => {
                    self.errors
                        .push(format!("[{object}.{name}] must be a boolean"));
                    None
                }
            },
            Some(_) => {
                self.errors.push(format!("[{object}] must be an object"));
                None
            }
        }
    }

    /// A string inside an object field (`name.firstName`): `None` when not sent, `Some(None)`
    /// when sent as `null`.
    pub fn nested_string(&mut self, object: &str, name: &str) -> Option<Option<String>> {
        match self.map.get(object) {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => match o.get(name) {
                None => None,
                Some(Value::Null) => Some(None),
                Some(Value::String(s)) => Some(Some(s.clone())),
                Some(_) => {
                    self.errors
                        .push(format!("[{object}.{name}] must be a string"));
                    Some(None)
                }
            },
            Some(_) => {
                self.errors.push(format!("[{object}] must be an object"));
                None
            }
        }
    }

    /// Fails with every problem found, if any.
    pub fn finish(&mut self) -> Result<(), MeldError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let mut unique: Vec<String> = Vec::new();
        for e in std::mem::take(&mut self.errors) {
            if !unique.contains(&e) {
                unique.push(e);
            }
        }
        Err(MeldError::BadRequest(unique))
    }
}
