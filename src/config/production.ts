import path from 'node:path';

// Production refuses to start half-configured (issue 21): a bot nobody can talk to, or one whose
// roles come from the lab's policy file (where everyone who opens the console is an approver), is a
// start-up error naming the settings to fix, not a quiet deployment that looks healthy.

/** The lab's policy files: fine for `npm start`, never for production. */
const LAB_POLICY_DIR = path.join('lab', 'policies');

export function productionProblems(env: NodeJS.ProcessEnv, raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const slack = raw.SLACK_BOT_TOKEN !== undefined;
  const teams = env.TEAMS_APP_ID !== undefined && env.TEAMS_APP_ID !== '';
  if (!slack && !teams) {
    problems.push('TRIAGE_MODE=production needs a chat surface: set SLACK_BOT_TOKEN (with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET) or TEAMS_APP_ID (with its credentials). The web console is lab-only.');
  }
  const policy = typeof raw.POLICY_FILE === 'string' ? raw.POLICY_FILE : '';
  const relative = path.relative(path.resolve(LAB_POLICY_DIR), path.resolve(policy));
  if (policy === '' || !relative.startsWith('..')) {
    const shown = env.POLICY_FILE === undefined ? `not set, so the default ${policy || 'lab policy'}` : policy || 'empty';
    problems.push(`POLICY_FILE is the lab policy (${shown}); TRIAGE_MODE=production needs your own roles and channels. Copy lab/policies/default.yaml elsewhere, edit it (its format: docs/policy.md) and set POLICY_FILE to it.`);
  }
  return problems;
}
