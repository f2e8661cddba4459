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
  /** The IANA zone the project's times are shown in (its own, else the system's). */
  zone?: string;
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
  /** 现状描述: what the assessor found (beside the justification). */
  observation?: string;
  /** Why the verdict rests on no linked evidence ('' = none recorded). */
  evidence_reason?: string;
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
  /** Version of the document (文件版本), '' = none. */
  doc_version?: string;
  /** Who issued the document (出具方), '' = none. */
  issuer?: string;
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
  description?: string;
  threat?: string;
  impact?: Severity | null;
  likelihood?: Severity | null;
  recommendation?: string;
  time_limit?: string;
  /** impact × likelihood by the core's matrix, else the severity. */
  risk?: Severity;
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
  description?: string | null;
  threat?: string | null;
  /** '' clears. */
  impact?: Severity | '' | null;
  likelihood?: Severity | '' | null;
  recommendation?: string | null;
  time_limit?: string | null;
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
  /** The key signed with by default when the file holds several (its selector). */
  key_alias?: string | null;
  /** The file's keys (public details) when it holds several; empty otherwise. */
  keys?: KeyView[];
}
/** One key of a PKCS#12 file (mirrors commands::KeyView over sign::KeyEntry). */
export interface KeyView {
  /** 1-based position among the file's keys. */
  index: number;
  alias: string | null;
  subject_cn: string;
  organisation: string;
  fingerprint_sha256: string | null;
  /** "RSA-2048", "ECDSA P-256", … */
  key: string;
  /** Why this key cannot sign, if so (zh and en from the core). */
  problem: Text | null;
  /** What to send as `key` to choose it (certificate SHA-256, else alias). */
  selector: string | null;
}
/** What importing a .p12 gave. */
export type ImportOutcome =
  | { status: 'cancelled' }
  | { status: 'imported'; identity: IdentityInfo }
  /** Several keys: choose one, then call identityImportPending. */
  | { status: 'choose_key'; file: string; keys: KeyView[] };
export interface TemplateInfo { name: string; builtin: boolean; description: Text }
export interface ExportRequest {
  identity: string;
  password: string;
  template: string | null;
  lang: Lang;
  /** The key (selector) when the identity's file holds several; null = the identity's default. */
  key?: string | null;
}
export interface ExportResult { path: string; size: number; sha256: string; pages: number | null }

export interface Check { what: Text; ok: boolean; detail: string[] }
export interface Verification { kind: string; ok: boolean; trusted: boolean; checks: Check[]; verdict: Text }
/** Which revision a PDF signature covers and what came after it (mirrors sign::Coverage). */
export interface LaterChange { allowed: boolean; level: string; what: Text }
export interface Coverage {
  byte_range: number[];
  byte_range_ok: boolean;
  revision: number | null;
  revisions: number;
  entire_file: boolean;
  modification_level: string;
  later_changes: LaterChange[];
}
export interface SignerInfo { common_name: string; organisation: string; subject: string; issuer: string; serial: string; cert_sha256: string }
export interface TimestampCheck { time: string | null; tsa: string; imprint_ok: boolean; signature_ok: boolean; trusted: boolean | null }
export type SignatureStatus = 'valid' | 'modified_after_signing' | 'untrusted' | 'unsupported' | 'invalid';
export interface SignatureCheck {
  field: string;
  kind: 'signature' | 'document_timestamp';
  subfilter: string;
  signer: SignerInfo | null;
  digest_algorithm: string;
  signature_algorithm: string;
  claimed_time: string | null;
  cms_signing_time: string | null;
  timestamp: TimestampCheck | null;
  coverage: Coverage;
  digest_ok: boolean;
  signature_ok: boolean;
  trusted: boolean | null;
  recovered: boolean;
  status: SignatureStatus;
  status_text?: Text;
  problems: Text[];
  notes: Text[];
}
/** Every signature of a PDF, each on its own (mirrors sign::PdfValidation). */
export interface PdfValidation {
  signatures: SignatureCheck[];
  revisions: number;
  recovered: boolean;
  trust_checked: boolean;
  notes: Text[];
  ok: boolean;
  verdict: Text;
}
/** A signature's times in the system zone, zone stated. */
export interface SigTimes { claimed: string | null; cms_signing_time: string | null; timestamp: string | null }
export interface VerifyFileResult {
  file: string;
  /** A filing package's verification (null for a PDF). */
  verification: Verification | null;
  /** A PDF's signatures (null for a package). */
  pdf: PdfValidation | null;
  pdf_times: SigTimes[];
  zone: string;
}

/** A file in the project's exports/ folder (mirrors project::exports::ExportFile). */
export type ExportKind = 'report' | 'package' | 'workbook' | 'json' | 'document' | 'calendar' | 'other';
export interface ExportFile {
  name: string;
  size: number;
  /** RFC 3339 UTC. */
  modified: string | null;
  kind: ExportKind;
  kind_label: Text;
}

