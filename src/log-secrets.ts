/**
 * Keeps secrets out of log lines. pino's `redact` only hides values at known paths, but tokens also
 * arrive inside strings we do not control: an error message quoting a URL with a password, a library
 * echoing an `Authorization: Bot ...` header, an API error repeating the key it refused. So every
 * finished line is scrubbed once more, by value (the secrets this process was configured with) and by
 * shape (what a Discord bot token, an OpenAI-style key or a URL password looks like).
 */

/** Environment variables whose values are secrets (matched on the variable name). */
const SECRET_NAME = /(TOKEN|API_KEY|SECRET|PASSWORD|PASSWD)$/i;
/** Shorter values are not worth scrubbing by value (they would mangle ordinary words). */
const MIN_SECRET_LENGTH = 8;
const MASK = '[redacted]';

/** Shapes of secrets, for values this process was not told about (a token in a user's message). */
const SECRET_SHAPES: RegExp[] = [
  // Discord bot tokens: base64 user id . timestamp . HMAC (https://discord.com/developers/docs/reference#authentication)
  /\b[MNO][A-Za-z\d_-]{22,27}\.[A-Za-z\d_-]{5,7}\.[A-Za-z\d_-]{25,}\b/g,
  // "Authorization: Bot <anything>" / "Bearer <anything>" as libraries print request headers
  /\b(Bot|Bearer)\s+[A-Za-z\d._~+/=-]{16,}/g,
  // OpenAI-style keys (sk-..., sk-proj-...)
  /\bsk-[A-Za-z\d_-]{16,}/g,
  // passwords in connection URLs: scheme://user:password@host
  /(?<=\/\/[^:@/\s]*:)[^@/\s]+(?=@)/g,
];

/** Secret values from the environment: variables named like tokens/keys/passwords, URL passwords. */
export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAME.test(name)) out.push(value);
    const password = /\/\/[^:@/\s]*:([^@/\s]+)@/.exec(value)?.[1];
    if (password) out.push(password);
  }
  return out;
}

/** Returns a function that hides every given secret and every secret-shaped string in a line. */
export function secretScrubber(secrets: readonly string[]): (line: string) => string {
  // Longest first, so a secret containing another is hidden whole.
  const values = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  // A secret may appear JSON-escaped inside the line (pino writes JSON): scrub both spellings.
  const spellings = values.flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]);
  return (line: string) => {
    let out = line;
    for (const secret of spellings) if (out.includes(secret)) out = out.split(secret).join(MASK);
    for (const shape of SECRET_SHAPES) out = out.replace(shape, (match, scheme?: string) => (typeof scheme === 'string' && /^(Bot|Bearer)$/.test(scheme) ? `${scheme} ${MASK}` : MASK));
    return out;
  };
}

/** Object paths pino hides before serializing (headers of logged requests, config fields). */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  'headers.authorization',
  '*.headers.authorization',
  'config.DISCORD_TOKEN',
  'config.OPENAI_API_KEY',
  'DISCORD_TOKEN',
  'OPENAI_API_KEY',
];
