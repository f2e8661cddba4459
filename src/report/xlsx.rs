//! The self-check form (自查表) as XLSX: one sheet per checklist, then
//! 整改项 (findings) and 证据清单 (evidence). Each checklist sheet has two title
//! rows, a frozen header row, fixed column widths, wrapped bordered cells, and
//! two trailing machine columns — the requirement id and the verdict code —
//! so the form can be read back (`requirement_id`, `verdict_code` in row 3).
//!
//! Layout of a checklist sheet (0-based rows): 0 title, 1 project line,
//! 2 header, 3.. one requirement per row.

use super::model::{ReportModel, RequirementRow};
use super::ReportError;
use crate::assess::Verdict;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

/// Header row of a checklist sheet (row 2); the last two columns are for machines.
pub const CHECKLIST_HEADERS: &[&str] = &[
    "序号\nNo.",
    "检查项\nRequirement",
    "依据条款\nClause",
    "结论\nVerdict",
    "说明\nJustification",
    "证明材料\nEvidence",
    "SHA-256",
    "要求编号\nrequirement_id",
    "verdict_code",
];

/// Zero-based row of the header in every sheet.
pub const HEADER_ROW: u32 = 2;

fn xe(e: XlsxError) -> ReportError {
    ReportError::Xlsx {
        message: e.to_string(),
    }
}

struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    cell: Format,
    center: Format,
    small: Format,
    machine: Format,
    verdict: [Format; 5],
}

fn formats() -> Formats {
    let base = Format::new()
        .set_font_name("宋体")
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let v = |c: u32| {
        base.clone()
            .set_background_color(Color::RGB(c))
            .set_align(FormatAlign::Center)
    };
    Formats {
        title: Format::new()
            .set_font_name("黑体")
            .set_font_size(16)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        subtitle: Format::new()
            .set_font_name("宋体")
            .set_font_size(10)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter),
        header: Format::new()
            .set_font_name("黑体")
            .set_font_size(10)
            .set_bold()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_background_color(Color::RGB(0xDDE6EF))
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        cell: base.clone(),
        center: base.clone().set_align(FormatAlign::Center),
        small: base.clone().set_font_name("Consolas").set_font_size(8),
        machine: base
            .clone()
            .set_font_color(Color::RGB(0x808080))
            .set_font_size(8),
        verdict: [
            v(0xE3F1E7),
            v(0xFCEFD5),
            v(0xF8DEDC),
            v(0xEEEEEE),
            v(0xFFFFFF),
        ],
    }
}

fn verdict_index(v: Verdict) -> usize {
    match v {
        Verdict::Conform => 0,
        Verdict::Partial => 1,
        Verdict::Nonconform => 2,
        Verdict::Na => 3,
        Verdict::Unassessed => 4,
    }
}

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, unique.
fn sheet_name(want: &str, used: &mut Vec<String>) -> String {
    let clean: String = want
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(28)
        .collect();
    let mut name = if clean.trim().is_empty() {
        "Sheet".to_string()
    } else {
        clean
    };
    let mut n = 2;
    while used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
        name = format!("{}~{n}", name.chars().take(26).collect::<String>());
        n += 1;
    }
    used.push(name.clone());
    name
}

fn title_rows(
    ws: &mut Worksheet,
    f: &Formats,
    m: &ReportModel,
    title: &str,
    last_col: u16,
) -> Result<(), ReportError> {
    ws.merge_range(0, 0, 0, last_col, title, &f.title)
        .map_err(xe)?;
    ws.set_row_height(0, 30).map_err(xe)?;
    let state = if m.project.approved {
        "已批准"
    } else {
        "草稿（未批准）"
    };
    let line = format!(
        "被评估单位：{}　　评估机构：{}　　评估类型：{}　　报告编号：{}　　报告日期：{}　　状态：{}　　版本：第 {} 版",
        m.project.assessee,
        m.signer.organisation,
        m.project.kind_label.zh,
        m.report_number,
        m.report_date,
        state,
        m.project.revision
    );
    ws.merge_range(1, 0, 1, last_col, &line, &f.subtitle)
        .map_err(xe)?;
    ws.set_row_height(1, 30).map_err(xe)?;
    Ok(())
}

