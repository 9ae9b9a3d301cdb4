import { defineHandler, respond } from './api-handler';
import { ApiKey } from './api-keys';
import type { SupportedApi } from './broker-state';
import { ErrorCode, type ErrorCodeValue } from './error-codes';
import { ProtocolWriter } from './protocol-writer';

interface ApiVersionsResponse {
  readonly errorCode: ErrorCodeValue;
  readonly apis: readonly SupportedApi[];
}

/**
 * ApiVersions (key 18), versions 0-2: advertises exactly the key/version ranges registered on the broker.
 * The request body is empty in these versions. v1+ appends throttle_time_ms.
 */
export const apiVersionsHandler = defineHandler<null, ApiVersionsResponse>({
  apiKey: ApiKey.ApiVersions,
  apiName: 'ApiVersions',
  minVersion: 0,
  maxVersion: 2,
  decode: () => null,
  handle: (_request, { broker }) => respond({ errorCode: ErrorCode.NONE, apis: broker.supportedApis }),
  encode: (response, writer, apiVersion) => {
    writeApiVersionsBody(writer, response);
    if (apiVersion >= 1) writer.int32(0);
  },
});

function writeApiVersionsBody(writer: ProtocolWriter, response: ApiVersionsResponse): void {
  writer.int16(response.errorCode).array(response.apis, (w, api) => {
    w.int16(api.apiKey).int16(api.minVersion).int16(api.maxVersion);
  });
}

/**
 * What Kafka answers to an ApiVersions request of a version it does not know: a v0-shaped body with
 * UNSUPPORTED_VERSION and the supported ranges, so the client can retry with a version it shares.
 */
export function unsupportedApiVersionsResponse(apis: readonly SupportedApi[]): Buffer {
  const writer = new ProtocolWriter();
  writeApiVersionsBody(writer, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apis });
  return writer.toBuffer();
}
