import { expect } from 'chai';
import { formatConfigHelp } from '../../src/config/service-config.js';

// Written out by hand, not taken from the settings table: adding, dropping or renaming a setting
// must show up here.
const everyVariable = [
  'PROVIDER_TYPE',
  'PROVIDERNAME',
  'PIPELINEROOTSTORAGE',
  'OPERATORWEBHOOK',
  'SERVER_HOST',
  'SERVER_PORT',
  'METRICS_HOST',
  'METRICS_PORT',
  'HTTP_BODY_LIMIT_BYTES',
  'HTTP_BODY_LIMIT_VALUES',
  'HTTP_BODY_LIMIT_DEPTH',
  'HTTP_CONNECTION_LIMIT',
  'HTTP_KEEP_ALIVE_TIMEOUT_MS',
  'HTTP_HEADERS_TIMEOUT_MS',
  'HTTP_REQUEST_TIMEOUT_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'SHUTDOWN_DELAY_MS',
  'LOG_LEVEL',
  'EVENTS_CONCURRENCY',
  'EVENTS_MAX_AGE_MS',
  'EVENTS_RETRY_INITIAL_MS',
  'EVENTS_RETRY_MAX_MS',
  'EVENTS_MAX_AWAITING_RETRY',
  'WEBHOOK_TIMEOUT_MS',
  'EVENTS_SOURCE_RECONNECT_BUDGET_MS',
  'BACKEND_TIMEOUT_MS',
  'PARAMETERS_RUNDURATIONMS',
  'PARAMETERS_STATEFILE',
  'PARAMETERS_STATELOCKWAITMS',
  'PARAMETERS_VAIPROJECT',
  'PARAMETERS_VAILOCATION',
  'PARAMETERS_VAIJOBSERVICEACCOUNT',
  'PARAMETERS_VAIENDPOINT',
  'PARAMETERS_PIPELINEBUCKET',
  'PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION',
  'PARAMETERS_MAXCONCURRENTRUNCOUNT',
  'PARAMETERS_PSCNETWORKATTACHMENT',
  'PARAMETERS_GCSENDPOINT',
  'STORAGE_EMULATOR_HOST',
  'PUBSUB_EMULATOR_HOST',
  'PARAMETERS_RESTKFPAPIURL',
  'PARAMETERS_GRPCKFPAPIADDRESS',
  'PARAMETERS_GRPCMETADATASTOREADDRESS',
  'PARAMETERS_KFPNAMESPACE',
  'PARAMETERS_KFPMULTIUSERMODE',
  'PARAMETERS_DEFAULTEXPERIMENT',
  'PARAMETERS_KFPWORKFLOWEVENTS',
  'KFP_TOKEN_FILE',
  'KUBECONFIG',
  'KUBERNETES_SERVICE_HOST',
  'KFP_LEADER_ELECTION',
  'KFP_LEASE_NAME',
  'KFP_LEASE_NAMESPACE',
  'KFP_LEASE_HOLDER_IDENTITY',
  'HOSTNAME',
  'KFP_LEASE_DURATION_MS',
  'KFP_LEASE_RENEW_DEADLINE_MS',
  'KFP_LEASE_RETRY_PERIOD_MS',
];

const help = formatConfigHelp();
const rows = help.split('\n').filter((line) => /^ {2}[A-Z]/.test(line));

function row(variable: string): string {
  const matching = rows.filter((line) => line.startsWith(`  ${variable} `));
  expect(matching, variable).to.have.length(1);
  return matching[0]!;
}

