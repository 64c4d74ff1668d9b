export interface StartOptions {
  /** A scenario file, or several (the embedded default when absent). */
  scenario?: string | string[];
  /** Extra `sandbank serve` flags. */
  args?: string[];
  /** How long to wait for /__admin/health (default 30000). */
  timeoutMs?: number;
}

export interface Sandbank {
  basiqUrl: string;
  meldUrl: string;
  reset(): Promise<unknown>;
  advance(seconds: number): Promise<unknown>;
  setClock(now: string): Promise<unknown>;
  transition(vendor: "basiq" | "meld", connection: string, status: string, statusReason?: string | null): Promise<unknown>;
  requests(): Promise<unknown[]>;
  webhooks(): Promise<unknown[]>;
  stop(): Promise<void>;
}

export function start(options?: StartOptions): Promise<Sandbank>;
export function binary(): string;
