'use client';
import { create } from 'zustand';
import { ApiError, errorText, getFix, getMe, setUnauthorizedHandler } from './api';
import { currentCredential, forgetCredential } from './auth';
import { type AuthConfig, loadConfig } from './config';
import { type FixView, type Me, type SessionEvent, TERMINAL } from './types';

export interface ConsoleLine {
  at: number;
  event: SessionEvent;
}

export type SocketState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

interface FormState {
  code: string;
  test: string;
  error: string;
  filename: string;
  maxRounds: number;
  /** The program line a pasted traceback blames (1-based), highlighted in the editor. */
  errorLine: number | null;
}

interface SessionState {
  sessionId: string | null;
  /** The code this browser submitted for the session (the diff's left side when known). */
  submittedCode: string | null;
  view: FixView | null;
  lines: ConsoleLine[];
  result: Extract<SessionEvent, { type: 'result' }> | null;
  socket: SocketState;
  /** A refusal or failure to show (role=alert; a 401 shows the sign-in prompt instead). */
  alert: Alert | null;
}

export interface Alert {
  message: string;
  field?: string;
  status?: number;
  /** A 429's reset time (ISO). */
  resetsAt?: string;
}

/** The alert an error makes: its text, and what the API said about it. */
export function alertOf(error: unknown): Alert {
  if (!(error instanceof ApiError)) return { message: errorText(error) };
  return {
    message: error.message,
    status: error.status,
    ...(error.field ? { field: error.field } : {}),
    ...(error.resetsAt ? { resetsAt: error.resetsAt } : {}),
  };
}

interface IdentityState {
  /** How this console signs in (null until /config.json is read). */
  auth: AuthConfig | null;
  /** GET /v1/me: the signed-in user and the day's quota (null when signed out or not asked yet). */
  me: Me | null;
  /** The API answered 401: the credential is missing, expired or refused. */
  needsSignIn: boolean;
}

interface Actions {
  setForm(patch: Partial<FormState>): void;
  setAlert(alert: SessionState['alert']): void;
  /** Reads the config and, when there is someone to ask about, GET /v1/me. */
  loadIdentity(): Promise<void>;
  follow(sessionId: string, submittedCode?: string): void;
  refresh(): Promise<void>;
  stop(): void;
}

const initialForm: FormState = {
  code: '',
  test: '',
  error: '',
  filename: 'program.py',
  maxRounds: 2,
  errorLine: null,
};

const initialSession: SessionState = {
  sessionId: null,
  submittedCode: null,
  view: null,
  lines: [],
  result: null,
  socket: 'idle',
  alert: null,
};

export const useConsole = create<FormState & SessionState & IdentityState & Actions>((set, get) => ({
  ...initialForm,
  ...initialSession,
  auth: null,
  me: null,
  needsSignIn: false,
  setForm: (patch) => set(patch),
  setAlert: (alert) => set({ alert }),
  loadIdentity: async () => {
    const { auth } = await loadConfig();
    set({ auth });
    // With OAuth and no credential there is no one to ask about; `none` has no /v1/me.
    if (auth.mode === 'none' || (auth.mode === 'oauth' && !currentCredential())) {
      set({ me: null });
      return;
    }
    try {
      set({ me: await getMe(), needsSignIn: false });
    } catch {
      // A 401 set needsSignIn already; anything else leaves the header without a quota.
      set({ me: null });
    }
  },
  follow: (sessionId, submittedCode) => {
    if (get().sessionId === sessionId && live) return;
    live?.close();
    set({
      ...initialSession,
      sessionId,
      submittedCode: submittedCode ?? null,
      // Submitted here: the POST's 202 is the session's `accepted` (pushed before this socket subscribed).
      lines:
        submittedCode === undefined
          ? []
          : [{ at: Date.now(), event: { type: 'accepted', sessionId, status: 'queued' } }],
    });
    live = new LiveSession(sessionId);
    void get().refresh();
  },
  refresh: async () => {
    const sessionId = get().sessionId;
    if (!sessionId) return;
    try {
      const view = await getFix(sessionId);
      if (get().sessionId !== sessionId) return;
      set({ view });
      if (TERMINAL.has(view.status) && !get().result) {
        // The socket's result may still be on its way; the view is the record either way.
        live?.ensureResult();
      }
    } catch (error) {
      if (get().sessionId !== sessionId) return;
      set({ alert: alertOf(error) });
    }
  },
  stop: () => {
    live?.close();
    live = undefined;
    set({ ...initialSession });
  },
}));

