import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { woff2OnlyPlugin } from './src/build/woff2Only.ts';

// The app is loaded from tauri://localhost with a strict CSP: no inline
// scripts, no remote content. Vite's build emits external module scripts.
export default defineConfig({
  plugins: [react(), woff2OnlyPlugin()],
  base: './',
  clearScreen: false,
  build: {
    outDir: 'dist',
    target: 'safari15',
    chunkSizeWarningLimit: 4000,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
  },
});
