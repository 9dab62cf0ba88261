/**
 * A loopback HTTP server that speaks enough of the Chat Completions API for the real openai client:
 * POST /v1/chat/completions answers with realistic completion objects (id, created, model, choices,
 * usage) or with the failures planners must survive: invalid JSON, a wrong schema, 429 with
 * retry-after, 500, or no answer at all. Each test scripts the replies in order and reads back the
 * requests it received (body and headers) to check what was sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FakeReply =
  /** A completion whose message content is JSON.stringify(body). */
  | { kind: 'json'; body: unknown }
  /** A completion whose message content is this text, as is. */
  | { kind: 'text'; content: string }
  | { kind: 'refusal'; refusal: string }
  /** An error status with an OpenAI-style error body. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; message?: string }
  /** Accept the request and never answer (until the server closes). */
  | { kind: 'hang' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  // The request body as parsed JSON; tests read what they need from it.
  body: any;
}

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  private readonly replies: FakeReply[] = [];
  private readonly sockets = new Set<Socket>();
  private counter = 0;

  private constructor(private readonly server: Server) {}

  /** Starts on 127.0.0.1 with a free port. */
  static async start(): Promise<FakeOpenAI> {
    let fake: FakeOpenAI | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    fake = new FakeOpenAI(server);
    server.on('connection', (socket) => {
      fake!.sockets.add(socket);
      socket.on('close', () => fake!.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Base URL for the openai client (includes /v1). */
  get baseURL(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Queues replies, answered in order, one per request. */
  script(...replies: FakeReply[]): this {
    this.replies.push(...replies);
    return this;
  }

  /** Replies scripted but not yet used. */
  get pending(): number {
    return this.replies.length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // recorded as text; the test will see it
    }
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return this.error(res, 404, `fake server: no route ${req.method} ${req.url}`);
    }
    const reply = this.replies.shift();
    if (!reply) return this.error(res, 400, 'fake server: no reply scripted for this request');
    const model = (body as { model?: string } | undefined)?.model ?? 'fake-model';
    switch (reply.kind) {
      case 'hang':
        return; // the socket stays open until the client gives up or the server closes
      case 'status': {
        const headers: Record<string, string> = {};
        if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
        return this.error(res, reply.status, reply.message ?? `fake ${reply.status}`, headers);
      }
      case 'refusal':
        return this.completion(res, model, body, null, reply.refusal);
      case 'json':
        return this.completion(res, model, body, JSON.stringify(reply.body), null);
      case 'text':
        return this.completion(res, model, body, reply.content, null);
    }
  }

  private completion(res: ServerResponse, model: string, request: unknown, content: string | null, refusal: string | null): void {
    const promptTokens = Math.ceil(JSON.stringify(request ?? '').length / 4);
    const completionTokens = Math.ceil((content ?? refusal ?? '').length / 4);
    const payload = {
      id: `chatcmpl-fake${++this.counter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_fake${this.counter}` });
    res.end(JSON.stringify(payload));
  }

  private error(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { message, type, param: null, code: type } }));
  }
}
