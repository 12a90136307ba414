export { createFileSnapshotStore, type FileSnapshotStoreOptions } from "./file-snapshot-store.js";
export { createFilesystemBlobStore, type FilesystemBlobStoreOptions } from "./filesystem-blob-store.js";
export { acquireLockFile, type LockFile, LockFileHeldError } from "./lock-file.js";