setUnauthorizedHandler(() => {
  // The credential is refused (or there is none): forget it and ask for a sign-in.
  forgetCredential();
  useConsole.setState({ needsSignIn: true, me: null });
});

let live: LiveSession | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

function refreshSoon(): void {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void useConsole.getState().refresh(), 150);
}

const RECONNECT_MS = [250, 500, 1000, 2000, 4000];

/** Follows one session over the WebSocket: subscribes, and reconnects and resubscribes if it drops. */
class LiveSession {
  private socket: WebSocket | undefined;
  private closed = false;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly sessionId: string) {
    void this.connect();
  }

  private get mine(): boolean {
    return !this.closed && useConsole.getState().sessionId === this.sessionId;
  }

  private async connect(): Promise<void> {
    const { wsUrl } = await loadConfig();
    if (!this.mine) return;
    useConsole.setState({ socket: this.attempts === 0 ? 'connecting' : 'reconnecting' });
    // The socket's credential goes in the query (browsers cannot set headers on an upgrade).
    const token = currentCredential()?.token;
    const url = token
      ? `${wsUrl}${wsUrl.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`
      : wsUrl;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      useConsole.setState({ socket: 'open' });
      socket.send(JSON.stringify({ action: 'subscribe', sessionId: this.sessionId }));
    };
    socket.onmessage = (message) => {
      if (!this.mine) return;
      let event: SessionEvent;
      try {
        event = JSON.parse(String(message.data)) as SessionEvent;
      } catch {
        return;
      }
      this.receive(event);
    };
    socket.onclose = () => {
      if (!this.mine || this.socket !== socket) return;
      // Ended, or refused for want of a sign-in: no point in asking again.
      if (useConsole.getState().result || useConsole.getState().needsSignIn) {
        useConsole.setState({ socket: 'closed' });
        return;
      }
      const delay = RECONNECT_MS[Math.min(this.attempts, RECONNECT_MS.length - 1)] ?? 4000;
      this.attempts++;
      useConsole.setState({ socket: 'reconnecting' });
      this.timer = setTimeout(() => void this.connect(), delay);
    };
  }

  private receive(event: SessionEvent): void {
    const state = useConsole.getState();
    if (event.type === 'error') {
      useConsole.setState({
        lines: [...state.lines, { at: Date.now(), event }],
        alert: { message: event.message, ...(event.field ? { field: event.field } : {}) },
      });
      return;
    }
    if (event.sessionId !== this.sessionId) return;
    // A resubscribe to a finished session answers its result again: show it once.
    if (event.type === 'result' && state.result) return;
    useConsole.setState({
      lines: [...state.lines, { at: Date.now(), event }],
      ...(event.type === 'result' ? { result: event } : {}),
    });
    if (event.type === 'candidate' || event.type === 'result') refreshSoon();
    if (event.type === 'result') {
      this.socket?.close(1000, 'session ended');
      // The session may have used one of the day's verifications (or given its hold back).
      void useConsole.getState().loadIdentity();
    }
  }

  /** The view says the session ended but no result came yet: ask again (a subscribe answers it at once). */
  ensureResult(): void {
    if (this.socket?.readyState === WebSocket.OPEN)
      this.socket.send(JSON.stringify({ action: 'subscribe', sessionId: this.sessionId }));
  }

  /** For tests and diagnostics: drop the socket as a network failure would. */
  drop(): void {
    this.socket?.close(4000, 'dropped');
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'left the session');
  }
}

/** Drops the live socket (the console reconnects and resubscribes). */
export function dropSocket(): void {
  live?.drop();
}

if (typeof window !== 'undefined') {
  // For tests and the curious: simulate a network drop.
  (window as unknown as { __teDropSocket?: () => void }).__teDropSocket = dropSocket;
}
