// Wires the editor page: input (upload / demo), tools, form, submit with field-level error display, the job
// view and the history.

import * as api from './api.js';
import { CanvasEditor } from './canvas-editor.js';
import { JobView } from './job-view.js';
import { History } from './history.js';

const $ = id => document.getElementById(id);

// The method's defaults of the three main options (EditOptions.defaults() / dragDiffusion(), method.md);
// the form always sends what it shows, so the job runs with exactly these numbers.
const METHOD_DEFAULTS = {
  dragdiffusion: { drag: 80, inversion: 0.7, lora: 80 },
  rotationdrag: { drag: 80, inversion: 0.75, lora: 60 },
  'rotationdrag-cached': { drag: 80, inversion: 0.75, lora: 60 },
  freedrag: { drag: 80, inversion: 0.75, lora: 60 },
  'dragdiffusion-blend': { drag: 80, inversion: 0.75, lora: 60 },
  // the region methods run no drag steps (the drag-steps field is ignored by them)
  'rotate-pixels': { drag: 80, inversion: 0.75, lora: 60 },
  'rotate-latent': { drag: 80, inversion: 0.75, lora: 60 },
};
const OPTION_INPUTS = { drag: 'opt-drag-steps', inversion: 'opt-inversion', lora: 'opt-lora-steps' };
const KNOWN_FIELDS = ['image', 'mask', 'points', 'prompt', 'method', 'options', 'apiKey'];

const editor = new CanvasEditor($('stage'));
const history = new History({ onOpen: id => openJob(id) });
const view = new JobView(editor, {
  onTerminal: () => { setBusy(false); history.load(); },
});
let demos = [];
let currentDemo = null;
let imageName = 'image.png';
let lastAttempt = null; // {sig, key}: a resubmit of the same form after a network error reuses the key
const edited = new Set();

// ---- input ---------------------------------------------------------------------------------------------
$('image-file').addEventListener('change', async e => {
  const f = e.target.files[0];
  if (!f) return;
  $('demo-select').value = '';
  currentDemo = null;
  await loadImage(f, f.name);
});

$('demo-select').addEventListener('change', async e => {
  const d = demos.find(x => x.file === e.target.value);
  if (!d) return;
  $('image-file').value = '';
  clearFieldError('image');
  let blob;
  try {
    const res = await fetch(`demo/${d.file}`);
    if (!res.ok) throw new Error(`${res.status}`);
    blob = await res.blob();
  } catch (err) {
    showFieldError('image', `could not load the demo image (${err.message})`);
    return;
  }
  const prevDemo = currentDemo;
  currentDemo = d;
  if (!$('prompt').value || (prevDemo && $('prompt').value === prevDemo.prompt)) $('prompt').value = d.prompt;
  await loadImage(blob, d.file);
});

async function loadImage(blob, name) {
  clearFieldError('image');
  try {
    await editor.load(blob);
  } catch (err) {
    showFieldError('image', err.message);
    return;
  }
  imageName = name || 'image.png';
  $('stage-empty').hidden = true;
  updateSuggest();
}

function updateSuggest() {
  let b = $('suggest-btn');
  if (!b) {
    b = document.createElement('button');
    b.type = 'button';
    b.id = 'suggest-btn';
    b.textContent = 'Demo points';
    b.title = 'Add the demo scene\'s ground-truth handle -> target pair and its rotation axis';
    b.addEventListener('click', () => {
      if (!currentDemo) return;
      const d = currentDemo;
      editor.addPoint(...d.handle); editor.addPoint(...d.target);
      editor.addPoint(...d.axis); editor.addPoint(...d.axis);
    });
    $('clear-points-btn').after(b);
  }
  b.hidden = !currentDemo;
}

// ---- tools ---------------------------------------------------------------------------------------------
for (const r of document.querySelectorAll('input[name=tool]')) {
  r.addEventListener('change', () => { if (r.checked) editor.setTool(r.value); });
}
$('brush-size').addEventListener('input', e => {
  $('brush-size-out').textContent = e.target.value;
  editor.setBrush(Number(e.target.value));
});
$('undo-btn').addEventListener('click', () => editor.undo());
$('clear-mask-btn').addEventListener('click', () => editor.clearMask());
$('clear-points-btn').addEventListener('click', () => editor.clearPoints());
document.addEventListener('keydown', e => {
  if ((e.ctrlKey || e.metaKey) && e.key === 'z' && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement?.tagName)) {
    e.preventDefault();
    editor.undo();
  }
});

editor.addEventListener('change', () => {
  renderPoints();
  $('undo-btn').disabled = !editor.canUndo();
  clearFieldError('points');
  clearFieldError('mask');
});

