//! The commands the webview may call. Each is a thin wrapper: it takes the
//! open project from the state, calls the core library and returns its
//! (serialisable) result or a bilingual error. Long operations run on a
//! blocking thread, report `op-progress` events and honour `cancel`.

use crate::error::{io_at, ApiError, ApiResult};
use crate::pick::{self, What};
use crate::state::{AppState, Settings};
use iovaudit::assess::{self, Verdict};
use iovaudit::calendar as cal;
use iovaudit::i18n::{Lang, Text};
use iovaudit::pack::Library;
use iovaudit::project::info::{self as pinfo, Info};
use iovaudit::project::{exports, Kind, Meta, NewProject, Project};
use iovaudit::timefmt::{self, Tz};
use iovaudit::{evidence, fsio, package, report, scan, score, sign};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, State};

// ------------------------------------------------------------------ helpers

/// Runs `f` on the open project.
pub(crate) fn with_project<T>(
    state: &AppState,
    f: impl FnOnce(&mut Project) -> ApiResult<T>,
) -> ApiResult<T> {
    let mut guard = state.project()?;
    let p = guard.as_mut().ok_or_else(ApiError::no_project)?;
    f(p)
}

/// Runs a blocking closure off the async runtime's threads.
pub(crate) async fn blocking<T: Send + 'static>(
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
pub(crate) struct Reporter {
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
    pub(crate) fn new(app: &AppHandle, op: &'static str) -> Reporter {
        Reporter {
            app: app.clone(),
            op,
            last: Mutex::new(None),
        }
    }

