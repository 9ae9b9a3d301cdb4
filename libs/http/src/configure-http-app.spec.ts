import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';
import { SECURITY_HEADERS, securityHeaderValues } from './configure-http-app';

/** What helmet's middleware leaves on a real Node response. */
function headersHelmetSets(options: HelmetOptions = SECURITY_HEADERS): Record<string, unknown> {
  const response = new ServerResponse(new IncomingMessage(new Socket()));
  response.setHeader('X-Powered-By', 'something');
  helmet(options)(response.req, response, () => undefined);
  return response.getHeaders();
}

describe(securityHeaderValues.name, () => {
  it('gives the headers helmet sets on a real response, computed once', () => {
    const once = securityHeaderValues();
    expect(once).toEqual(headersHelmetSets());
    expect(once['content-security-policy']).toContain("script-src 'self'");
    expect(once['strict-transport-security']).toBe('max-age=15552000; includeSubDomains');
    expect(once['x-frame-options']).toBe('DENY');
    expect(once).not.toHaveProperty('x-powered-by');
    expect(Object.isFrozen(once)).toBe(true);
  });

  it('follows the options it is given', () => {
    const options: HelmetOptions = { contentSecurityPolicy: SECURITY_HEADERS.contentSecurityPolicy, frameguard: { action: 'sameorigin' }, strictTransportSecurity: false };
    const values = securityHeaderValues(options);
    expect(values).toEqual(headersHelmetSets(options));
    expect(values['x-frame-options']).toBe('SAMEORIGIN');
    expect(values).not.toHaveProperty('strict-transport-security');
  });
});
