//! What later incremental updates changed, judged at a basic level the way
//! pyHanko's default DiffPolicy judges it: the document as a signature saw
//! it (its revision) is compared object by object with the document as it
//! is now. DSS/VRI additions and document timestamps (LTA updates), further
//! signatures and form-field fills are allowed; anything else — page
//! content, resources, the page tree, other catalog entries — is a
//! modification after signing, named.

use std::collections::BTreeSet;

use lopdf::{Dictionary, Document, Object, ObjectId};
use serde::Serialize;

use crate::i18n::Text;

/// How far later revisions went, in pyHanko's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModificationLevel {
    /// Nothing after the signature.
    None,
    /// DSS / VRI and document timestamps only.
    LtaUpdates,
    /// Further signatures and form-field fills.
    FormFilling,
    /// Annotations added.
    Annotations,
    /// Anything else: not allowed.
    Other,
}

impl ModificationLevel {
    /// pyHanko's name for it (as in `EXTENDED_WITH_…`).
    pub fn pyhanko_name(self) -> &'static str {
        match self {
            ModificationLevel::None => "NONE",
            ModificationLevel::LtaUpdates => "LTA_UPDATES",
            ModificationLevel::FormFilling => "FORM_FILLING",
            ModificationLevel::Annotations => "ANNOTATIONS",
            ModificationLevel::Other => "OTHER",
        }
    }
}

/// One change found in later revisions.
#[derive(Debug, Clone, Serialize)]
pub struct LaterChange {
    pub allowed: bool,
    pub level: ModificationLevel,
    pub what: Text,
}

fn allowed(level: ModificationLevel, what: Text) -> LaterChange {
    LaterChange {
        allowed: true,
        level,
        what,
    }
}

fn not_allowed(what: Text) -> LaterChange {
    LaterChange {
        allowed: false,
        level: ModificationLevel::Other,
        what,
    }
}

fn type_of(o: &Object) -> &[u8] {
    let d = match o {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        _ => return b"",
    };
    match d.get(b"Type") {
        Ok(Object::Name(n)) => n,
        _ => b"",
    }
}

