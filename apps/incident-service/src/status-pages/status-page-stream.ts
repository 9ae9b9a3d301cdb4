import { nameBasedUuid } from '@fireline/event-store';

/** Stream naming of the status page aggregate: `status-page-<uuid>`, stream type `status-page`. */
export const STATUS_PAGE_STREAM_TYPE = 'status-page';

export function statusPageStreamId(pageId: string): string {
  return `${STATUS_PAGE_STREAM_TYPE}-${pageId}`;
}

/**
 * A page's id derives from its slug, so that the slug is unique without a lookup table: a second page
 * with the same slug meets the first one's stream (and its `STATUS_PAGE.SLUG_TAKEN`).
 */
export function pageIdOfSlug(slug: string): string {
  return nameBasedUuid(`status-page:${slug}`);
}
