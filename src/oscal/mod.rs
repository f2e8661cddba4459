//! OSCAL 1.1.2 (NIST's Open Security Controls Assessment Language, JSON
//! format): the assessment results of a project, and checklist packs as
//! OSCAL catalogs in both directions.
//!
//! Owns:
//! - [`assessment_results`]: a [`ReportModel`](crate::report::ReportModel) →
//!   an `assessment-results` document (the `--json` export, the filing
//!   package's `results.json`): deterministic UUIDs (version 5, from a
//!   namespace derived from the project), parties and roles, the packs as
//!   reviewed controls, one finding per judged requirement, observations
//!   carrying the evidence (back-matter resources with SHA-256 and SM3
//!   hashes), risks from the remediation items (整改项);
//! - [`export_catalog`]: a pack → an OSCAL `catalog` (sections → groups,
//!   requirements → controls) that [`import_catalog`] reads back into the
//!   same pack;
//! - [`import_catalog`]: an OSCAL catalog, or a resolved profile (which is a
//!   catalog), from any tool → the TOML of a pack that `pack validate`
//!   accepts (validated here before it is returned).
//!
//! Everything iovaudit knows that OSCAL has no field for is a `prop` (or a
//! `part`) in our own namespace [`NS`]; both languages are kept (`class`
//! `zh` / `en` on props and parts). Text OSCAL requires on one line (prop
//! values) is written on one line, with the exact text in the prop's
//! `remarks` when it differed.
//!
//! Never: reads or writes files (callers pass bytes and get bytes), panics on
//! input, or trusts the size of what it is given ([`MAX_INPUT_BYTES`]).
//! Checked against NIST's OSCAL 1.1.2 complete JSON schema in `tests/oscal.rs`.

mod ar;
mod catalog;
pub(crate) mod draft;

pub use ar::assessment_results;
pub use catalog::{export_catalog, import_catalog, CatalogImport, CatalogImportOptions};

use serde_json::{json, Value};
use uuid::Uuid;

/// The OSCAL version written.
pub const OSCAL_VERSION: &str = "1.1.2";

/// Our namespace for props and parts OSCAL does not define.
pub const NS: &str = "urn:iovaudit:oscal";

/// NIST's namespace of the `method` prop of `assessment-method` parts (SP 800-53A).
pub const NS_RMF: &str = "http://csrc.nist.gov/ns/rmf";

/// The largest OSCAL document read (a 800-53 catalog is about 10 MB).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// The root of every UUID iovaudit derives: v5 of `urn:iovaudit` in the URL namespace.
fn root() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:iovaudit")
}

/// A version-5 UUID of `name` within `ns`.
pub(crate) fn uuid_in(ns: &Uuid, name: &str) -> String {
    Uuid::new_v5(ns, name.as_bytes()).to_string()
}

/// The namespace of a project's UUIDs: from what identifies it and never
/// changes (name, assessee, creation time and creator).
pub(crate) fn project_namespace(name: &str, assessee: &str, created: &str, by: &str) -> Uuid {
    Uuid::new_v5(
        &root(),
        format!("project\u{1f}{name}\u{1f}{assessee}\u{1f}{created}\u{1f}{by}").as_bytes(),
    )
}

/// The namespace of a pack's UUIDs.
pub(crate) fn pack_namespace(id: &str, version: &str) -> Uuid {
    Uuid::new_v5(&root(), format!("pack\u{1f}{id}\u{1f}{version}").as_bytes())
}

/// True when OSCAL's `StringDatatype` (`^\S(.*\S)?$`, one line) accepts `s`.
pub(crate) fn is_line(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(['\n', '\r'])
        && !s.starts_with(char::is_whitespace)
        && !s.ends_with(char::is_whitespace)
}

/// `s` on one line, trimmed, white space runs collapsed.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when OSCAL's `TokenDatatype` accepts `s`.
pub(crate) fn is_token(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(f) if f.is_alphabetic() || f == '_')
        && c.all(|c| c.is_alphabetic() || c.is_numeric() || matches!(c, '.' | '-' | '_'))
}

