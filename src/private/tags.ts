/**
 * Tags and metadata keys this library writes into templates so that tools reading a synthesized
 * app (the topology reader) know what a resource is for.
 */

/** The tag that marks a subnet's role in a management network (`management`, `application`). */
export const SUBNET_ROLE_TAG = 'cdk-eni-patterns:subnet-role';

/** CloudFormation metadata on a floating ENI: `{ eni, candidates: [primary, standby...], deviceIndex }`. */
export const FAILOVER_METADATA = 'cdk-eni-patterns:failover';

/**
 * Tag on a floating ENI naming the `EniFailover` that owns it (its unique id). The reconcile role may
 * detach any interface carrying its own value, so an interface that a deploy replaced can still be
 * released after the policy names only the new one.
 */
export const FAILOVER_OWNER_TAG = 'cdk-eni-patterns:failover-owner';
