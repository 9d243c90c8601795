import {
  AlarmState, CandidateObservation, classify, decide, Decision, EniObservation, FailoverPolicy, hasFailed, Health, InstanceState, Observation,
  StatusCheck, FRESH_RUN,
} from '../../src/engine/decide';

const NOW = Date.UTC(2025, 5, 1);
const ENI_AZ = 'eu-west-1a';
const STATES: InstanceState[] = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated', 'unknown'];
const CHECKS: StatusCheck[] = ['ok', 'impaired', 'initializing', 'insufficient-data', 'not-applicable'];
const ALARMS: (AlarmState | undefined)[] = [undefined, 'OK', 'ALARM', 'INSUFFICIENT_DATA'];

function candidate(instanceId: string, overrides: Partial<CandidateObservation> = {}): CandidateObservation {
  return { instanceId, availabilityZone: ENI_AZ, state: 'running', statusChecks: 'ok', healthySince: NOW - 3_600_000, ...overrides };
}

function eni(attachment?: EniObservation['attachment'], status?: string): EniObservation {
  return {
    eniId: 'eni-1',
    availabilityZone: ENI_AZ,
    status: status ?? (attachment ? (attachment.state === 'attached' ? 'in-use' : attachment.state) : 'available'),
    attachment,
  };
}

const attachedTo = (instanceId: string, state: 'attaching' | 'attached' | 'detaching' = 'attached', deviceIndex = 1) =>
  ({ attachmentId: `attach-${instanceId}`, instanceId, state, deviceIndex });

const OFF: FailoverPolicy = { failback: false, failbackAfterSeconds: 300 };
const ON: FailoverPolicy = { failback: true, failbackAfterSeconds: 300 };

describe('classify', () => {
  const rows = STATES.flatMap((state) => CHECKS.flatMap((statusChecks) => ALARMS.map((alarm) => ({ state, statusChecks, alarm }))));

  test.each(rows)('state $state, checks $statusChecks, alarm $alarm', ({ state, statusChecks, alarm }) => {
    const health = classify(candidate('i-1', { state, statusChecks, alarm }));
    // Only checks that passed ('ok') are evidence of health; checks without a result yet
    // (initializing, insufficient-data, not-applicable) make a running instance 'starting'.
    let expected: Health = 'unhealthy';
    if (state === 'running' && statusChecks !== 'impaired' && alarm !== 'ALARM') {
      expected = statusChecks === 'ok' ? 'healthy' : 'starting';
    }
    expect(health).toBe(expected);
  });

  test.each(['running', 'pending', 'stopped'] as InstanceState[])('a forced target that is %s counts as healthy', (state) => {
    expect(classify(candidate('i-1', { state, statusChecks: 'impaired' }), { ...OFF, forceTarget: 'i-1' })).toBe('healthy');
  });

  test.each(['terminated', 'shutting-down', 'stopping'] as InstanceState[])('a forced target that is %s stays unhealthy', (state) => {
    expect(classify(candidate('i-1', { state }), { ...OFF, forceTarget: 'i-1' })).toBe('unhealthy');
  });
});

/** Representative health profiles, one per health class and cause. */
const PROFILES: Record<string, Partial<CandidateObservation>> = {
  'healthy': {},
  'healthy-recently': { healthySince: NOW - 60_000 },
  'starting': { statusChecks: 'initializing' },
  'checks-no-data': { statusChecks: 'insufficient-data' },
  'pending': { state: 'pending', statusChecks: 'not-applicable' },
  'stopped': { state: 'stopped', statusChecks: 'not-applicable' },
  'impaired': { statusChecks: 'impaired' },
  'alarm': { alarm: 'ALARM' },
  'alarm-no-data': { alarm: 'INSUFFICIENT_DATA' },
  'alarm-ok-recently': { alarm: 'OK', alarmSince: NOW - 60_000 },
};
type Holder = 'free' | 'primary' | 'standby' | 'foreign' | 'attaching-standby' | 'detaching-primary' | 'status-attaching';
const HOLDERS: Holder[] = ['free', 'primary', 'standby', 'foreign', 'attaching-standby', 'detaching-primary', 'status-attaching'];
const POLICIES: Record<string, FailoverPolicy> = { 'off': OFF, 'on': ON, 'on-immediate': { failback: true, failbackAfterSeconds: 0 } };

interface Row {
  holder: Holder;
  primary: string;
  standby: string;
  primaryAz: string;
  standbyAz: string;
  policy: string;
}

