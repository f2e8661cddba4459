//! A pack → an `.xlsx` workbook that [`super::import_pack`] reads back into
//! the same pack: sheet 1 is the checklist (people's columns first, then grey
//! machine columns), sheet 2 `检查单信息` holds the pack's own fields.

use super::pack_import::META_SHEETS;
use super::text::inline;
use super::{Location, Problem};
use crate::pack::{DeadlineRule, Pack, Requirement, ValueOrigin};
use crate::t;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError,
};

/// The header row of the checklist sheet (0-based); rows 0 and 1 are titles.
pub(crate) const HEADER_ROW: u32 = 2;

/// Columns people read and may edit.
const HUMAN: &[(&str, f64)] = &[
    ("序号\nNo.", 6.0),
    ("类别\nCategory", 18.0),
    ("依据条款\nClause", 12.0),
    ("检查项\nTitle", 24.0),
    ("检查项（英文）\nTitle (English)", 24.0),
    ("检查内容\nText", 48.0),
    ("检查内容（英文）\nText (English)", 48.0),
    ("证明材料\nEvidence", 36.0),
    ("证明材料（英文）\nEvidence (English)", 36.0),
    ("权重\nWeight", 7.0),
];

/// Columns the importer reads back; grey, not meant to be edited by hand.
const MACHINE: &[&str] = &[
    "requirement_id",
    "section_id",
    "section_clause",
    "section_title_en",
    "obligation",
    "applies_to",
    "when",
    "methods",
    "veto",
    "themes",
    "provenance",
    "provenance_note",
    "params",
    "deadlines",
    "test",
    "replaces",
];

fn xe(e: XlsxError) -> Problem {
    let e = e.to_string();
    Problem::error(
        Location::file("<xlsx>"),
        t!("生成表格失败：{e}", "could not build the workbook: {e}"),
    )
}

fn num(v: f64) -> toml::Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        toml::Value::Integer(v as i64)
    } else {
        toml::Value::Float(v)
    }
}

fn text_value(zh: &str, en: &str) -> toml::Value {
    let mut t = toml::Table::new();
    t.insert("zh".into(), toml::Value::String(zh.into()));
    if !en.is_empty() {
        t.insert("en".into(), toml::Value::String(en.into()));
    }
    toml::Value::Table(t)
}

/// Per-value provenance, source and note, as the pack format writes them.
fn origin_into(t: &mut toml::Table, o: &ValueOrigin) {
    if let Some(p) = o.provenance {
        t.insert("provenance".into(), toml::Value::String(p.as_str().into()));
    }
    if let Some(src) = &o.source {
        t.insert("source".into(), toml::Value::String(src.clone()));
    }
    if let Some(n) = &o.note {
        t.insert("note".into(), text_value(&n.zh, &n.en));
    }
}

fn params_cell(r: &Requirement) -> String {
    if r.params.is_empty() {
        return String::new();
    }
    let a = r
        .params
        .iter()
        .map(|p| {
            let mut t = toml::Table::new();
            t.insert("key".into(), toml::Value::String(p.key.clone()));
            t.insert("op".into(), toml::Value::String(p.op.clone()));
            t.insert("value".into(), num(p.value));
            t.insert("unit".into(), toml::Value::String(p.unit.clone()));
            origin_into(&mut t, &p.origin);
            toml::Value::Table(t)
        })
        .collect();
    inline(&toml::Value::Array(a))
}

