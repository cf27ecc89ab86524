/**
 * A server-side WebSocket from `Deno.upgradeWebSocket`, as the room and kubectl exec hold one. On Workers a
 * socket is usable as soon as it is accepted; Deno's opens only once the 101 response has gone out, and
 * sending earlier throws. Sends and a close made before that are kept and done, in order, on open.
 */
export class HeldSocket {
  private queue: (Uint8Array | string)[] | undefined = [];
  private closeWith: [number, string] | undefined;

  constructor(readonly ws: WebSocket) {
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('open', () => {
      const queued = this.queue ?? [];
      this.queue = undefined;
      for (const data of queued) ws.send(data);
      if (this.closeWith) ws.close(...this.closeWith);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data: Uint8Array | string): void {
    if (this.ws.readyState === WebSocket.CONNECTING && this.queue) {
      if (!this.closeWith) this.queue.push(data);
      return;
    }
    this.ws.send(data);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.closeWith ??= [code, reason];
      return;
    }
    this.ws.close(code, reason);
  }

  addEventListener(type: 'message', fn: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'close', fn: () => void): void;
  addEventListener(type: 'message' | 'close', fn: (ev: { data: unknown }) => void): void {
    this.ws.addEventListener(type, fn as unknown as (ev: Event) => void);
  }
}
