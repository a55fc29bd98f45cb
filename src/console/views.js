/**
 * What the console shows, built with DOM calls and `textContent` only: every label comes from the service's data
 * (rule titles, interaction names, client names) and is never parsed as HTML.
 */

/** An element with text and attributes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const count = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');

/** A rate 0..1 as a percentage with one decimal; no rate (no feedback at all) as a dash. */
export const percent = (r) => (typeof r === 'number' ? `${(r * 100).toFixed(1)}%` : '—');

export function rateWithInterval(rate, low, high) {
  if (typeof rate !== 'number') return 'no feedback';
  return typeof low === 'number' && typeof high === 'number'
    ? `${percent(rate)} (${percent(low)} to ${percent(high)})`
    : percent(rate);
}

function fillBody(table, rows, empty, columns) {
  const body = table.tBodies[0];
  body.replaceChildren();
  if (rows.length === 0) {
    body.append(el('tr', {}, el('td', { colspan: columns, class: 'empty' }, empty)));
    return;
  }
  for (const row of rows) body.append(row);
}

const num = (value, extra = {}) => el('td', { class: 'num', ...extra }, value);

/** Accepted and overridden count the outcomes the EHR sent and those inferred from the next order-sign. */
export const accepted = (c) => (c.accepted ?? 0) + (c.acceptedInferred ?? 0);
export const overridden = (c) => (c.overridden ?? 0) + (c.overriddenInferred ?? 0);

export function renderTotals(dl, totals) {
  const items = [
    ['shown', 'Shown', count(totals.shown)],
    ['accepted', 'Accepted', `${count(accepted(totals))} (${count(totals.acceptedInferred)} inferred)`],
    ['overridden', 'Overridden', `${count(overridden(totals))} (${count(totals.overriddenInferred)} inferred)`],
    ['noFeedback', 'No feedback', count(totals.noFeedback)],
    [
      'overrideRate',
      'Override rate',
      rateWithInterval(totals.overrideRate, totals.overrideRateLow, totals.overrideRateHigh),
    ],
  ];
  dl.replaceChildren(
    ...items.map(([key, label, value]) =>
      el('div', { class: 'total' }, el('dt', {}, label), el('dd', { 'data-total': key }, value)),
    ),
  );
}

const reasonName = (r) => r.display ?? r.code ?? 'No reason given';
const reasonText = (r) => `${reasonName(r)} (${count(r.count)})`;

export function renderAlerts(table, rows) {
  fillBody(
    table,
    rows.map((r) =>
      el(
        'tr',
        { 'data-key': r.key },
        el('th', { scope: 'row' }, r.label ?? r.key, el('span', { class: 'sub' }, `${r.kind ?? ''} ${r.id ?? ''}`)),
        el('td', {}, r.severity ?? '—'),
        el('td', {}, r.indicator ?? '—'),
        num(count(r.shown), { 'data-col': 'shown' }),
        num(count(accepted(r)), { 'data-col': 'accepted' }),
        num(count(overridden(r)), { 'data-col': 'overridden' }),
        num(count(r.noFeedback), { 'data-col': 'noFeedback' }),
        num(rateWithInterval(r.overrideRate, r.overrideRateLow, r.overrideRateHigh), { 'data-col': 'overrideRate' }),
        el('td', {}, (r.topReasons ?? []).map(reasonText).join('; ') || '—'),
      ),
    ),
    'No alert was shown in this period with these filters.',
    9,
  );
}

/**
 * Of a shadow rule's would-be cards at an earlier hook, the share it flagged again at the later hook: the rate and
 * how many cards it is of, or why there is none.
 */
export function wouldBeOverridden(s) {
  if (typeof s.wouldBeOverriddenRate !== 'number') return 'no order-select cards';
  return `${percent(s.wouldBeOverriddenRate)} of ${count(s.wouldBeOverriddenBasis)}`;
}

export function renderShadow(table, shadow) {
  fillBody(
    table,
    shadow.map((s) =>
      el(
        'tr',
        { 'data-rule': s.rule },
        el('th', { scope: 'row' }, s.label ?? s.rule, el('span', { class: 'sub' }, s.rule)),
        num(count(s.wouldBeShown), { 'data-col': 'wouldBeShown' }),
        num(count(s.wouldBeInterruptive), { 'data-col': 'wouldBeInterruptive' }),
        num(count(s.patients), { 'data-col': 'patients' }),
        num(wouldBeOverridden(s), { 'data-col': 'wouldBeOverridden' }),
      ),
    ),
    'No shadow rule would have shown a card in this period with these filters.',
    5,
  );
}

export function renderWeekly(table, weekly) {
  fillBody(
    table,
    weekly.map((w) =>
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, w.week),
        num(count(w.shown)),
        num(count(accepted(w))),
        num(count(overridden(w))),
      ),
    ),
    'No alert was shown in this period.',
    4,
  );
}

/** The reasons of every alert listed, added up by code system and code, most often given first. */
export function topReasons(rows, limit = 10) {
  const byCode = new Map();
  for (const row of rows) {
    for (const r of row.topReasons ?? []) {
      const key = `${r.system ?? ''}|${r.code}`;
      const seen = byCode.get(key);
      if (seen) seen.count += r.count;
      else byCode.set(key, { system: r.system, code: r.code, display: r.display, count: r.count });
    }
  }
  return [...byCode.values()]
    .sort((a, b) => b.count - a.count || String(a.display ?? a.code).localeCompare(String(b.display ?? b.code)))
    .slice(0, limit);
}

