/** End-to-end tests' view of a running Earshot: polling until something happens, and a signed-in API client. */
import type { RunningEarshot } from './earshot.js';

/** Polls `what` every 50 ms until it gives a value (not null or undefined), or throws after `ms`. */
export async function until<T>(what: () => Promise<T | null | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> | null }>;

/** Signs in as the desk does (session cookie, desk header) and returns a JSON client for the API. */
export async function signIn(app: RunningEarshot, email: string, password: string): Promise<Api> {
  const login = await fetch(`${app.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-earshot-client': 'desk' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`sign-in answered ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  return async (method, path, body) => {
    const res = await fetch(app.url + path, {
      method,
      headers: { cookie, 'content-type': 'application/json', 'x-earshot-client': 'desk' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };
}
