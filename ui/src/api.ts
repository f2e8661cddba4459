// The desktop app's IPC contract: every Rust command the UI may call, with
// the types of what it returns. Types mirror the serde output of the core
// library (src/) and of src-tauri/src/commands.rs; keep them in step.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

/** A bilingual string, as every user-facing text from the core. */
export interface Text { zh: string; en: string }

/** Errors from commands always arrive as this shape. */
export interface ApiError { zh: string; en: string }

export type Lang = 'zh' | 'en';
export type VerdictCode = 'conform' | 'partial' | 'nonconform' | 'na' | 'unassessed';
export type Obligation = 'mandatory' | 'conditional' | 'encouraged' | 'pilot';
export type Provenance = 'text' | 'secondary' | 'inferred' | 'fulltext';
export type Severity = 'high' | 'medium' | 'low';
export type FindingStatus = 'open' | 'fixed' | 'verified';
export type ProjectKind = 'third-party' | 'self-check';
export type ProjectState = 'draft' | 'in_review' | 'approved';

// ---------------------------------------------------------------- library

export interface QuestionOption { id: string; label: Text }
export interface Question {
  id: string;
  kind: 'bool' | 'choice' | 'multi' | 'int';
  label: Text;
  options?: QuestionOption[];
  min?: number;
  max?: number;
}
export interface TestMethod { clause: string; text: Text }
export interface Param { key: string; op: string; value: number; unit: string }
export interface Requirement {
  id: string;
  clause: string;
  title: Text;
  text: Text;
  obligation: Obligation;
  applies_to: string[];
  when: string | null;
  evidence: { zh: string[]; en: string[] };
  methods: ('examine' | 'interview' | 'test')[];
  weight: number;
  veto: boolean;
  themes: string[];
  provenance: Provenance;
  to_confirm: boolean;
  provenance_note: string | null;
  params: Param[];
  deadlines: Record<string, unknown>[];
  test: TestMethod | null;
}
export interface Section { id: string; clause: string; title: Text; requirements: Requirement[] }
export interface Pack {
  id: string;
  version: string;
  doc_number: string;
  title: Text;
  issuer: Text;
  doc_type: string;
  region: string;
  status: string;
  issued: string | null;
  effective: string | null;
  source: string;
  provenance: Provenance;
  note: Text | null;
  applies_when: string | null;
  questions: string[];
  sections: Section[];
  excluded: { ids: string[]; clause: string; reason: Text }[];
}
export type Relation = 'equal' | 'subset' | 'superset' | 'intersect';
export interface Mapping { from: string; to: string; relation: Relation; note: Text | null }
export interface Theme { id: string; title: Text; mappings: Mapping[] }
export interface Library { questions: Question[]; packs: Pack[]; themes: Theme[] }

// ---------------------------------------------------------------- app & project

export interface Settings {
  lang: Lang;
  /** The person recorded as "by" on every change (assessor name). */
  assessor: string;
  /** Seal image (PNG) placed on the report's signature page; a path held by the app. */
  seal: string | null;
}
export interface RecentProject { path: string; name: string; assessee: string; opened_at: string }
export interface AppInfo {
  version: string;
  settings: Settings;
  recent: RecentProject[];
  /** Where new projects go by default. */
  projects_dir: string;
  /** A project the app was started with (command line), already open. */
  opened: ProjectView | null;
  /** Why the project named on the command line could not be opened. */
  startup_error: ApiError | null;
}

export interface Meta {
  name: string;
  assessee: string;
  kind: ProjectKind;
  organisation: string;
  created_at: string;
  created_by: string;
  state: ProjectState;
  revision: number;
  state_by: string | null;
  state_at: string | null;
  snapshot_hash: string | null;
  packs: [string, string][];
}
/** Scope answers: bool | number | option id | option ids. */
export type AnswerValue = boolean | number | string | string[];
/** A pack of the project against the app's checklist library. */
export interface PackVersion {
  pack: string;
  /** The version the project is assessed against (stored in the project). */
  version: string;
  sha256: string | null;
  library_version: string | null;
  library_sha256: string | null;
  /** True when the library holds different content. */
  differs: boolean;
}
export interface PackDiff {
  pack: string;
  from_version: string;
  to_version: string;
  from_sha256: string;
  to_sha256: string;
  added: string[];
  removed: string[];
  /** `label`: the changed fields in words (from the core). */
  changed: { requirement: string; fields: string[]; label: Text }[];
  replaced: { requirement: string; replaces: string[] }[];
  unchanged: number;
}
export interface UpgradeOutcome {
  diff: PackDiff;
  rejudge: string[];
  carried: [string, string][];
  history: { requirement: string; verdict: VerdictCode | null; evidence_links: number; findings: number }[];
  dry_run: boolean;
}

