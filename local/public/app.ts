// The demo page: sign in as any user (local development sign-in), upload by any of the three
// paths, watch progress, see the callback's answer, and list, preview and download your files.

import * as ossUpload from '../../client';
import { devLogin, UploadError, UploadSession, webStorageCheckpoints, type ManyResult, type StoredObject, type UploadMethod, type UploadOptions, type UploadResult } from '../../client';

const METHOD_LABEL: Record<UploadMethod, string> = {
  post: 'PostObject form',
  put: 'Presigned PUT',
  multipart: 'Multipart (STS)',
};
const IMAGE = /\.(png|jpe?g|gif|webp|avif)$/i;
const SIGN_IN_KEY = 'oss-demo-sign-in';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function byId<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function describe(err: unknown): string {
  if (err instanceof UploadError) return err.message;
  return `Something went wrong: ${err instanceof Error ? err.message : String(err)}`;
}

let session: UploadSession | undefined;

// Signed in per tab, and still signed in after a reload so an interrupted upload can resume.
function signIn(user: string, token: string): void {
  sessionStorage.setItem(SIGN_IN_KEY, JSON.stringify({ user, token }));
  session = new UploadSession({ authToken: () => token, checkpoints: webStorageCheckpoints() });
  // For the browser console (and the browser tests): the signed-in session and the library.
  Object.assign(window, { ossDemo: { session, user, lib: ossUpload } });
  byId('whoami').textContent = `Signed in as ${user}.`;
  byId('signout').hidden = false;
  byId('upload-section').hidden = false;
  byId('files-section').hidden = false;
  byId('uploads').replaceChildren();
  void refreshList();
}

function signOut(): void {
  sessionStorage.removeItem(SIGN_IN_KEY);
  session = undefined;
  Object.assign(window, { ossDemo: undefined });
  byId('whoami').textContent = 'Signed out.';
  byId('signout').hidden = true;
  byId('upload-section').hidden = true;
  byId('files-section').hidden = true;
  byId('file-list').replaceChildren();
}

async function onSignIn(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const user = byId<HTMLInputElement>('user').value.trim();
  byId('whoami').textContent = `Signing in as ${user}…`;
  try {
    signIn(user, await devLogin(user));
  } catch (err) {
    byId('whoami').textContent = `Could not sign in: ${describe(err)}`;
  }
}

function chosenMethod(): UploadMethod | 'auto' {
  return byId<HTMLSelectElement>('method').value as UploadMethod | 'auto';
}

type Send = (file: File, options: UploadOptions) => Promise<UploadResult>;

/**
 * One list item per file: name, a progress bar, a status line, and the callback's answer when done.
 * `send` uploads it (default: session.upload; startUploads hands each file's part of one uploadMany).
 */
function startUpload(file: File, chosen = chosenMethod(), send?: Send): void {
  if (!session) return;
  const current = session;
  const method = chosen === 'auto' ? current.methodFor(file) : chosen;
  const progress = el('progress', { max: 100, value: 0 });
  progress.setAttribute('aria-label', `Upload progress of ${file.name}`);
  const percent = el('span', { className: 'percent' }, '0 %');
  const status = el('p', { className: 'status' }, 'Starting…');
  status.setAttribute('role', 'status');
  const meta = el('span', { className: 'meta' }, `${formatSize(file.size)} · ${file.type || 'unknown type'} · ${METHOD_LABEL[method]}`);
  const cancel = el('button', { type: 'button', className: 'cancel' }, 'Cancel');
  cancel.setAttribute('aria-label', `Cancel the upload of ${file.name}`);
  const retry = el('button', { type: 'button', className: 'retry', hidden: true }, 'Resume');
  retry.setAttribute('aria-label', `Resume the upload of ${file.name}`);
  const item = el('li', { className: 'upload' }, el('div', { className: 'row' }, el('span', { className: 'name' }, file.name), meta), progress, percent, status, cancel, retry);
  item.dataset.file = file.name;
  item.dataset.state = 'uploading';
  byId('uploads').prepend(item);

  const controller = new AbortController();
  cancel.onclick = () => controller.abort();
  retry.onclick = () => {
    item.remove();
    startUpload(file, 'multipart');
  };

  (send ?? ((f, options) => current.upload(f, options)))(file, {
      method,
      signal: controller.signal,
      onProgress: (p) => {
        // A part still in flight can report after the upload has failed or been cancelled; its
        // progress must not paint over the error.
        if (item.dataset.state !== 'uploading') return;
        progress.value = Math.round(p.fraction * 100);
        percent.textContent = `${Math.floor(p.fraction * 100)} %`;
        if (p.fraction < 1 && !status.textContent?.startsWith('Resuming')) status.textContent = 'Uploading…';
      },
      onResume: (done, total) => {
        status.textContent = `Resuming: ${done} of ${total} parts were already uploaded.`;
      },
    })
    .then((result) => finished(item, status, cancel, result))
    .catch((err: unknown) => {
      item.dataset.state = 'failed';
      cancel.hidden = true;
      status.className = 'status error';
      status.setAttribute('role', 'alert');
      status.textContent = describe(err);
      if (err instanceof UploadError) item.dataset.error = err.code;
      const resumable = err instanceof UploadError && (err.code === 'Network' || err.code === 'Expired');
      retry.hidden = !(resumable && method === 'multipart');
    });
}

