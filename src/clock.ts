/** Time is injected (DESIGN.md decision 4): nothing else reads the wall clock. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
