import { ValidationError } from '@fireline/errors';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { createValidationPipe, prototypeKeysOf } from './validation';

class PatchRequest {
  @IsOptional()
  @IsString()
  name?: string;
}

class ChannelRequest {
  @IsIn(['a', 'b'])
  type!: 'a' | 'b';
}
class ChannelA extends ChannelRequest {
  @IsString()
  url!: string;
}

class MatchRequest {
  @IsOptional()
  @IsString({ each: true })
  services?: string[];
}

class RuleRequest {
  @IsString()
  name!: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MatchRequest)
  match?: MatchRequest;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ChannelRequest, { keepDiscriminatorProperty: true, discriminator: { property: 'type', subTypes: [{ value: ChannelA, name: 'a' }] } })
  channel!: ChannelRequest;
}

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const body = { type: 'body' as const, metatype: PatchRequest };
  const query = { type: 'query' as const, metatype: PatchRequest };

  it('accepts a valid body as a DTO instance', async () => {
    await expect(pipe.transform({ name: 'x' }, body)).resolves.toBeInstanceOf(PatchRequest);
  });

  const rule = { type: 'body' as const, metatype: RuleRequest };
  const fieldsOf = async (promise: Promise<unknown>) => ((await promise.catch((error: unknown) => error)) as ValidationError).fieldErrors?.map((e) => e.field);

  it.each([
    ['[null] for a discriminated nested object (issue 8: a 500)', { name: 'x', channel: [null] }, ['channel']],
    ['a string for a nested object', { name: 'x', channel: 'slack' }, ['channel']],
    ['an array for a nested object', { name: 'x', match: [{}], channel: { type: 'a', url: 'u' } }, ['match']],
  ])('rejects %s with 400 naming the field, before class-transformer runs', async (_name, value, fields) => {
    expect(await fieldsOf(pipe.transform(value, rule))).toEqual(fields);
  });

  it('accepts the nested objects themselves', async () => {
    await expect(pipe.transform({ name: 'x', match: { services: ['s'] }, channel: { type: 'a', url: 'u' } }, rule)).resolves.toBeInstanceOf(RuleRequest);
  });

  it.each([
    ['a NUL in a body field', { name: 'a\u0000b', channel: { type: 'a', url: 'u\ud800' } }, rule, ['name', 'channel.url']],
    ['a lone surrogate in an array item', { name: 'x', match: { services: ['ok', '\udc00'] }, channel: { type: 'a', url: 'u' } }, rule, ['match.services.1']],
    ['a NUL in a query parameter', { name: 'x\u0000' }, query, ['name']],
    ['a NUL in a path parameter', 'x\u0000', { type: 'param' as const, metatype: String, data: 'role' }, ['role']],
  ])('rejects %s, naming every offending field', async (_name, value, metadata, fields) => {
    expect((await fieldsOf(pipe.transform(value, metadata)))?.sort()).toEqual(fields.sort());
  });

  it('leaves a body taken as unknown (an alert receiver) to its handler, unstorable text included', async () => {
    await expect(pipe.transform({ summary: 'a\u0000' }, { type: 'body', metatype: Object })).resolves.toEqual({ summary: 'a\u0000' });
  });

  it('finds prototype keys 100,000 levels deep without overflowing the stack', () => {
    let deep: Record<string, unknown> = { __proto__: null, constructor: 1 } as unknown as Record<string, unknown>;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(prototypeKeysOf(deep)).toHaveLength(1);
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