fn deadlines_cell(r: &Requirement) -> String {
    if r.deadlines.is_empty() {
        return String::new();
    }
    let s = |v: &str| toml::Value::String(v.to_string());
    let a = r
        .deadlines
        .iter()
        .map(|d| {
            let mut t = toml::Table::new();
            match &d.rule {
                DeadlineRule::Annual { due } => {
                    t.insert("kind".into(), s("annual"));
                    t.insert("due".into(), s(due));
                }
                DeadlineRule::Recurring { period } => {
                    t.insert("kind".into(), s("recurring"));
                    t.insert("period".into(), s(period));
                }
                DeadlineRule::Retention { period } => {
                    t.insert("kind".into(), s("retention"));
                    t.insert("period".into(), s(period));
                }
                DeadlineRule::Triggered { within, trigger } => {
                    t.insert("kind".into(), s("triggered"));
                    t.insert("within".into(), s(within));
                    t.insert("trigger".into(), text_value(&trigger.zh, &trigger.en));
                }
                DeadlineRule::BeforeEvent { event } => {
                    t.insert("kind".into(), s("before_event"));
                    t.insert("event".into(), text_value(&event.zh, &event.en));
                }
                DeadlineRule::Immediate { event } => {
                    t.insert("kind".into(), s("immediate"));
                    if let Some(e) = event {
                        t.insert("event".into(), text_value(&e.zh, &e.en));
                    }
                }
                DeadlineRule::Once { date } => {
                    t.insert("kind".into(), s("once"));
                    match date.parse::<toml::value::Datetime>() {
                        Ok(d) => t.insert("date".into(), toml::Value::Datetime(d)),
                        Err(_) => t.insert("date".into(), s(date)),
                    };
                }
            }
            if let Some(w) = &d.when {
                t.insert("when".into(), s(w.source()));
            }
            origin_into(&mut t, &d.origin);
            toml::Value::Table(t)
        })
        .collect();
    inline(&toml::Value::Array(a))
}

fn test_cell(r: &Requirement) -> String {
    let Some(x) = &r.test else {
        return String::new();
    };
    let mut t = toml::Table::new();
    t.insert("clause".into(), toml::Value::String(x.clause.clone()));
    t.insert("zh".into(), toml::Value::String(x.text.zh.clone()));
    if !x.text.en.is_empty() {
        t.insert("en".into(), toml::Value::String(x.text.en.clone()));
    }
    inline(&toml::Value::Table(t))
}

fn scoring_cell(p: &Pack) -> String {
    let s = &p.scoring;
    let mut t = toml::Table::new();
    t.insert("partial".into(), toml::Value::Float(s.partial));
    let na = match s.not_applicable {
        crate::pack::NaRule::Exclude => "exclude",
    };
    t.insert("not_applicable".into(), toml::Value::String(na.into()));
    let enc = match s.encouraged {
        crate::pack::Inclusion::Include => "include",
        crate::pack::Inclusion::Exclude => "exclude",
    };
    t.insert("encouraged".into(), toml::Value::String(enc.into()));
    let veto = match s.veto {
        crate::pack::VetoRule::FailPack => "fail_pack",
        crate::pack::VetoRule::None => "none",
    };
    t.insert("veto".into(), toml::Value::String(veto.into()));
    let bands = s
        .bands
        .iter()
        .map(|b| {
            let mut bt = toml::Table::new();
            bt.insert("min".into(), num(b.min));
            bt.insert("label".into(), text_value(&b.label.zh, &b.label.en));
            toml::Value::Table(bt)
        })
        .collect();
    t.insert("bands".into(), toml::Value::Array(bands));
    if !s.groups.is_empty() {
        let groups = s
            .groups
            .iter()
            .map(|g| {
                let mut gt = toml::Table::new();
                gt.insert("section".into(), toml::Value::String(g.section.clone()));
                let rule = match g.rule {
                    crate::pack::GroupKind::AnyFailFailsAll => "any_fail_fails_all",
                };
                gt.insert("rule".into(), toml::Value::String(rule.into()));
                if let Some(n) = &g.note {
                    gt.insert("note".into(), text_value(&n.zh, &n.en));
                }
                toml::Value::Table(gt)
            })
            .collect();
        t.insert("groups".into(), toml::Value::Array(groups));
    }
    inline(&toml::Value::Table(t))
}

fn excluded_cell(p: &Pack) -> String {
    let a = p
        .excluded
        .iter()
        .map(|e| {
            let mut t = toml::Table::new();
            if !e.ids.is_empty() {
                t.insert(
                    "ids".into(),
                    toml::Value::Array(
                        e.ids
                            .iter()
                            .map(|i| toml::Value::String(i.clone()))
                            .collect(),
                    ),
                );
            }
            t.insert("clause".into(), toml::Value::String(e.clause.clone()));
            t.insert("reason".into(), text_value(&e.reason.zh, &e.reason.en));
            toml::Value::Table(t)
        })
        .collect();
    inline(&toml::Value::Array(a))
}

