// Where a multipart upload's progress survives a reload or a dropped connection: the ali-oss
// checkpoint without its File, keyed by the destination prefix and the file's name, size and
// modification time (the same file picked again after a reload matches).

export interface SavedCheckpoint {
  name: string;
  fileSize: number;
  partSize: number;
  uploadId: string;
  doneParts: { number: number; etag: string }[];
}

export interface CheckpointStore {
  get(id: string): SavedCheckpoint | undefined;
  set(id: string, checkpoint: SavedCheckpoint): void;
  delete(id: string): void;
}

export interface FileIdentity {
  name: string;
  size: number;
  lastModified: number;
}

export function checkpointId(destination: string, file: FileIdentity): string {
  return JSON.stringify([destination, file.name, file.size, file.lastModified]);
}

export function memoryCheckpoints(): CheckpointStore {
  const saved = new Map<string, SavedCheckpoint>();
  return {
    get: (id) => saved.get(id),
    set: (id, checkpoint) => void saved.set(id, checkpoint),
    delete: (id) => void saved.delete(id),
  };
}

/** Checkpoints in Web Storage (localStorage by default), under `namespace`. */
export function webStorageCheckpoints(storage: Storage = localStorage, namespace = 'oss-upload-checkpoint:'): CheckpointStore {
  return {
    get(id) {
      const text = storage.getItem(namespace + id);
      if (text === null) return undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        if (isSavedCheckpoint(parsed)) return parsed;
      } catch {
        // fall through: a damaged entry is as good as none
      }
      storage.removeItem(namespace + id);
      return undefined;
    },
    set: (id, checkpoint) => storage.setItem(namespace + id, JSON.stringify(checkpoint)),
    delete: (id) => storage.removeItem(namespace + id),
  };
}

/** The checkpoint as ali-oss hands it to its progress callback, minus the File it holds. */
export function toSaved(checkpoint: SavedCheckpoint): SavedCheckpoint {
  const { name, fileSize, partSize, uploadId, doneParts } = checkpoint;
  return { name, fileSize, partSize, uploadId, doneParts: doneParts.map(({ number, etag }) => ({ number, etag })) };
}

function isSavedCheckpoint(v: unknown): v is SavedCheckpoint {
  const c = v as Partial<SavedCheckpoint> | null;
  return (
    !!c &&
    typeof c.name === 'string' &&
    typeof c.uploadId === 'string' &&
    Number.isSafeInteger(c.fileSize) &&
    Number.isSafeInteger(c.partSize) &&
    Array.isArray(c.doneParts) &&
    c.doneParts.every((p) => Number.isSafeInteger(p?.number) && typeof p?.etag === 'string')
  );
}
