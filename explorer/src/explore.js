// The jixiao explorer: filters and charts over the analytics API. Every chart is one GraphQL
// request to /graphql, shown under the chart (copyable, openable in the IDE, downloadable as
// CSV), so the page doubles as documentation of the API. Charts are drawn with ECharts when
// it was built (window.echarts); otherwise each chart's numbers are shown as a table.
//
// For tests and debugging, window.jixiao holds each chart's last query, variables and answer,
// and every chart element says data-state="loading|ready|error"; body[data-settled] is the
// number of the last filter change whose charts have all settled.
(() => {
  'use strict';

  // ---------------------------------------------------------------- words

  const WORDS = {
    zh: {
      title: '绩效目标浏览', review: '审核', ide: 'GraphQL IDE', langToggle: 'English', years: '年度', units: '预算单位',
      unitSearch: '搜索单位名称、代码或地区', province: '省', city: '市', county: '县/区', unknownPlace: '（地区未知）',
      onlyShown: '只选显示的', allUnitsBtn: '全选', shownOf: (n, m, k) => `显示 ${n} / 共 ${m} 个单位，已选 ${k}`,
      moreHidden: (n) => `另有 ${n} 个，请输入搜索词缩小范围`,
      seriesN: '显示前', seriesUnits: '个单位，其余合并为“其他”', othersUnits: (n) => `其他（${n} 个单位）`,
      classLimit: '列出前', classes: (n, m) => `类（共 ${m} 类）`,
      level1: '一级指标', level2: '二级指标', kind: '指标值类型', all: '全部', reset: '重置',
      indicatorOnly: '一级、二级指标和类型只筛选指标图表；年度和单位筛选全部图表。',
      footer: '每个图表是一次对 /graphql 的请求；展开“查询”可复制，或在 IDE 中打开、下载 CSV。',
      query: '查询 (GraphQL)', variables: '变量', copy: '复制查询', copyCurl: '复制 curl', copied: '已复制',
      openIDE: '在 IDE 中打开', csv: '下载 CSV', loading: '加载中…', empty: '没有符合筛选的数据',
      failed: '查询失败：', others: '其他', othersN: (n) => `其他（${n} 个项目）`, allUnits: '全部单位',
      wan: '万元', count: '数量', coverage: '覆盖率 %', topN: '显示前', projects: '个项目',
      name: '指标名称', indicators: '包含的指标', namePlaceholder: '例如 培训费、满意度', cls: '可比目标',
      unitMedian: '单位中位数', unitMin: '单位最小值', unitMax: '单位最大值', median: '中位数',
      quartiles: '四分位区间 (P25–P75)', measure: '指标', budgetSum: '预算合计（万元）', projectCount: '项目数',
      change: '同比', noClass: '没有两个以上单位共有的可比目标',
      status: { NONE: '无上限', BELOW: '低于预算', EQUAL: '等于预算', EXCEEDS: '超出预算', NO_BUDGET: '未列预算' },
      dir: { AT_LEAST: '目标下限（越高越严）', AT_MOST: '上限（越低越严）' },
      kinds: { COUNT: '数量', MONEY: '金额', PERCENT: '百分比', DURATION: '时长', DEADLINE: '期限', QUANTITY: '物理量', TEXT: '文字' },
      notBuilt: '图表库未构建（ECharts 未嵌入二进制）：下面以表格显示同样的数字。构建：<code>go generate ./explorer</code>（即在 explorer/ 下 <code>npm ci &amp;&amp; npm run build</code>），再 <code>go run .</code>。',
      charts: {
        budget: ['预算：年度 × 单位', '各年度各单位的项目预算合计（万元），按单位堆叠。'],
        top: ['预算最多的项目', '按预算排序的前 N 个项目，其余合并为“其他”。'],
        mix: ['指标构成', '指标行按一级、二级指标（规范名称）分布；内圈一级，外圈二级。'],
        satisfaction: ['满意度目标的分布', '服务对象满意度指标（%）各单位的最小值、四分位数、中位数和最大值；“全部”为所有单位合计。'],
        ceilings: ['成本上限覆盖率（按项目）', '各项目绝对成本上限之和占预算的百分比；100% 线即等于预算。'],
        standards: ['跨单位比较同一指标', '同类可比目标（同一二级指标、单位和方向）：各单位中位数与全体中位数、四分位区间对比。'],
        trend: ['同比趋势', '各单位逐年数值及同比变化。'],
        achievement: ['目标完成情况（按单位）', '绩效自评表中各单位已完成、未完成、无法判断的指标数（按评价指标数取前 N 个单位，其余合并为“其他”），折线为完成率 = 已完成 ÷（已完成 + 未完成）。'],
        audit: ['自评得分核查', '自评得分与按财预〔2020〕10号规则重算的得分不一致的指标，未完成目标却给满分的在前（红色），其余按差额大小排列。'],
      },
      met: '已完成', notMet: '未完成', notMeasurable: '无法判断', achievementRate: '完成率 %', allRate: '全部',
      evaluated: '评价指标数', noEvaluations: '没有绩效自评表数据（未载入自评表，或筛选后为空）',
      selfScore: '自评得分', ruleScore: '规则得分', fullMarksMissed: '未完成目标却给满分', difference: '差额',
      auditRows: (n, m) => `条（共 ${m} 条不一致）`, auditN: '列出前', noAudit: '没有自评得分与规则得分不一致的指标（或未载入绩效自评表）',
      target: '目标值', actual: '实际值', weight: '分值',
    },
    en: {
      title: 'Performance targets explorer', review: 'Review', ide: 'GraphQL IDE', langToggle: '中文', years: 'Years', units: 'Budget units',
      unitSearch: 'Search unit name, code or place', province: 'Province', city: 'City', county: 'County', unknownPlace: '(place unknown)',
      onlyShown: 'Select shown only', allUnitsBtn: 'Select all', shownOf: (n, m, k) => `${n} of ${m} units shown, ${k} selected`,
      moreHidden: (n) => `${n} more: type to narrow the list`,
      seriesN: 'Top', seriesUnits: 'units, the rest as "Others"', othersUnits: (n) => `Others (${n} units)`,
      classLimit: 'List the first', classes: (n, m) => `classes (of ${m})`,
      level1: 'Level 1', level2: 'Level 2', kind: 'Value kind', all: 'All', reset: 'Reset',
      indicatorOnly: 'Level 1, level 2 and kind filter the indicator charts only; years and units filter every chart.',
      footer: 'Every chart is one request to /graphql; open "Query" to copy it, open it in the IDE or download it as CSV.',
      query: 'Query (GraphQL)', variables: 'Variables', copy: 'Copy query', copyCurl: 'Copy curl', copied: 'Copied',
      openIDE: 'Open in the IDE', csv: 'Download CSV', loading: 'Loading…', empty: 'No data for these filters',
      failed: 'The query failed: ', others: 'Others', othersN: (n) => `Others (${n} projects)`, allUnits: 'All units',
      wan: '10k yuan', count: 'Count', coverage: 'Coverage %', topN: 'Top', projects: 'projects',
      name: 'Indicator name', indicators: 'Indicators', namePlaceholder: 'e.g. 培训费, 满意度', cls: 'Comparable targets',
      unitMedian: 'Unit median', unitMin: 'Unit min', unitMax: 'Unit max', median: 'Median',
      quartiles: 'Interquartile range (P25–P75)', measure: 'Measure', budgetSum: 'Budget total (10k yuan)', projectCount: 'Projects',
      change: 'YoY', noClass: 'No comparable targets shared by two or more units',
      status: { NONE: 'no ceiling', BELOW: 'below budget', EQUAL: 'equal to budget', EXCEEDS: 'exceeds budget', NO_BUDGET: 'no budget stated' },
      dir: { AT_LEAST: 'target to reach (higher is stricter)', AT_MOST: 'ceiling (lower is stricter)' },
      kinds: { COUNT: 'count', MONEY: 'money', PERCENT: 'percent', DURATION: 'duration', DEADLINE: 'deadline', QUANTITY: 'quantity', TEXT: 'text' },
      notBuilt: 'The chart library is not built (ECharts is not embedded): the same numbers are shown as tables. Build it with <code>go generate ./explorer</code> (<code>npm ci &amp;&amp; npm run build</code> in explorer/), then <code>go run .</code>.',
      charts: {
        budget: ['Budget by year × unit', 'Sum of project budgets (10k yuan) per year, stacked by unit.'],
        top: ['Largest projects', 'The top N projects by budget, the rest folded into "Others".'],
        mix: ['Indicator mix', 'Indicator rows by canonical level 1 (inner ring) and level 2 (outer ring).'],
        satisfaction: ['Satisfaction targets', 'Service-recipient satisfaction targets (%): min, quartiles, median and max per unit; "All" covers every unit.'],
        ceilings: ['Cost-ceiling coverage per project', 'Absolute cost ceilings as a percent of the budget; the 100% line means equal to the budget.'],
        standards: ['One indicator across units', 'A class of comparable targets (same level 2, unit and direction): each unit\'s median against the median and quartiles of all.'],
        trend: ['Year-over-year trend', 'Each unit year by year, with the change over the year before.'],
        achievement: ['Targets met by unit', 'Self-evaluated indicators met, not met and not measurable per unit (the top N units by evaluated indicators, the rest as "Others"); the line is the achievement rate = met ÷ (met + not met).'],
        audit: ['Score audit', 'Indicators whose self-score differs from the score of the 财预〔2020〕10号 rule: full marks on a missed target first (red), then the largest differences.'],
      },
      met: 'Met', notMet: 'Not met', notMeasurable: 'Not measurable', achievementRate: 'Achievement %', allRate: 'All',
      evaluated: 'Evaluated indicators', noEvaluations: 'No self-evaluations (none loaded, or none for these filters)',
      selfScore: 'Self-score', ruleScore: 'Rule score', fullMarksMissed: 'Full marks on a missed target', difference: 'Difference',
      auditRows: (n, m) => `rows (of ${m} that differ)`, auditN: 'List the first', noAudit: 'No self-score differs from the rule (or no self-evaluations loaded)',
      target: 'Target', actual: 'Actual', weight: 'Weight',
    },
  };
  let lang = localStorage.getItem('jixiao.lang') === 'en' ? 'en' : 'zh';
  const t = (key) => WORDS[lang][key];

  // ---------------------------------------------------------------- API

  const endpoint = new URL('graphql', document.baseURI).href;

  async function gql(query, variables) {
    const resp = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = await resp.json();
    if (body.errors && body.errors.length) {
      throw new Error(body.errors.map((e) => e.message).join('\n'));
    }
    return body.data;
  }

  const num = (s) => (s === null || s === undefined ? null : Number(s));

  // rowsOf turns a table { columns { name } rows } into objects keyed by column name.
  function rowsOf(table) {
    const names = table.columns.map((c) => c.name);
    return table.rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
  }

  // ---------------------------------------------------------------- many units

  // distinctLabels shortens names that share a long beginning with another name, so that
  // truncated axis labels and legends stay apart: 天津市公安交通管理局警务保障处 and
  // 天津市公安交通管理局秩序处 become 天津市公…警务保障处 and 天津市公…秩序处.
  function distinctLabels(names) {
    const chars = names.map((n) => [...n]);
    const short = chars.map((a, i) => {
      let shared = 0;
      chars.forEach((b, j) => {
        if (j === i) return;
        let k = 0;
        while (k < a.length && k < b.length && a[k] === b[k]) k++;
        shared = Math.max(shared, k);
      });
      return shared > 6 && shared < a.length ? a.slice(0, 4).join('') + '…' + a.slice(shared).join('') : names[i];
    });
    // Two names may shorten alike (北京市怀柔区教育局信息中心 beside 北京市怀柔区教育局事务中心,
    // and 北京市怀柔区财政局信息中心 beside 北京市怀柔区财政局档案馆, both to 北京市怀…信息中心):
    // those keep their whole name.
    const count = new Map();
    for (const l of short) count.set(l, (count.get(l) || 0) + 1);
    return short.map((l, i) => (count.get(l) > 1 ? names[i] : l));
  }

  // OTHERS is the id of the series that the API's fold made of every unit past the top N;
  // its rows have no unit (key.folded, unit_code null in the table).
  const OTHERS = '__others';

  // unitSeries turns rows of a folded query (unit_code, unit_name, year, …) into one series
  // per unit and one for 其他, in the API's order, with distinct labels: [{id, name, data}],
  // data one value per year of years, read by value(row).
  function unitSeries(rows, years, value) {
    const units = [...new Map(rows.map((r) => [r.unit_code ?? OTHERS, r.unit_name])).entries()];
    const named = units.filter(([code]) => code !== OTHERS);
    const labels = distinctLabels(named.map(([, name]) => name));
    const at = new Map(rows.map((r) => [`${r.unit_code ?? OTHERS} ${r.year}`, r]));
    return units.map(([code]) => ({
      id: code,
      name: code === OTHERS ? t('others') : labels[named.findIndex(([c]) => c === code)],
      data: years.map((y) => {
        const r = at.get(`${code} ${y}`);
        return r ? value(r) : null;
      }),
    }));
  }

  // seriesControl is the "top N units" input of a multi-series chart; a change redraws it.
  function seriesControl(c) {
    const n = document.createElement('input');
    n.type = 'number';
    n.min = 1;
    n.max = 50;
    n.value = state.seriesN;
    n.className = 'series-n';
    n.addEventListener('change', () => {
      state.seriesN = Math.max(1, Math.min(50, Number(n.value) || 8));
      const folded = CHARTS.filter((x) => x.seriesControl);
      for (const x of folded) x.controls(x.card.querySelector('.controls'));
      // The top N is the API's (fold, limit, unitLimit): each chart asks again.
      refresh(folded);
    });
    const l = document.createElement('label');
    l.append(t('seriesN'), ' ', n, ' ', t('seriesUnits'));
    return l;
  }

  // ---------------------------------------------------------------- filters

  const state = {
    years: [], units: [], level1: '', level2: '', kind: '', // filters; empty = all
    allYears: [], allUnits: [], levels: [],
    unitQuery: '', province: '', city: '', county: '', // the unit picker: what the list shows
    topN: 10, seriesN: 8, auditN: 10, name: '', standardClass: 0, classLimit: 20, trendMeasure: 'BUDGET_TOTAL_SUM',
  };

  // The filter every chart applies, as a ProjectWhere; null when nothing is filtered.
  function projectWhere() {
    const w = {};
    // Everything ticked is no filter; nothing ticked selects nothing.
    if (state.years.length < state.allYears.length) w.year = { in: state.years };
    if (state.units.length < state.allUnits.length) w.unit = { in: state.units };
    return Object.keys(w).length ? w : null;
  }

  // The same plus the indicator filters, as an IndicatorWhere.
  function indicatorWhere() {
    const w = { ...(projectWhere() || {}) };
    if (state.level1) w.level1Canonical = { eq: state.level1 };
    if (state.level2) w.level2Canonical = { eq: state.level2 };
    if (state.kind) w.kind = { eq: state.kind };
    return Object.keys(w).length ? w : null;
  }

  // The filter of the outcome charts, as an EvaluatedIndicatorWhere: the same language and the
  // same fields (unit, year, canonical levels, the target's kind) as the IndicatorWhere.
  const evaluatedWhere = indicatorWhere;

  // both combines a user filter with a chart's own.
  const both = (user, own) => (user ? { and: [user, own] } : own);

  const FACETS = `query Facets {
  units { code name place { province city county } }
  years: projectGroups(groupBy: [YEAR]) { groups { key { year } } }
  evaluationYears: achievementGroups(groupBy: [YEAR], measures: [COUNT]) { groups { key { year } } }
  levels: indicatorGroups(groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL]) {
    groups { key { level1Canonical level2Canonical } }
  }
}`;

  async function loadFacets() {
    window.jixiao.facets = { query: FACETS };
    const d = await gql(FACETS);
    // A year of self-evaluations without target tables is a year to choose too.
    const years = [...d.years.groups, ...d.evaluationYears.groups].map((g) => g.key.year).filter((y) => y !== null);
    state.allYears = [...new Set(years)].sort((a, b) => a - b);
    state.allUnits = d.units.map((u) => ({
      code: u.code, name: u.name,
      province: u.place.province || '', city: u.place.city || '', county: u.place.county || '',
    }));
    state.levels = d.levels.groups.map((g) => [g.key.level1Canonical, g.key.level2Canonical]);
    state.years = [...state.allYears];
    state.units = state.allUnits.map((u) => u.code);
  }

  function checkbox(value, label, checked, onChange) {
    const l = document.createElement('label');
    const i = document.createElement('input');
    i.type = 'checkbox';
    i.value = value;
    i.checked = checked;
    i.addEventListener('change', () => onChange(i.checked));
    l.append(i, ' ', label);
    return l;
  }

  function option(value, label) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    return o;
  }

  function renderFilters() {
    const years = document.getElementById('f-years');
    years.replaceChildren(...state.allYears.map((y) => checkbox(y, String(y), state.years.includes(y), (on) => {
      state.years = on ? [...state.years, y].sort() : state.years.filter((x) => x !== y);
      refresh();
    })));
    renderUnitPicker();
    const l1 = document.getElementById('f-level1');
    const level1s = [...new Set(state.levels.map((l) => l[0]))];
    l1.replaceChildren(option('', t('all')), ...level1s.map((l) => option(l, l)));
    l1.value = state.level1;
    const l2 = document.getElementById('f-level2');
    const level2s = [...new Set(state.levels.filter((l) => !state.level1 || l[0] === state.level1).map((l) => l[1]))];
    l2.replaceChildren(option('', t('all')), ...level2s.map((l) => option(l, l)));
    l2.value = level2s.includes(state.level2) ? state.level2 : '';
    const kind = document.getElementById('f-kind');
    kind.replaceChildren(option('', t('all')), ...Object.entries(t('kinds')).map(([k, label]) => option(k, `${label} (${k})`)));
    kind.value = state.kind;
  }

  // The unit picker: a search over name, code and place, and a drill-down province → city →
  // county whose choice selects that place's units; the list shows at most MAX_SHOWN units.
  const MAX_SHOWN = 200;

  function inPlace(u) {
    return (!state.province || u.province === state.province) && (!state.city || u.city === state.city) &&
      (!state.county || u.county === state.county);
  }

  function shownUnits() {
    const q = state.unitQuery.trim().toLowerCase();
    return state.allUnits.filter((u) => inPlace(u) &&
      (!q || [u.name, u.code, u.province, u.city, u.county].some((s) => s.toLowerCase().includes(q))));
  }

  function placeOptions(select, values, value) {
    const distinct = [...new Set(values)].sort((a, b) => a.localeCompare(b, 'zh'));
    select.replaceChildren(option('', `${t(select.dataset.level)}: ${t('all')}`),
      ...distinct.map((v) => option(v, v || t('unknownPlace'))));
    select.value = distinct.includes(value) ? value : '';
    select.disabled = distinct.length === 0;
  }

  function renderUnitPicker() {
    const all = state.allUnits;
    placeOptions(document.getElementById('f-province'), all.map((u) => u.province), state.province);
    placeOptions(document.getElementById('f-city'), all.filter((u) => !state.province || u.province === state.province).map((u) => u.city), state.city);
    placeOptions(document.getElementById('f-county'), all.filter((u) => (!state.province || u.province === state.province) &&
      (!state.city || u.city === state.city)).map((u) => u.county), state.county);
    document.getElementById('f-unit-search').placeholder = t('unitSearch');
    const shown = shownUnits();
    const selected = new Set(state.units);
    const units = document.getElementById('f-units');
    units.replaceChildren(...shown.slice(0, MAX_SHOWN).map((u) => {
      const place = [u.province, u.city, u.county].filter((x, i, a) => x && a.indexOf(x) === i).join(' ');
      const l = checkbox(u.code, u.name, selected.has(u.code), (on) => {
        state.units = on ? [...state.units, u.code] : state.units.filter((x) => x !== u.code);
        renderUnitCount();
        refresh();
      });
      l.title = `${u.code}${place ? ' · ' + place : ''}`;
      return l;
    }));
    const more = document.getElementById('f-units-more');
    more.textContent = shown.length > MAX_SHOWN ? t('moreHidden')(shown.length - MAX_SHOWN) : '';
    renderUnitCount(shown.length);
  }

  function renderUnitCount(n = shownUnits().length) {
    document.getElementById('f-units-count').textContent = t('shownOf')(n, state.allUnits.length, state.units.length);
  }

  function wireUnitPicker() {
    document.getElementById('f-unit-search').addEventListener('input', (e) => {
      state.unitQuery = e.target.value;
      renderUnitPicker();
    });
    for (const level of ['province', 'city', 'county']) {
      document.getElementById('f-' + level).addEventListener('change', (e) => {
        state[level] = e.target.value;
        if (level === 'province') state.city = '';
        if (level !== 'county') state.county = '';
        const any = state.province || state.city || state.county;
        state.units = any ? state.allUnits.filter(inPlace).map((u) => u.code) : state.allUnits.map((u) => u.code);
        renderUnitPicker();
        refresh();
      });
    }
    document.getElementById('f-units-only').addEventListener('click', () => {
      state.units = shownUnits().map((u) => u.code);
      renderUnitPicker();
      refresh();
    });
    document.getElementById('f-units-all').addEventListener('click', () => {
      Object.assign(state, { units: state.allUnits.map((u) => u.code), unitQuery: '', province: '', city: '', county: '' });
      document.getElementById('f-unit-search').value = '';
      renderUnitPicker();
      refresh();
    });
  }

  function wireFilters() {
    wireUnitPicker();
    document.getElementById('f-level1').addEventListener('change', (e) => {
      state.level1 = e.target.value;
      state.level2 = '';
      renderFilters();
      refresh();
    });
    document.getElementById('f-level2').addEventListener('change', (e) => {
      state.level2 = e.target.value;
      refresh();
    });
    document.getElementById('f-kind').addEventListener('change', (e) => {
      state.kind = e.target.value;
      refresh();
    });
    document.getElementById('f-reset').addEventListener('click', () => {
      Object.assign(state, { years: [...state.allYears], units: state.allUnits.map((u) => u.code), level1: '', level2: '', kind: '',
        unitQuery: '', province: '', city: '', county: '' });
      document.getElementById('f-unit-search').value = '';
      renderFilters();
      refresh();
    });
    document.getElementById('lang').addEventListener('click', () => {
      lang = lang === 'zh' ? 'en' : 'zh';
      localStorage.setItem('jixiao.lang', lang);
      translate();
      renderFilters();
      for (const c of CHARTS) {
        renderCardText(c);
        draw(c);
      }
    });
  }

  // ---------------------------------------------------------------- charts

  const STATUS_COLORS = { NONE: '#b0b8c2', BELOW: '#5b8ff9', EQUAL: '#5ad8a6', EXCEEDS: '#e8684a', NO_BUDGET: '#d3c6a6' };
  const yearLabel = (p) => `${p.name}（${p.year}）`;

  // projectLabels labels projects by name and year, and adds the unit where projects of
  // different units would read the same (每个单位都有的“物业管理费支出”).
  function projectLabels(ps) {
    const base = ps.map(yearLabel);
    const unitsOf = new Map();
    ps.forEach((p, i) => unitsOf.set(base[i], (unitsOf.get(base[i]) || new Set()).add(p.unit.name)));
    const names = [...new Set(ps.map((p) => p.unit.name))];
    const short = new Map(names.map((n, i) => [n, distinctLabels(names)[i]]));
    return ps.map((p, i) => (unitsOf.get(base[i]).size > 1 ? `${base[i]} · ${short.get(p.unit.name)}` : base[i]));
  }

  // auditLabels labels score-audit rows by indicator, unit and year, and adds the evaluation
  // where two rows would read the same (满意度 in two projects of one unit), then a number.
  function auditLabels(rows, short) {
    const base = rows.map((r) => `${r.level3} · ${short.get(r.unit_name)}（${r.year}）`);
    const twice = (ls) => { const c = new Map(); for (const l of ls) c.set(l, (c.get(l) || 0) + 1); return c; };
    const c1 = twice(base);
    const named = base.map((l, i) => (c1.get(l) > 1 ? `${l} · ${rows[i].evaluation_name}` : l));
    const c2 = twice(named);
    const seen = new Map();
    return named.map((l) => {
      if (c2.get(l) === 1) return l;
      seen.set(l, (seen.get(l) || 0) + 1);
      return `${l} #${seen.get(l)}`;
    });
  }

  // Each chart: its words, its one query, the variables from the filters, and how to draw
  // the answer (an ECharts option) and show it as a table (its `table`).
  const CHARTS = [
    {
      id: 'budget',
      query: `query BudgetByYearAndUnit($where: ProjectWhere, $n: Int!) {
  projectGroups(filter: $where, groupBy: [YEAR, UNIT], measures: [BUDGET_TOTAL_SUM, COUNT],
      fold: {dimension: UNIT, limit: $n, measure: BUDGET_TOTAL_SUM}) {
    table { columns { name type } rows }
  }
}`,
      variables: () => ({ where: projectWhere(), n: state.seriesN }),
      table: (d) => d.projectGroups.table,
      seriesControl: true,
      controls(el) {
        el.replaceChildren(seriesControl(this));
      },
      option(d) {
        const rows = rowsOf(d.projectGroups.table);
        const years = [...new Set(rows.map((r) => r.year))].sort();
        const series = unitSeries(rows, years, (r) => num(r.budget_total_sum));
        return {
          tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
          legend: { type: 'scroll', top: 0 },
          grid: { left: 10, right: 20, top: 56, bottom: 10, containLabel: true },
          xAxis: { type: 'category', data: years },
          yAxis: { type: 'value', name: t('wan'), nameTextStyle: { align: 'right' } },
          series: series.map((x) => ({
            id: x.id, name: x.name, type: 'bar', stack: 'budget', emphasis: { focus: 'series' }, data: x.data,
            ...(x.id === OTHERS ? { itemStyle: { color: '#b4bcc8' } } : {}),
          })),
        };
      },
    },
    {
      id: 'top',
      query: `query TopProjects($where: ProjectWhere, $n: Int!) {
  projectGroups(filter: $where, groupBy: [PROJECT], measures: [BUDGET_TOTAL_SUM],
      orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}], limit: $n, others: true) {
    groupCount
    groups { key { project { name year unit { name } } } value(measure: BUDGET_TOTAL_SUM) }
    others { groups value(measure: BUDGET_TOTAL_SUM) }
    table { columns { name type } rows }
  }
}`,
      variables: () => ({ where: projectWhere(), n: state.topN }),
      table: (d) => d.projectGroups.table,
      controls(el) {
        const n = document.createElement('input');
        n.type = 'number';
        n.min = 1;
        n.max = 50;
        n.value = state.topN;
        n.id = 'top-n';
        n.addEventListener('change', () => {
          state.topN = Math.max(1, Math.min(50, Number(n.value) || 10));
          load(this);
        });
        const l = document.createElement('label');
        l.append(t('topN'), ' ', n, ' ', t('projects'));
        el.replaceChildren(l);
      },
      option(d) {
        const g = d.projectGroups;
        const labels = projectLabels(g.groups.map((x) => x.key.project));
        const items = g.groups.map((x, i) => ({ name: labels[i], value: num(x.value) }));
        if (g.others) items.push({ name: t('othersN')(g.others.groups), value: num(g.others.value), itemStyle: { color: '#b0b8c2' } });
        return {
          tooltip: { trigger: 'item' },
          grid: { left: 10, right: 40, top: 10, bottom: 10, containLabel: true },
          xAxis: { type: 'value', name: t('wan') },
          yAxis: { type: 'category', inverse: true, data: items.map((i) => i.name), axisLabel: { width: 220, overflow: 'truncate' } },
          series: [{ name: t('budgetSum'), type: 'bar', data: items.map((i) => ({ value: i.value, itemStyle: i.itemStyle })), label: { show: true, position: 'right' } }],
        };
      },
      tall: true,
    },
    {
      id: 'mix',
      query: `query IndicatorMix($where: IndicatorWhere) {
  indicatorGroups(filter: $where, groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL], measures: [COUNT]) {
    totals { count }
    table { columns { name type } rows }
  }
}`,
      variables: () => ({ where: indicatorWhere() }),
      table: (d) => d.indicatorGroups.table,
      option(d) {
        const rows = rowsOf(d.indicatorGroups.table);
        const level1s = [...new Set(rows.map((r) => r.level1_canonical))];
        return {
          tooltip: { trigger: 'item', formatter: (p) => `${p.treePathInfo.slice(1).map((x) => x.name).join(' / ')}: ${p.value}` },
          series: [{
            type: 'sunburst', radius: ['12%', '92%'], sort: undefined,
            label: { minAngle: 8, overflow: 'truncate' },
            levels: [{}, { r0: '12%', r: '45%', label: { rotate: 'tangential' } }, { r0: '45%', r: '92%', label: { align: 'right' } }],
            data: level1s.map((l1) => ({
              name: l1 ?? '—',
              children: rows.filter((r) => r.level1_canonical === l1).map((r) => ({ name: r.level2_canonical ?? '—', value: num(r.count) })),
            })),
          }],
        };
      },
      tall: true,
    },
    {
      id: 'satisfaction',
      query: `query SatisfactionTargets($where: IndicatorWhere!, $n: Int!) {
  indicatorGroups(filter: $where, groupBy: [UNIT],
      measures: [VALUES, VALUE_MIN, VALUE_P25, VALUE_MEDIAN, VALUE_P75, VALUE_MAX],
      orderBy: [{measure: VALUES, direction: DESC}], limit: $n, others: true) {
    groupCount
    totals { values { measure value } }
    table { columns { name type } rows }
  }
}`,
      variables: () => ({ where: both(indicatorWhere(), { level2Canonical: { eq: '服务对象满意度指标' }, normalizedUnit: { eq: '%' } }), n: state.seriesN }),
      table: (d) => d.indicatorGroups.table,
      seriesControl: true,
      controls(el) {
        el.replaceChildren(seriesControl(this));
      },
      option(d) {
        const rows = rowsOf(d.indicatorGroups.table);
        const box = (v) => [v.value_min, v.value_p25, v.value_median, v.value_p75, v.value_max].map(num);
        // The API's top N units by number of targets, then its others group (no unit).
        const units = rows.filter((r) => r.unit_code !== null);
        const names = distinctLabels(units.map((r) => r.unit_name));
        if (units.length < rows.length) names.push(t('othersUnits')(d.indicatorGroups.groupCount - units.length));
        const data = rows.map(box);
        const counts = rows.map((r) => num(r.values));
        const tot = Object.fromEntries(d.indicatorGroups.totals.values.map((v) => [v.measure.toLowerCase(), v.value]));
        if (rows.length > 1 && tot.values !== '0') {
          names.push(t('allUnits'));
          data.push(box(tot));
          counts.push(num(tot.values));
        }
        return {
          tooltip: {
            trigger: 'item',
            formatter: (p) => `${p.name}<br>n = ${counts[p.dataIndex]}<br>min ${p.data[1]} · P25 ${p.data[2]} · ${t('median')} ${p.data[3]} · P75 ${p.data[4]} · max ${p.data[5]}`,
          },
          grid: { left: 10, right: 20, top: 20, bottom: 10, containLabel: true },
          xAxis: { type: 'category', data: names, axisLabel: { interval: 0, width: 110, overflow: 'truncate', rotate: names.length > 5 ? 30 : 0 } },
          yAxis: { type: 'value', name: '%', scale: true },
          series: [{ name: t('charts').satisfaction[0], type: 'boxplot', data }],
        };
      },
    },
    {
      id: 'ceilings',
      query: `query CostCeilingCoverage($where: ProjectWhere) {
  costCeilings(filter: $where, limit: 500) {
    totals { projects withCeilings ceilingTotal budget coverage equal exceeds below none }
    projects { project { name year unit { name } budget { total } } ceilingTotal coverage status }
    table { columns { name type } rows }
  }
}`,
      variables: () => ({ where: projectWhere() }),
      table: (d) => d.costCeilings.table,
      option(d) {
        const ps = d.costCeilings.projects;
        const st = t('status');
        return {
          tooltip: {
            trigger: 'item',
            formatter: (p) => {
              const x = ps[p.dataIndex];
              return `${x.project.unit.name}<br>${yearLabel(x.project)}<br>${x.ceilingTotal} / ${x.project.budget.total} ${t('wan')} = ${x.coverage ?? '—'}%<br>${st[x.status]}`;
            },
          },
          legend: { top: 0 },
          grid: { left: 10, right: 50, top: 30, bottom: 20, containLabel: true },
          xAxis: { type: 'value', name: t('coverage'), nameLocation: 'middle', nameGap: 24 },
          yAxis: { type: 'category', inverse: true, data: projectLabels(ps.map((x) => x.project)), axisLabel: { width: 220, overflow: 'truncate', fontSize: 11 } },
          dataZoom: ps.length > 18 ? [{ type: 'slider', yAxisIndex: 0, startValue: 0, endValue: 17, width: 14, right: 8, showDetail: false }] : [],
          // One series per status, stacked: each project's bar is in the series of its status.
          series: Object.keys(STATUS_COLORS).map((status, i) => ({
            id: status, name: st[status], type: 'bar', stack: 'coverage', itemStyle: { color: STATUS_COLORS[status] },
            data: ps.map((x) => (x.status === status ? num(x.coverage) : null)),
            markLine: i === 0 ? { symbol: 'none', data: [{ xAxis: 100 }], lineStyle: { type: 'dashed', color: '#e8684a' }, label: { formatter: '100%', position: 'start' } } : undefined,
          })),
        };
      },
      tall: true,
    },
    {
      id: 'standards',
      query: `query CrossUnitStandards($where: IndicatorWhere, $name: NameMatch, $classes: Int!, $n: Int!) {
  standards(filter: $where, name: $name, minUnits: 2, limit: $classes, unitLimit: $n) {
    classCount
    standards {
      level2Canonical kind normalizedUnit direction count units min p25 median p75 max names
      byUnit { unit { code name } count min median max strictness laxest strictest }
      otherUnits { units count min median max }
    }
    table { columns { name type } rows }
  }
}`,
      variables: () => ({ where: indicatorWhere(), name: state.name ? { name: state.name } : null, classes: state.classLimit, n: state.seriesN }),
      table: (d) => d.standards.table,
      seriesControl: true,
      controls(el) {
        const name = document.createElement('input');
        name.type = 'search';
        name.id = 'standard-name';
        name.placeholder = t('namePlaceholder');
        name.value = state.name;
        name.addEventListener('change', () => {
          state.name = name.value.trim();
          state.standardClass = 0;
          load(this);
        });
        const cls = document.createElement('select');
        cls.id = 'standard-class';
        cls.addEventListener('change', () => {
          state.standardClass = Number(cls.value);
          this.showNames();
          draw(this);
        });
        const classes = document.createElement('input');
        classes.type = 'number';
        classes.id = 'standard-classes';
        classes.min = 1;
        classes.max = 500;
        classes.value = state.classLimit;
        classes.addEventListener('change', () => {
          state.classLimit = Math.max(1, Math.min(500, Number(classes.value) || 20));
          load(this);
        });
        const l1 = document.createElement('label');
        l1.append(t('name'), ' ', name);
        const l2 = document.createElement('label');
        l2.append(t('cls'), ' ', cls);
        const l3 = document.createElement('label');
        l3.className = 'class-limit';
        l3.append(t('classLimit'), ' ', classes, ' ', t('classes')(state.classLimit, this.data ? this.data.standards.classCount : '…'));
        el.replaceChildren(l1, l2, l3, ' ', seriesControl(this));
      },
      afterLoad(d) {
        const cls = document.getElementById('standard-class');
        const list = d.standards.standards;
        if (state.standardClass >= list.length) state.standardClass = 0;
        cls.replaceChildren(...list.map((s, i) => option(i, `${s.level2Canonical} · ${s.normalizedUnit} · ${t('dir')[s.direction]} · ${s.units} ${t('units')}`)));
        cls.value = String(state.standardClass);
        const l3 = this.card.querySelector('.class-limit');
        if (l3) l3.lastChild.textContent = t('classes')(state.classLimit, d.standards.classCount);
        this.showNames();
      },
      showNames() {
        const s = this.data && this.data.standards.standards[state.standardClass];
        let names = this.card.querySelector('.names');
        if (!names) {
          names = document.createElement('p');
          names.className = 'names';
          this.card.querySelector('.controls').after(names);
        }
        names.textContent = s ? `${t('indicators')}: ${s.names.join('、')}` : '';
      },
      option(d) {
        const s = d.standards.standards[state.standardClass];
        if (!s) return null;
        // The API's top N units of the class by number of targets, then 其他 (otherUnits).
        const cols = s.byUnit.map((u) => ({ name: u.unit.name, min: u.min, median: u.median, max: u.max }));
        const labels = distinctLabels(cols.map((c) => c.name));
        if (s.otherUnits) {
          cols.push(s.otherUnits);
          labels.push(t('othersUnits')(s.otherUnits.units));
        }
        return {
          tooltip: { trigger: 'axis' },
          legend: { top: 0 },
          grid: { left: 10, right: 70, top: 40, bottom: 10, containLabel: true },
          xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, width: 110, overflow: 'truncate', rotate: labels.length > 5 ? 30 : 0 } },
          yAxis: { type: 'value', name: s.normalizedUnit, scale: true },
          series: [
            {
              id: 'median', name: t('unitMedian'), type: 'bar', data: cols.map((u) => num(u.median)),
              markLine: {
                symbol: 'none',
                data: [
                  { name: 'P25', yAxis: num(s.p25), lineStyle: { type: 'dotted' } },
                  { name: t('median'), yAxis: num(s.median), lineStyle: { width: 2 } },
                  { name: 'P75', yAxis: num(s.p75), lineStyle: { type: 'dotted' } },
                ],
                label: { formatter: (p) => `${p.name} ${p.value}`, position: 'end' },
              },
              markArea: { silent: true, itemStyle: { color: 'rgba(91,143,249,0.10)' }, data: [[{ name: t('quartiles'), yAxis: num(s.p25) }, { yAxis: num(s.p75) }]] },
            },
            { id: 'min', name: t('unitMin'), type: 'scatter', symbol: 'triangle', symbolSize: 9, data: cols.map((u) => num(u.min)) },
            { id: 'max', name: t('unitMax'), type: 'scatter', symbol: 'diamond', symbolSize: 9, data: cols.map((u) => num(u.max)) },
          ],
        };
      },
      empty: (d) => d.standards.standards.length === 0 && t('noClass'),
    },
    {
      id: 'trend',
      query: `query Trend($where: ProjectWhere, $measure: ProjectMeasure!, $n: Int!) {
  projectTrends(filter: $where, groupBy: [UNIT], measures: [$measure],
      fold: {dimension: UNIT, limit: $n, measure: $measure}) {
    table { columns { name type } rows }
  }
}`,
      variables: () => ({ where: projectWhere(), measure: state.trendMeasure, n: state.seriesN }),
      table: (d) => d.projectTrends.table,
      controls(el) {
        const m = document.createElement('select');
        m.id = 'trend-measure';
        m.append(option('BUDGET_TOTAL_SUM', t('budgetSum')), option('COUNT', t('projectCount')));
        m.value = state.trendMeasure;
        m.addEventListener('change', () => {
          state.trendMeasure = m.value;
          load(this);
        });
        const l = document.createElement('label');
        l.append(t('measure'), ' ', m);
        el.replaceChildren(l, ' ', seriesControl(this));
      },
      seriesControl: true,
      option(d) {
        const rows = rowsOf(d.projectTrends.table);
        const m = state.trendMeasure.toLowerCase();
        const years = [...new Set(rows.map((r) => r.year))].sort();
        const at = (code, y) => rows.find((r) => (r.unit_code ?? OTHERS) === code && r.year === y);
        return {
          tooltip: {
            trigger: 'axis',
            formatter: (ps) => ps.map((p) => {
              const r = at(p.seriesId, p.name);
              const pct = r && r[`${m}_change_percent`];
              return `${p.marker}${p.seriesName}: ${p.value ?? '—'}${pct ? ` (${t('change')} ${Number(pct) > 0 ? '+' : ''}${Number(pct).toFixed(1)}%)` : ''}`;
            }).join('<br>'),
          },
          legend: { type: 'scroll', top: 0 },
          grid: { left: 10, right: 30, top: 56, bottom: 10, containLabel: true },
          xAxis: { type: 'category', data: years, boundaryGap: false },
          yAxis: { type: 'value', name: state.trendMeasure === 'COUNT' ? t('projectCount') : t('wan'), nameTextStyle: { align: 'right' } },
          series: unitSeries(rows, years, (r) => num(r[m])).map((x) => ({
            id: x.id, name: x.name, type: 'line', connectNulls: false, symbolSize: 7, data: x.data,
            ...(x.id === OTHERS ? { lineStyle: { type: 'dashed', color: '#b4bcc8' }, itemStyle: { color: '#b4bcc8' } } : {}),
          })),
        };
      },
    },
    {
      id: 'achievement',
      query: `query AchievementByUnit($where: EvaluatedIndicatorWhere, $n: Int!) {
  achievementGroups(filter: $where, groupBy: [UNIT], measures: [COUNT, MET, NOT_MET, NOT_MEASURABLE, ACHIEVEMENT_RATE],
      orderBy: [{measure: COUNT, direction: DESC}], limit: $n, others: true) {
    groupCount
    others { groups }
    totals { count value(measure: ACHIEVEMENT_RATE) }
    table { columns { name type } rows }
  }
}`,
      variables: () => ({ where: evaluatedWhere(), n: state.seriesN }),
      table: (d) => d.achievementGroups.table,
      seriesControl: true,
      controls(el) {
        el.replaceChildren(seriesControl(this));
      },
      option(d) {
        const g = d.achievementGroups;
        const rows = rowsOf(g.table);
        // The API's top N units by evaluated indicators, then its others group (no unit).
        const units = rows.filter((r) => r.unit_code !== null);
        const names = distinctLabels(units.map((r) => r.unit_name));
        if (units.length < rows.length) names.push(t('othersUnits')(g.others ? g.others.groups : g.groupCount - units.length));
        const col = (name) => rows.map((r) => num(r[name]));
        const pct = (v) => (v === null || v === undefined ? '—' : `${Number(v).toFixed(1)}%`);
        const all = num(g.totals.value);
        const bar = (id, name, color) => ({ id, name, type: 'bar', stack: 'achievement', barMaxWidth: 48, itemStyle: { color }, data: col(id) });
        return {
          tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
          legend: { top: 0 },
          grid: { left: 30, right: 10, top: 68, bottom: 10, containLabel: true },
          xAxis: { type: 'category', data: names, axisLabel: { interval: 0, width: 110, overflow: 'truncate', rotate: names.length > 5 ? 30 : 0 } },
          yAxis: [
            { type: 'value', name: t('evaluated'), nameGap: 28, minInterval: 1 },
            { type: 'value', name: t('achievementRate'), nameGap: 28, min: 0, max: 100, splitLine: { show: false } },
          ],
          series: [
            bar('met', t('met'), '#5ad8a6'),
            bar('not_met', t('notMet'), '#e8684a'),
            bar('not_measurable', t('notMeasurable'), '#b0b8c2'),
            {
              id: 'achievement_rate', name: t('achievementRate'), type: 'line', yAxisIndex: 1, symbolSize: 7,
              itemStyle: { color: '#1f3a5f' }, data: col('achievement_rate'),
              label: { show: true, position: 'top', formatter: (p) => pct(p.value) },
              tooltip: { valueFormatter: pct },
              markLine: all === null ? undefined : {
                symbol: 'none', data: [{ yAxis: all }], lineStyle: { type: 'dashed', color: '#1f3a5f' },
                label: { formatter: `${t('allRate')} ${pct(all)}`, position: 'insideStartBottom' },
              },
            },
          ],
        };
      },
      empty: (d) => d.achievementGroups.totals.count === 0 && t('noEvaluations'),
    },
    {
      id: 'audit',
      query: `query ScoreAudit($where: EvaluatedIndicatorWhere, $n: Int!) {
  scoreAudit(filter: $where, first: $n) {
    totalCount
    table { columns { name type } rows }
  }
}`,
      variables: () => ({ where: evaluatedWhere(), n: state.auditN }),
      table: (d) => d.scoreAudit.table,
      controls(el) {
        const n = document.createElement('input');
        n.type = 'number';
        n.min = 1;
        n.max = 100;
        n.value = state.auditN;
        n.id = 'audit-n';
        n.addEventListener('change', () => {
          state.auditN = Math.max(1, Math.min(100, Number(n.value) || 10));
          load(this);
        });
        const l = document.createElement('label');
        l.className = 'audit-limit';
        l.append(t('auditN'), ' ', n, ' ', t('auditRows')(state.auditN, this.data ? this.data.scoreAudit.totalCount : '…'));
        el.replaceChildren(l);
      },
      afterLoad(d) {
        const l = this.card.querySelector('.audit-limit');
        if (l) l.lastChild.textContent = t('auditRows')(state.auditN, d.scoreAudit.totalCount);
      },
      option(d) {
        // The API's first N rows: full marks on a missed target, then the largest differences.
        const rows = rowsOf(d.scoreAudit.table);
        const names = [...new Set(rows.map((r) => r.unit_name))];
        const short = new Map(names.map((n, i) => [n, distinctLabels(names)[i]]));
        const labels = auditLabels(rows, short);
        const missed = (r) => r.full_marks_on_missed_target === 'true';
        const signed = (v, places = 10) => { const x = Number(Number(v).toFixed(places)); return x > 0 ? `+${x}` : `${x}`; };
        return {
          tooltip: {
            trigger: 'axis', axisPointer: { type: 'shadow' },
            formatter: (ps) => {
              const r = rows[ps[0].dataIndex];
              return [`${r.unit_name}（${r.year}）· ${r.evaluation_name}`, `${r.level1} / ${r.level2} / <b>${r.level3}</b>`,
                `${t('target')} ${r.target} · ${t('actual')} ${r.actual} · ${r.achievement}`,
                `${t('weight')} ${r.weight} · ${t('selfScore')} ${r.self_score} · ${t('ruleScore')} ${r.rule_score} · ${t('difference')} ${signed(r.difference)}`,
                ...(missed(r) ? [`<b style="color:#e8684a">${t('fullMarksMissed')}</b>`] : [])].join('<br>');
            },
          },
          legend: { top: 0 },
          grid: { left: 10, right: 40, top: 30, bottom: 10, containLabel: true },
          xAxis: { type: 'value', name: t('weight') },
          yAxis: {
            type: 'category', inverse: true, data: labels,
            axisLabel: { width: 240, overflow: 'truncate', fontSize: 11, color: (v, i) => (missed(rows[i]) ? '#b3261e' : '#1d2733') },
          },
          series: [
            {
              id: 'self_score', name: t('selfScore'), type: 'bar', itemStyle: { color: '#5b8ff9' },
              data: rows.map((r) => ({ value: num(r.self_score), itemStyle: { color: missed(r) ? '#e8684a' : '#5b8ff9' } })),
              label: { show: true, position: 'right', fontSize: 11, formatter: (p) => signed(rows[p.dataIndex].difference, 2) },
            },
            { id: 'rule_score', name: t('ruleScore'), type: 'bar', itemStyle: { color: '#5ad8a6' }, data: rows.map((r) => num(r.rule_score)) },
          ],
        };
      },
      empty: (d) => d.scoreAudit.totalCount === 0 && t('noAudit'),
      tall: true,
    },
  ];

  // ---------------------------------------------------------------- cards

  const hasECharts = () => typeof window.echarts !== 'undefined';
  window.jixiao = { charts: {}, generation: 0, distinctLabels };

  function buildCard(c) {
    const card = document.createElement('article');
    card.className = 'card';
    card.id = `card-${c.id}`;
    card.innerHTML = `<h2></h2><p class="desc"></p><div class="controls"></div>
      <div class="chart${c.tall ? ' tall' : ''}" data-chart="${c.id}" data-state="loading"></div>
      <details class="query"><summary></summary><pre class="q"></pre><div class="vlabel"></div><pre class="v"></pre>
      <div class="actions"><button type="button" class="copy"></button><button type="button" class="curl"></button>
      <a class="ide" target="_blank"></a><a class="csv"></a><span class="done"></span></div></details>`;
    c.card = card;
    c.el = card.querySelector('.chart');
    card.querySelector('.copy').addEventListener('click', () => copy(c, c.query));
    card.querySelector('.curl').addEventListener('click', () => copy(c, curl(c)));
    document.getElementById('charts').append(card);
    renderCardText(c);
  }

  function renderCardText(c) {
    const [title, desc] = t('charts')[c.id];
    c.card.querySelector('h2').textContent = title;
    c.card.querySelector('.desc').textContent = desc;
    c.card.querySelector('summary').textContent = t('query');
    c.card.querySelector('.vlabel').textContent = t('variables');
    c.card.querySelector('.copy').textContent = t('copy');
    c.card.querySelector('.curl').textContent = t('copyCurl');
    c.card.querySelector('.ide').textContent = t('openIDE');
    c.card.querySelector('.csv').textContent = t('csv');
    if (c.controls) c.controls(c.card.querySelector('.controls'));
    if (c.data && c.afterLoad) c.afterLoad(c.data);
  }

  function curl(c) {
    const body = JSON.stringify({ query: c.sentQuery, variables: c.sentVariables });
    return `curl -s ${endpoint} -H 'Content-Type: application/json' --data-binary '${body.replaceAll("'", "'\\''")}'`;
  }

  async function copy(c, text) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const ta = document.createElement('textarea');
      ta.value = text;
      document.body.append(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    const done = c.card.querySelector('.done');
    done.textContent = t('copied');
    setTimeout(() => { done.textContent = ''; }, 1500);
  }

  function showQuery(c) {
    const vars = JSON.stringify(c.sentVariables, null, 2);
    c.card.querySelector('pre.q').textContent = c.sentQuery;
    c.card.querySelector('pre.v').textContent = vars;
    const params = new URLSearchParams({ query: c.sentQuery, variables: vars });
    c.card.querySelector('.ide').href = `./?${params}`;
    c.card.querySelector('.csv').href = `export.csv?${new URLSearchParams({ query: c.sentQuery, variables: JSON.stringify(c.sentVariables), filename: c.id })}`;
  }

  function setState(c, s, message) {
    c.el.dataset.state = s;
    if (message !== undefined) {
      disposeChart(c);
      const p = document.createElement('div');
      p.className = `state${s === 'error' ? ' error' : ''}`;
      p.textContent = message;
      c.el.classList.remove('as-table');
      c.el.replaceChildren(p);
    }
  }

  function disposeChart(c) {
    if (hasECharts()) {
      const inst = window.echarts.getInstanceByDom(c.el);
      if (inst) inst.dispose();
    }
  }

  // load runs a chart's query and draws the answer; a newer load of the same chart wins.
  async function load(c) {
    const seq = (c.seq = (c.seq || 0) + 1);
    c.sentQuery = c.query;
    c.sentVariables = c.variables();
    showQuery(c);
    setState(c, 'loading');
    try {
      const data = await gql(c.sentQuery, c.sentVariables);
      if (seq !== c.seq) return;
      c.data = data;
      window.jixiao.charts[c.id] = { query: c.sentQuery, variables: c.sentVariables, data };
      if (c.afterLoad) c.afterLoad(data);
      draw(c);
    } catch (e) {
      if (seq !== c.seq) return;
      c.data = null;
      window.jixiao.charts[c.id] = { query: c.sentQuery, variables: c.sentVariables, error: String(e.message || e) };
      setState(c, 'error', t('failed') + (e.message || e));
    }
  }

  function draw(c) {
    if (!c.data) return;
    const table = c.table(c.data);
    const empty = (c.empty && c.empty(c.data)) || (table.rows.length === 0 && t('empty'));
    if (empty) {
      setState(c, 'ready', empty);
      return;
    }
    if (!hasECharts()) {
      drawTable(c, table);
      setState(c, 'ready');
      return;
    }
    const opt = c.option(c.data);
    if (!opt) {
      setState(c, 'ready', t('empty'));
      return;
    }
    if (!window.echarts.getInstanceByDom(c.el)) c.el.replaceChildren();
    const inst = window.echarts.getInstanceByDom(c.el) || window.echarts.init(c.el, null, { renderer: 'canvas' });
    inst.setOption({ animation: false, ...opt }, { notMerge: true });
    setState(c, 'ready');
  }

  function drawTable(c, table) {
    const el = document.createElement('table');
    const head = el.createTHead().insertRow();
    for (const col of table.columns) {
      const th = document.createElement('th');
      th.textContent = col.name;
      head.append(th);
    }
    const body = el.createTBody();
    for (const r of table.rows) {
      const tr = body.insertRow();
      r.forEach((cell, i) => {
        const td = tr.insertCell();
        td.textContent = cell ?? '';
        if (['INT', 'DECIMAL', 'FLOAT'].includes(table.columns[i].type)) td.className = 'num';
      });
    }
    c.el.classList.add('as-table');
    c.el.replaceChildren(el);
  }

  // refresh reloads the charts (every chart by default) for the current filters.
  async function refresh(charts = CHARTS) {
    const gen = ++window.jixiao.generation;
    document.body.dataset.generation = gen;
    await Promise.all(charts.map(load));
    if (gen === window.jixiao.generation) document.body.dataset.settled = gen;
  }

  function translate() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = `jixiao · ${t('title')}`;
    for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
    const notice = document.getElementById('notice');
    notice.hidden = hasECharts();
    if (!hasECharts()) notice.innerHTML = t('notBuilt');
  }

  window.addEventListener('resize', () => {
    if (!hasECharts()) return;
    for (const c of CHARTS) window.echarts.getInstanceByDom(c.el)?.resize();
  });

  async function start() {
    translate();
    CHARTS.forEach(buildCard);
    wireFilters();
    try {
      await loadFacets();
    } catch (e) {
      document.getElementById('notice').hidden = false;
      document.getElementById('notice').textContent = t('failed') + (e.message || e);
      return;
    }
    renderFilters();
    await refresh();
  }

  start();
})();