fn requirement_cell(r: &RequirementRow) -> String {
    let mut s = format!("{}\n{}", r.title.zh, r.text.zh);
    match r.provenance {
        crate::pack::Provenance::Inferred => s.push_str("\n△ 待与正式文本核对"),
        crate::pack::Provenance::Fulltext => s.push_str("\n△ 依据非官方全文，待与正式文本核对"),
        _ => {}
    }
    s
}

fn verdict_cell(r: &RequirementRow) -> String {
    let mut s = r.verdict_label.zh.clone();
    if r.inferred {
        s.push_str(&format!(
            "\n（推断自 {}，{}）",
            r.inferred_from.as_deref().unwrap_or(""),
            if r.inferred_confirmed {
                "已确认"
            } else {
                "未确认"
            }
        ));
    }
    s
}

pub(crate) fn render(m: &ReportModel) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let f = formats();
    let when = chrono::DateTime::parse_from_rfc3339(&m.generated_at)
        .map(|d| d.timestamp())
        .unwrap_or(0);
    let created = ExcelDateTime::from_timestamp(when).map_err(xe)?;
    let props = DocProperties::new()
        .set_title(format!(
            "车联网网络安全和数据安全自查表 {}",
            m.report_number
        ))
        .set_subject(m.project.assessee.clone())
        .set_author(m.signer.organisation.clone())
        .set_company(m.signer.organisation.clone())
        .set_creation_datetime(&created);
    wb.set_properties(&props);
    let mut used = Vec::new();

    for p in &m.packs {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&p.id, &mut used)).map_err(xe)?;
        ws.set_paper_size(9).set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(0, HEADER_ROW).map_err(xe)?;
        let last = (CHECKLIST_HEADERS.len() - 1) as u16;
        let title = format!(
            "车联网网络安全和数据安全自查表 — {}《{}》（{}）",
            p.id, p.title.zh, p.doc_number
        );
        title_rows(ws, &f, m, &title, last)?;
        for (c, h) in CHECKLIST_HEADERS.iter().enumerate() {
            ws.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)
                .map_err(xe)?;
        }
        ws.set_row_height(HEADER_ROW, 30).map_err(xe)?;
        for (c, w) in [6.0, 56.0, 12.0, 12.0, 40.0, 22.0, 68.0, 16.0, 12.0]
            .iter()
            .enumerate()
        {
            ws.set_column_width(c as u16, *w).map_err(xe)?;
        }
        ws.set_freeze_panes(HEADER_ROW + 1, 0).map_err(xe)?;
        let ev_title = |id: &i64| {
            m.evidence
                .iter()
                .find(|e| e.id == *id)
                .map_or_else(String::new, |e| format!("{} {}", e.reference, e.title))
        };
        let mut row = HEADER_ROW + 1;
        for (n, r) in p
            .sections
            .iter()
            .flat_map(|s| s.requirements.iter())
            .enumerate()
        {
            ws.write_number_with_format(row, 0, (n + 1) as f64, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 1, requirement_cell(r), &f.cell)
                .map_err(xe)?;
            ws.write_string_with_format(row, 2, &r.clause, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(
                row,
                3,
                verdict_cell(r),
                &f.verdict[verdict_index(r.verdict)],
            )
            .map_err(xe)?;
            let note = if r.justification.zh.is_empty() {
                &r.recorded_note
            } else {
                &r.justification.zh
            };
            ws.write_string_with_format(row, 4, note, &f.cell)
                .map_err(xe)?;
            let ev = r
                .evidence_ids
                .iter()
                .map(ev_title)
                .collect::<Vec<_>>()
                .join("\n");
            ws.write_string_with_format(row, 5, ev, &f.cell)
                .map_err(xe)?;
            ws.write_string_with_format(row, 6, r.evidence_sha256.join("\n"), &f.small)
                .map_err(xe)?;
            ws.write_string_with_format(row, 7, &r.id, &f.machine)
                .map_err(xe)?;
            ws.write_string_with_format(row, 8, r.verdict.as_str(), &f.machine)
                .map_err(xe)?;
            row += 1;
        }
        ws.set_column_hidden(8).map_err(xe)?;
        if row > HEADER_ROW + 1 {
            ws.autofilter(HEADER_ROW, 0, row - 1, last).map_err(xe)?;
        }
    }

    // 整改项
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name("整改项", &mut used)).map_err(xe)?;
        ws.set_paper_size(9).set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        let headers = [
            "序号\nNo.",
            "编号\nRef.",
            "对应要求\nRequirement",
            "依据条款\nClause",
            "整改事项\nFinding",
            "严重程度\nSeverity",
            "责任人\nOwner",
            "整改期限\nDue",
            "状态\nStatus",
            "备注\nNote",
            "finding_id",
        ];
        let last = (headers.len() - 1) as u16;
        title_rows(ws, &f, m, "整改项清单", last)?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)
                .map_err(xe)?;
        }
        ws.set_row_height(HEADER_ROW, 30).map_err(xe)?;
        for (c, w) in [
            6.0, 9.0, 14.0, 12.0, 50.0, 10.0, 18.0, 12.0, 10.0, 30.0, 10.0,
        ]
        .iter()
        .enumerate()
        {
            ws.set_column_width(c as u16, *w).map_err(xe)?;
        }
        ws.set_freeze_panes(HEADER_ROW + 1, 0).map_err(xe)?;
        for (n, x) in m.findings.iter().enumerate() {
            let row = HEADER_ROW + 1 + n as u32;
            ws.write_number_with_format(row, 0, (n + 1) as f64, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 1, &x.reference, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 2, &x.requirement, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 3, &x.clause, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 4, &x.title, &f.cell)
                .map_err(xe)?;
            ws.write_string_with_format(row, 5, &x.severity_label.zh, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 6, &x.owner, &f.cell)
                .map_err(xe)?;
            ws.write_string_with_format(row, 7, x.due.as_deref().unwrap_or(""), &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 8, &x.status_label.zh, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 9, &x.note, &f.cell)
                .map_err(xe)?;
            ws.write_number_with_format(row, 10, x.id as f64, &f.machine)
                .map_err(xe)?;
        }
        ws.set_column_hidden(10).map_err(xe)?;
    }

    // 证据清单
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name("证据清单", &mut used)).map_err(xe)?;
        ws.set_paper_size(9).set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        let headers = [
            "编号\nRef.",
            "证据材料\nEvidence",
            "原始文件名\nOriginal file",
            "大小（字节）\nSize (bytes)",
            "获取方式\nMethod",
            "采集时间\nCollected at",
            "采集人\nCollected by",
            "SHA-256",
            "SM3",
            "关联要求\nRequirements",
            "evidence_id",
        ];
        let last = (headers.len() - 1) as u16;
        title_rows(ws, &f, m, "证据清单", last)?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(HEADER_ROW, c as u16, *h, &f.header)
                .map_err(xe)?;
        }
        ws.set_row_height(HEADER_ROW, 30).map_err(xe)?;
        for (c, w) in [
            9.0, 36.0, 28.0, 12.0, 9.0, 20.0, 14.0, 68.0, 68.0, 20.0, 10.0,
        ]
        .iter()
        .enumerate()
        {
            ws.set_column_width(c as u16, *w).map_err(xe)?;
        }
        ws.set_freeze_panes(HEADER_ROW + 1, 0).map_err(xe)?;
        for (n, e) in m.evidence.iter().enumerate() {
            let row = HEADER_ROW + 1 + n as u32;
            ws.write_string_with_format(row, 0, &e.reference, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 1, &e.title, &f.cell)
                .map_err(xe)?;
            ws.write_string_with_format(row, 2, &e.original_name, &f.cell)
                .map_err(xe)?;
            ws.write_number_with_format(row, 3, e.size as f64, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 4, &e.method_label.zh, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 5, &e.collected_at, &f.center)
                .map_err(xe)?;
            ws.write_string_with_format(row, 6, &e.collected_by, &f.cell)
                .map_err(xe)?;
            ws.write_string_with_format(row, 7, &e.sha256, &f.small)
                .map_err(xe)?;
            ws.write_string_with_format(row, 8, &e.sm3, &f.small)
                .map_err(xe)?;
            ws.write_string_with_format(row, 9, e.requirements.join("\n"), &f.cell)
                .map_err(xe)?;
            ws.write_number_with_format(row, 10, e.id as f64, &f.machine)
                .map_err(xe)?;
        }
        ws.set_column_hidden(10).map_err(xe)?;
    }

    wb.save_to_buffer().map_err(xe)
}
