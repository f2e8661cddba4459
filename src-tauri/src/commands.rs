//! The commands the webview may call. Each is a thin wrapper: it takes the
//! open project from the state, calls the core library and returns its
//! (serialisable) result or a bilingual error. Long operations run on a
//! blocking thread, report `op-progress` events and honour `cancel`.

use crate::error::{io_at, ApiError, ApiResult};
use crate::pick::{self, What};
use crate::state::{AppState, Settings};
use iovaudit::assess::{self, Verdict};
use iovaudit::i18n::{Lang, Text};
use iovaudit::pack::Library;
use iovaudit::project::{Kind, Meta, NewProject, Project};
use iovaudit::{evidence, fsio, package, report, score, sign};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, State};

// ------------------------------------------------------------------ helpers

/// Runs `f` on the open project.
fn with_project<T>(state: &AppState, f: impl FnOnce(&mut Project) -> ApiResult<T>) -> ApiResult<T> {
    let mut guard = state.project()?;
    let p = guard.as_mut().ok_or_else(ApiError::no_project)?;
    f(p)
}

/// Runs a blocking closure off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    app: &AppHandle,
    f: impl FnOnce(&AppHandle, &AppState) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        f(&app, &state)
    })
    .await
    .map_err(|e| {
        ApiError::new(
            format!("后台任务失败：{e}"),
            format!("background task failed: {e}"),
        )
    })?
}

/// Sends `op-progress` events, at most every 100 ms except the last.
struct Reporter {
    app: AppHandle,
    op: &'static str,
    last: Mutex<Option<Instant>>,
}

#[derive(Clone, Serialize)]
struct Progress<'a> {
    op: &'a str,
    done: usize,
    total: usize,
    label: String,
    finished: bool,
}

impl Reporter {
    fn new(app: &AppHandle, op: &'static str) -> Reporter {
        Reporter {
            app: app.clone(),
            op,
            last: Mutex::new(None),
        }
    }

    fn report(&self, done: usize, total: usize, label: &str) {
        if let Ok(mut last) = self.last.lock() {
            if last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
                return;
            }
            *last = Some(Instant::now());
        }
        self.send(done, total, label, false);
    }

    fn send(&self, done: usize, total: usize, label: &str, finished: bool) {
        let _ = self.app.emit(
            "op-progress",
            Progress {
                op: self.op,
                done,
                total,
                label: label.to_string(),
                finished,
            },
        );
    }
}

impl Drop for Reporter {
    /// Whatever happened, the UI learns that the operation ended.
    fn drop(&mut self) {
        self.send(0, 0, "", true);
    }
}

fn lang_of(s: &str) -> Lang {
    s.parse().unwrap_or(Lang::Zh)
}

/// A file or folder name made of `name`: no separators, no control
/// characters, at most 60 characters.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .take(60)
        .collect();
    let cleaned = cleaned
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string();
    if cleaned.is_empty() {
        "project".into()
    } else {
        cleaned
    }
}

// ------------------------------------------------------------------ app

#[derive(Serialize)]
pub struct SettingsView {
    lang: String,
    assessor: String,
    seal: Option<String>,
}

