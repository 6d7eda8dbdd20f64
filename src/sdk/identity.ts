/** Who is emitting: the OTel resource of traces, and Sentry's release/environment/service tags. */
export interface ServiceIdentity {
  readonly name: string;
  readonly version?: string | undefined;
  readonly environment?: string | undefined;
  readonly namespace?: string | undefined;
}
