/**
 * The HTTP server of the app: requests and responses are built with the app's own prototypes.
 *
 * Express gives each request and response its prototypes on arrival (`Object.setPrototypeOf` in
 * `app.handle`). After that change V8 keeps each request's objects through the young-generation
 * collections until the next full one (measured; why inside V8 was not established). On this
 * machine an Express app with one route promoted 8.7 KB per request to the old generation and ran
 * a full collection every ~2,000 requests, and this server's check API promoted 22 KB per request,
 * its 4-8 ms scavenges the tail of its latency (bench/README.md). A request made with the right
 * prototype from the start makes Express's call a no-op: the one-route app then promoted 53 bytes
 * per request, ran no full collection and served 57 % more requests per second.
 */
import http from 'node:http';
import type { Socket } from 'node:net';

/** A request listener that carries the prototypes its requests and responses should have (an Express app's `request` and `response`). */
export type AppListener = http.RequestListener & { readonly request: object; readonly response: object };

/**
 * An HTTP server whose requests and responses take `app`'s prototypes. `serve` binds the app (it
 * may be created after the server listens, when its base URL needs the port) and the listener
 * that handles requests (the app itself unless the caller wraps it).
 */
export function createAppServer(options: http.ServerOptions = {}): { server: http.Server; serve(app: AppListener, listener?: http.RequestListener): void } {
  // Plain constructor functions, not classes: their `prototype` is assigned when the app is known.
  // Node's IncomingMessage and ServerResponse are ES5 constructors, so calling them on `this` is how they are extended.
  function AppRequest(this: http.IncomingMessage, socket: Socket) {
    Reflect.apply(http.IncomingMessage, this, [socket]);
  }
  function AppResponse(this: http.ServerResponse, req: http.IncomingMessage, responseOptions?: unknown) {
    Reflect.apply(http.ServerResponse, this, [req, responseOptions]);
  }
  AppRequest.prototype = http.IncomingMessage.prototype;
  AppResponse.prototype = http.ServerResponse.prototype;
  const server = http.createServer({
    ...options,
    IncomingMessage: AppRequest as unknown as typeof http.IncomingMessage,
    ServerResponse: AppResponse as unknown as typeof http.ServerResponse,
  });
  return {
    server,
    serve(app, listener = app) {
      AppRequest.prototype = app.request as http.IncomingMessage;
      AppResponse.prototype = app.response as http.ServerResponse;
      server.on('request', listener);
    },
  };
}
