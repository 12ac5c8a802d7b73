/** What every view gets from the shell. */
import type { Api, Settings } from './api.js';
import type { LiveMessage } from './live.js';

export interface Ctx {
  api: Api;
  settings: Settings;
  /** The console's "now" (today's page, default times). */
  now(): Date;
  /** The review queue changed (or may have): the shell updates its count. */
  reviewChanged(): void;
}

export interface View {
  el: HTMLElement;
  /** Reads from the API and shows it. */
  load(): Promise<void>;
  /** Draws again from what it holds (language switch). */
  render(): void;
  onLive(m: LiveMessage): void;
}

/** Runs `fn` once after calls stop coming for `ms`. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
