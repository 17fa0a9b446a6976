// The part of ali-oss 6.x this project uses (the package ships no types). Browser bundles get its
// prebuilt dist/aliyun-oss-sdk.js through the package's "browser" field; Node gets lib/client.js.

declare module 'ali-oss' {
  namespace OSS {
    interface Options {
      endpoint?: string;
      bucket?: string;
      region?: string;
      accessKeyId: string;
      accessKeySecret: string;
      stsToken?: string;
      refreshSTSToken?: () => Promise<{ accessKeyId: string; accessKeySecret: string; stsToken: string }>;
      refreshSTSTokenInterval?: number;
      secure?: boolean;
      /** Path-style requests (`/<bucket>/<key>`) to a non-OSS host name. */
      sldEnable?: boolean;
      /** The endpoint is the bucket's own domain. */
      cname?: boolean;
      authorizationV4?: boolean;
      timeout?: number | string;
      retryMax?: number;
    }

    interface DonePart {
      number: number;
      etag: string;
    }

    interface Checkpoint {
      file?: unknown;
      name: string;
      fileSize: number;
      partSize: number;
      uploadId: string;
      doneParts: DonePart[];
    }

    interface CallbackOptions {
      url: string;
      body: string;
      contentType?: string;
      host?: string;
      /** Sent as the callback parameter's callbackSNI (ali-oss lib/common/callback.js). */
      callbackSNI?: boolean;
    }

    interface MultipartUploadOptions {
      parallel?: number;
      partSize?: number;
      /** Called after the init (fraction 0), after each part, and with checkpoint null after the completion (1). */
      progress?: (fraction: number, checkpoint: Checkpoint | null | undefined, res?: unknown) => unknown;
      checkpoint?: Checkpoint;
      headers?: Record<string, string>;
      mime?: string;
      callback?: CallbackOptions;
      timeout?: number;
    }

    interface ResponseInfo {
      status: number;
      headers: Record<string, string>;
    }

    interface MultipartUploadResult {
      res: ResponseInfo;
      bucket: string;
      name: string;
      etag?: string;
      /** The callback server's answer, when a callback was requested. */
      data?: unknown;
    }

    interface ObjectMeta {
      name: string;
      size: number;
      lastModified: string;
      etag: string;
      type: string;
    }

    interface ListQuery {
      prefix?: string;
      marker?: string;
      delimiter?: string;
      'max-keys'?: number | string;
    }

    interface ListResult {
      objects?: ObjectMeta[];
      prefixes?: string[] | null;
      isTruncated: boolean;
      nextMarker?: string | null;
      res: ResponseInfo;
    }
  }

  class OSS {
    constructor(options: OSS.Options);
    /** The options in force; `amendTimeSkewed` (ms) is added to this machine's clock when dating a request. */
    options: { amendTimeSkewed?: number };
    multipartUpload(name: string, file: unknown, options?: OSS.MultipartUploadOptions): Promise<OSS.MultipartUploadResult>;
    initMultipartUpload(name: string, options?: { mime?: string; headers?: Record<string, string> }): Promise<{ uploadId: string; res: OSS.ResponseInfo }>;
    /** Bytes [start, end) of `file` (a Blob in browsers, a Buffer in Node) as part `partNo`; without `disabledMD5` the browser build sends the part's Content-MD5, computed in JavaScript. */
    uploadPart(name: string, uploadId: string, partNo: number, file: unknown, start: number, end: number, options?: { disabledMD5?: boolean }): Promise<{ etag: string; res: OSS.ResponseInfo }>;
    completeMultipartUpload(
      name: string,
      uploadId: string,
      parts: OSS.DonePart[],
      options?: { callback?: OSS.CallbackOptions; headers?: Record<string, string> },
    ): Promise<OSS.MultipartUploadResult>;
    abortMultipartUpload(name: string, uploadId: string, options?: { timeout?: number }): Promise<{ res: OSS.ResponseInfo }>;
    list(query: OSS.ListQuery | null, options?: { timeout?: number }): Promise<OSS.ListResult>;
    /** Stops scheduling parts of this client's multipart uploads; they then reject with `{name: 'cancel'}`. */
    cancel(abort?: { name: string; uploadId: string }): void;
  }

  export = OSS;
}
