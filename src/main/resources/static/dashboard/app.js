// taskpool's dashboard: plain JavaScript, no build step, no external network. It reads the same
// /api/v1 a client would, with the API key (when the service has keys) from session storage.
// Live updates come from the server-sent event streams, read with fetch() because the browser's
// EventSource cannot send an Authorization header.
'use strict';

const KEY_STORAGE = 'taskpool.apiKey';
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);
const STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];
const PAGE_SIZE = 50;

// ---- small DOM helpers ----

/** Creates an element: h('a', {href: '#/'}, 'text', child). Text is always text, never HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const $ = (selector, root = document) => root.querySelector(selector);

function shortId(id) {
  return id ? id.slice(0, 8) : '';
}

function stateBadge(state, id) {
  return h('span', {class: 'badge state-' + (state || 'unknown').toLowerCase(), id}, state || '?');
}

function time(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  return h('time', {datetime: iso, title: at.toISOString()}, at.toLocaleString());
}

function duration(ms) {
  if (ms === null || ms === undefined || isNaN(ms)) return '';
  if (ms < 1000) return Math.round(ms) + ' ms';
  const s = ms / 1000;
  if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + Math.floor(s % 60) + ' s';
  return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

function bytes(n) {
  if (n === null || n === undefined) return 'n/a';
  return (n / (1024 * 1024)).toFixed(0) + ' MiB';
}

function json(value) {
  return JSON.stringify(value, null, 2);
}

/** Runs fn at most once per interval; a call in between is deferred, not lost. */
function throttle(fn, interval) {
  let last = 0;
  let timer = null;
  return () => {
    const wait = last + interval - Date.now();
    if (wait <= 0) {
      last = Date.now();
      fn();
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        fn();
      }, wait);
    }
  };
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the API ----

class ApiError extends Error {
  constructor(status, message, problem) {
    super(message);
    this.status = status;
    this.problem = problem;
  }
}

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

function authHeaders(extra) {
  const headers = Object.assign({}, extra);
  const key = apiKey();
  if (key) headers.Authorization = 'Bearer ' + key;
  return headers;
}

async function api(path, options = {}) {
  const headers = authHeaders({Accept: options.text ? 'text/plain' : 'application/json'});
  let body;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch('/api/v1' + path, {method: options.method || 'GET', headers, body, signal: options.signal});
  if (response.status === 401) {
    keys.ask(apiKey() ? 'The service did not accept this key.' : 'This service needs an API key.');
    throw new ApiError(401, 'An API key is needed');
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch (e) {
      // not a problem document
    }
    const message = problem && (problem.detail || problem.title) || response.statusText || 'HTTP ' + response.status;
    throw new ApiError(response.status, message, problem);
  }
  if (response.status === 204) return null;
  return options.text ? response.text() : response.json();
}

/** What to show instead of a section the caller may not see or that failed. */
function problemNote(error, what) {
  if (error.status === 403) return h('p', {class: 'note', role: 'note'}, what + ' needs a key with another role.');
  if (error.status === 401) return h('p', {class: 'note', role: 'note'}, what + ' needs an API key.');
  return h('p', {class: 'error', role: 'alert'}, what + ': ' + error.message);
}

// ---- the API key, kept in session storage only ----

const keys = {
  listeners: [],
  asking: false,

  ask(reason) {
    const dialog = $('#key-dialog');
    $('#key-reason').textContent = reason || 'Enter an API key for this service.';
    if (!dialog.open) {
      dialog.showModal();
      $('#key-input').value = '';
      $('#key-input').focus();
    }
  },

  set(key) {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
    $('#key-button').textContent = key ? 'API key \u2713' : 'API key';
    this.listeners.forEach((listener) => listener());
  },

  /** Calls listener after every change of key; returns what stops that. */
  onChange(listener) {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  },

  wire() {
    const dialog = $('#key-dialog');
    $('#key-button').addEventListener('click', () => this.ask('Enter an API key for this service.'));
    $('#key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const key = $('#key-input').value.trim();
      dialog.close();
      if (key) this.set(key);
    });
    $('#key-forget').addEventListener('click', () => {
      dialog.close();
      this.set(null);
    });
    $('#key-cancel').addEventListener('click', () => dialog.close());
    $('#key-button').textContent = apiKey() ? 'API key \u2713' : 'API key';
  },
};

// ---- server-sent events over fetch ----

/**
 * Reads an SSE stream and hands each event to onEvent(name, data). Reconnects after a drop with a
 * growing pause, unless stop() was called or untilTerminal is set and a terminal state was seen.
 */
class EventStream {
  constructor(path, onEvent, options = {}) {
    this.path = path;
    this.onEvent = onEvent;
    this.onStatus = options.onStatus || (() => {});
    this.untilTerminal = options.untilTerminal || false;
    this.stopped = false;
    this.finished = false;
    this.controller = null;
  }

