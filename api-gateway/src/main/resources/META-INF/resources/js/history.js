// The job history table, paged from GET /api/v1/jobs?state=&page=&size=.

import * as api from './api.js';
import { normJob, overall } from './job-view.js';

const $ = id => document.getElementById(id);
const SIZE = 10;

export class History {
  constructor({ onOpen }) {
    this.onOpen = onOpen;
    this.page = 0;
    this.activeId = null;
    this.hasNext = false;
    $('history-refresh').addEventListener('click', () => this.load());
    $('history-state').addEventListener('change', () => { this.page = 0; this.load(); });
    $('history-prev').addEventListener('click', () => { if (this.page > 0) { this.page--; this.load(); } });
    $('history-next').addEventListener('click', () => { if (this.hasNext) { this.page++; this.load(); } });
  }

  setActive(id) {
    this.activeId = id;
    for (const tr of $('history-body').rows) tr.classList.toggle('active', tr.dataset.id === id);
  }

  async load() {
    const err = $('history-error');
    let data;
    try {
      data = await api.listJobs({ state: $('history-state').value, page: this.page, size: SIZE });
      err.hidden = true;
    } catch (e) {
      err.textContent = `Could not load the job history: ${e.message}`;
      err.hidden = false;
      $('history-body').replaceChildren();
      return;
    }
    // either a bare list or a page object
    const items = Array.isArray(data) ? data : (data.items ?? data.jobs ?? data.content ?? data.results ?? []);
    const total = Array.isArray(data) ? null : (data.total ?? data.totalCount ?? data.totalElements ?? null);
    this.hasNext = total !== null ? (this.page + 1) * SIZE < total : items.length === SIZE;
    $('history-page').textContent = `page ${this.page + 1}${total !== null ? ` of ${Math.max(1, Math.ceil(total / SIZE))}` : ''}`;
    $('history-prev').disabled = this.page === 0;
    $('history-next').disabled = !this.hasNext;
    const body = $('history-body');
    body.replaceChildren();
    if (!items.length) {
      const td = body.insertRow().insertCell();
      td.colSpan = 5; td.className = 'muted'; td.textContent = 'no jobs yet';
      return;
    }
    for (const raw of items) {
      const j = normJob(raw);
      const tr = body.insertRow();
      tr.dataset.id = j.id;
      tr.tabIndex = 0;
      tr.title = j.prompt ? `prompt: ${j.prompt}` : '';
      if (j.id === this.activeId) tr.classList.add('active');
      const code = document.createElement('code');
      code.textContent = String(j.id).slice(0, 8);
      tr.insertCell().append(code);
      tr.insertCell().textContent = j.createdAt ? new Date(j.createdAt).toLocaleString() : '';
      tr.insertCell().textContent = j.method ?? '';
      const st = tr.insertCell();
      st.textContent = j.state ?? '';
      st.className = `state ${j.state}`;
      const counts = j.step && String(j.step).toUpperCase() === j.state;
      tr.insertCell().textContent = `${Math.round(overall(j.state, counts ? j.done : null, counts ? j.total : null) * 100)}%`;
      const open = () => this.onOpen(j.id);
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', e => { if (e.key === 'Enter') open(); });
    }
  }
}