export function renderReasons(table, reasons) {
  fillBody(
    table,
    reasons.map((r) =>
      el('tr', {}, el('th', { scope: 'row' }, reasonName(r)), el('td', {}, r.code ?? '—'), num(count(r.count))),
    ),
    'No override reason was given in this period.',
    3,
  );
}

const KINDS = {
  demote: 'Lower the indicator',
  protect: 'Keep this alert interruptive',
  'promote-shadow': 'Promote the shadow rule',
};

export function proposalTitle(p) {
  return `${KINDS[p.kind] ?? p.kind}: ${p.target?.label ?? p.target?.id ?? p.id}`;
}

export function proposalChange(p) {
  const from = p.current?.indicator ?? p.current?.status;
  const to = p.proposed?.indicator ?? p.proposed?.status;
  const where = p.target?.policy ? ` in the ${p.target.policy} policy` : '';
  if (from && to) return `From ${from} to ${to}${where}.`;
  if (to) return `To ${to}${where}.`;
  return '';
}

/** The proposals, each with its evidence and an Apply button (disabled, with the reason, when not applicable). */
export function renderProposals(list, proposals, onApply) {
  list.replaceChildren();
  if (proposals.length === 0) {
    list.append(el('li', { class: 'empty' }, 'No proposal for this period.'));
    return;
  }
  for (const p of proposals) {
    const titleId = `proposal-${cssId(p.id)}-title`;
    const e = p.evidence ?? {};
    const button = el(
      'button',
      { type: 'button', class: 'primary', 'aria-describedby': titleId, disabled: !p.applicable, 'data-proposal': p.id },
      'Apply…',
    );
    button.addEventListener('click', () => onApply(p, button));
    list.append(
      el(
        'li',
        { class: 'proposal', 'data-proposal': p.id },
        el('h3', { id: titleId }, proposalTitle(p)),
        el('p', {}, p.reason ?? ''),
        el('p', {}, proposalChange(p)),
        el(
          'p',
          { class: 'evidence' },
          `Shown ${count(e.shown)}, overridden ${count(e.overridden)}, override rate ${percent(e.overrideRate)}.`,
        ),
        p.applicable
          ? null
          : el('p', { class: 'help' }, `Not applied here: ${p.notApplicableBecause ?? 'advice only'}.`),
        button,
      ),
    );
  }
}

function cssId(id) {
  return String(id).replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Slow: a mean CPU time above half the rule's budget (at the budget it is switched off). */
export function ruleHealth(rule) {
  const problems = [];
  const details = [];
  if (rule.disabled) {
    problems.push('Switched off');
    details.push(`${rule.disabled.reason} Runs again at ${rule.disabled.until}.`);
  }
  if (rule.cost && rule.cost.evaluations > 0 && rule.cost.meanCpuMs > rule.cost.cpuBudgetMs / 2) {
    problems.push('Slow');
    details.push(`Mean CPU ${rule.cost.meanCpuMs} ms over its last ${rule.cost.evaluations} evaluations.`);
  }
  const last = rule.switchOffs?.last;
  if (last?.cause === 'errors' || rule.rejectedEdit) {
    problems.push('Failing');
    if (last?.cause === 'errors' && !rule.disabled) details.push(`Last switched off at ${last.at}: ${last.reason}`);
    if (rule.rejectedEdit)
      details.push(`Its last edit was refused (${rule.rejectedEdit.at}): ${rule.rejectedEdit.problems.join('; ')}`);
  }
  if (rule.switchOffs?.count > 0 && !rule.disabled && last?.cause !== 'errors')
    details.push(`Switched off ${rule.switchOffs.count} time(s) since the service started.`);
  return { health: problems.length > 0 ? problems.join(', ') : 'OK', detail: details.join(' ') };
}

export function renderRules(table, answer) {
  const rows = (answer.rules ?? []).map((r) => {
    const { health, detail } = ruleHealth(r);
    return el(
      'tr',
      { 'data-rule': r.id, class: health === 'OK' ? '' : 'attention' },
      el('th', { scope: 'row' }, r.title ?? r.id, el('span', { class: 'sub' }, `${r.id} v${r.version}`)),
      el('td', {}, r.status),
      el('td', { 'data-col': 'health' }, health),
      num(r.cost ? String(r.cost.meanCpuMs) : '—'),
      num(r.cost ? String(r.cost.cpuBudgetMs) : '—'),
      el('td', {}, detail || '—'),
    );
  });
  for (const f of answer.rejectedFiles ?? []) {
    rows.push(
      el(
        'tr',
        { 'data-rule-file': f.file, class: 'attention' },
        el('th', { scope: 'row' }, f.file),
        el('td', {}, 'not loaded'),
        el('td', { 'data-col': 'health' }, 'Failing'),
        num('—'),
        num('—'),
        el('td', {}, `File refused (${f.at}): ${f.problems.join('; ')}`),
      ),
    );
  }
  fillBody(table, rows, 'No guideline rule is loaded.', 6);
}

/**
 * Replaces a filter's options from the rows of a grouped query (a row's `id` is the value the filter takes, its
 * `key` is `kind:id`), keeping the first, "all", and the current choice even when it has no data now.
 */
export function fillOptions(select, rows) {
  const current = select.value;
  const all = select.options[0];
  const value = (r) => r.id ?? r.key;
  const options = rows.map((r) => el('option', { value: value(r) }, r.label || value(r)));
  if (current && !rows.some((r) => value(r) === current)) options.push(el('option', { value: current }, current));
  select.replaceChildren(all, ...options);
  select.value = current;
}
