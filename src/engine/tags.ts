/**
 * The ENI's tags as the engine's memory across runs: the manual pin and the instances whose
 * device index may refuse the ENI. Pure: no I/O, no clock of its own.
 */
import { TAGS } from './contract';
import { Pin, Remembered } from './decide';

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** The pin in the ENI's tags (`i-...` or `i-...@<ISO 8601 expiry>`), or undefined when there is none or it cannot be read. */
export function pinOf(tags: Readonly<Record<string, string>> | undefined): Pin | undefined {
  const value = tags?.[TAGS.PIN]?.trim();
  if (!value) return undefined;
  const [instanceId, expiry] = value.split('@');
  if (!INSTANCE_ID.test(instanceId)) return undefined;
  if (expiry === undefined) return { instanceId };
  const until = Date.parse(expiry);
  // An expiry that cannot be read holds for nothing: a pin must never stick by accident.
  return { instanceId, until: Number.isNaN(until) ? 0 : until };
}

/** The tag value of a pin. */
export function pinValue(instanceId: string, until?: number): string {
  return until === undefined ? instanceId : `${instanceId}@${new Date(until).toISOString()}`;
}

/** The instances remembered in the ENI's tags, with the launch time each had then. */
export function rememberedOf(tags: Readonly<Record<string, string>> | undefined): Remembered[] {
  return Object.entries(tags ?? {})
    .filter(([k]) => k.startsWith(TAGS.REFUSED_PREFIX))
    .map(([k, v]) => ({ instanceId: k.slice(TAGS.REFUSED_PREFIX.length), launchTime: Date.parse(v) }))
    .filter((r) => INSTANCE_ID.test(r.instanceId) && !Number.isNaN(r.launchTime));
}

/** The tag that remembers an instance with its launch time. */
export function rememberTag(instanceId: string, launchTime: number): Record<string, string> {
  return { [`${TAGS.REFUSED_PREFIX}${instanceId}`]: new Date(launchTime).toISOString() };
}
