import { startDemo } from "./demo";
import { startStack } from "./stack";

/**
 * `npm start`: the whole product on this machine, on embedded defaults (see `startStack`), with
 * its state under .data/, and a demo test running (see scripts/demo.ts; `npm start -- --no-demo`
 * leaves it out). Ctrl-C stops everything.
 */
const stack = await startStack({
  appPort: Number(process.env.PORT ?? 8787),
  emulatorPort: 8788,
  dataDir: ".data",
  databaseUrl: process.env.DATABASE_URL || undefined,
  verbose: true,
}).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void stack.stop().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
void stack.exited.then((code) => {
  if (stopping) return;
  console.error(`the Worker (scripts/worker-dev.ts) exited (${code}); stopping the rest`);
  stop();
});

const demo = process.argv.includes("--no-demo")
  ? null
  : await startDemo(stack, stack.seed).catch((err: unknown) => {
      console.error(`the demo test did not start: ${err instanceof Error ? err.message : err}`);
      return null;
    });

console.log(
  [
    "",
    `  TitleTesterPro is running at ${stack.url}`,
    ...(demo
      ? [
          `  Demo test (1-minute slots, the emulator's viewers at 60×; a winner in about 15 minutes): ${demo}`,
          `  Watch it as the demo creator, or from a terminal: curl -s ${stack.emulatorUrl}/__emulator/videos/${stack.seed.videos.toSorted((a, b) => b.viewsPerDay - a.viewsPerDay)[0]?.id}/timeline`,
        ]
      : []),
    `  Sign in as the demo creator (creator@example.com): open ${stack.url} and press "Sign in with Google"`,
    `  Google emulator: ${stack.emulatorUrl} (admin API under /__emulator/); Stripe's stand-in there too (card 4242 4242 4242 4242)`,
    `  Every mail the app sent: ${stack.emulatorUrl}/__emulator/mail/inbox`,
    "  A CTR test from reporting job to verdict in half a minute: npm run demo:ctr (in another terminal)",
    `  Cron by hand: ${stack.url}/__scheduled?cron=0+*+*+*+*`,
    "  Ctrl-C stops everything.",
    "",
  ].join("\n"),
);
