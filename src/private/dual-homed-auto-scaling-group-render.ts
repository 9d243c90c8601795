import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ArnFormat, Stack } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { renderAsgScriptCommands, renderSshdBootHook } from './asg-user-data';
import { DualHomedOsFlavour, renderSetupScript } from './dual-homed-user-data';
import { DualHomedOs } from '../dual-homed-instance';
import { LAUNCH_HOOK_NAME } from '../engine/management-interfaces/contract';

/** The device index of the management interface on every instance of the group. */
export const MANAGEMENT_DEVICE_INDEX = 1;

/** The ARN of the group (its id is unknown before it exists; the name pins it). */
export function groupArn(scope: Construct, groupName: string): string {
  return Stack.of(scope).formatArn({ service: 'autoscaling', resource: 'autoScalingGroup', resourceName: `*:autoScalingGroupName/${groupName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** The user-data flavour of an operating system. */
export function flavourOf(os: DualHomedOs): DualHomedOsFlavour {
  switch (os) {
    case DualHomedOs.AMAZON_LINUX_2023: return 'al2023';
    case DualHomedOs.UBUNTU_22_04: return 'ubuntu-22.04';
    case DualHomedOs.UBUNTU_24_04: return 'ubuntu-24.04';
  }
}

/**
 * The user data (see `asg-user-data.ts`): a boot hook that restricts sshd to the loopback address
 * before it serves any network, then a service that configures the management interface whenever it
 * arrives (retrying without a limit) and completes the launch lifecycle action once the operating
 * system is configured. The application's commands run without waiting for the interface.
 */
export function renderUserData(os: DualHomedOs, sshPort: number, groupName: string, extra: string[]): ec2.UserData {
  const flavour = flavourOf(os);
  const setupScript = renderSetupScript({ os: flavour, managementDeviceIndex: MANAGEMENT_DEVICE_INDEX, sshPort });
  const script = ec2.UserData.forLinux();
  script.addCommands(...renderAsgScriptCommands({ os: flavour, sshPort, setupScript, groupName, launchHookName: LAUNCH_HOOK_NAME }, extra));
  const userData = new ec2.MultipartUserData();
  userData.addPart(ec2.MultipartBody.fromRawBody({ contentType: 'text/cloud-boothook; charset="utf-8"', body: renderSshdBootHook(flavour, sshPort) }));
  userData.addUserDataPart(script, ec2.MultipartBody.SHELL_SCRIPT, true);
  return userData;
}