impl From<&Settings> for SettingsView {
    fn from(s: &Settings) -> Self {
        SettingsView {
            lang: s.lang.clone(),
            assessor: s.assessor.clone(),
            seal: s.seal.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct AppInfo {
    version: &'static str,
    settings: SettingsView,
    recent: Vec<crate::state::Recent>,
    projects_dir: String,
    opened: Option<ProjectView>,
    /// Why the project named at start-up could not be opened (given once).
    startup_error: Option<ApiError>,
}

#[derive(Serialize)]
pub struct ProjectView {
    dir: String,
    meta: Meta,
    answers: BTreeMap<String, iovaudit::pack::Answer>,
    evidence_count: i64,
    finding_count: i64,
}

pub fn view(p: &Project) -> ApiResult<ProjectView> {
    let count = |sql: &str| -> ApiResult<i64> {
        p.conn().query_row(sql, [], |r| r.get(0)).map_err(|e| {
            ApiError::new(
                format!("读取项目失败：{e}"),
                format!("cannot read the project: {e}"),
            )
        })
    };
    Ok(ProjectView {
        dir: p.dir().display().to_string(),
        meta: p.meta()?,
        answers: assess::scope(p)?,
        evidence_count: count("SELECT count(*) FROM evidence")?,
        finding_count: count("SELECT count(*) FROM finding")?,
    })
}

#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> ApiResult<AppInfo> {
    let s = state.settings()?;
    let opened = {
        let g = state.project()?;
        match g.as_ref() {
            Some(p) => Some(view(p)?),
            None => None,
        }
    };
    Ok(AppInfo {
        version: iovaudit::APP_VERSION,
        settings: SettingsView::from(&s),
        recent: s.recent.clone(),
        projects_dir: state.dirs.projects.display().to_string(),
        opened,
        startup_error: state.startup_error.lock().ok().and_then(|mut e| e.take()),
    })
}

#[tauri::command]
pub fn library(state: State<'_, AppState>) -> Library {
    state.library.clone()
}

#[derive(Deserialize)]
pub struct SettingsIn {
    lang: String,
    assessor: String,
    /// Only clearing is possible here; a seal is chosen with `seal_pick`.
    seal: Option<String>,
}

#[tauri::command(async)]
pub fn settings_set(state: State<'_, AppState>, settings: SettingsIn) -> ApiResult<SettingsView> {
    let lang = match settings.lang.as_str() {
        "en" => "en",
        _ => "zh",
    };
    let s = state.update_settings(|s| {
        s.lang = lang.into();
        s.assessor = settings.assessor.trim().chars().take(80).collect();
        if settings.seal.is_none() {
            s.seal = None;
        }
    })?;
    Ok(SettingsView::from(&s))
}

/// Picks a PNG seal image and keeps a copy in the app's data folder.
#[tauri::command]
pub async fn seal_pick(app: AppHandle) -> ApiResult<SettingsView> {
    blocking(&app, |app, state| {
        let picked = pick::pick(app, What::File, "选择印章图片（PNG）", &[("PNG", &["png"])]);
        let Some(src) = picked.into_iter().next() else {
            return Ok(SettingsView::from(&state.settings()?));
        };
        let bytes = std::fs::read(&src).map_err(|e| io_at(&src, e))?;
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            let p = src.display();
            return Err(ApiError::new(
                format!("{p} 不是 PNG 图片"),
                format!("{p} is not a PNG image"),
            ));
        }
        let dir = state.dirs.data.join("seal");
        std::fs::create_dir_all(&dir).map_err(|e| io_at(&dir, e))?;
        let dest = dir.join(format!("seal-{}.png", &package::sha256_hex(&bytes)[..12]));
        fsio::write_atomic(&dest, &bytes).map_err(|e| io_at(&dest, e))?;
        let s = state.update_settings(|s| s.seal = Some(dest.display().to_string()))?;
        Ok(SettingsView::from(&s))
    })
    .await
}

// ------------------------------------------------------------------ projects

#[tauri::command]
pub async fn pick_folder(app: AppHandle) -> ApiResult<Option<String>> {
    blocking(&app, |app, _| {
        Ok(pick::pick(app, What::Folder, "选择文件夹", &[])
            .into_iter()
            .next()
            .map(|p| p.display().to_string()))
    })
    .await
}

#[derive(Deserialize)]
pub struct NewProjectReq {
    parent: String,
    name: String,
    assessee: String,
    kind: String,
    organisation: String,
    packs: Vec<String>,
    answers: Vec<(String, String)>,
}

fn install(state: &AppState, p: Project) -> ApiResult<ProjectView> {
    let v = view(&p)?;
    state.remember(&p)?;
    *state.project()? = Some(p);
    Ok(v)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Opens `dir`, or returns the project if it is the one already open.
pub fn open_dir(state: &AppState, dir: &Path) -> ApiResult<ProjectView> {
    // Absolute, so the recent list works whatever the working directory.
    let dir = &absolute(dir);
    {
        let g = state.project()?;
        if let Some(p) = g.as_ref().filter(|p| same_dir(p.dir(), dir)) {
            return view(p);
        }
    }
    let p = Project::open(dir)?;
    install(state, p)
}

#[tauri::command]
pub async fn project_new(app: AppHandle, req: NewProjectReq) -> ApiResult<ProjectView> {
    blocking(&app, move |_, state| {
        let parent = absolute(Path::new(req.parent.trim()));
        // The default location is made on first use; any other must exist.
        if parent == state.dirs.projects && !parent.exists() {
            std::fs::create_dir_all(&parent).map_err(|e| io_at(&parent, e))?;
        }
        if !parent.is_dir() {
            let p = parent.display();
            return Err(ApiError::new(
                format!("保存位置不存在或不是文件夹：{p}"),
                format!("the location does not exist or is not a folder: {p}"),
            ));
        }
        if req.name.trim().is_empty() {
            return Err(ApiError::new("请填写项目名称", "enter a project name"));
        }
        let kind = Kind::parse(&req.kind).ok_or_else(|| {
            ApiError::new(
                format!("未知的评估类型 `{}`", req.kind),
                format!("unknown assessment type `{}`", req.kind),
            )
        })?;
        let dir = parent.join(format!("{}.iovaudit", safe_name(&req.name)));
        if dir.exists() {
            let p = dir.display();
            return Err(ApiError::new(
                format!("{p} 已存在；请换一个名称或位置，或直接打开它"),
                format!("{p} already exists; choose another name or location, or open it"),
            ));
        }
        // Answers are checked before anything is written.
        for (q, v) in req.answers.iter().filter(|(_, v)| !v.trim().is_empty()) {
            assess::parse_answer(&state.library, q, v)?;
        }
        let by = state.by()?;
        let new = NewProject {
            name: req.name.trim().to_string(),
            assessee: req.assessee.trim().to_string(),
            kind,
            organisation: req.organisation.trim().to_string(),
            packs: req.packs,
            by: by.clone(),
        };
        let mut p = Project::init(&dir, &new, state.library.clone())?;
        let answers: Vec<(String, String)> = req
            .answers
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .collect();
        if !answers.is_empty() {
            assess::set_scope(&mut p, &by, &answers)?;
        }
        drop(state.project()?.take());
        install(state, p)
    })
    .await
}

#[tauri::command]
pub async fn project_open_pick(app: AppHandle) -> ApiResult<Option<ProjectView>> {
    blocking(&app, |app, state| {
        let Some(dir) = pick::pick(app, What::Folder, "打开评估项目（.iovaudit 文件夹）", &[])
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        open_dir(state, &dir).map(Some)
    })
    .await
}

#[tauri::command]
pub async fn project_open_recent(app: AppHandle, path: String) -> ApiResult<ProjectView> {
    blocking(&app, move |_, state| {
        if !state.settings()?.recent.iter().any(|r| r.path == path) {
            return Err(ApiError::new(
                "该项目不在最近项目列表中，请用「打开项目」选择",
                "that project is not in the recent list; use Open project",
            ));
        }
        open_dir(state, Path::new(&path))
    })
    .await
}

/// The demo project's folder in the app's data folder.
pub fn demo_dir(state: &AppState) -> PathBuf {
    state.dirs.data.join("demo").join("示例评估.iovaudit")
}

/// Opens the demo project at `dir`, creating it first if needed.
pub fn open_demo_at(state: &AppState, dir: &Path) -> ApiResult<ProjectView> {
    let dir = &absolute(dir);
    if dir.join("project.db").is_file() {
        return open_dir(state, dir);
    }
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_at(parent, e))?;
    }
    drop(state.project()?.take());
    let p = iovaudit::demo::create(dir, state.library.clone())?;
    install(state, p)
}