fn enum_str<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Writes `pack` as a workbook: the checklist sheet (named by the pack id) and
/// the pack sheet `检查单信息`. The same pack always gives the same bytes.
pub fn export_pack(pack: &Pack) -> Result<Vec<u8>, Problem> {
    let mut wb = Workbook::new();
    let fixed = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xe)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} {}", pack.id, pack.title.zh))
            .set_subject(pack.doc_number.clone())
            .set_author("iovaudit")
            .set_creation_datetime(&fixed),
    );
    let base = Format::new()
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let title_f = Format::new()
        .set_font_size(14)
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let note_f = Format::new()
        .set_font_size(9)
        .set_text_wrap()
        .set_font_color(Color::RGB(0x606060));
    let head_f = base
        .clone()
        .set_bold()
        .set_background_color(Color::RGB(0xDDE6EF))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let mhead_f = base
        .clone()
        .set_font_color(Color::RGB(0x606060))
        .set_background_color(Color::RGB(0xEEEEEE));
    let cell_f = base.clone();
    let center_f = base.clone().set_align(FormatAlign::Center);
    let cat_f = base.clone().set_align(FormatAlign::VerticalCenter);
    let machine_f = base
        .clone()
        .set_font_size(8)
        .set_font_color(Color::RGB(0x808080));

    let ws = wb.add_worksheet();
    let name: String = pack
        .id
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    ws.set_name(if name.is_empty() {
        "Checklist".to_string()
    } else {
        name
    })
    .map_err(xe)?;
    let last_col = (HUMAN.len() + MACHINE.len() - 1) as u16;
    ws.merge_range(
        0,
        0,
        0,
        (HUMAN.len() - 1) as u16,
        &format!("{}《{}》（{}）", pack.id, pack.title.zh, pack.doc_number),
        &title_f,
    )
    .map_err(xe)?;
    ws.set_row_height(0, 28).map_err(xe)?;
    ws.merge_range(
        1,
        0,
        1,
        (HUMAN.len() - 1) as u16,
        "由 iovaudit 导出（pack export-xlsx），可用 pack import-xlsx 导回。灰色列（requirement_id 起）供导回使用，请勿修改；多项证明材料每行一项。\nExported by iovaudit (pack export-xlsx); read it back with pack import-xlsx. The grey columns (from requirement_id on) are for the import: do not edit them. One evidence item per line.",
        &note_f,
    )
    .map_err(xe)?;
    ws.set_row_height(1, 30).map_err(xe)?;
    for (c, (h, w)) in HUMAN.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, &head_f)
            .map_err(xe)?;
        ws.set_column_width(c as u16, *w).map_err(xe)?;
    }
    for (i, h) in MACHINE.iter().enumerate() {
        let c = (HUMAN.len() + i) as u16;
        ws.write_string_with_format(HEADER_ROW, c, *h, &mhead_f)
            .map_err(xe)?;
        ws.set_column_width(c, 14.0).map_err(xe)?;
    }
    ws.set_row_height(HEADER_ROW, 30).map_err(xe)?;
    ws.set_freeze_panes(HEADER_ROW + 1, 0).map_err(xe)?;

    let mut row = HEADER_ROW + 1;
    let mut n = 0u32;
    for s in &pack.sections {
        let first = row;
        for r in &s.requirements {
            n += 1;
            ws.write_number_with_format(row, 0, n as f64, &center_f)
                .map_err(xe)?;
            ws.write_string_with_format(row, 2, &r.clause, &center_f)
                .map_err(xe)?;
            ws.write_string_with_format(row, 3, &r.title.zh, &cell_f)
                .map_err(xe)?;
            ws.write_string_with_format(row, 4, &r.title.en, &cell_f)
                .map_err(xe)?;
            ws.write_string_with_format(row, 5, &r.text.zh, &cell_f)
                .map_err(xe)?;
            ws.write_string_with_format(row, 6, &r.text.en, &cell_f)
                .map_err(xe)?;
            ws.write_string_with_format(row, 7, r.evidence.zh.join("\n"), &cell_f)
                .map_err(xe)?;
            ws.write_string_with_format(row, 8, r.evidence.en.join("\n"), &cell_f)
                .map_err(xe)?;
            ws.write_number_with_format(row, 9, r.weight as f64, &center_f)
                .map_err(xe)?;
            let m = HUMAN.len() as u16;
            let machine: [String; 16] = [
                r.id.clone(),
                s.id.clone(),
                s.clause.clone(),
                s.title.en.clone(),
                enum_str(&r.obligation),
                r.applies_to.join(", "),
                r.when
                    .as_ref()
                    .map(|w| w.source().to_string())
                    .unwrap_or_default(),
                r.methods
                    .iter()
                    .map(enum_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                if r.veto { "true" } else { "false" }.to_string(),
                r.themes.join(", "),
                enum_str(&r.provenance),
                r.provenance_note.clone().unwrap_or_default(),
                params_cell(r),
                deadlines_cell(r),
                test_cell(r),
                r.replaces.join(", "),
            ];
            for (i, v) in machine.iter().enumerate() {
                ws.write_string_with_format(row, m + i as u16, v, &machine_f)
                    .map_err(xe)?;
            }
            row += 1;
        }
        // The category written once for the section's rows (a merged cell).
        if row > first + 1 {
            ws.merge_range(first, 1, row - 1, 1, &s.title.zh, &cat_f)
                .map_err(xe)?;
        } else if row == first + 1 {
            ws.write_string_with_format(first, 1, &s.title.zh, &cat_f)
                .map_err(xe)?;
        }
    }
    if row > HEADER_ROW + 1 {
        ws.autofilter(HEADER_ROW, 0, row - 1, last_col)
            .map_err(xe)?;
    }

    // The pack's own fields.
    let ms = wb.add_worksheet();
    ms.set_name(META_SHEETS[0]).map_err(xe)?;
    ms.set_column_width(0, 16.0).map_err(xe)?;
    ms.set_column_width(1, 80.0).map_err(xe)?;
    ms.set_column_width(2, 40.0).map_err(xe)?;
    ms.write_string_with_format(0, 0, "字段 / key", &head_f)
        .map_err(xe)?;
    ms.write_string_with_format(0, 1, "值 / value", &head_f)
        .map_err(xe)?;
    ms.write_string_with_format(0, 2, "说明 / meaning", &head_f)
        .map_err(xe)?;
    let mut rows: Vec<(&str, String, &str)> = vec![
        ("id", pack.id.clone(), "检查单标识 / pack id"),
        ("version", pack.version.clone(), "内容版本 / content version"),
        ("doc_number", pack.doc_number.clone(), "文号 / document number"),
        ("title.zh", pack.title.zh.clone(), "标题 / title"),
        ("title.en", pack.title.en.clone(), ""),
        ("issuer.zh", pack.issuer.zh.clone(), "发文机关 / issuer"),
        ("issuer.en", pack.issuer.en.clone(), ""),
        ("doc_type", enum_str(&pack.doc_type), "law | regulation | notice | opinion | local_plan | task_list | pilot_notice | national_standard"),
        ("region", enum_str(&pack.region), "CN | CN-BJ | CN-SH"),
        ("status", enum_str(&pack.status), "in_force | expired | draft"),
    ];
    if let Some(d) = &pack.issued {
        rows.push(("issued", d.clone(), "发布日期 YYYY-MM-DD / issued"));
    }
    if let Some(d) = &pack.effective {
        rows.push(("effective", d.clone(), "施行日期 YYYY-MM-DD / effective"));
    }
    rows.push(("source", pack.source.clone(), "来源文件 / source"));
    rows.push((
        "provenance",
        enum_str(&pack.provenance),
        "text | secondary | inferred",
    ));
    if let Some(n) = &pack.note {
        rows.push(("note.zh", n.zh.clone(), "说明 / note"));
        if !n.en.is_empty() {
            rows.push(("note.en", n.en.clone(), ""));
        }
    }
    if let Some(w) = &pack.applies_when {
        rows.push((
            "applies_when",
            w.source().to_string(),
            "检查单适用条件 / pack condition",
        ));
    }
    rows.push((
        "questions",
        pack.questions.join(", "),
        "使用的适用性问题 / scoping questions used",
    ));
    rows.push((
        "scoring",
        scoring_cell(pack),
        "计分规则（TOML）/ scoring rules (TOML)",
    ));
    if !pack.excluded.is_empty() {
        rows.push((
            "excluded",
            excluded_cell(pack),
            "排除项（TOML）/ excluded items (TOML)",
        ));
    }
    for (i, (k, v, m)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ms.write_string_with_format(r, 0, *k, &cell_f).map_err(xe)?;
        ms.write_string_with_format(r, 1, v, &cell_f).map_err(xe)?;
        ms.write_string_with_format(r, 2, *m, &note_f).map_err(xe)?;
    }
    wb.save_to_buffer().map_err(xe)
}
