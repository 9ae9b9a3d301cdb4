import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problemDetailsFrameworkErrors } from './problem-details.filter';

function fakeReply() {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const reply = {
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, sent };
}

const fastifyError = (code: string, statusCode: number, message: string) => Object.assign(new Error(message), { code, statusCode }) as FastifyError;

describe('problemDetailsFrameworkErrors', () => {
  it.each([
    ['FST_ERR_BAD_URL', 400, 'REQUEST.BAD_URL'],
    ['FST_ERR_MAX_PARAM_LENGTH', 414, 'REQUEST.URI_TOO_LONG'],
  ])('answers Fastify router error %s with a %i problem', (fastifyCode, status, code) => {
    const { reply, sent } = fakeReply();
    problemDetailsFrameworkErrors(fastifyError(fastifyCode, status, 'bad path'), { url: '/v1/x/%ZZ' } as FastifyRequest, reply);
    expect(sent.status).toBe(status);
    expect(sent.headers['content-type']).toBe('application/problem+json');
    expect(sent.body).toMatchObject({ status, code, instance: '/v1/x/%ZZ' });
  });
});
