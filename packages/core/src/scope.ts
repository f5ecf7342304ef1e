/** Whose data a request may touch: one organization, in live or test mode. */
export interface Scope {
  organizationId: string;
  livemode: boolean;
}
