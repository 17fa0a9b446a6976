export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** Present for STS credentials; it must travel inside what is signed. */
  securityToken?: string;
  /** When STS credentials stop working, if the provider says (FC's context does not; the local runtime does). */
  expiration?: Date | string;
}
