/**
 * The sandbox clock: the sim's virtual time follows wall time (times a speed) while the room is in use, and
 * stands still when it is paused or nobody is there. Plain data, persisted with the room.
 */
export interface ClockState {
  paused: boolean;
  /** virtual seconds per wall second, 0.5 to 100 */
  speed: number;
  /** wall time (ms) at which the virtual clock stood at `anchorVirtual` */
  anchorWall: number;
  anchorVirtual: number;
  /** last API request, wall ms */
  lastApiAt: number;
}

export const MIN_SPEED = 0.5;
export const MAX_SPEED = 100;
/** The clock runs this long after the last API request when no browser is connected. */
export const API_IDLE_MS = 10 * 60 * 1000;

export function newClock(wall: number, virtual: number): ClockState {
  return { paused: false, speed: 1, anchorWall: wall, anchorVirtual: virtual, lastApiAt: wall };
}

/** Until when (wall ms) the room counts as in use: forever while someone is connected. */
export function inUseUntil(c: ClockState, sockets: number): number {
  return sockets > 0 ? Infinity : c.lastApiAt + API_IDLE_MS;
}

/** The virtual time the sim should have reached at `wall`. */
export function virtualAt(c: ClockState, wall: number, sockets: number): number {
  if (c.paused) return c.anchorVirtual;
  const until = Math.min(wall, inUseUntil(c, sockets));
  if (until <= c.anchorWall) return c.anchorVirtual;
  return c.anchorVirtual + (until - c.anchorWall) * c.speed;
}

/** Re-anchors the clock at (wall, virtual): after a catch-up, a step, a speed change or a pause. */
export function anchor(c: ClockState, wall: number, virtual: number): ClockState {
  return { ...c, anchorWall: wall, anchorVirtual: virtual };
}

/** What clients are told: the virtual time at a wall instant, and how it moves from there. */
export interface ClockView {
  now: string;
  /** wall ms at which `now` was read */
  wallAt: number;
  paused: boolean;
  speed: number;
  /** true when the clock stands still because nobody uses the room */
  idle: boolean;
}

export function clockView(c: ClockState, wall: number, sockets: number, virtualNow: number): ClockView {
  const idle = !c.paused && wall >= inUseUntil(c, sockets);
  return { now: new Date(virtualNow).toISOString(), wallAt: wall, paused: c.paused, speed: c.speed, idle };
}