describe('--help', () => {
  it('lists every variable exactly once', () => {
    const listed = rows.map((line) => line.trim().split(' ')[0]);
    expect([...listed].sort()).to.deep.equal([...everyVariable].sort());
  });

  it('prints the defaults', () => {
    const defaults: Record<string, string> = {
      PROVIDER_TYPE: 'local',
      PROVIDERNAME: 'local (local only)',
      PIPELINEROOTSTORAGE: 'file:///tmp/kfp-local (local only)',
      SERVER_HOST: '0.0.0.0',
      SERVER_PORT: '8080',
      METRICS_PORT: '8081',
      METRICS_HOST: 'SERVER_HOST',
      HTTP_BODY_LIMIT_BYTES: '33554432',
      HTTP_BODY_LIMIT_VALUES: '200000',
      HTTP_BODY_LIMIT_DEPTH: '64',
      HTTP_CONNECTION_LIMIT: '1000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000',
      HTTP_HEADERS_TIMEOUT_MS: '10000',
      HTTP_REQUEST_TIMEOUT_MS: '60000',
      SHUTDOWN_TIMEOUT_MS: '5000',
      SHUTDOWN_DELAY_MS: '5000 in a Kubernetes pod, 0 elsewhere',
      LOG_LEVEL: 'info',
      EVENTS_CONCURRENCY: '8',
      EVENTS_MAX_AGE_MS: '86400000',
      EVENTS_RETRY_INITIAL_MS: '1000',
      EVENTS_RETRY_MAX_MS: '60000',
      WEBHOOK_TIMEOUT_MS: '10000',
      EVENTS_SOURCE_RECONNECT_BUDGET_MS: '300000',
      PARAMETERS_RUNDURATIONMS: '2000',
      PARAMETERS_MAXCONCURRENTRUNCOUNT: '10',
      PARAMETERS_VAIENDPOINT: '<vaiLocation>-aiplatform.googleapis.com:443',
      PARAMETERS_KFPWORKFLOWEVENTS: 'watch',
      KFP_TOKEN_FILE: '/var/run/secrets/kfp/token',
      KFP_LEADER_ELECTION: 'true',
      KFP_LEASE_NAME: 'provider-{name of PROVIDERNAME}',
      KFP_LEASE_HOLDER_IDENTITY: 'HOSTNAME',
      KFP_LEASE_DURATION_MS: '15000',
      KFP_LEASE_RENEW_DEADLINE_MS: '10000',
      KFP_LEASE_RETRY_PERIOD_MS: '2000',
    };
    for (const [variable, value] of Object.entries(defaults))
      expect(row(variable), variable).to.match(new RegExp(`\\(default ${escape(value)}\\)$`));
  });

  it('prints no default for settings that have none', () => {
    for (const variable of [
      'OPERATORWEBHOOK',
      'PARAMETERS_VAIPROJECT',
      'PARAMETERS_RESTKFPAPIURL',
      'KUBECONFIG',
      'PARAMETERS_KFPNAMESPACE',
    ]) {
      expect(row(variable), variable).not.to.include('(default');
    }
  });

  it('says what the settings that are easy to get wrong mean', () => {
    expect(row('LOG_LEVEL')).to.include('(default info)');
    expect(row('PARAMETERS_GRPCKFPAPIADDRESS')).to.include('accepted for compatibility').and.include('unused');
    expect(row('PARAMETERS_KFPNAMESPACE')).to.include('empty or unset = all namespaces');
    expect(row('KUBECONFIG')).to.include('in-cluster service account').and.include('never ~/.kube/config');
    expect(row('SERVER_PORT')).to.include('0 = any free port');
  });

  it('groups the provider parameters under their provider', () => {
    const lines = help.split('\n');
    const section = (variable: string): string | undefined =>
      lines
        .slice(0, lines.indexOf(row(variable)))
        .reverse()
        .find((line) => line.endsWith(':'));
    expect(section('SERVER_PORT')).to.equal('Configuration (environment variables):');
    expect(section('PARAMETERS_RUNDURATIONMS')).to.equal('Local provider (local):');
    expect(section('PARAMETERS_VAIPROJECT')).to.equal('Vertex AI (vai):');
    expect(section('PUBSUB_EMULATOR_HOST')).to.equal('Vertex AI (vai):');
    expect(section('KUBECONFIG')).to.equal('Kubeflow Pipelines (kfp):');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
