let counter = 0;

/** A name unique within the test run: the emulator's state is shared by every test file. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