    pub(crate) fn report(&self, done: usize, total: usize, label: &str) {
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
pub(crate) fn safe_name(name: &str) -> String {
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
    /// The zone the project's times are shown in (its own, else the system's).
    zone: String,
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
        zone: pinfo::time_zone(p, system_zone())?.name().to_string(),
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
    /// The key project information the wizard asks for (被评估单位 + 统一社会
    /// 信用代码, 委托单位, report number, time zone); the rest is filled in
    /// the project information screen.
    #[serde(default)]
    info: Option<Info>,
}

pub(crate) fn install(state: &AppState, p: Project) -> ApiResult<ProjectView> {
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
        // Answers and information are checked before anything is written.
        for (q, v) in req.answers.iter().filter(|(_, v)| !v.trim().is_empty()) {
            assess::parse_answer(&state.library, q, v)?;
        }
        let info = req.info.map(|mut i| {
            if i.assessee.name.trim().is_empty() {
                i.assessee.name = req.assessee.trim().to_string();
            }
            i
        });
        if let Some(i) = &info {
            i.validate()?;
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
        if let Some(i) = &info {
            pinfo::set(&mut p, &by, i)?;
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
    basis: Option<String>,
) -> ApiResult<ProjectView> {
    let by = state.by()?;
    with_project(&state, |p| {
        assess::set_scope_with(p, &by, &answers, basis.as_deref())?;
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
    observation: Option<String>,
    evidence_reason: Option<String>,
) -> ApiResult<assess::Status> {
    let by = state.by()?;
    let v = Verdict::parse(&verdict).ok_or_else(|| {
        ApiError::new(
            format!("未知的结论 `{verdict}`"),
            format!("unknown verdict `{verdict}`"),
        )
    })?;
    let input = assess::VerdictInput {
        observation,
        evidence_reason,
        ..assess::VerdictInput::new(v, note.as_str())
    };
    with_project(&state, |p| {
        assess::set_verdict(p, &by, &id, &input)?;
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
    description: Option<String>,
    threat: Option<String>,
    /// `""` clears, absent keeps.
    impact: Option<String>,
    likelihood: Option<String>,
    recommendation: Option<String>,
    time_limit: Option<String>,
}

/// `None` keeps; `Some("")` clears; otherwise a severity code.
fn opt_severity(s: Option<&str>) -> ApiResult<Option<Option<assess::Severity>>> {
    match s.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(s) => assess::Severity::parse(s)
            .map(|v| Some(Some(v)))
            .ok_or_else(|| {
                ApiError::new(format!("未知的等级 `{s}`"), format!("unknown level `{s}`"))
            }),
    }
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
            impact: opt_severity(self.impact.as_deref())?,
            likelihood: opt_severity(self.likelihood.as_deref())?,
            description: self.description,
            threat: self.threat,
            recommendation: self.recommendation,
            time_limit: self.time_limit,
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
    /// The key signed with by default when the file holds several (how
    /// `sign::load_identity_with` selects it: certificate fingerprint or alias).
    #[serde(default)]
    key_alias: Option<String>,
    /// The file's keys (public details only) when it holds several.
    #[serde(default)]
    keys: Vec<KeyView>,
}

/// One key of a PKCS#12 file as the app shows and stores it (no secret).
fn text_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Text>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(Text),
        Plain(String),
    }
    Ok(Option::<Either>::deserialize(d)?.map(|e| match e {
        Either::Text(t) => t,
        Either::Plain(s) => Text::new(s.clone(), s),
    }))
}

#[derive(Serialize, Deserialize, Clone)]
pub struct KeyView {
    index: usize,
    alias: Option<String>,
    subject_cn: String,
    organisation: String,
    fingerprint_sha256: Option<String>,
    key: String,
    /// Why the key cannot sign, if so (identity.json written before this was
    /// bilingual holds a plain string: read as both languages).
    #[serde(default, deserialize_with = "text_or_string")]
    problem: Option<Text>,
    /// What selects this key (`key` of an export or import): the
    /// certificate's SHA-256, else the alias.
    selector: Option<String>,
}

impl From<sign::KeyEntry> for KeyView {
    fn from(k: sign::KeyEntry) -> KeyView {
        let selector = k.fingerprint_sha256.clone().or_else(|| k.alias.clone());
        KeyView {
            index: k.index,
            alias: k.alias,
            subject_cn: k.subject_cn,
            organisation: k.organisation,
            fingerprint_sha256: k.fingerprint_sha256,
            key: k.key,
            problem: k.problem,
            selector,
        }
    }
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
        key_alias: None,
        keys: vec![],
    }
}

fn read_info(dir: &Path) -> ApiResult<IdentityInfo> {
    let f = dir.join(IDENTITY_INFO);
    let b = std::fs::read(&f).map_err(|e| io_at(&f, e))?;
    serde_json::from_slice(&b).map_err(|e| {
        let p = f.display();
        ApiError::new(
            format!("{p}：签名身份信息无法读取（{e}）"),
            format!("{p}: the identity's details cannot be read ({e})"),
        )
    })
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

/// What importing a .p12 gave.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The chooser was closed.
    Cancelled,
    Imported {
        identity: IdentityInfo,
    },
    /// The file holds several keys: the user chooses one (the file waits
    /// in `AppState::pending_p12`; `identity_import_pending` finishes).
    ChooseKey {
        file: String,
        keys: Vec<KeyView>,
    },
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Imports `src` (a PKCS#12) with `password`, signing with `key` (alias or
/// fingerprint) when it holds several keys; without `key` such a file is
/// kept pending and its keys are returned for the user to choose.
fn import_p12(
    state: &AppState,
    src: &Path,
    password: &str,
    key: Option<&str>,
) -> ApiResult<ImportOutcome> {
    let keys: Vec<KeyView> = sign::list_keys(src, password)?
        .into_iter()
        .map(KeyView::from)
        .collect();
    let key = key.map(str::trim).filter(|k| !k.is_empty());
    if key.is_none() && keys.len() > 1 {
        state.set_pending_p12(Some(src.to_path_buf()));
        return Ok(ImportOutcome::ChooseKey {
            file: file_name(src),
            keys,
        });
    }
    let id = sign::load_identity_with(src, password, key)?;
    let name = id.subject_cn();
    let dir = state.identities_dir().join(safe_name(&name));
    if dir.exists() {
        return Err(ApiError::new(
            format!("已有名为「{name}」的签名身份"),
            format!("a signing identity named “{name}” already exists"),
        ));
    }
    let bytes = std::fs::read(src).map_err(|e| io_at(src, e))?;
    let several = keys.len() > 1;
    let store = || -> ApiResult<IdentityInfo> {
        let root = state.identities_dir();
        fsio::create_private_dir(&root).map_err(|e| io_at(&root, e))?;
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
        let mut info = identity_info(&name, &id, ca);
        if several {
            info.key_alias = key.map(str::to_string);
            info.keys = keys;
        }
        write_info(&dir, &info)?;
        Ok(info)
    };
    let info = store().inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&dir);
    })?;
    state.set_pending_p12(None);
    Ok(ImportOutcome::Imported { identity: info })
}

#[tauri::command]
pub async fn identity_import_pick(app: AppHandle, password: String) -> ApiResult<ImportOutcome> {
    blocking(&app, move |app, state| {
        let Some(src) = pick::pick(
            app,
            What::File,
            "导入签名证书（PKCS#12）",
            &[("PKCS#12", &["p12", "pfx"])],
        )
        .into_iter()
        .next() else {
            return Ok(ImportOutcome::Cancelled);
        };
        state.set_pending_p12(Some(src.clone()));
        import_p12(state, &src, &password, None)
    })
    .await
}

/// Imports the .p12 last dropped on the window (it then waits as the
/// pending file, so a wrong password can be corrected without dropping
/// it again).
#[tauri::command]
pub async fn identity_import_dropped(app: AppHandle, password: String) -> ApiResult<ImportOutcome> {
    blocking(&app, move |_, state| {
        if let Some(first) = state.take_dropped().into_iter().next() {
            state.set_pending_p12(Some(first));
        }
        let Some(src) = state.pending_p12() else {
            return Err(ApiError::new(
                "没有拖入的文件：请把 .p12 / .pfx 文件拖到窗口上",
                "no file was dropped: drop a .p12 / .pfx file on the window",
            ));
        };
        if !src.is_file() {
            let p = src.display();
            return Err(ApiError::new(
                format!("{p} 不是文件（请拖入 .p12 / .pfx 文件）"),
                format!("{p} is not a file (drop a .p12 / .pfx file)"),
            ));
        }
        import_p12(state, &src, &password, None)
    })
    .await
}

/// Finishes the import of the pending .p12 with the key the user chose.
#[tauri::command]
pub async fn identity_import_pending(
    app: AppHandle,
    password: String,
    key: String,
) -> ApiResult<ImportOutcome> {
    blocking(&app, move |_, state| {
        let Some(src) = state.pending_p12() else {
            return Err(ApiError::new(
                "没有待导入的文件，请重新选择 .p12 / .pfx 文件",
                "no file waits for import; choose the .p12 / .pfx file again",
            ));
        };
        if key.trim().is_empty() {
            return Err(ApiError::new(
                format!("{}：请选择要使用的密钥", file_name(&src)),
                format!("{}: choose the key to use", file_name(&src)),
            ));
        }
        import_p12(state, &src, &password, Some(&key))
    })
    .await
}

/// Makes `key` (a selector from the identity's key list) the key the
/// identity signs with by default; checked by loading it with `password`.
/// The identity's details and CA certificate become that key's.
#[tauri::command]
pub async fn identity_set_key(
    app: AppHandle,
    name: String,
    password: String,
    key: String,
) -> ApiResult<IdentityInfo> {
    blocking(&app, move |_, state| {
        let dir = identity_dir(state, &name)?;
        let old = read_info(&dir)?;
        if old.keys.len() < 2 {
            return Err(ApiError::new(
                format!("签名身份「{name}」的文件只有一个密钥"),
                format!("the file of the identity “{name}” holds a single key"),
            ));
        }
        if password.is_empty() {
            return Err(ApiError::new(
                "请输入签名证书的密码",
                "enter the password of the signing identity",
            ));
        }
        let id = sign::load_identity_with(&dir.join(sign::P12_FILE), &password, Some(&key))?;
        let ca_file = dir.join(sign::CA_FILE);
        let ca = id.chain_pem().last().cloned();
        match &ca {
            Some(pem) => {
                fsio::write_atomic(&ca_file, pem.as_bytes()).map_err(|e| io_at(&ca_file, e))?
            }
            // Another key's issuer is no trust anchor for this one.
            None => match std::fs::remove_file(&ca_file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(io_at(&ca_file, e))
                }
                _ => {}
            },
        }
        let mut info = identity_info(&old.name, &id, ca);
        info.key_alias = Some(key.trim().to_string());
        info.keys = old.keys;
        write_info(&dir, &info)?;
        Ok(info)
    })
    .await
}

/// Deletes a signing identity (its folder: key container, CA certificate,
/// details). Reports and packages signed with it stay valid.
#[tauri::command(async)]
pub fn identity_delete(state: State<'_, AppState>, name: String) -> ApiResult<Vec<IdentityInfo>> {
    let dir = identity_dir(&state, &name)?;
    std::fs::remove_dir_all(&dir).map_err(|e| io_at(&dir, e))?;
    Ok(list_identities(&state))
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
        time_zone: Some(system_zone().name().to_string()),
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
    /// The key to sign with when the identity's file holds several.
    #[serde(default)]
    key: Option<String>,
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

/// The identity `name`, with `key` (alias or fingerprint) chosen on the
/// export screen, else the key chosen at import.
fn load_signer(
    state: &AppState,
    name: &str,
    password: &str,
    key: Option<&str>,
) -> ApiResult<sign::Identity> {
    let dir = identity_dir(state, name)?;
    if password.is_empty() {
        return Err(ApiError::new(
            "请输入签名证书的密码",
            "enter the password of the signing identity",
        ));
    }
    let key = match key.map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(k.to_string()),
        None => read_info(&dir)?.key_alias,
    };
    Ok(sign::load_identity_with(
        &dir.join(sign::P12_FILE),
        password,
        key.as_deref(),
    )?)
}

#[tauri::command]
pub async fn export_report(app: AppHandle, req: ExportReq) -> ApiResult<ExportResult> {
    blocking(&app, move |app, state| {
        let _op = state.begin_op()?;
        let reporter = Reporter::new(app, "report");
        reporter.send(0, 2, "", false);
        let id = load_signer(state, &req.identity, &req.password, req.key.as_deref())?;
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

/// The editable Word report (DOCX) into `exports/`: the same model, template
/// and labels as the PDF; not signed (the signed PDF stays the filing copy).
#[tauri::command]
pub async fn report_docx(
    app: AppHandle,
    template: Option<String>,
    lang: String,
) -> ApiResult<ExportResult> {
    blocking(&app, move |app, state| {
        let _op = state.begin_op()?;
        let reporter = Reporter::new(app, "report");
        reporter.send(0, 2, "", false);
        let mut opts = report_options(state, template, &lang)?;
        with_project(state, |p| {
            opts.generated_at = package::document_time(p).ok();
            let model = report::build_model(p, &opts)?;
            let docx = report::render_docx(&model, &opts)?;
            reporter.send(1, 2, "", false);
            let path = export_path(
                p,
                if opts.lang == Lang::En {
                    "report"
                } else {
                    "报告"
                },
                "docx",
            )?;
            fsio::write_atomic(&path, &docx).map_err(|e| io_at(&path, e))?;
            Ok(ExportResult {
                path: path.display().to_string(),
                size: docx.len() as u64,
                sha256: package::sha256_hex(&docx),
                pages: None,
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
        let id = load_signer(state, &req.identity, &req.password, req.key.as_deref())?;
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
    /// A filing package's verification (None for a PDF).
    verification: Option<package::Verification>,
    /// A PDF's signatures, each on its own (None for a package).
    pdf: Option<sign::PdfValidation>,
    /// The times of each signature of `pdf`, in the system zone, zone stated.
    pdf_times: Vec<SigTimes>,
    zone: String,
}

/// The times one signature carries, shown in a zone (zone stated).
#[derive(Serialize, Default)]
pub struct SigTimes {
    claimed: Option<String>,
    cms_signing_time: Option<String>,
    timestamp: Option<String>,
}

fn sig_times(c: &sign::SignatureCheck, tz: Tz) -> SigTimes {
    let show = |t: &Option<String>| t.as_deref().map(|t| timefmt::local_datetime_secs(t, tz));
    SigTimes {
        claimed: show(&c.claimed_time),
        cms_signing_time: show(&c.cms_signing_time),
        timestamp: c.timestamp.as_ref().and_then(|ts| show(&ts.time)),
    }
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
        verify_file(app, state, file, &trust).map(Some)
    })
    .await
}

/// Verifies the file last dropped on the window (the first, when several).
#[tauri::command]
pub async fn verify_dropped(
    app: AppHandle,
    trust: Vec<String>,
) -> ApiResult<Option<VerifyFileResult>> {
    blocking(&app, move |app, state| {
        let Some(file) = state.take_dropped().into_iter().next() else {
            return Ok(None);
        };
        if !file.is_file() {
            let p = file.display();
            return Err(ApiError::new(
                format!("{p} 不是文件：请拖入 PDF 报告或 ZIP 备案包"),
                format!("{p} is not a file: drop a PDF report or a ZIP filing package"),
            ));
        }
        verify_file(app, state, file, &trust).map(Some)
    })
    .await
}

/// Verifies a received PDF report or filing package against the CAs of the
/// identities named in `trust`.
fn verify_file(
    app: &AppHandle,
    state: &AppState,
    file: PathBuf,
    trust: &[String],
) -> ApiResult<VerifyFileResult> {
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
    for name in trust {
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
    let tz = system_zone();
    let (verification, pdf) = if magic.starts_with(b"%PDF") {
        // Read whole, within the core's one limit for PDFs to verify; every
        // signature is checked on its own (a signature over an earlier
        // revision is shown with what the later revisions changed).
        let bytes = sign::read_pdf_file(&file)?;
        (None, Some(sign::validate_pdf(&bytes, &anchors)?))
    } else if magic.starts_with(b"PK") {
        (
            Some(package::verify_package_from(
                std::io::BufReader::new(f),
                len,
                &anchors,
            )),
            None,
        )
    } else {
        let p = file.display();
        return Err(ApiError::new(
            format!("{p} 既不是 PDF 也不是 ZIP 备案包"),
            format!("{p} is neither a PDF nor a ZIP filing package"),
        ));
    };
    let pdf_times = pdf
        .as_ref()
        .map(|v| v.signatures.iter().map(|c| sig_times(c, tz)).collect())
        .unwrap_or_default();
    Ok(VerifyFileResult {
        file: file.display().to_string(),
        verification,
        pdf,
        pdf_times,
        zone: tz.name().to_string(),
    })
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

// ------------------------------------------------------------------ calendar

/// A due status with its words (from the core), so the page names no status itself.
#[derive(Serialize)]
pub struct DueStatusLabel {
    status: cal::DueStatus,
    label: Text,
}

/// The compliance calendar as the dashboard shows it.
#[derive(Serialize)]
pub struct CalendarView {
    #[serde(flatten)]
    calendar: cal::Calendar,
    status_labels: Vec<DueStatusLabel>,
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// An optional `YYYY-MM-DD` the user typed (empty = none).
fn date_field(
    field_zh: &str,
    field_en: &str,
    v: Option<String>,
) -> ApiResult<Option<chrono::NaiveDate>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => cal::parse_date(s).map(Some).ok_or_else(|| {
            ApiError::new(
                format!("{field_zh}应为日期 YYYY-MM-DD，如 2026-06-01（而不是 `{s}`）"),
                format!("the {field_en} must be a date YYYY-MM-DD, e.g. 2026-06-01 (not `{s}`)"),
            )
        }),
    }
}

/// The project's dated obligations from `from` (default today, with each
/// deadline's last overdue occurrence) to `to` (default a year on), as
/// `iovaudit calendar` lists them.
#[tauri::command(async)]
pub fn calendar_view(
    state: State<'_, AppState>,
    from: Option<String>,
    to: Option<String>,
) -> ApiResult<CalendarView> {
    let opts = cal::Options {
        today: today(),
        from: date_field("起始日期", "start date", from)?,
        to: date_field("结束日期", "end date", to)?,
    };
    let calendar = with_project(&state, |p| Ok(cal::calendar(p, &opts)?))?;
    let status_labels = [
        cal::DueStatus::Overdue,
        cal::DueStatus::DueSoon,
        cal::DueStatus::Upcoming,
        cal::DueStatus::Done,
    ]
    .into_iter()
    .map(|status| DueStatusLabel {
        status,
        label: status.label(),
    })
    .collect();
    Ok(CalendarView {
        calendar,
        status_labels,
    })
}

#[derive(Serialize)]
pub struct EventAdded {
    event: cal::Event,
    /// The deadlines the event starts, with their due dates.
    dues: Vec<cal::EventDue>,
}

/// Records a trigger event (journalled by the core).
#[tauri::command(async)]
pub fn calendar_event_add(
    state: State<'_, AppState>,
    kind: String,
    date: String,
    note: String,
) -> ApiResult<EventAdded> {
    let by = state.by()?;
    with_project(&state, |p| {
        let (event, _) = cal::add_event(p, &by, &kind, &date, &note)?;
        let dues = cal::event_dues(p, &event)?;
        Ok(EventAdded { event, dues })
    })
}

/// Removes an event recorded by mistake (journalled by the core).
#[tauri::command(async)]
pub fn calendar_event_remove(state: State<'_, AppState>, id: i64) -> ApiResult<cal::Event> {
    let by = state.by()?;
    with_project(&state, |p| Ok(cal::remove_event(p, &by, id)?))
}

#[derive(Serialize)]
pub struct SavedFile {
    path: String,
    size: u64,
    /// Calendar events written.
    events: usize,
}

/// Writes the calendar as iCalendar (RFC 5545, the file `iovaudit calendar
/// --ics` writes) where the user says in the save chooser (proposed: the
/// project's exports/ folder). Nothing is written when it is cancelled.
#[tauri::command]
pub async fn calendar_ics_save(app: AppHandle, lang: String) -> ApiResult<Option<SavedFile>> {
    blocking(&app, move |app, state| {
        let lang = lang_of(&lang);
        let day = today();
        // Made first, so the project is not held while the chooser is open.
        let (text, events, name, dir) = with_project(state, |p| {
            let c = cal::calendar(
                p,
                &cal::Options {
                    today: day,
                    from: None,
                    to: None,
                },
            )?;
            let meta = p.meta()?;
            let stem = format!(
                "{}-{}-{}",
                lang.pick("合规日历", "compliance-calendar"),
                safe_name(&meta.assessee),
                day.format("%Y%m%d")
            );
            Ok((
                cal::to_ics(&c, lang),
                c.items.len(),
                format!("{stem}.ics"),
                p.exports_dir(),
            ))
        })?;
        std::fs::create_dir_all(&dir).map_err(|e| io_at(&dir, e))?;
        let Some(mut path) = pick::save(
            app,
            lang.pick(
                "导出合规日历（iCalendar）",
                "Export the compliance calendar (iCalendar)",
            ),
            Some(&dir),
            &name,
            &[("iCalendar", &["ics"])],
        ) else {
            return Ok(None);
        };
        if path.extension().is_none() {
            path.set_extension("ics");
        }
        fsio::write_atomic(&path, text.as_bytes()).map_err(|e| io_at(&path, e))?;
        Ok(Some(SavedFile {
            path: path.display().to_string(),
            size: text.len() as u64,
            events,
        }))
    })
    .await
}

// ------------------------------------------------------------------ earlier exports

/// The files in the project's exports/ folder, newest first.
#[tauri::command(async)]
pub fn exports_list(state: State<'_, AppState>) -> ApiResult<Vec<exports::ExportFile>> {
    with_project(&state, |p| Ok(exports::list(p)?))
}

// ------------------------------------------------------------------ time zone

/// The system zone: `TZ`, then the OS's configured zone, else UTC (the core
/// reads no environment; the app determines it and passes it in).
pub fn system_zone() -> Tz {
    let env = std::env::var("TZ").ok();
    let os = iana_time_zone::get_timezone().ok();
    timefmt::system_zone(env.as_deref(), os.as_deref())
}

// ------------------------------------------------------------------ project information

/// A team role the form offers, with its label from the core.
#[derive(Serialize)]
pub struct RoleOption {
    value: pinfo::TeamRole,
    label: Text,
}

/// The project information and the zones it is shown in.
#[derive(Serialize)]
pub struct InfoView {
    info: Info,
    /// The zone the project's dates are shown in (its own, else the system's).
    zone: String,
    system_zone: String,
    roles: Vec<RoleOption>,
}

/// One problem of the project information, with the field it names
/// (`assessee.credit_code`, `objects.platforms.0.level`, `schedule`).
#[derive(Serialize, Debug, PartialEq)]
pub struct FieldProblem {
    field: String,
    zh: String,
    en: String,
}

/// The outcome of saving: saved, or the problems per field (nothing written).
#[derive(Serialize)]
pub struct InfoSaved {
    saved: bool,
    problems: Vec<FieldProblem>,
    view: InfoView,
}

fn info_view(info: Info) -> InfoView {
    let sys = system_zone();
    let zone = info.zone(sys).name().to_string();
    InfoView {
        info,
        zone,
        system_zone: sys.name().to_string(),
        roles: [
            pinfo::TeamRole::Lead,
            pinfo::TeamRole::Member,
            pinfo::TeamRole::Author,
            pinfo::TeamRole::Reviewer,
            pinfo::TeamRole::Approver,
        ]
        .into_iter()
        .map(|r| RoleOption {
            value: r,
            label: r.label(),
        })
        .collect(),
    }
}

/// The core's problems split by the field each names: the core words each
/// as `FIELD：…` / `FIELD: …` (see `Info::problems`).
pub fn field_problems(info: &Info) -> Vec<FieldProblem> {
    info.problems()
        .into_iter()
        .map(|t| {
            let field =
                t.en.split_once(':')
                    .map(|(f, _)| f.trim().to_string())
                    .filter(|f| !f.contains(' '))
                    .unwrap_or_default();
            FieldProblem {
                field,
                zh: t.zh,
                en: t.en,
            }
        })
        .collect()
}

#[tauri::command(async)]
pub fn project_info_get(state: State<'_, AppState>) -> ApiResult<InfoView> {
    with_project(&state, |p| Ok(info_view(pinfo::info(p)?)))
}

#[tauri::command(async)]
pub fn project_info_set(state: State<'_, AppState>, info: Info) -> ApiResult<InfoSaved> {
    let by = state.by()?;
    let problems = field_problems(&info);
    if !problems.is_empty() {
        return Ok(InfoSaved {
            saved: false,
            problems,
            view: info_view(info),
        });
    }
    with_project(&state, |p| {
        pinfo::set(p, &by, &info)?;
        Ok(InfoSaved {
            saved: true,
            problems: vec![],
            view: info_view(pinfo::info(p)?),
        })
    })
}

// ------------------------------------------------------------------ readiness, findings, evidence details

#[derive(Serialize)]
pub struct ReadinessView {
    readiness: assess::Readiness,
    messages: Vec<Text>,
}

#[tauri::command(async)]
pub fn readiness(state: State<'_, AppState>) -> ApiResult<ReadinessView> {
    with_project(&state, |p| {
        let r = assess::readiness(p)?;
        Ok(ReadinessView {
            messages: r.messages(),
            readiness: r,
        })
    })
}

/// The risk matrix in words and the label of each level (from the core).
#[derive(Serialize)]
pub struct RiskInfo {
    rule: Text,
    labels: BTreeMap<String, Text>,
}

#[tauri::command]
pub fn risk_info() -> RiskInfo {
    RiskInfo {
        rule: assess::risk_rule(),
        labels: [
            assess::Severity::High,
            assess::Severity::Medium,
            assess::Severity::Low,
        ]
        .into_iter()
        .map(|s| (s.as_str().to_string(), s.label()))
        .collect(),
    }
}

#[tauri::command(async)]
pub fn evidence_set_details(
    state: State<'_, AppState>,
    id: i64,
    doc_version: Option<String>,
    issuer: Option<String>,
    title: Option<String>,
    note: Option<String>,
) -> ApiResult<evidence::Item> {
    let by = state.by()?;
    let upd = evidence::ItemUpdate {
        title,
        note,
        doc_version,
        issuer,
    };
    with_project(&state, |p| Ok(evidence::set_details(p, &by, id, &upd)?))
}

/// The parsed tool output stored beside an evidence item (None when the
/// item is not a scan the core reads).
#[tauri::command(async)]
pub fn evidence_summary(
    state: State<'_, AppState>,
    id: i64,
) -> ApiResult<Option<scan::StoredSummary>> {
    with_project(&state, |p| Ok(scan::summary_of(p, id)?))
}

/// The words for an `inferred_from` (`evidence:12` → 证据 #12（工具输出）).
#[tauri::command]
pub fn source_label(inferred_from: String) -> Text {
    assess::proposals::source_label(&inferred_from)
}

/// A recorded scope answer: who gave it, when (in the project's zone, zone
/// stated) and on what basis.
#[derive(Serialize)]
pub struct ScopeRecordView {
    question: String,
    answered_by: String,
    answered_at: String,
    basis: String,
}

#[tauri::command(async)]
pub fn scope_records(state: State<'_, AppState>) -> ApiResult<Vec<ScopeRecordView>> {
    with_project(&state, |p| {
        let tz = pinfo::time_zone(p, system_zone())?;
        Ok(assess::scope_records(p)?
            .into_iter()
            .map(|r| ScopeRecordView {
                answered_at: timefmt::local_datetime(&r.answered_at, tz),
                question: r.question,
                answered_by: r.answered_by,
                basis: r.basis,
            })
            .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_problems_name_the_field_the_core_names() {
        let mut info = Info::default();
        info.assessee.credit_code = "91310000MA1FL8TQ30".into();
        info.schedule.start = Some("2026-13-01".into());
        info.time_zone = Some("Mars/Olympus".into());
        info.objects.platforms.push(pinfo::Platform {
            name: "TSP".into(),
            level: Some(7),
            filing_no: String::new(),
        });
        let p = field_problems(&info);
        let fields: Vec<&str> = p.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "assessee.credit_code",
                "schedule.start",
                "time_zone",
                "objects.platforms.0.level"
            ]
        );
        assert!(p[0].zh.contains("统一社会信用代码"), "{}", p[0].zh);
        assert!(p[0].en.contains("credit code"), "{}", p[0].en);
        // the start after the end names the schedule as a whole
        let mut info = Info::default();
        info.schedule.start = Some("2026-12-06".into());
        info.schedule.end = Some("2026-12-01".into());
        assert_eq!(field_problems(&info)[0].field, "schedule");
        assert!(field_problems(&Info::default()).is_empty());
    }

    #[test]
    fn system_zone_follows_tz() {
        // TZ is read by the app (the core reads no environment); an IANA name wins.
        let z = timefmt::system_zone(Some(":Asia/Shanghai"), Some("Europe/Berlin"));
        assert_eq!(z.name(), "Asia/Shanghai");
        let z = timefmt::system_zone(Some("CST-8"), Some("Europe/Berlin"));
        assert_eq!(z.name(), "Europe/Berlin");
    }
}
