//! The desktop app (车联网安全合规评估工作台): a Tauri window over the
//! `iovaudit` core. Nothing here decides anything about an assessment; it
//! wires commands (`commands.rs`) to the core and keeps app state.
//!
//! Usage: `iovaudit-app [PROJECT_DIR]` opens a project at start;
//! `iovaudit-app --demo [DIR]` opens (creating if needed) the demo project,
//! at DIR or in the app's data folder.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod error;
mod pick;
mod state;
mod team;

use state::{AppState, Dirs};
use std::path::PathBuf;
use tauri::{DragDropEvent, Emitter, Manager, WindowEvent};

enum Start {
    Nothing,
    Project(PathBuf),
    Demo(Option<PathBuf>),
}

fn parse_args() -> Start {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => Start::Nothing,
        Some("--demo") => Start::Demo(args.get(1).map(PathBuf::from)),
        Some(dir) => Start::Project(PathBuf::from(dir)),
    }
}

fn main() {
    let start = parse_args();
    let library = match iovaudit::pack::builtin() {
        Ok(l) => l,
        Err(diags) => {
            eprintln!(
                "内置检查清单无效 / built-in checklists are invalid: {} problem(s)",
                diags.len()
            );
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let path = app.path();
            let home = path.home_dir().unwrap_or_else(|_| PathBuf::from("."));
            let dirs = Dirs {
                config: path
                    .app_config_dir()
                    .unwrap_or_else(|_| home.join(".config/iovaudit")),
                data: path
                    .app_data_dir()
                    .unwrap_or_else(|_| home.join(".local/share/iovaudit")),
                projects: path
                    .document_dir()
                    .unwrap_or(home)
                    .join("iovaudit-projects"),
            };
            let state = AppState::new(dirs, library);
            let opened = match &start {
                Start::Nothing => Ok(()),
                Start::Project(dir) => commands::open_dir(&state, dir).map(|_| ()),
                Start::Demo(dir) => {
                    let dir = dir.clone().unwrap_or_else(|| commands::demo_dir(&state));
                    commands::open_demo_at(&state, &dir).map(|_| ())
                }
            };
            if let Err(e) = opened {
                // The window still opens (on the home screen) and says why.
                eprintln!("{} / {}", e.zh, e.en);
                if let Ok(mut slot) = state.startup_error.lock() {
                    *slot = Some(e);
                }
            }
            app.manage(state);
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::DragDrop(DragDropEvent::Drop { paths, .. }) = event {
                let names: Vec<String> = paths
                    .iter()
                    .map(|p| {
                        p.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    })
                    .collect();
                window.state::<AppState>().set_dropped(paths.clone());
                let _ = window.emit("files-dropped", names);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            team::team_view_get,
            team::assign_set,
            team::assign_clear,
            team::previous_verdict,
            team::bundle_export,
            team::bundle_import_pick,
            team::bundle_merge_pick,
            team::bundle_merge,
            team::project_clone_pick,
            commands::library,
            commands::settings_set,
            commands::seal_pick,
            commands::pick_folder,
            commands::project_new,
            commands::project_open_pick,
            commands::project_open_recent,
            commands::project_open_demo,
            commands::project_close,
            commands::project_view,
            commands::statuses,
            commands::scores,
            commands::scope_set,
            commands::requirement_detail,
            commands::verdict_set,
            commands::verdict_confirm,
            commands::evidence_list,
            commands::evidence_page,
            commands::evidence_add_pick,
            commands::evidence_add_dropped,
            commands::evidence_link,
            commands::evidence_unlink,
            commands::evidence_verify,
            commands::evidence_preview,
            commands::findings,
            commands::finding_add,
            commands::finding_update,
            commands::review_submit,
            commands::review_approve,
            commands::review_reopen,
            commands::journal_verify,
            commands::identities,
            commands::identity_create,
            commands::identity_import_pick,
            commands::identity_import_dropped,
            commands::identity_import_pending,
            commands::identity_delete,
            commands::identity_set_key,
            commands::templates,
            commands::report_preview,
            commands::export_report,
            commands::report_docx,
            commands::export_package,
            commands::reveal_exports,
            commands::verify_pick,
            commands::verify_dropped,
            commands::cancel,
            commands::pack_versions,
            commands::pack_upgrade,
            commands::calendar_view,
            commands::calendar_event_add,
            commands::calendar_event_remove,
            commands::calendar_ics_save,
            commands::exports_list,
            commands::project_info_get,
            commands::project_info_set,
            commands::readiness,
            commands::risk_info,
            commands::evidence_set_details,
            commands::evidence_summary,
            commands::source_label,
            commands::scope_records,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("无法启动桌面应用 / cannot start the desktop app: {e}");
        std::process::exit(1);
    }
}
