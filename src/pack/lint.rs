//! Consistency rules checked after the files have been read: rules that the
//! format's syntax cannot express, about how an obligation or a mapping is
//! classified. Each problem is a [`Diagnostic`] at the value to change.
//!
//! Rules (documented in `docs/checklist-format.md`, "Classification rules"):
//! 1. **Obligation rule** — `mandatory` never has `when`: a duty that binds
//!    only when a scoping condition holds is `conditional` with `when`.
//!    (A deadline that differs by object or level carries its own `when`.)
//! 2. **Mapping note against relation** — the note of an `equal` mapping may
//!    not say that one side demands something the other does not; the note of
//!    a `superset` (`subset`) mapping may not say so of its `to` (`from`) end.
//!    Detected from the note's wording (see [`extra_claims`]).
//!
//! A rule that needs the regulation texts themselves (a deadline or parameter
//! whose value is not in the cited clause) is a test over the shipped packs
//! (`tests/lint.rs`), since the texts are not shipped.

use super::diag::{Diagnostic, SourceFile};
use super::model::{DocType, Pack, Region};
use super::raw::{RawFile, RawMapping, RawRequirement, S};
use crate::t;
use serde::Deserialize;
use toml::de::DeTable;

/// Runs every rule over the files that read without error. `packs` are the
/// packs that loaded (to find which pack a mapped requirement belongs to).
pub(crate) fn lint(sources: &[SourceFile], packs: &[Pack]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for src in sources {
        let Some(raw) = read(src) else { continue };
        for s in &raw.sections {
            for r in &s.get_ref().requirements {
                obligation_rule(src, r.get_ref(), &mut out);
            }
        }
        for t in &raw.themes {
            for m in &t.get_ref().mappings {
                mapping_note_rule(src, m.get_ref(), packs, &mut out);
            }
        }
    }
    out
}

/// The file's raw structures, or `None` when it does not read (the
/// validator has reported why).
fn read(src: &SourceFile) -> Option<RawFile> {
    let (table, errors) = DeTable::parse_recoverable(&src.text);
    if !errors.is_empty() {
        return None;
    }
    RawFile::deserialize(toml::de::Deserializer::from(table)).ok()
}

// ------------------------------------------------------------ rule 1

fn obligation_rule(src: &SourceFile, r: &RawRequirement, out: &mut Vec<Diagnostic>) {
    let (Some(ob), Some(when)) = (&r.obligation, &r.when) else {
        return;
    };
    if ob.get_ref().trim() != "mandatory" {
        return;
    }
    let id = r.id.as_ref().map_or("?", |i| i.get_ref().as_str());
    let cond = when.get_ref();
    out.push(src.diag(
        when.span(),
        t!(
            "要求 {id} 为 `mandatory`，却带有 `when = \"{cond}\"`：强制义务不设适用条件。只在条件成立时才约束的义务写作 `obligation = \"conditional\"`；只是期限按对象或级别不同的，把条件写在该期限的 `when` 上",
            "requirement {id} is `mandatory` but has `when = \"{cond}\"`: a mandatory duty has no condition. A duty that binds only when the condition holds is `obligation = \"conditional\"`; if only a deadline differs by object or level, put the condition on that deadline's `when`"
        ),
    ));
}

// ------------------------------------------------------------ rule 2