const rows: Row[] = [];
for (const holder of HOLDERS) {
  for (const primary of Object.keys(PROFILES)) {
    for (const standby of Object.keys(PROFILES)) {
      for (const primaryAz of [ENI_AZ, 'eu-west-1b']) {
        for (const standbyAz of [ENI_AZ, 'eu-west-1c']) {
          for (const policy of Object.keys(POLICIES)) {
            // An ENI is never attached to an instance in another AZ: those worlds cannot exist.
            if (holder.endsWith('primary') && primaryAz !== ENI_AZ) continue;
            if (holder.endsWith('standby') && standbyAz !== ENI_AZ) continue;
            rows.push({ holder, primary, standby, primaryAz, standbyAz, policy });
          }
        }
      }
    }
  }
}

function observe(row: Row): Observation {
  const p = candidate('i-primary', { ...PROFILES[row.primary], availabilityZone: row.primaryAz });
  const s = candidate('i-standby', { ...PROFILES[row.standby], availabilityZone: row.standbyAz });
  const e = {
    'free': eni(),
    'primary': eni(attachedTo('i-primary')),
    'standby': eni(attachedTo('i-standby')),
    'foreign': eni(attachedTo('i-foreign')),
    'attaching-standby': eni(attachedTo('i-standby', 'attaching')),
    'detaching-primary': eni(attachedTo('i-primary', 'detaching')),
    'status-attaching': eni(undefined, 'attaching'),
  }[row.holder];
  return { eni: e, candidates: [p, s], now: NOW };
}

describe('decide: every holder x health x AZ x policy combination', () => {
  test(`the table covers ${rows.length} worlds`, () => {
    expect(rows.length).toBeGreaterThan(2000);
  });

  test.each(rows)('holder $holder, primary $primary in $primaryAz, standby $standby in $standbyAz, failback $policy', (row) => {
    const obs = observe(row);
    const policy = POLICIES[row.policy];
    const d: Decision = decide(obs, policy);
    const byId = new Map(obs.candidates.map((c) => [c.instanceId, c]));
    const sameAz = obs.candidates.filter((c) => c.availabilityZone === ENI_AZ);
    const healthy = sameAz.filter((c) => classify(c) === 'healthy');
    const holderId = obs.eni.attachment?.instanceId;
    const holder = holderId ? byId.get(holderId) : undefined;

    // Cross-AZ candidates are always reported, whatever the decision.
    const crossAz = obs.candidates.filter((c) => c.availabilityZone !== ENI_AZ).map((c) => c.instanceId);
    expect(d.skipped.map((x) => x.instanceId).sort()).toEqual(crossAz.sort());

    // Transitional states: wait, never act, except that a detach from a holder that has failed in
    // EC2's terms (not running, checks impaired) is forced.
    if (row.holder === 'detaching-primary' && hasFailed(byId.get('i-primary')!)) {
      expect(d).toMatchObject({ kind: 'force', from: 'i-primary', attachmentId: 'attach-i-primary' });
      return;
    }
    if (row.holder === 'attaching-standby' || row.holder === 'detaching-primary' || row.holder === 'status-attaching') {
      expect(d.kind).toBe('wait');
      return;
    }

    if (d.kind === 'move' || d.kind === 'attach') {
      const target = byId.get(d.to)!;
      // Never across AZs, never to an instance that is not healthy.
      expect(target.availabilityZone).toBe(ENI_AZ);
      expect(classify(target)).toBe('healthy');
      expect(d.to).not.toBe(holderId);
    }

    if (row.holder === 'free') {
      if (healthy.length === 0) expect(d.kind).toBe('no-healthy-candidate');
      else expect(d).toMatchObject({ kind: 'attach', to: healthy[0].instanceId });
      return;
    }

    if (!holder) {
      // The holder is not a candidate: graceful move to the first healthy candidate, or nothing.
      if (healthy.length === 0) expect(d).toMatchObject({ kind: 'no-healthy-candidate', holder: 'i-foreign' });
      else expect(d).toMatchObject({ kind: 'move', from: 'i-foreign', to: healthy[0].instanceId, force: false });
      return;
    }

    const holderHealth = classify(holder);
    const others = healthy.filter((c) => c !== holder);
    if (holderHealth === 'unhealthy') {
      // Move only when there is somewhere to go; force only when the holder has failed in EC2's
      // terms (not running, checks impaired), never for an alarm alone.
      if (others.length === 0) expect(d).toMatchObject({ kind: 'no-healthy-candidate', holder: holderId });
      else expect(d).toMatchObject({ kind: 'move', from: holderId, to: others[0].instanceId, force: hasFailed(holder) });
      return;
    }

    // A healthy (or starting) holder is kept unless failback finds a preferred, settled candidate.
    const preferred = sameAz.slice(0, sameAz.indexOf(holder)).filter((c) => classify(c) === 'healthy');
    // Healthy since the later of launch and the alarms' last change; an alarm without data leaves it unknown.
    const settled = preferred.filter((c) => policy.failbackAfterSeconds === 0 || (c.alarm !== 'INSUFFICIENT_DATA'
      && NOW - Math.max(c.healthySince!, c.alarmSince ?? 0) >= policy.failbackAfterSeconds * 1000));
    if (policy.failback && settled.length > 0) {
      expect(d).toMatchObject({ kind: 'move', from: holderId, to: settled[0].instanceId, force: false });
    } else {
      expect(d).toMatchObject({ kind: 'noop', holder: holderId });
    }
  });
});

