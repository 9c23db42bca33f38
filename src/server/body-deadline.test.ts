// BodyDeadlines: one sweeping timer; a read is refused between 1 and 1.25 deadlines after it began.
import { expect, test } from "bun:test";
import { BodyDeadlineExceeded, BodyDeadlines } from "./body-deadline.ts";

test("a read that settles in time keeps its outcome, value or error", async () => {
  const deadlines = new BodyDeadlines(200);
  expect(await deadlines.within(Promise.resolve(42), () => {})).toBe(42);
  await expect(deadlines.within(Promise.reject(new SyntaxError("bad")), () => {})).rejects.toThrow(
    SyntaxError,
  );
});

test("a read still pending is refused between 1 and 1.25 deadlines after it began, and onExpire runs", async () => {
  const deadlines = new BodyDeadlines(200);
  let expired = 0;
  const started = performance.now();
  const never = new Promise<never>(() => {});
  // A second read begun later expires later: the sweep stops at the first read still in time.
  const outcome = (read: Promise<never>) =>
    read.then(
      () => ({ error: undefined as unknown, ms: 0 }),
      (error: unknown) => ({ error, ms: performance.now() - started }),
    );
  // A second read begun later expires later: the sweep stops at the first read still in time.
  const first = outcome(deadlines.within(never, () => expired++));
  await Bun.sleep(120);
  const second = outcome(deadlines.within(never, () => expired++));
  const [{ error: firstError, ms: firstMs }, { error: secondError, ms: secondMs }] = await Promise.all([
    first,
    second,
  ]);
  expect(firstError).toBeInstanceOf(BodyDeadlineExceeded);
  expect(secondError).toBeInstanceOf(BodyDeadlineExceeded);
  expect(firstMs).toBeGreaterThanOrEqual(199);
  expect(firstMs).toBeLessThan(350);
  expect(secondMs).toBeGreaterThanOrEqual(319);
  expect(secondMs).toBeLessThan(500);
  expect(expired).toBe(2);
});
