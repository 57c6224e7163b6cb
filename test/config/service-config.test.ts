import { expect } from 'chai';
import { ConfigError, loadServiceConfig, narrowServiceConfig } from '../../src/config/service-config.js';

type Env = Record<string, string | undefined>;

function configError(env: Env): ConfigError {
  try {
    loadServiceConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

// A cloud provider needs the operator's webhook and a pipeline root besides its own parameters.
const cloudEnv: Env = { OPERATORWEBHOOK: 'http://operator/events', PIPELINEROOTSTORAGE: 'gs://pipeline-root' };

const vertexEnv: Env = {
  ...cloudEnv,
  PROVIDERNAME: 'ops/vai',
  PARAMETERS_VAIPROJECT: 'proj',
  PARAMETERS_VAILOCATION: 'europe-west2',
  PARAMETERS_PIPELINEBUCKET: 'bucket',
  PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: 'sub',
};

const kfpEnv: Env = {
  ...cloudEnv,
  PROVIDERNAME: 'ops/kfp',
  PARAMETERS_RESTKFPAPIURL: 'http://ml-pipeline.kubeflow:8888',
  PARAMETERS_GRPCMETADATASTOREADDRESS: 'metadata-grpc-service.kubeflow:8080',
};

describe('service configuration', () => {
  describe('defaults', () => {
    it('runs the local provider on 0.0.0.0:8080 with metrics on 8081 when nothing is set', () => {
      const config = loadServiceConfig({});
      expect(config).to.deep.equal({
        providerType: 'local',
        providerName: { namespace: '', name: 'local' },
        pipelineRootStorage: '',
        server: { host: '0.0.0.0', port: 8080 },
        metricsHost: '0.0.0.0',
        metricsPort: 8081,
        connections: { limit: 1000, keepAliveTimeoutMs: 5000, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000 },
        bodyLimitBytes: 32 * 1024 * 1024,
        bodyLimitValues: 200_000,
        bodyLimitDepth: 64,
        shutdownTimeoutMs: 5000,
        shutdownDelayMs: 0,
        logLevel: 'info',
        events: {
          concurrency: 8,
          maxAgeMs: 86_400_000,
          retryInitialMs: 1000,
          retryMaxMs: 60_000,
          maxAwaitingRetry: 1000,
          webhookTimeoutMs: 10_000,
          sourceReconnectBudgetMs: 300_000,
        },
        backendTimeoutMs: 30_000,
        parameters: {},
        local: { runDurationMs: 2000, artifactRoot: 'file:///tmp/kfp-local' },
      });
      expect(config).not.to.have.property('operatorWebhook');
    });

    it('is frozen, nested objects included', () => {
      const config = loadServiceConfig({ PARAMETERS_LABELS: '{"a":{"b":1}}' });
      expect(Object.isFrozen(config)).to.equal(true);
      expect(Object.isFrozen(config.server)).to.equal(true);
      expect(Object.isFrozen(config.events)).to.equal(true);
      expect(Object.isFrozen(config.parameters['labels'])).to.equal(true);
    });

    it('treats empty and blank variables as unset', () => {
      const config = loadServiceConfig({ SERVER_PORT: '', METRICS_PORT: '  ', LOG_LEVEL: '', OPERATORWEBHOOK: '' });
      expect(config.server.port).to.equal(8080);
      expect(config.metricsPort).to.equal(8081);
      expect(config.logLevel).to.equal('info');
      expect(config).not.to.have.property('operatorWebhook');
    });
  });

  describe('every variable', () => {
    it('reads each setting from its variable', () => {
      const config = loadServiceConfig({
        PROVIDERNAME: 'ops/local-provider',
        PIPELINEROOTSTORAGE: 'gs://pipeline-root',
        OPERATORWEBHOOK: 'http://kfp-operator-events.kfp-operator:8080/events',
        SERVER_HOST: '127.0.0.1',
        SERVER_PORT: '9090',
        METRICS_PORT: '0',
        METRICS_HOST: '0.0.0.0',
        HTTP_BODY_LIMIT_BYTES: '1024',
        HTTP_BODY_LIMIT_VALUES: '100',
        HTTP_BODY_LIMIT_DEPTH: '8',
        HTTP_CONNECTION_LIMIT: '20',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
        HTTP_HEADERS_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '3000',
        SHUTDOWN_TIMEOUT_MS: '250',
        SHUTDOWN_DELAY_MS: '40',
        LOG_LEVEL: 'debug',
        EVENTS_CONCURRENCY: '3',
        EVENTS_MAX_AGE_MS: '60000',
        EVENTS_RETRY_INITIAL_MS: '5',
        EVENTS_RETRY_MAX_MS: '20',
        EVENTS_MAX_AWAITING_RETRY: '7',
        WEBHOOK_TIMEOUT_MS: '300',
        EVENTS_SOURCE_RECONNECT_BUDGET_MS: '4000',
        BACKEND_TIMEOUT_MS: '400',
        PARAMETERS_RUNDURATIONMS: '50',
      });
      expect(config.providerName).to.deep.equal({ namespace: 'ops', name: 'local-provider' });
      expect(config.pipelineRootStorage).to.equal('gs://pipeline-root');
      expect(config.operatorWebhook?.href).to.equal('http://kfp-operator-events.kfp-operator:8080/events');
      expect(config.server).to.deep.equal({ host: '127.0.0.1', port: 9090 });
      expect(config.metricsPort).to.equal(0);
      expect(config.metricsHost).to.equal('0.0.0.0');
      expect(config.bodyLimitBytes).to.equal(1024);
      expect(config.bodyLimitValues).to.equal(100);
      expect(config.bodyLimitDepth).to.equal(8);
      expect(config.connections).to.deep.equal({ limit: 20, keepAliveTimeoutMs: 1000, headersTimeoutMs: 2000, requestTimeoutMs: 3000 });
      expect(config.shutdownTimeoutMs).to.equal(250);
      expect(config.shutdownDelayMs).to.equal(40);
      expect(config.logLevel).to.equal('debug');
      expect(config.events).to.deep.equal({
        concurrency: 3,
        maxAgeMs: 60_000,
        retryInitialMs: 5,
        retryMaxMs: 20,
        maxAwaitingRetry: 7,
        webhookTimeoutMs: 300,
        sourceReconnectBudgetMs: 4000,
      });
      expect(config.backendTimeoutMs).to.equal(400);
      expect(narrowServiceConfig(config, 'local').local).to.deep.equal({ runDurationMs: 50, artifactRoot: 'gs://pipeline-root' });
    });

    it('binds /metrics where the API binds unless METRICS_HOST says otherwise', () => {
      expect(loadServiceConfig({ SERVER_HOST: '127.0.0.1' }).metricsHost).to.equal('127.0.0.1');
      expect(loadServiceConfig({ SERVER_HOST: '127.0.0.1', METRICS_HOST: '0.0.0.0' })).to.include({ metricsHost: '0.0.0.0' });
    });

    it('waits 5 s on SIGTERM in a Kubernetes pod, for its endpoints to be removed, and not elsewhere', () => {
      expect(loadServiceConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }).shutdownDelayMs).to.equal(5000);
      expect(loadServiceConfig({}).shutdownDelayMs).to.equal(0);
      expect(loadServiceConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1', SHUTDOWN_DELAY_MS: '0' }).shutdownDelayMs).to.equal(0);
    });

    it('raises the default largest retry delay to at least the first one', () => {
      expect(loadServiceConfig({ EVENTS_RETRY_INITIAL_MS: '120000' }).events.retryMaxMs).to.equal(120_000);
    });
  });

  describe('provider inference', () => {
    it('takes PROVIDER_TYPE over the parameters present', () => {
      const config = loadServiceConfig({ PROVIDER_TYPE: 'local', PARAMETERS_VAIPROJECT: 'proj' });
      expect(config.providerType).to.equal('local');
      expect(config.parameters).to.deep.equal({ vaiProject: 'proj' });
      expect(config).not.to.have.property('vai');
    });

    it('chooses vai when PARAMETERS_VAIPROJECT is set', () => {
      const config = loadServiceConfig(vertexEnv);
      expect(config.providerType).to.equal('vai');
      expect(narrowServiceConfig(config, 'vai').vai).to.deep.equal({
        project: 'proj',
        location: 'europe-west2',
        jobServiceAccount: '',
        pipelineBucket: 'bucket',
        eventsSubscription: 'sub',
        maxConcurrentRunCount: 10,
        pscNetworkAttachment: '',
        vaiEndpoint: 'europe-west2-aiplatform.googleapis.com:443',
      });
      expect(config).not.to.have.property('local');
    });

    it('chooses kfp when PARAMETERS_RESTKFPAPIURL is set', () => {
      const config = loadServiceConfig(kfpEnv);
      expect(config.providerType).to.equal('kfp');
      expect(narrowServiceConfig(config, 'kfp').kfp).to.deep.equal({
        restApiUrl: 'http://ml-pipeline.kubeflow:8888',
        metadataStoreAddress: 'metadata-grpc-service.kubeflow:8080',
        namespace: '',
        multiUserMode: false,
        defaultExperiment: '',
        tokenFile: '/var/run/secrets/kfp/token',
        workflowEvents: 'watch',
        inCluster: false,
        leaderElection: {
          leaseName: 'provider-kfp',
          leaseNamespace: 'ops',
          timing: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 },
        },
      });
    });

    it('reads the leader election of the workflow watch: identity from HOSTNAME unless configured, none in relay mode or when off', () => {
      const election = (env: Env) => narrowServiceConfig(loadServiceConfig({ ...kfpEnv, ...env }), 'kfp').kfp.leaderElection;
      expect(election({ HOSTNAME: 'provider-kfp-5c7d-abcde' })?.holderIdentity).to.equal('provider-kfp-5c7d-abcde');
      expect(election({ HOSTNAME: 'pod', KFP_LEASE_HOLDER_IDENTITY: 'replica-1' })?.holderIdentity).to.equal('replica-1');
      expect(
        election({
          KFP_LEASE_NAME: 'watch',
          KFP_LEASE_NAMESPACE: 'kubeflow',
          KFP_LEASE_DURATION_MS: '3000',
          KFP_LEASE_RENEW_DEADLINE_MS: '2000',
          KFP_LEASE_RETRY_PERIOD_MS: '500',
        }),
      ).to.deep.equal({
        leaseName: 'watch',
        leaseNamespace: 'kubeflow',
        timing: { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 },
      });
      expect(election({ PROVIDERNAME: 'kfp' })).to.include({ leaseName: 'provider-kfp', leaseNamespace: '' });
      expect(election({ KFP_LEADER_ELECTION: 'false' })).to.equal(undefined);
      expect(election({ PARAMETERS_KFPWORKFLOWEVENTS: 'relay' })).to.equal(undefined);
    });

    it('refuses a lease timing that could let two replicas watch at once, naming the variables', () => {
      const [problem] = configError({ ...kfpEnv, KFP_LEASE_DURATION_MS: '5000', KFP_LEASE_RENEW_DEADLINE_MS: '5000' }).problems;
      expect(problem?.variable).to.equal('KFP_LEASE_RENEW_DEADLINE_MS');
      expect(problem?.message)
        .to.contain('KFP_LEASE_DURATION_MS=5000, KFP_LEASE_RENEW_DEADLINE_MS=5000, KFP_LEASE_RETRY_PERIOD_MS=2000')
        .and.contain('the lease duration must be longer than the renew deadline');
      expect(configError({ ...kfpEnv, KFP_LEASE_DURATION_MS: '999' }).problems.map((found) => found.message)).to.deep.equal([
        'KFP_LEASE_DURATION_MS="999" must be a whole number of at least 1000',
      ]);
    });

    it('accepts PARAMETERS_GRPCKFPAPIADDRESS for compatibility and keeps it out of the kfp slice', () => {
      const config = loadServiceConfig({ ...kfpEnv, PARAMETERS_GRPCKFPAPIADDRESS: 'ml-pipeline.kubeflow:8887' });
      expect(config.parameters['grpcKfpApiAddress']).to.equal('ml-pipeline.kubeflow:8887');
      expect(narrowServiceConfig(config, 'kfp').kfp).not.to.have.property('grpcApiAddress');
    });

    it('reads KUBECONFIG into the kfp slice, and whether it runs in a pod from KUBERNETES_SERVICE_HOST', () => {
      const outside = narrowServiceConfig(loadServiceConfig({ ...kfpEnv, KUBECONFIG: '/etc/kube/config' }), 'kfp').kfp;
      expect(outside).to.include({ kubeConfigPath: '/etc/kube/config', inCluster: false });
      const inPod = narrowServiceConfig(loadServiceConfig({ ...kfpEnv, KUBERNETES_SERVICE_HOST: '10.0.0.1' }), 'kfp').kfp;
      expect(inPod.inCluster).to.equal(true);
      expect(inPod).not.to.have.property('kubeConfigPath');
    });

    it('chooses local otherwise', () => {
      expect(loadServiceConfig({ PARAMETERS_SOMETHING: 'x' }).providerType).to.equal('local');
    });

    it('reads the vai extras: max concurrent runs, endpoints and emulators', () => {
      const config = loadServiceConfig({
        ...vertexEnv,
        PARAMETERS_MAXCONCURRENTRUNCOUNT: '3',
        PARAMETERS_VAIJOBSERVICEACCOUNT: 'sa@proj.iam.gserviceaccount.com',
        PARAMETERS_PSCNETWORKATTACHMENT: 'att',
        STORAGE_EMULATOR_HOST: 'http://127.0.0.1:4443',
        PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
      });
      expect(narrowServiceConfig(config, 'vai').vai).to.include({
        maxConcurrentRunCount: 3,
        jobServiceAccount: 'sa@proj.iam.gserviceaccount.com',
        pscNetworkAttachment: 'att',
        gcsEndpoint: 'http://127.0.0.1:4443',
        pubsubEmulatorHost: '127.0.0.1:8085',
      });
    });

    it('takes 10 concurrent schedule runs when PARAMETERS_MAXCONCURRENTRUNCOUNT is unset', () => {
      expect(narrowServiceConfig(loadServiceConfig(vertexEnv), 'vai').vai.maxConcurrentRunCount).to.equal(10);
    });

    it('reads the kfp extras: multi-user mode, namespace, token file', () => {
      const config = loadServiceConfig({
        ...kfpEnv,
        PARAMETERS_KFPMULTIUSERMODE: 'true',
        PARAMETERS_KFPNAMESPACE: 'pipelines',
        PARAMETERS_DEFAULTEXPERIMENT: 'Default',
        KFP_TOKEN_FILE: '/tmp/token',
      });
      expect(narrowServiceConfig(config, 'kfp').kfp).to.include({
        multiUserMode: true,
        namespace: 'pipelines',
        defaultExperiment: 'Default',
        tokenFile: '/tmp/token',
      });
    });

    it('watches every namespace when PARAMETERS_KFPNAMESPACE is empty or unset, as multi-user mode needs', () => {
      expect(narrowServiceConfig(loadServiceConfig({ ...kfpEnv, PARAMETERS_KFPNAMESPACE: undefined }), 'kfp').kfp.namespace).to.equal('');
      expect(narrowServiceConfig(loadServiceConfig({ ...kfpEnv, PARAMETERS_KFPNAMESPACE: '' }), 'kfp').kfp.namespace).to.equal('');
    });
  });

  describe('errors name the variable', () => {
    const cases: Array<{ why: string; env: Env; variable: string }> = [
      { why: 'an unknown provider type', env: { PROVIDER_TYPE: 'sagemaker' }, variable: 'PROVIDER_TYPE' },
      { why: 'vai without PROVIDERNAME', env: { ...vertexEnv, PROVIDERNAME: undefined }, variable: 'PROVIDERNAME' },
      { why: 'vai without a location', env: { ...vertexEnv, PARAMETERS_VAILOCATION: undefined }, variable: 'PARAMETERS_VAILOCATION' },
      { why: 'vai without a bucket', env: { ...vertexEnv, PARAMETERS_PIPELINEBUCKET: '' }, variable: 'PARAMETERS_PIPELINEBUCKET' },
      {
        why: 'vai without a subscription',
        env: { ...vertexEnv, PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: undefined },
        variable: 'PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION',
      },
      {
        why: 'vai chosen explicitly without a project',
        env: { ...vertexEnv, PARAMETERS_VAIPROJECT: undefined, PROVIDER_TYPE: 'vai' },
        variable: 'PARAMETERS_VAIPROJECT',
      },
      {
        why: 'vai without OPERATORWEBHOOK (its events would only be logged)',
        env: { ...vertexEnv, OPERATORWEBHOOK: undefined },
        variable: 'OPERATORWEBHOOK',
      },
      { why: 'kfp without OPERATORWEBHOOK', env: { ...kfpEnv, OPERATORWEBHOOK: '' }, variable: 'OPERATORWEBHOOK' },
      { why: 'vai without PIPELINEROOTSTORAGE', env: { ...vertexEnv, PIPELINEROOTSTORAGE: undefined }, variable: 'PIPELINEROOTSTORAGE' },
      { why: 'kfp without PIPELINEROOTSTORAGE', env: { ...kfpEnv, PIPELINEROOTSTORAGE: ' ' }, variable: 'PIPELINEROOTSTORAGE' },
      {
        why: 'an EVENTS_MAX_AGE_MS of 0 (every event would be dropped unsent)',
        env: { EVENTS_MAX_AGE_MS: '0' },
        variable: 'EVENTS_MAX_AGE_MS',
      },
      { why: 'kfp without PROVIDERNAME', env: { ...kfpEnv, PROVIDERNAME: undefined }, variable: 'PROVIDERNAME' },
      { why: 'a connection limit of 0', env: { HTTP_CONNECTION_LIMIT: '0' }, variable: 'HTTP_CONNECTION_LIMIT' },
      { why: 'a body depth limit that is no number', env: { HTTP_BODY_LIMIT_DEPTH: 'deep' }, variable: 'HTTP_BODY_LIMIT_DEPTH' },
      {
        why: 'a headers timeout longer than the request timeout',
        env: { HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' },
        variable: 'HTTP_HEADERS_TIMEOUT_MS',
      },
      {
        why: 'kfp without a metadata store',
        env: { ...kfpEnv, PARAMETERS_GRPCMETADATASTOREADDRESS: undefined },
        variable: 'PARAMETERS_GRPCMETADATASTOREADDRESS',
      },
      {
        why: 'kfp with a URL that is not http',
        env: { ...kfpEnv, PARAMETERS_RESTKFPAPIURL: 'ml-pipeline:8888' },
        variable: 'PARAMETERS_RESTKFPAPIURL',
      },
      {
        why: 'kfp chosen explicitly without an API URL',
        env: { ...kfpEnv, PARAMETERS_RESTKFPAPIURL: undefined, PROVIDER_TYPE: 'kfp' },
        variable: 'PARAMETERS_RESTKFPAPIURL',
      },
      {
        why: 'kfp with an unknown workflow event source',
        env: { ...kfpEnv, PARAMETERS_KFPWORKFLOWEVENTS: 'poll' },
        variable: 'PARAMETERS_KFPWORKFLOWEVENTS',
      },
      {
        why: 'kfp multi-user mode without a provider namespace',
        env: { ...kfpEnv, PROVIDERNAME: 'kfp', PARAMETERS_KFPMULTIUSERMODE: 'true' },
        variable: 'PROVIDERNAME',
      },
      { why: 'a malformed PROVIDERNAME', env: { PROVIDERNAME: 'a/b/c' }, variable: 'PROVIDERNAME' },
      { why: 'a PROVIDERNAME with an empty side', env: { PROVIDERNAME: '/x' }, variable: 'PROVIDERNAME' },
      { why: 'a non-numeric SERVER_PORT', env: { SERVER_PORT: 'abc' }, variable: 'SERVER_PORT' },
      { why: 'a SERVER_PORT above 65535', env: { SERVER_PORT: '65536' }, variable: 'SERVER_PORT' },
      { why: 'a negative SERVER_PORT', env: { SERVER_PORT: '-1' }, variable: 'SERVER_PORT' },
      { why: 'a fractional METRICS_PORT', env: { METRICS_PORT: '80.5' }, variable: 'METRICS_PORT' },
      { why: 'an OPERATORWEBHOOK that is not a URL', env: { OPERATORWEBHOOK: 'not a url' }, variable: 'OPERATORWEBHOOK' },
      { why: 'an OPERATORWEBHOOK that is not http', env: { OPERATORWEBHOOK: 'ftp://host/events' }, variable: 'OPERATORWEBHOOK' },
      { why: 'an unknown LOG_LEVEL', env: { LOG_LEVEL: 'verbose' }, variable: 'LOG_LEVEL' },
      { why: 'a zero HTTP_BODY_LIMIT_BYTES', env: { HTTP_BODY_LIMIT_BYTES: '0' }, variable: 'HTTP_BODY_LIMIT_BYTES' },
      { why: 'a zero EVENTS_CONCURRENCY', env: { EVENTS_CONCURRENCY: '0' }, variable: 'EVENTS_CONCURRENCY' },
      { why: 'a zero EVENTS_RETRY_INITIAL_MS', env: { EVENTS_RETRY_INITIAL_MS: '0' }, variable: 'EVENTS_RETRY_INITIAL_MS' },
      {
        why: 'a retry maximum below the initial delay',
        env: { EVENTS_RETRY_INITIAL_MS: '100', EVENTS_RETRY_MAX_MS: '50' },
        variable: 'EVENTS_RETRY_MAX_MS',
      },
      { why: 'a text EVENTS_MAX_AGE_MS', env: { EVENTS_MAX_AGE_MS: '1d' }, variable: 'EVENTS_MAX_AGE_MS' },
      { why: 'a zero EVENTS_MAX_AWAITING_RETRY', env: { EVENTS_MAX_AWAITING_RETRY: '0' }, variable: 'EVENTS_MAX_AWAITING_RETRY' },
      { why: 'a zero BACKEND_TIMEOUT_MS', env: { BACKEND_TIMEOUT_MS: '0' }, variable: 'BACKEND_TIMEOUT_MS' },
      { why: 'a zero WEBHOOK_TIMEOUT_MS', env: { WEBHOOK_TIMEOUT_MS: '0' }, variable: 'WEBHOOK_TIMEOUT_MS' },
      { why: 'a text SHUTDOWN_TIMEOUT_MS', env: { SHUTDOWN_TIMEOUT_MS: 'soon' }, variable: 'SHUTDOWN_TIMEOUT_MS' },
      { why: 'a negative SHUTDOWN_DELAY_MS', env: { SHUTDOWN_DELAY_MS: '-1' }, variable: 'SHUTDOWN_DELAY_MS' },
      { why: 'a negative PARAMETERS_RUNDURATIONMS', env: { PARAMETERS_RUNDURATIONMS: '-5' }, variable: 'PARAMETERS_RUNDURATIONMS' },
      { why: 'a fractional PARAMETERS_RUNDURATIONMS', env: { PARAMETERS_RUNDURATIONMS: '1.5' }, variable: 'PARAMETERS_RUNDURATIONMS' },
      {
        why: 'a known number parameter that is not a number',
        env: { ...vertexEnv, PARAMETERS_MAXCONCURRENTRUNCOUNT: 'many' },
        variable: 'PARAMETERS_MAXCONCURRENTRUNCOUNT',
      },
      {
        why: 'a zero PARAMETERS_MAXCONCURRENTRUNCOUNT',
        env: { ...vertexEnv, PARAMETERS_MAXCONCURRENTRUNCOUNT: '0' },
        variable: 'PARAMETERS_MAXCONCURRENTRUNCOUNT',
      },
      {
        why: 'a fractional PARAMETERS_MAXCONCURRENTRUNCOUNT',
        env: { ...vertexEnv, PARAMETERS_MAXCONCURRENTRUNCOUNT: '2.5' },
        variable: 'PARAMETERS_MAXCONCURRENTRUNCOUNT',
      },
      {
        why: 'a PARAMETERS_KFPMULTIUSERMODE that is not a boolean',
        env: { ...kfpEnv, PARAMETERS_KFPMULTIUSERMODE: 'yes' },
        variable: 'PARAMETERS_KFPMULTIUSERMODE',
      },
    ];
    for (const { why, env, variable } of cases) {
      it(`stops on ${why} with one problem naming ${variable}`, () => {
        const error = configError(env);
        expect(error.problems.map((problem) => problem.variable)).to.deep.equal([variable]);
        expect(error.variable).to.equal(variable);
        expect(error.message).to.equal(error.problems[0]!.message);
        expect(error.message).to.match(new RegExp(`^${variable}[ =]`));
        expect(error.message).not.to.include('\n');
      });
    }

    it('states the expected form: a range, a closed set, a required value', () => {
      expect(configError({ SERVER_PORT: '65536' }).message).to.equal('SERVER_PORT="65536" must be a whole number from 0 to 65535');
      expect(configError({ LOG_LEVEL: 'verbose' }).message).to.equal('LOG_LEVEL="verbose" must be one of debug, info, warn, error');
      expect(configError({ ...vertexEnv, PARAMETERS_MAXCONCURRENTRUNCOUNT: '0' }).message).to.equal(
        'PARAMETERS_MAXCONCURRENTRUNCOUNT="0" must be a whole number of at least 1',
      );
      expect(configError({ ...vertexEnv, PARAMETERS_MAXCONCURRENTRUNCOUNT: 'many' }).message).to.equal(
        'PARAMETERS_MAXCONCURRENTRUNCOUNT="many" must be a whole number of at least 1',
      );
      expect(configError({ ...vertexEnv, PARAMETERS_PIPELINEBUCKET: undefined }).message).to.equal(
        'PARAMETERS_PIPELINEBUCKET is required for the vai provider: a GCS bucket name',
      );
    });
  });

  describe('several problems at once', () => {
    it('reports every invalid or missing variable in one error, one line each, in table order', () => {
      const error = configError({
        PROVIDER_TYPE: 'kfp',
        SERVER_PORT: 'eighty',
        LOG_LEVEL: 'loud',
        EVENTS_CONCURRENCY: '0',
        PARAMETERS_KFPMULTIUSERMODE: 'yes',
        PARAMETERS_RESTKFPAPIURL: 'ml-pipeline:8888',
        PARAMETERS_KFPWORKFLOWEVENTS: 'poll',
      });
      const variables = [
        'PARAMETERS_KFPMULTIUSERMODE',
        'PROVIDERNAME',
        'PIPELINEROOTSTORAGE',
        'OPERATORWEBHOOK',
        'SERVER_PORT',
        'LOG_LEVEL',
        'EVENTS_CONCURRENCY',
        'PARAMETERS_RESTKFPAPIURL',
        'PARAMETERS_GRPCMETADATASTOREADDRESS',
        'PARAMETERS_KFPWORKFLOWEVENTS',
      ];
      expect(error.problems.map((problem) => problem.variable)).to.deep.equal(variables);
      const lines = error.message.split('\n');
      expect(lines).to.have.length(variables.length);
      lines.forEach((line, index) =>
        expect(line).to.match(new RegExp(`^${variables[index]!}(=".*" must be | is required for the kfp provider: | must be )`)),
      );
      expect(error.variable).to.equal('PARAMETERS_KFPMULTIUSERMODE');
    });

    it('keeps one line per variable when a variable has two faults', () => {
      // Missing for kfp, and multi-user mode needs a namespace in it.
      const error = configError({ ...kfpEnv, PROVIDERNAME: undefined, PARAMETERS_KFPMULTIUSERMODE: 'true' });
      expect(error.problems).to.deep.equal([
        { variable: 'PROVIDERNAME', message: 'PROVIDERNAME is required for the kfp provider: "namespace/name" or "name"' },
      ]);
    });
  });
});
