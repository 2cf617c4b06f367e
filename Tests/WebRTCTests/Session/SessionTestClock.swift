import Foundation

/// The wall clock the session tests give it (a session reads no clock): 2025-12-01 00:00:00 UTC.
let testWallClock = Date(timeIntervalSince1970: 1_764_547_200)
