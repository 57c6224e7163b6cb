/** The current time; a port so that the domain and tests never read the system clock. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** Injection token of {@link Clock}. */
export const Clock = Symbol.for('kfp-provider-service.Clock');
