import { describe, expect, it } from 'vitest';
import { ConditionalCache } from '../../../src/main/core/api/conditional';

describe('conditional GETs: the answers kept for If-None-Match', () => {
  it('hands out the validator with the answer it stands for, so a 304 confirms that very answer', () => {
    const cache = new ConditionalCache({ maxEntries: 2, maxBytes: 1_000, maxEntryBytes: 500 });
    cache.remember('/a', 'W/"1"', '{"data":[1]}');
    const sent = cache.lookup('/a');
    expect(sent).toEqual({ etag: 'W/"1"', text: '{"data":[1]}' });
    // Other answers arrive while the request is out and push /a out of the cache: what was sent still holds.
    cache.remember('/b', 'W/"2"', '{}');
    cache.remember('/c', 'W/"3"', '{}');
    expect(cache.lookup('/a')).toBeNull();
    expect(sent?.text).toBe('{"data":[1]}');
  });

  it('keeps the most recently used within its bounds, and nothing without a validator or too large', () => {
    const cache = new ConditionalCache({ maxEntries: 2, maxBytes: 10, maxEntryBytes: 6 });
    cache.remember('/a', 'x', 'aaaa');
    cache.remember('/b', 'y', 'bbbb');
    cache.lookup('/a'); // used: /b is now the oldest
    cache.remember('/c', 'z', 'cc');
    expect(cache.lookup('/b')).toBeNull();
    expect(cache.lookup('/a')?.text).toBe('aaaa');
    cache.remember('/d', null, 'dd');
    cache.remember('/e', 'e', 'eeeeeee');
    expect(cache.lookup('/d')).toBeNull();
    expect(cache.lookup('/e')).toBeNull();
    // A new token: nothing one user was shown answers another's request.
    cache.clear();
    expect(cache.lookup('/a')).toBeNull();
  });

  it('keeps one answer per list family: a page for a cursor the reader has moved past is never asked again', () => {
    const cache = new ConditionalCache({ maxEntries: 64, maxBytes: 1_000_000, maxEntryBytes: 500_000 });
    const page = 'x'.repeat(100_000);
    // A working day of catch-ups: every one reads after a newer id.
    for (let after = 0; after < 30; after++) cache.remember(`/n?after_id=${after}&per_page=500`, `"${after}"`, page, '/n?per_page=500');
    expect(cache.stats).toEqual({ entries: 1, chars: 100_000 });
    expect(cache.lookup('/n?after_id=29&per_page=500')?.etag).toBe('"29"');
    expect(cache.lookup('/n?after_id=28&per_page=500')).toBeNull();
    // Another family (a later page of a walk, the board) is its own.
    cache.remember('/n?after_id=29&per_page=500&page=2', '"p2"', '{}', '/n?per_page=500&page=2');
    cache.remember('/board', '"b"', '{}');
    expect(cache.stats.entries).toBe(3);
    // Forgetting or evicting the kept URL frees its family.
    cache.forget('/n?after_id=29&per_page=500');
    cache.remember('/n?after_id=30&per_page=500', '"30"', '{}', '/n?per_page=500');
    expect(cache.lookup('/n?after_id=30&per_page=500')?.etag).toBe('"30"');
    cache.clear();
    expect(cache.stats).toEqual({ entries: 0, chars: 0 });
  });
});
