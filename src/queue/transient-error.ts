/**
 * Which failures are worth another try: network and Redis hiccups, and the ONNX runtime running out
 * of memory for a moment. Everything the user asked for wrongly is not (see JobInputError).
 */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EBUSY', 'EMFILE']);
const TRANSIENT_TEXT = /(failed to allocate|out of memory|bad_alloc|allocation fail|CUDA error|ECONNRESET|socket hang up|Connection is closed)/i;

export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  return TRANSIENT_TEXT.test(error.message);
}