  start() {
    this.run();
    return this;
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
  }

  restart() {
    if (this.controller) this.controller.abort(); // the loop reconnects with the current key
  }

  async run() {
    let pause = 500;
    while (!this.stopped && !this.finished) {
      this.controller = new AbortController();
      try {
        const response = await fetch('/api/v1' + this.path, {
          headers: authHeaders({Accept: 'text/event-stream'}),
          signal: this.controller.signal,
        });
        if (response.status === 401 || response.status === 403) {
          this.onStatus(response.status === 401 ? 'needs a key' : 'not allowed');
          if (response.status === 401) keys.ask(apiKey() ? 'The service did not accept this key.' : 'This service needs an API key.');
          await this.untilKeyChanges();
          continue;
        }
        if (!response.ok) throw new Error('HTTP ' + response.status);
        this.onStatus('live');
        pause = 500;
        await this.read(response.body.getReader());
      } catch (e) {
        if (this.stopped) return;
      }
      if (this.stopped || this.finished) return;
      this.onStatus('reconnecting');
      await delay(pause);
      pause = Math.min(pause * 2, 10000);
    }
  }

  untilKeyChanges() {
    return new Promise((resolve) => {
      const stop = keys.onChange(done);
      this.controller.signal.addEventListener('abort', done);
      function done() {
        stop();
        resolve();
      }
    });
  }

  async read(reader) {
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, {stream: true}).replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.dispatch(block);
      }
    }
  }

  dispatch(block) {
    let name = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) return;
    let payload;
    try {
      payload = JSON.parse(data.join('\n'));
    } catch (e) {
      return;
    }
    if (this.untilTerminal && name === 'state' && TERMINAL.has(payload.state)) this.finished = true;
    this.onEvent(name, payload);
  }
}

/** Every task event the caller may see, shared by the views through subscribe(). */
const events = {
  listeners: new Set(),
  stream: null,

  start() {
    this.stream = new EventStream('/events', (name, event) => {
      this.listeners.forEach((listener) => listener(name, event));
    }, {onStatus: (status) => {
      const live = $('#live');
      live.textContent = status;
      live.dataset.status = status;
    }}).start();
    keys.onChange(() => this.stream.restart());
  },

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  },
};

// ---- routing: #/path?query ----

let cleanups = [];

/** Registers what to undo when the view is left: timers, subscriptions, streams. */
function onLeave(cleanup) {
  cleanups.push(cleanup);
}

function every(ms, fn) {
  const timer = setInterval(fn, ms);
  onLeave(() => clearInterval(timer));
}

