import { PageRequest } from '@fireline/http';

/** Query string of `GET /v1/notification-rules`: paging only (oldest first). */
export class ListNotificationRulesRequestDto extends PageRequest {}
