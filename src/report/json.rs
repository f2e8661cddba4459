//! The machine-readable results: an OSCAL 1.1.2 `assessment-results`
//! document built from the report model by [`crate::oscal`] (the mapping is
//! described there and in `docs/cli-json.md`, "Assessment results").

use super::model::ReportModel;
use serde_json::Value;

pub(crate) fn render(m: &ReportModel) -> Value {
    crate::oscal::assessment_results(m)
}
