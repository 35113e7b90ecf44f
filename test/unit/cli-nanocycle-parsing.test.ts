import { Command, InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ProjectCreate, ProjectUpdate } from '../../contracts/project.js';
import { applyExecutionInput, DEFAULT_EXECUTION_SETTINGS } from '../../contracts/execution-settings.js';
import { holdResolveBody } from '../../cli/commands/hold.js';
import { nanocycleCreateBody } from '../../cli/commands/nanocycle-create.js';
import { UsageError } from '../../cli/errors.js';
import {
  addExecutionOptions,
  EXECUTION_FLAG_NAMES,
  executionInput,
  type ExecutionFlags,
} from '../../cli/execution-flags.js';
import {
  holdPointKind,
  parseHoldPointArgument,
  parseNanocycleArgument,
  resolverName,
} from '../../cli/nanocycle-arguments.js';
import {
  collectString,
  parseDecimal,
  parseDuration,
  parseInteger,
  parseMemoryMb,
} from '../../cli/option-parsers.js';
import { validateRequest } from '../../cli/request-validation.js';

describe('nanocycle and hold point ids', () => {
  it('takes NC-001 as typed, and nc-001, NC-7 or 7 as NC-001 / NC-007', () => {
    expect(parseNanocycleArgument('NC-001')).toBe('NC-001');
    expect(parseNanocycleArgument('nc-001')).toBe('NC-001');
    expect(parseNanocycleArgument('NC-7')).toBe('NC-007');
    expect(parseNanocycleArgument(' 12 ')).toBe('NC-012');
    expect(parseNanocycleArgument('NC-1234')).toBe('NC-1234');
  });

  it('refuses what is not a nanocycle id, naming the argument and the shape', () => {
    expect(() => parseNanocycleArgument('NC-1x')).toThrow(UsageError);
    expect(() => parseNanocycleArgument('auth-system')).toThrow(
      /NC-ID "auth-system": a nanocycle id looks like NC-001/,
    );
  });

  it('takes hold point ids in any case, as the API spells them', () => {
    expect(parseHoldPointArgument('HP-001-merge')).toBe('HP-001-merge');
    expect(parseHoldPointArgument('hp-002-AGENT-1')).toBe('HP-002-agent-1');
    expect(parseHoldPointArgument('HP-010-conflict-2')).toBe('HP-010-conflict-2');
    expect(() => parseHoldPointArgument('HP-1')).toThrow(/looks like HP-001-merge.*tevis hold list/);
    expect(() => parseHoldPointArgument('HP-001-review')).toThrow(UsageError);
  });

  it('tells the kind from the id', () => {
    expect(holdPointKind('HP-001-plan')).toBe('plan');
    expect(holdPointKind('HP-002-agent-3')).toBe('agent');
    expect(holdPointKind('nonsense')).toBe('unknown');
  });

  it('names who resolves a hold point, never empty', () => {
    expect(resolverName({ USER: 'ada' }).length).toBeGreaterThan(0);
  });
});

describe('nanocycle create flags', () => {
  function parse(args: string[]): Parameters<typeof nanocycleCreateBody>[0] {
    const command = new Command()
      .exitOverride()
      .requiredOption('--name <name>')
      .option('--goal <text>')
      .option('--run <command>', '', collectString)
      .option('--hold-plan')
      .option('--no-hold-plan')
      .option('--hold-merge')
      .option('--no-hold-merge');
    command.parse(args, { from: 'user' });
    return command.opts();
  }

  it('sends a goal for the agent', () => {
    expect(nanocycleCreateBody(parse(['--name', 'auth-system', '--goal', 'Add login']))).toEqual({
      name: 'auth-system',
      goal: 'Add login',
    });
  });

  it('keeps repeated --run steps in order', () => {
    expect(
      nanocycleCreateBody(
        parse(['--name', 'dashboard', '--run', 'npm test', '--run', 'node scripts/gen.js']),
      ),
    ).toEqual({
      name: 'dashboard',
      run: ['npm test', 'node scripts/gen.js'],
    });
  });

  it('sends a hold override only for the flags given', () => {
    expect(nanocycleCreateBody(parse(['--name', 'a', '--goal', 'g', '--hold-plan'])).hold).toEqual({
      plan: true,
    });
    expect(nanocycleCreateBody(parse(['--name', 'a', '--goal', 'g', '--no-hold-merge'])).hold).toEqual({
      merge: false,
    });
    expect(
      nanocycleCreateBody(parse(['--name', 'a', '--goal', 'g', '--no-hold-plan', '--hold-merge'])).hold,
    ).toEqual({ plan: false, merge: true });
    expect(nanocycleCreateBody(parse(['--name', 'a', '--goal', 'g'])).hold).toBeUndefined();
  });

  it('refuses a bad name, a missing goal and run, and an empty step, naming the flag', () => {
    expect(() => nanocycleCreateBody(parse(['--name', 'Auth_System', '--goal', 'g']))).toThrow(
      /^--name: a nanocycle name is/,
    );
    expect(() => nanocycleCreateBody(parse(['--name', 'auth']))).toThrow(/--goal .* or --run/);
    expect(() => nanocycleCreateBody(parse(['--name', 'auth', '--run', '']))).toThrow(/^--run/);
  });
});

