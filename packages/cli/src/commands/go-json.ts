/** Go's encoding/json HTML escaping of <, >, & and U+2028/U+2029 in already-encoded JSON. */
export const goEscape = (s: string): string =>
  s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
