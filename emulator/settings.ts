/**
 * The emulator's knobs and its simulated clock. Simulated time runs `speed` times faster than real
 * time from an anchor; changing the speed re-anchors, so simulated time never jumps back and every
 * count stays monotone.
 */

/** Adjustable settings (admin API `PUT /__emulator/settings` and `PUT /__emulator/clock`). */
export interface Settings {
  /** Simulated seconds per real second. */
  speed: number;
  anchorReal: number;
  anchorSim: number;
  /** Simulated seconds between a title update and the moment viewers see it. */
  propagationSeconds: number;
  /** Lifetime of access tokens, real seconds (Google: 3599). */
  accessTokenTtlSeconds: number;
}

const DEFAULTS = { speed: 1, propagationSeconds: 120, accessTokenTtlSeconds: 3599 };

/** Reads the settings, creating them (anchored at `nowReal`) on first use. */
export function readSettings(sql: SqlStorage, nowReal: number): Settings {
  const row = sql.exec<{ value: string }>("SELECT value FROM settings WHERE key = 'config'").toArray()[0];
  if (row) return JSON.parse(row.value) as Settings;
  const fresh: Settings = { ...DEFAULTS, anchorReal: nowReal, anchorSim: nowReal };
  writeSettings(sql, fresh);
  return fresh;
}

/** Stores the settings. */
export function writeSettings(sql: SqlStorage, settings: Settings): void {
  sql.exec(
    "INSERT INTO settings (key, value) VALUES ('config', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    JSON.stringify(settings),
  );
}

/** Simulated now for a real instant. */
export function simNow(settings: Settings, nowReal: number): number {
  return Math.floor(settings.anchorSim + (nowReal - settings.anchorReal) * settings.speed);
}

/** New settings with the clock re-anchored at `nowReal`, optionally a new speed and a jump forward. */
export function retimed(settings: Settings, nowReal: number, speed?: number, advanceSeconds = 0): Settings {
  return {
    ...settings,
    anchorSim: simNow(settings, nowReal) + Math.max(0, advanceSeconds) * 1000,
    anchorReal: nowReal,
    speed: speed ?? settings.speed,
  };
}