describe('decide: behaviour', () => {
  test('a primary that stopped gives the ENI to a healthy standby with a force detach', () => {
    const d = decide({ eni: eni(attachedTo('i-p')), candidates: [candidate('i-p', { state: 'stopped' }), candidate('i-s')], now: NOW }, OFF);
    expect(d).toEqual(expect.objectContaining({ kind: 'move', from: 'i-p', to: 'i-s', force: true, attachmentId: 'attach-i-p' }));
    expect(d.reason).toBe('holder i-p is unhealthy (state stopped, status checks ok; forced detach: it has failed); i-s is the first healthy candidate');
  });

  test('with nothing healthy the ENI is left on its holder and every rejection is explained', () => {
    const d = decide({
      eni: eni(attachedTo('i-p')),
      candidates: [candidate('i-p', { statusChecks: 'impaired' }), candidate('i-s', { alarm: 'ALARM' }), candidate('i-x', { availabilityZone: 'eu-west-1b' })],
      now: NOW,
    }, ON);
    expect(d).toEqual(expect.objectContaining({
      kind: 'no-healthy-candidate',
      holder: 'i-p',
      rejected: [
        { instanceId: 'i-p', reason: 'state running, status checks impaired' },
        { instanceId: 'i-s', reason: 'state running, status checks ok, alarm ALARM' },
        { instanceId: 'i-x', reason: 'in eu-west-1b, the ENI is in eu-west-1a: an ENI can only attach in its own AZ' },
      ],
    }));
  });

  test('a holder whose status checks are still initializing keeps the ENI', () => {
    const d = decide({ eni: eni(attachedTo('i-s')), candidates: [candidate('i-p', { state: 'stopped' }), candidate('i-s', { statusChecks: 'initializing' })], now: NOW }, ON);
    expect(d).toMatchObject({ kind: 'noop', holder: 'i-s' });
  });

  test.each(['initializing', 'insufficient-data', 'not-applicable'] as StatusCheck[])(
    'a running instance whose checks are %s has no proof of health yet: it is never a target, so a fresh instance is not chosen before its checks run',
    (statusChecks) => {
      const fresh = candidate('i-p', { statusChecks, healthySince: NOW - 5_000 });
      expect(classify(fresh)).toBe('starting');
      expect(decide({ eni: eni(), candidates: [fresh, candidate('i-s')], now: NOW }, OFF)).toMatchObject({ kind: 'attach', to: 'i-s' });
      expect(decide({ eni: eni(), candidates: [fresh], now: NOW }, OFF).kind).toBe('no-healthy-candidate');
      // ... but a holder in that state keeps the ENI rather than losing it to a standby.
      expect(decide({ eni: eni(attachedTo('i-p')), candidates: [fresh, candidate('i-s')], now: NOW }, OFF)).toMatchObject({ kind: 'noop', holder: 'i-p' });
    });

  test('a candidate excluded in this run (its attach failed) is never a target, and is reported', () => {
    const excluded = [{ instanceId: 'i-s', reason: 'attach refused in this run: InvalidParameterValue: index taken' }];
    const d = decide({ eni: eni(), candidates: [candidate('i-p', { state: 'stopped' }), candidate('i-s'), candidate('i-t')], now: NOW, excluded }, OFF);
    expect(d).toMatchObject({ kind: 'attach', to: 'i-t', skipped: excluded });
    const none = decide({ eni: eni(), candidates: [candidate('i-p', { state: 'stopped' }), candidate('i-s')], now: NOW, excluded }, OFF);
    expect(none).toMatchObject({ kind: 'no-healthy-candidate', rejected: [{ instanceId: 'i-p', reason: 'state stopped, status checks ok' }, excluded[0]] });
  });

  test('an excluded holder is still judged by its health, not treated as a stranger', () => {
    const d = decide({ eni: eni(attachedTo('i-s')), candidates: [candidate('i-p'), candidate('i-s')], now: NOW, excluded: [{ instanceId: 'i-s', reason: 'x' }] }, OFF);
    expect(d).toMatchObject({ kind: 'noop', holder: 'i-s', skipped: [] });
  });

  test('failback with an unknown healthySince waits, unless failbackAfterSeconds is 0', () => {
    const obs: Observation = { eni: eni(attachedTo('i-s')), candidates: [candidate('i-p', { healthySince: undefined }), candidate('i-s')], now: NOW };
    expect(decide(obs, ON).kind).toBe('noop');
    expect(decide(obs, { failback: true, failbackAfterSeconds: 0 })).toMatchObject({ kind: 'move', to: 'i-p', force: false });
  });

  test('failback counts health from the last alarm change: a primary whose probe alarm cleared a minute ago waits', () => {
    // Launched an hour ago, but its application answered again only a minute ago.
    const primary = candidate('i-p', { alarm: 'OK', alarmSince: NOW - 60_000 });
    const obs: Observation = { eni: eni(attachedTo('i-s')), candidates: [primary, candidate('i-s')], now: NOW };
    expect(decide(obs, ON)).toMatchObject({ kind: 'noop', reason: 'holder i-s is healthy and the most preferred healthy candidate; failback to i-p waits until it has been healthy for 300s' });
    expect(decide({ ...obs, now: NOW + 240_000 }, ON)).toMatchObject({ kind: 'move', to: 'i-p', force: false });
  });

  test('an alarm without data does not make a candidate unhealthy, but it is no failback target until failbackAfterSeconds is 0', () => {
    const primary = candidate('i-p', { alarm: 'INSUFFICIENT_DATA', alarmSince: NOW - 3_600_000 });
    expect(classify(primary)).toBe('healthy');
    const obs: Observation = { eni: eni(attachedTo('i-s')), candidates: [primary, candidate('i-s')], now: NOW };
    expect(decide(obs, ON).kind).toBe('noop');
    expect(decide(obs, { failback: true, failbackAfterSeconds: 0 })).toMatchObject({ kind: 'move', to: 'i-p' });
    // ...and it still takes a free ENI or one from an unhealthy holder.
    expect(decide({ ...obs, eni: eni() }, ON)).toMatchObject({ kind: 'attach', to: 'i-p' });
  });

  test('failback picks the most preferred settled candidate among several', () => {
    const d = decide({
      eni: eni(attachedTo('i-3')),
      candidates: [candidate('i-1', { healthySince: NOW - 10_000 }), candidate('i-2'), candidate('i-3')],
      now: NOW,
    }, ON);
    expect(d).toMatchObject({ kind: 'move', to: 'i-2' });
  });

  test('the primary interface of an instance is never moved', () => {
    const d = decide({ eni: eni(attachedTo('i-p', 'attached', 0)), candidates: [candidate('i-p', { state: 'stopped' }), candidate('i-s')], now: NOW }, OFF);
    expect(d).toMatchObject({ kind: 'noop', reason: 'the ENI is the primary interface (device index 0) of i-p and cannot be detached' });
  });

  test('a candidate with another interface at the device index is skipped', () => {
    const d = decide({
      eni: eni(attachedTo('i-p')),
      candidates: [candidate('i-p', { state: 'stopped' }), candidate('i-s', { interfaces: [{ networkInterfaceId: 'eni-other', deviceIndex: 1 }] }), candidate('i-t')],
      now: NOW,
      deviceIndex: 1,
    }, OFF);
    expect(d).toMatchObject({ kind: 'move', to: 'i-t', skipped: [{ instanceId: 'i-s', reason: 'device index 1 is taken by eni-other' }] });
  });

  test('the ENI itself at the device index of its holder does not make the holder ineligible', () => {
    const d = decide({
      eni: eni(attachedTo('i-p')),
      candidates: [candidate('i-p', { interfaces: [{ networkInterfaceId: 'eni-1', deviceIndex: 1 }] }), candidate('i-s')],
      now: NOW,
      deviceIndex: 1,
    }, ON);
    expect(d).toMatchObject({ kind: 'noop', holder: 'i-p', skipped: [] });
  });

  test('a forced target is chosen although its checks are impaired', () => {
    const d = decide({ eni: eni(attachedTo('i-p')), candidates: [candidate('i-s', { statusChecks: 'impaired' }), candidate('i-p')], now: NOW },
      { failback: true, failbackAfterSeconds: 0, forceTarget: 'i-s' });
    expect(d).toMatchObject({ kind: 'move', from: 'i-p', to: 'i-s', force: false });
  });
});