#[tauri::command]
pub async fn project_open_demo(app: AppHandle) -> ApiResult<ProjectView> {
    blocking(&app, |_, state| open_demo_at(state, &demo_dir(state))).await
}

#[tauri::command(async)]
pub fn project_close(state: State<'_, AppState>) -> ApiResult<()> {
    drop(state.project()?.take());
    Ok(())
}

#[tauri::command(async)]
pub fn project_view(state: State<'_, AppState>) -> ApiResult<ProjectView> {
    with_project(&state, |p| view(p))
}

// ------------------------------------------------------------------ assessment

#[tauri::command(async)]
pub fn statuses(state: State<'_, AppState>) -> ApiResult<Vec<assess::Status>> {
    with_project(&state, |p| Ok(assess::statuses(p)?))
}

#[tauri::command(async)]
pub fn scores(state: State<'_, AppState>) -> ApiResult<score::Scores> {
    with_project(&state, |p| {
        let st = assess::statuses(p)?;
        let packs = p.packs()?;
        Ok(score::score(&packs, &st))
    })
}

#[tauri::command(async)]
pub fn scope_set(
    state: State<'_, AppState>,
    answers: Vec<(String, String)>,
) -> ApiResult<ProjectView> {
    let by = state.by()?;
    with_project(&state, |p| {
        assess::set_scope(p, &by, &answers)?;
        view(p)
    })
}

#[derive(Serialize)]
pub struct PackRef {
    id: String,
    title: Text,
    doc_number: String,
    provenance: iovaudit::pack::Provenance,
}

#[derive(Serialize)]
pub struct SectionRef {
    id: String,
    clause: String,
    title: Text,
}

#[derive(Serialize)]
pub struct Mapped {
    theme: String,
    theme_title: Text,
    other: String,
    other_pack: String,
    other_title: Text,
    relation: iovaudit::pack::Relation,
    relation_label: Text,
    note: Option<Text>,
    other_verdict: Option<Verdict>,
}

#[derive(Serialize)]
pub struct ConditionAnswer {
    question: String,
    label: Text,
    answer: Option<iovaudit::pack::Answer>,
}

#[derive(Serialize)]
pub struct Detail {
    pack: PackRef,
    section: SectionRef,
    requirement: iovaudit::pack::Requirement,
    /// Parameters and deadlines in words, each with its own basis (from the core).
    values: Vec<iovaudit::pack::ValueLine>,
    status: assess::Status,
    evidence: Vec<evidence::Item>,
    findings: Vec<assess::Finding>,
    mappings: Vec<Mapped>,
    condition_answers: Vec<ConditionAnswer>,
}

fn status_of(p: &Project, id: &str) -> ApiResult<assess::Status> {
    assess::statuses(p)?
        .into_iter()
        .find(|s| s.requirement.eq_ignore_ascii_case(id))
        .ok_or_else(|| {
            ApiError::new(
                format!("没有编号为 `{id}` 的要求"),
                format!("no requirement `{id}`"),
            )
        })
}

#[tauri::command(async)]
pub fn requirement_detail(state: State<'_, AppState>, id: String) -> ApiResult<Detail> {
    with_project(&state, |p| {
        let (pack, section, req) = assess::find_requirement(p, &id)?;
        let statuses = assess::statuses(p)?;
        let verdict_of: BTreeMap<&str, Verdict> = statuses
            .iter()
            .map(|s| (s.requirement.as_str(), s.verdict))
            .collect();
        let status = statuses
            .iter()
            .find(|s| s.requirement == req.id)
            .cloned()
            .ok_or_else(|| {
                ApiError::new(
                    format!("没有编号为 `{id}` 的要求"),
                    format!("no requirement `{id}`"),
                )
            })?;
        let lib = p.library();
        let mappings = lib
            .mappings_of(&req.id)
            .map(|(theme, m)| {
                let (other, relation) = if m.from == req.id {
                    (m.to.clone(), m.relation)
                } else {
                    (m.from.clone(), m.relation.reversed())
                };
                let (other_pack, other_title) = lib
                    .requirement(&other)
                    .map(|(op, _, or)| (op.id.clone(), or.title.clone()))
                    .unwrap_or_default();
                Mapped {
                    theme: theme.id.clone(),
                    theme_title: theme.title.clone(),
                    other_verdict: verdict_of.get(other.as_str()).copied(),
                    other,
                    other_pack,
                    other_title,
                    relation,
                    relation_label: relation.label(),
                    note: m.note.clone(),
                }
            })
            .collect();
        let answers = assess::scope(p)?;
        let condition_answers = req
            .when
            .iter()
            .chain(pack.applies_when.iter())
            .flat_map(|c| c.questions())
            .map(|q| ConditionAnswer {
                question: q.to_string(),
                label: lib.question(q).map(|x| x.label.clone()).unwrap_or_default(),
                answer: answers.get(q).cloned(),
            })
            .collect();
        Ok(Detail {
            pack: PackRef {
                id: pack.id.clone(),
                title: pack.title.clone(),
                doc_number: pack.doc_number.clone(),
                provenance: pack.provenance,
            },
            section: SectionRef {
                id: section.id.clone(),
                clause: section.clause.clone(),
                title: section.title.clone(),
            },
            values: req.value_lines(),
            requirement: req.clone(),
            evidence: evidence::for_requirement(p, &req.id)?,
            findings: assess::findings(p)?
                .into_iter()
                .filter(|f| f.requirement == req.id)
                .collect(),
            status,
            mappings,
            condition_answers,
        })
    })
}