export interface ProjectView {
  dir: string;
  meta: Meta;
  answers: Record<string, AnswerValue>;
  evidence_count: number;
  finding_count: number;
}

export type Applicability =
  | { status: 'applicable' }
  | { status: 'not_applicable'; reason: Text }
  | { status: 'open'; questions: string[] };
export interface Recorded {
  verdict: VerdictCode;
  note: string;
  assessor: string;
  at: string;
  inferred_from: string | null;
  confirmed: boolean;
  /** Set while the verdict waits to be judged again after a pack upgrade. */
  rejudge?: Text | null;
}
/** One requirement of the project, with its current verdict. */
export interface Status {
  pack: string;
  section: string;
  requirement: string;
  clause: string;
  title: Text;
  weight: number;
  veto: boolean;
  obligation: Obligation;
  to_confirm: boolean;
  /** Where the requirement's content comes from (decides its mark). */
  provenance?: Provenance;
  applicability: Applicability;
  verdict: VerdictCode;
  recorded: Recorded | null;
  evidence: number[];
}

export interface Tally {
  conform: number;
  partial: number;
  nonconform: number;
  not_applicable: number;
  unassessed: number;
  inferred_pending: number;
  weight_judged: number;
  earned: number;
  score: number | null;
  judged: number;
  applicable: number;
}
export interface SectionScore { section: string; clause: string; title: Text; tally: Tally }
export interface PackScore {
  pack: string;
  title: Text;
  tally: Tally;
  band: number | null;
  conclusion: Text | null;
  veto_failed: string[];
  complete: boolean;
  sections: SectionScore[];
}
export interface Scores { packs: PackScore[]; overall: Tally; conclusion: Text | null; complete: boolean }

export interface EvidenceItem {
  id: number;
  title: string;
  method: string;
  note: string;
  collected_at: string;
  collected_by: string;
  revision: number;
  original_name: string;
  original_path: string;
  size: number;
  modified_at: string | null;
  sha256: string;
  sm3: string;
  requirements: string[];
}
/** What a page of the evidence list is sorted by (mirrors evidence::SortKey). */
export type EvidenceSort = 'id' | 'title' | 'name' | 'size' | 'collected_at' | 'revision';
/** Which page of the evidence list to fetch (mirrors evidence::PageQuery). */
export interface EvidenceQuery {
  offset: number;
  /** 1 to 1000. */
  limit: number;
  sort: EvidenceSort;
  descending: boolean;
  /** Substring (ASCII case-insensitive) of #id, title, name, path, collector, time, hashes, note, linked requirements. */
  search: string;
  /** Only evidence linked to this requirement id. */
  requirement: string | null;
}
/** One page of the evidence list, filtered and sorted in SQL (mirrors evidence::Page). */
export interface EvidencePage {
  items: EvidenceItem[];
  /** Rows matching the filter, all pages. */
  total: number;
  /** Evidence items in the project. */
  all: number;
  offset: number;
}
export interface Finding {
  id: number;
  requirement: string;
  title: string;
  severity: Severity;
  owner: string;
  due: string | null;
  status: FindingStatus;
  note: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}
/** Fields of a new finding or of an update (absent/null = unchanged). */
export interface FindingInput {
  requirement?: string | null;
  title?: string | null;
  severity?: Severity | null;
  owner?: string | null;
  due?: string | null;
  status?: FindingStatus | null;
  note?: string | null;
}

