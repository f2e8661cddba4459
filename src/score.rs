//! Scoring, exactly as each pack declares it (`[scoring]` in the pack file).
//!
//! For a set of requirements (a section, a pack, or all packs):
//!
//! ```text
//! counted   = requirements that count: encouraged ones only if the pack says `encouraged = "include"`
//! judged    = counted requirements whose verdict is 符合, 部分符合 or 不符合
//!             (an inferred verdict counts only once a person has confirmed it)
//! score     = 100 × Σ weight × credit(verdict) / Σ weight      over judged
//! credit    = 符合 1, 部分符合 `partial` (e.g. 0.5), 不符合 0
//! 不适用     leaves numerator and denominator; 未评估 is not judged and lowers progress only
//! progress  = judged / (counted − 不适用)
//! ```
//!
//! A pack's conclusion is the first band (highest first) whose `min` ≤ score;
//! with `veto = "fail_pack"`, any veto requirement judged 不符合 puts the pack
//! in the lowest band whatever its score. The overall conclusion is the
//! worst pack conclusion (the lowest band reached by any pack); the overall
//! score is the same formula over every counted requirement of every pack.
//! The conclusion is *provisional* until progress is complete.
//!
//! A section rule `any_fail_fails_all` (`[[scoring.groups]]`, e.g. GB 44495
//! clause 5, where one failed check point fails the whole clause): once any
//! requirement of the section is judged 不符合 (and confirmed), every judged
//! requirement of that section earns 0 credit; the section is listed in
//! `group_failed`.
//!
//! Pure functions over statuses: this module reads nothing and writes nothing.

use crate::assess::{Status, Verdict};
use crate::i18n::Text;
use crate::pack::{GroupKind, Inclusion, Obligation, Pack, VetoRule};
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Tally {
    pub conform: usize,
    pub partial: usize,
    pub nonconform: usize,
    pub not_applicable: usize,
    pub unassessed: usize,
    /// Inferred verdicts awaiting confirmation (counted as unassessed).
    pub inferred_pending: usize,
    /// Σ weight over judged requirements.
    pub weight_judged: f64,
    /// Σ weight × credit over judged requirements.
    pub earned: f64,
    /// 0–100, `None` while nothing is judged.
    pub score: Option<f64>,
    /// Judged requirements.
    pub judged: usize,
    /// Requirements that apply (counted, not 不适用).
    pub applicable: usize,
}

impl Tally {
    /// `zero`: a section rule has failed the section; judged items earn nothing.
    fn add(&mut self, s: &Status, partial_credit: f64, zero: bool) {
        let pending = s.recorded.as_ref().is_some_and(|r| !r.confirmed) && s.verdict != Verdict::Na;
        let v = if pending {
            Verdict::Unassessed
        } else {
            s.verdict
        };
        if pending {
            self.inferred_pending += 1;
        }
        let w = f64::from(s.weight);
        let credit = match v {
            Verdict::Conform => {
                self.conform += 1;
                Some(1.0)
            }
            Verdict::Partial => {
                self.partial += 1;
                Some(partial_credit)
            }
            Verdict::Nonconform => {
                self.nonconform += 1;
                Some(0.0)
            }
            Verdict::Na => {
                self.not_applicable += 1;
                None
            }
            Verdict::Unassessed => {
                self.unassessed += 1;
                None
            }
        };
        if v != Verdict::Na {
            self.applicable += 1;
        }
        if let Some(c) = credit {
            self.judged += 1;
            self.weight_judged += w;
            if !zero {
                self.earned += w * c;
            }
        }
    }

    fn finish(&mut self) {
        self.score = (self.weight_judged > 0.0)
            .then(|| (self.earned / self.weight_judged * 1000.0).round() / 10.0);
    }

