//! The declared business-port list (业务端口清单): CSV with the columns
//! port, protocol, purpose (a header line is optional; `#` starts a comment
//! line). A port is a number or a range `8000-8010`; the protocol is tcp,
//! udp or sctp; the purpose may contain commas when quoted (or as the rest
//! of the line). Comma, semicolon or tab separate the fields. Errors name
//! the line and column.

use super::{DeclaredPort, Kind, Summary};
use crate::i18n::Text;
use crate::t;

type R<T> = std::result::Result<T, Text>;

/// At most this many lines.
const MAX_LINES: usize = 100_000;

/// Where a line cannot be split: (column, zh, en).
type FieldError = (usize, &'static str, &'static str);

/// Splits one line into fields: `(text, column of its first character)`.
fn fields(line: &str, sep: char) -> Result<Vec<(String, usize)>, FieldError> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        let col = i + 1;
        let mut f = String::new();
        if i < chars.len() && chars[i] == '"' {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err((col, "引号未闭合", "unclosed quote")),
                    Some('"') if chars.get(i + 1) == Some(&'"') => {
                        f.push('"');
                        i += 2;
                    }
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        f.push(*c);
                        i += 1;
                    }
                }
            }
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            if i < chars.len() && chars[i] != sep {
                return Err((
                    i + 1,
                    "引号后应为分隔符",
                    "a separator must follow the closing quote",
                ));
            }
        } else {
            while i < chars.len() && chars[i] != sep {
                f.push(chars[i]);
                i += 1;
            }
        }
        out.push((f.trim().to_string(), col));
        if i >= chars.len() {
            break;
        }
        i += 1; // the separator
    }
    Ok(out)
}

fn port_num(s: &str) -> Option<u16> {
    s.trim().parse::<u16>().ok().filter(|p| *p > 0)
}

pub(super) fn parse(name: &str, bytes: &[u8]) -> R<Summary> {
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(|e| {
            let at = e.valid_up_to();
            t!(
                "{name}：第 {at} 字节处：不是 UTF-8 文本（端口清单应为 UTF-8 编码的 CSV）",
                "{name}: at byte {at}: not UTF-8 text (the port list must be UTF-8 CSV)"
            )
        })?;
    let mut s = Summary::new(Kind::Ports);
    let mut first = true;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        if line_no > MAX_LINES {
            return Err(t!(
                "{name}：超过 {MAX_LINES} 行，不像是端口清单",
                "{name}: more than {MAX_LINES} lines; not a port list"
            ));
        }
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let sep = if line.contains('\t') {
            '\t'
        } else if line.contains(',') || line.contains('，') {
            ','
        } else if line.contains(';') {
            ';'
        } else {
            ','
        };
        let line_norm = line.replace('，', ",");
        let f = fields(&line_norm, sep).map_err(|(col, zh, en)| {
            Text::new(
                format!("{name}:{line_no}:{col}：{zh}"),
                format!("{name}:{line_no}:{col}: {en}"),
            )
        })?;
        let (p, pcol) = f.first().cloned().unwrap_or_default();
        if first {
            first = false;
            let l = p.to_ascii_lowercase();
            if l == "port" || l.contains("端口") || l == "ports" {
                continue; // header
            }
        }
        let (port, port_to) = match p.split_once('-') {
            Some((a, b)) => match (port_num(a), port_num(b)) {
                (Some(a), Some(b)) if a <= b => (a, Some(b)),
                _ => {
                    return Err(t!(
                    "{name}:{line_no}:{pcol}：端口范围 `{p}` 无效（应为 1–65535 之间的 起-止）",
                    "{name}:{line_no}:{pcol}: `{p}` is not a port range (FROM-TO within 1–65535)"
                ))
                }
            },
            None => match port_num(&p) {
                Some(x) => (x, None),
                None => {
                    return Err(t!(
                        "{name}:{line_no}:{pcol}：`{p}` 不是端口号（1–65535）",
                        "{name}:{line_no}:{pcol}: `{p}` is not a port number (1–65535)"
                    ))
                }
            },
        };
        let Some((proto, ccol)) = f.get(1).cloned() else {
            let col = line.chars().count() + 1;
            return Err(t!(
                "{name}:{line_no}:{col}：缺少协议列（应为 端口,协议,用途）",
                "{name}:{line_no}:{col}: the protocol is missing (port,protocol,purpose)"
            ));
        };
        let protocol = proto.to_ascii_lowercase();
        if !matches!(protocol.as_str(), "tcp" | "udp" | "sctp") {
            return Err(t!(
                "{name}:{line_no}:{ccol}：协议 `{proto}` 无效（应为 tcp、udp 或 sctp）",
                "{name}:{line_no}:{ccol}: `{proto}` is not a protocol (tcp, udp or sctp)"
            ));
        }
        let purpose = f
            .iter()
            .skip(2)
            .map(|(x, _)| x.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        s.declared_ports.push(DeclaredPort {
            port,
            port_to,
            protocol,
            purpose,
            line: line_no,
        });
    }
    if s.declared_ports.is_empty() {
        return Err(t!(
            "{name}：没有任何端口行（应为 CSV：端口,协议,用途）",
            "{name}: no port lines (expected CSV: port,protocol,purpose)"
        ));
    }
    Ok(s)
}