export interface MappedRequirement {
  theme: string;
  theme_title: Text;
  /** The other requirement's id, pack and title. */
  other: string;
  other_pack: string;
  other_title: Text;
  relation: Relation;
  /** How the other requirement relates to this one, in words. */
  relation_label: Text;
  note: Text | null;
  /** Verdict of the other requirement in this project, if that pack is in it. */
  other_verdict: VerdictCode | null;
}
export interface ValueLine {
  kind: 'param' | 'deadline';
  text: Text;
  basis?: Text;
  provenance?: Provenance;
}
export interface RequirementDetail {
  pack: { id: string; title: Text; doc_number: string; provenance: Provenance };
  section: { id: string; clause: string; title: Text };
  requirement: Requirement;
  /** Parameters and deadlines in words, each with its own basis where it has one (from the core). */
  values?: ValueLine[];
  status: Status;
  evidence: EvidenceItem[];
  findings: Finding[];
  mappings: MappedRequirement[];
  /** Questions named in `requirement.when`, with the project's answer (null = unanswered). */
  condition_answers: { question: string; label: Text; answer: AnswerValue | null }[];
}

export interface AddResult {
  added: { id: number; name: string; sha256: string; sm3: string; size: number; deduplicated: boolean }[];
  failed: { path: string; error: Text }[];
  cancelled: boolean;
}
export interface VerifyOutcome {
  checked: number;
  ok: number;
  missing: [string, string[]][];
  modified: [string, string, string[]][];
  unexpected: string[];
}
export type Preview =
  | { kind: 'image'; data_url: string; name: string }
  | { kind: 'pdf'; pages: number; text: string; name: string }
  | { kind: 'text'; text: string; truncated: boolean; name: string }
  | { kind: 'none'; name: string; reason: Text };

export interface IdentityInfo {
  name: string;
  subject: string;
  organisation: string;
  fingerprint_sha256: string;
  key: string;
  has_sm2: boolean;
  /** The CA certificate (PEM) verifiers use as trust anchor. */
  ca_pem: string | null;
}
export interface TemplateInfo { name: string; builtin: boolean; description: Text }
export interface ExportRequest {
  identity: string;
  password: string;
  template: string | null;
  lang: Lang;
}
export interface ExportResult { path: string; size: number; sha256: string; pages: number | null }

export interface Check { what: Text; ok: boolean; detail: string[] }
export interface Verification { kind: string; ok: boolean; trusted: boolean; checks: Check[]; verdict: Text }
export interface VerifyFileResult { file: string; verification: Verification }

export interface JournalCheck { entries: number; head: string | null; breaks: { seq: number; kind: string; detail: string }[] }

export type OpName = 'ingest' | 'verify' | 'report' | 'package' | 'verify-file';
export interface Progress {
  op: OpName;
  done: number;
  total: number;
  /** What is being worked on (a file name), may be empty. */
  label: string;
  finished: boolean;
}

// ---------------------------------------------------------------- calls

