/**
 * A small router for the fake REST API: routes are a method plus a path pattern with `:params`, handlers
 * get the decoded body and return the JSON to send (or undefined for 204). Every API call is recorded
 * (method, path, query, JSON payload, uploaded files, status, time) so tests can assert on what the bot did.
 */
import type { RequestBody, UploadedFile } from './http-io.js';

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: RequestBody;
  /** The JSON payload (or `payload_json` of a multipart body); `{}` when none was sent. */
  json: Record<string, unknown>;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
}

export type RouteHandler = (ctx: RouteContext) => RouteResult;

export const ok = (body: unknown, status = 200): RouteResult => ({ status, body });
export const noContent = (): RouteResult => ({ status: 204 });

export interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  /** Bot-token routes need `Authorization: Bot <token>`; interaction callbacks and webhooks do not. */
  auth: boolean;
  handler: RouteHandler;
}

/** One REST call the bot made, as the fake recorded it. */
export interface RecordedCall {
  method: string;
  /** Path below the API base, e.g. `/channels/123/messages`. */
  path: string;
  /** The matched route template, e.g. `/channels/:channel/messages`; undefined for unknown routes. */
  route?: string;
  query: Record<string, string>;
  body: unknown;
  files: UploadedFile[];
  status: number;
  response: unknown;
  /** Fake-clock time of the call, in epoch ms. */
  at: number;
}

export class RouteTable {
  readonly routes: (Route & { template: string })[] = [];

  add(method: string, template: string, handler: RouteHandler, auth = true): this {
    const names: string[] = [];
    const source = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, auth, handler, template });
    return this;
  }

  /** The matching route with the fewest parameters, so `/messages/pins` wins over `/messages/:message`. */
  match(method: string, path: string): { route: Route & { template: string }; params: Record<string, string> } | undefined {
    let best: { route: Route & { template: string }; params: Record<string, string> } | undefined;
    for (const route of this.routes) {
      if (route.method !== method || (best && best.route.names.length <= route.names.length)) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1]);
      });
      best = { route, params };
    }
    return best;
  }

  /** Whether any route has this path (so a wrong method answers 405 rather than 404). */
  knows(path: string): boolean {
    return this.routes.some((route) => route.pattern.test(path));
  }
}
