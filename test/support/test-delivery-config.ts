import type { NotificationServiceConfig } from '../../apps/notification-service/src/config/notification-service.config';

/** Delivery settings for tests: 20 ms polls, 3 attempts 10–50 ms apart within a 60 s window. */
export const TEST_DELIVERY_CONFIG: NotificationServiceConfig['delivery'] = {
  retryWindowMs: 60_000,
  maxAttempts: 3,
  baseDelayMs: 10,
  maxDelayMs: 50,
  timeoutMs: 2_000,
  pollIntervalMs: 20,
  concurrency: 4,
  circuitBreaker: { failureThreshold: 5, halfOpenAfterMs: 1_000 },
};
