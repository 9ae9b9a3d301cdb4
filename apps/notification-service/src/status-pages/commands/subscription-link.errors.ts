import { NotFoundError } from '@fireline/errors';

/** Stable code of a confirmation or unsubscribe link that is unknown, expired or already used (404). */
export const LINK_INVALID = 'STATUS_PAGE_SUBSCRIPTION.LINK_INVALID';

/** The one answer to every bad link, whatever is wrong with it (unknown, expired, used, another page's). */
export function invalidLink(kind: 'confirmation' | 'unsubscribe'): NotFoundError {
  const message =
    kind === 'confirmation'
      ? 'This confirmation link is unknown, has expired or was already used. If you confirmed already, you are subscribed; otherwise subscribe again.'
      : 'This unsubscribe link is unknown.';
  return new NotFoundError(LINK_INVALID, message);
}

/** What the public pages say about the status page a link belongs to. */
export interface LinkedPage {
  name: string;
  url: string;
}
