//! Dates and times as the user reads them.
//!
//! Every instant is stored in UTC (RFC 3339, `…Z`, see [`crate::project::now`]);
//! what is shown or printed is the same instant in a named time zone: the
//! project's own (`project_info.time_zone`, e.g. a Shanghai filing is dated in
//! China Standard Time wherever it is rendered), else the system zone, which
//! the CLI or app layer determines (`TZ`, `/etc/localtime`) and passes in —
//! the core reads no environment.
//!
//! The zone database is `chrono-tz` (the IANA tz database compiled in), so a
//! zone name means the same everywhere, without depending on the host's
//! zoneinfo files.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
pub use chrono_tz::Tz;

use crate::i18n::Lang;

/// UTC as a [`Tz`].
pub const UTC: Tz = chrono_tz::UTC;

/// A zone by its IANA name (`Asia/Shanghai`, `UTC`, `Europe/Berlin`), case as
/// the database spells it, or case-insensitively. `None` for anything else.
pub fn parse_zone(name: &str) -> Option<Tz> {
    let n = name.trim();
    if n.is_empty() {
        return None;
    }
    if let Ok(tz) = n.parse::<Tz>() {
        return Some(tz);
    }
    chrono_tz::TZ_VARIANTS
        .iter()
        .find(|z| z.name().eq_ignore_ascii_case(n))
        .copied()
}

/// The system zone from what the caller read: the `TZ` variable (an IANA
/// name, optionally with a leading `:`; a POSIX rule string such as
/// `CST-8` is not a name and is ignored) and the OS's configured zone name
/// (e.g. from the `iana-time-zone` crate). UTC when neither names a zone.
pub fn system_zone(tz_env: Option<&str>, os_zone: Option<&str>) -> Tz {
    tz_env
        .map(|s| s.trim_start_matches(':'))
        .and_then(parse_zone)
        .or_else(|| os_zone.and_then(parse_zone))
        .unwrap_or(UTC)
}

/// Parses a stored instant: RFC 3339 (`2026-12-06T01:30:00Z`,
/// `…+08:00`), or `YYYY-MM-DD HH:MM[:SS]` / `YYYY-MM-DDTHH:MM[:SS]`
/// without an offset, read as UTC (how the store writes). `None` for a bare
/// date or anything else.
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Some(Utc.from_utc_datetime(&n));
        }
    }
    None
}

/// The calendar date (`YYYY-MM-DD`) of a stored UTC instant in `tz`. A bare
/// date (`2026-12-06`, e.g. a due date) is already a calendar date and is
/// returned as it is; anything unparseable is returned unchanged (never a
/// panic, never a made-up date).
pub fn local_date(instant_utc: &str, tz: Tz) -> String {
    match parse_instant(instant_utc) {
        Some(t) => t.with_timezone(&tz).format("%Y-%m-%d").to_string(),
        None => instant_utc.trim().to_string(),
    }
}

/// The date and time of a stored UTC instant in `tz`, with the zone stated:
/// `2026-12-06 07:30 (UTC+08:00)` — the offset in force at that instant, so
/// summer time is shown as it was. Unparseable input is returned unchanged.
pub fn local_datetime(instant_utc: &str, tz: Tz) -> String {
    match parse_instant(instant_utc) {
        Some(t) => {
            let l = t.with_timezone(&tz);
            format!("{} ({})", l.format("%Y-%m-%d %H:%M"), offset_label(&l))
        }
        None => instant_utc.trim().to_string(),
    }
}

/// Like [`local_datetime`] with seconds: `2026-12-06 07:30:05 (UTC+08:00)`.
pub fn local_datetime_secs(instant_utc: &str, tz: Tz) -> String {
    match parse_instant(instant_utc) {
        Some(t) => {
            let l = t.with_timezone(&tz);
            format!("{} ({})", l.format("%Y-%m-%d %H:%M:%S"), offset_label(&l))
        }
        None => instant_utc.trim().to_string(),
    }
}

fn offset_label(l: &DateTime<Tz>) -> String {
    let secs = l.offset().fix().local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// The zone as printed beside times: `Asia/Shanghai (UTC+08:00)`, the
/// offset being the one in force at `at` (a stored instant; now if `None`
/// or unparseable).
pub fn zone_label(tz: Tz, at: Option<&str>) -> String {
    let t = at.and_then(parse_instant).unwrap_or_else(Utc::now);
    format!("{} ({})", tz.name(), offset_label(&t.with_timezone(&tz)))
}

/// A calendar date (`YYYY-MM-DD`) as a report writes it: `2026年12月6日` in
/// Chinese, `6 December 2026` in English. Unparseable input is returned
/// unchanged.
pub fn format_date(date: &str, lang: Lang) -> String {
    let d = date.trim();
    let Ok(n) = NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d") else {
        return d.to_string();
    };
    match lang {
        Lang::Zh => n.format("%Y年%-m月%-d日").to_string(),
        Lang::En => n.format("%-d %B %Y").to_string(),
    }
}

/// [`local_date`] then [`format_date`]: the date of an instant as a report
/// prints it (`2026年12月6日`).
pub fn local_date_long(instant_utc: &str, tz: Tz, lang: Lang) -> String {
    format_date(&local_date(instant_utc, tz), lang)
}

/// Whether `s` is a calendar date `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let s = s.trim();
    s.len() == 10 && NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midnight_in_beijing() {
        let sh = parse_zone("Asia/Shanghai").expect("zone");
        // 23:30 UTC on the 5th is 07:30 on the 6th in Beijing.
        assert_eq!(local_date("2026-12-05T23:30:00Z", sh), "2026-12-06");
        assert_eq!(local_date("2026-12-05T23:30:00Z", UTC), "2026-12-05");
        assert_eq!(
            local_datetime("2026-12-05T23:30:00Z", sh),
            "2026-12-06 07:30 (UTC+08:00)"
        );
        assert_eq!(local_date("2026-12-31", sh), "2026-12-31");
        assert_eq!(local_date("garbage", sh), "garbage");
        assert_eq!(format_date("2026-12-06", Lang::Zh), "2026年12月6日");
        assert_eq!(format_date("2026-12-06", Lang::En), "6 December 2026");
        assert_eq!(
            local_date_long("2026-12-05T16:00:00Z", sh, Lang::Zh),
            "2026年12月6日"
        );
    }

    #[test]
    fn zones() {
        assert_eq!(parse_zone("asia/shanghai"), parse_zone("Asia/Shanghai"));
        assert!(parse_zone("Mars/Olympus").is_none());
        assert_eq!(
            system_zone(Some(":Asia/Shanghai"), None).name(),
            "Asia/Shanghai"
        );
        assert_eq!(
            system_zone(Some("CST-8"), Some("Europe/Berlin")).name(),
            "Europe/Berlin"
        );
        assert_eq!(system_zone(None, None), UTC);
        let ny = parse_zone("America/New_York").expect("zone");
        assert_eq!(
            local_datetime("2026-07-01T12:00:00Z", ny),
            "2026-07-01 08:00 (UTC-04:00)"
        );
    }
}
