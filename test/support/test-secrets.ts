import type { EncryptionKeys } from '@fireline/secrets';
import { parseAllowedHosts, type OutboundPolicy } from '../../apps/notification-service/src/outbound/domain/outbound-destination.policy';

/** A fixed test key (never used outside tests), so that a test can read back what a service sealed. */
export const TEST_ENCRYPTION_KEY_TEXT = 'dGVzdC1vbmx5LWtleS1maXJlbGluZS0zMi1ieXRlcyE=';

/** `TEST_ENCRYPTION_KEY_TEXT` as the services' `encryption` config (key id `test-1`). */
export const TEST_ENCRYPTION_KEYS: EncryptionKeys = { current: { id: 'test-1', key: Buffer.from(TEST_ENCRYPTION_KEY_TEXT, 'base64') }, previous: [] };

/** The same key as environment variables, for services started as processes. */
export const TEST_ENCRYPTION_ENV = { FIRELINE_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY_TEXT, FIRELINE_ENCRYPTION_KEY_ID: 'test-1' } as const;

/**
 * What tests' local receivers need of the outbound policy: plain http to 127.0.0.1 and ::1. The
 * default policy (https, public addresses only) refuses them, as it must refuse any loopback target.
 */
export const TEST_OUTBOUND_POLICY: OutboundPolicy = { allowHttp: true, ...parseAllowedHosts(['127.0.0.1', '::1']) };

/** `TEST_OUTBOUND_POLICY` as environment variables. */
export const TEST_OUTBOUND_ENV = { OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,::1', OUTBOUND_ALLOW_HTTP: 'true' } as const;
