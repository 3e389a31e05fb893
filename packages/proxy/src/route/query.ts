// A query parameter's first value, found by scanning the raw query: only
// routes with a query condition pay for it, and nothing is built per request
// beyond the value itself.

function decode(s: string): string | undefined {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The first value of `name` in `query` (what follows the `?`), decoded; undefined when absent. */
export function queryParam(query: string, name: string): string | undefined {
  let start = 0;
  while (start <= query.length && query.length > 0) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    const eq = query.indexOf('=', start);
    const keyEnd = eq >= 0 && eq < end ? eq : end;
    if (decode(query.slice(start, keyEnd)) === name) return keyEnd === end ? '' : decode(query.slice(keyEnd + 1, end));
    start = end + 1;
  }
  return undefined;
}
