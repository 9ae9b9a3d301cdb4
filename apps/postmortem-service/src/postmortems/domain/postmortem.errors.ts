import { IllegalStateError, NotFoundError, ValidationError } from '@fireline/errors';
import type { PostmortemStatus } from './postmortem.state';

/** Stable error codes of the postmortem aggregate (clients switch on them). */
export const POSTMORTEM_ERROR_CODES = {
  notFound: 'POSTMORTEM.NOT_FOUND',
  alreadyDrafted: 'POSTMORTEM.ALREADY_DRAFTED',
  publishedIsFinal: 'POSTMORTEM.PUBLISHED_IS_FINAL',
  illegalTransition: 'POSTMORTEM.ILLEGAL_TRANSITION',
  invalid: 'POSTMORTEM.INVALID',
  actionItemNotFound: 'ACTION_ITEM.NOT_FOUND',
  actionItemAlreadyExists: 'ACTION_ITEM.ALREADY_EXISTS',
  actionItemInvalid: 'ACTION_ITEM.INVALID',
} as const;

export function postmortemNotFound(postmortemId: string): NotFoundError {
  return new NotFoundError(POSTMORTEM_ERROR_CODES.notFound, `Postmortem ${postmortemId} does not exist`, { postmortemId });
}

export function postmortemAlreadyDrafted(postmortemId: string): IllegalStateError {
  return new IllegalStateError(POSTMORTEM_ERROR_CODES.alreadyDrafted, `Postmortem ${postmortemId} is already drafted`, { postmortemId });
}

export function postmortemPublishedIsFinal(postmortemId: string): IllegalStateError {
  return new IllegalStateError(POSTMORTEM_ERROR_CODES.publishedIsFinal, `Postmortem ${postmortemId} is published and can no longer change`, {
    postmortemId,
  });
}

export function illegalPostmortemTransition(postmortemId: string, from: PostmortemStatus, to: PostmortemStatus): IllegalStateError {
  return new IllegalStateError(POSTMORTEM_ERROR_CODES.illegalTransition, `Postmortem ${postmortemId} cannot go from ${from} to ${to}`, {
    postmortemId,
    from,
    to,
  });
}

export function actionItemNotFound(postmortemId: string, actionItemId: string): NotFoundError {
  return new NotFoundError(POSTMORTEM_ERROR_CODES.actionItemNotFound, `Action item ${actionItemId} does not exist on postmortem ${postmortemId}`, {
    postmortemId,
    actionItemId,
  });
}

export function actionItemAlreadyExists(postmortemId: string, actionItemId: string): IllegalStateError {
  return new IllegalStateError(POSTMORTEM_ERROR_CODES.actionItemAlreadyExists, `Action item ${actionItemId} already exists`, {
    postmortemId,
    actionItemId,
  });
}

export function invalidPostmortem(field: string, message: string): ValidationError {
  return new ValidationError(POSTMORTEM_ERROR_CODES.invalid, message, [{ field, message }]);
}

export function invalidActionItem(field: string, message: string): ValidationError {
  return new ValidationError(POSTMORTEM_ERROR_CODES.actionItemInvalid, message, [{ field, message }]);
}