function route() {
  cleanups.forEach((cleanup) => cleanup());
  cleanups = [];
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean);
  const main = $('#main');
  main.replaceChildren();
  let section = 'overview';
  if (parts[0] === 'tasks' && parts[1]) {
    section = 'tasks';
    taskView(main, decodeURIComponent(parts[1]));
  } else if (parts[0] === 'tasks') {
    section = 'tasks';
    taskListView(main, params);
  } else if (parts[0] === 'batches' && parts[1]) {
    section = 'batches';
    batchView(main, decodeURIComponent(parts[1]));
  } else if (parts[0] === 'batches') {
    section = 'batches';
    batchesView(main);
  } else if (parts[0] === 'submit') {
    section = 'submit';
    submitView(main, params);
  } else {
    overviewView(main);
  }
  document.querySelectorAll('[data-nav]').forEach((link) => {
    if (link.dataset.nav === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
}

/** Re-renders the current view, e.g. after a new key. */
function rerender() {
  route();
}

// ---- overview: queue and workers ----

function overviewView(main) {
  document.title = 'taskpool: overview';
  const queue = h('section', {id: 'queue', 'aria-labelledby': 'queue-title'}, h('h2', {id: 'queue-title'}, 'Queue'),
      h('div', {class: 'body'}, h('p', {class: 'muted'}, 'Loading\u2026')));
  const pool = h('section', {id: 'pool', 'aria-labelledby': 'pool-title'}, h('h2', {id: 'pool-title'}, 'Workers'),
      h('div', {class: 'body'}, h('p', {class: 'muted'}, 'Loading\u2026')));
  main.append(queue, pool);

  let workers = null;
  const loadQueue = async () => {
    try {
      renderQueue($('.body', queue), await api('/queue'));
    } catch (e) {
      $('.body', queue).replaceChildren(problemNote(e, 'The queue'));
    }
  };
  const loadPool = async () => {
    try {
      workers = await api('/workers');
      renderPool($('.body', pool), workers);
    } catch (e) {
      workers = null;
      $('.body', pool).replaceChildren(problemNote(e, 'The worker pool (admin keys only)'));
    }
  };
  loadQueue();
  loadPool();
  every(5000, loadQueue);
  every(2000, loadPool);
  // How long each busy worker has run its task, ticking without asking the service.
  every(1000, () => {
    if (!workers) return;
    const now = Date.now();
    pool.querySelectorAll('[data-started]').forEach((el) => {
      el.textContent = duration(now - Date.parse(el.dataset.started));
    });
  });
  const stateChanged = throttle(loadPool, 300);
  const queueChanged = throttle(loadQueue, 2000);
  onLeave(events.subscribe((name) => {
    if (name === 'state') {
      stateChanged();
      queueChanged();
    }
  }));
}

function renderQueue(body, queue) {
  const last = queue.history[queue.history.length - 1] || {finished: 0};
  const perSecond = queue.history.map((p) => p.finished / queue.intervalSeconds);
  const waits = queue.history.map((p) => p.averageWaitMs);
  const priorities = Object.entries(queue.queuedByPriority);
  const deepest = Math.max(1, ...priorities.map(([, n]) => n));
  body.replaceChildren(
      h('div', {class: 'figures'},
          figure('Queued', queue.queued, 'queue-queued'),
          figure('Running', queue.running, 'queue-running'),
          figure('Finished / s', (last.finished / queue.intervalSeconds).toFixed(1), 'queue-throughput'),
          figure('Queue wait', last.averageWaitMs === null ? '\u2013' : duration(last.averageWaitMs), 'queue-wait')),
      h('div', {class: 'charts'},
          chart('Throughput, tasks finished per second, last 15 minutes', perSecond, (v) => v.toFixed(1) + '/s'),
          chart('Queue wait, mean per interval, last 15 minutes', waits, duration)),
      h('h3', {}, 'Queued by priority'),
      priorities.length === 0 ? h('p', {class: 'muted'}, 'Nothing queued.') :
        h('ul', {class: 'bars', 'aria-label': 'Queued tasks by priority'}, priorities.map(([priority, n]) =>
          h('li', {}, h('span', {class: 'bar-label'}, 'priority ' + priority),
              h('span', {class: 'bar', style: 'width:' + Math.max(1, 100 * n / deepest) + '%'}),
              h('span', {class: 'bar-value'}, n)))));
}

function figure(label, value, id) {
  return h('div', {class: 'figure'}, h('div', {class: 'figure-value', id}, value), h('div', {class: 'figure-label'}, label));
}

/** A small SVG line chart of values over time (null values are gaps), with its latest value in words. */
function chart(title, values, format) {
  const width = 300;
  const height = 60;
  const known = values.filter((v) => v !== null && v !== undefined);
  const top = Math.max(...known, 0) || 1;
  const step = width / Math.max(1, values.length - 1);
  let path = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || v === undefined) {
      pen = false;
      return;
    }
    const x = (i * step).toFixed(1);
    const y = (height - 2 - (v / top) * (height - 4)).toFixed(1);
    path += (pen ? 'L' : 'M') + x + ' ' + y + ' ';
    pen = true;
  });
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  const latest = known.length ? format(known[known.length - 1]) : 'no data';
  svg.setAttribute('aria-label', `${title}: latest ${latest}, peak ${format(top)}`);
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  line.setAttribute('d', path || 'M0 ' + (height - 2));
  line.setAttribute('class', 'line');
  svg.append(line);
  return h('figure', {class: 'chart'}, h('figcaption', {}, title, h('span', {class: 'muted'}, ' \u00b7 peak ' + format(top))), svg);
}

function renderPool(body, pool) {
  const restarts = Object.entries(pool.restartsByReason || {});
  body.replaceChildren(
      h('p', {}, `${pool.busy} busy, ${pool.idle} idle of ${pool.size}; ${pool.restarts} restarts`,
          restarts.length ? ' (' + restarts.map(([reason, n]) => reason + ' ' + n).join(', ') + ')' : ''),
      h('p', {class: 'spare'}, pool.spare
          ? `Warm spare: pid ${pool.spare.pid}, ${pool.spare.state === 'IDLE' ? 'ready' : 'starting'}, ${bytes(pool.spare.rssBytes)}`
          : 'No warm spare'),
      h('ul', {class: 'tiles', 'aria-label': 'Worker processes'}, pool.workers.map((w) =>
        h('li', {class: 'tile tile-' + w.state.toLowerCase(), 'data-worker-id': w.id, 'data-state': w.state},
            h('div', {class: 'tile-head'}, h('strong', {}, 'Worker ' + w.id), stateBadge(w.state)),
            h('dl', {},
                h('dt', {}, 'pid'), h('dd', {}, w.pid ?? '\u2013'),
                h('dt', {}, 'task'), h('dd', {}, w.taskId ? h('a', {href: '#/tasks/' + w.taskId}, shortId(w.taskId)) : '\u2013'),
                h('dt', {}, 'running for'), h('dd', w.taskStartedAt ? {'data-started': w.taskStartedAt} : {},
                  w.taskStartedAt ? duration(Date.now() - Date.parse(w.taskStartedAt)) : '\u2013'),
                h('dt', {}, 'tasks done'), h('dd', {}, w.tasksCompleted),
                h('dt', {}, 'memory'), h('dd', {}, bytes(w.rssBytes)))))));
}

