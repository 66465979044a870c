import { createRequire } from 'node:module';

// Microsoft's `adaptivecards` renderer library used as the validator. Its ESM build imports
// files without extensions (Node refuses them), so we load its UMD bundle through require.
// Parsing and validating need no DOM; only rendering does, and we never render.

interface AcEvent { phase: number; event: number; message: string }
interface AcLib {
  AdaptiveCard: new () => { parse(json: unknown, ctx: unknown): void; validateProperties(): { validationEvents: AcEvent[] }; toJSON(ctx?: unknown): unknown };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): AcEvent };
  ValidationEvent: Record<number, string>;
}

const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as AcLib;

/** Every problem the adaptivecards library reports for a card: parse events and validation failures. */
export function cardProblems(card: unknown): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[e.event] ?? e.event}: ${e.message}`);
  }
  for (const e of ac.validateProperties().validationEvents) problems.push(`validate: ${AC.ValidationEvent[e.event] ?? e.event}: ${e.message}`);
  return problems;
}
