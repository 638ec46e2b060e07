// The editing canvas: the input image, the editable mask (painted / erased with a round brush) and the
// handle -> target point pairs. Everything is kept in image pixels (x right, y down); the canvas backing store
// has the image's size and CSS scales it, so pointer positions are divided by the display scale.

const HISTORY_LIMIT = 40;
const MASK_TINT = 'rgba(47, 111, 222, 0.38)';
const COLORS = { handle: '#e53935', target: '#1e88e5', axis: '#43a047', live: '#ff9800' };

export class CanvasEditor extends EventTarget {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    super();
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.image = null;            // HTMLImageElement / ImageBitmap of the input
    this.imageBlob = null;        // what is uploaded (the user's file or the demo PNG as it is)
    this.mask = document.createElement('canvas'); // alpha > 0 = editable
    this.maskCtx = this.mask.getContext('2d', { willReadFrequently: true });
    this.tint = document.createElement('canvas');
    this.pairs = [];              // {h:[x,y], t:[x,y] | null}
    this.history = [];
    this.tool = 'mask';
    this.brush = 12;              // brush diameter in image pixels
    this.liveHandles = null;      // current handle positions during a drag, [[x,y],...]
    this.liveUpdates = 0;         // how many handle updates were drawn (read by the browser test)
    this.hover = null;
    this.stroke = null;
    this.locked = false;          // no edits while a job runs on this input
    this.#bindPointer();
  }

  /** Loads a new input image (Blob); clears mask, points and history. */
  async load(blob) {
    const img = await decode(blob);
    this.image = img;
    this.imageBlob = blob;
    this.canvas.width = this.mask.width = this.tint.width = img.naturalWidth;
    this.canvas.height = this.mask.height = this.tint.height = img.naturalHeight;
    this.maskCtx.clearRect(0, 0, this.mask.width, this.mask.height);
    this.pairs = [];
    this.history = [];
    this.liveHandles = null;
    this.render();
    this.#changed();
  }

  get width() { return this.canvas.width; }
  get height() { return this.canvas.height; }
  hasImage() { return this.image !== null; }

  setTool(t) { this.tool = t; this.render(); }
  setBrush(d) { this.brush = Math.max(1, d); this.render(); }
  setLocked(v) { this.locked = v; }
  setLiveHandles(hs) {
    this.liveHandles = hs && hs.length ? hs : null;
    if (this.liveHandles) this.liveUpdates++;
    this.render();
  }

  // ---- history -------------------------------------------------------------------------------------------
  #snapshot() {
    const entry = { pairs: this.pairs.map(p => ({ h: [...p.h], t: p.t ? [...p.t] : null })), mask: null };
    if (this.mask.width > 0) entry.mask = this.maskCtx.getImageData(0, 0, this.mask.width, this.mask.height);
    this.history.push(entry);
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
  }

  canUndo() { return this.history.length > 0; }

  undo() {
    const e = this.history.pop();
    if (!e) return;
    this.pairs = e.pairs;
    if (e.mask) this.maskCtx.putImageData(e.mask, 0, 0);
    this.render();
    this.#changed();
  }

  clearMask() {
    if (!this.hasImage() || this.maskCoverage() === 0) return;
    this.#snapshot();
    this.maskCtx.clearRect(0, 0, this.mask.width, this.mask.height);
    this.render();
    this.#changed();
  }

  clearPoints() {
    if (this.pairs.length === 0) return;
    this.#snapshot();
    this.pairs = [];
    this.render();
    this.#changed();
  }

  // ---- points --------------------------------------------------------------------------------------------
  /** Same-spot tolerance for "a handle clicked twice marks an axis": 4 screen pixels, in image pixels. */
  #sameSpotTolerance() { return Math.max(1, 4 / this.#scale()); }

  /** Adds a point: a handle when no pair is open, else that pair's target (the handle itself if on the same spot). */
  addPoint(x, y) {
    if (!this.hasImage()) return;
    // the pixel under the pointer (its index, as the reference UI's click coordinates)
    x = clamp(Math.floor(x), 0, this.width - 1);
    y = clamp(Math.floor(y), 0, this.height - 1);
    this.#snapshot();
    const open = this.pairs.find(p => p.t === null);
    if (open) {
      const same = Math.hypot(x - open.h[0], y - open.h[1]) <= this.#sameSpotTolerance();
      open.t = same ? [...open.h] : [x, y];
    } else {
      this.pairs.push({ h: [x, y], t: null });
    }
    this.render();
    this.#changed();
  }

  /** Complete pairs as the API's points JSON: [[hx,hy],[tx,ty],...]. */
  pointsJson() {
    const out = [];
    for (const p of this.pairs) if (p.t) out.push(p.h, p.t);
    return out;
  }

  openPair() { return this.pairs.find(p => p.t === null) || null; }

  // ---- mask ----------------------------------------------------------------------------------------------
  /** Fraction of the image marked editable. */
  maskCoverage() {
    if (!this.hasImage()) return 0;
    const d = this.maskCtx.getImageData(0, 0, this.mask.width, this.mask.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n / (this.mask.width * this.mask.height);
  }

  /** Whether image pixel (x, y) is editable. */
  maskAt(x, y) {
    return this.hasImage() && this.maskCtx.getImageData(x, y, 1, 1).data[3] > 0;
  }

  /** The mask as a PNG (white = editable, black = kept), or null when nothing is painted (= all editable). */
  async maskPng() {
    if (this.maskCoverage() === 0) return null;
    const c = document.createElement('canvas');
    c.width = this.mask.width; c.height = this.mask.height;
    const g = c.getContext('2d');
    const src = this.maskCtx.getImageData(0, 0, c.width, c.height);
    const out = g.createImageData(c.width, c.height);
    for (let i = 0; i < src.data.length; i += 4) {
      const v = src.data[i + 3] > 0 ? 255 : 0; // binary: the brush's anti-aliased edge counts as editable
      out.data[i] = out.data[i + 1] = out.data[i + 2] = v;
      out.data[i + 3] = 255;
    }
    g.putImageData(out, 0, 0);
    return new Promise(res => c.toBlob(res, 'image/png'));
  }

  #paintSegment(a, b) {
    const g = this.maskCtx;
    g.save();
    g.globalCompositeOperation = this.tool === 'erase' ? 'destination-out' : 'source-over';
    g.strokeStyle = g.fillStyle = '#fff';
    g.lineWidth = this.brush;
    g.lineCap = g.lineJoin = 'round';
    g.beginPath();
    if (a.x === b.x && a.y === b.y) {
      g.arc(a.x, a.y, this.brush / 2, 0, Math.PI * 2);
      g.fill();
    } else {
      g.moveTo(a.x, a.y); g.lineTo(b.x, b.y); g.stroke();
    }
    g.restore();
  }

  // ---- pointer -------------------------------------------------------------------------------------------
  /** CSS pixels per image pixel of the canvas's content box (the border is outside the backing store). */
  #scale() {
    const w = this.canvas.clientWidth;
    return w > 0 && this.width > 0 ? w / this.width : 1;
  }

  #toImage(ev) {
    const r = this.canvas.getBoundingClientRect();
    const c = this.canvas;
    return {
      x: (ev.clientX - r.left - c.clientLeft) * this.width / Math.max(1, c.clientWidth),
      y: (ev.clientY - r.top - c.clientTop) * this.height / Math.max(1, c.clientHeight),
    };
  }

  #bindPointer() {
    const c = this.canvas;
    c.addEventListener('pointerdown', ev => {
      if (!this.hasImage() || this.locked || ev.button !== 0) return;
      const p = this.#toImage(ev);
      if (this.tool === 'points') { this.addPoint(p.x, p.y); return; }
      c.setPointerCapture(ev.pointerId);
      this.#snapshot();
      this.stroke = p;
      this.#paintSegment(p, p);
      this.render();
    });
    c.addEventListener('pointermove', ev => {
      if (!this.hasImage()) return;
      const p = this.#toImage(ev);
      this.hover = p;
      if (this.stroke) { this.#paintSegment(this.stroke, p); this.stroke = p; }
      this.render();
    });
    const end = () => { if (this.stroke) { this.stroke = null; this.#changed(); } };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('pointerleave', () => { this.hover = null; this.render(); });
  }

  #changed() { this.dispatchEvent(new Event('change')); }

  // ---- drawing -------------------------------------------------------------------------------------------
  render() {
    const g = this.ctx;
    g.clearRect(0, 0, this.width, this.height);
    if (!this.image) return;
    g.drawImage(this.image, 0, 0);
    // mask tint: colour where the mask is set
    const t = this.tint.getContext('2d');
    t.globalCompositeOperation = 'source-over';
    t.clearRect(0, 0, this.tint.width, this.tint.height);
    t.drawImage(this.mask, 0, 0);
    t.globalCompositeOperation = 'source-in';
    t.fillStyle = MASK_TINT;
    t.fillRect(0, 0, this.tint.width, this.tint.height);
    g.drawImage(this.tint, 0, 0);

    const s = 1 / this.#scale(); // one screen pixel in image pixels: marks keep their on-screen size
    for (const p of this.pairs) {
      if (!p.t) { dot(g, p.h, 5 * s, COLORS.handle, s); ring(g, p.h, 9 * s, COLORS.handle, s, [3 * s, 3 * s]); continue; }
      if (p.t[0] === p.h[0] && p.t[1] === p.h[1]) { axisMark(g, p.h, 8 * s, COLORS.axis, s); continue; }
      arrow(g, p.h, p.t, 'rgba(255,255,255,0.9)', 4 * s);
      arrow(g, p.h, p.t, '#222', 1.6 * s);
      dot(g, p.h, 5 * s, COLORS.handle, s);
      dot(g, p.t, 5 * s, COLORS.target, s);
    }
    if (this.liveHandles) for (const h of this.liveHandles) ring(g, h, 6 * s, COLORS.live, 2.5 * s);
    if (this.hover && !this.locked && this.tool !== 'points') {
      ring(g, [this.hover.x, this.hover.y], this.brush / 2, this.tool === 'erase' ? '#fff' : '#2f6fde', s, [4 * s, 3 * s]);
    }
  }
}

function decode(blob) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(blob);
    const img = new Image();
    img.onload = () => { resolve(img); };
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error('the file is not an image this browser can read')); };
    img.src = url;
  });
}

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

