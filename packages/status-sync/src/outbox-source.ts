import type { SiteSync } from './site.js';

/**
 * The site outbox as a transport sees it: opaque items with string ids, due ones first, none of
 * those already in flight. It fits @xmcomm/mqtt-transport's `OutboxSource` structurally, so the
 * transport needs no knowledge of this package and every app adapts the outbox the same way.
 */
export function outboxSource(site: Pick<SiteSync, 'nextItems' | 'markSent'>) {
  return {
    async nextBatch(limit: number, exclude: ReadonlySet<string>) {
      const due = await site.nextItems(limit + exclude.size);
      return due
        .filter((item) => !exclude.has(String(item.id)))
        .slice(0, limit)
        .map((item) => ({ id: String(item.id), payload: item.payload }));
    },
    markSent: (id: string) => site.markSent(Number(id)),
  };
}
