/** The signed-in desk: top bar, queue on the left, the open conversation on the right. Owns the live event stream. */
import type { User } from '../types.ts';
import { EventsProvider, useEventsLive } from '../hooks/events.tsx';
import { useHealth } from '../hooks/useHealth.ts';
import { TopBar } from './TopBar.tsx';
import { Workspace } from './Workspace.tsx';

export function Desk({ user, onSignOut }: { user: User; onSignOut(): void }) {
  return (
    <EventsProvider>
      <DeskChrome user={user} onSignOut={onSignOut} />
    </EventsProvider>
  );
}

function DeskChrome({ user, onSignOut }: { user: User; onSignOut(): void }) {
  const health = useHealth();
  const live = useEventsLive();
  return (
    <div className="desk">
      <TopBar user={user} health={health} live={live} onSignOut={onSignOut} />
      <Workspace user={user} />
    </div>
  );
}
