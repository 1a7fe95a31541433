/**
 * The app's HTTP server (src/http/server.ts): requests and responses are built with the Express
 * app's own prototypes, so Express's per-request prototype change finds nothing to change, and
 * everything Express gives a request and a response still works. (What the change saves, objects
 * promoted per request, is measured in bench/, not here.)
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createAppServer, type AppListener } from '../../src/http/server.js';

describe('createAppServer', () => {
  it('builds requests and responses with the app\'s prototypes before Express sees them, and Express works on them', async () => {
    const app = express();
    const seen: { request: boolean; response: boolean }[] = [];
    app.use(express.json());
    app.post('/echo/:name', (req, res) => {
      res.status(201).set('X-Name', req.params.name).json({ body: req.body as unknown, path: req.path, app: req.app === app, type: req.is('application/json') });
    });
    const { server, serve } = createAppServer({ keepAliveTimeout: 1000 });
    // Checked before Express's own handling, which would set the prototypes itself.
    serve(app as unknown as AppListener, (req, res) => {
      seen.push({ request: Object.getPrototypeOf(req) === app.request, response: Object.getPrototypeOf(res) === app.response });
      app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const n of [1, 2]) {
        const res = await fetch(`${url}/echo/n${n}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
        expect(res.status).toBe(201);
        expect(res.headers.get('x-name')).toBe(`n${n}`);
        expect(await res.json()).toEqual({ body: { n }, path: `/echo/n${n}`, app: true, type: 'application/json' });
      }
      expect(seen).toEqual([{ request: true, response: true }, { request: true, response: true }]);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('hands requests to the wrapping listener when one is given', async () => {
    const app = express();
    app.get('/', (_req, res) => { res.send('app'); });
    const { server, serve } = createAppServer();
    serve(app as unknown as AppListener, (req, res) => (req.url === '/wrapped' ? res.end('wrapper') : app(req, res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await (await fetch(`${url}/wrapped`)).text()).toBe('wrapper');
      expect(await (await fetch(`${url}/`)).text()).toBe('app');
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});
