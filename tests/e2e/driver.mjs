// A small W3C WebDriver client for the end-to-end tests: starts
// tauri-driver (which starts WebKitWebDriver and the app), and offers the
// few calls the tests need. No npm dependencies: Node's fetch.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const PORT = Number(process.env.E2E_PORT || 4444);
const BASE = `http://127.0.0.1:${PORT}`;
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const APP = process.env.APP_BIN || path.join(ROOT, 'target/debug/iovaudit-app');
export const SHOTS = process.env.E2E_SHOTS || path.join(ROOT, 'target/e2e-screenshots');

let driver = null;

export async function startDriver() {
  const bin = process.env.TAURI_DRIVER || 'tauri-driver';
  // The driver's (and the app's) output goes to a file, not to this process's
  // stdout: the test runner reads that pipe until every writer is gone, so an
  // app that outlives its session would otherwise hold the run open.
  mkdirSync(path.join(ROOT, 'target'), { recursive: true });
  const log = openSync(path.join(ROOT, 'target/e2e-driver.log'), 'a');
  driver = spawn(bin, ['--port', String(PORT)], { stdio: ['ignore', log, log] });
  driver.on('error', (e) => {
    console.error(`cannot start ${bin}: ${e.message} (cargo install tauri-driver@2.1.0 --locked)`);
  });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${BASE}/status`);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  throw new Error('tauri-driver did not start');
}

export function stopDriver() {
  // An app that outlived its session (WebKitWebDriver does not always end it).
  try {
    execFileSync('pkill', ['-f', APP]);
  } catch {
    /* none left */
  }
  if (driver) {
    driver.kill('SIGTERM');
    const d = driver;
    setTimeout(() => d.kill('SIGKILL'), 3000).unref();
  }
  driver = null;
}

async function req(method, url, body) {
  const r = await fetch(`${BASE}${url}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(120000),
  });
  const j = await r.json().catch(() => ({}));
  if (!r.ok || (j.value && j.value.error)) {
    const v = j.value || {};
    throw new Error(`${method} ${url}: ${v.error || r.status} ${v.message || ''}`);
  }
  return j.value;
}

const ELEMENT = 'element-6066-11e4-a52e-4f304a5c6d8b';
/** The element reference of a WebDriver answer (W3C key, or the legacy one). */
const ref = (e) => e[ELEMENT] ?? e.ELEMENT ?? Object.values(e)[0];

export class Session {
  constructor(id) {
    this.id = id;
  }

