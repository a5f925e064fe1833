/** The machine context inside a persisted channel snapshot (the envelope's `machine.context`). */
export function snapshotContext<T>(text: string): T {
  return (JSON.parse(text) as { machine: { context: T } }).machine.context;
}
