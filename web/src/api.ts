/** The desk's HTTP client for the Earshot API. Every write carries the CSRF header the server requires. */
import type {
  Brand,
  BrandAccount,
  ConnectorHealth,
  ConversationDetail,
  ConversationStatus,
  ConversationSummary,
  Intent,
  Network,
  PostRecord,
  ReplyRecord,
  Sentiment,
  User,
} from './types.ts';

/** An error answered by the server (`{code, message, details?}`), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever a request answers 401 (the session expired or was revoked), except for the login itself. */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

async function request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-Earshot-Client'] = 'desk';
    headers['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? (method === 'GET' ? undefined : '{}') : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the Earshot server. Check your connection.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const e = (data ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
    const code = typeof e.code === 'string' ? e.code : `http_${res.status}`;
    const message = typeof e.message === 'string' && e.message !== '' ? e.message : `Request failed (${res.status} ${res.statusText})`;
    if (res.status === 401 && !opts.quiet401) unauthorizedListeners.forEach((fn) => fn());
    throw new ApiError(res.status, code, message, e.details);
  }
  return data as T;
}

export interface ConversationQuery {
  status?: ConversationStatus[];
  intent?: Intent[];
  sentiment?: Sentiment[];
  network?: Network[];
  q?: string;
  limit: number;
  offset: number;
}

export function conversationQueryString(q: ConversationQuery): string {
  const p = new URLSearchParams();
  if (q.status?.length) p.set('status', q.status.join(','));
  if (q.intent?.length) p.set('intent', q.intent.join(','));
  if (q.sentiment?.length) p.set('sentiment', q.sentiment.join(','));
  if (q.network?.length) p.set('network', q.network.join(','));
  if (q.q?.trim()) p.set('q', q.q.trim());
  p.set('limit', String(q.limit));
  p.set('offset', String(q.offset));
  return p.toString();
}

export type BrandWithAccounts = Brand & { accounts: BrandAccount[] };

export const api = {
  login: (email: string, password: string) =>
    request<{ user: User }>('POST', '/api/login', { email, password }, { quiet401: true }),
  logout: () => request<void>('POST', '/api/logout', undefined, { quiet401: true }),
  me: () => request<{ user: User }>('GET', '/api/me', undefined, { quiet401: true }),
  conversations: (q: ConversationQuery) =>
    request<{ items: ConversationSummary[]; total: number }>('GET', `/api/conversations?${conversationQueryString(q)}`),
  conversation: (id: number) => request<ConversationDetail>('GET', `/api/conversations/${encodeURIComponent(String(id))}`),
  reply: (id: number, text: string) =>
    request<{ reply: ReplyRecord }>('POST', `/api/conversations/${encodeURIComponent(String(id))}/replies`, { text }),
  setStatus: (id: number, status: 'open' | 'pending' | 'resolved' | 'dismissed') =>
    request<{ conversation: ConversationSummary }>('PATCH', `/api/conversations/${encodeURIComponent(String(id))}`, { status }),
  /** An agent's correction of a post's labels (only the fields that changed); answers the post as stored now. */
  correctLabels: (postId: number, labels: { intent?: Intent; sentiment?: Sentiment; needsReply?: boolean }) =>
    request<{ post: PostRecord }>('POST', `/api/posts/${encodeURIComponent(String(postId))}/labels`, labels),
  health: () => request<{ status: string; connectors: ConnectorHealth[] }>('GET', '/api/health'),
  brands: () => request<{ items: BrandWithAccounts[] }>('GET', '/api/brands'),
};

/** The message to show a person for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
}
