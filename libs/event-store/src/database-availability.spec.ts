import { DatabaseError } from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-availability';

function pgError(code: string, message = 'server said no'): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

function socketError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });
}

describe(isDatabaseUnavailable.name, () => {
  it.each([
    ['a refused connection', socketError('ECONNREFUSED')],
    ['a reset connection', socketError('ECONNRESET')],
    ['a broken pipe', socketError('EPIPE')],
    ['a socket timeout', socketError('ETIMEDOUT')],
    ['an unresolvable host', socketError('ENOTFOUND')],
    ['pg_terminate_backend / fast shutdown (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['a crash shutdown (57P02)', pgError('57P02')],
    ['a server starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['too many connections (53300)', pgError('53300')],
    ['a connection exception of class 08', pgError('08006')],
    ['pg losing its socket', new Error('Connection terminated unexpectedly')],
    ['pg-pool giving up connecting', new Error('Connection terminated due to connection timeout')],
    ['pg-pool waiting too long for a client', new Error('timeout exceeded when trying to connect')],
    ['a client broken earlier', new Error('Client has encountered a connection error and is not queryable')],
    ['a pool that has been ended (shutdown)', new Error('Cannot use a pool after calling end on the pool')],
    ['a TypeORM query runner released because its connection failed', new QueryRunnerAlreadyReleasedError()],
  ])('recognises %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('looks inside TypeORM query errors, causes and aggregate errors', () => {
    expect(isDatabaseUnavailable(new QueryFailedError('SELECT 1', [], pgError('57P01')))).toBe(true);
    expect(isDatabaseUnavailable(new Error('could not claim', { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')]))).toBe(true);
  });

  it.each([
    ['a syntax error (42601)', pgError('42601')],
    ['a unique violation (23505)', pgError('23505')],
    ['a statement timeout (57014)', pgError('57014', 'canceling statement due to statement timeout')],
    ['a serialization failure (40001)', pgError('40001')],
    ['a TypeORM error wrapping a constraint violation', new QueryFailedError('INSERT', [], pgError('23503'))],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a message that only mentions a connection', new Error('Connection terminated unexpectedly, said the webhook receiver', { cause: 'x' })],
    ['a non-error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('does not take %s for unavailability', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('stops at cycles and deep nesting', () => {
    const cyclic = new Error('outer') as Error & { cause?: unknown };
    cyclic.cause = cyclic;
    expect(isDatabaseUnavailable(cyclic)).toBe(false);
    let deep: Error = socketError('ECONNREFUSED');
    for (let i = 0; i < 10; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(isDatabaseUnavailable(deep)).toBe(false);
  });
});
