import * as fs from 'fs';
import { App, Annotations as CoreAnnotations, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { InstanceLimits } from '../src/instance-limits';
import {
  checkEniCount,
  checkIpv4PerEni,
  checkIpv6PerEni,
  UNKNOWN_INSTANCE_TYPE_WARNING,
} from '../src/private/instance-limits-check';

const DOCS = 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/AvailableIpPerENI.html';

function newScope(): { stack: Stack; web: Construct } {
  const app = new App({ context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  const stack = new Stack(app, 'Stack');
  return { stack, web: new Construct(stack, 'Web') };
}

describe('InstanceLimits.of', () => {
  // [type, max network interfaces, IPv4 per interface, IPv6 per interface], as published by AWS
  // and checked against a second source (see the comment on the table in src/instance-limits.ts).
  test.each<[string, number, number, number]>([
    ['t3.nano', 2, 2, 2],
    ['t3.micro', 2, 2, 2],
    ['t3.small', 3, 4, 4],
    ['t3.medium', 3, 6, 6],
    ['t3.large', 3, 12, 12],
    ['t3.2xlarge', 4, 15, 15],
    ['t3a.small', 2, 4, 4],
    ['t3a.medium', 3, 6, 6],
    ['t4g.micro', 2, 2, 2],
    ['t4g.xlarge', 4, 15, 15],
    ['m5.large', 3, 10, 10],
    ['m5.8xlarge', 8, 30, 30],
    ['m5.metal', 15, 50, 50],
    ['m6i.xlarge', 4, 15, 15],
    ['m6i.32xlarge', 15, 50, 50],
    ['m6g.medium', 2, 4, 4],
    ['m6g.metal', 15, 50, 50],
    ['m7i.large', 3, 10, 10],
    ['m7i.metal-48xl', 15, 50, 50],
    ['m7g.medium', 2, 4, 4],
    ['m7g.12xlarge', 8, 30, 30],
    ['c5.9xlarge', 8, 30, 30],
    ['c5.18xlarge', 15, 50, 50],
    ['c6i.2xlarge', 4, 15, 15],
    ['c6i.metal', 15, 50, 50],
    ['c6g.16xlarge', 15, 50, 50],
    ['c7i.4xlarge', 8, 30, 30],
    ['c7i.metal-24xl', 15, 50, 50],
    ['c7g.medium', 2, 4, 4],
    ['c7g.metal', 15, 50, 50],
    ['r5.12xlarge', 8, 30, 30],
    ['r5.metal', 15, 50, 50],
    ['r6i.large', 3, 10, 10],
    ['r6g.4xlarge', 8, 30, 30],
    ['r7i.48xlarge', 15, 50, 50],
    ['r7i.metal-24xl', 15, 50, 50],
  ])('%s allows %d network interfaces, %d IPv4 and %d IPv6 addresses per interface', (type, enis, ipv4, ipv6) => {
    expect(InstanceLimits.of(type)).toEqual({
      instanceType: type,
      maxNetworkInterfaces: enis,
      ipv4AddressesPerInterface: ipv4,
      ipv6AddressesPerInterface: ipv6,
    });
  });

  // Every size of each family people use, metal included, so that no size silently goes unchecked.
  test.each<[string, string[]]>([
    ['t3', ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge']],
    ['t3a', ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge']],
    ['t4g', ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge']],
    ['m5', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', 'metal']],
    ['m6i', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge', 'metal']],
    ['m6g', ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal']],
    ['m7i', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge', 'metal-24xl', 'metal-48xl']],
    ['m7g', ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal']],
    ['c5', ['large', 'xlarge', '2xlarge', '4xlarge', '9xlarge', '12xlarge', '18xlarge', '24xlarge', 'metal']],
    ['c6i', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge', 'metal']],
    ['c6g', ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal']],
    ['c7i', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge', 'metal-24xl', 'metal-48xl']],
    ['c7g', ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal']],
    ['r5', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', 'metal']],
    ['r6i', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge', 'metal']],
    ['r6g', ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', 'metal']],
    ['r7i', ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge', 'metal-24xl', 'metal-48xl']],
  ])('the table has every %s size, smallest first', (family, sizes) => {
    const inFamily = InstanceLimits.knownInstanceTypes().filter((type) => type.split('.')[0] === family);
    expect(inFamily).toEqual(sizes.map((size) => `${family}.${size}`));
  });

  test.each([
    'x9.huge', // no such family
    't2.micro', // previous generation, not in the table
    'p5.48xlarge', // several network cards: not in the table
    'm5.96xlarge', // no such size
    'm5.metal-48xl', // a metal size of another family
  ])('an instance type that is not in the table (%s) has no limits', (type) => {
    expect(InstanceLimits.of(type)).toBeUndefined();
  });

  test.each([
    ['T3.Micro', 't3.micro'],
    ['M7I.METAL-48XL', 'm7i.metal-48xl'],
    ['  c6g.large\n', 'c6g.large'],
  ])('upper case and surrounding white space are ignored (%j finds %s)', (given, canonical) => {
    expect(InstanceLimits.of(given)).toEqual(InstanceLimits.of(canonical));
    expect(InstanceLimits.of(given)?.instanceType).toBe(canonical);
  });

  test.each([
    '',
    't3',
    't3.',
    '.micro',
    't3micro',
    't3 .micro',
    't3.micro.large',
    't3_micro',
    'constructor.name',
    '__proto__.toString',
    'toString',
  ])('a string that is not an instance type name (%j) has no limits', (type) => {
    expect(InstanceLimits.of(type)).toBeUndefined();
  });

  test('an unresolved token has no limits, even when it would resolve to a known type', () => {
    expect(InstanceLimits.of(Lazy.string({ produce: () => 't3.micro' }))).toBeUndefined();
    expect(InstanceLimits.of(Token.asString({ Ref: 'InstanceType' }))).toBeUndefined();
  });

  test('an ec2.InstanceType is looked up through its string form', () => {
    const type = ec2.InstanceType.of(ec2.InstanceClass.T3A, ec2.InstanceSize.SMALL);
    expect(InstanceLimits.of(type.toString())?.maxNetworkInterfaces).toBe(2);
    expect(InstanceLimits.of(new ec2.InstanceType('m7g.metal').toString())?.ipv4AddressesPerInterface).toBe(50);
  });

  test('changing the limits returned does not change the table', () => {
    const limits = InstanceLimits.of('t3.micro') as { maxNetworkInterfaces: number };
    limits.maxNetworkInterfaces = 99;
    expect(InstanceLimits.of('t3.micro')?.maxNetworkInterfaces).toBe(2);
  });

  test('SOURCE_URL is the AWS page the figures come from', () => {
    expect(InstanceLimits.SOURCE_URL).toBe(DOCS);
  });
});

describe('InstanceLimits.knownInstanceTypes', () => {
  test('lists each type once, by its lower-case name, and every listed type resolves', () => {
    const types = InstanceLimits.knownInstanceTypes();
    expect(new Set(types).size).toBe(types.length);
    for (const type of types) {
      expect(type).toMatch(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/);
      expect(InstanceLimits.of(type)?.instanceType).toBe(type);
    }
  });

  test('changing the returned array does not change the table', () => {
    const types = InstanceLimits.knownInstanceTypes();
    const count = types.length;
    types.push('x9.huge');
    types.length = 0;
    expect(InstanceLimits.knownInstanceTypes()).toHaveLength(count);
    expect(InstanceLimits.of('x9.huge')).toBeUndefined();
  });
});

describe('the limits table', () => {
  const all = InstanceLimits.knownInstanceTypes().map((type) => InstanceLimits.of(type)!);

  test('covers the current-generation families of the t, m, c and r classes', () => {
    const families = new Set(all.map((limits) => limits.instanceType.split('.')[0]));
    for (const family of ['t3', 't3a', 't4g', 'm5', 'm6i', 'm6g', 'm7i', 'm7g', 'c5', 'c6i', 'c6g', 'c7i', 'c7g', 'r5', 'r6i', 'r6g', 'r7i']) {
      expect(families).toContain(family);
    }
  });

  test('every figure is a positive integer', () => {
    for (const limits of all) {
      for (const figure of [limits.maxNetworkInterfaces, limits.ipv4AddressesPerInterface, limits.ipv6AddressesPerInterface]) {
        expect(Number.isInteger(figure) && figure > 0).toBe(true);
      }
    }
  });

  test('every type allows a second network interface and a secondary private IPv4 address', () => {
    for (const limits of all) {
      expect([limits.instanceType, limits.maxNetworkInterfaces >= 2, limits.ipv4AddressesPerInterface >= 2])
        .toEqual([limits.instanceType, true, true]);
    }
  });

  test('only nano and micro sizes are limited to 2 IPv4 addresses per interface', () => {
    const two = all.filter((limits) => limits.ipv4AddressesPerInterface === 2).map((limits) => limits.instanceType.split('.')[1]);
    expect(new Set(two)).toEqual(new Set(['nano', 'micro']));
  });

  test('every type allows as many IPv6 as private IPv4 addresses per interface', () => {
    for (const limits of all) {
      expect([limits.instanceType, limits.ipv6AddressesPerInterface]).toEqual([limits.instanceType, limits.ipv4AddressesPerInterface]);
    }
  });

  test('within a family, a larger size never allows fewer interfaces or addresses', () => {
    const byFamily = new Map<string, typeof all>();
    for (const limits of all) {
      const family = limits.instanceType.split('.')[0];
      byFamily.set(family, [...(byFamily.get(family) ?? []), limits]);
    }
    for (const sizes of byFamily.values()) {
      for (let i = 1; i < sizes.length; i++) {
        const [smaller, larger] = [sizes[i - 1], sizes[i]];
        expect([larger.instanceType, larger.maxNetworkInterfaces >= smaller.maxNetworkInterfaces])
          .toEqual([larger.instanceType, true]);
        expect([larger.instanceType, larger.ipv4AddressesPerInterface >= smaller.ipv4AddressesPerInterface])
          .toEqual([larger.instanceType, true]);
      }
    }
  });
});

describe('checkEniCount', () => {
  test.each<[string, number]>([
    ['t3.micro', 2],
    ['t3a.small', 2],
    ['t3.small', 3],
    ['m5.xlarge', 4],
    ['c6g.4xlarge', 8],
    ['r7i.metal-48xl', 15],
  ])('%s accepts %d network interfaces, its maximum, without a warning', (type, count) => {
    const { stack, web } = newScope();
    expect(() => checkEniCount(web, type, count, 'Web/Instance')).not.toThrow();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test.each<[string, number, number, string]>([
    ['t3.micro', 2, 3, 'Web/Instance (device indexes 0, 1, 2)'],
    ['t3a.small', 2, 3, 'Web/Instance (device indexes 0, 1, 2)'],
    ['m5.large', 3, 4, 'Web/Instance (device indexes 0, 1, 2, 3)'],
    ['c7g.metal', 15, 16, 'Router/Instance'],
  ])('%s rejects one network interface more than its maximum of %d', (type, max, count, what) => {
    const { web } = newScope();
    expect(() => checkEniCount(web, type, count, what)).toThrow(new Error(
      `instance type '${type}' supports at most ${max} network interfaces, but ${count} are attached to ${what}: `
      + `choose a larger instance type (see ${DOCS})`,
    ));
  });

  test('the message echoes the instance type as the user wrote it', () => {
    const { web } = newScope();
    expect(() => checkEniCount(web, 'T3.Micro', 3, 'Web/Instance (device indexes 0, 1, 2)')).toThrow(
      "instance type 'T3.Micro' supports at most 2 network interfaces, but 3 are attached to Web/Instance (device indexes 0, 1, 2): "
      + `choose a larger instance type (see ${DOCS})`,
    );
  });

  test('an ec2.InstanceType is checked through its string form', () => {
    const { web } = newScope();
    const type = ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.NANO);
    expect(() => checkEniCount(web, type.toString(), 3, 'Web/Instance')).toThrow(
      "instance type 't4g.nano' supports at most 2 network interfaces, but 3 are attached to Web/Instance: "
      + `choose a larger instance type (see ${DOCS})`,
    );
  });

  test('an unknown instance type gets a warning, not an error', () => {
    const { stack, web } = newScope();
    expect(() => checkEniCount(web, 'x9.huge', 40, 'Web/Instance (device indexes 0, 1)')).not.toThrow();
    Annotations.fromStack(stack).hasWarning('/Stack/Web',
      "instance type 'x9.huge' is not in the network limits table, so the number of network interfaces attached to "
      + `Web/Instance (device indexes 0, 1) was not validated: check the limits at ${DOCS}, and call InstanceLimits.register() with them before creating the constructs to have them checked [ack: ${UNKNOWN_INSTANCE_TYPE_WARNING}]`);
  });

  test('the unknown instance type warning can be acknowledged for a whole stack by its id', () => {
    const { stack, web } = newScope();
    CoreAnnotations.of(stack).acknowledgeWarning(UNKNOWN_INSTANCE_TYPE_WARNING);
    checkEniCount(web, 'x9.huge', 2, 'Web/Instance');
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test.each([
    ['a token instance type', Lazy.string({ produce: () => 't3.micro' })],
    ['an instance type from a parameter', Token.asString({ Ref: 'InstanceType' })],
    ['no instance type', undefined],
  ])('%s is neither checked nor warned about', (_name, type) => {
    const { stack, web } = newScope();
    expect(() => checkEniCount(web, type, 99, 'Web/Instance')).not.toThrow();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an unresolved count is neither checked nor warned about', () => {
    const { stack, web } = newScope();
    expect(() => checkEniCount(web, 't3.micro', Token.asNumber({ Ref: 'Count' }), 'Web/Instance')).not.toThrow();
    expect(() => checkEniCount(web, 'x9.huge', Token.asNumber({ Ref: 'Count' }), 'Web/Instance')).not.toThrow();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('checkIpv4PerEni', () => {
  test.each<[string, number]>([
    ['t3.nano', 2],
    ['t3.small', 4],
    ['t3.large', 12],
    ['m6i.large', 10],
    ['c7i.metal-24xl', 50],
  ])('%s accepts %d private IPv4 addresses on one interface, its maximum', (type, count) => {
    const { stack, web } = newScope();
    expect(() => checkIpv4PerEni(web, type, count, 'network interface Web/Eni')).not.toThrow();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test.each<[string, number, number]>([
    ['t3.micro', 2, 3],
    ['t4g.medium', 6, 7],
    ['m7g.4xlarge', 30, 31],
    ['r6g.metal', 50, 51],
  ])('%s rejects one private IPv4 address more than its maximum of %d', (type, max, count) => {
    const { web } = newScope();
    expect(() => checkIpv4PerEni(web, type, count, 'network interface Web/Eni')).toThrow(new Error(
      `instance type '${type}' supports at most ${max} private IPv4 addresses per network interface, but ${count} are assigned to `
      + 'network interface Web/Eni: choose a larger instance type or spread the addresses over more network interfaces '
      + `(see ${DOCS})`,
    ));
  });

  test('an unknown instance type gets a warning, not an error', () => {
    const { stack, web } = newScope();
    expect(() => checkIpv4PerEni(web, 'z9.tiny', 200, 'network interface Web/Eni')).not.toThrow();
    Annotations.fromStack(stack).hasWarning('/Stack/Web',
      "instance type 'z9.tiny' is not in the network limits table, so the number of private IPv4 addresses of "
      + `network interface Web/Eni was not validated: check the limits at ${DOCS}, and call InstanceLimits.register() with them before creating the constructs to have them checked [ack: ${UNKNOWN_INSTANCE_TYPE_WARNING}]`);
  });

  test('a token instance type is neither checked nor warned about', () => {
    const { stack, web } = newScope();
    expect(() => checkIpv4PerEni(web, Token.asString({ Ref: 'InstanceType' }), 200, 'network interface Web/Eni')).not.toThrow();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('checkIpv6PerEni', () => {
  test('t3.medium accepts 6 IPv6 addresses on one interface and rejects 7', () => {
    const { web } = newScope();
    expect(() => checkIpv6PerEni(web, 't3.medium', 6, 'network interface Web/Eni')).not.toThrow();
    expect(() => checkIpv6PerEni(web, 't3.medium', 7, 'network interface Web/Eni')).toThrow(new Error(
      "instance type 't3.medium' supports at most 6 IPv6 addresses per network interface, but 7 are assigned to "
      + 'network interface Web/Eni: choose a larger instance type or spread the addresses over more network interfaces '
      + `(see ${DOCS})`,
    ));
  });

  test('an unknown instance type gets a warning, not an error', () => {
    const { stack, web } = newScope();
    expect(() => checkIpv6PerEni(web, 'z9.tiny', 200, 'network interface Web/Eni')).not.toThrow();
    Annotations.fromStack(stack).hasWarning('/Stack/Web',
      "instance type 'z9.tiny' is not in the network limits table, so the number of IPv6 addresses of "
      + `network interface Web/Eni was not validated: check the limits at ${DOCS}, and call InstanceLimits.register() with them before creating the constructs to have them checked [ack: ${UNKNOWN_INSTANCE_TYPE_WARNING}]`);
  });

  test('an unresolved count is neither checked nor warned about', () => {
    const { stack, web } = newScope();
    expect(() => checkIpv6PerEni(web, 'z9.tiny', Token.asNumber({ Ref: 'Count' }), 'network interface Web/Eni')).not.toThrow();
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('the table is generated from DescribeInstanceTypes-shaped data', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const generator = require('../scripts/generate-instance-limits');

  test('the generated TypeScript is exactly what the generator makes from the committed data file', () => {
    const data = JSON.parse(fs.readFileSync(generator.DATA_FILE, 'utf8'));
    expect(data.InstanceTypes).toHaveLength(331);
    expect(fs.readFileSync(generator.GENERATED_FILE, 'utf8')).toBe(generator.renderInstanceLimitsTable(data));
  });

  test('every entry of the data file is what InstanceLimits.of() returns', () => {
    const data = JSON.parse(fs.readFileSync(generator.DATA_FILE, 'utf8'));
    for (const t of data.InstanceTypes) {
      expect(InstanceLimits.of(t.InstanceType)).toEqual({
        instanceType: t.InstanceType,
        maxNetworkInterfaces: t.NetworkInfo.MaximumNetworkInterfaces,
        ipv4AddressesPerInterface: t.NetworkInfo.Ipv4AddressesPerInterface,
        ipv6AddressesPerInterface: t.NetworkInfo.Ipv6AddressesPerInterface,
      });
    }
  });

  test('bad data is refused by the generator with the type and field named', () => {
    const one = (InstanceType: string, MaximumNetworkInterfaces = 2) => ({
      InstanceType, NetworkInfo: { MaximumNetworkInterfaces, Ipv4AddressesPerInterface: 2, Ipv6AddressesPerInterface: 2 },
    });
    expect(() => generator.renderInstanceLimitsTable({ InstanceTypes: [one('T3.micro')] })).toThrow('InstanceType "T3.micro" is not a lower-case family.size name');
    expect(() => generator.renderInstanceLimitsTable({ InstanceTypes: [one('t3.micro'), one('t3.micro')] })).toThrow("InstanceType 't3.micro' appears twice in the data");
    expect(() => generator.renderInstanceLimitsTable({ InstanceTypes: [one('t3.micro', 1.5)] })).toThrow('t3.micro: NetworkInfo.MaximumNetworkInterfaces must be an integer of at least 1 (got 1.5)');
    expect(() => generator.renderInstanceLimitsTable({ InstanceTypes: [one('t3.micro', 0)] })).toThrow('t3.micro: NetworkInfo.MaximumNetworkInterfaces must be an integer of at least 1 (got 0)');
    expect(() => generator.renderInstanceLimitsTable({ InstanceTypes: [one("t3.mi'cro")] })).toThrow('InstanceType "t3.mi\'cro" is not a lower-case family.size name');
    expect(() => generator.renderInstanceLimitsTable({ InstanceTypes: [one('t3.micro\n};')] })).toThrow('InstanceType "t3.micro\\n};" is not a lower-case family.size name');
    const missing = { InstanceType: 't3.micro', NetworkInfo: { MaximumNetworkInterfaces: 2, Ipv4AddressesPerInterface: 2 } };
    expect(() => generator.renderInstanceLimitsTable({ InstanceTypes: [missing] })).toThrow('t3.micro: NetworkInfo.Ipv6AddressesPerInterface is missing: the table needs it');
    const text = { InstanceType: 't3.micro', NetworkInfo: { MaximumNetworkInterfaces: '2', Ipv4AddressesPerInterface: 2, Ipv6AddressesPerInterface: 2 } };
    expect(() => generator.renderInstanceLimitsTable({ InstanceTypes: [text] })).toThrow('t3.micro: NetworkInfo.MaximumNetworkInterfaces must be an integer of at least 1 (got "2")');
  });

  test('an entry as DescribeInstanceTypes really returns it is accepted, the fields the table does not use ignored', () => {
    // One entry of `aws ec2 describe-instance-types --instance-types m7g.large` (abridged to NetworkInfo).
    const described = {
      InstanceType: 'm7g.large',
      CurrentGeneration: true,
      NetworkInfo: {
        NetworkPerformance: 'Up to 12.5 Gigabit',
        MaximumNetworkInterfaces: 3,
        MaximumNetworkCards: 1,
        DefaultNetworkCardIndex: 0,
        NetworkCards: [{ NetworkCardIndex: 0, NetworkPerformance: 'Up to 12.5 Gigabit', MaximumNetworkInterfaces: 3, BaselineBandwidthInGbps: 0.937, PeakBandwidthInGbps: 12.5 }],
        Ipv4AddressesPerInterface: 10,
        Ipv6AddressesPerInterface: 10,
        Ipv6Supported: true,
        EnaSupport: 'required',
        EfaSupported: false,
        EncryptionInTransitSupported: true,
        EnaSrdSupported: false,
      },
    };
    const source: string = generator.renderInstanceLimitsTable({ InstanceTypes: [described, { ...described, InstanceType: 'u-6tb1.56xlarge' }] });
    expect(source).toContain("  'm7g': [\n    ['large', 3, 10, 10],\n  ],");
    expect(source).toContain("  'u-6tb1': [\n    ['56xlarge', 3, 10, 10],\n  ],");
  });
});

describe('InstanceLimits.register()', () => {
  test('a type the table lacks gets checked like the others once registered', () => {
    expect(InstanceLimits.of('zz9.large')).toBeUndefined();
    InstanceLimits.register({ instanceType: 'zz9.large', maxNetworkInterfaces: 3, ipv4AddressesPerInterface: 10, ipv6AddressesPerInterface: 10 });
    expect(InstanceLimits.of('ZZ9.Large')).toEqual({ instanceType: 'zz9.large', maxNetworkInterfaces: 3, ipv4AddressesPerInterface: 10, ipv6AddressesPerInterface: 10 });
    expect(InstanceLimits.knownInstanceTypes()).toContain('zz9.large');
    // The same figures again are fine (two stacks of one app may both register them).
    InstanceLimits.register({ instanceType: 'zz9.large', maxNetworkInterfaces: 3, ipv4AddressesPerInterface: 10, ipv6AddressesPerInterface: 10 });
  });

  test('a registered type is enforced by the constructs', () => {
    InstanceLimits.register({ instanceType: 'zz9.small', maxNetworkInterfaces: 1, ipv4AddressesPerInterface: 2, ipv6AddressesPerInterface: 2 });
    const { web } = newScope();
    expect(() => checkEniCount(web, 'zz9.small', 2, 'Web/Instance')).toThrow("instance type 'zz9.small' supports at most 1 network interfaces, but 2 are attached to Web/Instance");
  });

  test('bad registrations are refused with the field, the value and what is allowed', () => {
    const ok = { instanceType: 'zz8.large', maxNetworkInterfaces: 2, ipv4AddressesPerInterface: 4, ipv6AddressesPerInterface: 4 };
    expect(() => InstanceLimits.register({ ...ok, instanceType: 'ZZ8 large' })).toThrow("instanceType must be a lower-case family.size name such as 'm9g.large' (got 'ZZ8 large')");
    expect(() => InstanceLimits.register({ ...ok, maxNetworkInterfaces: 0 })).toThrow('maxNetworkInterfaces of zz8.large must be an integer of at least 1 (got 0)');
    expect(() => InstanceLimits.register({ ...ok, ipv6AddressesPerInterface: -1 })).toThrow('ipv6AddressesPerInterface of zz8.large must be an integer of at least 0 (got -1)');
    expect(() => InstanceLimits.register({ ...ok, instanceType: 't3.micro' })).toThrow('instance type t3.micro is already in the table (2 network interfaces, 2 IPv4 per interface): only types the table lacks can be registered');
    InstanceLimits.register(ok);
    expect(() => InstanceLimits.register({ ...ok, maxNetworkInterfaces: 3 })).toThrow(/instance type zz8.large is already registered with other limits/);
  });

  test('unregister() forgets a registered type, so tests can start afresh', () => {
    const limits = { instanceType: 'zz7.large', maxNetworkInterfaces: 2, ipv4AddressesPerInterface: 4, ipv6AddressesPerInterface: 4 };
    InstanceLimits.register(limits);
    expect(InstanceLimits.unregister('ZZ7.Large')).toBe(true);
    expect(InstanceLimits.of('zz7.large')).toBeUndefined();
    expect(InstanceLimits.knownInstanceTypes()).not.toContain('zz7.large');
    // Other figures can now be registered for it.
    InstanceLimits.register({ ...limits, maxNetworkInterfaces: 3 });
    expect(InstanceLimits.of('zz7.large')?.maxNetworkInterfaces).toBe(3);
    expect(InstanceLimits.unregister('zz7.large')).toBe(true);
    expect(InstanceLimits.unregister('zz7.large')).toBe(false);
    expect(() => InstanceLimits.unregister('t3.micro')).toThrow('instance type t3.micro is in the table, not registered: only types added with register() can be unregistered');
  });

  test('the unknown-type warning says how to register the type', () => {
    const { stack, web } = newScope();
    checkEniCount(web, 'zz6.large', 3, 'Web/Instance');
    Annotations.fromStack(stack).hasWarning('/Stack/Web', Match.stringLikeRegexp('call InstanceLimits.register\\(\\) with them before creating the constructs'));
  });
});
