// How this app speaks y-websocket awareness to the room (worker/room/presence.ts): the room relays every
// change and announces a person gone when their socket closes; it absorbs unchanged renewals, so nothing
// keeps an idle room awake. Two y-websocket/y-protocols defaults do not fit that, and are turned off here:
// - the provider sends back every change it *receives* (other people's states): the room would take those
//   client ids for this socket's own (and not relay their changes to it); only our own state is sent;
// - y-protocols drops a peer not heard of for 30 s, and the provider then sends that removal to the room,
//   which would make the person vanish for everyone: peers stay until the room says they left.
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { WebsocketProvider } from 'y-websocket';

const MESSAGE_AWARENESS = 1;
const done = new WeakSet<WebsocketProvider>();

export function quietAwareness(provider: WebsocketProvider): void {
  if (done.has(provider)) return;
  done.add(provider);
  const awareness = provider.awareness;
  clearInterval((awareness as unknown as { _checkInterval: ReturnType<typeof setInterval> })._checkInterval);
  awareness.off('update', provider._awarenessUpdateHandler);
  const own = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
    const id = awareness.clientID;
    if (!added.includes(id) && !updated.includes(id) && !removed.includes(id)) return;
    const ws = provider.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return; // sent again on (re)connect by the provider
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, [id]));
    ws.send(encoding.toUint8Array(encoder));
  };
  provider._awarenessUpdateHandler = own;
  awareness.on('update', own);
}
