//! nmap XML (`nmap -oX`): hosts, their status and their ports with state,
//! service, product and version. Streamed with quick-xml (no tree, no entity
//! expansion beyond the predefined ones); nesting is held to
//! [`super::MAX_XML_DEPTH`]; an error names the byte offset.

use super::{Host, Kind, Port, Summary, MAX_XML_DEPTH};
use crate::i18n::Text;
use crate::t;
use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;

type R<T> = std::result::Result<T, Text>;

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub(super) fn parse(name: &str, bytes: &[u8]) -> R<Summary> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut s = Summary::new(Kind::Nmap);
    let mut depth = 0usize;
    let mut root_seen = false;
    let mut host: Option<Host> = None;
    let mut port: Option<Port> = None;
    let bad = |pos: u64, zh: &str, en: &str| {
        Text::new(
            format!("{name}：第 {pos} 字节处：{zh}"),
            format!("{name}: at byte {pos}: {en}"),
        )
    };
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => {
                let pos = reader.error_position();
                return Err(Text::new(
                    format!("{name}：第 {pos} 字节处：不是有效的 XML（{e}）"),
                    format!("{name}: at byte {pos}: not valid XML ({e})"),
                ));
            }
        };
        let pos = reader.buffer_position();
        let (start, empty) = match &ev {
            Event::Start(_) => (true, false),
            Event::Empty(_) => (true, true),
            _ => (false, false),
        };
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                if start && !empty {
                    depth += 1;
                    if depth > MAX_XML_DEPTH {
                        return Err(bad(
                            pos,
                            &format!("元素嵌套超过 {MAX_XML_DEPTH} 层，不像是 nmap 输出"),
                            &format!("elements nest deeper than {MAX_XML_DEPTH}; not nmap output"),
                        ));
                    }
                }
                let tag = e.name();
                let tag = tag.as_ref();
                if !root_seen {
                    if tag != "nmaprun" {
                        return Err(bad(
                            pos,
                            &format!("根元素是 <{tag}>，不是 nmap 的 <nmaprun>"),
                            &format!("the root element is <{tag}>, not nmap's <nmaprun>"),
                        ));
                    }
                    root_seen = true;
                    s.format_version = attr(e, "xmloutputversion");
                    s.tool = Some(match attr(e, "version") {
                        Some(v) => format!("nmap {v}"),
                        None => "nmap".to_string(),
                    });
                    s.scanned_at = attr(e, "start")
                        .and_then(|t| t.parse::<i64>().ok())
                        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                    s.target = attr(e, "args");
                    continue;
                }
                match tag {
                    "host" => {
                        host = Some(Host {
                            address: String::new(),
                            hostname: None,
                            status: "unknown".to_string(),
                            ports: vec![],
                        })
                    }
                    "status" => {
                        if let (Some(h), Some(st)) = (host.as_mut(), attr(e, "state")) {
                            h.status = st;
                        }
                    }
                    "address" => {
                        // nmap lists the IP address before the MAC address.
                        if let (Some(h), Some(a)) = (host.as_mut(), attr(e, "addr")) {
                            if h.address.is_empty() {
                                h.address = a;
                            }
                        }
                    }
                    "hostname" => {
                        if let Some(h) = host.as_mut() {
                            if h.hostname.is_none() {
                                h.hostname = attr(e, "name");
                            }
                        }
                    }
                    "port" if host.is_some() => {
                        let id = attr(e, "portid").unwrap_or_default();
                        let Ok(n) = id.parse::<u16>() else {
                            return Err(bad(
                                pos,
                                &format!("端口号 `{id}` 无效"),
                                &format!("`{id}` is not a port number"),
                            ));
                        };
                        let p = Port {
                            port: n,
                            protocol: attr(e, "protocol").unwrap_or_else(|| "tcp".into()),
                            state: "unknown".into(),
                            service: None,
                            product: None,
                            version: None,
                        };
                        if empty {
                            if let Some(h) = host.as_mut() {
                                h.ports.push(p);
                            }
                        } else {
                            port = Some(p);
                        }
                    }
                    "state" => {
                        if let (Some(p), Some(st)) = (port.as_mut(), attr(e, "state")) {
                            p.state = st;
                        }
                    }
                    "service" => {
                        if let Some(p) = port.as_mut() {
                            p.service = attr(e, "name");
                            p.product = attr(e, "product");
                            p.version = match (attr(e, "version"), attr(e, "extrainfo")) {
                                (Some(v), Some(x)) => Some(format!("{v} ({x})")),
                                (v, _) => v,
                            };
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => {
                depth = depth.saturating_sub(1);
                match e.name().as_ref() {
                    "port" => {
                        if let (Some(h), Some(p)) = (host.as_mut(), port.take()) {
                            h.ports.push(p);
                        }
                    }
                    "host" => {
                        if let Some(h) = host.take() {
                            s.hosts.push(h);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        buf.clear();
    }
    if !root_seen {
        return Err(t!(
            "{name}：不是 nmap XML 输出（没有 <nmaprun> 元素）",
            "{name}: not nmap XML output (no <nmaprun> element)"
        ));
    }
    if depth != 0 {
        let pos = reader.buffer_position();
        return Err(bad(
            pos,
            "文件在元素结束前中断（文件被截断？）",
            "the file ends inside an element (truncated?)",
        ));
    }
    Ok(s)
}
