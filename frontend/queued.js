// Where this tab's drawings wait for a layout: the tab's client id, sent with every request, and
// the `queue` route, asked while a view is on its way so the loading chip can say its place.
//
// The server lays out views not drawn before in a queue it shares fairly between clients, and a
// client that closes its connection (an aborted fetch, a closed tab) drops the drawings it
// waited for. It tells clients apart by the `X-Scopegraph-Client` header (see
// docs/http_api.md): each tab names itself, so two tabs in one browser, or many users behind
// one proxy, are not taken for one client.

export const CLIENT_HEADER = 'X-Scopegraph-Client';

/** How often the `queue` route is asked while a view waits. */
const WATCH_EVERY_MS = 1000;

/**
 * This tab's id, made once when the module loads (each iframe loads it anew). From
 * getRandomValues, which works outside secure contexts too (TensorBoard on a plain-http host),
 * where crypto.randomUUID is missing.
 */
export const CLIENT_ID = (() => {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return `tab-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
})();

/** The headers that name this tab to the server. */
export function clientHeaders() {
  return {[CLIENT_HEADER]: CLIENT_ID};
}

/** 1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, ... 21st. */
export function ordinal(n) {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : {1: 'st', 2: 'nd', 3: 'rd'}[n % 10] || 'th';
  return `${n}${suffix}`;
}

/**
 * What the loading chip says of the `queue` route's answer: "Waiting for a layout: 3rd in line"
 * while this tab's front drawing waits for a worker; null once it runs (or none waits).
 */
export function placeText(standing) {
  const front = standing && Array.isArray(standing.layouts) ? standing.layouts[0] : null;
  if (!front || front.state !== 'queued') return null;
  return `Waiting for a layout: ${ordinal(front.ahead + 1)} in line`;
}

/**
 * Asks the `queue` route now and every second after each answer, calling `onStanding(answer)`,
 * until the function it returns is called. A failed ask is left for the next one: the view's
 * own request reports what went wrong.
 */
export function watchQueue(onStanding, every = WATCH_EVERY_MS) {
  let stopped = false;
  let timer = null;
  let controller = null;
  const ask = async () => {
    controller = new AbortController();
    try {
      const response = await fetch('./queue', {
        headers: clientHeaders(),
        credentials: 'same-origin',
        signal: controller.signal,
      });
      const standing = response.ok ? await response.json() : null;
      if (standing && !stopped) onStanding(standing);
    } catch {
      // Aborted, or the server did not answer: ask again, or stop.
    }
    if (!stopped) timer = setTimeout(ask, every);
  };
  ask();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (controller) controller.abort();
  };
}
