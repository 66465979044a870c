import { stringify } from 'yaml';
import type { Scenario } from './schema.js';

// A scenario as YAML a person can read and `--lab` can load: the header says where it came
// from, and what the lab could not reproduce, before anyone reads the verdict it expects.

export function scenarioYaml(scenario: Scenario, header: string[]): string {
  const comments = header.flatMap((line) => line.split('\n')).map((line) => `# ${line}`.trimEnd());
  return `${comments.join('\n')}\n${stringify(scenario, { lineWidth: 110 })}`;
}
