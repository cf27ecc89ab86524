import { Component, h, type ComponentType, type FunctionComponent } from 'preact';

/** Shallow equality of two props objects (what `memo` compares by default). */
export function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
  return true;
}

/**
 * A component that redraws only when `equal(old props, new props)` is false: preact/compat's memo, without
 * pulling in compat.
 */
export function memo<P extends object>(fn: FunctionComponent<P>, equal: (a: P, b: P) => boolean = shallowEqual): ComponentType<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      return !equal(this.props as P, next);
    }
    override render(props: P) {
      return h(fn as FunctionComponent<object>, props as object);
    }
  }
  (Memo as { displayName?: string }).displayName = `Memo(${fn.name})`;
  return Memo as unknown as ComponentType<P>;
}