#[tauri::command(async)]
pub fn verdict_set(
    state: State<'_, AppState>,
    id: String,
    verdict: String,
    note: String,
) -> ApiResult<assess::Status> {
    let by = state.by()?;
    let v = Verdict::parse(&verdict).ok_or_else(|| {
        ApiError::new(
            format!("未知的结论 `{verdict}`"),
            format!("unknown verdict `{verdict}`"),
        )
    })?;
    with_project(&state, |p| {
        assess::set_verdict(p, &by, &id, v, &note)?;
        status_of(p, &id)
    })
}

#[tauri::command(async)]
pub fn verdict_confirm(state: State<'_, AppState>, id: String) -> ApiResult<assess::Status> {
    let by = state.by()?;
    with_project(&state, |p| {
        assess::confirm(p, &by, &id)?;
        status_of(p, &id)
    })
}

// ------------------------------------------------------------------ evidence

#[tauri::command(async)]
pub fn evidence_list(state: State<'_, AppState>) -> ApiResult<Vec<evidence::Item>> {
    with_project(&state, |p| Ok(evidence::list(p)?))
}

/// One page of the evidence list, sorted and filtered in SQL (the screen asks
/// for the rows it shows, not for all of them).
#[tauri::command(async)]
pub fn evidence_page(
    state: State<'_, AppState>,
    query: evidence::PageQuery,
) -> ApiResult<evidence::Page> {
    with_project(&state, |p| Ok(evidence::page(p, &query)?))
}

#[derive(Serialize)]
pub struct Added {
    id: i64,
    name: String,
    sha256: String,
    sm3: String,
    size: u64,
    deduplicated: bool,
}

#[derive(Serialize)]
pub struct Failed {
    path: String,
    error: Text,
}

#[derive(Serialize)]
pub struct AddResult {
    added: Vec<Added>,
    failed: Vec<Failed>,
    cancelled: bool,
}

fn ingest(
    app: &AppHandle,
    state: &AppState,
    paths: Vec<PathBuf>,
    requirement: Option<String>,
) -> ApiResult<AddResult> {
    // Nothing picked (chooser closed) or nothing dropped: nothing to do.
    if paths.is_empty() {
        return Ok(AddResult {
            added: vec![],
            failed: vec![],
            cancelled: true,
        });
    }
    let by = state.by()?;
    let files = evidence::expand(&paths);
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let reporter = Reporter::new(app, "ingest");
    reporter.send(0, files.len(), "", false);
    let opts = evidence::AddOptions {
        requirements: requirement
            .into_iter()
            .filter(|r| !r.trim().is_empty())
            .collect(),
        ..Default::default()
    };
    let cancel = state.cancel.clone();
    let progress = |pr: iovaudit::vault::IngestProgress| {
        let label = names.get(pr.index).map(String::as_str).unwrap_or("");
        reporter.report(pr.files_finished, pr.files_total, label);
    };
    let rep = with_project(state, |p| {
        Ok(evidence::add(p, &by, &files, &opts, &progress, &cancel)?)
    })?;
    let cancelled = cancel.load(Ordering::SeqCst);
    Ok(AddResult {
        added: rep
            .added
            .into_iter()
            .map(|(id, path, s)| Added {
                id,
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                sha256: s.sha256,
                sm3: s.sm3,
                size: s.size,
                deduplicated: s.deduplicated,
            })
            .collect(),
        failed: rep
            .failed
            .into_iter()
            .map(|(path, e)| Failed {
                path: path.display().to_string(),
                error: evidence::failure_text(&e),
            })
            .collect(),
        cancelled,
    })
}

#[tauri::command]
pub async fn evidence_add_pick(
    app: AppHandle,
    requirement: Option<String>,
    folder: bool,
) -> ApiResult<AddResult> {
    blocking(&app, move |app, state| {
        let _op = state.begin_op()?;
        let paths = if folder {
            pick::pick(app, What::Folder, "选择证据文件夹", &[])
        } else {
            pick::pick(app, What::Files, "选择证据文件", &[])
        };
        ingest(app, state, paths, requirement)
    })
    .await
}

#[tauri::command]
pub async fn evidence_add_dropped(
    app: AppHandle,
    requirement: Option<String>,
) -> ApiResult<AddResult> {
    blocking(&app, move |app, state| {
        // Busy first: the dropped paths stay for a later try if another operation runs.
        let _op = state.begin_op()?;
        let paths = state.take_dropped();
        ingest(app, state, paths, requirement)
    })
    .await
}

#[tauri::command(async)]
pub fn evidence_link(state: State<'_, AppState>, id: i64, requirement: String) -> ApiResult<()> {
    let by = state.by()?;
    with_project(&state, |p| Ok(evidence::link(p, &by, id, &requirement)?))
}

