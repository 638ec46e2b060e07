// One job on screen: live progress from its SSE stream (stage chips, progress bar, handle positions over the
// input, previews), then the result (side by side, before/after slider, handle trajectories, metrics, download).

import * as api from './api.js';
import { arrow } from './canvas-editor.js';

export const STATES = ['QUEUED', 'LORA', 'INVERT', 'DRAG', 'DENOISE', 'EVAL', 'SUCCEEDED'];
const WORK = ['LORA', 'INVERT', 'DRAG', 'DENOISE', 'EVAL'];
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
export const isTerminal = s => TERMINAL.has(s);
const POLL_MS = 1500;

const $ = id => document.getElementById(id);

/** The job JSON in one shape, whatever names the gateway uses. */
export function normJob(j) {
  if (!j || typeof j !== 'object') return {};
  const p = j.progress && typeof j.progress === 'object' ? j.progress : {};
  return {
    id: j.id ?? j.jobId,
    state: String(j.state ?? j.status ?? '').toUpperCase() || null,
    method: j.method,
    prompt: j.prompt,
    createdAt: j.createdAt ?? j.created_at ?? j.created,
    step: (p.step ?? p.stage ?? j.progressStep ?? null),
    done: num(p.done ?? p.current ?? j.progressDone),
    total: num(p.total ?? j.progressTotal),
    metrics: j.metrics ?? null,
    error: j.error ?? j.errorMessage ?? j.message ?? null,
    width: j.imageWidth ?? j.width ?? j.image?.width,
    height: j.imageHeight ?? j.height ?? j.image?.height,
    links: j.links ?? j._links ?? {},
  };
}

const num = v => (v === null || v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v));

/** Overall fraction done: each working state is one fifth; inside it, done/total of its step counter. */
export function overall(state, done, total) {
  if (state === 'SUCCEEDED') return 1;
  const i = WORK.indexOf(state);
  if (i < 0) return 0;
  const frac = total > 0 && done !== null ? Math.min(1, Math.max(0, done / total)) : 0;
  return (i + frac) / WORK.length;
}

