/** Top level: who is signed in decides between the sign-in page and the desk. */
import { useCallback, useEffect, useState } from 'react';
import { api, onUnauthorized } from '../api.ts';
import type { User } from '../types.ts';
import { Desk } from './Desk.tsx';
import { LoginPage } from './LoginPage.tsx';

type Auth = { state: 'checking' } | { state: 'signed-out'; notice?: string } | { state: 'signed-in'; user: User };

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });

  useEffect(() => {
    let cancelled = false;
    api.me().then(
      (r) => !cancelled && setAuth({ state: 'signed-in', user: r.user }),
      () => !cancelled && setAuth({ state: 'signed-out' }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  // Any 401 while working means the session ended elsewhere (expired, revoked, server restarted).
  useEffect(
    () =>
      onUnauthorized(() =>
        setAuth((a) => (a.state === 'signed-in' ? { state: 'signed-out', notice: 'Your session ended. Please sign in again.' } : a)),
      ),
    [],
  );

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setAuth({ state: 'signed-out' });
    }
  }, []);

  if (auth.state === 'checking') {
    return (
      <div className="boot" role="status">
        Loading Earshot…
      </div>
    );
  }
  if (auth.state === 'signed-out') {
    return <LoginPage notice={auth.notice} onSignedIn={(user) => setAuth({ state: 'signed-in', user })} />;
  }
  return <Desk user={auth.user} onSignOut={() => void signOut()} />;
}
