import { captureScenario, CaptureError } from '../lab/capture.js';
import { redactScenario } from '../lab/redact.js';
import { scenarioYaml } from '../lab/scenario-yaml.js';
import type { ActionHandler } from './context.js';
import type { CheckRunRecord } from './core-store.js';
import { textReply, type Reply } from './reply.js';

// "Save as lab scenario": the stored evidence of a check, written as a redacted lab scenario and
// attached in the thread (a file upload on Slack, a download in the web console, a file section
// on Teams). Redacted always: a chat channel is not the place for a domain's real names, and the
// redacted capture reproduces the same verdict (docs/cli.md "triage capture"). Read-only: no
// relay call, nothing written but the message.

export function scenarioAttachmentReply(record: CheckRunRecord): Reply {
  const captured = captureScenario(record.evidence, record.diagnosis, record.cluster ? { cluster: record.cluster } : {});
  const redaction = redactScenario(captured.scenario);
  const nodes = redaction.scenario.expect?.nodes ?? [];
  const yaml = scenarioYaml(redaction.scenario, [
    `Lab scenario saved from triage-bot check ${record.id} (docs/cli.md "triage capture"); names redacted.`,
    `Reproduce: triage check ${nodes.join(' ')}${redaction.scenario.expect?.initiator ? ` --initiator ${redaction.scenario.expect.initiator}` : ''} --lab <this file>`,
  ]);
  const notes = captured.notes.map((n) => redaction.apply(n));
  return {
    header: `Lab scenario · ${record.nodes.join(', ')}`,
    verdict: {
      status: 'info',
      text: `The evidence of this check as a lab scenario, names redacted (${nodes.join(', ')}). \`triage check ${nodes.join(' ')} --lab <file>\` reproduces the verdict offline; attach it to a report of a wrong verdict.`,
    },
    ...(notes.length ? { sections: [{ title: 'Not reproduced by the lab', lines: notes }] } : {}),
    attachments: [{ filename: `incident-${record.id}.yaml`, mimeType: 'text/yaml', content: yaml }],
  };
}

export const saveScenario: ActionHandler = async (ctx, action) => {
  const record = await ctx.deps.store.getCheckRun(action.recordId);
  if (!record) {
    await ctx.event.ack(textReply('This button refers to nothing triage-bot knows (unknown or forged id); nothing was done.', { ephemeral: true, status: 'error' }));
    return;
  }
  let reply: Reply;
  try {
    reply = scenarioAttachmentReply(record);
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    await ctx.event.ack(textReply(`Cannot save this check as a lab scenario: ${err.message}`, { ephemeral: true, status: 'error' }));
    return;
  }
  await ctx.event.ack();
  await ctx.adapter.post(ctx.event.message?.conversation ?? record.conversation, reply);
};
