//! `iovaudit` core library: everything the IoV Compliance Audit Workbench
//! (车联网安全合规评估工作台) does, with no GUI dependency.
//!
//! The CLI (`src/main.rs`) and the desktop shell (`src-tauri/`) are thin
//! layers over this crate: they parse input, call into these modules and
//! format the result. See `docs/ARCHITECTURE.md` for the codemap and the
//! invariants each module keeps.

pub mod assess;
pub mod bundle;
pub mod calendar;
pub mod demo;
pub mod evidence;
pub mod excel;
pub mod fsio;
pub mod i18n;
pub mod journal;
pub mod oscal;
pub mod pack;
pub mod package;
pub mod project;
pub mod report;
pub mod scan;
pub mod score;
pub mod sign;
pub mod timefmt;
pub mod vault;

/// The version of this build, recorded in exports and manifests.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");
