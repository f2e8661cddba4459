//! Several assessors, offline (issue 14): assignment, bundles for a
//! colleague, import, merge with a conflict screen, the next cycle. Thin
//! wrappers over `iovaudit::bundle` and `iovaudit::assess::merge`; files are
//! chosen in Rust (`pick.rs`), passwords are passed through and never kept.

use crate::commands::{blocking, install, safe_name, with_project, ProjectView, Reporter};
use crate::error::{ApiError, ApiResult};
use crate::pick::{self, What};
use crate::state::AppState;
use iovaudit::assess::merge::{self, AssessorProgress, Assignment, MergeOptions, Previous, Take};
use iovaudit::bundle::{self, clone::CloneReport, ExportOptions, Manifest, Watch};
use iovaudit::project::Project;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tauri::{AppHandle, State};

const BUNDLE_FILTER: &[(&str, &[&str])] = &[("iovaudit bundle", &["iovbundle"])];

// ------------------------------------------------------------------ assignment

#[derive(Serialize)]
pub struct TeamView {
    pub assignments: Vec<Assignment>,
    /// Requirement id → assessor.
    pub assignees: BTreeMap<String, String>,
    pub progress: Vec<AssessorProgress>,
    /// The assessor name from Settings ("mine").
    pub me: String,
}

fn team_view(state: &AppState, p: &Project) -> ApiResult<TeamView> {
    Ok(TeamView {
        assignments: merge::assignments(p)?,
        assignees: merge::assignees(p)?,
        progress: merge::progress(p)?,
        me: state.settings()?.assessor.trim().to_string(),
    })
}

#[tauri::command(async)]
pub fn team_view_get(state: State<'_, AppState>) -> ApiResult<TeamView> {
    with_project(&state, |p| team_view(&state, p))
}

#[tauri::command(async)]
pub fn assign_set(
    state: State<'_, AppState>,
    assignee: String,
    patterns: Vec<String>,
) -> ApiResult<TeamView> {
    let by = state.by()?;
    with_project(&state, |p| {
        merge::assign(p, &by, &assignee, &patterns)?;
        team_view(&state, p)
    })
}

#[tauri::command(async)]
pub fn assign_clear(state: State<'_, AppState>, patterns: Vec<String>) -> ApiResult<TeamView> {
    let by = state.by()?;
    with_project(&state, |p| {
        merge::clear_assignments(p, &by, &patterns)?;
        team_view(&state, p)
    })
}

/// Last cycle's verdict on a requirement (after "next cycle"), if any.
#[tauri::command(async)]
pub fn previous_verdict(state: State<'_, AppState>, id: String) -> ApiResult<Option<Previous>> {
    with_project(&state, |p| Ok(merge::previous_verdicts(p)?.remove(&id)))
}

// ------------------------------------------------------------------ export

#[derive(Deserialize)]
pub struct BundleExportReq {
    /// Only the part assigned to this assessor.
    #[serde(default)]
    assignee: Option<String>,
    /// Only these requirements (ids, section or pack ids, globs).
    #[serde(default)]
    requirements: Vec<String>,
    with_evidence: bool,
    sm4: bool,
    password: String,
}

#[derive(Serialize)]
pub struct BundleExported {
    pub path: String,
    pub size: u64,
    pub manifest: Manifest,
}

fn check_password(pw: &str) -> ApiResult<()> {
    if pw.is_empty() {
        return Err(ApiError::new(
            "密码不能为空",
            "the password must not be empty",
        ));
    }
    Ok(())
}

