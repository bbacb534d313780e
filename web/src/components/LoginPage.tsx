/** Sign-in form. A real <form>, so Enter in either field submits. */
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api.ts';
import type { User } from '../types.ts';

export function LoginPage({ onSignedIn, notice }: { onSignedIn(user: User): void; notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const { user } = await api.login(email.trim(), password);
      onSignedIn(user);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={(e) => void submit(e)} data-testid="login-form" aria-labelledby="login-title">
        <h1 id="login-title" className="login-title">
          <span className="logo" aria-hidden="true">◉</span> Earshot
        </h1>
        <p className="login-sub">Sign in to the care desk</p>
        {notice && !error && (
          <p className="login-notice" role="status">
            {notice}
          </p>
        )}
        <label htmlFor="login-email">Email</label>
        <input
          id="login-email"
          data-testid="login-email"
          type="email"
          autoComplete="username"
          autoFocus
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          data-testid="login-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && (
          <p className="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary" data-testid="login-submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