// ---------------------------------------------------------------- calendar (mirrors iovaudit::calendar)

export type DueStatus = 'upcoming' | 'due_soon' | 'overdue' | 'done';
export interface CalendarEvent {
  id: number;
  kind: string;
  date: string;
  note: string;
  recorded_by: string;
  recorded_at: string;
}
export interface CalendarSource {
  pack: string;
  doc_number: string;
  requirement: string;
  clause: string;
  title: Text;
  /** 1-based position of the deadline in the requirement's deadlines. */
  deadline: number;
  provenance: Provenance;
  /** The deadline in words, with its condition and basis. */
  rule: Text;
  condition: 'holds' | 'unknown';
  open_questions?: string[];
}
export interface Occurrence extends CalendarSource {
  uid: string;
  date: string;
  status: DueStatus;
  /** The first occurrence of its deadline on or after today. */
  next: boolean;
  kind: 'annual' | 'recurring' | 'once' | 'triggered';
  period_from?: string;
  period_to?: string;
  done_by?: { kind: 'verdict' | 'evidence'; date: string; evidence?: number };
  anchor?: { source: string; date: string; text: Text };
  event?: CalendarEvent;
}
export interface Standing extends CalendarSource {
  kind: 'retention' | 'before_event' | 'immediate';
}
export interface Trigger extends CalendarSource {
  within: string;
  event_kinds: string[];
  events: number[];
}
export interface EventKind {
  name: string;
  requirements: string[];
  trigger: Text;
}
export interface CalendarView {
  project: string;
  today: string;
  from: string;
  to: string;
  due_soon_days: number;
  items: Occurrence[];
  standing: Standing[];
  triggers: Trigger[];
  events: CalendarEvent[];
  unmatched_events: number[];
  event_kinds: EventKind[];
  /** Each status with its words, from the core. */
  status_labels: { status: DueStatus; label: Text }[];
}
export interface EventDue {
  requirement: string;
  clause: string;
  title: Text;
  within: string;
  due: string;
  applicable: boolean;
}
export interface SavedFile { path: string; size: number; events: number }

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

// ---- project information (mirrors project::info::Info)
export interface Party {
  name: string;
  credit_code: string;
  address: string;
  contact: string;
  phone: string;
  email: string;
  security_officer: string;
}
export type TeamRole = 'author' | 'reviewer' | 'approver' | 'lead' | 'member';
export interface Member { name: string; role: string; cert_no: string; kind: TeamRole | null }
export interface Tool { name: string; version: string; purpose: string }
export interface Platform { name: string; level: number | null; filing_no: string }
export interface VehicleType { name: string; model: string; software_version: string }
export interface AppObject { name: string; version: string }
export interface Objects { platforms: Platform[]; vehicles: VehicleType[]; apps: AppObject[]; data_catalogue: string }
export interface Info {
  report_number: string;
  assessee: Party;
  client: Party;
  assessor_org: Party;
  qualifications: string[];
  team: Member[];
  tools: Tool[];
  objects: Objects;
  purpose: string;
  boundary: string;
  schedule: { start: string | null; end: string | null };
  methods_note: string;
  distribution: string[];
  time_zone: string | null;
  require_evidence: boolean;
  assessee_statement: boolean;
}
export interface InfoView { info: Info; zone: string; system_zone: string; roles: { value: TeamRole; label: Text }[] }
/** A problem of the information, naming its field (`assessee.credit_code`). */
export interface FieldProblem { field: string; zh: string; en: string }
export interface InfoSaved { saved: boolean; problems: FieldProblem[]; view: InfoView }

export interface WithoutEvidence { requirement: string; verdict: VerdictCode; veto: boolean; evidence_reason: string; blocks: boolean }
export interface Readiness {
  readiness: { require_evidence: boolean; without_evidence: WithoutEvidence[]; unconfirmed: string[]; rejudge: string[] };
  messages: Text[];
}
export interface ScopeRecord { question: string; answered_by: string; answered_at: string; basis: string }
export interface RiskInfo { rule: Text; labels: Record<string, Text> }
/** Parsed tool output stored beside an evidence item (mirrors scan::StoredSummary). */
export interface ScanSummary {
  evidence_id: number;
  revision: number;
  made_at: string;
  summary: {
    kind: string;
    format_version: string | null;
    tool: string | null;
    scanned_at: string | null;
    target: string | null;
    components: { name: string; version: string | null; purl: string | null }[];
    vulnerability_scan: boolean;
    vulnerabilities: { id: string; severity: string; package: string; installed_version: string | null; fixed_version: string | null; cvss: number | null; handled: boolean }[];
    hosts: { address: string; hostname: string | null; status: string; ports: { port: number; protocol: string; state: string; service: string | null; product: string | null; version: string | null }[] }[];
    declared_ports: { port: number; port_to: number | null; protocol: string; purpose: string }[];
  };
}

