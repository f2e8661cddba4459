//! A pre-scan of `.xls` (BIFF8 in an OLE compound file) before calamine is
//! given it. calamine's `.xls` reader builds every sheet as a dense grid from
//! A1... to its last cell, and copies a shared string into every cell that
//! uses it, all while the workbook is opened: a few kilobytes (one cell at
//! IV65536, or 60,000 cells naming one 32,000-character string) would ask for
//! gigabytes. This scan reads only record headers, cell positions and the
//! string table's lengths, and refuses a workbook whose sheets would pass the
//! sheet limits of [`super::sheet`], naming the sheet.

use super::sheet::{MAX_CELLS, MAX_SHEET_TEXT};
use crate::i18n::Text;
use crate::t;
use std::io::Read;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const SST: u16 = 0x00FC;
const CONTINUE: u16 = 0x003C;
const LABELSST: u16 = 0x00FD;
const MULRK: u16 = 0x00BD;
const MULBLANK: u16 = 0x00BE;
/// Records whose data starts with the cell's row and column (u16 each).
const CELLS: [u16; 8] = [
    0x0006, // FORMULA
    0x00FD, // LABELSST
    0x0203, // NUMBER
    0x0204, // LABEL
    0x0205, // BOOLERR
    0x027E, // RK
    0x0201, // BLANK
    0x00D6, // RSTRING
];

fn u16_at(d: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*d.get(i)?, *d.get(i + 1)?]))
}

fn u32_at(d: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes([
        *d.get(i)?,
        *d.get(i + 1)?,
        *d.get(i + 2)?,
        *d.get(i + 3)?,
    ]))
}

/// The records of a BIFF stream: (offset, type, data).
fn records(stream: &[u8]) -> impl Iterator<Item = (usize, u16, &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let typ = u16_at(stream, pos)?;
        let len = u16_at(stream, pos + 2)? as usize;
        let data = stream.get(pos + 4..pos + 4 + len)?;
        let at = pos;
        pos += 4 + len;
        Some((at, typ, data))
    })
}

/// The UTF-8 length (an upper bound) of each string in the shared-string
/// table: the SST record and its CONTINUE records. A string's characters may
/// be split across records; each continuation starts with a new flags byte.
fn sst_lengths(parts: &[&[u8]]) -> Vec<u64> {
    let mut out = Vec::new();
    let (mut p, mut i) = (0usize, 8usize); // skip cstTotal, cstUnique
                                           // Takes n bytes across record boundaries; returns false when data runs out.
    fn skip(parts: &[&[u8]], p: &mut usize, i: &mut usize, mut n: usize) -> bool {
        while n > 0 {
            let Some(part) = parts.get(*p) else {
                return false;
            };
            let avail = part.len().saturating_sub(*i);
            if avail == 0 {
                *p += 1;
                *i = 0;
                continue;
            }
            let k = avail.min(n);
            *i += k;
            n -= k;
        }
        true
    }
    fn byte(parts: &[&[u8]], p: &mut usize, i: &mut usize) -> Option<u8> {
        loop {
            let part = parts.get(*p)?;
            if let Some(b) = part.get(*i) {
                *i += 1;
                return Some(*b);
            }
            *p += 1;
            *i = 0;
        }
    }
    while let (Some(lo), Some(hi)) = (byte(parts, &mut p, &mut i), byte(parts, &mut p, &mut i)) {
        let cch = u16::from_le_bytes([lo, hi]) as usize;
        let Some(flags) = byte(parts, &mut p, &mut i) else {
            break;
        };
        let mut wide = flags & 0x01 != 0;
        let mut runs = 0usize;
        let mut ext = 0usize;
        if flags & 0x08 != 0 {
            let (Some(a), Some(b)) = (byte(parts, &mut p, &mut i), byte(parts, &mut p, &mut i))
            else {
                break;
            };
            runs = u16::from_le_bytes([a, b]) as usize;
        }
        if flags & 0x04 != 0 {
            let mut b = [0u8; 4];
            for x in &mut b {
                match byte(parts, &mut p, &mut i) {
                    Some(v) => *x = v,
                    None => return out,
                }
            }
            ext = u32::from_le_bytes(b) as usize;
        }
        // Characters, switching width at a record boundary.
        let mut left = cch;
        let mut utf8 = 0u64;
        while left > 0 {
            let Some(part) = parts.get(p) else {
                return out;
            };
            let avail = part.len().saturating_sub(i);
            if avail == 0 {
                p += 1;
                let Some(next) = parts.get(p) else {
                    return out;
                };
                wide = next.first().is_some_and(|f| f & 0x01 != 0);
                i = 1;
                continue;
            }
            let width = if wide { 2 } else { 1 };
            let n = (avail / width).min(left).max(1);
            i += n * width;
            left -= n;
            utf8 += (n * if wide { 3 } else { 2 }) as u64;
        }
        out.push(utf8);
        if !skip(parts, &mut p, &mut i, runs * 4 + ext) {
            break;
        }
    }
    out
}

