import { describe, expect, it } from 'vitest';
import { cleanText } from '../../../src/shared/text';
import { Notification } from '../../../src/shared/domain';
import { NotificationPayload } from '../../../src/shared/payloads';

describe('text from the server, as the desk stores and shows it', () => {
  it('keeps ordinary text, emoji, tabs and newlines exactly', () => {
    for (const text of ['Lab results ready', 'Zoë Ñúñez — 09:30', 'Line one\nline two\tindented', '😀 ok', 'مرحبا', '']) expect(cleanText(text)).toBe(text);
  });

  it('drops control characters (NUL, escape, C1) and the bidi embedding, override and isolate controls', () => {
    expect(cleanText('Re\u0000sults')).toBe('Results');
    expect(cleanText('\u001b[31mred\u001b[0m')).toBe('[31mred[0m');
    expect(cleanText('x\u0085y\u009fz')).toBe('xyz');
    // "Trojan Source": the title would read "invoice.exe" backwards in a list.
    expect(cleanText('Report \u202Eexe.fdp\u202C')).toBe('Report exe.fdp');
    expect(cleanText('\u2066a\u2067b\u2068c\u2069')).toBe('abc');
  });

  it('replaces lone surrogates with U+FFFD and keeps well-formed pairs', () => {
    expect(cleanText('a\uD800b')).toBe('a\uFFFDb');
    expect(cleanText('a\uDC00b')).toBe('a\uFFFDb');
    expect(cleanText('\uD83D\uDE00')).toBe('😀');
    expect(cleanText('\uD83D')).toBe('\uFFFD');
  });

  it('is applied by the schemas at the trust boundary: a payload and a REST record come out clean', () => {
    const payload = NotificationPayload.parse({ id: 1, user_id: 2, type: 'system', title: 'Re\u0000sults \u202Efdp.exe', message: 'lone \uD800', action_url: null, created_at: '2026-11-26T09:00:00Z' });
    expect(payload.title).toBe('Results fdp.exe');
    expect(payload.message).toBe('lone \uFFFD');
    const row = Notification.parse({ ...payload, read_at: null });
    expect(row.title).toBe('Results fdp.exe');
  });
});
