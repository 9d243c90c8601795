import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/**
 * Creates the topic a construct's alarms notify (`TopicKey` and `Topic` under `scope`): encrypted
 * with a rotating key that CloudWatch may use (alarms cannot use the AWS-managed SNS key),
 * TLS-only, and open to CloudWatch alarms of this account.
 *
 * @param displayName the topic's display name (the sender of email notifications)
 * @param what what the key encrypts, for its description (`failover topic`)
 */
export function createAlarmTopic(scope: Construct, displayName: string, what: string): sns.Topic {
  const stack = Stack.of(scope);
  const topicKey = new kms.Key(scope, 'TopicKey', {
    description: `Encrypts the ${what} of ${scope.node.path}`.slice(0, 8192),
    enableKeyRotation: true,
  });
  // In a key policy, '*' means this key and nothing else.
  topicKey.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  const topic = new sns.Topic(scope, 'Topic', { displayName, masterKey: topicKey, enforceSSL: true });
  // enforceSSL writes a topic policy, which replaces SNS's default one: CloudWatch alarms of this
  // account must be allowed to publish explicitly, or no alarm notification ever arrives.
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchAlarmsToPublish',
    principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    },
  }));
  return topic;
}

/**
 * Subscribes each address to the topic, after checking that every one is an email address.
 *
 * @param prop the prop the addresses came from, for the error message
 */
export function subscribeEmails(topic: sns.ITopic, emails: readonly string[] | undefined, prop: string): void {
  for (const email of emails ?? []) {
    if (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      throw new Error(`${prop} contains '${email}', which is not an email address`);
    }
    topic.addSubscription(new subs.EmailSubscription(email));
  }
}