/// Refuses an `.xls` workbook whose sheets would pass the sheet limits once
/// calamine opened it, or whose compound-file structure is damaged. A
/// compound file without a workbook stream passes: calamine reports it.
pub fn check(bytes: &[u8]) -> Result<(), Text> {
    // calamine's own compound-file reader follows sector chains without
    // checking them (a chain that loops grows until memory runs out, found
    // by the fuzzer); the cfb crate validates the allocation tables and the
    // directory, so a file it refuses never reaches calamine.
    let mut cf = match cfb::CompoundFile::open(std::io::Cursor::new(bytes)) {
        Ok(cf) => cf,
        Err(e) => {
            return Err(t!(
                "无法作为 .xls 工作簿读取：复合文档结构已损坏（{e}）",
                "cannot be read as an .xls workbook: its compound-file structure is damaged ({e})"
            ))
        }
    };
    let name = if cf.is_stream("/Workbook") {
        "/Workbook"
    } else if cf.is_stream("/Book") {
        "/Book"
    } else {
        return Ok(());
    };
    let mut stream = Vec::new();
    // A stream is never larger than the file it is in, whatever the
    // compound file's own directory says.
    let read = cf.open_stream(name).and_then(|s| {
        s.take(bytes.len() as u64 + 1)
            .read_to_end(&mut stream)
            .map(|_| ())
    });
    if let Err(e) = read {
        return Err(t!(
            "无法作为 .xls 工作簿读取：工作簿数据流已损坏（{e}）",
            "cannot be read as an .xls workbook: its workbook stream is damaged ({e})"
        ));
    }
    // Sheet names by the offset of their BOF, and the shared-string table.
    let mut names: Vec<(u32, String)> = Vec::new();
    let mut sst: Vec<&[u8]> = Vec::new();
    let mut in_sst = false;
    for (_, typ, d) in records(&stream) {
        match typ {
            BOUNDSHEET => {
                if let (Some(pos), Some(&cch), Some(&flags)) = (u32_at(d, 0), d.get(6), d.get(7)) {
                    let raw = d.get(8..).unwrap_or_default();
                    let name = if flags & 1 != 0 {
                        let units: Vec<u16> = raw
                            .chunks_exact(2)
                            .take(cch as usize)
                            .map(|c| u16::from_le_bytes([c[0], c[1]]))
                            .collect();
                        String::from_utf16_lossy(&units)
                    } else {
                        raw.iter().take(cch as usize).map(|b| *b as char).collect()
                    };
                    names.push((pos, name));
                }
                in_sst = false;
            }
            SST => {
                sst = vec![d];
                in_sst = true;
            }
            CONTINUE if in_sst => sst.push(d),
            _ => in_sst = false,
        }
    }
    let strings = sst_lengths(&sst);
    // Walk the sheet substreams.
    let mut total_cells = 0u64;
    let mut sheet: Option<(usize, [u32; 4], u64)> = None; // (offset, min r, max r, min c, max c), text
    let finish = |off: usize, b: [u32; 4], text: u64, total: &mut u64| -> Result<(), Text> {
        let shown = names
            .iter()
            .find(|(p, _)| *p as usize == off)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| format!("@{off}"));
        if b[0] == u32::MAX {
            return Ok(());
        }
        let cells = (b[1] - b[0] + 1) as u64 * (b[3] - b[2] + 1) as u64;
        *total += cells;
        if cells > MAX_CELLS {
            let (h, w) = (b[1] + 1, b[3] + 1);
            return Err(t!(
                "工作表「{shown}」过大（{h} 行 × {w} 列，上限 {MAX_CELLS} 个单元格），不像是检查表",
                "sheet `{shown}` is too large ({h} rows × {w} columns, over {MAX_CELLS} cells) for a checklist"
            ));
        }
        if text > MAX_SHEET_TEXT {
            return Err(t!(
                "工作表「{shown}」文字总量超过 {MAX_SHEET_TEXT} 字节",
                "sheet `{shown}` holds more than {MAX_SHEET_TEXT} bytes of text"
            ));
        }
        Ok(())
    };
    for (off, typ, d) in records(&stream) {
        match typ {
            BOF => {
                if let Some((o, b, text)) = sheet.take() {
                    finish(o, b, text, &mut total_cells)?;
                }
                sheet = Some((off, [u32::MAX, 0, u32::MAX, 0], 0));
            }
            EOF => {
                if let Some((o, b, text)) = sheet.take() {
                    finish(o, b, text, &mut total_cells)?;
                }
            }
            _ => {
                let Some((_, b, text)) = sheet.as_mut() else {
                    continue;
                };
                let (Some(r), Some(c0)) = (u16_at(d, 0), u16_at(d, 2)) else {
                    continue;
                };
                let c1 = match typ {
                    MULRK | MULBLANK => u16_at(d, d.len().saturating_sub(2)).unwrap_or(c0),
                    t if CELLS.contains(&t) => c0,
                    _ => continue,
                };
                let (r, c0, c1) = (r as u32, c0 as u32, c1.max(c0) as u32);
                b[0] = b[0].min(r);
                b[1] = b[1].max(r);
                b[2] = b[2].min(c0);
                b[3] = b[3].max(c1);
                if typ == LABELSST {
                    if let Some(idx) = u32_at(d, 6) {
                        *text += strings.get(idx as usize).copied().unwrap_or(0);
                    }
                } else if typ == 0x0204 || typ == 0x00D6 {
                    *text += d.len() as u64 * 2;
                }
            }
        }
    }
    if let Some((o, b, text)) = sheet.take() {
        finish(o, b, text, &mut total_cells)?;
    }
    // calamine keeps every sheet in memory at once.
    if total_cells > 2 * MAX_CELLS {
        let max = 2 * MAX_CELLS;
        return Err(t!(
            "工作簿的工作表合计过大（{total_cells} 个单元格，上限 {max}）",
            "the workbook's sheets are too large together ({total_cells} cells, at most {max})"
        ));
    }
    Ok(())
}
