import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { projectRoot } from '../common/project-root';

/*
 * The web console: a Vite build (console/ → dist/console/) served by the API itself, so it works
 * offline and under a CSP that allows nothing but this origin.
 */

const IMMUTABLE = 'public, max-age=31536000, immutable';

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // 'self' covers ws:// to the same host in CSP 3 (the live subscription).
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/console of the project, whether this runs from src/ (ts-jest) or dist/src/. */
export function consoleDistDir(): string {
  return path.join(projectRoot(__dirname), 'dist', 'console');
}

/** Serves the console's page at `/console` (and every client-side route under it) and its hashed assets. */
export function consoleRouter(distDir = consoleDistDir()): Router {
  const router = Router();
  const assetsDir = path.join(distDir, 'assets');
  // Read on first use, not at start: a server started before `npm run build:console` still serves it.
  let page: string | null = null;

  const sendPage = (_req: unknown, res: import('express').Response) => {
    if (page === null) {
      try {
        page = fs.readFileSync(path.join(distDir, 'index.html'), 'utf8');
      } catch {
        res.status(503).type('text').send('The console is not built: run `npm run build` (or `npm run build:console`).\n');
        return;
      }
    }
    res
      .set({
        'Content-Security-Policy': CONSOLE_CSP,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      })
      .type('html')
      .send(page);
  };

  router.get('/console/assets/:name', (req, res, next) => {
    const name = req.params.name;
    // Vite's names are flat and content-hashed; a leading dot (`..`, dotfiles) is never one of them.
    if (!/^[\w-][\w.-]*$/.test(name)) return next();
    const file = path.join(assetsDir, name);
    if (!fs.existsSync(file)) return next();
    res.set({ 'Cache-Control': IMMUTABLE, 'X-Content-Type-Options': 'nosniff' });
    res.sendFile(file, { cacheControl: false }, (err) => {
      if (err) next(err);
    });
  });
  router.get('/console/assets/*rest', (_req, res) => {
    res.status(404).type('text').send('Not found\n');
  });
  router.get(['/console', '/console/*rest'], sendPage);
  return router;
}
