import type { PipelineServiceClient } from '@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js';
import type { ScheduleServiceClient } from '@google-cloud/aiplatform/build/src/v1/schedule_service_client.js';
import { errorMessage } from '../../domain/error-message.js';
import { BackendError } from '../../domain/errors.js';
import type { VertexJobReport } from '../../domain/vertex/vertex-job-completion.js';
import type { VertexPipelineJob } from '../../domain/vertex/vertex-pipeline-job.js';
import { type VertexSchedule, vertexScheduleUpdateMask } from '../../domain/vertex/vertex-schedule.js';
import { backendErrorStatus } from '../shared/backend-error-status.js';
import { reportOfProtoPipelineJob, toProtoPipelineJob, toProtoSchedule } from './vertex-proto-mapping.js';

/** gRPC status codes this adapter tells apart. */
const grpcStatus = Object.freeze({ alreadyExists: 6, notFound: 5 });

/** The two Vertex AI clients the provider uses, built by the module. */
export interface VertexClients {
  readonly pipelines: PipelineServiceClient;
  readonly schedules: ScheduleServiceClient;
}

/** Where jobs and schedules live, and how long one call may take. */
export interface VertexLocation {
  readonly project: string;
  readonly location: string;
  /** Per-call deadline; the client default is 60 s with no retries. */
  readonly callTimeoutMs?: number;
}

function failure(what: string, error: unknown): BackendError {
  return new BackendError(`Vertex AI ${what} failed: ${errorMessage(error)}`, { cause: error });
}

/**
 * Pipeline jobs and schedules on Vertex AI over gRPC. Speaks in the domain's job and schedule
 * shapes; every failure is a {@link BackendError} naming the call and what Vertex AI said. The
 * clients are asked for on each call, so they can be built on first use.
 */
export class VertexPipelineBackend {
  readonly #clients: () => Promise<VertexClients>;
  readonly #parent: string;
  readonly #callOptions: { timeout?: number };

  constructor(clients: () => Promise<VertexClients>, location: VertexLocation) {
    this.#clients = clients;
    this.#parent = `projects/${location.project}/locations/${location.location}`;
    this.#callOptions = location.callTimeoutMs ? { timeout: location.callTimeoutMs } : {};
  }

  /** `projects/{project}/locations/{location}`. */
  get parent(): string {
    return this.#parent;
  }

  /**
   * Creates a job under a chosen id. A job that already exists under that id counts as created:
   * the operator repeats a create whose answer it did not get.
   */
  async createPipelineJob(jobId: string, job: VertexPipelineJob): Promise<void> {
    try {
      const { pipelines } = await this.#clients();
      await pipelines.createPipelineJob(
        { parent: this.#parent, pipelineJobId: jobId, pipelineJob: toProtoPipelineJob(job) },
        this.#callOptions,
      );
    } catch (error) {
      if (backendErrorStatus(error) === grpcStatus.alreadyExists) return;
      throw failure(`CreatePipelineJob ${jobId}`, error);
    }
  }

  /** Fetches a job; `undefined` when Vertex AI does not know it. */
  async getPipelineJob(jobId: string): Promise<VertexJobReport | undefined> {
    try {
      const { pipelines } = await this.#clients();
      const [job] = await pipelines.getPipelineJob({ name: `${this.#parent}/pipelineJobs/${jobId}` }, this.#callOptions);
      return reportOfProtoPipelineJob(job);
    } catch (error) {
      if (backendErrorStatus(error) === grpcStatus.notFound) return undefined;
      throw failure(`GetPipelineJob ${jobId}`, error);
    }
  }

  /** Creates a schedule; resolves to its full resource name. */
  async createSchedule(schedule: VertexSchedule): Promise<string> {
    try {
      const { schedules } = await this.#clients();
      const [created] = await schedules.createSchedule(
        { parent: this.#parent, schedule: toProtoSchedule(schedule, this.#parent) },
        this.#callOptions,
      );
      return this.#nameOf(created.name, `CreateSchedule ${schedule.displayName}`);
    } catch (error) {
      throw error instanceof BackendError ? error : failure(`CreateSchedule ${schedule.displayName}`, error);
    }
  }

  /** Replaces the fields this service sets on the schedule `name`; resolves to its name. */
  async updateSchedule(name: string, schedule: VertexSchedule): Promise<string> {
    try {
      const { schedules } = await this.#clients();
      const [updated] = await schedules.updateSchedule(
        { schedule: toProtoSchedule(schedule, this.#parent, name), updateMask: { paths: vertexScheduleUpdateMask(schedule) } },
        this.#callOptions,
      );
      return updated.name || name;
    } catch (error) {
      throw failure(`UpdateSchedule ${name}`, error);
    }
  }

  /** Deletes a schedule and waits for the deletion; one already gone counts as deleted. */
  async deleteSchedule(name: string): Promise<void> {
    try {
      const { schedules } = await this.#clients();
      const [operation] = await schedules.deleteSchedule({ name }, this.#callOptions);
      await operation.promise();
    } catch (error) {
      if (backendErrorStatus(error) === grpcStatus.notFound) return;
      throw failure(`DeleteSchedule ${name}`, error);
    }
  }

  #nameOf(name: string | null | undefined, what: string): string {
    if (!name) throw new BackendError(`Vertex AI ${what} answered without a schedule name`);
    return name;
  }
}
