// One event stream for every tab of this dashboard. Browsers open at most 6 HTTP/1.1
// connections per host, across all tabs: with one stream per tab, a seventh tab would wait
// forever for a connection (for its stream, and for every request after it). This shared
// worker holds the single stream and hands each `update` to every tab connected to it.
const ports = new Set();
let latest = null;
let source = null;

function openStream() {
  const stream = new EventSource('/api/events');
  source = stream;
  stream.addEventListener('update', (event) => {
    latest = JSON.parse(event.data).version;
    for (const port of ports) port.postMessage({ type: 'update', version: latest });
  });
  // A refused stream (a dashboard restarted on this port with a new token) is not retried by
  // EventSource itself: try again while some tab listens.
  stream.addEventListener('error', () => {
    if (stream.readyState !== EventSource.CLOSED || source !== stream) return;
    source = null;
    setTimeout(() => { if (!source && ports.size) openStream(); }, 3000);
  });
}

onconnect = (event) => {
  const port = event.ports[0];
  ports.add(port);
  // A tab that goes away says so (a port gives no sign of a closed tab).
  port.onmessage = (message) => { if (message.data && message.data.type === 'close') ports.delete(port); };
  if (latest !== null) port.postMessage({ type: 'update', version: latest });
  if (!source) openStream();
};
