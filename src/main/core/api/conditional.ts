/**
 * Conditional GETs: the answers of a server that sends an `ETag` are kept
 * (bounded), and the next GET of the same URL asks `If-None-Match`; a `304
 * Not Modified` then costs a few hundred bytes instead of the list again. This
 * is what keeps the desk's reconciliation while live cheap on a server with an
 * ETag middleware; a server without one simply answers in full.
 */
export class ConditionalCache {
  private readonly entries = new Map<string, { etag: string; text: string; family: string | null }>();
  /** family → the one URL of it kept (see `remember`). */
  private readonly families = new Map<string, string>();
  private size = 0;

  constructor(
    private readonly limits = { maxEntries: 64, maxBytes: 4_000_000, maxEntryBytes: 512_000 },
  ) {}

  /**
   * The validator to send for this URL and the answer it stands for, taken
   * when the request is made: a 304 then confirms exactly that answer, even if
   * another request evicted the entry meanwhile. Most recently used stay longest.
   */
  lookup(url: string): { etag: string; text: string } | null {
    const entry = this.entries.get(url);
    if (!entry) return null;
    this.entries.delete(url);
    this.entries.set(url, entry);
    return { etag: entry.etag, text: entry.text };
  }

  /**
   * `family`: the URL without the cursor a list moves on (`after_id`). The
   * answers for a cursor the reader has moved past are never asked again, so
   * only the newest URL of a family is kept: without this, every catch-up
   * page of notifications stayed here (hundreds of kB each) until the byte
   * cap, 4 MB of a working day's heap for nothing.
   */
  remember(url: string, etag: string | null, text: string, family: string | null = null): void {
    this.forget(url);
    if (family !== null) {
      const previous = this.families.get(family);
      if (previous !== undefined) this.forget(previous);
    }
    if (etag === null || etag.length > 256 || text.length > this.limits.maxEntryBytes) return;
    this.entries.set(url, { etag, text, family });
    if (family !== null) this.families.set(family, url);
    this.size += text.length;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.limits.maxEntries && this.size <= this.limits.maxBytes) break;
      this.forget(oldest);
    }
  }

  forget(url: string): void {
    const entry = this.entries.get(url);
    if (!entry) return;
    this.entries.delete(url);
    this.size -= entry.text.length;
    if (entry.family !== null && this.families.get(entry.family) === url) this.families.delete(entry.family);
  }

  /** Another user's token: nothing one user was shown may answer another's request. */
  clear(): void {
    this.entries.clear();
    this.families.clear();
    this.size = 0;
  }

  /** Answers kept and their characters (for tests and diagnostics). */
  get stats(): { entries: number; chars: number } {
    return { entries: this.entries.size, chars: this.size };
  }
}

/** What the client's requests cost, for Diagnostics and the reconciliation benchmark. */
export interface TransferStats {
  requests: number;
  /** Answered 304: the desk's copy was current. */
  notModified: number;
  /** Bytes of the answers' bodies (a 304 has none). */
  bytes: number;
}