// ---- the task list ----

function taskListView(main, params) {
  document.title = 'taskpool: tasks';
  const filters = {
    state: params.get('state') || '',
    type: params.get('type') || '',
    batchId: params.get('batch') || '',
    label: params.get('label') || '',
  };
  const typeOptions = h('datalist', {id: 'type-options'});
  const form = h('form', {class: 'filters', 'aria-label': 'Filter tasks', onsubmit: (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    const set = (name, id) => {
      const value = $(id, form).value.trim();
      if (value) query.set(name, value);
    };
    set('state', '#filter-state');
    set('type', '#filter-type');
    set('batch', '#filter-batch');
    set('label', '#filter-label');
    location.hash = '#/tasks' + (query.toString() ? '?' + query : '');
  }},
  h('label', {}, 'State', h('select', {id: 'filter-state'}, h('option', {value: ''}, 'any'),
      STATES.map((s) => h('option', {value: s, selected: s === filters.state}, s)))),
  h('label', {}, 'Type', h('input', {id: 'filter-type', list: 'type-options', value: filters.type, placeholder: 'any'})),
  h('label', {}, 'Batch', h('input', {id: 'filter-batch', value: filters.batchId, placeholder: 'batch id'})),
  h('label', {}, 'Label', h('input', {id: 'filter-label', value: filters.label, placeholder: 'key:value'})),
  h('button', {type: 'submit', id: 'filter-apply'}, 'Filter'),
  typeOptions);
  const table = h('div', {class: 'table-wrap'});
  const pager = h('div', {class: 'pager'});
  main.append(h('h2', {}, 'Tasks'), form, table, pager);
  api('/task-types').then((types) => typeOptions.replaceChildren(...types.map((t) => h('option', {value: t.type}))))
      .catch(() => {});

  // Cursors of the pages seen, so that "Newer" goes back; the first page has none.
  const cursors = [null];
  let page = 0;
  let rows = new Map();
  const load = async () => {
    const query = new URLSearchParams({limit: PAGE_SIZE});
    if (filters.state) query.set('state', filters.state);
    if (filters.type) query.set('type', filters.type);
    if (filters.batchId) query.set('batchId', filters.batchId);
    if (filters.label) query.set('label', filters.label);
    if (cursors[page]) query.set('cursor', cursors[page]);
    let result;
    try {
      result = await api('/tasks?' + query);
    } catch (e) {
      table.replaceChildren(problemNote(e, 'The task list'));
      return;
    }
    cursors[page + 1] = result.nextCursor;
    rows = new Map();
    const body = h('tbody', {}, result.items.map((task) => {
      const row = taskRow(task);
      rows.set(task.id, row);
      return row;
    }));
    table.replaceChildren(result.items.length === 0 ? h('p', {class: 'muted', id: 'no-tasks'}, 'No tasks match.') :
      h('table', {class: 'tasks', id: 'task-table'},
          h('caption', {class: 'visually-hidden'}, 'Tasks, newest first'),
          h('thead', {}, h('tr', {}, ['Task', 'Type', 'State', 'Progress', 'Created', 'Attempt', 'Labels']
              .map((name) => h('th', {scope: 'col'}, name)))),
          body));
    pager.replaceChildren(
        h('button', {type: 'button', id: 'page-newer', disabled: page === 0, onclick: () => {
          page--;
          load();
        }}, '\u2190 Newer'),
        h('span', {class: 'muted'}, 'page ' + (page + 1)),
        h('button', {type: 'button', id: 'page-older', disabled: !result.nextCursor, onclick: () => {
          page++;
          load();
        }}, 'Older \u2192'));
  };
  load();
  // Live: rows on screen change in place; new tasks reload the first page, at most every two seconds.
  const reloadFirstPage = throttle(() => {
    if (page === 0) load();
  }, 2000);
  onLeave(events.subscribe((name, event) => {
    const row = rows.get(event.taskId);
    if (row) {
      updateRow(row, event);
      if (filters.state && event.state !== filters.state) reloadFirstPage();
    } else if (name === 'state' && (!filters.state || filters.state === event.state)
        && (!filters.type || filters.type === event.type) && (!filters.batchId || filters.batchId === event.batchId)) {
      reloadFirstPage();
    }
  }));
}

