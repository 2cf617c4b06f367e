import SQLiteNIO

extension StoreError {
    /// A SQLite failure classified by its (extended) result code, never by its message: the
    /// connection opens with `SQLITE_OPEN_EXRESCODE`, so a uniqueness violation arrives as
    /// `SQLITE_CONSTRAINT_UNIQUE` / `_PRIMARYKEY`, a full disk as `SQLITE_FULL`, and so on.
    static func classify(_ error: SQLiteError) -> StoreError {
        let text = error.message
        switch SQLiteFailure(error.reason) {
        case .duplicate: return .duplicate(text)
        case .unavailable: return .unavailable(text)
        case .other: return .failed(text)
        }
    }
}

/// What the store makes of a SQLite result code.
enum SQLiteFailure: Equatable {
    /// A primary key or unique index was violated.
    case duplicate
    /// The file cannot be written or read now (full, read-only, gone, I/O error, locked too long).
    case unavailable
    /// Anything else (a bad statement, another constraint): a bug or bad data, not the disk.
    case other

    init(_ reason: SQLiteError.Reason) {
        switch reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed, .constraintUniqueRowIDFailed:
            self = .duplicate
        case .full, .cantOpen, .cantOpenDirectory, .cantOpenInvalidPath, .cantOpenCygwinPath, .cantOpenUnfollowedSymlink,
            .readOnly, .readonlyInRecovery, .readonlyCantLock, .readonlyInRollback, .readonlyBackingMoved, .readonlyDirectory,
            .permission, .busy, .busyInRecovery, .busyInSnapshot, .busyTimeout, .locked, .lockedBySharedCache,
            .lockedVirtualTable, .notADatabase, .corrupt, .corruptVirtualTable, .corruptSequenceSchema, .corruptIndex,
            .noLFS, .noMemory, .ioError, .ioErrorFailedRead, .ioErrorIncompleteRead, .ioErrorFailedWrite,
            .ioErrorFailedSync, .ioErrorFailedDirSync, .ioErrorFailedTruncate, .ioErrorFailedStat, .ioErrorFailedUnlock,
            .ioErrorFailedReadLock, .ioErrorFailedDelete, .ioErrorNoMemory, .ioErrorFailedAccess, .ioErrorFailedLockCheck,
            .ioErrorFailedAdvisoryLock, .ioErrorFailedClose, .ioErrorFailedSharedMemOpen, .ioErrorFailedSharedMemSize,
            .ioErrorFailedSharedMemMap, .ioErrorFailedDeleteNonexistent, .ioErrorFailedMemoryMap,
            .ioErrorCantFindTempdir, .ioErrorCygwinPath, .ioErrorBadDataChecksum, .ioErrorCorruptedFilesystem:
            self = .unavailable
        default:
            self = .other
        }
    }
}
