// Starts, once for the whole run, what the integration tests need and this machine may lack.
// Each service module provides its connection details to the tests through `provide`.
export default async function setup(): Promise<() => Promise<void>> {
  const teardowns: Array<() => Promise<void>> = [];
  return async () => {
    for (const t of teardowns.reverse()) await t();
  };
}
