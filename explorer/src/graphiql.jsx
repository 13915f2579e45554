// The GraphiQL IDE served at / (bundled by build.mjs into dist/graphiql.js). Everything it
// needs is served by jixiao itself: no CDN, no web font, Monaco's workers from assets/workers/.
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';

const base = new URL('.', document.baseURI);
document.documentElement.dataset.ide = 'graphiql'; // console.js stands down

globalThis.MonacoEnvironment = {
  getWorker(_id, label) {
    const name = label === 'json' || label === 'graphql' ? label : 'editor';
    return new Worker(new URL(`assets/workers/${name}.js`, base));
  },
};

// ?query=…&variables=… opens a query, e.g. from the explorer's "open in the IDE" links;
// without one, a new tab holds the example of example.js.
const params = new URLSearchParams(location.search);
const fetcher = createGraphiQLFetcher({ url: new URL('graphql', base).href });

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={fetcher}
    defaultEditorToolsVisibility={params.has('variables')}
    defaultQuery={globalThis.JIXIAO_EXAMPLE_QUERY}
    initialQuery={params.get('query') ?? undefined}
    initialVariables={params.get('variables') ?? undefined}
  />,
);
