/** Produces fresh identifiers; a port so that tests can make them predictable. */
export interface IdGenerator {
  /** A new identifier, unique within the process. */
  next(): string;
}

/** Injection token of {@link IdGenerator}. */
export const IdGenerator = Symbol.for('kfp-provider-service.IdGenerator');
