/**
 * The informaticist's console: sign in, choose a period and filters, read the override analytics, apply a
 * proposal (with a note, audited by the service), and check the guideline rules' health. Plain ES modules; the
 * charts are Chart.js; every number is also in a table.
 */
import { ApiError, call, download, forgetCredential, query, storeCredential, storedCredential } from './api.js';
import { drawAlertChart, drawWeeklyChart } from './charts.js';
import {
  fillOptions,
  proposalChange,
  proposalTitle,
  renderAlerts,
  renderProposals,
  renderReasons,
  renderRules,
  renderShadow,
  renderTotals,
  renderWeekly,
  topReasons,
} from './views.js';

const $ = (id) => document.getElementById(id);

const ui = {
  signIn: $('sign-in'),
  signInTitle: $('sign-in-title'),
  signInForm: $('sign-in-form'),
  credential: $('credential'),
  console: $('console'),
  consoleTitle: $('console-title'),
  who: $('who'),
  signOut: $('sign-out'),
  status: $('status'),
  problem: $('problem'),
  filters: $('filters'),
  from: $('from'),
  to: $('to'),
  severity: $('severity'),
  hook: $('hook'),
  client: $('client'),
  period: $('period'),
  totals: $('totals'),
  alertsChart: $('alerts-chart'),
  alertsTable: $('alerts-table'),
  shadowTable: $('shadow-table'),
  exportCsv: $('export-csv'),
  exportJson: $('export-json'),
  weeklyChart: $('weekly-chart'),
  weeklyTable: $('weekly-table'),
  reasonsTable: $('reasons-table'),
  proposals: $('proposals'),
  proposalsTitle: $('proposals-title'),
  rulesTable: $('rules-table'),
  dialog: $('apply-dialog'),
  applyForm: $('apply-form'),
  applySummary: $('apply-summary'),
  applyNote: $('apply-note'),
  applyError: $('apply-error'),
  applyCancel: $('apply-cancel'),
  applyConfirm: $('apply-confirm'),
};

/** Only the answers of the latest load are shown (a slower earlier one is dropped). */
let generation = 0;
let applying;
/** The dates and filters of what the page shows now (the last load's): what an export downloads. */
let shown;
let exporting = false;

function say(text) {
  ui.status.textContent = text;
}

function complain(text) {
  ui.problem.textContent = text;
}

function showSignIn(message) {
  generation += 1;
  ui.console.hidden = true;
  ui.signOut.hidden = true;
  ui.who.hidden = true;
  ui.signIn.hidden = false;
  complain(message ?? '');
  ui.credential.value = '';
  ui.credential.focus();
}

function showConsole() {
  ui.signIn.hidden = true;
  ui.console.hidden = false;
  ui.signOut.hidden = false;
  ui.who.hidden = false;
  ui.who.textContent = 'Signed in';
}

/** The filters as query parameters (empty ones left out). */
function filterValues() {
  return {
    from: ui.from.value,
    to: ui.to.value,
    severity: ui.severity.value,
    hook: ui.hook.value,
    client: ui.client.value,
  };
}

/** A credential refused or not allowed sends the person back to sign in; anything else is said in the page. */
function handleFailure(err) {
  if (err instanceof ApiError && err.status === 401) {
    forgetCredential();
    showSignIn('The credential was not accepted: sign in again.');
    return;
  }
  if (err instanceof ApiError && err.status === 403) {
    forgetCredential();
    showSignIn('This credential may not read the analytics: it needs the informaticist or admin role.');
    return;
  }
  say('');
  complain(err instanceof ApiError ? err.message : `Something went wrong in the page: ${err.message}`);
}

/** Each finished load (shown or failed) is counted on the page: a signal for anything that waits for one. */
function finished() {
  document.body.dataset.loads = String(Number(document.body.dataset.loads ?? 0) + 1);
}

/** Loads everything for the filters; `announce` replaces the summary said when done (after an action). */
async function load({ focus, announce } = {}) {
  const mine = ++generation;
  complain('');
  say('Loading…');
  const f = filterValues();
  const period = { from: f.from, to: f.to };
  try {
    const [alerts, proposals, rules, severities, hooks, clients] = await Promise.all([
      call(`/analytics/alerts${query({ ...f, groupBy: 'alert' })}`),
      call(`/analytics/proposals${query(period)}`),
      call('/rules'),
      call(`/analytics/alerts${query({ ...period, groupBy: 'severity' })}`),
      call(`/analytics/alerts${query({ ...period, groupBy: 'hook' })}`),
      call(`/analytics/alerts${query({ ...period, groupBy: 'client' })}`),
    ]);
    if (mine !== generation) return;
    showConsole();
    ui.from.value = alerts.period.from;
    ui.to.value = alerts.period.to;
    fillOptions(ui.severity, severities.rows);
    fillOptions(ui.hook, hooks.rows);
    fillOptions(ui.client, clients.rows);
    ui.period.textContent = `Showing ${alerts.period.from} to ${alerts.period.to}.`;
    renderTotals(ui.totals, alerts.totals);
    renderAlerts(ui.alertsTable, alerts.rows);
    renderShadow(ui.shadowTable, alerts.shadow ?? []);
    drawAlertChart(ui.alertsChart, alerts.rows);
    renderWeekly(ui.weeklyTable, alerts.weekly);
    drawWeeklyChart(ui.weeklyChart, alerts.weekly);
    renderReasons(ui.reasonsTable, topReasons(alerts.rows));
    renderProposals(ui.proposals, proposals.proposals, openApply);
    renderRules(ui.rulesTable, rules);
    shown = { ...f, from: alerts.period.from, to: alerts.period.to };
    const n = alerts.rows.length;
    const m = proposals.proposals.length;
    say(
      announce ??
        `Showing ${n} alert${n === 1 ? '' : 's'} and ${m} proposal${m === 1 ? '' : 's'}, ${alerts.period.from} to ${alerts.period.to}.`,
    );
    focus?.focus();
    finished();
  } catch (err) {
    if (mine === generation) {
      handleFailure(err);
      finished();
    }
  }
}

