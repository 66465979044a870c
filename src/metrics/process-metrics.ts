import { Registry, collectDefaultMetrics } from 'prom-client';

// Node's default metrics (CPU, memory, event-loop lag, handles, GC), collected once per process
// into a registry of their own and merged into each /metrics answer. Registering them per bot or
// per relay instead would start one event-loop monitor per instance that is never stopped, and a
// process can hold many (the lab relay beside the bot; tests start hundreds).
let shared: Registry | undefined;

export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}

/** One registry's exposition with the process metrics appended. */
export function exposeWithProcess(registry: Registry, withProcess: boolean): Promise<string> {
  return (withProcess ? Registry.merge([registry, processMetrics()]) : registry).metrics();
}
