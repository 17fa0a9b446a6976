export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** Present for STS credentials; it must travel inside what is signed. */
  securityToken?: string;
  /** When STS credentials stop working, if the provider says (FC's context does not; the local runtime does). */
  expiration?: Date | string;
}

/**
 * Whole seconds the credentials stay valid after `now`, or Infinity when their expiry is not known.
 * A URL or form signed with STS credentials stops working when the token expires, whatever it says.
 */
export function credentialSecondsLeft(credentials: Credentials, now: Date): number {
  if (credentials.expiration === undefined) return Infinity;
  const ends = new Date(credentials.expiration).getTime();
  if (Number.isNaN(ends)) return 0;
  return Math.floor((ends - now.getTime()) / 1000);
}