#[tauri::command(async)]
pub fn evidence_unlink(state: State<'_, AppState>, id: i64, requirement: String) -> ApiResult<()> {
    let by = state.by()?;
    with_project(&state, |p| Ok(evidence::unlink(p, &by, id, &requirement)?))
}

#[tauri::command]
pub async fn evidence_verify(app: AppHandle) -> ApiResult<evidence::VerifyOutcome> {
    blocking(&app, |app, state| {
        let _op = state.begin_op()?;
        let cancel = state.cancel.clone();
        let reporter = Reporter::new(app, "verify");
        let out = with_project(state, |p| {
            let total: i64 = p
                .conn()
                .query_row("SELECT count(*) FROM evidence_revision", [], |r| r.get(0))
                .unwrap_or(0);
            let total = total.max(0) as usize;
            reporter.send(0, total, "", false);
            Ok(evidence::verify(
                p,
                &|n| reporter.report(n, total, ""),
                &cancel,
            )?)
        })?;
        Ok(out)
    })
    .await
}

#[tauri::command(async)]
pub fn evidence_preview(state: State<'_, AppState>, id: i64) -> ApiResult<evidence::Preview> {
    with_project(&state, |p| Ok(evidence::preview(p, id)?))
}

// ------------------------------------------------------------------ findings

#[derive(Deserialize, Default)]
pub struct FindingIn {
    requirement: Option<String>,
    title: Option<String>,
    severity: Option<String>,
    owner: Option<String>,
    due: Option<String>,
    status: Option<String>,
    note: Option<String>,
}

impl FindingIn {
    fn into_input(self) -> ApiResult<assess::FindingInput> {
        let severity = match self.severity.as_deref() {
            None => None,
            Some(s) => Some(assess::Severity::parse(s).ok_or_else(|| {
                ApiError::new(
                    format!("未知的严重程度 `{s}`"),
                    format!("unknown severity `{s}`"),
                )
            })?),
        };
        let status = match self.status.as_deref() {
            None => None,
            Some(s) => Some(assess::FindingStatus::parse(s).ok_or_else(|| {
                ApiError::new(
                    format!("未知的整改状态 `{s}`"),
                    format!("unknown finding status `{s}`"),
                )
            })?),
        };
        Ok(assess::FindingInput {
            requirement: self.requirement,
            title: self.title,
            severity,
            owner: self.owner,
            due: self.due.filter(|d| !d.trim().is_empty()),
            status,
            note: self.note,
        })
    }
}

fn finding_by_id(p: &Project, id: i64) -> ApiResult<assess::Finding> {
    assess::findings(p)?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(|| {
            ApiError::new(
                format!("没有编号为 {id} 的整改项"),
                format!("no finding {id}"),
            )
        })
}

#[tauri::command(async)]
pub fn findings(state: State<'_, AppState>) -> ApiResult<Vec<assess::Finding>> {
    with_project(&state, |p| Ok(assess::findings(p)?))
}

#[tauri::command(async)]
pub fn finding_add(state: State<'_, AppState>, input: FindingIn) -> ApiResult<assess::Finding> {
    let by = state.by()?;
    let input = input.into_input()?;
    with_project(&state, |p| {
        let id = assess::add_finding(p, &by, &input)?;
        finding_by_id(p, id)
    })
}

#[tauri::command(async)]
pub fn finding_update(
    state: State<'_, AppState>,
    id: i64,
    input: FindingIn,
) -> ApiResult<assess::Finding> {
    let by = state.by()?;
    let input = input.into_input()?;
    with_project(&state, |p| {
        assess::update_finding(p, &by, id, &input)?;
        finding_by_id(p, id)
    })
}

// ------------------------------------------------------------------ review

#[tauri::command(async)]
pub fn review_submit(state: State<'_, AppState>) -> ApiResult<ProjectView> {
    let by = state.by()?;
    with_project(&state, |p| {
        assess::submit(p, &by)?;
        view(p)
    })
}

#[tauri::command(async)]
pub fn review_approve(state: State<'_, AppState>) -> ApiResult<ProjectView> {
    let by = state.by()?;
    with_project(&state, |p| {
        assess::approve(p, &by)?;
        view(p)
    })
}

#[tauri::command(async)]
pub fn review_reopen(state: State<'_, AppState>) -> ApiResult<ProjectView> {
    let by = state.by()?;
    with_project(&state, |p| {
        assess::reopen(p, &by)?;
        view(p)
    })
}

#[derive(Serialize)]
pub struct BreakView {
    seq: i64,
    kind: iovaudit::journal::BreakKind,
    detail: String,
}

#[derive(Serialize)]
pub struct JournalCheck {
    entries: usize,
    head: Option<String>,
    breaks: Vec<BreakView>,
}

#[tauri::command(async)]
pub fn journal_verify(state: State<'_, AppState>) -> ApiResult<JournalCheck> {
    with_project(&state, |p| {
        let (breaks, entries, head) = p.verify_journal()?;
        Ok(JournalCheck {
            entries,
            head,
            breaks: breaks
                .into_iter()
                .map(|b| BreakView {
                    seq: b.seq,
                    kind: b.kind,
                    detail: format!("{} {}", b.action, b.at),
                })
                .collect(),
        })
    })
}

// ------------------------------------------------------------------ identities