/// Exports a bundle for a colleague to a file chosen in the save dialog.
/// `None` when the dialog is cancelled.
#[tauri::command]
pub async fn bundle_export(
    app: AppHandle,
    req: BundleExportReq,
) -> ApiResult<Option<BundleExported>> {
    blocking(&app, move |app, state| {
        check_password(&req.password)?;
        let by = state.by()?;
        let assignee = req.assignee.filter(|a| !a.trim().is_empty());
        let opts = ExportOptions {
            for_assignee: assignee.clone(),
            requirements: req.requirements,
            with_evidence: req.with_evidence,
            sm4: req.sm4,
            kdf: None,
        };
        // Checked before the dialog: a part that names nothing is refused now.
        let (name, dir) = with_project(state, |p| {
            bundle::part_requirements(p, &opts)?;
            let meta = p.meta()?;
            let who = assignee.as_deref().map(safe_name).unwrap_or_default();
            let stem = if who.is_empty() {
                safe_name(&meta.name)
            } else {
                format!("{}-{who}", safe_name(&meta.name))
            };
            Ok((format!("{stem}.iovbundle"), p.exports_dir()))
        })?;
        let _ = std::fs::create_dir_all(&dir);
        let Some(mut path) = pick::save(
            app,
            "导出给同事 / Export for a colleague",
            Some(&dir),
            &name,
            BUNDLE_FILTER,
        ) else {
            return Ok(None);
        };
        if path.extension().is_none() {
            path.set_extension("iovbundle");
        }
        let _op = state.begin_op()?;
        let rep = Reporter::new(app, "bundle-export");
        let label = path.display().to_string();
        let progress = |d: u64, t: u64| rep.report(d as usize, t as usize, &label);
        let watch = Watch {
            progress: &progress,
            cancel: &state.cancel,
        };
        let manifest = with_project(state, |p| {
            Ok(bundle::export_with(
                p,
                &by,
                req.password.as_bytes(),
                &path,
                &opts,
                watch,
            )?)
        })?;
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Ok(Some(BundleExported {
            path: path.display().to_string(),
            size,
            manifest,
        }))
    })
    .await
}

// ------------------------------------------------------------------ import

