//! A pre-scan of an `.ods` workbook's `content.xml` before calamine is given
//! it. calamine expands `table:number-columns-repeated` into one cell per
//! column for every row element as it reads, then `table:number-rows-repeated`
//! into one row per repeat, up to its own cap of 100 million cells: a 1 MB
//! content.xml (one non-empty cell repeated across 16,384 columns, in a
//! thousand rows, or one row repeated a million times) would ask for
//! gigabytes. This scan counts, per table, the cells calamine would store and
//! the dense grid it would build, and refuses a workbook past the sheet
//! limits of [`super::sheet`], naming the table.

use super::sheet::MAX_CELLS;
use crate::i18n::Text;
use crate::t;
use quick_xml::events::{BytesStart, Event};

fn repeats(e: &BytesStart<'_>, key: &str) -> u64 {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.value.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

fn has_value(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| a.key.as_ref() == "office:value-type" || a.key.as_ref() == "table:formula")
}

/// The row being read: its repeat count, the next column, and the span of
/// its non-empty columns (first, last + 1).
type Row = Option<(u64, u64, Option<(u64, u64)>)>;

/// One table as it is read.
#[derive(Default)]
struct Table {
    name: String,
    /// Cells calamine stores before expanding rows (each row element once).
    raw: u64,
    /// Expanded row index of the next row.
    row: u64,
    /// Bounds of the non-empty cells: first/last row, first/last column.
    bounds: Option<(u64, u64, u64, u64)>,
}

impl Table {
    fn check(&self) -> Result<(), Text> {
        let name = &self.name;
        let dense = self.bounds.map_or(0, |(r0, r1, c0, c1)| {
            (r1 - r0 + 1).saturating_mul(c1 - c0 + 1)
        });
        let cells = dense.max(self.raw);
        if cells > MAX_CELLS {
            return Err(t!(
                "工作表「{name}」展开重复的行和列后过大（{cells} 个单元格，上限 {MAX_CELLS}），不像是检查表",
                "sheet `{name}` is too large once its repeated rows and columns are expanded ({cells} cells, over {MAX_CELLS}) for a checklist"
            ));
        }
        Ok(())
    }
}

/// Scans `content.xml`; `Err` names the table past the limits. XML that does
/// not parse passes: calamine reports it.
pub fn check(content: &[u8]) -> Result<(), Text> {
    let mut reader = quick_xml::Reader::from_reader(content);
    let mut buf = Vec::new();
    let mut table: Option<Table> = None;
    // The current row: its repeat count, the next column, its last non-empty
    // column (exclusive) and first non-empty column.
    let mut row: Row = None;
    // Depth inside a cell that started with a Start event (its content).
    let mut in_cell: Option<(u64, u64)> = None; // (first column, repeats)
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(_) => return Ok(()),
        };
        match ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e)
                if e.name().as_ref() == "table:table" && table.is_none() =>
            {
                let name = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == "table:name")
                    .map(|a| a.value.to_string())
                    .unwrap_or_default();
                table = Some(Table {
                    name,
                    ..Table::default()
                });
            }
            Event::End(e) if e.name().as_ref() == "table:table" => {
                if let Some(t) = table.take() {
                    t.check()?;
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) if e.name().as_ref() == "table:table-row" => {
                let r = repeats(e, "table:number-rows-repeated");
                if matches!(ev, Event::Empty(_)) {
                    if let Some(t) = table.as_mut() {
                        t.row = t.row.saturating_add(r);
                    }
                } else {
                    row = Some((r, 0, None));
                }
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                if let (Some(t), Some((r, _, used))) = (table.as_mut(), row.take()) {
                    if let Some((c0, c1)) = used {
                        t.raw = t.raw.saturating_add(c1);
                        let (r0, r1) = (t.row, t.row.saturating_add(r - 1));
                        t.bounds = Some(match t.bounds {
                            None => (r0, r1, c0, c1 - 1),
                            Some((a, b, c, d)) => (a.min(r0), b.max(r1), c.min(c0), d.max(c1 - 1)),
                        });
                        t.check()?;
                    }
                    t.row = t.row.saturating_add(r);
                }
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if e.name().as_ref() == "table:table-cell"
                    || e.name().as_ref() == "table:covered-table-cell" =>
            {
                let c = repeats(e, "table:number-columns-repeated");
                let value = has_value(e);
                let start = matches!(ev, Event::Start(_));
                if let Some(col) = row.as_ref().map(|(_, col, _)| *col) {
                    if start {
                        in_cell = Some((col, c));
                    } else {
                        if value {
                            mark(&mut row, col, c);
                        }
                        if let Some((_, next, _)) = row.as_mut() {
                            *next = col.saturating_add(c);
                        }
                    }
                }
            }
            Event::End(e)
                if e.name().as_ref() == "table:table-cell"
                    || e.name().as_ref() == "table:covered-table-cell" =>
            {
                if let Some((first, c)) = in_cell.take() {
                    // A cell with content (text, a value): calamine keeps it.
                    mark(&mut row, first, c);
                    if let Some((_, col, _)) = row.as_mut() {
                        *col = first.saturating_add(c);
                    }
                }
            }
            _ => {}
        }
        buf.clear();
    }
    if let Some(t) = table {
        t.check()?;
    }
    Ok(())
}

/// Records non-empty cells at columns `first..first + n` of the current row.
fn mark(row: &mut Row, first: u64, n: u64) {
    if let Some((_, _, used)) = row.as_mut() {
        let end = first.saturating_add(n);
        *used = Some(match *used {
            None => (first, end),
            Some((a, b)) => (a.min(first), b.max(end)),
        });
    }
}
