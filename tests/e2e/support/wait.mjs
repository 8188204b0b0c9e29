// Bounded waiting. Every wait in the e2e suite goes through here so that a gateway that never
// answers fails one test with a message saying what was awaited, instead of hanging the run.

export class WaitTimeoutError extends Error {}

// Resolves or rejects like `promise`, or rejects with WaitTimeoutError after `ms` milliseconds.
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new WaitTimeoutError(`timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// A promise plus the functions that settle it.
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
