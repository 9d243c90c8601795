/**
 * The user data of a `DualHomedAutoScalingGroup` instance, in two MIME parts:
 *
 * 1. A cloud-init boot hook (`text/cloud-boothook`, run on every boot in cloud-init's first
 *    network stage, before any user script): it restricts sshd to the loopback address before
 *    sshd serves any network, unless the setup already bound it to the management address.
 * 2. A shell script that installs the dual-homed setup script, a helper that completes the
 *    instance's launch lifecycle action, and a systemd service that runs the setup, retrying every
 *    10 seconds without a limit until the management interface (attached after boot by the
 *    handler) is there and configured, then completes the launch lifecycle action. The service
 *    runs on every boot. The application's commands follow, without waiting for the service.
 */
import { DualHomedOsFlavour, SETUP_SCRIPT_PATH, SSHD_DROP_IN_PATH } from './dual-homed-user-data';

/** The systemd service that runs the setup until it succeeds. */
export const SETUP_SERVICE = 'dual-homed-setup.service';

/** Where the service unit is written. */
export const SETUP_UNIT_PATH = `/etc/systemd/system/${SETUP_SERVICE}`;

/** Where the helper that completes the launch lifecycle action is installed. */
export const COMPLETE_LAUNCH_PATH = '/usr/local/sbin/dual-homed-complete-launch';

/** Options of the group's user data. */
export interface AsgUserDataOptions {
  readonly os: DualHomedOsFlavour;
  readonly sshPort: number;
  /** The setup script (`renderSetupScript`). */
  readonly setupScript: string;
  /** The Auto Scaling group's name (a literal). */
  readonly groupName: string;
  /** The launch lifecycle hook's name. */
  readonly launchHookName: string;
}

/**
 * The boot hook: sshd serves the loopback address only until the setup binds it to the management
 * address. It writes the sshd drop-in the setup script later rewrites (only while the drop-in names
 * no address, so a reboot keeps the management address), stops Ubuntu's ssh.socket (its listening
 * addresses were generated before this hook ran) and restarts sshd if it started before the hook.
 */
export function renderSshdBootHook(os: DualHomedOsFlavour, sshPort: number): string {
  const unit = os === 'al2023' ? 'sshd' : 'ssh';
  return [
    '#!/bin/bash',
    '# Dual-homed boot hook: sshd listens on the loopback address only until the management interface',
    '# is configured (the setup service then binds it to the management address).',
    'set -u',
    `readonly DROP_IN=${SSHD_DROP_IN_PATH}`,
    'install -d -m 0755 /etc/ssh/sshd_config.d',
    'if ! grep -Eq "^[[:space:]]*Include[[:space:]]+/etc/ssh/sshd_config\\.d/\\*\\.conf" /etc/ssh/sshd_config; then',
    '  sed -i "1i Include /etc/ssh/sshd_config.d/*.conf" /etc/ssh/sshd_config',
    'fi',
    'if ! grep -qs "^ListenAddress " "${DROP_IN}"; then',
    `  printf '# Written by the dual-homed boot hook: loopback only until the management interface is configured.\\nPort %s\\nListenAddress 127.0.0.1\\n' '${sshPort}' > "\${DROP_IN}.new"`,
    '  chmod 0644 "${DROP_IN}.new"',
    '  mv -f "${DROP_IN}.new" "${DROP_IN}"',
    'fi',
    ...(os === 'al2023' ? [] : [
      '# ssh.socket listens on the addresses its generator read before this hook: serve SSH through ssh.service.',
      'if systemctl is-enabled --quiet ssh.socket 2>/dev/null || systemctl is-active --quiet ssh.socket; then',
      '  systemctl disable --now ssh.socket',
      '  rm -f /etc/systemd/system/ssh.service.d/00-socket.conf /etc/systemd/system/ssh.socket.d/addresses.conf',
      '  systemctl daemon-reload',
      '  systemctl enable ssh.service',
      'fi',
    ]),
    '# sshd reads the drop-in when it starts; one that started before this hook restarts (no-block:',
    '# sshd may be ordered after the cloud-init stage that runs this hook).',
    `if systemctl is-active --quiet ${unit}.service; then`,
    `  systemctl --no-block restart ${unit}.service`,
    'fi',
    `if ! systemctl is-active --quiet ${unit}.service; then`,
    `  systemctl --no-block start ${unit}.service`,
    'fi',
    '',
  ].join('\n');
}

/**
 * The helper that completes this instance's launch lifecycle action (`Pending:Wait` and, for a warm
 * pool, `Warmed:Pending:Wait`) once the setup succeeded. Python 3 with its standard library only
 * (cloud-init, and so Python 3, is on every supported image; the AWS CLI is not on Ubuntu): it reads
 * the region and the instance role's credentials from IMDSv2 and signs the Auto Scaling query call
 * with Signature Version 4. "No active Lifecycle Action" (a reboot, an instance already in service,
 * a hook that timed out) is success. `DUAL_HOMED_IMDS` and `DUAL_HOMED_AUTOSCALING_ENDPOINT`
 * override the endpoints for tests.
 */