function renderPoints() {
  const list = $('points-list');
  list.replaceChildren();
  let drags = 0, axes = 0;
  for (const p of editor.pairs) {
    const li = document.createElement('li');
    const kind = document.createElement('span');
    kind.className = 'kind';
    if (!p.t) {
      li.className = 'pending';
      kind.textContent = 'handle';
      li.append(kind, ` (${p.h[0]}, ${p.h[1]}) -> click a target`);
    } else if (p.t[0] === p.h[0] && p.t[1] === p.h[1]) {
      li.className = 'axis'; axes++;
      kind.textContent = 'axis';
      li.append(kind, ` (${p.h[0]}, ${p.h[1]})`);
    } else {
      li.className = 'drag'; drags++;
      kind.textContent = 'drag';
      li.append(kind, ` (${p.h[0]}, ${p.h[1]}) -> (${p.t[0]}, ${p.t[1]})`);
    }
    list.append(li);
  }
  const cov = editor.hasImage() ? editor.maskCoverage() : 0;
  $('points-summary').textContent = `${drags} drag pair${drags === 1 ? '' : 's'}, ${axes} ax${axes === 1 ? 'is' : 'es'}`
    + (editor.openPair() ? ', 1 open handle' : '')
    + ` | mask ${cov === 0 ? 'empty (all editable)' : `${(cov * 100).toFixed(1)}% editable`}`;
}

// ---- options -------------------------------------------------------------------------------------------
function applyMethodDefaults() {
  const d = METHOD_DEFAULTS[$('method').value] || METHOD_DEFAULTS['rotationdrag-cached'];
  for (const [k, id] of Object.entries(OPTION_INPUTS)) if (!edited.has(id)) $(id).value = d[k];
}
for (const id of Object.values(OPTION_INPUTS)) {
  $(id).addEventListener('input', () => { edited.add(id); clearFieldError($(id).closest('.field').dataset.field); });
}
$('method').addEventListener('change', () => { applyMethodDefaults(); clearFieldError('method'); });
$('prompt').addEventListener('input', () => clearFieldError('prompt'));
$('opt-json').addEventListener('input', () => clearFieldError('options'));
$('opt-preview').addEventListener('input', () => clearFieldError('options.previewEvery'));

/** The options JSON: the free-form part, then the main controls over it. Throws a field error. */
function buildOptions() {
  let extra = {};
  const txt = $('opt-json').value.trim();
  if (txt) {
    try { extra = JSON.parse(txt); } catch (e) { throw fieldError('options', `more options is not valid JSON: ${e.message}`); }
    if (!extra || typeof extra !== 'object' || Array.isArray(extra)) throw fieldError('options', 'more options must be a JSON object');
  }
  const o = structuredClone(extra);
  const put = (path, id, parse) => {
    const raw = $(id).value.trim();
    if (raw === '') return;
    const v = parse(raw);
    if (!Number.isFinite(v)) throw fieldError(`options.${path.join('.')}`, `${$(id).labels[0].textContent} must be a number`);
    let n = o;
    for (const k of path.slice(0, -1)) n = (n[k] && typeof n[k] === 'object') ? n[k] : (n[k] = {});
    n[path[path.length - 1]] = v;
  };
  put(['drag', 'maxSteps'], 'opt-drag-steps', Number);
  put(['inversion', 'strength'], 'opt-inversion', Number);
  put(['lora', 'steps'], 'opt-lora-steps', Number);
  put(['previewEvery'], 'opt-preview', Number);
  return o;
}

// ---- errors --------------------------------------------------------------------------------------------
function fieldError(field, message) { return Object.assign(new Error(message), { field }); }

/** The error slot for a field: exact, else the longest known prefix ("options.drag.lr" -> "options"). */
function slotFor(field) {
  if (!field) return null;
  let f = String(field);
  while (f) {
    const el = document.querySelector(`[data-error-for="${CSS.escape(f)}"]`);
    if (el) return el;
    const i = f.lastIndexOf('.');
    f = i > 0 ? f.slice(0, i) : '';
  }
  return null;
}

/** When the answer names no field, the reason usually starts with it ("points is empty ...") or quotes an option. */
function guessField(message) {
  const opt = /'(options(?:\.[A-Za-z0-9_]+)+)'/.exec(message);
  if (opt) return opt[1];
  const m = /^\s*([A-Za-z]+)(?:\[\d+\])?\b/.exec(message);
  if (m && KNOWN_FIELDS.includes(m[1].toLowerCase())) return m[1].toLowerCase();
  if (/\boption/i.test(message)) return 'options';
  return null;
}

