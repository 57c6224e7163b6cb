// The Vertex AI clients and google-gax behind one module of ours, which the Vertex module imports
// when it first builds its clients. A dynamic import() of these CommonJS modules would stay outside
// the service bundle (see scripts/service-bundle.mjs); a static import from here lets the bundler
// take them into the provider's chunk, with the one copy of google-gax the Pub/Sub client shares.
import * as gax from 'google-gax';

export { PipelineServiceClient } from '@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js';
export { ScheduleServiceClient } from '@google-cloud/aiplatform/build/src/v1/schedule_service_client.js';
export { gax };