export function renderCompleteLaunchScript(groupName: string, hookName: string): string {
  return `#!/usr/bin/python3
"""Completes this instance's launch lifecycle action of ${groupName} (hook ${hookName})."""
import datetime, hashlib, hmac, json, os, sys, time, urllib.error, urllib.parse, urllib.request

GROUP = ${JSON.stringify(groupName)}
HOOK = ${JSON.stringify(hookName)}
IMDS = os.environ.get("DUAL_HOMED_IMDS", "http://169.254.169.254")


def log(message):
    print("dual-homed-complete-launch: " + message, file=sys.stderr, flush=True)


def imds(path, token):
    request = urllib.request.Request(IMDS + path, headers={"X-aws-ec2-metadata-token": token})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def sign(key, message):
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def complete():
    token_request = urllib.request.Request(IMDS + "/latest/api/token", method="PUT",
                                           headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"})
    with urllib.request.urlopen(token_request, timeout=5) as response:
        token = response.read().decode()
    region = imds("/latest/meta-data/placement/region", token)
    domain = imds("/latest/meta-data/services/domain", token)
    instance_id = imds("/latest/meta-data/instance-id", token)
    role = imds("/latest/meta-data/iam/security-credentials/", token).split()[0]
    credentials = json.loads(imds("/latest/meta-data/iam/security-credentials/" + role, token))
    endpoint = os.environ.get("DUAL_HOMED_AUTOSCALING_ENDPOINT", "https://autoscaling." + region + "." + domain + "/")
    host = urllib.parse.urlsplit(endpoint).netloc
    body = urllib.parse.urlencode(sorted({
        "Action": "CompleteLifecycleAction",
        "Version": "2011-01-01",
        "AutoScalingGroupName": GROUP,
        "LifecycleHookName": HOOK,
        "InstanceId": instance_id,
        "LifecycleActionResult": "CONTINUE",
    }.items()))
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    scope = now.strftime("%Y%m%d") + "/" + region + "/autoscaling/aws4_request"
    headers = {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        "host": host,
        "x-amz-date": amz_date,
        "x-amz-security-token": credentials["Token"],
    }
    signed = ";".join(sorted(headers))
    canonical = "\\n".join(["POST", "/", "", *[k + ":" + headers[k] for k in sorted(headers)], "", signed,
                           hashlib.sha256(body.encode()).hexdigest()])
    to_sign = "\\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + credentials["SecretAccessKey"]).encode()
    for part in (now.strftime("%Y%m%d"), region, "autoscaling", "aws4_request"):
        key = sign(key, part)
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = ("AWS4-HMAC-SHA256 Credential=" + credentials["AccessKeyId"] + "/" + scope
                                + ", SignedHeaders=" + signed + ", Signature=" + signature)
    request = urllib.request.Request(endpoint, data=body.encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10):
            log("completed the launch lifecycle action of " + instance_id + " (" + HOOK + ")")
            return True
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        if error.code == 400 and "No active Lifecycle Action" in text:
            log("no launch lifecycle action waits for " + instance_id + ": nothing to complete")
            return True
        log("CompleteLifecycleAction failed (" + str(error.code) + "): " + text[:500])
        return False


for attempt in range(5):
    try:
        if complete():
            sys.exit(0)
    except (OSError, ValueError, KeyError, IndexError) as error:
        log("attempt " + str(attempt + 1) + " failed: " + repr(error))
    time.sleep(2 ** attempt)
sys.exit(1)
`;
}

/** The systemd unit that runs the setup until it succeeds, on every boot, then completes the launch action. */
export function renderSetupUnit(): string {
  return [
    '[Unit]',
    'Description=Dual-homed configuration of the management interface (policy routing, sshd), then the launch lifecycle action',
    'Wants=network-online.target',
    'After=network-online.target',
    '# Retries without a limit: the management interface may arrive at any time after boot.',
    'StartLimitIntervalSec=0',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=${SETUP_SCRIPT_PATH}`,
    `ExecStartPost=/usr/bin/python3 ${COMPLETE_LAUNCH_PATH}`,
    'Restart=on-failure',
    'RestartSec=10s',
    'TimeoutStartSec=15min',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n');
}

const END = 'DUAL_HOMED_ASG_EOF';

/** The shell part: installs the setup script, the helper and the service, starts it, then runs `extra`. */
export function renderAsgScriptCommands(options: AsgUserDataOptions, extra: readonly string[]): string[] {
  return [
    '# Dual-homed network configuration. The management interface is attached after boot by the',
    '# lifecycle handler: dual-homed-setup.service configures it whenever it arrives (it retries every',
    '# 10 s, without a limit) and then completes the launch lifecycle action.',
    `install -d -m 0755 ${SETUP_SCRIPT_PATH.slice(0, SETUP_SCRIPT_PATH.lastIndexOf('/'))}`,
    `cat > ${SETUP_SCRIPT_PATH} <<'${END}'`,
    options.setupScript,
    END,
    `chmod 0750 ${SETUP_SCRIPT_PATH}`,
    `cat > ${COMPLETE_LAUNCH_PATH} <<'${END}'`,
    renderCompleteLaunchScript(options.groupName, options.launchHookName),
    END,
    `chmod 0750 ${COMPLETE_LAUNCH_PATH}`,
    `cat > ${SETUP_UNIT_PATH} <<'${END}'`,
    renderSetupUnit(),
    END,
    `chmod 0644 ${SETUP_UNIT_PATH}`,
    'systemctl daemon-reload',
    `systemctl enable ${SETUP_SERVICE}`,
    `systemctl --no-block start ${SETUP_SERVICE}`,
    '# The application: it does not wait for the management interface.',
    ...extra,
  ];
}
