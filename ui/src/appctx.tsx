// App-wide state available with or without an open project.
import { createContext, useContext } from 'react';
import type { Library, Settings } from './api';

export interface AppState {
  library: Library;
  settings: Settings;
  /** Saves settings in Rust and updates the UI (language switch etc.). */
  saveSettings: (s: Settings) => Promise<void>;
  reportError: (e: unknown) => void;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const a = useContext(AppContext);
  if (!a) throw new Error('useApp outside the app');
  return a;
}