describe('hold approve / reject body', () => {
  it('carries the comment and who decided', () => {
    expect(holdResolveBody('HP-001-merge', 'approve', { comment: 'looks good' }, 'ada')).toEqual({
      comment: 'looks good',
      by: 'ada',
    });
    expect(holdResolveBody('HP-001-merge', 'reject', {}, 'ada')).toEqual({ by: 'ada' });
  });

  it('takes an edited goal only at a plan hold point', () => {
    expect(holdResolveBody('HP-003-plan', 'approve', { goal: 'smaller scope' }, 'ada')).toEqual({
      goal: 'smaller scope',
      by: 'ada',
    });
    expect(() => holdResolveBody('HP-003-merge', 'approve', { goal: 'x' }, 'ada')).toThrow(
      /--goal .* HP-003-merge is a merge hold point/,
    );
    expect(() => holdResolveBody('HP-003-agent-1', 'approve', { goal: 'x' }, 'ada')).toThrow(
      /is an agent hold point/,
    );
  });

  it("takes --option only at an agent's hold point", () => {
    expect(holdResolveBody('HP-003-agent-2', 'approve', { option: 'always' }, 'ada')).toEqual({
      option: 'always',
      by: 'ada',
    });
    expect(() => holdResolveBody('HP-003-merge', 'reject', { option: 'never' }, 'ada')).toThrow(
      /--option picks one of an ACP agent's options .* HP-003-merge is a merge hold point/,
    );
    expect(() => holdResolveBody('HP-003-agent-1', 'approve', { option: '' }, 'ada')).toThrow(/--option/);
  });
});

describe('number, memory and duration options', () => {
  it('parses whole numbers, decimals, megabytes and durations', () => {
    expect(parseInteger('3')).toBe(3);
    expect(parseInteger('-1')).toBe(-1);
    expect(() => parseInteger('1.5')).toThrow(InvalidArgumentError);
    expect(parseDecimal('1.5')).toBe(1.5);
    expect(parseDecimal('.5')).toBe(0.5);
    expect(() => parseDecimal('one')).toThrow(InvalidArgumentError);
    expect(parseMemoryMb('1024')).toBe(1024);
    expect(parseMemoryMb('512m')).toBe(512);
    expect(parseMemoryMb('2g')).toBe(2048);
    expect(parseMemoryMb('1.5G')).toBe(1536);
    expect(() => parseMemoryMb('1.5')).toThrow(/whole number of megabytes/);
    expect(() => parseMemoryMb('lots')).toThrow(/e.g. 1024, 512m or 2g/);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('0')).toBe(0);
    expect(() => parseDuration('an hour')).toThrow(InvalidArgumentError);
  });
});

