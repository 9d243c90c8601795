/**
 * Adds the floating-interface configuration (see floating-interface-user-data.ts) to the user data
 * of the instances that may hold a floating network interface.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DualHomedOsFlavour } from './dual-homed-user-data';
import { renderFloatingInterfaceCommands } from './floating-interface-user-data';

/** The flavour of an operating system given as a `DualHomedOs` value. */
export function floatingFlavourOf(os: string): DualHomedOsFlavour {
  switch (os) {
    case 'AMAZON_LINUX_2023': return 'al2023';
    case 'UBUNTU_22_04': return 'ubuntu-22.04';
    case 'UBUNTU_24_04': return 'ubuntu-24.04';
    default: throw new Error(`operating system ${os} is not supported: use DualHomedOs.AMAZON_LINUX_2023, DualHomedOs.UBUNTU_22_04 or DualHomedOs.UBUNTU_24_04`);
  }
}

/** The user data an instance carries, if it is one that does (`ec2.Instance`, `DualHomedInstance`). */
function userDataOf(instance: ec2.IInstance): ec2.UserData | undefined {
  const userData = (instance as { userData?: unknown }).userData;
  return userData instanceof ec2.UserData ? userData : undefined;
}

/**
 * Appends the configuration to each candidate's user data. A candidate without user data of its
 * own (an imported instance) is an error that names the property.
 */
export function addFloatingInterfaceUserData(
  candidates: { readonly name: string; readonly instance: ec2.IInstance }[],
  os: string,
  networkInterfaceId: string,
  propName: string,
): void {
  const commands = renderFloatingInterfaceCommands({ os: floatingFlavourOf(os), networkInterfaceId });
  for (const { name, instance } of candidates) {
    const userData = userDataOf(instance);
    if (userData === undefined) {
      throw new Error(`${propName} is ${os} but the ${name.toLowerCase()} ${instance.node.path} carries no user data the construct can extend (an imported instance): leave ${propName} unset and add the floating-interface configuration to that instance's image yourself`);
    }
    userData.addCommands(...commands);
  }
}

/**
 * The user data of instances that receive a floating interface after boot: `userData` (created
 * when absent) with the configuration appended, or `userData` unchanged when `os` is not set.
 */
export function floatingUserData(userData: ec2.UserData | undefined, os: string | undefined, networkInterfaceId: string): ec2.UserData | undefined {
  if (os === undefined) {
    return userData;
  }
  const result = userData ?? ec2.UserData.forLinux();
  result.addCommands(...renderFloatingInterfaceCommands({ os: floatingFlavourOf(os), networkInterfaceId }));
  return result;
}
