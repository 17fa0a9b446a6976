export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** Present for STS credentials; it must travel inside what is signed. */
  securityToken?: string;
}
