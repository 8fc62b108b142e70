// A PulseAudio daemon with a null sink, for engines whose live AudioContext needs an audio
// output device (Firefox: without one the context stays 'suspended'). Started once per
// machine and left running (it exits with the session); its socket lives in
// $XDG_RUNTIME_DIR, which the browser must share.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

const RUNTIME_DIR = process.env.XDG_RUNTIME_DIR || '/tmp/pitchtap-pulse';

let ready = null;
export function ensurePulse() {
  if (ready) return ready;
  ready = (async () => {
    mkdirSync(RUNTIME_DIR, { recursive: true, mode: 0o700 });
    const env = { ...process.env, XDG_RUNTIME_DIR: RUNTIME_DIR };
    const running = () => {
      try {
        execFileSync('pactl', ['info'], { env, stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };
    if (!running()) {
      if (!existsSync('/usr/bin/pulseaudio'))
        throw new Error('pulseaudio is not installed (make setup installs it)');
      const p = spawn(
        'pulseaudio',
        [
          '--daemonize=no',
          '--exit-idle-time=-1',
          '-n',
          '--load=module-native-protocol-unix',
          '--load=module-null-sink sink_name=null rate=44100',
          '--load=module-always-sink',
        ],
        { env, stdio: 'ignore', detached: true },
      );
      p.unref();
      for (let i = 0; i < 100 && !running(); i++) await new Promise((r) => setTimeout(r, 100));
      if (!running()) throw new Error('pulseaudio did not start');
    }
    return { XDG_RUNTIME_DIR: RUNTIME_DIR };
  })();
  return ready;
}
