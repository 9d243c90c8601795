import { AlarmState } from './decide';

/**
 * What started a reconcile run. Triggers are logged, not trusted: every trigger runs the same
 * reconcile. Only alarm states are used, as observations of health that EC2 cannot give.
 */
export interface Trigger {
  readonly kind: 'alarm' | 'state-change' | 'schedule' | 'direct' | 'custom-resource' | 'unknown';
  /** Short description for logs. */
  readonly summary: string;
  /** Alarm states by instance id, from CloudWatch alarm notifications. */
  readonly alarmStates: Readonly<Record<string, AlarmState>>;
  /** Direct invoke: what to do. */
  readonly action: 'reconcile' | 'status' | 'move';
  /** Direct invoke `move`: the target instance. */
  readonly to?: string;
  /** Direct invoke `move`: accept an unhealthy target. */
  readonly force?: boolean;
  /** Custom resource request type. */
  readonly requestType?: 'Create' | 'Update' | 'Delete';
  readonly physicalResourceId?: string;
}

type Json = Record<string, any>;

const ALARM_STATES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];

/** Recognises every event shape the reconcile Lambda is invoked with. */
export function parseTrigger(event: unknown): Trigger {
  const e = (event && typeof event === 'object' ? event : {}) as Json;
  const base = { alarmStates: {}, action: 'reconcile' as const };

  const requestType = (['Create', 'Update', 'Delete'] as const).find((t) => t === e.RequestType);
  if (requestType) {
    return {
      ...base, kind: 'custom-resource', requestType, physicalResourceId: e.PhysicalResourceId,
      summary: `CloudFormation ${e.RequestType} ${e.LogicalResourceId ?? ''}`.trim(),
    };
  }

  if (Array.isArray(e.Records) && e.Records.some((r: Json) => r?.EventSource === 'aws:sns' || r?.Sns)) {
    const alarmStates: Record<string, AlarmState> = {};
    const names: string[] = [];
    for (const r of e.Records as Json[]) {
      const message = parseJson(r?.Sns?.Message);
      if (!message?.AlarmName) continue;
      names.push(`${message.AlarmName}=${message.NewStateValue}`);
      const state = message.NewStateValue as AlarmState;
      if (!ALARM_STATES.includes(state)) continue;
      for (const id of alarmInstanceIds(message.Trigger)) alarmStates[id] = state;
    }
    return { ...base, kind: 'alarm', alarmStates, summary: names.length ? `SNS alarm ${names.join(', ')}` : 'SNS message' };
  }

  const detailType = e['detail-type'];
  if (typeof detailType === 'string') {
    const d = (e.detail ?? {}) as Json;
    if (detailType === 'EC2 Instance State-change Notification') {
      return { ...base, kind: 'state-change', summary: `EC2 ${d['instance-id']} is ${d.state}` };
    }
    if (detailType === 'CloudWatch Alarm State Change') {
      const state = d.state?.value as AlarmState;
      const alarmStates: Record<string, AlarmState> = {};
      if (ALARM_STATES.includes(state)) {
        const metrics = (d.configuration?.metrics ?? []) as Json[];
        for (const m of metrics) {
          const id = m?.metricStat?.metric?.dimensions?.InstanceId;
          if (typeof id === 'string') alarmStates[id] = state;
        }
      }
      return { ...base, kind: 'alarm', alarmStates, summary: `alarm ${d.alarmName}=${state}` };
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
      ...base, kind: 'direct', action,
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

function parseJson(text: unknown): Json | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
