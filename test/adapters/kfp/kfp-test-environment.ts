/**
 * The environment the operator would set for a Kubeflow provider, pointed at an in-test KFP REST
 * server. ML Metadata and the webhook point at closed ports: the tests using this resolve the
 * provider only, and a stray call fails at once.
 */
export function kfpTestEnvironment(kfpUrl: string): Record<string, string> {
  return {
    PROVIDER_TYPE: 'kfp',
    PROVIDERNAME: 'ops/kfp',
    PIPELINEROOTSTORAGE: 'gs://pipeline-root',
    OPERATORWEBHOOK: 'http://127.0.0.1:1/events',
    PARAMETERS_RESTKFPAPIURL: kfpUrl,
    PARAMETERS_GRPCMETADATASTOREADDRESS: '127.0.0.1:1',
    PARAMETERS_DEFAULTEXPERIMENT: 'Default',
  };
}