fn dict_of(o: &Object) -> Option<&Dictionary> {
    match o {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn name(d: &Dictionary, key: &[u8]) -> Vec<u8> {
    match d.get(key) {
        Ok(Object::Name(n)) => n.clone(),
        _ => Vec::new(),
    }
}

fn same(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => x.dict == y.dict && x.content == y.content,
        _ => a == b,
    }
}

/// Keys whose values differ between two dictionaries (either side).
fn changed_keys(a: &Dictionary, b: &Dictionary) -> BTreeSet<Vec<u8>> {
    let mut keys = BTreeSet::new();
    for (k, v) in a.iter() {
        if b.get(k).ok() != Some(v) {
            keys.insert(k.clone());
        }
    }
    for (k, _) in b.iter() {
        if !a.has(k) {
            keys.insert(k.clone());
        }
    }
    keys
}

fn keys_text(keys: &BTreeSet<Vec<u8>>) -> String {
    keys.iter()
        .map(|k| format!("/{}", String::from_utf8_lossy(k)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

fn is_sig_dict(d: &Dictionary) -> bool {
    d.has(b"ByteRange") && d.has(b"Contents")
}

fn is_doc_timestamp(d: &Dictionary) -> bool {
    name(d, b"Type") == b"DocTimeStamp" || name(d, b"SubFilter") == b"ETSI.RFC3161"
}

/// Items of an array: old ones kept in order, some appended?
fn only_appended(old: &[Object], new: &[Object]) -> Option<Vec<Object>> {
    let kept = old.iter().all(|o| new.contains(o));
    kept.then(|| new.iter().filter(|o| !old.contains(o)).cloned().collect())
}

/// The level of what a list of added references brings: only document
/// timestamp fields → LTA updates; signature fields → form filling;
/// widgets of other fields → form filling; other annotations.
fn added_refs_level(
    new: &Document,
    added: &[Object],
    ts_fields: &BTreeSet<ObjectId>,
) -> ModificationLevel {
    let mut level = ModificationLevel::None;
    for o in added {
        let l = match o {
            Object::Reference(id) if ts_fields.contains(id) => ModificationLevel::LtaUpdates,
            Object::Reference(id) => match new.get_object(*id).ok().and_then(dict_of) {
                Some(d) if name(d, b"FT") == b"Sig" || name(d, b"Subtype") == b"Widget" => {
                    ModificationLevel::FormFilling
                }
                Some(d) if d.has(b"Parent") || d.has(b"Kids") => ModificationLevel::FormFilling,
                _ => ModificationLevel::Annotations,
            },
            _ => ModificationLevel::Annotations,
        };
        level = level.max(l);
    }
    level.max(ModificationLevel::LtaUpdates)
}

/// Compares the document as signed (`old`) with the document now (`new`).
pub(crate) fn diff(old: &Document, new: &Document) -> Vec<LaterChange> {
    let mut out = Vec::new();
    let root = new.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let old_root = old.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let info = new.trailer.get(b"Info").and_then(Object::as_reference).ok();
    let pages: BTreeSet<ObjectId> = old.get_pages().values().copied().collect();
    // The page content streams, as signed.
    let contents: BTreeSet<ObjectId> = pages
        .iter()
        .filter_map(|p| old.get_object(*p).ok().and_then(dict_of))
        .flat_map(|d| match d.get(b"Contents") {
            Ok(Object::Reference(r)) => vec![*r],
            Ok(Object::Array(a)) => a.iter().filter_map(|o| o.as_reference().ok()).collect(),
            _ => Vec::new(),
        })
        .collect();
    // Fields (and their widgets) whose value is a document timestamp.
    let ts_fields: BTreeSet<ObjectId> = new
        .objects
        .iter()
        .filter_map(|(id, o)| {
            let d = dict_of(o)?;
            let v = resolve(new, d.get(b"V").ok()?)?;
            dict_of(v).filter(|v| is_doc_timestamp(v)).map(|_| *id)
        })
        .collect();
    let acroform = root
        .and_then(|r| new.get_object(r).ok())
        .and_then(dict_of)
        .and_then(|c| c.get(b"AcroForm").ok())
        .and_then(|a| a.as_reference().ok());
    let dss_ids: BTreeSet<ObjectId> = root
        .and_then(|r| new.get_object(r).ok())
        .and_then(dict_of)
        .and_then(|c| c.get(b"DSS").ok())
        .and_then(|a| a.as_reference().ok())
        .into_iter()
        .collect();

    for (id, now) in &new.objects {
        let (n, g) = *id;
        let ty = type_of(now);
        if ty == b"XRef" || ty == b"ObjStm" {
            continue;
        }
        let Some(before) = old.objects.get(id) else {
            if let Some(c) = classify_new(new, *id, now, &ts_fields) {
                out.push(c);
            }
            continue;
        };
        if same(before, now) {
            continue;
        }
        let change = if Some(*id) == root || Some(*id) == old_root {
            let (Some(a), Some(b)) = (dict_of(before), dict_of(now)) else {
                out.push(not_allowed(Text::new(
                    "文档目录（Catalog）被替换",
                    "the document catalog was replaced",
                )));
                continue;
            };
            let mut keys = changed_keys(a, b);
            let version = keys.remove(b"Version".as_slice());
            let bad: BTreeSet<Vec<u8>> = keys
                .iter()
                .filter(|k| {
                    !matches!(
                        k.as_slice(),
                        b"DSS" | b"AcroForm" | b"Extensions" | b"Metadata" | b"Version"
                    )
                })
                .cloned()
                .collect();
            if !bad.is_empty() {
                let k = keys_text(&bad);
                not_allowed(Text::new(
                    format!("文档目录（Catalog）的 {k} 被改动"),
                    format!("the document catalog's {k} changed"),
                ))
            } else if keys.is_empty() && version {
                allowed(
                    ModificationLevel::None,
                    Text::new(
                        "文档目录（Catalog）的 PDF 版本号被更新",
                        "the document catalog's PDF version was updated",
                    ),
                )
            } else if keys.contains(b"DSS".as_slice()) && keys.len() == 1 {
                allowed(
                    ModificationLevel::LtaUpdates,
                    Text::new(
                        "加入了文档安全存储（DSS）",
                        "a document security store (DSS) was added",
                    ),
                )
            } else {
                let k = keys_text(&keys);
                // The form's fields, old and new: only additions are allowed,
                // and what they add sets the level.
                let fields = |d: &Dictionary, doc: &Document| -> Vec<Object> {
                    d.get(b"AcroForm")
                        .ok()
                        .and_then(|o| resolve(doc, o))
                        .and_then(dict_of)
                        .and_then(|af| af.get(b"Fields").ok())
                        .and_then(|o| resolve(doc, o))
                        .and_then(|o| o.as_array().ok())
                        .cloned()
                        .unwrap_or_default()
                };
                let added = only_appended(&fields(a, old), &fields(b, new));
                match added {
                    None => not_allowed(Text::new(
                        "表单（AcroForm）中原有的域被改动或删除",
                        "the form (AcroForm) had fields changed or removed",
                    )),
                    Some(added) => {
                        let mut level = added_refs_level(new, &added, &ts_fields);
                        if keys.contains(b"Metadata".as_slice()) {
                            level = level.max(ModificationLevel::FormFilling);
                        }
                        allowed(
                            level,
                            Text::new(
                                format!("文档目录（Catalog）更新了 {k}"),
                                format!("the document catalog's {k} updated"),
                            ),
                        )
                    }
                }
            }
        } else if Some(*id) == info {
            allowed(
                ModificationLevel::None,
                Text::new(
                    "文档信息（Info）被更新",
                    "the document information (Info) was updated",
                ),
            )
        } else if ty == b"DSS" || ty == b"VRI" || dss_ids.contains(id) {
            allowed(
                ModificationLevel::LtaUpdates,
                Text::new(
                    "文档安全存储（DSS）被更新",
                    "the document security store (DSS) was updated",
                ),
            )
        } else if ty == b"Metadata" {
            allowed(
                ModificationLevel::None,
                Text::new("XMP 元数据被更新", "the XMP metadata was updated"),
            )
        } else if pages.contains(id) || ty == b"Page" {
            match (dict_of(before), dict_of(now)) {
                (Some(a), Some(b)) => {
                    let keys = changed_keys(a, b);
                    let annots = |d: &Dictionary| match d
                        .get(b"Annots")
                        .ok()
                        .and_then(|o| resolve(new, o))
                    {
                        Some(Object::Array(v)) => v.clone(),
                        _ => Vec::new(),
                    };
                    let old_annots = match a.get(b"Annots").ok().and_then(|o| resolve(old, o)) {
                        Some(Object::Array(v)) => v.clone(),
                        _ => Vec::new(),
                    };
                    match only_appended(&old_annots, &annots(b)) {
                        Some(added) if keys.iter().all(|k| k == b"Annots") => allowed(
                            added_refs_level(new, &added, &ts_fields),
                            Text::new(
                                format!("第 {n} 号页面对象加入了 {} 个注释（签名域）", added.len()),
                                format!(
                                    "page object {n} got {} new annotation(s) (signature fields)",
                                    added.len()
                                ),
                            ),
                        ),
                        _ => {
                            let k = keys_text(&keys);
                            not_allowed(Text::new(
                                format!("页面（对象 {n} {g}）的 {k} 被改动：页面内容或资源在签名后变了"),
                                format!("page (object {n} {g}) changed in {k}: page content or resources changed after signing"),
                            ))
                        }
                    }
                }
                _ => not_allowed(Text::new(
                    format!("页面（对象 {n} {g}）被替换"),
                    format!("page (object {n} {g}) was replaced"),
                )),
            }
        } else if contents.contains(id) {
            not_allowed(Text::new(
                format!("页面内容流（对象 {n} {g}）在签名后被改动：页面显示的内容变了"),
                format!("a page content stream (object {n} {g}) was changed after signing: what the page shows changed"),
            ))
        } else if let (Object::Array(a), Object::Array(b)) = (before, now) {
            match only_appended(a, b) {
                Some(added) => allowed(
                    added_refs_level(new, &added, &ts_fields),
                    Text::new(
                        format!("数组（对象 {n} {g}）追加了 {} 项（签名域或注释）", added.len()),
                        format!("array (object {n} {g}) got {} item(s) appended (fields or annotations)", added.len()),
                    ),
                ),
                None => not_allowed(Text::new(
                    format!("数组（对象 {n} {g}）中原有的项被改动或删除"),
                    format!("array (object {n} {g}) had items changed or removed"),
                )),
            }
        } else if let (Some(a), Some(b)) = (dict_of(before), dict_of(now)) {
            let keys = changed_keys(a, b);
            let is_acroform = Some(*id) == acroform || (a.has(b"Fields") && !a.has(b"Type"));
            let is_field = a.has(b"FT") || a.has(b"T") || name(a, b"Subtype") == b"Widget";
            if is_acroform {
                let fields = |d: &Dictionary, doc: &Document| match d
                    .get(b"Fields")
                    .ok()
                    .and_then(|o| resolve(doc, o))
                {
                    Some(Object::Array(v)) => v.clone(),
                    _ => Vec::new(),
                };
                let ok_keys = keys.iter().all(|k| {
                    matches!(
                        k.as_slice(),
                        b"Fields" | b"SigFlags" | b"DR" | b"DA" | b"NeedAppearances"
                    )
                });
                match only_appended(&fields(a, old), &fields(b, new)) {
                    Some(added) if ok_keys => allowed(
                        added_refs_level(new, &added, &ts_fields),
                        Text::new(
                            format!("表单（AcroForm）加入了 {} 个域", added.len()),
                            format!("the form (AcroForm) got {} new field(s)", added.len()),
                        ),
                    ),
                    _ => not_allowed(Text::new(
                        format!("表单（AcroForm）的 {} 被改动", keys_text(&keys)),
                        format!("the form (AcroForm) changed in {}", keys_text(&keys)),
                    )),
                }
            } else if is_field
                && keys
                    .iter()
                    .all(|k| matches!(k.as_slice(), b"V" | b"AP" | b"AS" | b"MK" | b"F" | b"Ff"))
            {
                let t = match a.get(b"T") {
                    Ok(Object::String(t, _)) => String::from_utf8_lossy(t).into_owned(),
                    _ => format!("{n} {g}"),
                };
                if ts_fields.contains(id) {
                    allowed(
                        ModificationLevel::LtaUpdates,
                        Text::new(
                            format!("域 {t} 加上了文档时间戳"),
                            format!("field {t} got a document timestamp"),
                        ),
                    )
                } else if name(a, b"FT") == b"Sig" {
                    allowed(
                        ModificationLevel::FormFilling,
                        Text::new(
                            format!("签名域 {t} 被签署"),
                            format!("signature field {t} was signed"),
                        ),
                    )
                } else {
                    allowed(
                        ModificationLevel::FormFilling,
                        Text::new(
                            format!("表单域 {t} 被填写"),
                            format!("form field {t} was filled in"),
                        ),
                    )
                }
            } else if name(a, b"Subtype") == b"Form" && keys.is_empty() {
                allowed(
                    ModificationLevel::FormFilling,
                    Text::new(
                        format!("外观流（对象 {n} {g}）被更新"),
                        format!("appearance stream (object {n} {g}) was updated"),
                    ),
                )
            } else {
                let what = describe(now);
                not_allowed(Text::new(
                    format!("对象 {n} {g}（{what}）在签名后被改动"),
                    format!("object {n} {g} ({what}) was changed after signing"),
                ))
            }
        } else {
            let what = describe(now);
            not_allowed(Text::new(
                format!("对象 {n} {g}（{what}）在签名后被改动"),
                format!("object {n} {g} ({what}) was changed after signing"),
            ))
        };
        out.push(change);
    }
    for id in old.objects.keys() {
        if !new.objects.contains_key(id) {
            let (n, g) = *id;
            out.push(not_allowed(Text::new(
                format!("对象 {n} {g} 在签名后被删除"),
                format!("object {n} {g} was deleted after signing"),
            )));
        }
    }
    out
}

fn describe(o: &Object) -> String {
    let ty = String::from_utf8_lossy(type_of(o)).into_owned();
    let kind = match o {
        Object::Stream(_) => "stream",
        Object::Dictionary(_) => "dictionary",
        Object::Array(_) => "array",
        _ => "value",
    };
    if ty.is_empty() {
        kind.to_string()
    } else {
        format!("/{ty} {kind}")
    }
}

/// A new object: what it is, when it is worth naming.
fn classify_new(
    doc: &Document,
    id: ObjectId,
    o: &Object,
    ts_fields: &BTreeSet<ObjectId>,
) -> Option<LaterChange> {
    let d = dict_of(o)?;
    let (n, _) = id;
    let ty = name(d, b"Type");
    if is_sig_dict(d) {
        return Some(if is_doc_timestamp(d) {
            allowed(
                ModificationLevel::LtaUpdates,
                Text::new("加入了文档时间戳", "a document timestamp was added"),
            )
        } else {
            allowed(
                ModificationLevel::FormFilling,
                Text::new("加入了另一个签名", "another signature was added"),
            )
        });
    }
    if ty == b"DSS" {
        return Some(allowed(
            ModificationLevel::LtaUpdates,
            Text::new(
                "加入了文档安全存储（DSS）",
                "a document security store (DSS) was added",
            ),
        ));
    }
    if ty == b"Page" || ty == b"Pages" {
        return Some(not_allowed(Text::new(
            format!("加入了页面对象（对象 {n}）"),
            format!("a page object was added (object {n})"),
        )));
    }
    if name(d, b"FT") == b"Sig" || ts_fields.contains(&id) {
        // Named with its signature; an empty field is fine too. A value
        // that is not a signature dictionary is not.
        return match d.get(b"V").ok().map(|v| resolve(doc, v).and_then(dict_of)) {
            None => None,
            Some(Some(v)) if is_sig_dict(v) => None,
            Some(_) => Some(not_allowed(Text::new(
                format!("签名域（对象 {n}）的值不是签名字典"),
                format!(
                    "signature field (object {n}) has a value that is not a signature dictionary"
                ),
            ))),
        };
    }
    if name(d, b"Subtype") == b"Widget" {
        return Some(allowed(
            ModificationLevel::FormFilling,
            Text::new(
                format!("加入了表单域（对象 {n}）"),
                format!("a form field was added (object {n})"),
            ),
        ));
    }
    if ty == b"Annot" || (d.has(b"Subtype") && d.has(b"Rect")) {
        return Some(allowed(
            ModificationLevel::Annotations,
            Text::new(
                format!("加入了注释（对象 {n}）"),
                format!("an annotation was added (object {n})"),
            ),
        ));
    }
    None
}

/// The most a list of changes reaches (`None` for no change).
pub(crate) fn level_of(changes: &[LaterChange]) -> ModificationLevel {
    changes
        .iter()
        .map(|c| {
            if c.allowed {
                c.level
            } else {
                ModificationLevel::Other
            }
        })
        .max()
        .unwrap_or(ModificationLevel::None)
}