function taskRow(task) {
  return h('tr', {'data-task-id': task.id, 'data-state': task.state},
      h('td', {}, h('a', {href: '#/tasks/' + task.id, title: task.id}, shortId(task.id))),
      h('td', {}, task.type),
      h('td', {class: 'cell-state'}, stateBadge(task.state)),
      h('td', {class: 'cell-progress'}, progressBar(task.progress, task.state)),
      h('td', {}, time(task.createdAt)),
      h('td', {}, task.attempt + '/' + task.maxAttempts),
      h('td', {}, Object.entries(task.labels || {}).map(([k, v]) => h('span', {class: 'label'}, k + ':' + v))));
}

function updateRow(row, event) {
  row.dataset.state = event.state;
  $('.cell-state', row).replaceChildren(stateBadge(event.state));
  if (event.progress || TERMINAL.has(event.state)) {
    $('.cell-progress', row).replaceChildren(progressBar(event.progress, event.state));
  }
}

function progressBar(progress, state, id) {
  const fraction = state === 'SUCCEEDED' ? 1 : progress && progress.fraction;
  if (fraction === null || fraction === undefined) return state === 'RUNNING' ? h('span', {class: 'muted'}, 'running') : '';
  const percent = Math.round(fraction * 100);
  return h('span', {class: 'progress'}, h('progress', {max: 100, value: percent, id, 'aria-label': 'Progress ' + percent + '%'}),
      ' ' + percent + '%');
}

// ---- one task ----

function taskView(main, id) {
  document.title = 'taskpool: task ' + shortId(id);
  const head = h('div', {class: 'page-head'}, h('h2', {}, 'Task ', h('code', {}, id)));
  const body = h('div', {}, h('p', {class: 'muted'}, 'Loading\u2026'));
  const message = h('p', {role: 'status', class: 'muted', id: 'task-message'});
  main.append(head, message, body);
  let task = null;

  const cancel = h('button', {type: 'button', id: 'cancel-task', class: 'danger', disabled: true, onclick: async () => {
    cancel.disabled = true;
    message.textContent = 'Cancelling\u2026';
    try {
      render(await api('/tasks/' + encodeURIComponent(id) + '/cancel', {method: 'POST'}));
      message.textContent = 'Cancelled.';
    } catch (e) {
      message.textContent = 'Cancel failed: ' + e.message;
      load();
    }
  }}, 'Cancel');
  head.append(cancel);

  const logBox = h('pre', {class: 'log', id: 'task-log', tabindex: 0, 'aria-label': 'Log tail'});
  const loadLog = async () => {
    try {
      const text = await api('/tasks/' + encodeURIComponent(id) + '/logs', {text: true});
      const lines = text.split('\n');
      logBox.textContent = lines.slice(-200).join('\n') || '(nothing logged)';
      logBox.scrollTop = logBox.scrollHeight;
    } catch (e) {
      logBox.textContent = '';
    }
  };
  const throttledLog = throttle(loadLog, 1000);

  function render(current) {
    task = current;
    cancel.disabled = TERMINAL.has(task.state);
    const details = [
      ['State', stateBadge(task.state, 'task-state')],
      ['Type', task.type],
      ['Tenant', task.tenant],
      ['Priority', task.priority],
      ['Attempt', task.attempt + ' of ' + task.maxAttempts],
      ['Created', time(task.createdAt)],
      ['Started', time(task.startedAt)],
      ['Finished', time(task.finishedAt)],
      ['Ran for', task.startedAt ? duration(Date.parse(task.finishedAt || new Date().toISOString()) - Date.parse(task.startedAt)) : ''],
      ['Worker pid', task.workerPid ?? ''],
      ['Batch', task.batchId ? h('a', {href: '#/batches/' + task.batchId}, shortId(task.batchId) + ' #' + task.batchIndex) : ''],
      ['Labels', Object.entries(task.labels || {}).map(([k, v]) => h('span', {class: 'label'}, k + ':' + v))],
    ];
    body.replaceChildren(
        h('dl', {class: 'details'}, details.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)])),
        h('h3', {}, 'Progress'),
        h('div', {id: 'task-progress'}, progressBar(task.progress, task.state, 'task-progress-bar') || h('span', {class: 'muted'}, '\u2013'),
            task.progress && task.progress.message ? h('span', {class: 'muted'}, ' ' + task.progress.message) : ''),
        h('div', {class: 'columns'},
            h('div', {}, h('h3', {}, 'Input'), h('pre', {id: 'task-input', tabindex: 0}, json(task.input))),
            h('div', {}, h('h3', {}, 'Result'), h('pre', {id: 'task-result', tabindex: 0},
                task.result === null || task.result === undefined ? '\u2013' : json(task.result)))),
        task.error ? h('div', {class: 'error-box', id: 'task-error'}, h('h3', {}, 'Error'),
            h('p', {}, h('code', {}, task.error.code), ' ', task.error.message),
            task.error.detail ? h('pre', {tabindex: 0}, task.error.detail) : '') : '',
        task.attempts && task.attempts.length ? h('div', {}, h('h3', {}, 'Earlier attempts'),
            h('div', {class: 'table-wrap'}, h('table', {}, h('thead', {}, h('tr', {}, ['Attempt', 'Started', 'Finished', 'Worker pid', 'Error']
                .map((n) => h('th', {scope: 'col'}, n)))),
            h('tbody', {}, task.attempts.map((a) => h('tr', {}, h('td', {}, a.attempt), h('td', {}, time(a.startedAt)),
                h('td', {}, time(a.finishedAt)), h('td', {}, a.workerPid ?? ''),
                h('td', {}, a.error ? a.error.code + ': ' + a.error.message : '')))))))
          : '',
        h('h3', {}, 'Log tail'), logBox);
  }

  const load = async () => {
    try {
      render(await api('/tasks/' + encodeURIComponent(id)));
      loadLog();
    } catch (e) {
      body.replaceChildren(problemNote(e, 'The task'));
    }
  };
  load();
  const stream = new EventStream('/tasks/' + encodeURIComponent(id) + '/events', (name, event) => {
    if (name === 'progress' && task) {
      task.progress = event.progress;
      const box = $('#task-progress');
      if (box) {
        box.replaceChildren(progressBar(event.progress, 'RUNNING', 'task-progress-bar'),
            event.progress && event.progress.message ? h('span', {class: 'muted'}, ' ' + event.progress.message) : '');
      }
      throttledLog();
    } else if (name === 'state' && (!task || task.state !== event.state || TERMINAL.has(event.state))) {
      load();
    }
  }, {untilTerminal: true}).start();
  onLeave(() => stream.stop());
}

