// @ts-check
import { byId as $ } from './element.js';
import { ApiError, createApi } from './api.js';
import { setConnection } from './connection-badge.js';
import { createHoldPoints } from './hold-points.js';
import { checkToken, forgetToken, showLogin, storedToken, takeTokenFromAddress } from './login.js';
import { createContextPanel } from './context-panel.js';
import { createMemoryPanel } from './memory-panel.js';
import { createOutputView } from './output-view.js';
import { showPendingHolds } from './pending-holds-notice.js';
import { createPlanPanel } from './plan-panel.js';
import { createSessionPanel } from './session-panel.js';
import { listProjectSessions } from './session-pages.js';
import { followSession } from './session-streams.js';
import { createSessionSwitch } from './session-switch.js';
import { createSessionSwitcher } from './session-switcher.js';
import { createSummaryView } from './summary-view.js';
import { createTimelineView } from './timeline-view.js';

/**
 * Mission Control: the page talks only to the public API. Two live streams per shown session —
 * its timeline and its output — each resumed with Last-Event-ID after a drop; every timeline
 * event also refreshes the session's details and hold points.
 *
 * Everything the page reads for a shown session belongs to that showing: one AbortController
 * per selection (`streams`) cancels its streams, their reconnects and its reads the moment
 * another session is chosen, and an answer that arrives later is dropped — so however fast the
 * clicks, no session's data is shown under another's name.
 */
const PROJECT_KEY = 'tevis.project';
const OPEN = ['starting', 'active', 'paused', 'ending'];

takeTokenFromAddress();
const api = createApi(storedToken, () => {
  stopStreams();
  forgetToken();
  $('app').hidden = true;
  showLogin(loginWith, 'The API refused the token; log in again.');
});

const panel = createSessionPanel({ api, onChanged: () => scheduleRefresh() });
const timeline = createTimelineView();
const output = createOutputView();
const holds = createHoldPoints({ api, onPending: showPendingHolds, onChanged: () => scheduleRefresh() });
$('notice-go').onclick = () => holds.focusFirst();
const summary = createSummaryView();
const planning = [createPlanPanel({ api }), createContextPanel({ api }), createMemoryPanel({ api })];
const switcher = createSessionSwitcher({
  api,
  onSelect: (id, status) => void chooseSession(id, status),
  onProject: (name) => void selectProject(name),
});
const switches = createSessionSwitch({
  api,
  onSwitched: () => scheduleRefresh(),
  onFailed: (id, error) => {
    if (id === sessionId) $('panel-error').textContent = `Could not switch to ${id}: ${error.message}`;
    scheduleRefresh();
  },
});

/** @type {string | null} */
let project = null;
/** @type {string | null} */
let sessionId = null;
/** @type {AbortController | null} the shown session's streams and reads; aborted when it is no longer shown */
let streams = null;
/** @type {any[]} the sessions last listed */
let listed = [];
let refreshTimer = 0;

function stopStreams() {
  streams?.abort();
  streams = null;
}

async function loginWith(/** @type {string} */ token) {
  await checkToken(token);
  await start();
}

async function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  const config = await api.get('/ui-config').catch(() => ({ temporalUi: null }));
  panel.setTemporalUi(config.temporalUi);
  shownProjects = null;
  await reloadProjects(localStorage.getItem(PROJECT_KEY), true);
}

/** @type {string | null} the project names last shown in the picker */
let shownProjects = null;

/**
 * Reads the projects again; the picker is rebuilt only when they changed (it may have the focus).
 * @param {string | null} [wanted] the project to show if it exists @param {boolean} [show] show its sessions even if it is the one shown
 */
async function reloadProjects(wanted = project, show = false) {
  const { projects } = await api.get('/projects');
  const names = projects.map((/** @type {any} */ p) => p.name).join('\n');
  if (names === shownProjects) return;
  shownProjects = names;
  const chosen =
    projects.find((/** @type {any} */ p) => p.name === wanted)?.name ?? projects[0]?.name ?? null;
  switcher.showProjects(projects, chosen);
  if (chosen && (show || chosen !== project)) await selectProject(chosen);
  else if (!chosen) {
    project = null;
    switcher.showSessions([], null);
  }
}

