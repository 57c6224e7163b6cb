/**
 * An error of the HTTP edge itself (oversized body, wrong content type, wrong method), carrying
 * the status it answers with. Domain errors never use it.
 */
export class HttpError extends Error {
  constructor(
    /** The status code to answer with. */
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