/** Files chosen or dropped together: signed with one /sign request (session.uploadMany), each with its own item. */
function startUploads(files: File[]): void {
  const chosen = chosenMethod();
  const current = session;
  if (!current || files.length < 2 || chosen === 'multipart') {
    for (const file of files) startUpload(file, chosen);
    return;
  }
  const each: { options: UploadOptions; settle: (result: ManyResult<UploadResult>) => void }[] = [];
  for (const file of files) {
    startUpload(file, chosen, (_file, options) => new Promise((resolve, reject) => each.push({ options, settle: (r) => (r.ok ? resolve(r.result) : reject(r.error)) })));
  }
  void current.uploadMany(files, {
    method: chosen,
    signalOf: (i) => each[i].options.signal,
    onProgress: (i, p) => each[i].options.onProgress?.(p),
    onResume: (i, done, total) => each[i].options.onResume?.(done, total),
    onResult: (i, r) => each[i].settle(r),
  });
}

function finished(item: HTMLElement, status: HTMLElement, cancel: HTMLElement, result: UploadResult): void {
  item.dataset.state = 'done';
  item.dataset.key = result.key;
  cancel.hidden = true;
  const resumed = result.resumedParts ? ` after resuming (${result.resumedParts} parts were already there)` : '';
  status.textContent = `Uploaded by ${METHOD_LABEL[result.method]}${resumed} as ${result.key}.`;
  // One line a person reads; the whole answer folded away for whoever wants it.
  const summary = el('p', { className: 'answer' }, answerLine(result));
  summary.setAttribute('aria-label', 'Callback answer');
  const json = el('pre', { className: 'callback' }, JSON.stringify(result.callback ?? null, null, 2));
  json.setAttribute('aria-label', 'Callback JSON');
  item.append(summary, el('details', {}, el('summary', {}, 'Callback JSON'), json));
  void refreshList();
}

/** The callback answer as a person reads it: name · size · type (what OSS stored, as the callback saw it). */
function answerLine(result: UploadResult): string {
  const a = (result.callback ?? {}) as { filename?: unknown; size?: unknown; mimeType?: unknown };
  const name = typeof a.filename === 'string' ? a.filename : result.key.slice(result.key.lastIndexOf('/') + 1);
  const size = typeof a.size === 'number' ? a.size : result.size;
  const type = typeof a.mimeType === 'string' ? a.mimeType : result.contentType;
  return `Stored: ${name} · ${formatSize(size)} · ${type}`;
}

async function fileRow(current: UploadSession, object: StoredObject): Promise<HTMLElement> {
  const download = await current.downloadUrl(object.key, { filename: object.name });
  const link = el('a', { href: download.url, download: object.name }, object.name);
  let preview: HTMLElement = el('span', { className: 'placeholder' }, object.name.split('.').pop()?.toUpperCase() ?? 'FILE');
  preview.setAttribute('aria-hidden', 'true');
  if (IMAGE.test(object.key)) {
    const inline = await current.downloadUrl(object.key);
    preview = el('img', { src: inline.url, alt: `Preview of ${object.name}`, width: 64, height: 64, loading: 'lazy' });
  }
  const remove = el('button', { type: 'button', className: 'delete' }, 'Delete');
  remove.setAttribute('aria-label', `Delete ${object.name}`);
  remove.onclick = () => void deleteFile(current, object, remove);
  const row = el('li', {}, preview, link, el('span', { className: 'size' }, formatSize(object.size)), remove);
  row.dataset.key = object.key;
  return row;
}

async function deleteFile(current: UploadSession, object: StoredObject, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    await current.remove(object.key);
    byId('list-status').textContent = `Deleted ${object.name}.`;
    await refreshList();
  } catch (err) {
    button.disabled = false;
    byId('list-status').textContent = `Could not delete ${object.name}: ${describe(err)}`;
  }
}

let listing = 0;
async function refreshList(): Promise<void> {
  if (!session) return;
  const current = session;
  const turn = ++listing;
  const status = byId('list-status');
  status.textContent = 'Loading your files…';
  try {
    const objects = (await current.list()).sort((a, b) => b.lastModified.localeCompare(a.lastModified));
    const rows = await Promise.all(objects.map((o) => fileRow(current, o)));
    if (turn !== listing || current !== session) return; // a newer refresh or another user took over
    byId('file-list').replaceChildren(...rows);
    status.textContent = objects.length === 0 ? 'No files yet.' : `${objects.length} file${objects.length === 1 ? '' : 's'}.`;
  } catch (err) {
    if (turn === listing) status.textContent = `Could not list your files: ${describe(err)}`;
  }
}

function wireDropzone(): void {
  const zone = byId('dropzone');
  const input = byId<HTMLInputElement>('files');
  input.addEventListener('change', () => {
    startUploads([...(input.files ?? [])]);
    input.value = '';
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    startUploads([...(e.dataTransfer?.files ?? [])]);
  });
}

/** A page opened on an origin the runtime does not allow fails every upload with no reason a browser shows: say it, with the fix. */
async function checkOrigin(): Promise<void> {
  const page = (await (await fetch('/api/dev/config')).json().catch(() => ({}))) as { allowed?: boolean; fix?: string };
  if (page.allowed === false && page.fix) document.body.prepend(el('p', { className: 'status error', role: 'alert', id: 'origin-refused' }, page.fix));
}

function main(): void {
  byId<HTMLFormElement>('signin').addEventListener('submit', (e) => void onSignIn(e));
  byId('signout').addEventListener('click', signOut);
  byId('refresh').addEventListener('click', () => void refreshList());
  wireDropzone();
  void checkOrigin().catch(() => {});
  const saved = sessionStorage.getItem(SIGN_IN_KEY);
  if (saved) {
    const { user, token } = JSON.parse(saved) as { user: string; token: string };
    byId<HTMLInputElement>('user').value = user;
    signIn(user, token);
  }
}

main();