/// What the app remembers of an identity (the key stays in signer.p12).
#[derive(Serialize, Deserialize, Clone)]
pub struct IdentityInfo {
    name: String,
    subject: String,
    organisation: String,
    fingerprint_sha256: String,
    key: String,
    has_sm2: bool,
    ca_pem: Option<String>,
}

const IDENTITY_INFO: &str = "identity.json";

fn identity_info(name: &str, id: &sign::Identity, ca_pem: Option<String>) -> IdentityInfo {
    IdentityInfo {
        name: name.to_string(),
        subject: id.subject_cn(),
        organisation: id.organisation(),
        fingerprint_sha256: id.fingerprint_sha256(),
        key: id.key_description(),
        has_sm2: id.has_sm2(),
        ca_pem,
    }
}

fn write_info(dir: &Path, info: &IdentityInfo) -> ApiResult<()> {
    let f = dir.join(IDENTITY_INFO);
    let b = serde_json::to_vec_pretty(info).map_err(|e| {
        ApiError::new(
            format!("无法保存签名身份信息：{e}"),
            format!("cannot save the identity's details: {e}"),
        )
    })?;
    fsio::write_atomic(&f, &b).map_err(|e| io_at(&f, e))
}

fn list_identities(state: &AppState) -> Vec<IdentityInfo> {
    let Ok(rd) = std::fs::read_dir(state.identities_dir()) else {
        return vec![];
    };
    let mut out: Vec<IdentityInfo> = rd
        .flatten()
        .filter_map(|e| {
            let b = std::fs::read(e.path().join(IDENTITY_INFO)).ok()?;
            serde_json::from_slice(&b).ok()
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn identity_dir(state: &AppState, name: &str) -> ApiResult<PathBuf> {
    let dir = state.identities_dir().join(safe_name(name));
    if !dir.join(IDENTITY_INFO).is_file() {
        return Err(ApiError::new(
            format!("没有名为「{name}」的签名身份；请在「设置」中创建或导入"),
            format!("no signing identity named “{name}”; create or import one in Settings"),
        ));
    }
    Ok(dir)
}

#[tauri::command]
pub fn identities(state: State<'_, AppState>) -> Vec<IdentityInfo> {
    list_identities(&state)
}

#[derive(Deserialize)]
pub struct NewIdentityReq {
    name: String,
    org: String,
    algo: String,
    sm2: bool,
    password: String,
}

#[tauri::command]
pub async fn identity_create(app: AppHandle, req: NewIdentityReq) -> ApiResult<IdentityInfo> {
    blocking(&app, move |_, state| {
        let name = req.name.trim().to_string();
        if name.is_empty() {
            return Err(ApiError::new(
                "签名人姓名不能为空",
                "the signer's name must not be empty",
            ));
        }
        let dir = state.identities_dir().join(safe_name(&name));
        if dir.exists() {
            return Err(ApiError::new(
                format!("已有名为「{name}」的签名身份"),
                format!("a signing identity named “{name}” already exists"),
            ));
        }
        let root = state.identities_dir();
        fsio::create_private_dir(&root).map_err(|e| io_at(&root, e))?;
        let algo = match req.algo.as_str() {
            "rsa" => sign::KeyAlgo::Rsa3072,
            _ => sign::KeyAlgo::P256,
        };
        let files = sign::new_identity(
            &sign::NewIdentity {
                name: name.clone(),
                org: req.org.trim().to_string(),
                algo,
                sm2: req.sm2,
            },
            &dir,
            &req.password,
        )
        .inspect_err(|_| {
            // new_identity writes nothing on failure, but the folder may exist.
            let _ = std::fs::remove_dir(&dir);
        })?;
        let finish = || -> ApiResult<IdentityInfo> {
            let id = sign::load_identity(&files.p12, &req.password)?;
            let ca = std::fs::read_to_string(&files.ca_pem).ok();
            let info = identity_info(&name, &id, ca);
            write_info(&dir, &info)?;
            Ok(info)
        };
        // A half-made identity would block its name while being invisible.
        finish().inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&dir);
        })
    })
    .await
}

#[tauri::command]
pub async fn identity_import_pick(
    app: AppHandle,
    password: String,
) -> ApiResult<Option<IdentityInfo>> {
    blocking(&app, move |app, state| {
        let Some(src) = pick::pick(
            app,
            What::File,
            "导入签名证书（PKCS#12）",
            &[("PKCS#12", &["p12", "pfx"])],
        )
        .into_iter()
        .next() else {
            return Ok(None);
        };
        let id = sign::load_identity(&src, &password)?;
        let name = id.subject_cn();
        let dir = state.identities_dir().join(safe_name(&name));
        if dir.exists() {
            return Err(ApiError::new(
                format!("已有名为「{name}」的签名身份"),
                format!("a signing identity named “{name}” already exists"),
            ));
        }
        let bytes = std::fs::read(&src).map_err(|e| io_at(&src, e))?;
        let store = || -> ApiResult<IdentityInfo> {
            fsio::create_private_dir(&dir).map_err(|e| io_at(&dir, e))?;
            let dest = dir.join(sign::P12_FILE);
            // The key container is readable by its owner only, as new_identity writes it.
            fsio::write_atomic_private(&dest, &bytes).map_err(|e| io_at(&dest, e))?;
            // The last certificate of the chain is the issuer a verifier trusts.
            let ca = id.chain_pem().last().cloned();
            if let Some(ca) = &ca {
                let f = dir.join(sign::CA_FILE);
                fsio::write_atomic(&f, ca.as_bytes()).map_err(|e| io_at(&f, e))?;
            }
            let info = identity_info(&name, &id, ca);
            write_info(&dir, &info)?;
            Ok(info)
        };
        store()
            .inspect_err(|_| {
                let _ = std::fs::remove_dir_all(&dir);
            })
            .map(Some)
    })
    .await
}