// ---- batches ----

function batchesView(main) {
  document.title = 'taskpool: batches';
  const form = h('form', {class: 'filters', 'aria-label': 'Open a batch', onsubmit: (event) => {
    event.preventDefault();
    const id = $('#batch-id', form).value.trim();
    if (id) location.hash = '#/batches/' + encodeURIComponent(id);
  }}, h('label', {}, 'Batch id', h('input', {id: 'batch-id', required: true, size: 38})),
  h('button', {type: 'submit'}, 'Open'));
  const recent = h('div', {}, h('p', {class: 'muted'}, 'Looking for recent batches\u2026'));
  main.append(h('h2', {}, 'Batches'), form, h('h3', {}, 'Recent batches'), recent);
  // There is no batch list in the API: the batches of the newest tasks stand in for one.
  api('/tasks?limit=1000').then((page) => {
    const seen = new Map();
    page.items.forEach((task) => {
      if (task.batchId && !seen.has(task.batchId)) seen.set(task.batchId, task);
    });
    recent.replaceChildren(seen.size === 0 ? h('p', {class: 'muted'}, 'No batch among the newest 1000 tasks.') :
      h('ul', {class: 'plain'}, [...seen.values()].map((task) => h('li', {},
          h('a', {href: '#/batches/' + task.batchId}, task.batchId), ' ', h('span', {class: 'muted'}, task.type)))));
  }).catch((e) => recent.replaceChildren(problemNote(e, 'The task list')));
}

