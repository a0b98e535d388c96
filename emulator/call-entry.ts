/**
 * One call of the emulator's log, as `GET /__emulator/calls` answers it. Free of Workers types, so
 * the Node benchmarks read the same shape as the emulator writes.
 */
export interface CallEntry {
  id: number;
  /** ISO time of the real clock. */
  at: string;
  method: string;
  project: string | null;
  units: number;
  status: number;
  reason: string | null;
  videoId: string | null;
  auth: "oauth" | "key" | "none";
  sub: string | null;
}
