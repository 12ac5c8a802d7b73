/**
 * Linear-time masking for log text. Log lines carry untrusted input (paths,
 * Cal.com and Retell fields), so nothing here may backtrack: a regex like
 * `[x]+@` retried at every start position is quadratic in a long run of `x`,
 * and one request could stall the event loop for seconds.
 */

/** Longest string a log field keeps; the rest is clipped before any masking work. */
export const MAX_LOG_STRING = 4096;

const isLocal = (c: number) =>
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  (c >= 48 && c <= 57) ||
  c === 46 ||
  c === 95 ||
  c === 37 ||
  c === 43 ||
  c === 45; // a-z A-Z 0-9 . _ % + -
const isDomain = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45; // a-z A-Z 0-9 . -
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/**
 * End (exclusive) of the longest `[A-Za-z0-9.-]+\.[A-Za-z]{2,}` prefix of v[from, to),
 * or -1: the same answer as the greedy regex, found in one pass over the run.
 */
function domainEnd(v: string, from: number, to: number): number {
  let best = -1;
  let letters = 0; // letters since the last '.'
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i);
    if (c === 46) letters = 0;
    else if (isLetter(c)) {
      letters++;
      // A '.' at i - letters that is not the first character, then 2+ letters.
      const dot = i - letters;
      if (letters >= 2 && dot > from && v.charCodeAt(dot) === 46) best = i + 1;
    } else letters = -Infinity; // a digit or '-' breaks the letter run until the next '.'
  }
  return best;
}

/** `jane.doe@example.com` → `j***@example.com`, in time linear in the length. */
export function maskEmail(v: string): string {
  let out = '';
  let copied = 0; // v[0, copied) is already in out (masked or not)
  let at = v.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > copied && isLocal(v.charCodeAt(start - 1))) start--;
    let runEnd = at + 1;
    while (runEnd < v.length && isDomain(v.charCodeAt(runEnd))) runEnd++;
    const end = start < at ? domainEnd(v, at + 1, runEnd) : -1;
    if (end !== -1) {
      out += `${v.slice(copied, start + 1)}***@${v.slice(at + 1, end)}`;
      copied = end;
    }
    at = v.indexOf('@', Math.max(at + 1, copied));
  }
  return copied === 0 ? v : out + v.slice(copied);
}

/** Characters a token (address, number, key) is made of: a clip never ends inside one. */
const TOKEN_CHAR = /[A-Za-z0-9._%+@~/=-]/;

/**
 * At most `max` characters of `v`. A cut would leave half a token (`jane.do`
 * that no longer looks like an address) unmasked, so the clip backs off to the
 * last separator and says how much was dropped.
 */
export function clipText(v: string, max = MAX_LOG_STRING): string {
  if (v.length <= max) return v;
  let end = max;
  while (end > 0 && TOKEN_CHAR.test(v.charAt(end - 1))) end--;
  return `${v.slice(0, end)}…[clipped ${v.length - end} chars]`;
}
