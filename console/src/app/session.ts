import { createContext, useContext } from 'react';

export interface Identity {
  account: string;
  arn: string;
  userId: string;
}

export interface RegionInfo {
  regionName: string;
  description: string;
  isHomeRegion: boolean;
}

export interface SessionState {
  identity: Identity;
  regions: RegionInfo[];
  region: string;
  setRegion(region: string): void;
  signOut(): void;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
