import { ArnFormat, Names, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { NamedCandidate } from './failover-context';
import { FAILOVER_OWNER_TAG } from './tags';
import { TAGS } from '../engine/contract';
import { INetworkInterface, NetworkInterface } from '../network-interface';

/**
 * The IAM statements and the placement provider of `EniFailover`, rendered from narrow inputs.
 */

/** An ARN pattern of every resource of one EC2 type in this account and Region. */
function ec2Wildcard(scope: Construct, resource: string): string {
  return Stack.of(scope).formatArn({ service: 'ec2', resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/**
 * Detach is scoped by the interface, not by the instance: the engine must be able to take the
 * interface back from an instance that is no longer a candidate (a deploy that replaced the
 * primary updates this policy before CloudFormation deletes the old instance). IAM authorizes both
 * resources of ec2:DetachNetworkInterface, so only this failover's interfaces can be detached.
 * An interface this failover creates or adopts carries its owner tag: when a deploy replaces the
 * interface, the policy already names the new one while the placement releases the old one; the
 * tag, not the ARN, is what lets the old interface go.
 */
export function renderDetachStatements(failover: Construct, eni: INetworkInterface): iam.PolicyStatement[] {
  const statements = [new iam.PolicyStatement({
    actions: ['ec2:DetachNetworkInterface'],
    resources: [eni.networkInterfaceArn, ec2Wildcard(failover, 'instance')],
  })];
  if (eni instanceof NetworkInterface) {
    const owner = Names.uniqueId(failover);
    eni.resource.tags.setTag(FAILOVER_OWNER_TAG, owner);
    statements.push(new iam.PolicyStatement({
      actions: ['ec2:DetachNetworkInterface'],
      resources: [ec2Wildcard(failover, 'network-interface')],
      conditions: { StringEquals: { [`aws:ResourceTag/${FAILOVER_OWNER_TAG}`]: owner } },
    }));
  }
  return statements;
}

/**
 * The engine's own tags on the floating interface (the pin and the refused device indexes), on
 * that interface only. `aws:TagKeys` must be present: a DeleteTags request without keys would
 * delete every tag, the owner tag included.
 */
export function renderTagStatement(eni: INetworkInterface): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['ec2:CreateTags', 'ec2:DeleteTags'],
    resources: [eni.networkInterfaceArn],
    conditions: {
      'ForAllValues:StringLike': { 'aws:TagKeys': [TAGS.PIN, `${TAGS.REFUSED_PREFIX}*`] },
      'Null': { 'aws:TagKeys': 'false' },
    },
  });
}

/** Fencing stops a candidate, and nothing else. */
export function renderFenceStatement(scope: Construct, candidates: readonly NamedCandidate[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['ec2:StopInstances'],
    resources: candidates.map((c) => Stack.of(scope).formatArn({
      service: 'ec2', resource: 'instance', resourceName: c.instance.instanceId, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    })),
  });
}

/** The custom resource provider of the placement, with a role of its own (log writes, invoking the placement function). */
export function renderPlacementProvider(scope: Construct, placementFn: lambda.Function, logRetention: logs.RetentionDays): cr.Provider {
  const providerLogGroup = new logs.LogGroup(scope, 'PlacementProviderLogGroup', { retention: logRetention });
  const providerRole = new iam.Role(scope, 'PlacementProviderRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Custom resource provider of ${scope.node.path}`.slice(0, 1000),
  });
  providerLogGroup.grantWrite(providerRole);
  const provider = new cr.Provider(scope, 'PlacementProvider', {
    onEventHandler: placementFn,
    logGroup: providerLogGroup,
    frameworkOnEventRole: providerRole,
  });
  Validations.of(providerRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(scope).getLogicalId(placementFn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
    reason: 'aws-cdk-lib lets the provider framework invoke every version of the placement function (<arn>:*); nothing else is granted',
  });
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'The provider framework function runtime is chosen by aws-cdk-lib',
  });
  return provider;
}
