/**
 * Talking to the playground server: joining as a member (the token is kept in this tab's session
 * storage, so a reload stays the same member), JSON and multipart requests that carry the token, and
 * the live socket. A refusal comes back as an ApiError holding the server's sentence.
 */
import type { InteractionOutcome, MemberView, MessageView, PlaygroundState, SocketFrame } from '../../site/view-types.js';

const TOKEN_KEY = 'taleframe-playground-member';
const API = '/playground/api';

export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export function savedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

async function request<T>(method: string, path: string, body?: unknown, files?: { field: string; file: File | Blob; name: string }[]): Promise<T> {
  const headers: Record<string, string> = {};
  const token = savedToken();
  if (token) headers['x-playground-member'] = token;
  let payload: BodyInit | undefined;
  if (files && files.length > 0) {
    const form = new FormData();
    form.append('payload', JSON.stringify(body ?? {}));
    for (const { field, file, name } of files) form.append(field, file, name);
    payload = form;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(`${API}${path}`, { method, headers, body: payload });
  } catch {
    throw new ApiError('The playground server cannot be reached; is `npm start` still running?', 0);
  }
  const json = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new ApiError(json.error ?? `The server answered ${response.status}.`, response.status);
  return json;
}

export async function join(name: string): Promise<MemberView> {
  const answer = await request<{ token: string; me: MemberView }>('POST', '/members', { name });
  sessionStorage.setItem(TOKEN_KEY, answer.token);
  return answer.me;
}

export const api = {
  state: () => request<PlaygroundState>('GET', '/state'),
  messages: (channelId: string) => request<MessageView[]>('GET', `/channels/${channelId}/messages`),
  post: (channelId: string, content: string, replyTo: string | undefined, files: File[]) =>
    request<{ id: string }>('POST', '/messages', { channelId, content, replyTo }, files.map((file) => ({ field: 'files', file, name: file.name }))),
  command: (channelId: string, name: string, subcommand: string | undefined, options: Record<string, unknown>, files: Record<string, File>) =>
    request<InteractionOutcome>('POST', '/commands', { channelId, name, subcommand, options },
      Object.entries(files).map(([option, file]) => ({ field: `option:${option}`, file, name: file.name }))),
  contextMenu: (messageId: string, name: string) => request<InteractionOutcome>('POST', '/context-menu', { messageId, name }),
  button: (messageId: string, customId: string) => request<InteractionOutcome>('POST', '/buttons', { messageId, customId }),
  modal: (customId: string, fields: Record<string, string>) => request<InteractionOutcome>('POST', '/modals', { customId, fields }),
  react: (messageId: string, emoji: string, add: boolean) => request<object>(add ? 'PUT' : 'DELETE', '/reactions', { messageId, emoji }),
};

/** Opens the live socket and reconnects (with a growing pause) when it drops. */
export function connectSocket(onFrame: (frame: SocketFrame) => void, onStatus: (online: boolean) => void): void {
  let delay = 500;
  const open = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/playground/socket?token=${encodeURIComponent(savedToken() ?? '')}`);
    socket.addEventListener('message', (event) => {
      delay = 500;
      onFrame(JSON.parse(String(event.data)) as SocketFrame);
    });
    socket.addEventListener('open', () => onStatus(true));
    socket.addEventListener('close', () => {
      onStatus(false);
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10_000);
    });
  };
  open();
}