// ------------------------------------------------------------------ reports

#[derive(Serialize)]
pub struct TemplateInfo {
    name: String,
    builtin: bool,
    description: Text,
}

/// Template folders: `<data>/templates/NAME`, each with a cover.html. (Not
/// the working directory: starting the app somewhere must not change what
/// goes into a signed report.)
fn template_dirs(state: &AppState) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for root in [state.dirs.data.join("templates")] {
        let Ok(rd) = std::fs::read_dir(&root) else {
            continue;
        };
        let mut found: Vec<(String, PathBuf)> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("cover.html").is_file())
            .filter_map(|p| Some((p.file_name()?.to_string_lossy().into_owned(), p)))
            .filter(|(n, _)| n != "default")
            .collect();
        found.sort();
        for (n, p) in found {
            if !out.iter().any(|(m, _)| m == &n) {
                out.push((n, p));
            }
        }
    }
    out
}

#[tauri::command]
pub fn templates(state: State<'_, AppState>) -> Vec<TemplateInfo> {
    let mut v = vec![TemplateInfo {
        name: "default".into(),
        builtin: true,
        description: Text::new(
            "内置模板（封面、结论、逐项结果、整改项、证据清单、签署页）",
            "built-in template (cover, conclusion, results, findings, evidence, signature page)",
        ),
    }];
    v.extend(
        template_dirs(&state)
            .into_iter()
            .map(|(n, p)| TemplateInfo {
                name: n,
                builtin: false,
                description: Text::new(p.display().to_string(), p.display().to_string()),
            }),
    );
    v
}

fn report_options(
    state: &AppState,
    template: Option<String>,
    lang: &str,
) -> ApiResult<report::ReportOptions> {
    let template = match template.as_deref() {
        None | Some("") | Some("default") => None,
        Some(name) => Some(
            template_dirs(state)
                .into_iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| p)
                .ok_or_else(|| {
                    ApiError::new(
                        format!("找不到报告模板 `{name}`"),
                        format!("no report template `{name}`"),
                    )
                })?,
        ),
    };
    let seal = state
        .settings()?
        .seal
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    Ok(report::ReportOptions {
        lang: lang_of(lang),
        template,
        seal_png: seal,
        ..Default::default()
    })
}

#[tauri::command]
pub async fn report_preview(
    app: AppHandle,
    template: Option<String>,
    lang: String,
) -> ApiResult<String> {
    blocking(&app, move |_, state| {
        let mut opts = report_options(state, template, &lang)?;
        with_project(state, |p| {
            opts.generated_at = package::document_time(p).ok();
            let model = report::build_model(p, &opts)?;
            Ok(report::render_html(&model, &opts)?)
        })
    })
    .await
}

#[derive(Deserialize)]
pub struct ExportReq {
    identity: String,
    password: String,
    template: Option<String>,
    lang: String,
    #[serde(default)]
    with_evidence: bool,
}

#[derive(Serialize)]
pub struct ExportResult {
    path: String,
    size: u64,
    sha256: String,
    pages: Option<usize>,
}

/// `exports/<kind>-<assessee>-R<revision>-<time>.<ext>`, never an existing file.
fn export_path(p: &Project, kind: &str, ext: &str) -> ApiResult<PathBuf> {
    let meta = p.meta()?;
    let dir = p.exports_dir();
    std::fs::create_dir_all(&dir).map_err(|e| io_at(&dir, e))?;
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let stem = format!(
        "{kind}-{}-R{}-{stamp}",
        safe_name(&meta.assessee),
        meta.revision
    );
    Ok(fsio::unused_name(&dir, &stem, ext))
}

fn load_signer(state: &AppState, name: &str, password: &str) -> ApiResult<sign::Identity> {
    let dir = identity_dir(state, name)?;
    if password.is_empty() {
        return Err(ApiError::new(
            "请输入签名证书的密码",
            "enter the password of the signing identity",
        ));
    }
    Ok(sign::load_identity(&dir.join(sign::P12_FILE), password)?)
}

#[tauri::command]
pub async fn export_report(app: AppHandle, req: ExportReq) -> ApiResult<ExportResult> {
    blocking(&app, move |app, state| {
        let _op = state.begin_op()?;
        let reporter = Reporter::new(app, "report");
        reporter.send(0, 2, "", false);
        let id = load_signer(state, &req.identity, &req.password)?;
        let opts = report_options(state, req.template, &req.lang)?;
        with_project(state, |p| {
            let pdf = package::signed_report(p, &id, &opts)?;
            reporter.send(1, 2, "", false);
            let path = export_path(
                p,
                if opts.lang == Lang::En {
                    "report"
                } else {
                    "报告"
                },
                "pdf",
            )?;
            fsio::write_atomic(&path, &pdf).map_err(|e| io_at(&path, e))?;
            let pages = lopdf::Document::load_mem(&pdf)
                .ok()
                .map(|d| d.get_pages().len());
            Ok(ExportResult {
                path: path.display().to_string(),
                size: pdf.len() as u64,
                sha256: package::sha256_hex(&pdf),
                pages,
            })
        })
    })
    .await
}

