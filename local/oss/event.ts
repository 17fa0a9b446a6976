// The event the Function Compute OSS trigger delivers for ObjectCreated:* (FC "Formats of event for
// different triggers", OSS triggers).

import { ossIsoTime } from './time';

/**
 * The operations whose event the local OSS delivers: each of them leaves an object at its key. OSS
 * also names ObjectCreated:InitiateMultipartUpload, UploadPart and UploadPartCopy (FC "OSS trigger
 * overview", the table of OSS events); none of those leaves an object, and the project's trigger
 * subscribes to the six below only (one invocation per object, not one per part), so the local OSS
 * delivers no event for them.
 */
export type CreatedBy = 'PutObject' | 'PostObject' | 'CompleteMultipartUpload' | 'AppendObject' | 'CopyObject' | 'PutSymlink';

export interface CreatedObject {
  operation: CreatedBy;
  region: string;
  accountId: string;
  bucket: string;
  key: string;
  /** Unquoted, as in the callback's ${etag}. */
  etag: string;
  size: number;
  /** Size added by this write (size minus the size of any object it replaced). */
  deltaSize: number;
  requestId: string;
  sourceIp: string;
  principalId: string;
  time: Date;
}

export function objectCreatedEvent(o: CreatedObject): Buffer {
  const event = {
    events: [
      {
        eventName: `ObjectCreated:${o.operation}`,
        eventSource: 'acs:oss',
        eventTime: ossIsoTime(o.time),
        eventVersion: '1.0',
        oss: {
          bucket: { arn: `acs:oss:${o.region}:${o.accountId}:${o.bucket}`, name: o.bucket, ownerIdentity: o.accountId },
          object: { deltaSize: o.deltaSize, eTag: o.etag, key: o.key, size: o.size },
          ossSchemaVersion: '1.0',
          ruleId: 'local',
        },
        region: o.region,
        requestParameters: { sourceIPAddress: o.sourceIp },
        responseElements: { requestId: o.requestId },
        userIdentity: { principalId: o.principalId },
      },
    ],
  };
  return Buffer.from(JSON.stringify(event), 'utf8');
}
