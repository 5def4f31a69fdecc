/** Where the console keeps its session: the tab's sessionStorage (gone with the tab), region in localStorage. */

export interface StoredSession {
  token: string;
  /** ISO time; absent for a pasted token (the server tells when it expires). */
  expiration?: string;
}

const SESSION_KEY = 'opentrail.console.session';
const REGION_KEY = 'opentrail.console.region';

// Storage can be disabled (private mode, policy): the console then keeps state in memory only.
let memorySession: StoredSession | null = null;
let memoryRegion = '';

export function loadSession(): StoredSession | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as StoredSession) : null;
  } catch {
    return memorySession;
  }
}

export function saveSession(session: StoredSession | null): void {
  memorySession = session;
  try {
    if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch {
    /* memory only */
  }
}

export function loadRegion(): string {
  try {
    return localStorage.getItem(REGION_KEY) ?? '';
  } catch {
    return memoryRegion;
  }
}

export function saveRegion(region: string): void {
  memoryRegion = region;
  try {
    if (region) localStorage.setItem(REGION_KEY, region);
    else localStorage.removeItem(REGION_KEY);
  } catch {
    /* memory only */
  }
}