    pub fn complete(&self) -> bool {
        self.judged == self.applicable
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionScore {
    pub section: String,
    pub clause: String,
    pub title: Text,
    pub tally: Tally,
}

#[derive(Debug, Clone, Serialize)]
pub struct PackScore {
    pub pack: String,
    pub title: Text,
    pub tally: Tally,
    /// Index into the pack's bands (0 = best), `None` while nothing is judged.
    pub band: Option<usize>,
    pub conclusion: Option<Text>,
    /// Veto requirements judged 不符合.
    pub veto_failed: Vec<String>,
    /// Sections failed as a whole by an `any_fail_fails_all` rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub group_failed: Vec<String>,
    /// False while any applicable requirement is unjudged.
    pub complete: bool,
    pub sections: Vec<SectionScore>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    pub packs: Vec<PackScore>,
    pub overall: Tally,
    pub conclusion: Option<Text>,
    pub complete: bool,
}

fn counts(pack: &Pack, s: &Status) -> bool {
    s.obligation != Obligation::Encouraged || pack.scoring.encouraged == Inclusion::Include
}

/// Scores of `packs` given every requirement's status (from [`crate::assess::statuses`]).
pub fn score(packs: &[&Pack], statuses: &[Status]) -> Scores {
    let mut out = Vec::new();
    let mut overall = Tally::default();
    for pack in packs {
        let partial = pack.scoring.partial;
        let mut tally = Tally::default();
        let mut sections = Vec::new();
        let mut veto_failed = Vec::new();
        let mut group_failed = Vec::new();
        for sec in &pack.sections {
            let mut st = Tally::default();
            let in_section = || {
                statuses
                    .iter()
                    .filter(|s| s.pack == pack.id && s.section == sec.id)
            };
            let zero = pack
                .scoring
                .groups
                .iter()
                .any(|g| g.section == sec.id && g.rule == GroupKind::AnyFailFailsAll)
                && in_section().any(|s| {
                    counts(pack, s)
                        && s.verdict == Verdict::Nonconform
                        && s.recorded.as_ref().is_none_or(|r| r.confirmed)
                });
            if zero {
                group_failed.push(sec.id.clone());
            }
            for s in in_section() {
                let confirmed = s.recorded.as_ref().is_none_or(|r| r.confirmed);
                if s.veto && s.verdict == Verdict::Nonconform && confirmed {
                    veto_failed.push(s.requirement.clone());
                }
                if !counts(pack, s) {
                    continue;
                }
                st.add(s, partial, zero);
                tally.add(s, partial, zero);
                overall.add(s, partial, zero);
            }
            st.finish();
            sections.push(SectionScore {
                section: sec.id.clone(),
                clause: sec.clause.clone(),
                title: sec.title.clone(),
                tally: st,
            });
        }
        tally.finish();
        let bands = &pack.scoring.bands;
        let mut band = tally.score.map(|sc| {
            bands
                .iter()
                .position(|b| sc >= b.min)
                .unwrap_or(bands.len().saturating_sub(1))
        });
        if !veto_failed.is_empty() && pack.scoring.veto == VetoRule::FailPack {
            band = Some(bands.len().saturating_sub(1));
        }
        out.push(PackScore {
            pack: pack.id.clone(),
            title: pack.title.clone(),
            complete: tally.complete(),
            conclusion: band.and_then(|b| bands.get(b)).map(|b| b.label.clone()),
            band,
            tally,
            veto_failed,
            group_failed,
            sections,
        });
    }
    overall.finish();
    // Worst conclusion: the pack whose band is lowest relative to its own scale.
    let worst = out
        .iter()
        .filter_map(|p| {
            let n = packs.iter().find(|x| x.id == p.pack)?.scoring.bands.len();
            p.band
                .map(|b| ((b + 1) as f64 / n as f64, p.conclusion.clone()))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .and_then(|(_, c)| c);
    Scores {
        complete: out.iter().all(|p| p.complete),
        packs: out,
        overall,
        conclusion: worst,
    }
}
