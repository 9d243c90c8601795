import { AlarmState } from './decide';
import { AlarmNotice } from './health-alarms';

/**
 * What started a reconcile run. Triggers are logged, not trusted: every trigger runs the same
 * reconcile. Only alarm states are used, as observations of health that EC2 cannot give.
 */
export interface Trigger {
  readonly kind: 'alarm' | 'state-change' | 'schedule' | 'direct' | 'custom-resource' | 'unknown';
  /** Short description for logs. */
  readonly summary: string;
  /** Alarm states by instance id, from CloudWatch alarm notifications (for logs). */
  readonly alarmStates: Readonly<Record<string, AlarmState>>;
  /** The alarm notifications with their names and state-change times, for the engine. */
  readonly alarms: readonly AlarmNotice[];
  /** Direct invoke: what to do. */
  readonly action: 'reconcile' | 'status' | 'move';
  /** Direct invoke `move`: the target instance. */
  readonly to?: string;
  /** Direct invoke `move`: accept an unhealthy target. */
  readonly force?: boolean;
  /** Custom resource request type. */
  readonly requestType?: 'Create' | 'Update' | 'Delete';
  readonly physicalResourceId?: string;
  /** Custom resource: the resource's properties (for Delete, those of the resource being deleted). */
  readonly resourceProperties?: Readonly<Record<string, unknown>>;
  /** Custom resource Update: the properties before the update. */
  readonly oldResourceProperties?: Readonly<Record<string, unknown>>;
}

type Json = Record<string, any>;

const ALARM_STATES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/** Recognises every event shape the reconcile Lambda is invoked with. */
export function parseTrigger(event: unknown): Trigger {
  const e = (event && typeof event === 'object' ? event : {}) as Json;
  const base = { alarmStates: {}, alarms: [], action: 'reconcile' as const };

  const requestType = (['Create', 'Update', 'Delete'] as const).find((t) => t === e.RequestType);
  if (requestType) {
    return {
      ...base,
      kind: 'custom-resource',
      requestType,
      physicalResourceId: e.PhysicalResourceId,
      resourceProperties: isObject(e.ResourceProperties) ? e.ResourceProperties : undefined,
      oldResourceProperties: isObject(e.OldResourceProperties) ? e.OldResourceProperties : undefined,
      summary: `CloudFormation ${e.RequestType} ${e.LogicalResourceId ?? ''}`.trim(),
    };
  }

  if (Array.isArray(e.Records) && e.Records.some((r: Json) => r?.EventSource === 'aws:sns' || r?.Sns)) {
    const alarms: AlarmNotice[] = [];
    const names: string[] = [];
    for (const r of e.Records as Json[]) {
      const message = parseJson(r?.Sns?.Message);
      if (!message?.AlarmName) continue;
      names.push(`${message.AlarmName}=${message.NewStateValue}`);
      const state = message.NewStateValue as AlarmState;
      if (!ALARM_STATES.includes(state)) continue;
      alarms.push({
        alarmName: String(message.AlarmName),
        state,
        instanceIds: alarmInstanceIds(message.Trigger),
        // Without StateChangeTime the notice is as old as the SNS message: never "now", or a notice
        // redelivered hours later would pass the age check.
        changedAt: parseTime(message.StateChangeTime) ?? parseTime(r?.Sns?.Timestamp),
      });
    }
    return { ...base, kind: 'alarm', alarmStates: statesById(alarms), alarms, summary: names.length ? `SNS alarm ${names.join(', ')}` : 'SNS message' };
  }

  const detailType = e['detail-type'];
  if (typeof detailType === 'string') {
    const d = (e.detail ?? {}) as Json;
    if (detailType === 'EC2 Instance State-change Notification') {
      return { ...base, kind: 'state-change', summary: `EC2 ${d['instance-id']} is ${d.state}` };
    }
    if (detailType === 'CloudWatch Alarm State Change') {
      const state = d.state?.value as AlarmState;
      const alarms: AlarmNotice[] = [];
      if (ALARM_STATES.includes(state) && typeof d.alarmName === 'string') {
        const metrics = (d.configuration?.metrics ?? []) as Json[];
        const instanceIds = metrics
          .map((m) => m?.metricStat?.metric?.dimensions?.InstanceId)
          .filter((id): id is string => typeof id === 'string');
        alarms.push({ alarmName: d.alarmName, state, instanceIds, changedAt: parseTime(d.state?.timestamp) });
      }
      return { ...base, kind: 'alarm', alarmStates: statesById(alarms), alarms, summary: `alarm ${d.alarmName}=${state}` };
    }
    if (detailType === 'Scheduled Event') {
      return { ...base, kind: 'schedule', summary: `schedule ${(e.resources ?? []).join(',')}`.trim() };
    }
    return { ...base, kind: 'unknown', summary: `EventBridge ${detailType}` };
  }

  const directKeys = Object.keys(e).every((k) => ['action', 'to', 'force'].includes(k));
  if (directKeys && (e.action === undefined || ['reconcile', 'status', 'move'].includes(e.action))) {
    const action = (e.action ?? 'reconcile') as Trigger['action'];
    return {
      ...base,
      kind: 'direct',
      action,
      to: typeof e.to === 'string' ? e.to : undefined,
      force: e.force === true,
      summary: `direct ${action}${e.to ? ` to ${e.to}` : ''}`,
    };
  }
  return { ...base, kind: 'unknown', summary: `unrecognised event with keys ${Object.keys(e).join(',')}` };
}

/** Instance ids in the dimensions of a CloudWatch alarm (simple or metric-math alarm). */
function alarmInstanceIds(trigger: Json | undefined): string[] {
  if (!trigger) return [];
  const dims: Json[] = [
    ...(trigger.Dimensions ?? []),
    ...((trigger.Metrics ?? []) as Json[]).flatMap((m) => m?.MetricStat?.Metric?.Dimensions ?? []),
  ];
  return dims
    .filter((d) => (d?.name ?? d?.Name) === 'InstanceId')
    .map((d) => String(d.value ?? d.Value));
}

/** The last state each instance's alarms reported, for logs. */
function statesById(alarms: readonly AlarmNotice[]): Record<string, AlarmState> {
  const states: Record<string, AlarmState> = {};
  for (const a of alarms) for (const id of a.instanceIds) states[id] = a.state;
  return states;
}

/** Epoch milliseconds of a CloudWatch timestamp (`2025-01-01T12:00:00.000+0000`), or undefined. */
function parseTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: unknown): Json | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
