import { ValidationError } from '@fireline/errors';
import { IsOptional, IsString } from 'class-validator';
import { createValidationPipe } from './validation';

class PatchRequest {
  @IsOptional()
  @IsString()
  name?: string;
}

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const body = { type: 'body' as const, metatype: PatchRequest };
  const query = { type: 'query' as const, metatype: PatchRequest };

  it('accepts a valid body as a DTO instance', async () => {
    await expect(pipe.transform({ name: 'x' }, body)).resolves.toBeInstanceOf(PatchRequest);
  });

  it('rejects a JSON null body, which would otherwise pass an all-optional DTO as {}', async () => {
    await expect(pipe.transform(null, body)).rejects.toThrow(ValidationError);
  });

  it.each([
    ['__proto__ in a query string', query, JSON.parse('{"__proto__":"x"}') as unknown],
    ['constructor in a body', body, { constructor: { prototype: { polluted: true } } }],
    ['prototype nested in a body', body, { name: 'x', nested: { prototype: 1 } }],
  ])('rejects %s instead of stripping it silently', async (_name, metadata, value) => {
    await expect(pipe.transform(value, metadata)).rejects.toMatchObject({ code: 'REQUEST.INVALID' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
