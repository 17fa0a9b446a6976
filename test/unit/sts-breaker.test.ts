// The shared cache's breaker: a slow or unreachable Redis costs a request one short wait at most;
// an error, or three timeouts in a row, stop every request from asking Redis for a cool-down; one
// request then probes; the log says so once each way.

import { Breaker, CacheUnavailable, TIMEOUTS_TO_OPEN } from '../../shared/sts/shared-cache/breaker';

const never = () => new Promise<never>(() => {});
const answers = (value: string) => () => Promise.resolve(value);
const fails = (err: unknown) => () => Promise.reject(err);

function subject(coolDownMs = 200) {
  const lines: { level: string; fields: Record<string, unknown> }[] = [];
  const breaker = new Breaker((level, fields) => lines.push({ level, fields }), coolDownMs);
  let sent = 0;
  const counted = <T>(command: () => Promise<T>) => () => {
    sent++;
    return command();
  };
  return { breaker, lines, sent: () => sent, counted };
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => v,
    (err: unknown) => (err instanceof CacheUnavailable ? 'unavailable' : 'other'),
  );

test('a command that does not answer in time is given up after its timeout', async () => {
  const { breaker } = subject();
  const started = Date.now();
  expect(await outcome(breaker.run(50, never))).toBe('unavailable');
  expect(Date.now() - started).toBeLessThan(500);
});

test('an error opens the breaker at once: Redis is not asked again during the cool-down, and the log says so once with the reason', async () => {
  const { breaker, lines, sent, counted } = subject();
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  expect(await outcome(breaker.run(50, counted(fails(refused))))).toBe('unavailable');
  for (let i = 0; i < 20; i++) expect(await outcome(breaker.run(50, counted(answers('ok'))))).toBe('unavailable');
  expect(sent()).toBe(1);
  expect(lines).toEqual([{ level: 'warn', fields: expect.objectContaining({ event: 'shared-cache-unavailable', reason: 'ECONNREFUSED', coolDownMs: 200 }) }]);
  expect(JSON.stringify(lines)).not.toContain('127.0.0.1');
});

test(`${TIMEOUTS_TO_OPEN} timeouts in a row open it; fewer, with an answer between, do not`, async () => {
  const { breaker, lines } = subject();
  for (let i = 0; i < TIMEOUTS_TO_OPEN - 1; i++) await outcome(breaker.run(20, never));
  expect(await breaker.run(20, answers('ok'))).toBe('ok');
  for (let i = 0; i < TIMEOUTS_TO_OPEN - 1; i++) await outcome(breaker.run(20, never));
  expect(lines).toEqual([]);
  await outcome(breaker.run(20, never));
  expect(lines.map((l) => [l.fields.event, l.fields.reason])).toEqual([['shared-cache-unavailable', 'timeout']]);
  expect(await outcome(breaker.run(20, answers('ok')))).toBe('unavailable');
});

test('timeouts while the connection is still being made do not open it (the client fails an unreachable connection itself)', async () => {
  const { breaker, lines } = subject();
  for (let i = 0; i < TIMEOUTS_TO_OPEN * 2; i++) expect(await outcome(breaker.run(20, never, true))).toBe('unavailable');
  expect(lines).toEqual([]);
  expect(await breaker.run(20, answers('ok'))).toBe('ok');
});

test('after the cool-down one request probes while the others still skip Redis; its answer closes the breaker, and the log says so once', async () => {
  const { breaker, lines, sent, counted } = subject(100);
  await outcome(breaker.run(50, fails(new Error('WRONGPASS invalid username-password pair'))));
  await new Promise((resolve) => setTimeout(resolve, 120));
  let answer!: (v: string) => void;
  const probe = breaker.run(500, counted(() => new Promise<string>((resolve) => (answer = resolve))));
  expect(await outcome(breaker.run(500, counted(answers('meanwhile'))))).toBe('unavailable');
  answer('back');
  expect(await probe).toBe('back');
  expect(await breaker.run(500, counted(answers('ok')))).toBe('ok');
  expect(sent()).toBe(2);
  expect(lines.map((l) => [l.fields.event, l.fields.reason])).toEqual([
    ['shared-cache-unavailable', 'WRONGPASS'],
    ['shared-cache-restored', undefined],
  ]);
});

test('a failed probe keeps it open for another cool-down without a second log line', async () => {
  const { breaker, lines } = subject(50);
  await outcome(breaker.run(20, fails(new Error('ERR'))));
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect(await outcome(breaker.run(20, never))).toBe('unavailable');
  expect(await outcome(breaker.run(20, answers('ok')))).toBe('unavailable');
  expect(lines).toHaveLength(1);
});

test('an answer to a command sent before the breaker opened does not close it', async () => {
  const { breaker, lines } = subject();
  let late!: (v: string) => void;
  const before = breaker.run(1000, () => new Promise<string>((resolve) => (late = resolve)));
  await outcome(breaker.run(50, fails(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))));
  late('late');
  expect(await before).toBe('late');
  expect(await outcome(breaker.run(50, answers('ok')))).toBe('unavailable');
  expect(lines).toHaveLength(1);
});