fn mapping_note_rule(src: &SourceFile, m: &RawMapping, packs: &[Pack], out: &mut Vec<Diagnostic>) {
    let (Some(from), Some(to), Some(rel), Some(note)) = (&m.from, &m.to, &m.relation, &m.note)
    else {
        return;
    };
    let relation = rel.get_ref().trim();
    if !matches!(relation, "equal" | "superset" | "subset") {
        return;
    }
    let (Some(pf), Some(pt)) = (pack_of(packs, from), pack_of(packs, to)) else {
        return;
    };
    if pf.id == pt.id {
        return;
    }
    let (af, at) = (aliases(pf), aliases(pt));
    let mut extra_from = false;
    let mut extra_to = false;
    let texts = [&note.get_ref().zh, &note.get_ref().en];
    for text in texts.into_iter().flatten() {
        let (f, t) = extra_claims(text.get_ref(), &af, &at);
        extra_from |= f;
        extra_to |= t;
    }
    let (f, t) = (from.get_ref(), to.get_ref());
    let message = match relation {
        "equal" if extra_from && extra_to => Some(t!(
            "映射 {f} → {t} 的说明写明双方各有对方没有的要求，关系不能是 `equal`：应为 `intersect`",
            "the note of mapping {f} → {t} says each side demands something the other does not, so the relation cannot be `equal`: use `intersect`"
        )),
        "equal" if extra_from => Some(t!(
            "映射 {f} → {t} 的说明写明 {f} 一方有 {t} 没有的要求，关系不能是 `equal`：应为 `superset`（若 {t} 也有对方没有的要求，则为 `intersect`）",
            "the note of mapping {f} → {t} says {f} demands something {t} does not, so the relation cannot be `equal`: use `superset` (or `intersect` if {t} also demands something {f} does not)"
        )),
        "equal" if extra_to => Some(t!(
            "映射 {f} → {t} 的说明写明 {t} 一方有 {f} 没有的要求，关系不能是 `equal`：应为 `subset`（若 {f} 也有对方没有的要求，则为 `intersect`）",
            "the note of mapping {f} → {t} says {t} demands something {f} does not, so the relation cannot be `equal`: use `subset` (or `intersect` if {f} also demands something {t} does not)"
        )),
        "superset" if extra_to => Some(t!(
            "映射 {f} → {t} 为 `superset`（{f} 包含 {t} 的全部要求），但说明写明 {t} 有 {f} 没有的要求：应为 `intersect`",
            "mapping {f} → {t} is `superset` ({f} demands all that {t} does), but its note says {t} demands something {f} does not: use `intersect`"
        )),
        "subset" if extra_from => Some(t!(
            "映射 {f} → {t} 为 `subset`（{t} 包含 {f} 的全部要求），但说明写明 {f} 有 {t} 没有的要求：应为 `intersect`",
            "mapping {f} → {t} is `subset` ({t} demands all that {f} does), but its note says {f} demands something {t} does not: use `intersect`"
        )),
        _ => None,
    };
    if let Some(message) = message {
        out.push(src.diag(rel.span(), message));
    }
}

fn pack_of<'a>(packs: &'a [Pack], id: &S<String>) -> Option<&'a Pack> {
    let id = id.get_ref().trim();
    packs.iter().find(|p| p.requirements().any(|r| r.id == id))
}

