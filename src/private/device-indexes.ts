import { IConstruct } from 'constructs';
import { launchDeviceIndexes } from './introspect';

/**
 * Book-keeping of the device indexes taken on each instance: those the instance launches with,
 * plus every static attachment made through this library. Used to reject a device index that is
 * already taken and to count the ENIs against the instance type's limit.
 */
const attached = new WeakMap<IConstruct, Map<number, string>>();

/** Every device index in use on the instance, with the path of what occupies it. */
export function deviceIndexesInUse(instance: IConstruct): Map<number, string> {
  const result = new Map<number, string>();
  for (const index of launchDeviceIndexes(instance)) {
    result.set(index, `${instance.node.path} (launch-time interface)`);
  }
  for (const [index, owner] of attached.get(instance) ?? []) {
    result.set(index, owner);
  }
  return result;
}

/** Records that `owner` occupies `deviceIndex` on the instance. The caller validates first. */
export function claimDeviceIndex(instance: IConstruct, deviceIndex: number, owner: string): void {
  const map = attached.get(instance) ?? new Map<number, string>();
  map.set(deviceIndex, owner);
  attached.set(instance, map);
}