#[tauri::command]
pub async fn export_package(app: AppHandle, req: ExportReq) -> ApiResult<ExportResult> {
    blocking(&app, move |app, state| {
        let _op = state.begin_op()?;
        let reporter = Reporter::new(app, "package");
        reporter.send(0, 2, "", false);
        let id = load_signer(state, &req.identity, &req.password)?;
        let opts = package::ExportOptions {
            with_evidence: req.with_evidence,
            report: report_options(state, req.template, &req.lang)?,
        };
        with_project(state, |p| {
            let path = export_path(
                p,
                if opts.report.lang == Lang::En {
                    "filing-package"
                } else {
                    "备案包"
                },
                "zip",
            )?;
            let file = fsio::AtomicFile::create(&path).map_err(|e| io_at(&path, e))?;
            let file = package::export_to(p, &id, &opts, file)?;
            reporter.send(1, 2, "", false);
            file.commit().map_err(|e| io_at(&path, e))?;
            let (size, sha256) = hash_file(&path)?;
            Ok(ExportResult {
                path: path.display().to_string(),
                size,
                sha256,
                pages: None,
            })
        })
    })
    .await
}

fn hash_file(path: &Path) -> ApiResult<(u64, String)> {
    let never = std::sync::atomic::AtomicBool::new(false);
    let h =
        iovaudit::vault::hash_file_with(path, iovaudit::vault::HashSel::Sha256, &|_| {}, &never)?;
    Ok((h.size, h.sha256.unwrap_or_default()))
}

/// Shows the project's exports folder in the system file manager.
#[tauri::command(async)]
pub fn reveal_exports(state: State<'_, AppState>) -> ApiResult<()> {
    let dir = with_project(&state, |p| Ok(p.exports_dir()))?;
    std::fs::create_dir_all(&dir).map_err(|e| io_at(&dir, e))?;
    let opener = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(&dir)
        .spawn()
        .map(|mut child| {
            // Reaped in the background so no zombie is left.
            std::thread::spawn(move || child.wait());
        })
        .map_err(|e| {
            let d = dir.display();
            ApiError::new(
                format!("无法打开文件管理器（{opener}）：{e}；导出文件在 {d}"),
                format!("cannot open the file manager ({opener}): {e}; the exports are in {d}"),
            )
        })
}

// ------------------------------------------------------------------ verify

#[derive(Serialize)]
pub struct VerifyFileResult {
    file: String,
    verification: package::Verification,
}

#[tauri::command]
pub async fn verify_pick(
    app: AppHandle,
    trust: Vec<String>,
) -> ApiResult<Option<VerifyFileResult>> {
    blocking(&app, move |app, state| {
        let Some(file) = pick::pick(
            app,
            What::File,
            "选择要核验的报告（PDF）或备案包（ZIP）",
            &[("PDF / ZIP", &["pdf", "zip"])],
        )
        .into_iter()
        .next() else {
            return Ok(None);
        };
        let _op = state.begin_op()?;
        let reporter = Reporter::new(app, "verify-file");
        reporter.send(
            0,
            1,
            &file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            false,
        );
        let mut anchors = Vec::new();
        for name in &trust {
            let dir = identity_dir(state, name)?;
            let ca = dir.join(sign::CA_FILE);
            // Bounded read and parse (the one trust-file reader of the core).
            anchors.extend(sign::read_trust_file(&ca)?);
        }
        let mut f = std::fs::File::open(&file).map_err(|e| io_at(&file, e))?;
        let len = f.metadata().map_err(|e| io_at(&file, e))?.len();
        let mut magic = [0u8; 5];
        {
            use std::io::{Read, Seek};
            let n = f.read(&mut magic).map_err(|e| io_at(&file, e))?;
            f.rewind().map_err(|e| io_at(&file, e))?;
            if n < 4 {
                let p = file.display();
                return Err(ApiError::new(
                    format!("{p} 太短，不是 PDF 或 ZIP"),
                    format!("{p} is too short to be a PDF or ZIP"),
                ));
            }
        }
        let verification = if magic.starts_with(b"%PDF") {
            // Read whole, within the core's one limit for PDFs to verify.
            let bytes = sign::read_pdf_file(&file)?;
            package::verify_pdf(&bytes, &anchors)
        } else if magic.starts_with(b"PK") {
            package::verify_package_from(std::io::BufReader::new(f), len, &anchors)
        } else {
            let p = file.display();
            return Err(ApiError::new(
                format!("{p} 既不是 PDF 也不是 ZIP 备案包"),
                format!("{p} is neither a PDF nor a ZIP filing package"),
            ));
        };
        Ok(Some(VerifyFileResult {
            file: file.display().to_string(),
            verification,
        }))
    })
    .await
}

#[tauri::command]
pub fn cancel(state: State<'_, AppState>) {
    state.cancel.store(true, Ordering::SeqCst);
}

// ------------------------------------------------------------------ checklist versions

/// Each pack of the open project: the version it is assessed against and
/// the version the app's library holds.
#[tauri::command(async)]
pub fn pack_versions(state: State<'_, AppState>) -> ApiResult<Vec<iovaudit::project::PackVersion>> {
    with_project(&state, |p| Ok(p.pack_versions()?))
}

/// Shows (`dry_run`) or applies the upgrade of one pack to the app's library.
#[tauri::command]
pub async fn pack_upgrade(
    app: AppHandle,
    pack: String,
    dry_run: bool,
) -> ApiResult<assess::UpgradeOutcome> {
    blocking(&app, move |_, state| {
        let by = state.by()?;
        with_project(state, |p| Ok(assess::upgrade_pack(p, &by, &pack, dry_run)?))
    })
    .await
}