/** A blank project information (what the core's defaults serialise to). */
export function emptyParty(): Party {
  return { name: '', credit_code: '', address: '', contact: '', phone: '', email: '', security_officer: '' };
}
export function emptyInfo(): Info {
  return {
    report_number: '', assessee: emptyParty(), client: emptyParty(), assessor_org: emptyParty(),
    qualifications: [], team: [], tools: [],
    objects: { platforms: [], vehicles: [], apps: [], data_catalogue: '' },
    purpose: '', boundary: '', schedule: { start: null, end: null }, methods_note: '',
    distribution: [], time_zone: null, require_evidence: false, assessee_statement: false,
  };
}

/** `evidence:12` → 12 (an inference from a tool's output), else null. */
export function evidenceSource(inferredFrom: string | null | undefined): number | null {
  const m = /^evidence:(\d+)$/.exec(inferredFrom ?? '');
  return m ? Number(m[1]) : null;
}

// ---------------------------------------------------------------- team (issue 14)

/** One assignment: a pattern (requirement, section or pack id, or a glob) → assessor. */
export interface Assignment { pattern: string; assignee: string; set_by: string; set_at: string }
export interface AssessorProgress { assessor: string; assigned: number; done: number }
export interface TeamView {
  assignments: Assignment[];
  /** Requirement id → assessor. */
  assignees: Record<string, string>;
  /** Per assessor; the unassigned requirements under ''. Empty when nothing is assigned. */
  progress: AssessorProgress[];
  /** The assessor name from Settings ("mine"). */
  me: string;
}
export interface BundleManifest {
  format: string;
  made_at: string;
  made_by: string;
  project_uuid: string;
  project_name: string;
  assessee: string;
  part: { assignee?: string; requirements: string[] };
  with_evidence: boolean;
  journal_head: string | null;
  journal_entries: number;
  verdicts: number;
  evidence: number;
  findings: number;
  files: { name: string; size: number; sha256: string }[];
}
export interface BundleExported { path: string; size: number; manifest: BundleManifest }
export type Take = 'ours' | 'theirs';
export interface MergeSide { value: string; note: string; by: string; at: string }
export interface MergeConflict {
  /** `verdict` or `scope`. */
  kind: string;
  /** Requirement or question id. */
  item: string;
  ours: MergeSide;
  theirs: MergeSide;
  resolution: Take | null;
}
export interface MergeReport {
  dry_run: boolean;
  unchanged: boolean;
  verdicts_taken: string[];
  scope_taken: string[];
  conflicts: MergeConflict[];
  findings_added: string[];
  findings_updated: string[];
  events_added: number;
  assignments_taken: string[];
  info_taken: string[];
  evidence: {
    added: number;
    matched_by_hash: number;
    revisions_added: number;
    links_added: number;
    files_to_store: number;
    skipped_no_file: string[];
  };
  journal_head: string | null;
  journal_entries: number;
  journal_already_imported: boolean;
}
export interface PreviousVerdict { verdict: VerdictCode; note: string; assessor: string; at: string }
export interface Cloned {
  project: ProjectView;
  report: { source_snapshot: string; previous_verdicts: number; open_findings: number; evidence: number; upgraded: [string, string, string][] };
  path: string;
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
    /** Key project information (the rest is filled in later). */
    info?: Info | null;
  }) => call<ProjectView>('project_new', { req }),
  projectInfo: () => call<InfoView>('project_info_get'),
  /** Saves the whole information; problems per field when refused (nothing written). */
  projectInfoSet: (info: Info) => call<InfoSaved>('project_info_set', { info }),
  readiness: () => call<Readiness>('readiness'),
  /** Who answered each scope question, when (project's zone, stated) and on what basis. */
  scopeRecords: () => call<ScopeRecord[]>('scope_records'),
  riskInfo: () => call<RiskInfo>('risk_info'),
  evidenceSetDetails: (id: number, details: { doc_version?: string; issuer?: string; title?: string; note?: string }) =>
    call<EvidenceItem>('evidence_set_details', { id, docVersion: details.doc_version, issuer: details.issuer, title: details.title, note: details.note }),
  evidenceSummary: (id: number) => call<ScanSummary | null>('evidence_summary', { id }),
  sourceLabel: (inferredFrom: string) => call<Text>('source_label', { inferredFrom }),
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
  scopeSet: (answers: [string, string][], basis: string | null = null) => call<ProjectView>('scope_set', { answers, basis }),
  requirementDetail: (id: string) => call<RequirementDetail>('requirement_detail', { id }),
  /** observation / evidenceReason: null keeps the recorded one, '' clears it. */
  verdictSet: (id: string, verdict: VerdictCode, note: string, observation: string | null = null, evidenceReason: string | null = null) =>
    call<Status>('verdict_set', { id, verdict, note, observation, evidenceReason }),
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
  identityImportPick: (password: string) => call<ImportOutcome>('identity_import_pick', { password }),
  /** Imports the .p12 last dropped on the window (kept by Rust). */
  identityImportDropped: (password: string) => call<ImportOutcome>('identity_import_dropped', { password }),
  /** Finishes the import of a multi-key .p12 with the chosen key (selector). */
  identityImportPending: (password: string, key: string) => call<ImportOutcome>('identity_import_pending', { password, key }),
  /** Makes another key of the identity's file its default (checked with the password). */
  identitySetKey: (name: string, password: string, key: string) => call<IdentityInfo>('identity_set_key', { name, password, key }),
  /** Deletes a signing identity; returns the remaining ones. */
  identityDelete: (name: string) => call<IdentityInfo[]>('identity_delete', { name }),

  templates: () => call<TemplateInfo[]>('templates'),
  /** The report as HTML (what the PDF is rendered from), for the preview pane. */
  reportPreview: (template: string | null, lang: Lang) => call<string>('report_preview', { template, lang }),
  /** Writes a signed PDF into the project's exports/ folder. */
  exportReport: (req: ExportRequest) => call<ExportResult>('export_report', { req }),
  /** The editable Word report (not the signed deliverable; a draft carries a watermark). */
  reportDocx: (template: string | null, lang: 'zh' | 'en') => call<ExportResult>('report_docx', { template, lang }),
  /** Writes the filing package (zip) into the project's exports/ folder. */
  exportPackage: (req: ExportRequest & { with_evidence: boolean }) => call<ExportResult>('export_package', { req }),
  /** Opens the project's exports folder in the file manager. */
  revealExports: () => call<void>('reveal_exports'),
  /** The files in the project's exports/ folder, newest first. */
  exportsList: () => call<ExportFile[]>('exports_list'),

  /** The compliance calendar (dates as YYYY-MM-DD; null = defaults: today … a year on). */
  calendar: (from: string | null = null, to: string | null = null) => call<CalendarView>('calendar_view', { from, to }),
  /** Records a trigger event (journalled). */
  calendarEventAdd: (kind: string, date: string, note: string) =>
    call<{ event: CalendarEvent; dues: EventDue[] }>('calendar_event_add', { kind, date, note }),
  calendarEventRemove: (id: number) => call<CalendarEvent>('calendar_event_remove', { id }),
  /** Writes the calendar as .ics where the save chooser says; null if cancelled. */
  calendarIcsSave: (lang: Lang) => call<SavedFile | null>('calendar_ics_save', { lang }),

  /** Picks a PDF or .zip package in Rust and verifies it; null if cancelled.
   * `trust`: names of identities whose CA is trusted (empty = integrity only). */
  verifyPick: (trust: string[]) => call<VerifyFileResult | null>('verify_pick', { trust }),
  /** Verifies the file last dropped on the window; null if none is held. */
  verifyDropped: (trust: string[]) => call<VerifyFileResult | null>('verify_dropped', { trust }),

  // Team (issue 14): assignment, bundles, merge, the next cycle.
  teamView: () => call<TeamView>('team_view_get'),
  assignSet: (assignee: string, patterns: string[]) => call<TeamView>('assign_set', { assignee, patterns }),
  assignClear: (patterns: string[]) => call<TeamView>('assign_clear', { patterns }),
  previousVerdict: (id: string) => call<PreviousVerdict | null>('previous_verdict', { id }),
  /** Exports for a colleague where the save chooser says; null if cancelled. The password is not kept. */
  bundleExport: (req: { assignee: string | null; requirements: string[]; with_evidence: boolean; sm4: boolean; password: string }) =>
    call<BundleExported | null>('bundle_export', { req }),
  /** Chooses a bundle, then the folder for the new project; opens it. null if cancelled. */
  bundleImportPick: (password: string) => call<ProjectView | null>('bundle_import_pick', { password }),
  /** Chooses the bundle to merge (kept in Rust); its file name, null if cancelled. */
  bundleMergePick: () => call<string | null>('bundle_merge_pick'),
  bundleMerge: (req: { password: string; take: Take | null; per_item: Record<string, Take>; dry_run: boolean }) =>
    call<MergeReport>('bundle_merge', { req }),
  /** Next cycle: chooses a folder, clones the open project there and opens the copy; null if cancelled. */
  projectClonePick: (withEvidence: boolean) => call<Cloned | null>('project_clone_pick', { withEvidence }),

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
