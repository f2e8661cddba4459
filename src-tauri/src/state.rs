//! What the app keeps between commands: the open project, the settings
//! (with the recent-projects list), the paths last dropped on the window,
//! a .p12 waiting for its key to be chosen, and the cancel flag of the
//! running long operation.

use crate::error::{io_at, ApiError, ApiResult};
use iovaudit::pack::Library;
use iovaudit::project::Project;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// User settings, stored as JSON in the app's config folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub lang: String,
    pub assessor: String,
    pub seal: Option<String>,
    pub recent: Vec<Recent>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lang: "zh".into(),
            assessor: String::new(),
            seal: None,
            recent: vec![],
        }
    }
}

/// A project opened before.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recent {
    pub path: String,
    pub name: String,
    pub assessee: String,
    pub opened_at: String,
}

/// The most recent projects kept.
const RECENT_MAX: usize = 12;

/// Folders the app uses (resolved once at start-up).
#[derive(Debug, Clone)]
pub struct Dirs {
    /// settings.json
    pub config: PathBuf,
    /// identities/, demo/, seal/
    pub data: PathBuf,
    /// Default parent folder of new projects.
    pub projects: PathBuf,
}

pub struct AppState {
    pub dirs: Dirs,
    pub library: Library,
    pub project: Mutex<Option<Project>>,
    pub settings: Mutex<Settings>,
    /// Paths dropped on the window, kept here so that the webview never
    /// names a path to ingest.
    pub dropped: Mutex<Vec<PathBuf>>,
    /// A .p12 chosen or dropped for import that waits for the user to pick
    /// one of its keys (or for the right password).
    pub pending_p12: Mutex<Option<PathBuf>>,
    /// A bundle chosen for merging, waiting for its password and the
    /// conflict choices (the webview never names its path).
    pub pending_bundle: Mutex<Option<PathBuf>>,
    /// Cancel flag of the running long operation.
    pub cancel: Arc<AtomicBool>,
    /// Set while a long operation runs.
    pub busy: AtomicBool,
    /// Why the project given at start-up did not open (shown once by the UI).
    pub startup_error: Mutex<Option<ApiError>>,
}

fn poisoned() -> ApiError {
    ApiError::new(
        "内部状态异常（先前的操作中断），请重启应用",
        "internal state is unusable after an earlier failure; restart the app",
    )
}

impl AppState {
    pub fn new(dirs: Dirs, library: Library) -> AppState {
        let settings = load_settings(&dirs.config);
        AppState {
            dirs,
            library,
            project: Mutex::new(None),
            settings: Mutex::new(settings),
            dropped: Mutex::new(vec![]),
            pending_p12: Mutex::new(None),
            pending_bundle: Mutex::new(None),
            cancel: Arc::new(AtomicBool::new(false)),
            busy: AtomicBool::new(false),
            startup_error: Mutex::new(None),
        }
    }

    pub fn project(&self) -> ApiResult<MutexGuard<'_, Option<Project>>> {
        self.project.lock().map_err(|_| poisoned())
    }

    pub fn settings(&self) -> ApiResult<Settings> {
        self.settings
            .lock()
            .map(|s| s.clone())
            .map_err(|_| poisoned())
    }

    /// Changes the settings and saves them.
    pub fn update_settings(&self, f: impl FnOnce(&mut Settings)) -> ApiResult<Settings> {
        let mut s = self.settings.lock().map_err(|_| poisoned())?;
        f(&mut s);
        save_settings(&self.dirs.config, &s)?;
        Ok(s.clone())
    }

    /// The person recorded as "by": the settings' assessor, else the OS user.
    pub fn by(&self) -> ApiResult<String> {
        let s = self.settings()?;
        let name = s.assessor.trim();
        if !name.is_empty() {
            return Ok(name.to_string());
        }
        Ok(std::env::var("USER")
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| "评估员".into()))
    }

    pub fn remember(&self, p: &Project) -> ApiResult<()> {
        let meta = p.meta()?;
        let path = p.dir().display().to_string();
        self.update_settings(|s| {
            s.recent.retain(|r| r.path != path);
            s.recent.insert(
                0,
                Recent {
                    path,
                    name: meta.name.clone(),
                    assessee: meta.assessee.clone(),
                    opened_at: iovaudit::project::now(),
                },
            );
            s.recent.truncate(RECENT_MAX);
        })?;
        Ok(())
    }

    pub fn set_dropped(&self, paths: Vec<PathBuf>) {
        if let Ok(mut d) = self.dropped.lock() {
            *d = paths;
        }
    }

    pub fn take_dropped(&self) -> Vec<PathBuf> {
        self.dropped
            .lock()
            .map(|mut d| std::mem::take(&mut *d))
            .unwrap_or_default()
    }

    pub fn set_pending_p12(&self, path: Option<PathBuf>) {
        if let Ok(mut p) = self.pending_p12.lock() {
            *p = path;
        }
    }

    pub fn pending_p12(&self) -> Option<PathBuf> {
        self.pending_p12.lock().ok().and_then(|p| p.clone())
    }

    /// Marks a long operation as running; refused if one already runs.
    pub fn begin_op(&self) -> ApiResult<OpGuard<'_>> {
        if self.busy.swap(true, Ordering::SeqCst) {
            return Err(ApiError::busy());
        }
        self.cancel.store(false, Ordering::SeqCst);
        Ok(OpGuard { state: self })
    }

    pub fn identities_dir(&self) -> PathBuf {
        self.dirs.data.join("identities")
    }
}

/// Clears the busy mark when the operation ends, however it ends.
pub struct OpGuard<'a> {
    state: &'a AppState,
}

impl Drop for OpGuard<'_> {
    fn drop(&mut self) {
        self.state.busy.store(false, Ordering::SeqCst);
    }
}

fn settings_file(config: &Path) -> PathBuf {
    config.join("settings.json")
}

/// Reads the settings; a missing or unreadable file gives the defaults
/// (the broken file is kept aside as settings.json.broken).
pub fn load_settings(config: &Path) -> Settings {
    let f = settings_file(config);
    match std::fs::read(&f) {
        Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|_| {
            let _ = std::fs::rename(&f, config.join("settings.json.broken"));
            Settings::default()
        }),
        Err(_) => Settings::default(),
    }
}

pub fn save_settings(config: &Path, s: &Settings) -> ApiResult<()> {
    std::fs::create_dir_all(config).map_err(|e| io_at(config, e))?;
    let f = settings_file(config);
    let bytes = serde_json::to_vec_pretty(s).map_err(|e| {
        ApiError::new(
            format!("设置无法保存：{e}"),
            format!("cannot save settings: {e}"),
        )
    })?;
    iovaudit::fsio::write_atomic(&f, &bytes).map_err(|e| io_at(&f, e))
}
