import { isDatabaseUnavailable } from '../../src/db/connection-errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test.each([
  ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
  ['a reset socket', withCode('read ECONNRESET', 'ECONNRESET')],
  ['an ended socket', new Error('Connection terminated unexpectedly')],
  ['a connect timeout', new Error('timeout exceeded when trying to connect')],
  ['a broken client reused', new Error('Client has encountered a connection error and is not queryable')],
  ['an administrator shutdown', withCode('terminating connection due to administrator command', '57P01')],
  ['a server starting up', withCode('the database system is starting up', '57P03')],
  ['a connection exception (class 08)', withCode('connection failure', '08006')],
  ['a TypeORM-wrapped driver error', Object.assign(new Error('Query failed'), { driverError: withCode('read ECONNRESET', 'ECONNRESET') })],
  ['every address refused', new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], '')],
])('unavailable: %s', (_name, err) => {
  expect(isDatabaseUnavailable(err)).toBe(true);
});

test.each([
  ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
  ['a syntax error', withCode('syntax error at or near "SELEC"', '42601')],
  ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ['a statement timeout', withCode('canceling statement due to statement timeout', '57014')],
  ['nothing', undefined],
])('not unavailable: %s', (_name, err) => {
  expect(isDatabaseUnavailable(err)).toBe(false);
});