async function selectProject(/** @type {string} */ name) {
  project = name;
  localStorage.setItem(PROJECT_KEY, name);
  const sessions = await listSessions();
  const open = sessions.find((s) => s.status === 'active') ?? sessions.find((s) => OPEN.includes(s.status));
  const next = sessions.find((s) => s.id === sessionId)?.id ?? open?.id ?? sessions[0]?.id ?? null;
  if (next) await selectSession(next);
  else {
    sessionId = null;
    stopStreams();
    switches.cancel();
    panel.clear();
    timeline.clear();
    output.clear();
    summary.hide();
    for (const p of planning) p.clear();
    switcher.showSessions(sessions, null);
  }
}

/** @returns {Promise<any[]>} newest first */
async function listSessions() {
  const asked = project;
  if (!asked) return [];
  const sessions = await listProjectSessions(api, asked);
  const sorted = [...sessions].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  // Another project was chosen meanwhile: this list is not its.
  if (asked !== project) return sorted;
  listed = sorted;
  switcher.showSessions(sorted, sessionId);
  return sorted;
}

/**
 * A click in the switcher: shows the session, and makes it the project's active one when it is
 * open (paused: resumed, the active one paused; active: nothing to do). An ended one is only shown.
 * @param {string} id @param {string} [status]
 */
function chooseSession(id, status) {
  if (status === 'paused' || status === 'active') switches.want(id);
  else switches.cancel();
  void selectSession(id);
}

async function selectSession(/** @type {string} */ id) {
  // A new view: whatever the last one opened or asked for is cancelled, and nothing it still
  // receives reaches the page.
  stopStreams();
  const controller = new AbortController();
  streams = controller;
  sessionId = id;
  timeline.clear();
  output.clear();
  holds.reset(id);
  summary.hide();
  panel.clear();
  $('panel-error').textContent = '';
  switcher.showSessions(listed, id);
  await refresh();
  if (controller.signal.aborted) return;
  followSession(api, id, {
    onEvent: (event) => {
      if (timeline.add(event)) scheduleRefresh();
    },
    onOutput: (line) => output.add(line),
    // Back after a drop: whatever changed meanwhile is read again.
    onBack: () => scheduleRefresh(),
    signal: controller.signal,
  });
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => void refresh(), 150);
}

/** Reads the shown session again: details, nanocycles, hold points, and its summary once ended. */
async function refresh() {
  const id = sessionId;
  const signal = streams?.signal;
  if (!id || !signal) return;
  try {
    const [view, holdList] = await Promise.all([
      api.get(`/sessions/${id}`, signal),
      api.get(`/sessions/${id}/holds`, signal),
    ]);
    if (signal.aborted) return;
    panel.show(view);
    const open = OPEN.includes(view.session.status);
    holds.show(holdList.holdPoints, open);
    if (view.session.status === 'ended') {
      const ended = await api.get(`/sessions/${id}/summary`, signal);
      if (signal.aborted) return;
      summary.show(ended);
    }
    await Promise.all(planning.map((p) => p.show(view.session)));
    if (signal.aborted) return;
    await listSessions();
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof ApiError && error.status === 0) setConnection('reconnecting', 'Reconnecting…');
    else $('panel-error').textContent = /** @type {Error} */ (error).message;
  }
}

$('logout').onclick = () => {
  stopStreams();
  forgetToken();
  $('app').hidden = true;
  $('logout').hidden = true;
  showLogin(loginWith);
};

// The duration and anything a stream cannot say (a session made elsewhere) stay fresh.
window.setInterval(() => {
  if ($('app').hidden || document.visibilityState !== 'visible') return;
  // Projects and sessions made elsewhere (the CLI, another tab) show up too.
  void reloadProjects().catch(() => {});
  if (sessionId) void refresh();
  else if (project) void selectProject(project).catch(() => {});
}, 10_000);

function boot() {
  const token = storedToken();
  if (token) loginWith(token).catch((error) => showLogin(loginWith, /** @type {Error} */ (error).message));
  else showLogin(loginWith);
}

// A `#token=` link opened in a tab that already shows the page changes only the fragment.
window.addEventListener('hashchange', () => {
  if (!/token=/.test(location.hash)) return;
  takeTokenFromAddress();
  stopStreams();
  boot();
});
boot();