describe('project execution flags', () => {
  function parse(args: string[], update = true): ExecutionFlags {
    const command = addExecutionOptions(
      new Command().exitOverride().configureOutput({ writeErr: () => {} }),
      { update },
    );
    command.parse(args, { from: 'user' });
    return command.opts<ExecutionFlags>();
  }

  it('sends nothing when no execution flag is given', () => {
    expect(executionInput(parse([]))).toBeUndefined();
    expect(executionInput(parse([], false))).toBeUndefined();
  });

  it('maps every flag to the API field', () => {
    const flags = parse([
      '--image',
      'tevis-tpu:2',
      '--agent',
      'my-agent --task "$TEVIS_GOAL"',
      '--tpu-limit',
      '3',
      '--hold-plan',
      '--no-hold-merge',
      '--network',
      '--memory',
      '2g',
      '--cpus',
      '1.5',
      '--pids',
      '512',
      '--disk',
      '2g',
      '--tpu-timeout',
      '30m',
      '--push',
      'on-merge',
      '--webhook',
      'https://hooks.example.com/tevis',
      '--hold-deadline',
      '24h',
      '--hold-deadline-action',
      'pause',
      '--executor',
      'docker',
      '--host-lost',
      '5m',
      '--agent-protocol',
      'acp',
    ]);
    expect(executionInput(flags)).toEqual({
      image: 'tevis-tpu:2',
      agent: 'my-agent --task "$TEVIS_GOAL"',
      tpuLimit: 3,
      holdPlan: true,
      holdMerge: false,
      network: true,
      memoryMb: 2048,
      cpus: 1.5,
      pids: 512,
      diskMb: 2048,
      tpuTimeoutSeconds: 1800,
      push: 'on-merge',
      webhookUrl: 'https://hooks.example.com/tevis',
      holdDeadlineSeconds: 86400,
      holdDeadlineAction: 'pause',
      executor: 'docker',
      hostLostSeconds: 300,
      agentProtocol: 'acp',
    });
    // Stored with the project, then copied into each session it starts.
    expect(applyExecutionInput(DEFAULT_EXECUTION_SETTINGS, executionInput(flags)!).hostLostSeconds).toBe(300);
    expect(applyExecutionInput(DEFAULT_EXECUTION_SETTINGS, {}).hostLostSeconds).toBeUndefined();
    // Kept across updates that do not name it; absent (the exit-75 command protocol) by default.
    const acp = applyExecutionInput(DEFAULT_EXECUTION_SETTINGS, executionInput(flags)!);
    expect(applyExecutionInput(acp, { tpuLimit: 1 }).agentProtocol).toBe('acp');
    expect(applyExecutionInput(DEFAULT_EXECUTION_SETTINGS, {}).agentProtocol).toBeUndefined();
  });

  it('gives a TPU 1024 MB of disk unless the project says otherwise', () => {
    expect(DEFAULT_EXECUTION_SETTINGS.limits.diskMb).toBe(1024);
    const { diskMb: _none, ...older } = DEFAULT_EXECUTION_SETTINGS.limits;
    // Settings saved before the limit existed get the default on their next update.
    expect(applyExecutionInput({ ...DEFAULT_EXECUTION_SETTINGS, limits: older }, {}).limits.diskMb).toBe(
      1024,
    );
    expect(
      applyExecutionInput(DEFAULT_EXECUTION_SETTINGS, executionInput(parse(['--disk', '512']))!).limits
        .diskMb,
    ).toBe(512);
  });

  it('lets a project require an executor, and --executor any give the choice back to the worker', () => {
    expect(DEFAULT_EXECUTION_SETTINGS.executor).toBeNull();
    const strict = applyExecutionInput(
      DEFAULT_EXECUTION_SETTINGS,
      executionInput(parse(['--executor', 'sandbox']))!,
    );
    expect(strict.executor).toBe('sandbox');
    expect(applyExecutionInput(strict, {}).executor).toBe('sandbox');
    expect(applyExecutionInput(strict, executionInput(parse(['--executor', 'any']))!).executor).toBeNull();
    expect(() => parse(['--executor', 'unsandboxed'])).toThrow(/Allowed choices are docker, sandbox, any/);
  });

  it('turns --no-X into false, and --no-agent / --no-webhook into null (removed)', () => {
    expect(executionInput(parse(['--no-network', '--no-hold-plan']))).toEqual({
      network: false,
      holdPlan: false,
    });
    expect(executionInput(parse(['--no-agent', '--no-webhook']))).toEqual({ agent: null, webhookUrl: null });
  });

  it('offers --no-agent and --no-webhook only on update', () => {
    expect(() => parse(['--no-agent'], false)).toThrow();
  });

  it('refuses a push policy that does not exist', () => {
    expect(() => parse(['--push', 'sometimes'])).toThrow(
      /Allowed choices are never, nanocycle-branches, on-merge, on-end/,
    );
  });

  it('refuses an agent protocol that does not exist', () => {
    expect(() => parse(['--agent-protocol', 'mcp'])).toThrow(/Allowed choices are command, acp/);
  });

  it('names the flag when the contract refuses a value', () => {
    const flags = { ...EXECUTION_FLAG_NAMES, name: 'NAME', repository: '--repo' };
    expect(() =>
      validateRequest(ProjectUpdate, { execution: executionInput(parse(['--tpu-limit', '99'])) }, flags),
    ).toThrow(/^--tpu-limit: /);
    expect(() =>
      validateRequest(ProjectUpdate, { execution: executionInput(parse(['--cpus', '0'])) }, flags),
    ).toThrow(/^--cpus: /);
    expect(() =>
      validateRequest(ProjectUpdate, { execution: executionInput(parse(['--tpu-timeout', '30d'])) }, flags),
    ).toThrow(/^--tpu-timeout: /);
    expect(() =>
      validateRequest(ProjectUpdate, { execution: executionInput(parse(['--image', 'bad image'])) }, flags),
    ).toThrow(/^--image: an image reference/);
    const created = validateRequest(
      ProjectCreate,
      {
        name: 'app',
        repository: '/srv/app.git',
        execution: executionInput(parse(['--memory', '512', '--pids', '64'], false)),
      },
      flags,
    );
    expect(created.execution).toEqual({ memoryMb: 512, pids: 64 });
  });
});