function dot(g, p, r, color, s) {
  g.beginPath(); g.arc(p[0], p[1], r, 0, Math.PI * 2);
  g.fillStyle = color; g.fill();
  g.lineWidth = 1.5 * s; g.strokeStyle = '#fff'; g.stroke();
}

function ring(g, p, r, color, w, dash) {
  g.save(); g.beginPath(); g.arc(p[0], p[1], r, 0, Math.PI * 2);
  if (dash) g.setLineDash(dash);
  g.lineWidth = w; g.strokeStyle = color; g.stroke(); g.restore();
}

function axisMark(g, p, r, color, s) {
  ring(g, p, r, '#fff', 4 * s);
  ring(g, p, r, color, 2.2 * s);
  g.save(); g.strokeStyle = color; g.lineWidth = 2 * s; g.beginPath();
  g.moveTo(p[0] - r * 1.4, p[1]); g.lineTo(p[0] + r * 1.4, p[1]);
  g.moveTo(p[0], p[1] - r * 1.4); g.lineTo(p[0], p[1] + r * 1.4); g.stroke(); g.restore();
}

export function arrow(g, a, b, color, w) {
  const ang = Math.atan2(b[1] - a[1], b[0] - a[0]);
  const head = Math.max(6, w * 3.5);
  g.save(); g.strokeStyle = color; g.lineWidth = w; g.lineCap = 'round';
  g.beginPath(); g.moveTo(a[0], a[1]); g.lineTo(b[0], b[1]);
  g.moveTo(b[0], b[1]); g.lineTo(b[0] - head * Math.cos(ang - 0.45), b[1] - head * Math.sin(ang - 0.45));
  g.moveTo(b[0], b[1]); g.lineTo(b[0] - head * Math.cos(ang + 0.45), b[1] - head * Math.sin(ang + 0.45));
  g.stroke(); g.restore();
}