function batchView(main, id) {
  document.title = 'taskpool: batch ' + shortId(id);
  const message = h('p', {role: 'status', class: 'muted', id: 'batch-message'});
  const cancel = h('button', {type: 'button', id: 'cancel-batch', class: 'danger', disabled: true, onclick: async () => {
    cancel.disabled = true;
    message.textContent = 'Cancelling\u2026';
    try {
      await api('/batches/' + encodeURIComponent(id) + '/cancel', {method: 'POST'});
      message.textContent = 'Cancelled.';
    } catch (e) {
      message.textContent = 'Cancel failed: ' + e.message;
    }
    load();
  }}, 'Cancel batch');
  const body = h('div', {}, h('p', {class: 'muted'}, 'Loading\u2026'));
  main.append(h('div', {class: 'page-head'}, h('h2', {}, 'Batch ', h('code', {}, id)), cancel), message, body);

  const load = async () => {
    let batch;
    let results;
    try {
      [batch, results] = await Promise.all([api('/batches/' + encodeURIComponent(id)),
        api('/batches/' + encodeURIComponent(id) + '/results?limit=20')]);
    } catch (e) {
      body.replaceChildren(problemNote(e, 'The batch'));
      return;
    }
    cancel.disabled = batch.state !== 'RUNNING';
    const counts = batch.counts;
    const parts = [['succeeded', counts.succeeded], ['failed', counts.failed], ['timed_out', counts.timedOut],
      ['cancelled', counts.cancelled], ['running', counts.running], ['queued', counts.queued]];
    const done = counts.succeeded + counts.failed + counts.timedOut + counts.cancelled;
    body.replaceChildren(
        h('p', {}, stateBadge(batch.state, 'batch-state'), ` ${batch.type}, ${batch.size} items, ${done} done`),
        h('div', {class: 'stacked', role: 'img', 'aria-label': parts.map(([n, c]) => c + ' ' + n.replace('_', ' ')).join(', ')},
            parts.filter(([, c]) => c > 0).map(([n, c]) =>
              h('span', {class: 'seg state-' + n, style: 'width:' + (100 * c / Math.max(1, batch.size)) + '%'}))),
        h('ul', {class: 'counts'}, parts.map(([n, c]) => h('li', {}, h('span', {class: 'badge state-' + n}, n.replace('_', ' ')), ' ', c))),
        h('p', {}, h('a', {href: '#/tasks?batch=' + batch.id}, 'Items in the task list')),
        h('h3', {}, 'Results in input order (first 20)'),
        h('div', {class: 'table-wrap'}, h('table', {id: 'batch-results'},
            h('thead', {}, h('tr', {}, ['#', 'State', 'Result or error'].map((n) => h('th', {scope: 'col'}, n)))),
            h('tbody', {}, results.items.map((item) => h('tr', {},
                h('td', {}, item.index), h('td', {}, stateBadge(item.state)),
                h('td', {}, h('code', {}, item.result !== null && item.result !== undefined ? JSON.stringify(item.result)
                  : item.error ? item.error.code + ': ' + item.error.message : ''))))))));
  };
  load();
  const refresh = throttle(load, 1000);
  onLeave(events.subscribe((name, event) => {
    if (name === 'state' && event.batchId === id) refresh();
  }));
}

// ---- submit: a form per task type, from its inputSchema ----

function submitView(main, params) {
  document.title = 'taskpool: submit';
  const select = h('select', {id: 'submit-type', required: true});
  const fields = h('div', {class: 'fields', id: 'submit-fields'});
  const outcome = h('div', {id: 'submit-outcome', 'aria-live': 'polite'});
  const form = h('form', {class: 'submit-form', novalidate: true, onsubmit: (event) => {
    event.preventDefault();
    submitTask(form, types.get(select.value), outcome);
  }},
  h('label', {}, 'Task type', select),
  h('p', {class: 'muted', id: 'submit-description'}),
  fields,
  h('fieldset', {}, h('legend', {}, 'Options'),
      h('label', {}, 'Priority', h('input', {id: 'submit-priority', type: 'number', step: 1, value: 0})),
      h('label', {}, 'Timeout (ms, empty for the default)', h('input', {id: 'submit-timeout', type: 'number', min: 1, step: 1})),
      h('label', {}, 'Labels (key:value, comma separated)', h('input', {id: 'submit-labels', placeholder: 'team:search'}))),
  h('button', {type: 'submit', id: 'submit-button'}, 'Submit'));
  main.append(h('h2', {}, 'Submit a task'), form, outcome);
  const types = new Map();
  const showType = () => {
    const type = types.get(select.value);
    $('#submit-description', form).textContent = type ? type.description || '' : '';
    fields.replaceChildren(...(type ? schemaFields(type.inputSchema) : []));
  };
  select.addEventListener('change', showType);
  api('/task-types').then((list) => {
    list.forEach((type) => types.set(type.type, type));
    select.replaceChildren(...list.map((type) => h('option', {value: type.type, selected: type.type === params.get('type')}, type.type)));
    showType();
  }).catch((e) => fields.replaceChildren(problemNote(e, 'The task types')));
  onLeave(() => outcome.dispatchEvent(new Event('leave')));
}

