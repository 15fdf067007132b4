// SVG element ids of boxes, as dot.py writes them: `<kind>-<enc>`, where enc is the name's
// UTF-8 bytes with every byte outside [A-Za-z0-9_-] written as `.XX` (upper-case hex).
// An open group's frame is `cluster-<element id>`.

export const BOX_KINDS = ['op', 'scope', 'series', 'chunk', 'missing'];
export const GROUP_KINDS = ['scope', 'series', 'chunk'];
const CLUSTER_PREFIX = 'cluster-';

function isSafe(byte) {
  return (
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    byte === 0x5f || // _
    byte === 0x2d // -
  );
}

/** The element id of a box: elementId('op', 'dense/kernel') is 'op-dense.2Fkernel'. */
export function elementId(kind, name) {
  let out = '';
  for (const byte of new TextEncoder().encode(name)) {
    out += isSafe(byte)
      ? String.fromCharCode(byte)
      : '.' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return `${kind}-${out}`;
}

export function clusterId(kind, name) {
  return CLUSTER_PREFIX + elementId(kind, name);
}

/** {kind, name} of a box's element id, or null when the id is not one. */
export function parseElementId(id) {
  const dash = id.indexOf('-');
  if (dash < 0) return null;
  const kind = id.slice(0, dash);
  if (!BOX_KINDS.includes(kind)) return null;
  const encoded = id.slice(dash + 1);
  const bytes = [];
  for (let i = 0; i < encoded.length;) {
    const hex = encoded.slice(i + 1, i + 3);
    if (encoded[i] === '.' && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      // Safe characters are ASCII; anything else was never written by dot.py.
      const code = encoded.charCodeAt(i);
      if (code > 0x7f) return null;
      bytes.push(code);
      i += 1;
    }
  }
  const name = new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
  return {kind, name};
}

/** {kind, name} of an open group's frame id (`cluster-<element id>`), or null. */
export function parseClusterId(id) {
  if (!id.startsWith(CLUSTER_PREFIX)) return null;
  const parsed = parseElementId(id.slice(CLUSTER_PREFIX.length));
  return parsed && GROUP_KINDS.includes(parsed.kind) ? parsed : null;
}