fn free_dir(parent: &Path, stem: &str) -> PathBuf {
    let first = parent.join(format!("{stem}.iovaudit"));
    if !first.exists() {
        return first;
    }
    (2..1000)
        .map(|i| parent.join(format!("{stem}-{i}.iovaudit")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// Makes a new project from a bundle: chooses the bundle, then the folder
/// the project goes in; opens it. `None` when a chooser is cancelled.
#[tauri::command]
pub async fn bundle_import_pick(
    app: AppHandle,
    password: String,
) -> ApiResult<Option<ProjectView>> {
    blocking(&app, move |app, state| {
        check_password(&password)?;
        let Some(file) = pick::pick(
            app,
            What::File,
            "从同事的数据包导入 / Import a bundle",
            BUNDLE_FILTER,
        )
        .into_iter()
        .next() else {
            return Ok(None);
        };
        let Some(parent) = pick::pick(
            app,
            What::Folder,
            "新项目放在哪个文件夹 / Folder for the new project",
            &[],
        )
        .into_iter()
        .next() else {
            return Ok(None);
        };
        let stem = file
            .file_stem()
            .map(|s| safe_name(&s.to_string_lossy()))
            .unwrap_or_else(|| "bundle".into());
        let out = free_dir(&parent, &stem);
        let by = state.by()?;
        let _op = state.begin_op()?;
        let rep = Reporter::new(app, "bundle-import");
        let label = file.display().to_string();
        let progress = |d: u64, t: u64| rep.report(d as usize, t as usize, &label);
        let watch = Watch {
            progress: &progress,
            cancel: &state.cancel,
        };
        bundle::import_with(&file, password.as_bytes(), &out, &by, watch)?;
        let p = Project::open(&out)?;
        drop(state.project()?.take());
        install(state, p).map(Some)
    })
    .await
}

// ------------------------------------------------------------------ merge

/// Chooses the bundle to merge; only its name goes to the page.
#[tauri::command]
pub async fn bundle_merge_pick(app: AppHandle) -> ApiResult<Option<String>> {
    blocking(&app, |app, state| {
        let file = pick::pick(
            app,
            What::File,
            "合并同事的数据包 / Merge a colleague's bundle",
            BUNDLE_FILTER,
        )
        .into_iter()
        .next();
        let name = file
            .as_ref()
            .and_then(|f| f.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        if let Ok(mut pb) = state.pending_bundle.lock() {
            *pb = file;
        }
        Ok(name)
    })
    .await
}

#[derive(Deserialize)]
pub struct MergeReq {
    password: String,
    /// `ours` / `theirs` for every conflict not named in `per_item`.
    #[serde(default)]
    take: Option<String>,
    /// Requirement or question id → `ours` / `theirs`.
    #[serde(default)]
    per_item: BTreeMap<String, String>,
    dry_run: bool,
}

fn parse_take(s: &str) -> ApiResult<Take> {
    Take::parse(s).ok_or_else(|| {
        ApiError::new(
            format!("「{s}」不是 ours 或 theirs"),
            format!("'{s}' is neither ours nor theirs"),
        )
    })
}

/// Merges the chosen bundle into the open project (a dry run first, to
/// list the conflicts; then with a choice for each).
#[tauri::command]
pub async fn bundle_merge(app: AppHandle, req: MergeReq) -> ApiResult<merge::MergeReport> {
    blocking(&app, move |app, state| {
        check_password(&req.password)?;
        let file = state
            .pending_bundle
            .lock()
            .ok()
            .and_then(|p| p.clone())
            .ok_or_else(|| {
                ApiError::new("请先选择要合并的数据包", "choose the bundle to merge first")
            })?;
        let mut opts = MergeOptions {
            take: req.take.as_deref().map(parse_take).transpose()?,
            per_item: BTreeMap::new(),
            dry_run: req.dry_run,
        };
        for (k, v) in &req.per_item {
            opts.per_item.insert(k.clone(), parse_take(v)?);
        }
        let by = state.by()?;
        let _op = state.begin_op()?;
        let rep = Reporter::new(app, "bundle-merge");
        let label = file.display().to_string();
        let progress = |d: u64, t: u64| rep.report(d as usize, t as usize, &label);
        let watch = Watch {
            progress: &progress,
            cancel: &state.cancel,
        };
        let r = with_project(state, |p| {
            Ok(bundle::merge_file_with(
                p,
                &by,
                &file,
                req.password.as_bytes(),
                &opts,
                watch,
            )?)
        })?;
        if !req.dry_run {
            if let Ok(mut pb) = state.pending_bundle.lock() {
                *pb = None;
            }
        }
        Ok(r)
    })
    .await
}

// ------------------------------------------------------------------ next cycle

#[derive(Serialize)]
pub struct Cloned {
    pub project: ProjectView,
    pub report: CloneReport,
    pub path: String,
}

/// Starts the next cycle of the open project in a folder the user chooses
/// and opens it. `None` when the chooser is cancelled.
#[tauri::command]
pub async fn project_clone_pick(app: AppHandle, with_evidence: bool) -> ApiResult<Option<Cloned>> {
    blocking(&app, move |app, state| {
        let Some(parent) = pick::pick(
            app,
            What::Folder,
            "下一周期放在哪个文件夹 / Folder for the next cycle",
            &[],
        )
        .into_iter()
        .next() else {
            return Ok(None);
        };
        let by = state.by()?;
        let library = state.library.clone();
        let _op = state.begin_op()?;
        let rep = Reporter::new(app, "project-clone");
        let (out, report) = with_project(state, |p| {
            let meta = p.meta()?;
            let out = free_dir(&parent, &format!("{}-next", safe_name(&meta.name)));
            rep.report(0, 0, &out.display().to_string());
            let r = bundle::clone::clone_project(p, &out, &by, with_evidence, library)?;
            Ok((out, r))
        })?;
        let p = Project::open(&out)?;
        drop(state.project()?.take());
        let project = install(state, p)?;
        Ok(Some(Cloned {
            project,
            report,
            path: out.display().to_string(),
        }))
    })
    .await
}