export class JobView {
  /** @param {import('./canvas-editor.js').CanvasEditor} editor */
  constructor(editor, { onTerminal } = {}) {
    this.editor = editor;
    this.onTerminal = onTerminal || (() => {});
    this.job = null;
    this.es = null;
    this.pollTimer = null;
    this.inputUrl = null;   // object URL of the input shown beside the result
    this.traj = null;
    $('cancel-btn').addEventListener('click', () => this.cancel());
    $('compare-slider').addEventListener('input', () => this.#slide());
    $('traj-toggle').addEventListener('change', () => this.#drawTrajectory());
    $('result-img').addEventListener('load', () => this.#drawTrajectory());
  }

  /** Follows job {@code id}; {@code inputBlob} is the input image when this page submitted it. */
  follow(id, inputBlob) {
    this.stop();
    this.job = { id, state: 'QUEUED', done: null, total: null };
    if (this.inputUrl) URL.revokeObjectURL(this.inputUrl);
    this.inputUrl = inputBlob ? URL.createObjectURL(inputBlob) : null;
    this.traj = null;
    $('job-id').textContent = id;
    $('job-error').hidden = true;
    $('preview-fig').hidden = true;
    $('result-box').hidden = true;
    $('result-empty').hidden = false;
    $('result-empty').textContent = 'Waiting for the result...';
    this.#render();
    // the event stream needs the job's signed link, which its JSON carries: fetch it first
    this.refresh().finally(() => { if (this.job?.id === id && !this.es) this.#open(); });
  }

  stop() {
    if (this.es) { this.es.close(); this.es = null; }
    clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  isActive() { return this.job && !TERMINAL.has(this.job.state); }

  async cancel() {
    if (!this.job) return;
    $('cancel-btn').disabled = true;
    try {
      const j = await api.cancelJob(this.job.id);
      if (j) this.#apply(normJob(j));
      this.refresh();
    } catch (e) {
      this.#error(`cancel failed: ${e.message}`);
      $('cancel-btn').disabled = false;
    }
  }

  async refresh() {
    if (!this.job) return;
    const id = this.job.id;
    try {
      const j = normJob(await api.getJob(id));
      if (this.job?.id === id) this.#apply(j);
    } catch (e) {
      if (this.job?.id === id) this.#error(e.message);
    }
  }

  // ---- SSE -----------------------------------------------------------------------------------------------
  // The gateway's stream: "state" (the full job), "progress" ({step, done, total, fraction}), "drag" ({step,
  // total, handles, loss, preview}), then "end" ({id, state}) after the terminal state; the stream is closed here
  // on "end", or the EventSource would reconnect and get the final state again.
  #open() {
    const id = this.job.id;
    const es = new EventSource(api.eventsUrl(id));
    this.es = es;
    const on = (name, fn) => es.addEventListener(name, ev => {
      if (this.es !== es) return;
      let d;
      try { d = JSON.parse(ev.data); } catch { return; }
      if (d && typeof d === 'object') fn(d);
    });
    on('state', d => this.#apply(normJob(d)));
    on('progress', d => this.#apply({ step: d.step, done: num(d.done), total: num(d.total) }));
    on('drag', d => this.#onDrag(d));
    on('end', d => {
      es.close();
      this.es = null;
      const st = String(d.state || '').toUpperCase();
      if (st === 'DELETED') { this.#error('The job was deleted.'); this.#apply({ state: 'CANCELLED' }); }
      else this.refresh(); // the final job, with metrics
    });
    es.addEventListener('error', () => {
      if (this.es !== es) return;
      if (es.readyState === EventSource.CLOSED) { this.es = null; this.#poll(); }
    });
  }

  #poll() {
    clearTimeout(this.pollTimer);
    if (!this.isActive()) return;
    this.pollTimer = setTimeout(async () => { await this.refresh(); this.#poll(); }, POLL_MS);
  }

  #onDrag(d) {
    const hs = (d.handles || []).map(h => Array.isArray(h) ? h : [h.x, h.y]);
    if (this.inputUrl) this.editor.setLiveHandles(hs); // only over the input this page submitted
    const src = typeof d.preview === 'string' && d.preview ? d.preview : null;
    if (src && $('preview-img').dataset.src !== src) {
      $('preview-img').dataset.src = src;
      $('preview-img').src = src;
      const m = /previews\/(\d+)/.exec(src);
      $('preview-cap').textContent = `preview at drag step ${m ? m[1] : '?'}`;
      $('preview-fig').hidden = false;
    }
    this.lastLoss = num(d.loss);
    if (this.job.state === 'DRAG') this.#render();
  }

  #apply(j) {
    if (!this.job) return;
    const prev = this.job.state;
    for (const k of ['state', 'step', 'done', 'total', 'metrics', 'error', 'method', 'width', 'height', 'links']) {
      if (j[k] !== undefined && j[k] !== null) this.job[k] = j[k];
    }
    this.#render();
    if (TERMINAL.has(this.job.state) && !TERMINAL.has(prev)) this.#finish();
  }

  #render() {
    const j = this.job;
    const st = j.state || 'QUEUED';
    const stEl = $('job-state');
    stEl.textContent = st;
    stEl.className = `state ${st}`;
    const cur = STATES.indexOf(st);
    for (const li of $('stage-chips').children) {
      const i = STATES.indexOf(li.dataset.state);
      li.className = st === 'SUCCEEDED' ? 'done'
        : (st === 'FAILED' || st === 'CANCELLED') ? (li.dataset.state === (j.step && String(j.step).toUpperCase()) ? 'bad' : '')
          : i < cur ? 'done' : i === cur ? 'current' : '';
    }
    // the step counter counts only inside the step it names
    const counts = j.step && String(j.step).toUpperCase() === st;
    const f = overall(st, counts ? j.done : null, counts ? j.total : null);
    const pct = Math.round(f * 100);
    $('progress-fill').style.width = `${pct}%`;
    $('progress-bar').setAttribute('aria-valuenow', String(pct));
    let text = st === 'QUEUED' ? 'queued, waiting for a worker'
      : st === 'SUCCEEDED' ? 'done'
        : st === 'FAILED' ? 'failed' : st === 'CANCELLED' ? 'cancelled' : st.toLowerCase();
    if (WORK.includes(st) && counts && j.total) text += ` ${j.done ?? 0}/${j.total}`;
    if (st === 'DRAG' && this.lastLoss !== null && this.lastLoss !== undefined) text += `, loss ${this.lastLoss.toPrecision(4)}`;
    $('progress-text').textContent = `${text} (${pct}% overall)`;
    $('cancel-btn').disabled = !this.isActive();
  }

  #error(msg) {
    const e = $('job-error');
    e.textContent = msg;
    e.hidden = false;
  }

  async #finish() {
    this.stop();
    this.editor.setLiveHandles(null);
    const j = this.job;
    if (j.state === 'FAILED') this.#error(`The job failed: ${j.error || 'no reason given'}`);
    if (j.state === 'CANCELLED') $('result-empty').textContent = 'The job was cancelled.';
    if (j.state === 'SUCCEEDED') await this.#showResult();
    else if (j.state !== 'CANCELLED') $('result-empty').textContent = 'No result.';
    this.onTerminal(j);
  }

  // ---- result --------------------------------------------------------------------------------------------
  async #showResult() {
    const id = this.job.id;
    const url = api.resultUrl(id, `t=${Date.now()}`);
    const input = this.inputUrl || api.inputUrl(id);
    $('result-img').src = url;
    $('compare-after').src = url;
    $('result-input').src = input;
    $('compare-before').src = input;
    $('download-link').href = api.resultUrl(id);
    $('download-link').setAttribute('download', `rotationdrag-${id}.png`);
    $('result-empty').hidden = true;
    $('result-box').hidden = false;
    this.#slide();
    this.#metrics(this.job.metrics);
    try {
      this.traj = await api.getTrajectory(id);
    } catch (e) {
      this.traj = null;
      $('traj-toggle').parentElement.title = `no trajectory: ${e.message}`;
    }
    this.#drawTrajectory();
  }

  #slide() {
    const v = Number($('compare-slider').value);
    $('compare-after').style.clipPath = `inset(0 0 0 ${v}%)`;
    $('compare-line').style.left = `${v}%`;
  }

  #metrics(m) {
    const body = $('metrics').tBodies[0];
    body.replaceChildren();
    let obj = m;
    if (typeof m === 'string') { try { obj = JSON.parse(m); } catch { obj = { metrics: m }; } }
    const rows = [];
    const walk = (o, prefix) => {
      for (const [k, v] of Object.entries(o || {})) {
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v, `${prefix}${k}.`);
        else rows.push([`${prefix}${k}`, v]);
      }
    };
    walk(obj, '');
    // worker-eval nests each metric as metrics.<name>.value (or .unavailable with the reason): show <name>
    for (const r of rows) r[0] = r[0].replace(/^metrics\./, '').replace(/\.value$/, '').replace(/\.unavailable$/, ' (unavailable)');
    if (!rows.length) rows.push(['(none)', 'the job reported no metrics']);
    for (const [k, v] of rows) {
      const tr = body.insertRow();
      tr.insertCell().textContent = k;
      tr.insertCell().textContent = typeof v === 'number' ? fmt(v) : Array.isArray(v) ? JSON.stringify(v) : String(v);
    }
  }

  /** Handle trajectories over the result: initial handle (red) -> tracked path (orange) -> target (blue). */
  #drawTrajectory() {
    const img = $('result-img');
    const c = $('traj-canvas');
    const w = this.job?.width || img.naturalWidth;
    const h = this.job?.height || img.naturalHeight;
    if (!w || !h) return;
    c.width = w; c.height = h;
    c.style.height = `${img.clientHeight}px`;
    c.style.width = `${img.clientWidth}px`;
    const g = c.getContext('2d');
    g.clearRect(0, 0, w, h);
    if (!$('traj-toggle').checked || !this.traj) return;
    const paths = trajectoryPaths(this.traj);
    const s = w / Math.max(1, img.clientWidth);
    paths.forEach(p => {
      if (p.target) arrow(g, p.start, p.target, 'rgba(30,136,229,0.55)', 1.5 * s);
      g.save(); g.strokeStyle = '#ff9800'; g.lineWidth = 2.5 * s; g.lineJoin = 'round'; g.beginPath();
      p.path.forEach((q, i) => (i ? g.lineTo(q[0], q[1]) : g.moveTo(q[0], q[1])));
      g.stroke(); g.restore();
      mark(g, p.start, 4 * s, '#e53935');
      if (p.target) mark(g, p.target, 4 * s, '#1e88e5');
      mark(g, p.path[p.path.length - 1], 3.5 * s, '#ff9800');
    });
  }
}

/**
 * The drag stage's trajectory.json -> one path per drag handle. The worker writes {targets: [[x,y]..],
 * handles: [[[x,y]..] per iteration, index 0 = the initial handles], ...}; an older shape {handles0, targets,
 * steps: [{handles}]} is read too.
 */
export function trajectoryPaths(t) {
  const targets = t.targets || [];
  const iters = Array.isArray(t.handles) ? t.handles : (t.steps || []).map(s => s.handles).filter(Boolean);
  const h0 = t.handles0 || iters[0] || [];
  const rest = t.handles0 ? iters : iters.slice(1);
  return h0.map((start, i) => ({
    start,
    target: targets[i] || null,
    path: [start, ...rest.map(it => it && it[i]).filter(Boolean)],
  }));
}

function mark(g, p, r, color) {
  g.beginPath(); g.arc(p[0], p[1], r, 0, Math.PI * 2); g.fillStyle = color; g.fill();
  g.lineWidth = r / 3; g.strokeStyle = '#fff'; g.stroke();
}

function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}
