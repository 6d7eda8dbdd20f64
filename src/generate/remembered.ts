/**
 * One build per key: several targets carry the same generated pieces (an SLO's rule groups go into the
 * rules file, the Kubernetes PrometheusRule and the Mimir copy; its alerts into the runbooks too). Keys
 * are model objects, which are immutable; the values are shared, so consumers must not mutate them.
 */
export function remembered<K extends object, V>(cache: WeakMap<K, V>, key: K, build: (key: K) => V): V {
  let value = cache.get(key);
  if (value === undefined) cache.set(key, (value = build(key)));
  return value;
}