function showFieldError(field, message) {
  const slot = slotFor(field);
  if (!slot) return false;
  slot.textContent = message;
  const box = slot.closest('.field') || document.querySelector(`[data-field="${CSS.escape(field)}"]`);
  box?.classList.add('has-error');
  if (slot.dataset.errorFor === 'options') document.querySelector('details[data-field=options]').open = true;
  return true;
}

function clearFieldError(field) {
  const slot = document.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
  if (!slot) return;
  slot.textContent = '';
  slot.closest('.field')?.classList.remove('has-error');
}

function clearErrors() {
  for (const s of document.querySelectorAll('[data-error-for]')) { s.textContent = ''; }
  for (const f of document.querySelectorAll('.has-error')) f.classList.remove('has-error');
  $('form-error').hidden = true;
}

function showFormError(message) {
  $('form-error').textContent = message;
  $('form-error').hidden = false;
}

// ---- submit --------------------------------------------------------------------------------------------
function setBusy(b) {
  $('submit-btn').disabled = b;
  editor.setLocked(b);
  $('image-file').disabled = b;
  $('demo-select').disabled = b;
  $('app-status').textContent = b ? 'job running: the canvas is locked until it ends or you cancel it' : '';
}

$('job-form').addEventListener('submit', async e => {
  e.preventDefault();
  clearErrors();
  try {
    if (!editor.hasImage()) throw fieldError('image', 'choose an image or a demo first');
    const open = editor.openPair();
    if (open) throw fieldError('points', `the handle at (${open.h[0]}, ${open.h[1]}) has no target yet: click its target (or the same spot for an axis), or undo it`);
    const options = buildOptions();
    const points = editor.pointsJson();
    const mask = await editor.maskPng();
    const method = $('method').value;
    const prompt = $('prompt').value;
    const sig = JSON.stringify([imageName, editor.width, editor.height, points, mask?.size, prompt, method, options]);
    const key = lastAttempt && lastAttempt.sig === sig ? lastAttempt.key : api.newKey();
    lastAttempt = { sig, key };
    $('submit-btn').disabled = true;
    let job;
    try {
      job = await api.submitJob({ image: editor.imageBlob, imageName, mask, points, prompt, method, options, idempotencyKey: key });
    } finally {
      $('submit-btn').disabled = false;
    }
    lastAttempt = null;
    const id = job.id ?? job.jobId;
    setBusy(true);
    history.setActive(id);
    view.follow(id, editor.imageBlob);
    history.load();
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 0) {
      showFormError(`${err.message}. Submitting again re-sends the same request (same Idempotency-Key).`);
      return;
    }
    if (err instanceof api.ApiError) lastAttempt = null;
    let field = err.field || (err instanceof api.ApiError ? guessField(err.message) : null);
    if (field === 'options') { // point at the option named in the reason when it has a control of its own
      const named = /(options(?:\.[A-Za-z0-9_]+)+)/.exec(err.message);
      if (named) field = named[1];
    }
    const placed = field && showFieldError(field, err.message);
    if (err instanceof api.ApiError) {
      showFormError(placed ? `The gateway rejected the job (HTTP ${err.status}): see the field marked in red.`
        : `The gateway rejected the job (HTTP ${err.status}): ${err.message}`);
    } else if (!placed) {
      showFormError(err.message);
    }
  }
});

async function openJob(id) {
  setBusy(false); // the canvas holds this page's input, not necessarily the opened job's
  history.setActive(id);
  view.follow(id, null);
}

// ---- start ---------------------------------------------------------------------------------------------
async function start() {
  // the API key: kept in this browser's localStorage, sent as a bearer token by api.js
  $('api-key').value = api.apiKey();
  $('api-key').addEventListener('change', () => {
    api.setApiKey($('api-key').value.trim());
    history.load();
  });
  applyMethodDefaults();
  renderPoints();
  $('undo-btn').disabled = true;
  try {
    demos = await (await fetch('demo/demos.json')).json();
    for (const d of demos) {
      const o = document.createElement('option');
      o.value = d.file; o.textContent = d.title || d.file;
      $('demo-select').append(o);
    }
  } catch { /* no demos: upload still works */ }
  updateSuggest();
  history.load();
  document.body.dataset.ready = 'true';
}

// exposed for the browser test and the console: read-only views of the editor's state
window.rdEditor = {
  points: () => editor.pointsJson(),
  maskCoverage: () => editor.maskCoverage(),
  maskAt: (x, y) => editor.maskAt(x, y),
  jobId: () => view.job?.id ?? null,
  jobState: () => view.job?.state ?? null,
  liveUpdates: () => editor.liveUpdates,
};
start();
