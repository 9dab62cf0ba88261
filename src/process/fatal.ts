/**
 * The single way a Taleframe process gives up: one sentence on stderr and a non-zero exit code.
 * People running the bot see what to fix, not a stack trace (the trace goes to the debug log).
 */
export function exitWithSentence(sentence: string, code = 1): never {
  process.stderr.write(`taleframe: ${sentence}\n`);
  process.exit(code);
}

/** Message of an unknown thrown value, for one-line reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