/// The names a note uses for a pack: its id, the short form of its document
/// number (`134号`, `GB 44495`), its region (`北京`, `Shanghai`) and, for a
/// pilot notice, `试点` / `pilot`.
fn aliases(p: &Pack) -> Vec<String> {
    let mut out = vec![p.id.clone()];
    let dn = p.doc_number.as_str();
    if let Some(i) = dn.rfind('〕') {
        let rest = &dn[i + '〕'.len_utf8()..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && rest[digits.len()..].starts_with('号') {
            out.push(format!("{digits}号"));
        }
    } else if dn.starts_with("GB") {
        let end = dn.find(['—', '-']).unwrap_or(dn.len());
        out.push(dn[..end].trim().to_string());
    }
    match p.region {
        Region::Beijing => out.extend(["北京".into(), "Beijing".into()]),
        Region::Shanghai => out.extend(["上海".into(), "Shanghai".into()]),
        Region::National => {}
    }
    if p.doc_type == DocType::PilotNotice {
        out.extend(["试点".into(), "pilot".into()]);
    }
    out.retain(|a| !a.is_empty());
    out
}

/// Phrases that say the side named just before them demands something more.
const MORE_AFTER_SIDE: &[&str] = &[
    "另要求",
    "还要求",
    "另含",
    "还含",
    "另有",
    "另列",
    "还列",
    "另明确",
    "还明确",
    "同时要求",
    "同时提及",
    "同时包含",
    "另外要求",
    "外还",
    "增加",
    "更严",
    " adds ",
    " also requires",
    " also mentions",
    " also covers",
    " also contains",
    " also demands",
    " also lists",
    " additionally requires",
    " is stricter",
];

/// Phrases that say the side named just after them is the only one demanding something.
const ONLY_BEFORE_SIDE: &[&str] = &[
    "仅在",
    "仅见于",
    "仅见",
    "只在",
    "只见于",
    "only in ",
    "only from ",
    "only by ",
];

/// Whether a note says that the `a` side, and the `b` side, demands something
/// the other does not. A note is read sentence by sentence (`。`, `；`, `;`,
/// `. `); a phrase like `另要求` / `adds` counts for the side named last
/// before it in the sentence, `仅在…` / `only in …` for the side named right
/// after it. Statements about who is bound (`另约束`, `also binds`) are not
/// demands and do not count.
pub(crate) fn extra_claims(note: &str, a: &[String], b: &[String]) -> (bool, bool) {
    let mut more_a = false;
    let mut more_b = false;
    for sentence in sentences(note) {
        // Every alias occurrence: (byte offset, end, side).
        let mut names: Vec<(usize, usize, bool)> = Vec::new();
        for (list, is_a) in [(a, true), (b, false)] {
            for alias in list {
                for (i, _) in sentence.match_indices(alias.as_str()) {
                    let end = i + alias.len();
                    // `N134's …`, `134号的…`: a possessive names the thing, not the side that demands.
                    let rest = &sentence[end..];
                    if rest.starts_with("'s") || rest.starts_with("’s") || rest.starts_with('的')
                    {
                        continue;
                    }
                    names.push((i, end, is_a));
                }
            }
        }
        names.sort();
        for phrase in MORE_AFTER_SIDE {
            for (i, _) in sentence.match_indices(phrase) {
                if let Some(&(_, _, is_a)) = names.iter().rev().find(|(_, end, _)| *end <= i) {
                    if is_a {
                        more_a = true;
                    } else {
                        more_b = true;
                    }
                }
            }
        }
        for phrase in ONLY_BEFORE_SIDE {
            for (i, _) in sentence.match_indices(phrase) {
                let after = i + phrase.len();
                // The side must follow at once (a few characters at most, e.g. `仅在 134号`).
                if let Some(&(_, _, is_a)) = names.iter().find(|(start, _, _)| {
                    *start >= after && sentence[after..*start].chars().count() <= 2
                }) {
                    if is_a {
                        more_a = true;
                    } else {
                        more_b = true;
                    }
                }
            }
        }
    }
    (more_a, more_b)
}

fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end_here = match c {
            '。' | '；' | ';' => true,
            '.' => chars.peek().is_none_or(|(_, n)| n.is_whitespace()),
            _ => false,
        };
        if end_here {
            out.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn claims_are_attributed_to_the_side_named() {
        let bj = v(&["BJ50", "北京", "Beijing"]);
        let n = v(&["N134", "134号"]);
        assert_eq!(
            extra_claims("及时消除隐患的要求仅在134号中明示。", &bj, &n),
            (false, true)
        );
        assert_eq!(
            extra_claims("北京另要求台账；134号同时提及开发利用。", &bj, &n),
            (true, true)
        );
        assert_eq!(
            extra_claims(
                "Beijing adds a ledger. Prompt remediation is stated only in N134.",
                &bj,
                &n
            ),
            (true, true)
        );
        // Who is bound is not a demand.
        assert_eq!(
            extra_claims(
                "同一义务；北京另约束车载终端企业。Beijing also binds terminal makers.",
                &bj,
                &n
            ),
            (false, false)
        );
        // A claim with no side named before it counts for nobody.
        assert_eq!(extra_claims("另要求台账。", &bj, &n), (false, false));
    }
}