describe('decide: forcing and fencing', () => {
  const forcedFrom = (from: string) => ({ ...FRESH_RUN, detached: { attachmentId: `attach-${from}`, from, forced: true, at: NOW - 120_000 } });

  test('a failover that found nowhere to go never fences the old holder (the ENI is free, nothing is healthy)', () => {
    const d = decide({
      eni: eni(),
      candidates: [candidate('i-p', { statusChecks: 'impaired' }), candidate('i-s', { state: 'stopped', statusChecks: 'not-applicable' })],
      now: NOW,
      run: forcedFrom('i-p'),
      remembered: [{ instanceId: 'i-p', launchTime: NOW - 3_600_000 }],
    }, { ...OFF, fence: true });
    expect(d.kind).toBe('no-healthy-candidate');
  });

  test('the old holder is fenced once the ENI is attached to another running candidate', () => {
    const d = decide({
      eni: eni(attachedTo('i-s')),
      candidates: [candidate('i-p', { statusChecks: 'impaired' }), candidate('i-s')],
      now: NOW,
      run: forcedFrom('i-p'),
      remembered: [{ instanceId: 'i-p', launchTime: NOW - 3_600_000 }],
    }, { ...OFF, fence: true });
    expect(d).toMatchObject({ kind: 'fence', instanceId: 'i-p' });
  });

  test('no fencing while the ENI is on an instance that is not a candidate', () => {
    const d = decide({
      eni: eni(attachedTo('i-foreign')),
      candidates: [candidate('i-p', { statusChecks: 'impaired' }), candidate('i-s', { statusChecks: 'impaired' })],
      now: NOW,
      run: forcedFrom('i-p'),
      remembered: [{ instanceId: 'i-p', launchTime: NOW - 3_600_000 }],
    }, { ...OFF, fence: true });
    expect(d.kind).not.toBe('fence');
  });

  test('a pending holder is starting, not failed: its detach is graceful', () => {
    expect(hasFailed({ state: 'pending', statusChecks: 'not-applicable' })).toBe(false);
    const d = decide({ eni: eni(attachedTo('i-p')), candidates: [candidate('i-p', { state: 'pending', statusChecks: 'not-applicable' }), candidate('i-s')], now: NOW }, OFF);
    expect(d).toMatchObject({ kind: 'move', from: 'i-p', to: 'i-s', force: false });
  });

  test('a detach from a pending holder is never forced, however long it hangs', () => {
    const d = decide({
      eni: eni(attachedTo('i-p', 'detaching')),
      candidates: [candidate('i-p', { state: 'pending', statusChecks: 'not-applicable' }), candidate('i-s')],
      now: NOW,
      run: { ...FRESH_RUN, detaching: { attachmentId: 'attach-i-p', since: NOW - 600_000, forced: false } },
    }, OFF);
    expect(d.kind).toBe('wait');
  });

  describe('a graceful detach that hangs', () => {
    const hanging = (statusChecks: StatusCheck, hungMs: number) => decide({
      eni: eni(attachedTo('i-p', 'detaching')),
      candidates: [candidate('i-p', { statusChecks, alarm: 'ALARM' }), candidate('i-s')],
      now: NOW,
      run: { ...FRESH_RUN, detaching: { attachmentId: 'attach-i-p', since: NOW - hungMs, forced: false } },
    }, { ...OFF, forceHungDetachMs: 30_000 });

    test.each(['insufficient-data', 'initializing', 'not-applicable'] as StatusCheck[])(
      'from a running holder with checks %s is forced after forceHungDetachMs', (checks) => {
        expect(hanging(checks, 29_000).kind).toBe('wait');
        expect(hanging(checks, 30_000)).toMatchObject({ kind: 'force', from: 'i-p', attachmentId: 'attach-i-p' });
      });

    test('from a running holder with passing checks is never forced', () => {
      expect(hanging('ok', 3_600_000).kind).toBe('wait');
    });

    test('that this run already forced is not forced again', () => {
      const d = decide({
        eni: eni(attachedTo('i-p', 'detaching')),
        candidates: [candidate('i-p', { statusChecks: 'insufficient-data' }), candidate('i-s')],
        now: NOW,
        run: { ...FRESH_RUN, detaching: { attachmentId: 'attach-i-p', since: NOW - 600_000, forced: true } },
      }, OFF);
      expect(d.kind).toBe('wait');
    });
  });
});