/** Form controls for the top-level properties of an object schema; anything else is a JSON text area. */
function schemaFields(schema) {
  const properties = schema && schema.type === 'object' && schema.properties;
  if (!properties) {
    return [h('label', {}, 'Input (a JSON object)',
        h('textarea', {id: 'field-json', 'data-kind': 'json', rows: 6}, '{}'))];
  }
  const required = new Set(schema.required || []);
  return Object.entries(properties).map(([name, declared]) => {
    // {"type": ["integer", "null"]} is an optional integer here: an empty field leaves it out.
    const property = Array.isArray(declared.type)
      ? Object.assign({}, declared, {type: declared.type.find((t) => t !== 'null')}) : declared;
    const id = 'field-' + name;
    const common = {id, name, 'data-field': name, required: required.has(name), 'aria-describedby': property.description ? id + '-hint' : null};
    let control;
    if (Array.isArray(property.enum)) {
      control = h('select', Object.assign({'data-kind': 'enum'}, common),
          required.has(name) ? null : h('option', {value: ''}, ''),
          property.enum.map((v) => h('option', {value: JSON.stringify(v), selected: property.default === v}, String(v))));
    } else if (property.type === 'integer' || property.type === 'number') {
      control = h('input', Object.assign({type: 'number', 'data-kind': property.type,
        min: property.minimum, max: property.maximum, step: property.type === 'integer' ? 1 : 'any',
        value: property.default}, common));
    } else if (property.type === 'boolean') {
      control = h('input', Object.assign({type: 'checkbox', 'data-kind': 'boolean', checked: property.default === true}, common));
    } else if (property.type === 'string') {
      control = h('input', Object.assign({type: 'text', 'data-kind': 'string', value: property.default,
        minlength: property.minLength, maxlength: property.maxLength}, common));
    } else {
      control = h('textarea', Object.assign({'data-kind': 'json', rows: 3},
          common), property.default !== undefined ? JSON.stringify(property.default) : '');
    }
    return h('div', {class: 'field'},
        h('label', {for: id}, name, required.has(name) ? h('span', {class: 'required', 'aria-hidden': 'true'}, ' *') : ''),
        control,
        property.description ? h('span', {class: 'hint', id: id + '-hint'}, property.description) : '');
  });
}

/** The input object the form describes; throws with a message naming the field that is wrong. */
function formInput(form) {
  const whole = $('[data-kind="json"]#field-json', form);
  if (whole) return parseJson(whole.value, 'Input');
  const input = {};
  form.querySelectorAll('[data-field]').forEach((control) => {
    const name = control.dataset.field;
    const kind = control.dataset.kind;
    if (kind === 'boolean') {
      input[name] = control.checked;
      return;
    }
    const text = control.value.trim();
    if (text === '') {
      if (control.required) throw new Error(name + ' is required');
      return;
    }
    if (kind === 'integer' || kind === 'number') {
      const n = Number(text);
      if (!Number.isFinite(n) || (kind === 'integer' && !Number.isInteger(n))) throw new Error(name + ' must be a ' + kind);
      input[name] = n;
    } else if (kind === 'enum' || kind === 'json') {
      input[name] = parseJson(text, name);
    } else {
      input[name] = text;
    }
  });
  return input;
}

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(what + ' is not valid JSON');
  }
}

async function submitTask(form, type, outcome) {
  if (!type) return;
  let request;
  try {
    request = {type: type.type, input: formInput(form)};
    const priority = $('#submit-priority', form).value.trim();
    if (priority) request.priority = Number(priority);
    const timeout = $('#submit-timeout', form).value.trim();
    if (timeout) request.timeoutMs = Number(timeout);
    const labels = $('#submit-labels', form).value.trim();
    if (labels) {
      request.labels = {};
      for (const pair of labels.split(',')) {
        const colon = pair.indexOf(':');
        if (colon < 1) throw new Error('labels must be key:value pairs');
        request.labels[pair.slice(0, colon).trim()] = pair.slice(colon + 1).trim();
      }
    }
  } catch (e) {
    outcome.replaceChildren(h('p', {class: 'error', role: 'alert'}, e.message));
    return;
  }
  const button = $('#submit-button', form);
  button.disabled = true;
  let task;
  try {
    task = await api('/tasks', {method: 'POST', json: request});
  } catch (e) {
    outcome.replaceChildren(h('p', {class: 'error', role: 'alert'}, 'Not submitted: ' + e.message));
    return;
  } finally {
    button.disabled = false;
  }
  const state = h('span', {id: 'submit-state'}, stateBadge(task.state));
  const result = h('pre', {id: 'submit-result', tabindex: 0, hidden: true});
  outcome.replaceChildren(h('p', {}, 'Task ', h('a', {href: '#/tasks/' + task.id, id: 'submit-task-link'}, task.id), ' ', state),
      result);
  const finish = async () => {
    const current = await api('/tasks/' + task.id);
    state.replaceChildren(stateBadge(current.state));
    result.hidden = false;
    result.textContent = current.state === 'SUCCEEDED' ? json(current.result)
      : current.error ? current.error.code + ': ' + current.error.message : current.state;
  };
  if (TERMINAL.has(task.state)) {
    finish();
    return;
  }
  const stream = new EventStream('/tasks/' + task.id + '/events', (name, event) => {
    if (name !== 'state') return;
    state.replaceChildren(stateBadge(event.state));
    if (TERMINAL.has(event.state)) finish();
  }, {untilTerminal: true}).start();
  outcome.addEventListener('leave', () => stream.stop(), {once: true});
}

// ---- start ----

keys.wire();
keys.onChange(rerender);
window.addEventListener('hashchange', route);
events.start();
route();
