//! The checklist file as written: serde structures that mirror the TOML, with
//! spans kept where a later check needs to point at a value. Nothing here is
//! validated; `validate.rs` turns these into the model in `model.rs`.
//!
//! Unknown keys are found by [`unknown_keys`] on the parsed document before
//! these structs are filled, so that every unknown key is reported, not only
//! the first one.

use serde::Deserialize;
use toml::de::{DeTable, DeValue};
use toml::value::Datetime;
use toml::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
pub struct RawFile {
    pub schema: Option<S<i64>>,
    pub pack: Option<S<RawPackHeader>>,
    pub scoring: Option<S<RawScoring>>,
    #[serde(default)]
    pub excluded: Vec<S<RawExcluded>>,
    #[serde(default)]
    pub sections: Vec<S<RawSection>>,
    #[serde(default)]
    pub questions: Vec<S<RawQuestion>>,
    #[serde(default)]
    pub themes: Vec<S<RawTheme>>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct RawText {
    pub zh: Option<S<String>>,
    pub en: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawTextList {
    pub zh: Option<Vec<S<String>>>,
    pub en: Option<Vec<S<String>>>,
}

#[derive(Debug, Deserialize)]
pub struct RawPackHeader {
    pub id: Option<S<String>>,
    pub version: Option<S<String>>,
    pub doc_number: Option<S<String>>,
    pub title: Option<S<RawText>>,
    pub issuer: Option<S<RawText>>,
    pub doc_type: Option<S<String>>,
    pub region: Option<S<String>>,
    pub status: Option<S<String>>,
    pub issued: Option<S<Datetime>>,
    pub effective: Option<S<Datetime>>,
    pub source: Option<S<String>>,
    pub provenance: Option<S<String>>,
    pub note: Option<S<RawText>>,
    pub applies_when: Option<S<String>>,
    pub questions: Option<Vec<S<String>>>,
}

#[derive(Debug, Deserialize)]
pub struct RawScoring {
    pub partial: Option<S<f64>>,
    pub not_applicable: Option<S<String>>,
    pub encouraged: Option<S<String>>,
    pub veto: Option<S<String>>,
    pub bands: Option<S<Vec<S<RawBand>>>>,
    #[serde(default)]
    pub groups: Vec<S<RawGroup>>,
}

#[derive(Debug, Deserialize)]
pub struct RawGroup {
    pub section: Option<S<String>>,
    pub rule: Option<S<String>>,
    pub note: Option<S<RawText>>,
}

#[derive(Debug, Deserialize)]
pub struct RawBand {
    pub min: Option<S<f64>>,
    pub label: Option<S<RawText>>,
}

#[derive(Debug, Deserialize)]
pub struct RawExcluded {
    #[serde(default)]
    pub ids: Vec<S<String>>,
    pub clause: Option<S<String>>,
    pub reason: Option<S<RawText>>,
}

#[derive(Debug, Deserialize)]
pub struct RawSection {
    pub id: Option<S<String>>,
    pub clause: Option<S<String>>,
    pub title: Option<S<RawText>>,
    #[serde(default)]
    pub requirements: Vec<S<RawRequirement>>,
}

#[derive(Debug, Deserialize)]
pub struct RawRequirement {
    pub id: Option<S<String>>,
    pub clause: Option<S<String>>,
    pub title: Option<S<RawText>>,
    pub text: Option<S<RawText>>,
    pub obligation: Option<S<String>>,
    pub applies_to: Option<S<Vec<S<String>>>>,
    pub when: Option<S<String>>,
    pub evidence: Option<S<RawTextList>>,
    pub methods: Option<S<Vec<S<String>>>>,
    pub weight: Option<S<i64>>,
    pub veto: Option<bool>,
    #[serde(default)]
    pub themes: Vec<S<String>>,
    pub provenance: Option<S<String>>,
    pub provenance_note: Option<String>,
    #[serde(default)]
    pub params: Vec<S<RawParam>>,
    #[serde(default)]
    pub deadlines: Vec<S<RawDeadline>>,
    pub test: Option<S<RawTest>>,
    #[serde(default)]
    pub replaces: Vec<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawParam {
    pub key: Option<S<String>>,
    pub op: Option<S<String>>,
    pub value: Option<S<f64>>,
    pub unit: Option<S<String>>,
    pub provenance: Option<S<String>>,
    pub source: Option<S<String>>,
    pub note: Option<S<RawText>>,
}

#[derive(Debug, Deserialize)]
pub struct RawDeadline {
    pub kind: Option<S<String>>,
    pub due: Option<S<String>>,
    pub period: Option<S<String>>,
    pub within: Option<S<String>>,
    pub when: Option<S<String>>,
    pub trigger: Option<S<RawText>>,
    pub event: Option<S<RawText>>,
    pub date: Option<S<Datetime>>,
    pub provenance: Option<S<String>>,
    pub source: Option<S<String>>,
    pub note: Option<S<RawText>>,
}

#[derive(Debug, Deserialize)]
pub struct RawTest {
    pub clause: Option<S<String>>,
    pub zh: Option<S<String>>,
    pub en: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
pub struct RawQuestion {
    pub id: Option<S<String>>,
    pub kind: Option<S<String>>,
    pub label: Option<S<RawText>>,
    pub options: Option<Vec<S<RawOption>>>,
    pub min: Option<S<i64>>,
    pub max: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
pub struct RawOption {
    pub id: Option<S<String>>,
    pub label: Option<S<RawText>>,
}

#[derive(Debug, Deserialize)]
pub struct RawTheme {
    pub id: Option<S<String>>,
    pub title: Option<S<RawText>>,
    #[serde(default)]
    pub mappings: Vec<S<RawMapping>>,
}

#[derive(Debug, Deserialize)]
pub struct RawMapping {
    pub from: Option<S<String>>,
    pub to: Option<S<String>>,
    pub relation: Option<S<String>>,
    pub note: Option<S<RawText>>,
}

/// The keys allowed in the table at `path` (table names from the root, array
/// indexes left out), or `None` when the path is not a table of the schema
/// (a wrong type there is reported by serde instead).
fn allowed_keys(path: &[&str]) -> Option<&'static [&'static str]> {
    const TEXT: &[&str] = &["zh", "en"];
    if let Some(last) = path.last() {
        if path.len() > 1
            && matches!(
                *last,
                "title"
                    | "issuer"
                    | "note"
                    | "reason"
                    | "label"
                    | "text"
                    | "evidence"
                    | "trigger"
                    | "event"
            )
        {
            return Some(TEXT);
        }
    }
    Some(match path {
        [] => &[
            "schema",
            "pack",
            "scoring",
            "excluded",
            "sections",
            "questions",
            "themes",
        ],
        ["pack"] => &[
            "id",
            "version",
            "doc_number",
            "title",
            "issuer",
            "doc_type",
            "region",
            "status",
            "issued",
            "effective",
            "source",
            "provenance",
            "note",
            "applies_when",
            "questions",
        ],
        ["scoring"] => &[
            "partial",
            "not_applicable",
            "encouraged",
            "veto",
            "bands",
            "groups",
        ],
        ["scoring", "groups"] => &["section", "rule", "note"],
        ["scoring", "bands"] => &["min", "label"],
        ["excluded"] => &["ids", "clause", "reason"],
        ["sections"] => &["id", "clause", "title", "requirements"],
        ["sections", "requirements"] => &[
            "id",
            "clause",
            "title",
            "text",
            "obligation",
            "applies_to",
            "when",
            "evidence",
            "methods",
            "weight",
            "veto",
            "themes",
            "provenance",
            "provenance_note",
            "params",
            "deadlines",
            "test",
            "replaces",
        ],
        ["sections", "requirements", "params"] => {
            &["key", "op", "value", "unit", "provenance", "source", "note"]
        }
        ["sections", "requirements", "deadlines"] => &[
            "kind",
            "due",
            "period",
            "within",
            "when",
            "trigger",
            "event",
            "date",
            "provenance",
            "source",
            "note",
        ],
        ["sections", "requirements", "test"] => &["clause", "zh", "en"],
        ["questions"] => &["id", "kind", "label", "options", "min", "max"],
        ["questions", "options"] => &["id", "label"],
        ["themes"] => &["id", "title", "mappings"],
        ["themes", "mappings"] => &["from", "to", "relation", "note"],
        _ => return None,
    })
}

/// Every key of the document that the schema does not know, with its span
/// and the keys allowed where it stands.
pub fn unknown_keys(
    root: &DeTable<'_>,
) -> Vec<(String, std::ops::Range<usize>, &'static [&'static str])> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk_table(root, &mut path, &mut out);
    out
}

fn walk_table<'i>(
    table: &'i DeTable<'i>,
    path: &mut Vec<&'i str>,
    out: &mut Vec<(String, std::ops::Range<usize>, &'static [&'static str])>,
) {
    let Some(allowed) = allowed_keys(path) else {
        return;
    };
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        if !allowed.contains(&name) {
            out.push((name.to_string(), key.span(), allowed));
            continue;
        }
        path.push(name);
        walk_value(value.get_ref(), path, out);
        path.pop();
    }
}

fn walk_value<'i>(
    value: &'i DeValue<'i>,
    path: &mut Vec<&'i str>,
    out: &mut Vec<(String, std::ops::Range<usize>, &'static [&'static str])>,
) {
    match value {
        DeValue::Table(t) => walk_table(t, path, out),
        DeValue::Array(a) => {
            for item in a.iter() {
                if let DeValue::Table(t) = item.get_ref() {
                    walk_table(t, path, out);
                }
            }
        }
        _ => {}
    }
}
