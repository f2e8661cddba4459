//! Errors as the UI receives them: always both languages, never a panic.

use serde::Serialize;

/// What a failed command sends to the webview.
#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    pub zh: String,
    pub en: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn no_project() -> ApiError {
        ApiError::new(
            "没有打开的项目，请先在首页新建或打开项目",
            "no project is open; create or open one on the home screen",
        )
    }

    pub fn busy() -> ApiError {
        ApiError::new(
            "另一项耗时操作正在进行，请等待其完成或取消",
            "another long operation is running; wait for it or cancel it",
        )
    }
}

impl From<iovaudit::i18n::Text> for ApiError {
    fn from(t: iovaudit::i18n::Text) -> ApiError {
        ApiError { zh: t.zh, en: t.en }
    }
}

/// Every core error type has a Chinese message (`zh()`) and an English
/// one (`Display`).
macro_rules! bilingual {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> ApiError {
                ApiError { zh: e.zh(), en: e.to_string() }
            }
        }
    )*};
}

bilingual!(
    iovaudit::project::ProjectError,
    iovaudit::report::ReportError,
    iovaudit::package::PackageError,
    iovaudit::sign::SignError,
    iovaudit::vault::VaultError
);

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> ApiError {
        ApiError::new(
            format!("文件操作失败：{e}"),
            format!("file operation failed: {e}"),
        )
    }
}

/// An I/O error that names the file it concerns.
pub fn io_at(path: &std::path::Path, e: std::io::Error) -> ApiError {
    let p = path.display();
    ApiError::new(format!("{p}：读写失败（{e}）"), format!("{p}: {e}"))
}