function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  return invoke<T>(cmd, args);
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  library: () => call<Library>('library'),
  settingsSet: (settings: Settings) => call<Settings>('settings_set', { settings }),
  sealPick: () => call<Settings>('seal_pick'),

  /** Opens a folder chooser (in Rust); null if cancelled. */
  pickFolder: () => call<string | null>('pick_folder'),
  projectNew: (req: {
    parent: string;
    name: string;
    assessee: string;
    kind: ProjectKind;
    organisation: string;
    packs: string[];
    /** (question id, raw answer): "yes"/"no", an integer, an option id, option ids joined by ",". */
    answers: [string, string][];
  }) => call<ProjectView>('project_new', { req }),
  projectOpenPick: () => call<ProjectView | null>('project_open_pick'),
  projectOpenRecent: (path: string) => call<ProjectView>('project_open_recent', { path }),
  projectOpenDemo: () => call<ProjectView>('project_open_demo'),
  projectClose: () => call<void>('project_close'),
  projectView: () => call<ProjectView>('project_view'),
  packVersions: () => call<PackVersion[]>('pack_versions'),
  /** Shows (dryRun) or applies the upgrade of one pack to the app's library. */
  packUpgrade: (pack: string, dryRun: boolean) => call<UpgradeOutcome>('pack_upgrade', { pack, dryRun }),

  statuses: () => call<Status[]>('statuses'),
  scores: () => call<Scores>('scores'),
  scopeSet: (answers: [string, string][]) => call<ProjectView>('scope_set', { answers }),
  requirementDetail: (id: string) => call<RequirementDetail>('requirement_detail', { id }),
  verdictSet: (id: string, verdict: VerdictCode, note: string) =>
    call<Status>('verdict_set', { id, verdict, note }),
  verdictConfirm: (id: string) => call<Status>('verdict_confirm', { id }),

  evidenceList: () => call<EvidenceItem[]>('evidence_list'),
  /** One page of the evidence list, sorted and filtered in Rust/SQL. */
  evidencePage: (query: EvidenceQuery) => call<EvidencePage>('evidence_page', { query }),
  /** Opens the file (or folder) chooser in Rust and ingests what is picked. */
  evidenceAddPick: (requirement: string | null, folder: boolean) =>
    call<AddResult>('evidence_add_pick', { requirement, folder }),
  /** Ingests the files last dropped on the window (held by Rust). */
  evidenceAddDropped: (requirement: string | null) => call<AddResult>('evidence_add_dropped', { requirement }),
  evidenceLink: (id: number, requirement: string) => call<void>('evidence_link', { id, requirement }),
  evidenceUnlink: (id: number, requirement: string) => call<void>('evidence_unlink', { id, requirement }),
  evidenceVerify: () => call<VerifyOutcome>('evidence_verify'),
  evidencePreview: (id: number) => call<Preview>('evidence_preview', { id }),

  findings: () => call<Finding[]>('findings'),
  findingAdd: (input: FindingInput) => call<Finding>('finding_add', { input }),
  findingUpdate: (id: number, input: FindingInput) => call<Finding>('finding_update', { id, input }),

  reviewSubmit: () => call<ProjectView>('review_submit'),
  reviewApprove: () => call<ProjectView>('review_approve'),
  reviewReopen: () => call<ProjectView>('review_reopen'),
  journalVerify: () => call<JournalCheck>('journal_verify'),

  identities: () => call<IdentityInfo[]>('identities'),
  identityCreate: (req: { name: string; org: string; algo: 'rsa' | 'p256'; sm2: boolean; password: string }) =>
    call<IdentityInfo>('identity_create', { req }),
  /** Picks a .p12 in Rust, checks the password, stores a copy among the app's identities. */
  identityImportPick: (password: string) => call<IdentityInfo | null>('identity_import_pick', { password }),

  templates: () => call<TemplateInfo[]>('templates'),
  /** The report as HTML (what the PDF is rendered from), for the preview pane. */
  reportPreview: (template: string | null, lang: Lang) => call<string>('report_preview', { template, lang }),
  /** Writes a signed PDF into the project's exports/ folder. */
  exportReport: (req: ExportRequest) => call<ExportResult>('export_report', { req }),
  /** Writes the filing package (zip) into the project's exports/ folder. */
  exportPackage: (req: ExportRequest & { with_evidence: boolean }) => call<ExportResult>('export_package', { req }),
  /** Opens the project's exports folder in the file manager. */
  revealExports: () => call<void>('reveal_exports'),

  /** Picks a PDF or .zip package in Rust and verifies it; null if cancelled.
   * `trust`: names of identities whose CA is trusted (empty = integrity only). */
  verifyPick: (trust: string[]) => call<VerifyFileResult | null>('verify_pick', { trust }),

  /** Asks the running long operation to stop. */
  cancel: () => call<void>('cancel'),
};

/** Subscribes to progress of long operations. */
export function onProgress(cb: (p: Progress) => void): Promise<UnlistenFn> {
  return listen<Progress>('op-progress', (e) => cb(e.payload));
}

/** Subscribes to files dropped on the window (Rust keeps the paths; this gives the count and names). */
export function onDrop(cb: (names: string[]) => void): Promise<UnlistenFn> {
  return listen<string[]>('files-dropped', (e) => cb(e.payload));
}

/** Turns whatever a command rejected with into a bilingual message. */
export function errorText(e: unknown): Text {
  if (e && typeof e === 'object' && 'zh' in e && 'en' in e) {
    const t = e as ApiError;
    return { zh: String(t.zh), en: String(t.en) };
  }
  const s = e instanceof Error ? e.message : String(e);
  return { zh: s, en: s };
}
