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
});