  /** Starts the app with `args` (e.g. a project folder). */
  static async start(args = []) {
    let last;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const v = await req('POST', '/session', {
          capabilities: { alwaysMatch: { 'tauri:options': { application: APP, args } } },
        });
        return new Session(v.sessionId);
      } catch (e) {
        last = e;
        await sleep(1000);
      }
    }
    throw last;
  }

  async end() {
    await req('DELETE', `/session/${this.id}`).catch(() => undefined);
  }

  async find(css, { timeout = 15000, visible = true } = {}) {
    const until = Date.now() + timeout;
    let lastErr;
    while (Date.now() < until) {
      try {
        const v = await req('POST', `/session/${this.id}/element`, { using: 'css selector', value: css });
        const el = ref(v);
        if (!visible || (await this.displayed(el))) return el;
      } catch (e) {
        lastErr = e;
      }
      await sleep(100);
    }
    const shot = await this.shot(`failed-${Date.now()}`).catch(() => '');
    throw new Error(`no element ${css} within ${timeout} ms (${lastErr ? lastErr.message : 'not displayed'}) ${shot}`);
  }

  async findAll(css) {
    const v = await req('POST', `/session/${this.id}/elements`, { using: 'css selector', value: css });
    return v.map(ref);
  }

  async exists(css) {
    return (await this.findAll(css)).length > 0;
  }

  async displayed(el) {
    return req('GET', `/session/${this.id}/element/${el}/displayed`).catch(() => false);
  }

  async tid(id, opts) {
    return this.find(`[data-testid="${id}"]`, opts);
  }

  async click(css, opts) {
    return this.clickEl(await this.find(css, opts));
  }

  /** Clicks an element reference (from find/findAll). */
  async clickEl(el) {
    // A closing modal or a toast may cover the element for a moment.
    for (let i = 0; ; i++) {
      try {
        await req('POST', `/session/${this.id}/element/${el}/click`, {});
        return el;
      } catch (e) {
        if (i >= 40 || !/intercepted|not interactable/.test(e.message)) {
          const shot = await this.shot(`failed-${Date.now()}`).catch(() => '');
          throw new Error(`${e.message} ${shot}`);
        }
        await sleep(150);
      }
    }
  }

  async clickTid(id, opts) {
    return this.click(`[data-testid="${id}"]`, opts);
  }

  /** Clears an input and types `text`. */
  async type(css, text) {
    await this.find(css);
    const inner = `${css} input, ${css} textarea`;
    // WebDriver's clear does not reach React's onChange: empty the field
    // through the native setter and an input event, then type. Wrapped
    // inputs (antd Input.Password, addons) carry the test id outside.
    const ok = await this.exec(
      `let el = document.querySelector(arguments[0]);
       if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) el = document.querySelector(arguments[1]);
       if (!el) return false;
       const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
       Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, '');
       el.dispatchEvent(new Event('input', { bubbles: true }));
       el.setAttribute('data-e2e-typing', '1');
       return true;`,
      [css, inner],
    );
    if (!ok) throw new Error(`${css} is not an input`);
    const el = await this.find('[data-e2e-typing="1"]');
    // Typing nothing = just the clearing above (WebKitWebDriver refuses empty text).
    if (text !== '') await req('POST', `/session/${this.id}/element/${el}/value`, { text });
    await this.exec(`document.querySelectorAll('[data-e2e-typing]').forEach((e) => e.removeAttribute('data-e2e-typing'))`);
    return el;
  }

  async typeTid(id, text) {
    return this.type(`[data-testid="${id}"]`, text);
  }

  async text(css) {
    const el = await this.find(css);
    return req('GET', `/session/${this.id}/element/${el}/text`);
  }

  async textTid(id) {
    return this.text(`[data-testid="${id}"]`);
  }

  /** Waits until the element's text satisfies `pred`; returns the text. */
  async waitText(css, pred, timeout = 20000) {
    const until = Date.now() + timeout;
    let last = '';
    while (Date.now() < until) {
      try {
        last = await this.text(css);
        if (pred(last)) return last;
      } catch {
        /* not there yet */
      }
      await sleep(150);
    }
    const shot = await this.shot(`failed-${Date.now()}`).catch(() => '');
    throw new Error(`text of ${css} never matched; last: ${JSON.stringify(last)} ${shot}`);
  }

  /** Waits until `script` (a JS expression) is truthy in the page. */
  async waitJs(script, timeout = 20000) {
    const until = Date.now() + timeout;
    while (Date.now() < until) {
      if (await this.exec(`return !!(${script})`).catch(() => false)) return;
      await sleep(150);
    }
    const shot = await this.shot(`failed-${Date.now()}`).catch(() => '');
    throw new Error(`never true: ${script} ${shot}`);
  }

  async keys(text) {
    const actions = [...text].flatMap((c) => [
      { type: 'keyDown', value: c },
      { type: 'keyUp', value: c },
    ]);
    await req('POST', `/session/${this.id}/actions`, { actions: [{ type: 'key', id: 'kbd', actions }] });
    await req('DELETE', `/session/${this.id}/actions`).catch(() => undefined);
  }

  /** Presses keys together (e.g. Control + Enter) and releases them in reverse. */
  async chord(...keys) {
    const actions = [...keys.map((k) => ({ type: 'keyDown', value: k })), ...keys.reverse().map((k) => ({ type: 'keyUp', value: k }))];
    await req('POST', `/session/${this.id}/actions`, { actions: [{ type: 'key', id: 'kbd', actions }] });
    await req('DELETE', `/session/${this.id}/actions`).catch(() => undefined);
  }

  async exec(script, args = []) {
    return req('POST', `/session/${this.id}/execute/sync`, { script, args });
  }

  async title() {
    return req('GET', `/session/${this.id}/title`);
  }

  /** Saves a screenshot as SHOTS/name.png and returns its path. */
  async shot(name) {
    mkdirSync(SHOTS, { recursive: true });
    const b64 = await req('GET', `/session/${this.id}/screenshot`);
    const f = path.join(SHOTS, `${name}.png`);
    writeFileSync(f, Buffer.from(b64, 'base64'));
    return f;
  }
}

/** Makes the next native file/folder chooser return these paths (test seam). */
export function willPick(paths) {
  const f = process.env.IOVAUDIT_E2E_PICK;
  if (!f) throw new Error('IOVAUDIT_E2E_PICK is not set');
  writeFileSync(f, paths.join('\n') + '\n');
}
