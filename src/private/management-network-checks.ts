import { Annotations, IAspect } from 'aws-cdk-lib/core';
import { IConstruct } from 'constructs';

/** How many CIDRs besides the VPC the management network ACL admits (rule numbers 110..290). */
export const MAX_ACL_CIDRS = 19;

/** Warns at synth when no access was added: nothing can reach the management subnets. */
export class UnreachableWarning implements IAspect {
  constructor(private readonly network: IConstruct & { readonly accessKinds: string[] }) {}

  public visit(node: IConstruct): void {
    if (node === this.network && this.network.accessKinds.length === 0) {
      Annotations.of(this.network).addWarningV2('cdk-eni-patterns:management-unreachable',
        'no management access is configured: the management subnets are unreachable. Add ManagementAccess.clientVpn(), vpnGateway(), instanceConnectEndpoint() or sessionManager() through access or addAccess()');
    }
  }
}
