// A plain query console for / when GraphiQL was not built (a fresh clone before
// `go generate ./explorer`): a query, variables and the answer. Ours; no dependencies.
(() => {
  'use strict';
  if (document.documentElement.dataset.ide === 'graphiql') return; // GraphiQL is running
  document.getElementById('graphiql').hidden = true;
  document.getElementById('console').hidden = false;
  document.getElementById('console-notice').innerHTML =
    'GraphiQL 未构建，这里是简易查询台。构建 GraphiQL：<code>go generate ./explorer</code>' +
    '（即在 explorer/ 下 <code>npm ci &amp;&amp; npm run build</code>），再 <code>go run .</code>。 ' +
    'GraphiQL is not built; this is a plain console. Build it with <code>go generate ./explorer</code>, then <code>go run .</code>.';
  const params = new URLSearchParams(location.search);
  const q = document.getElementById('console-query');
  const v = document.getElementById('console-variables');
  const out = document.getElementById('console-result');
  q.value = params.get('query') || globalThis.JIXIAO_EXAMPLE_QUERY;
  v.value = params.get('variables') || '';
  async function run() {
    out.textContent = '…';
    let variables;
    try {
      variables = v.value.trim() ? JSON.parse(v.value) : undefined;
    } catch (e) {
      out.textContent = 'Variables are not JSON: ' + e.message;
      return;
    }
    try {
      const resp = await fetch(new URL('graphql', document.baseURI), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: q.value, variables }),
      });
      out.textContent = JSON.stringify(await resp.json(), null, 2);
    } catch (e) {
      out.textContent = String(e);
    }
  }
  document.getElementById('console-run').addEventListener('click', run);
  q.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') run();
  });
})();