function openApply(proposal, button) {
  applying = { proposal, button };
  ui.applySummary.textContent = `${proposalTitle(proposal)}. ${proposalChange(proposal)} ${proposal.reason ?? ''}`;
  ui.applyNote.value = '';
  ui.applyError.textContent = '';
  ui.applyNote.removeAttribute('aria-invalid');
  ui.applyConfirm.disabled = false;
  ui.dialog.showModal();
  ui.applyNote.focus();
}

function closeApply() {
  const back = applying?.button;
  applying = undefined;
  if (ui.dialog.open) ui.dialog.close();
  if (back?.isConnected) back.focus();
}

async function confirmApply(event) {
  event.preventDefault();
  if (!applying) return;
  const note = ui.applyNote.value.trim();
  if (note.length < 10 || note.length > 2000) {
    ui.applyNote.setAttribute('aria-invalid', 'true');
    ui.applyError.textContent = 'Write why, in 10 to 2000 characters: the note goes into the audit trail.';
    ui.applyNote.focus();
    return;
  }
  ui.applyNote.removeAttribute('aria-invalid');
  ui.applyConfirm.disabled = true;
  ui.applyError.textContent = 'Applying…';
  const { proposal } = applying;
  try {
    const answer = await call(`/analytics/proposals/${encodeURIComponent(proposal.id)}/apply`, {
      method: 'POST',
      // The proposal is recomputed over the period it was proposed for.
      body: { note, from: ui.from.value, to: ui.to.value },
    });
    applying = undefined;
    ui.dialog.close();
    const a = answer.applied ?? {};
    await load({
      focus: ui.proposalsTitle,
      announce: `Applied: ${proposalTitle(proposal)}${a.indicator || a.status ? `, now ${a.indicator ?? a.status}` : ''}${
        a.policy ? ` in the ${a.policy} policy` : ''
      }. Recorded in the audit trail.`,
    });
  } catch (err) {
    ui.applyConfirm.disabled = false;
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      applying = undefined;
      ui.dialog.close();
      handleFailure(err);
      return;
    }
    ui.applyError.textContent = err instanceof ApiError ? err.message : String(err);
    ui.applyNote.focus();
  }
}

ui.signInForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = ui.credential.value.trim();
  if (!value) {
    complain('Type an API key or an access token.');
    ui.credential.focus();
    return;
  }
  storeCredential(value);
  ui.credential.value = '';
  void load({ focus: ui.consoleTitle });
});

ui.signOut.addEventListener('click', () => {
  forgetCredential();
  shown = undefined;
  for (const table of [ui.alertsTable, ui.shadowTable, ui.weeklyTable, ui.reasonsTable, ui.rulesTable])
    table.tBodies[0].replaceChildren();
  ui.totals.replaceChildren();
  ui.proposals.replaceChildren();
  showSignIn();
  say('Signed out.');
});

ui.filters.addEventListener('submit', (event) => {
  event.preventDefault();
  if (ui.from.value && ui.to.value && ui.from.value > ui.to.value) {
    complain('The period must start before it ends.');
    ui.from.focus();
    return;
  }
  void load();
});

/** Downloads the alerts of the view shown (its dates and filters, not edits not yet shown) as CSV or JSON. */
async function exportView(format) {
  // One at a time; the button is not disabled (that would take the keyboard focus away from it).
  if (!shown || exporting) return;
  exporting = true;
  const name = `alert-analytics-${shown.from}-to-${shown.to}.${format}`;
  complain('');
  say(`Preparing ${name}…`);
  try {
    await download(
      `/analytics/alerts${query({ ...shown, groupBy: 'alert', format })}`,
      name,
      format === 'csv' ? 'text/csv' : 'application/json',
    );
    say(`Downloaded ${name}.`);
  } catch (err) {
    handleFailure(err);
  } finally {
    exporting = false;
  }
}

ui.exportCsv.addEventListener('click', () => void exportView('csv'));
ui.exportJson.addEventListener('click', () => void exportView('json'));

ui.applyForm.addEventListener('submit', confirmApply);
ui.applyNote.addEventListener('input', () => {
  if (!ui.applyNote.hasAttribute('aria-invalid')) return;
  ui.applyNote.removeAttribute('aria-invalid');
  ui.applyError.textContent = '';
});
ui.applyCancel.addEventListener('click', closeApply);
// Escape closes the dialog natively; focus still goes back to the proposal's button. The close event comes a
// moment later: by then the dialog may have been opened again (Escape, then Enter on the button), and stays open.
ui.dialog.addEventListener('close', () => {
  if (applying && !ui.dialog.open) closeApply();
});

if (storedCredential()) void load({ focus: ui.consoleTitle });
else showSignIn();
