// The local stand-in for Fly: the fake Machines API, where every created "machine" is a real worker process on
// this computer, so the same spawner, lease and recovery code runs as in production. Node APIs only (dev tool).
// Each machine leads its own process group: killing a machine kills its ffmpeg too, as a dying VM would, and a
// terminal's Ctrl-C reaches only the orchestrator, which stops machines before the services they report to.
import { type ChildProcess, spawn } from "node:child_process";
import { loadFlyMachinesSpec } from "../fly-fake/load-fly-machines-spec.ts";
import {
  type FakeFlyApi,
  type FakeFlyMachine,
  type FakeStopSettings,
  FLY_DEFAULT_STOP,
  fakeStopSettings,
  startFakeFlyApi,
} from "../fly-fake/start-fake-fly-api.ts";
import { lineSplitter } from "./prefixed-log.ts";

export interface MachineRecord {
  readonly id: string;
  readonly tag: string | null;
  readonly startedAt: number;
  exitedAt: number | null;
  exitCode: number | null;
  signal: string | null;
}

export interface LauncherOptions {
  readonly appName: string;
  readonly token: string;
  readonly port?: number;
  /** The worker command, e.g. [bunPath, "worker-image/main.ts"]; the machine's env is added to `baseEnv`. */
  readonly command: readonly string[];
  readonly cwd: string;
  /** Environment every machine starts from (PATH and the like); the create request's env is laid over it. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /**
   * The app's secrets, as `fly secrets` would hold them: every machine gets them, under its own env (make dev puts
   * the workers' credentials here, as make deploy does on Fly).
   */
  readonly appSecrets?: Readonly<Record<string, string>>;
  /** Rewrites a machine's env before start, e.g. to point callbacks at a local port. */
  readonly mapEnv?: (env: Record<string, string>) => Record<string, string>;
  readonly log: (machineId: string, line: string) => void;
  readonly now: () => number;
}

export interface MachineLauncher {
  readonly fly: FakeFlyApi;
  /** Every machine ever launched, with when it started and ended: the record of what would have been billed. */
  records(): readonly MachineRecord[];
  live(): number;
  /** Most machines alive at once so far. */
  peakLive(): number;
  /** The machines alive when the peak was first reached (to explain it). */
  peakIds(): readonly string[];
  /** Ids of the machines alive now. */
  liveIds(): readonly string[];
  /** SIGKILLs one live machine with everything it started (chaos); answers its id, or null when none is alive. */
  killOne(pick: (ids: readonly string[]) => string | undefined): string | null;
  close(): Promise<void>;
}

const SIGNAL_EXIT = 128 + 9;

/** Signals a whole process group; a group already gone is fine. */
const killGroup = (pid: number | undefined, signal: NodeJS.Signals): void => {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group has ended
  }
};

// Machines still running when this process exits are killed, so a crashed orchestrator leaves none behind.
const allMachines = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of allMachines) killGroup(child.pid, "SIGKILL");
});

export async function startLocalMachineLauncher(options: LauncherOptions): Promise<MachineLauncher> {
  const processes = new Map<string, ChildProcess>();
  const records: MachineRecord[] = [];
  let peak = 0;
  let peakIds: readonly string[] = [];
  // The fake is created below; exits reported before it exists cannot happen (machines start after create).
  let fly: FakeFlyApi | undefined;

  const launch = (machine: FakeFlyMachine): void => {
    const given = { ...options.baseEnv, ...options.appSecrets, ...machine.config.env };
    const env = options.mapEnv?.(given) ?? given;
    const [command, ...args] = options.command;
    if (!command) throw new Error("the launcher needs a worker command");
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...env, FLY_MACHINE_ID: machine.id, FLY_APP_NAME: options.appName, FLY_REGION: machine.region },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    allMachines.add(child);
    const record: MachineRecord = {
      id: machine.id,
      tag: machine.config.metadata?.tcoder_tag ?? null,
      startedAt: options.now(),
      exitedAt: null,
      exitCode: null,
      signal: null,
    };
    records.push(record);
    processes.set(machine.id, child);
    if (processes.size > peak) {
      peak = processes.size;
      peakIds = [...processes.keys()];
    }
    const forward = () => lineSplitter((line) => options.log(machine.id, line));
    const out = forward();
    const err = forward();
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("close", () => {
      out.flush();
      err.flush();
    });
    const ended = (code: number | null, signal: NodeJS.Signals | null, note: string) => {
      if (record.exitedAt !== null) return;
      // Whatever the worker left running (an ffmpeg after a crash) ends with its machine.
      killGroup(child.pid, "SIGKILL");
      allMachines.delete(child);
      processes.delete(machine.id);
      record.exitedAt = options.now();
      record.exitCode = code;
      record.signal = signal;
      fly?.markExited(machine.id, code ?? SIGNAL_EXIT);
      options.log(machine.id, note);
    };
    child.on("exit", (code, signal) => ended(code, signal, `exited ${signal ?? code}`));
    child.on("error", (error) => ended(127, null, `could not start: ${error.message}`));
  };

  /**
   * As Fly stops a machine: the stop signal to the worker alone (Fly's init delivers it to the main process), then
   * SIGKILL to everything the machine runs once the timeout passes, if it has not exited by then.
   */
  const stop = (id: string, settings: FakeStopSettings): Promise<void> => {
    const child = processes.get(id);
    if (child === undefined) return Promise.resolve();
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    const kill = setTimeout(() => killGroup(child.pid, "SIGKILL"), settings.timeoutMs);
    void exited.then(() => clearTimeout(kill));
    child.kill(settings.signal as NodeJS.Signals);
    return exited;
  };

  fly = await startFakeFlyApi({
    appName: options.appName,
    token: options.token,
    spec: await loadFlyMachinesSpec(),
    port: options.port ?? 0,
    now: options.now,
    onCreate: launch,
    onDestroy: (machine) => killGroup(processes.get(machine.id)?.pid, "SIGKILL"),
    // To the worker alone, as Fly's init delivers it to the main process (never to its ffmpeg).
    onSignal: (machine, signal) => processes.get(machine.id)?.kill(signal as NodeJS.Signals),
    onStop: (machine, settings) => void stop(machine.id, settings),
  });
  const api = fly;

  return {
    fly: api,
    records: () => records,
    live: () => processes.size,
    peakLive: () => peak,
    peakIds: () => peakIds,
    liveIds: () => [...processes.keys()],
    killOne: (pick) => {
      const id = pick([...processes.keys()]);
      if (!id) return null;
      killGroup(processes.get(id)?.pid, "SIGKILL");
      return id;
    },
    close: async () => {
      // Every live machine stopped as Fly stops one, with its own stop_config: the worker hands its job back and
      // releases its slot, or is killed when its timeout passes.
      const configs = new Map(api.machines().map((machine) => [machine.id, machine.config]));
      await Promise.all(
        [...processes.keys()].map((id) => {
          const settings = fakeStopSettings(undefined, configs.get(id));
          return stop(id, settings.ok ? settings.settings : FLY_DEFAULT_STOP);
        }),
      );
      await api.close();
    },
  };
}
