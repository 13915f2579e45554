// The review page: the units ranked by their mean review score, a unit's projects with their
// findings, and the rules. Each table is one GraphQL request to /graphql; the CSV links run
// the same requests through /export.csv. Plain tables, no chart library: the page works on a
// fresh clone. For tests, every table element says data-state="loading|ready|error".
(() => {
  'use strict';

  const endpoint = 'graphql';
  const RULES = {
    MISSING_CATEGORY: '缺少一级指标', LOW_QUANTITATIVE_SHARE: '定量指标比例低', MISSING_UNIT: '数值无计量单位',
    PLACEHOLDER: '模板未填写', CANNOT_FAIL: '目标无法不达成', VAGUE_VALUE: '指标值含糊',
    BUDGET_AS_COST: '成本指标即预算总额', SATISFACTION_BELOW: '满意度目标偏低', NEAR_DUPLICATE: '指标与其他项目雷同',
    DEADLINE_OUTSIDE_YEAR: '时限不在预算年度',
  };
  const SEVERITY = { HIGH: '高', MEDIUM: '中', LOW: '低' };
  const state = { year: null, dept: null, unit: null };

  async function gql(query, variables) {
    const resp = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = await resp.json();
    if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join('\n'));
    return body.data;
  }

  function csvLink(a, query, variables, filename) {
    a.href = `export.csv?${new URLSearchParams({ query, variables: JSON.stringify(variables), filename })}`;
  }

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    Object.assign(e, props || {});
    e.append(...children.filter((c) => c !== null && c !== undefined));
    return e;
  }

  function setState(box, s, message) {
    box.dataset.state = s;
    if (message !== undefined) box.replaceChildren(el('div', { className: `state${s === 'error' ? ' error' : ''}`, textContent: message }));
  }

  // filter is the FindingWhere of the page's year and department (and unit).
  function filter(unit) {
    const f = {};
    if (state.year) f.year = { eq: Number(state.year) };
    if (state.dept !== null) f.department = { eq: state.dept };
    if (unit) f.unit = { eq: unit };
    return f;
  }

  const UNITS = `query ($filter: FindingWhere) {
  findingGroups(filter: $filter, groupBy: [UNIT], measures: [PROJECTS, FLAGGED_PROJECTS, FINDINGS, PENALTY_SUM, SCORE_AVG, SCORE_MIN],
    orderBy: [{measure: SCORE_AVG, direction: ASC}]) {
    table { columns { name type } rows }
  }
}`;

  async function loadUnits() {
    const box = document.getElementById('units');
    setState(box, 'loading', '加载中…');
    const vars = { filter: filter() };
    csvLink(document.getElementById('units-csv'), UNITS, vars, 'review-units');
    try {
      const t = (await gql(UNITS, vars)).findingGroups.table;
      const idx = Object.fromEntries(t.columns.map((c, i) => [c.name, i]));
      if (!t.rows.length) return setState(box, 'ready', '没有符合筛选的目标表');
      const table = el('table');
      const head = table.createTHead().insertRow();
      for (const h of ['单位', '代码', '目标表', '有发现的表', '发现', '扣分', '平均得分', '最低得分']) head.append(el('th', { textContent: h }));
      const body = table.createTBody();
      for (const r of t.rows) {
        const tr = body.insertRow();
        tr.className = 'unit';
        tr.dataset.unit = r[idx.unit_code];
        const cells = [r[idx.unit_name], r[idx.unit_code], r[idx.projects], r[idx.flagged_projects], r[idx.findings],
          r[idx.penalty_sum], Number(r[idx.score_avg]).toFixed(1), r[idx.score_min]];
        cells.forEach((c, i) => tr.append(el('td', { textContent: c ?? '', className: i >= 2 ? 'num' : '' })));
        tr.addEventListener('click', () => selectUnit(r[idx.unit_code], r[idx.unit_name]));
      }
      box.replaceChildren(table);
      setState(box, 'ready');
    } catch (e) {
      setState(box, 'error', `查询失败：${e.message || e}`);
    }
  }

  const PROJECTS = `query ($filter: FindingWhere, $first: Int) {
  scores: findingGroups(filter: $filter, groupBy: [PROJECT], measures: [SCORE_AVG, FINDINGS],
    orderBy: [{measure: SCORE_AVG, direction: ASC}]) {
    groups { key { project { id name year budget { total } } } value(measure: SCORE_AVG) }
  }
  findings(filter: $filter, first: $first) {
    totalCount
    nodes { id rule severity weight message project { id } similarity similarTo { name year unit { name } }
      rows { indicatorId level1 level2 level3 raw where } }
  }
}`;

  // ROWS is the query a finding's link opens in the IDE: every row of its table, with lines.
  const ROWS = `query ($project: ID) {
  indicators(filter: {project: {eq: $project}}, first: 500) {
    nodes { id seq level1 level2 level3 value { raw } sourceLine place }
  }
}`;

  const FINDINGS_CSV = `query ($filter: FindingWhere, $first: Int) {
  findings(filter: $filter, first: $first) { table { columns { name } rows } }
}`;

  async function selectUnit(code, name) {
    state.unit = code;
    for (const tr of document.querySelectorAll('tr.unit')) tr.classList.toggle('selected', tr.dataset.unit === code);
    const card = document.getElementById('unit-card');
    card.hidden = false;
    document.getElementById('unit-title').textContent = `${name}（${code}）的项目和发现`;
    const box = document.getElementById('projects');
    setState(box, 'loading', '加载中…');
    const vars = { filter: filter(code), first: 500 };
    csvLink(document.getElementById('findings-csv'), FINDINGS_CSV, vars, `review-${code}`);
    try {
      const d = await gql(PROJECTS, vars);
      if (state.unit !== code) return;
      const byProject = {};
      for (const f of d.findings.nodes) (byProject[f.project.id] = byProject[f.project.id] || []).push(f);
      const out = [];
      for (const g of d.scores.groups) {
        const p = g.key.project;
        out.push(el('div', { className: 'project', id: `project-${p.id}` }, `${p.year} · ${p.name}`,
          el('span', { className: 'score', textContent: `得分 ${Number(g.value).toFixed(0)} · 预算 ${p.budget.total} 万元` })));
        const fs = byProject[p.id] || [];
        if (!fs.length) {
          out.push(el('div', { className: 'state', textContent: '没有发现' }));
          continue;
        }
        const table = el('table');
        const body = table.createTBody();
        for (const f of fs) {
          const tr = body.insertRow();
          tr.id = `finding-${f.id}`;
          tr.append(el('td', { className: `sev-${f.severity}`, textContent: `${SEVERITY[f.severity]} −${f.weight}` }));
          tr.append(el('td', { textContent: RULES[f.rule] || f.rule, title: f.rule }));
          const msg = el('td', {}, f.message);
          if (f.rows.length) {
            msg.append(el('ul', { className: 'rows' }, ...f.rows.map((r) => el('li', { id: `row-${r.indicatorId}`,
              textContent: `${r.where}：${r.level1} / ${r.level2} / ${r.level3} = ${r.raw}` }))));
          }
          // The rows in their table: the project's indicator rows, opened in the IDE.
          msg.append(el('a', { className: 'rows-link', target: '_blank', textContent: '查看该表全部指标行',
            href: `./?${new URLSearchParams({ query: ROWS, variables: JSON.stringify({ project: f.project.id }, null, 2) })}` }));
          tr.append(msg);
        }
        out.push(table);
      }
      if (d.findings.totalCount > d.findings.nodes.length) {
        out.push(el('div', { className: 'state', textContent: `只显示前 ${d.findings.nodes.length} 条发现（共 ${d.findings.totalCount} 条）；完整列表见 CSV。` }));
      }
      box.replaceChildren(...out);
      setState(box, 'ready');
    } catch (e) {
      setState(box, 'error', `查询失败：${e.message || e}`);
    }
  }

  async function loadRules() {
    const box = document.getElementById('rules-list');
    try {
      const d = await gql('{ reviewRules { rule severity weight title why threshold } }', {});
      const table = el('table');
      const head = table.createTHead().insertRow();
      for (const h of ['规则', '严重程度', '扣分', '发现什么', '为什么', '阈值']) head.append(el('th', { textContent: h }));
      const body = table.createTBody();
      for (const r of d.reviewRules) {
        const tr = body.insertRow();
        for (const c of [`${RULES[r.rule] || ''} ${r.rule}`, SEVERITY[r.severity], r.weight, r.title, r.why, r.threshold]) tr.append(el('td', { textContent: c }));
      }
      box.replaceChildren(table);
      setState(box, 'ready');
    } catch (e) {
      setState(box, 'error', `查询失败：${e.message || e}`);
    }
  }

  async function loadFilters() {
    const d = await gql(`{ years: findingGroups(groupBy: [YEAR], measures: [PROJECTS]) { groups { key { year } } }
      depts: findingGroups(groupBy: [DEPARTMENT], measures: [PROJECTS]) { groups { key { department } } } }`, {});
    const year = document.getElementById('r-year');
    year.append(el('option', { value: '', textContent: '全部' }), ...d.years.groups.map((g) => el('option', { value: g.key.year, textContent: g.key.year })));
    const dept = document.getElementById('r-dept');
    dept.append(el('option', { value: '\u0000', textContent: '全部' }),
      ...d.depts.groups.map((g) => el('option', { value: g.key.department, textContent: g.key.department || '（未注明）' })));
    year.addEventListener('change', () => { state.year = year.value || null; refresh(); });
    dept.addEventListener('change', () => { state.dept = dept.value === '\u0000' ? null : dept.value; refresh(); });
  }

  function refresh() {
    document.getElementById('unit-card').hidden = true;
    state.unit = null;
    return loadUnits();
  }

  document.addEventListener('DOMContentLoaded', async () => {
    loadRules();
    try {
      await loadFilters();
    } catch (e) {
      setState(document.getElementById('units'), 'error', `查询失败：${e.message || e}`);
      return;
    }
    await loadUnits();
    const hash = new URLSearchParams(location.hash.slice(1));
    if (hash.get('unit')) {
      const tr = document.querySelector(`tr.unit[data-unit="${CSS.escape(hash.get('unit'))}"]`);
      if (tr) tr.click();
    }
  });
})();
