import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';

/*
 * GraphiQL served entirely from this process, so the IDE works on machines with no internet
 * access and the page can run under a CSP that allows nothing but 'self'.
 */

const ASSET_PREFIX = '/graphiql/assets';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  // GraphiQL's CSS embeds its fonts and icons as data: URLs.
  "img-src 'self' data:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Plain ES2017 for the browser; kept here rather than in a .js file so `tsc` carries it to dist/.
const BOOTSTRAP_JS = `(function () {
  'use strict';
  var TOKEN_KEY = 'opentrail.graphiql.token';
  var REGION_KEY = 'opentrail.graphiql.region';
  var tokenInput = document.getElementById('ot-token');
  var regionInput = document.getElementById('ot-region');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));

  // Storage can be disabled (private mode, policy); the page must still work without it.
  function load(key) { try { return localStorage.getItem(key) || ''; } catch (e) { return ''; } }
  function save(key, value) {
    try { value ? localStorage.setItem(key, value) : localStorage.removeItem(key); } catch (e) {}
  }

  function settingsHeaders() {
    var headers = {};
    var token = tokenInput.value.trim().replace(/^Bearer\\s+/i, '');
    if (token) headers.authorization = 'Bearer ' + token;
    var region = regionInput.value.trim();
    if (region) headers['x-region'] = region;
    return headers;
  }

  function render() {
    var fetcher = GraphiQL.createFetcher({
      url: '/graphql',
      fetch: function (url, init) {
        init = init || {};
        // Headers typed in GraphiQL's own header editor win over the fields above.
        var headers = settingsHeaders();
        new Headers(init.headers).forEach(function (value, name) { headers[name] = value; });
        return window.fetch(url, Object.assign({}, init, { headers: headers, credentials: 'same-origin' }));
      },
    });
    // A new fetcher makes GraphiQL reload the schema with the new token or region.
    root.render(React.createElement(GraphiQL, { fetcher: fetcher }));
  }

  tokenInput.value = load(TOKEN_KEY);
  regionInput.value = load(REGION_KEY);
  function onChange() {
    save(TOKEN_KEY, tokenInput.value.trim());
    save(REGION_KEY, regionInput.value.trim());
    render();
  }
  tokenInput.addEventListener('change', onChange);
  regionInput.addEventListener('change', onChange);
  document.getElementById('ot-settings').addEventListener('submit', function (e) {
    e.preventDefault();
    onChange();
  });
  render();
})();
`;

const BOOTSTRAP_CSS = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
.ot-settings { display: flex; gap: 1rem; align-items: center; padding: 0.5rem 1rem;
  border-bottom: 1px solid #ddd; font-size: 0.875rem; }
.ot-settings label { display: flex; gap: 0.5rem; align-items: center; }
.ot-settings input { font: inherit; padding: 0.25rem 0.5rem; }
#ot-token { width: 28rem; }
#ot-region { width: 10rem; }
.ot-graphiql { flex: 1; min-height: 0; }
`;

interface Asset {
  type: 'js' | 'css';
  /** Appended as ?v= so a new package version or edit busts the immutable cache. */
  version: string;
  file?: string;
  content?: string;
}

function packageFile(pkg: string, relative: string): { file: string; version: string } {
  // react and react-dom do not export their umd/ files, so resolve from package.json.
  const manifest = require.resolve(`${pkg}/package.json`);
  const file = path.join(path.dirname(manifest), relative);
  if (!fs.existsSync(file)) throw new Error(`GraphiQL asset missing: ${file}`);
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  return { file, version };
}

function inline(type: 'js' | 'css', content: string): Asset {
  return { type, content, version: createHash('sha256').update(content).digest('hex').slice(0, 12) };
}

function buildAssets(): Map<string, Asset> {
  return new Map<string, Asset>([
    ['react.production.min.js', { type: 'js', ...packageFile('react', 'umd/react.production.min.js') }],
    ['react-dom.production.min.js', { type: 'js', ...packageFile('react-dom', 'umd/react-dom.production.min.js') }],
    ['graphiql.min.js', { type: 'js', ...packageFile('graphiql', 'graphiql.min.js') }],
    ['graphiql.min.css', { type: 'css', ...packageFile('graphiql', 'graphiql.min.css') }],
    ['opentrail-graphiql.css', inline('css', BOOTSTRAP_CSS)],
    ['opentrail-graphiql.js', inline('js', BOOTSTRAP_JS)],
  ]);
}

function renderPage(assets: Map<string, Asset>): string {
  const url = (name: string) => `${ASSET_PREFIX}/${name}?v=${assets.get(name)!.version}`;
  const styles = [...assets].filter(([, a]) => a.type === 'css');
  const scripts = [...assets].filter(([, a]) => a.type === 'js');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenTrail GraphiQL</title>
${styles.map(([name]) => `<link rel="stylesheet" href="${url(name)}">`).join('\n')}
</head>
<body>
<form id="ot-settings" class="ot-settings" autocomplete="off">
<label>Bearer token <input id="ot-token" name="token" type="password" autocomplete="off" spellcheck="false" placeholder="session token from createSession"></label>
<label>Region <input id="ot-region" name="region" type="text" spellcheck="false" placeholder="server default"></label>
</form>
<div id="graphiql" class="ot-graphiql">Loading GraphiQL…</div>
${scripts.map(([name]) => `<script src="${url(name)}"></script>`).join('\n')}
</body>
</html>
`;
}

/** Serves the GraphiQL page at `/graphiql` and its assets under `/graphiql/assets/`. */
export function graphiqlRouter(): Router {
  const assets = buildAssets();
  const page = renderPage(assets);
  const router = Router();

  router.get('/graphiql', (_req, res) => {
    res
      .set({
        'Content-Security-Policy': CSP,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      })
      .type('html')
      .send(page);
  });

  router.get(`${ASSET_PREFIX}/:name`, (req, res, next) => {
    const asset = assets.get(req.params.name);
    if (!asset) return next();
    res.set({ 'Cache-Control': IMMUTABLE, 'X-Content-Type-Options': 'nosniff' }).type(asset.type);
    if (asset.content !== undefined) {
      res.send(asset.content);
      return;
    }
    // sendFile would override Cache-Control with its own maxAge default; disable that.
    res.sendFile(asset.file!, { cacheControl: false }, (err) => {
      if (err) next(err);
    });
  });

  return router;
}
