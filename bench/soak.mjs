// Soak: the built service (dist/main.js, the image's NODE_OPTIONS) on the local provider under
// steady mixed traffic for SOAK_MINUTES: runs POSTed at a fixed rate (every seventh one failing
// on purpose), schedules firing every second, pipeline versions, experiments and probes, and a
// webhook receiver in another process that answers 500 to every tenth request, so retries
// flow too. Every SOAK_SAMPLE_SECONDS it prints the heap used after a full GC and the RSS of the
// service. The GC is forced through the inspector protocol (the service runs with
// --inspect on a loopback port; HeapProfiler.collectGarbage, then process.memoryUsage() read
// with Runtime.evaluate), so the service needs no debug-only code of its own. At the end it
// prints the growth from minute 2 to the end.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, imageNodeOptions, row, rssMiB, startWebhookReceiver, stopChild, waitFor2xx } from './support.mjs';

const minutes = Number(process.env.SOAK_MINUTES ?? 3);
const runsPerSecond = Number(process.env.SOAK_RUNS_PER_SECOND ?? 20);
const sampleSeconds = Number(process.env.SOAK_SAMPLE_SECONDS ?? 30);
const maxOutstanding = 64;
const serviceScript = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const mebibyte = 1024 * 1024;

/** Forces a full GC in the service and reads its memory usage, over the inspector protocol. */
async function memoryAfterGc(inspectorPort) {
  const [target] = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
  // Node 22 and later have a WebSocket client built in.
  const socket = new globalThis.WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  const pending = new Map();
  socket.addEventListener('message', (message) => {
    const answer = JSON.parse(String(message.data));
    pending.get(answer.id)?.(answer);
  });
  let sequence = 0;
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      sequence += 1;
      pending.set(sequence, resolve);
      socket.send(JSON.stringify({ id: sequence, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const answer = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    return JSON.parse(answer.result.result.value);
  } finally {
    socket.close();
  }
}

async function startService(webhookUrl) {
  const [port, metricsPort, inspectorPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    PATH: process.env.PATH,
    NODE_OPTIONS: imageNodeOptions(),
    PROVIDER_TYPE: 'local',
    SERVER_PORT: String(port),
    METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'error',
    OPERATORWEBHOOK: webhookUrl,
    PARAMETERS_RUNDURATIONMS: '200',
    EVENTS_RETRY_INITIAL_MS: '100',
    EVENTS_RETRY_MAX_MS: '1000',
  };
  const startedAt = performance.now();
  const child = spawn(process.execPath, [`--inspect=127.0.0.1:${inspectorPort}`, serviceScript], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // The inspector announces itself and each session on stderr; everything else the service says there is shown.
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => {
    const lines = text.split('\n').filter((line) => line && !/Debugger (listening|attached|ending)|For help, see/.test(line));
    if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
  });
  await waitFor2xx(`http://127.0.0.1:${port}/readyz`, startedAt, 30_000, child);
  return { child, url: `http://127.0.0.1:${port}`, inspectorPort };
}

/** The operator's calls, as its Argo Workflow steps make them. */
function traffic(url) {
  const counts = { runs: 0, other: 0, errors: 0, skipped: 0 };
  let outstanding = 0;
  const send = async (method, path, body) => {
    if (outstanding >= maxOutstanding) {
      counts.skipped += 1;
      return;
    }
    outstanding += 1;
    try {
      const response = await fetch(`${url}${path}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      await response.arrayBuffer();
      if (!response.ok) counts.errors += 1;
    } catch {
      counts.errors += 1;
    } finally {
      outstanding -= 1;
    }
  };
  const pipeline = (version) => ({
    pipelineDefinition: { name: 'soak/pipeline', version, image: 'soak:1', env: [], framework: { name: 'kfpsdk', parameters: {} } },
    compiledPipeline: { pipelineInfo: { name: 'soak-pipeline' }, root: { dag: { tasks: {} } }, schemaVersion: '2.1.0' },
  });
  const run = (n) => ({
    name: `soak/run-${n}`,
    version: '1',
    pipelineName: 'soak/pipeline',
    pipelineVersion: 'v1',
    runConfigurationName: 'soak/daily',
    experimentName: '',
    parameters: n % 7 === 0 ? { outcome: 'failed' } : { learningRate: '0.1' },
    artifacts: [{ name: 'model', path: 'Trainer:model' }],
  });
  const schedule = (n) => ({
    ...run(n),
    name: `soak/schedule-${n}`,
    schedule: { cronExpression: '* * * * * *' },
    triggerIndicator: { type: 'schedule', source: `schedule-${n}`, sourceNamespace: 'soak' },
  });
  return {
    counts,
    async setUp() {
      await send('POST', '/resource/pipeline', pipeline('v1'));
      for (const n of [1, 2]) await send('POST', '/resource/runschedule', schedule(n));
    },
    tick(n) {
      counts.runs += 1;
      void send('POST', '/resource/run', run(n));
      if (n % 20 === 0) {
        counts.other += 2;
        // Five versions in turn: the provider's own state stays the same size, so growth is a leak.
        void send('PUT', '/resource/pipeline/soak%2Fpipeline', pipeline(`v${((n / 20) % 5) + 1}`));
        void send('GET', '/readyz');
      }
      if (n % 50 === 0) {
        counts.other += 2;
        const experiment = { name: `soak/experiment-${n}`, version: '1', description: 'soak' };
        void send('POST', '/resource/experiment', experiment).then(() => send('DELETE', `/resource/experiment/soak%2Fexperiment-${n}`));
      }
    },
  };
}

export async function main() {
  const receiver = await startWebhookReceiver({ WEBHOOK_LATENCY_MS: '2', WEBHOOK_FAIL_EVERY: '10', WEBHOOK_COUNT_RUN_IDS: '1' });
  const service = await startService(receiver.url);
  const load = traffic(service.url);
  const samples = [];
  const sample = async (seconds) => {
    const memory = await memoryAfterGc(service.inspectorPort);
    const { count, received } = await receiver.ask('count');
    const taken = { seconds, heapMiB: memory.heapUsed / mebibyte, rssMiB: rssMiB(service.child.pid), delivered: count, requests: received };
    samples.push(taken);
    row(
      [
        `${seconds}`,
        taken.heapMiB.toFixed(2),
        taken.rssMiB.toFixed(1),
        load.counts.runs,
        taken.delivered,
        taken.requests,
        load.counts.errors,
        load.counts.skipped,
      ],
      widths,
    );
  };
  const widths = [8, 18, 10, 12, 16, 16, 10, 10];
  try {
    console.log(
      `\nsoak: dist/main.js (local provider, NODE_OPTIONS="${imageNodeOptions()}") for ${minutes} min; ${runsPerSecond} runs/s POSTed, ` +
        `2 schedules firing every second, pipeline updates, experiments and probes; the webhook answers 500 to every 10th request`,
    );
    row(['t (s)', 'heap after GC MiB', 'RSS MiB', 'runs POSTed', 'events delivered', 'webhook requests', 'API errors', 'skipped'], widths);
    await load.setUp();
    await sample(0);
    const started = performance.now();
    const endAt = started + minutes * 60_000;
    let nextSample = sampleSeconds;
    for (let n = 1; performance.now() < endAt; n += 1) {
      const due = started + (n * 1000) / runsPerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      load.tick(n);
      if (performance.now() - started >= nextSample * 1000) {
        await sample(nextSample);
        nextSample += sampleSeconds;
      }
    }
    if (samples.at(-1).seconds < minutes * 60) await sample(minutes * 60);
    const from = samples.find((taken) => taken.seconds >= 120) ?? samples[0];
    const to = samples.at(-1);
    const growth = (end, start) => `${(((end - start) / start) * 100).toFixed(1)}%`;
    console.log(
      `growth from ${from.seconds} s to ${to.seconds} s: heap after GC ${from.heapMiB.toFixed(2)} → ${to.heapMiB.toFixed(2)} MiB (${growth(to.heapMiB, from.heapMiB)}), ` +
        `RSS ${from.rssMiB.toFixed(1)} → ${to.rssMiB.toFixed(1)} MiB (${growth(to.rssMiB, from.rssMiB)})`,
    );
    const heapPerEvent = ((to.heapMiB - from.heapMiB) * mebibyte) / Math.max(1, to.delivered - from.delivered);
    console.log(`heap retained per event delivered over that span: ${(heapPerEvent / 1024).toFixed(2)} KiB`);
    console.log(`target: < 10% growth of heap after GC and RSS from minute 2 to the end (stated for a 10-minute soak)`);
  } finally {
    await stopChild(service.child);
    receiver.child.kill();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