/// A prop in our namespace; `None` when the value is empty. A value that is
/// not one line is written on one line with the exact text in `remarks`.
pub(crate) fn prop(name: &str, value: &str) -> Option<Value> {
    prop_class(name, None, value)
}

pub(crate) fn prop_class(name: &str, class: Option<&str>, value: &str) -> Option<Value> {
    let line = one_line(value);
    if line.is_empty() {
        return None;
    }
    let mut p = json!({ "name": name, "ns": NS, "value": line });
    if let Some(c) = class {
        p["class"] = json!(c);
    }
    if !is_line(value) {
        p["remarks"] = json!(value);
    }
    Some(p)
}

/// The zh and en props of a bilingual text (en left out when empty or equal).
pub(crate) fn props_bi(name: &str, t: &crate::i18n::Text) -> Vec<Value> {
    let mut v: Vec<Value> = prop_class(name, Some("zh"), &t.zh).into_iter().collect();
    if t.en != t.zh {
        v.extend(prop_class(name, Some("en"), &t.en));
    }
    v
}

/// The text of a prop as written: `remarks` when the value had to be put on one line.
pub(crate) fn prop_text(p: &Value) -> Option<String> {
    if p.get("ns").and_then(Value::as_str) == Some(NS) {
        if let Some(r) = p.get("remarks").and_then(Value::as_str) {
            return Some(r.to_string());
        }
    }
    p.get("value").and_then(Value::as_str).map(str::to_string)
}

/// Both languages on one text: `zh` alone when they are the same.
pub(crate) fn bilingual(t: &crate::i18n::Text) -> String {
    if t.en.trim().is_empty() || t.en == t.zh {
        t.zh.clone()
    } else if t.zh.trim().is_empty() {
        t.en.clone()
    } else {
        format!("{}\n\n{}", t.zh, t.en)
    }
}

/// An RFC 3339 time OSCAL accepts (with a zone, seconds), from a time or a
/// `YYYY-MM-DD` date (read as 00:00 China Standard Time).
/// Years outside 1900–2999 are `None` (OSCAL's date pattern allows no others).
pub(crate) fn datetime(s: &str) -> Option<String> {
    use chrono::Datelike;
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        let t = t.with_timezone(&chrono::Utc);
        return (1900..=2999)
            .contains(&t.year())
            .then(|| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    let d = chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    (1900..=2999)
        .contains(&d.year())
        .then(|| format!("{}T00:00:00+08:00", d.format("%Y-%m-%d")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_lines() {
        assert!(is_token("N134-17"));
        assert!(is_token("检查项"));
        assert!(!is_token("1abc"));
        assert!(!is_token("a b"));
        assert!(is_line("a b"));
        assert!(!is_line(" a"));
        assert!(!is_line("a\nb"));
        let p = prop("x", "a\nb").unwrap_or_default();
        assert_eq!(p["value"], "a b");
        assert_eq!(prop_text(&p).as_deref(), Some("a\nb"));
        assert!(prop("x", "  ").is_none());
        assert_eq!(
            datetime("2026-01-02").as_deref(),
            Some("2026-01-02T00:00:00+08:00")
        );
        assert_eq!(
            datetime("2026-01-02T10:00:00+08:00").as_deref(),
            Some("2026-01-02T02:00:00Z")
        );
        assert_eq!(datetime("1800-01-02"), None);
        assert_eq!(datetime("3000-01-02T00:00:00Z"), None);
    }

    #[test]
    fn uuids_are_v5_and_stable() {
        let ns = project_namespace("a", "b", "c", "d");
        let u = uuid_in(&ns, "finding:N134-17");
        assert_eq!(u, uuid_in(&ns, "finding:N134-17"));
        assert_eq!(u.as_bytes()[14], b'5');
        assert_ne!(u, uuid_in(&ns, "finding:N134-18"));
    }
}
