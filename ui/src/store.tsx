// The open project as React state, shared by every screen. Screens call
// `refresh()` after a change; it reloads the project header, the statuses
// and the scores in one go.
import { createContext, useContext } from 'react';
import type { Library, ProjectView, Scores, Settings, Status } from './api';

export interface ProjectState {
  library: Library;
  settings: Settings;
  project: ProjectView;
  statuses: Status[];
  scores: Scores;
  /** Reloads project, statuses and scores from Rust. */
  refresh: () => Promise<void>;
  /** Shows the requirement in the checklist workspace. */
  gotoRequirement: (id: string) => void;
  /** Shows an error message (bilingual ApiError or anything thrown). */
  reportError: (e: unknown) => void;
}

export const ProjectContext = createContext<ProjectState | null>(null);

export function useProject(): ProjectState {
  const p = useContext(ProjectContext);
  if (!p) throw new Error('useProject outside an open project');
  return p;
}

/** Whether changes are refused (approved projects are frozen until reopened). */
export function isFrozen(p: ProjectView): boolean {
  return p.meta.state === 'approved';
}
