/** Product name, connector health, live-stream state, the signed-in person and sign out. */
import type { User } from '../types.ts';
import type { HealthState } from '../hooks/useHealth.ts';
import { HealthDots } from './HealthDots.tsx';

export function TopBar({ user, health, live, onSignOut }: { user: User; health: HealthState; live: boolean; onSignOut(): void }) {
  return (
    <header className="topbar">
      <div className="brandmark">
        <span className="logo" aria-hidden="true">◉</span> Earshot
      </div>
      <HealthDots health={health} />
      <span className={`live ${live ? 'live-on' : 'live-off'}`} role="status" title={live ? 'Receiving live updates' : 'Live updates interrupted; reconnecting'}>
        {live ? 'Live' : 'Reconnecting…'}
      </span>
      <div className="spacer" />
      <span className="whoami" data-testid="current-user" title={user.email}>
        {user.name}
        <span className="role">{user.role}</span>
      </span>
      <button type="button" className="btn btn-ghost" onClick={onSignOut} data-testid="sign-out">
        Sign out
      </button>
    </header>
  );
}
