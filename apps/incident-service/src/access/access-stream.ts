/** Stream naming of API keys: `api-key-<key id>`, stream type `api-key`. */
export const API_KEY_STREAM_TYPE = 'api-key';

/** `api-key-<key id>`: the stream that holds one API key's events. */
export function apiKeyStreamId(keyId: string): string {
  return `${API_KEY_STREAM_TYPE}-${keyId}`;
}
