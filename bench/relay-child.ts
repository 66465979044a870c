import { generateClusterScenario } from '../src/lab/generate.js';
import { startLabHttpRelay } from './support.js';

// A lab relay in its own process (the production layout: triage-relay is a separate service), for
// the diagnosis benchmark's second figure. Told the cluster size and latency over IPC, it answers
// with the relay's URL and key, then serves until its parent disconnects.

process.once('message', async (job: { nodes: number; latency: { hostMs: number; directoryMs: number } }) => {
  const lab = await startLabHttpRelay(generateClusterScenario({ nodes: job.nodes }), job.latency);
  process.send!({ url: lab.relay.url, keyId: lab.keyId, secret: lab.secret });
  process.once('disconnect', () => void lab.close().then(() => process.exit(0)));
});
