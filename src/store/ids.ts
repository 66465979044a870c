import { randomBytes } from 'node:crypto';

// Ids are random, never sequential: a plan or action id in a button must not be guessable,
// and ids made on different replicas must not collide. Lower-case letters and digits without
// look-alikes (0/o, 1/l/i), so a person can read one out or type it into `audit <plan id>`.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 31).
  const limit = 256 - (256 % ALPHABET.length);
  for (const b of bytes) {
    if (b >= limit) continue;
    out += ALPHABET[b % ALPHABET.length];
    if (out.length === length) return `${prefix}_${out}`;
  }
  return randomId(prefix, length);
}

/** ~79 bits: plans. */
export const newPlanId = (): string => randomId('pl', 16);
/** ~124 bits: button action records. */
export const newActionId = (): string => randomId('ac', 25);
export const newCheckRunId = (): string => randomId('cr', 16);
/** Short: typed by operators in `/cluster-health unschedule <id>`; not a secret. */
export const newScheduleId = (): string => randomId('sc', 8);
